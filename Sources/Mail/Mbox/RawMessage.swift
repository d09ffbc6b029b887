/// One message as cut out of its input, byte for byte, before any parsing.
///
/// `fromLine` is the mbox separator line (`From sender date`, with its line ending) or nil when
/// the message had none (a maildir file, a single message, a preamble). `bytes` are the exact
/// bytes between the separator and the next one, still `>From `-quoted as in the file, so
/// `fromLine + bytes` over all messages gives the input back. `startLine` is the 1-based line
/// of the input where `bytes` start (the line after the separator).
public struct RawMessage: Equatable, Sendable, CustomStringConvertible {
  public var fromLine: [UInt8]?
  /// A slice of the input when the input was split whole (no copy), else its own array.
  public var bytes: ArraySlice<UInt8>
  public var startLine: Int
  /// True if some line starts with `>`…`From ` (a quoted separator to un-quote).
  public var hasQuotedFrom: Bool
  /// Where the message (its separator line, when it has one) starts in the input, as a byte
  /// offset, when the reader knows it: a reader of a large file can read it again from there.
  /// Not part of `==`.
  public var inputOffset: Int?

  public init(
    fromLine: [UInt8]?, bytes: some Collection<UInt8>, startLine: Int, hasQuotedFrom: Bool,
    inputOffset: Int? = nil
  ) {
    self.fromLine = fromLine
    self.bytes = bytes as? ArraySlice<UInt8> ?? ArraySlice(bytes)
    self.startLine = startLine
    self.hasQuotedFrom = hasQuotedFrom
    self.inputOffset = inputOffset
  }

  /// The message's size in the input: its separator line and its bytes.
  public var inputLength: Int { (fromLine?.count ?? 0) + bytes.count }

  public static func == (a: RawMessage, b: RawMessage) -> Bool {
    a.fromLine == b.fromLine && a.bytes == b.bytes && a.startLine == b.startLine
      && a.hasQuotedFrom == b.hasQuotedFrom
  }

  /// The separator line as text, without its line ending.
  public var separator: String? {
    guard var f = fromLine else { return nil }
    while let last = f.last, last == Bytes.lf || last == Bytes.cr { f.removeLast() }
    return Bytes.string(f)
  }

  public var description: String {
    "RawMessage(line \(startLine), \(bytes.count) bytes, from: \(separator ?? "-"))"
  }
}
