import Diagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where one message of an mbox file lies, to read it again without reading the rest: what a
/// two-pass reader keeps of each message between its passes.
public struct MessageSpan: Sendable, Hashable {
  /// Byte offset of the message in the file (of its separator line, when it has one).
  public var offset: Int
  /// Bytes of the message, separator line included.
  public var length: Int
  /// The input line where the message's bytes start (after the separator).
  public var startLine: Int
  public var hasFromLine: Bool
  public var hasQuotedFrom: Bool

  public init(offset: Int, length: Int, startLine: Int, hasFromLine: Bool, hasQuotedFrom: Bool) {
    self.offset = offset
    self.length = length
    self.startLine = startLine
    self.hasFromLine = hasFromLine
    self.hasQuotedFrom = hasQuotedFrom
  }

  /// The span of a message as read from a file; nil when the reader did not note its offset.
  public init?(_ raw: RawMessage) {
    guard let offset = raw.inputOffset else { return nil }
    self.offset = offset
    length = raw.inputLength
    startLine = raw.startLine
    hasFromLine = raw.fromLine != nil
    hasQuotedFrom = raw.hasQuotedFrom
  }
}

/// Reads single messages of an mbox file again by their ``MessageSpan``, as they were read the
/// first time (same decoding, same line numbers).
public final class MboxRereader {
  public let path: String
  public let quoting: FromQuoting
  public let bodies: MailInput.BodyDecoding
  private let fd: Int32

  /// - Throws: `mail.cannot-read` when the file cannot be opened.
  public init(
    path: String, quoting: FromQuoting = .mboxrd, bodies: MailInput.BodyDecoding = .checked
  ) throws(InputError) {
    self.path = path
    self.quoting = quoting
    self.bodies = bodies
    fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: path),
        "cannot open: \(FileSystem.errnoText())")
    }
  }

  deinit { close(fd) }

  /// The message at `span`.
  /// - Throws: `mail.cannot-read` when the bytes cannot be read, `mail.changed` when they are no
  ///   longer the message that was there (the file changed between the passes).
  public func message(at span: MessageSpan) throws(InputError) -> Message {
    var bytes = [UInt8](repeating: 0, count: span.length)
    var done = 0
    while done < span.length {
      let n = bytes.withUnsafeMutableBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return pread(fd, base + done, span.length - done, off_t(span.offset + done))
      }
      if n < 0 && errno == EINTR { continue }
      if n < 0 {
        throw InputError(
          "mail.cannot-read", at: SourceLocation(file: path, line: span.startLine),
          "cannot read: \(FileSystem.errnoText())")
      }
      if n == 0 { break }
      done += n
    }
    var fromLine: [UInt8]? = nil
    var start = 0
    if span.hasFromLine {
      guard let nl = bytes.firstIndex(of: Bytes.lf), bytes.starts(with: Array("From ".utf8))
      else {
        throw InputError(
          "mail.changed", at: SourceLocation(file: path, line: span.startLine),
          "the file changed while it was read: no message separator at byte \(span.offset)")
      }
      fromLine = Array(bytes[...nl])
      start = nl + 1
    }
    guard done == span.length else {
      throw InputError(
        "mail.changed", at: SourceLocation(file: path, line: span.startLine),
        "the file changed while it was read: it ends before byte \(span.offset + span.length)")
    }
    let raw = RawMessage(
      fromLine: fromLine, bytes: bytes[start...], startLine: span.startLine,
      hasQuotedFrom: span.hasQuotedFrom, inputOffset: span.offset)
    var diagnostics: [Diagnostic] = []
    return Message.read(raw, file: path, quoting: quoting, bodies: bodies, diags: &diagnostics)
  }
}
