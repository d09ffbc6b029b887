import Diagnostics

/// One mail message: its header fields decoded, its body kept raw and decoded on demand.
///
/// Headers are read when the message is made. The body is decoded then or on access, as
/// `MailInput.BodyDecoding` says; a body not decoded yet is decoded by each access to `body`
/// and `parts`, so a caller that needs them often calls `decodeBodyOnce()` first.
public struct Message: Equatable, Sendable {
  /// The file and line of the message's first header line.
  public var location: SourceLocation
  public var headers: [HeaderField]
  /// The message exactly as cut from the input (still `>From `-quoted).
  public var raw: RawMessage
  /// The input line where the body starts (the line after the blank line ending the headers).
  ///
  /// For a single-part 7bit/8bit body, line `n` of `body` is input line `bodyStartLine + n - 1`.
  /// For multipart, quoted-printable or base64 bodies use `decodeBody().inputLine(forTextLine:)`,
  /// which maps through each part (approximately inside QP and base64 parts).
  public var bodyStartLine: Int

  /// The un-quoted bytes of the message and where its body lies in them.
  var content: ArraySlice<UInt8>
  var bodyRange: Range<Int>
  var decoded: MessageBody?

  /// The first field called `name` (ASCII case-insensitive): unfolded, RFC 2047 decoded.
  public func header(_ name: String) -> String? {
    headers.first { $0.isNamed(name) }?.value
  }

  /// Every field called `name`, in order.
  public func headers(named name: String) -> [String] {
    headers.filter { $0.isNamed(name) }.map(\.value)
  }

  public var subject: String? { header("Subject") }
  /// The first `From` mailbox. Addresses are parsed before RFC 2047 decoding (RFC 2047 §5), so
  /// an encoded display name holding a comma or `<` cannot break the address apart.
  public var from: Mailbox? {
    headers.first { $0.isNamed("From") }.flatMap { Mailbox.parse(encoded: $0.unfoldedRawValue) }
  }
  /// `from?.description`: for the usual ASCII `Name <addr>` read from the field's bytes
  /// without making the mailbox.
  public var fromDescription: String? {
    guard let field = headers.first(where: { $0.isNamed("From") }) else { return nil }
    var raw = field.rawValue
    if let plain = raw.withUTF8(Mailbox.plainDescription) { return plain }
    return Mailbox.parse(encoded: field.unfoldedRawValue)?.description
  }
  public var to: [Mailbox] { mailboxes("To") }
  public var cc: [Mailbox] { mailboxes("Cc") }

  /// Every mailbox of every field called `name` (`To`, `Cc`, `Reply-To`…).
  public func mailboxes(_ name: String) -> [Mailbox] {
    headers.filter { $0.isNamed(name) }.flatMap { Mailbox.parseList(encoded: $0.unfoldedRawValue) }
  }
  public var date: MailDate? { header("Date").flatMap(MailDate.parse) }
  /// The Message-ID without its angle brackets.
  public var messageID: String? { header("Message-ID").flatMap { MessageIDs.all(in: $0).first } }
  public var inReplyTo: String? { header("In-Reply-To").flatMap { MessageIDs.all(in: $0).first } }
  /// Every id of every `References` field, oldest first.
  public var references: [String] { headers(named: "References").flatMap(MessageIDs.all) }

  /// The subject read as a patch subject (`[PATCH v2 3/4] …`).
  public var patchSubject: PatchSubject { PatchSubject.parse(subject ?? "") }

  /// The input line of line `line` (1-based) of `body`: exact for plain bodies, through the
  /// MIME parts otherwise (see `MessageBody.LineMapping`).
  public func inputLine(forBodyLine line: Int) -> Int {
    if decoded == nil, MimeDecoder.isPlain(headers) { return bodyStartLine + line - 1 }
    return decodeBody().inputLine(forTextLine: line) ?? bodyStartLine
  }

  /// The decoded text body (see `MessageBody.text`).
  public var body: String { (decoded ?? decodeBody()).text }
  /// The decoded MIME leaves (one for a single-part message).
  public var parts: [MimePart] { (decoded ?? decodeBody()).parts }

  /// The body bytes as they are in the input (after `>From ` un-quoting), not decoded.
  public var rawBody: ArraySlice<UInt8> {
    let base = content.startIndex
    return content[(base + bodyRange.lowerBound)..<(base + bodyRange.upperBound)]
  }

  /// Decodes the body: multipart, transfer encodings, charsets; with the diagnostics found.
  public func decodeBody() -> MessageBody {
    if let decoded { return decoded }
    return content.withUnsafeBufferPointer {
      MimeDecoder.decode(
        $0, headers: headers, from: bodyRange.lowerBound, to: bodyRange.upperBound,
        line: bodyStartLine, file: location.file)
    }
  }

  /// Decodes the body now and keeps it, so later `body` and `parts` calls are free.
  public mutating func decodeBodyOnce() {
    if decoded == nil { decoded = decodeBody() }
  }

  /// Whether the body was decoded when the message was read.
  public var isBodyDecoded: Bool { decoded != nil }

  /// Calls `scan` with the UTF-8 bytes of `body`, without making the string when the bytes
  /// in the input already are that text.
  ///
  /// That is the case for a plain body (single part, 7bit or 8bit, no CR) that is ASCII, or
  /// valid UTF-8 in a UTF-8 or US-ASCII charset: then `exact` is true and line `n` of the
  /// bytes is input line `bodyStartLine + n - 1`. Otherwise the body is decoded into a
  /// string first, `exact` is false, and `inputLine(forBodyLine:)` maps its lines.
  public func withBodyUTF8<R>(
    _ scan: (_ utf8: UnsafeBufferPointer<UInt8>, _ exact: Bool) -> R
  ) -> R {
    if decoded == nil, MimeDecoder.isPlain(headers) {
      // A plain body is `charset.decode(raw)`: the same bytes when they are ASCII, or valid
      // UTF-8 read as UTF-8 (US-ASCII with 8-bit bytes is read as UTF-8 when valid).
      var unicode = true
      if let type = MimeDecoder.field(headers, "content-type"),
        let label = HeaderParameters.parse(type.value).parameters["charset"]
      {
        let charset = Charset(label: label)
        unicode = charset == .utf8 || charset == .usASCII
      }
      let direct = rawBody.withUnsafeBufferPointer { buf -> R? in
        guard Bytes.find(Bytes.cr, in: buf, from: 0, to: buf.count) == nil,
          Bytes.isASCII(buf) || (unicode && Bytes.isValidUTF8(buf))
        else { return nil }
        return scan(buf, true)
      }
      if let direct { return direct }
    }
    var text = body
    return text.withUTF8 { scan($0, false) }
  }

  /// Reads a raw message. Header damage goes to `diags`; body damage too when `decodeBody`.
  static func read(
    _ raw: RawMessage, file: String, quoting: FromQuoting, bodies: MailInput.BodyDecoding,
    diags: inout [Diagnostic]
  ) -> Message {
    let content =
      raw.fromLine != nil && raw.hasQuotedFrom ? quoting.unquote(raw.bytes) : raw.bytes
    let loc = SourceLocation(file: file, line: raw.startLine)
    var message = content.withUnsafeBufferPointer { buf -> Message in
      let n = buf.count
      let block = HeaderBlock.parse(
        buf, from: 0, to: n, firstLine: raw.startLine, file: file, diags: &diags)
      if n == 0 || buf.allSatisfy({ $0 <= Bytes.space }) {
        diags.append(
          Diagnostic(
            "mail.truncated", .warning, at: loc.at(line: max(1, raw.startLine - 1)),
            "separator line with no message after it"))
      } else if !block.terminated && !block.fields.isEmpty
        && (buf[n - 1] != Bytes.lf || raw.fromLine != nil)
      {
        // Cut inside the headers: the last line lacks its newline, or an mbox message (whose
        // writer always ends headers with a blank line) has no body. A lone file of headers
        // ending in a newline is a valid message without a body.
        diags.append(
          Diagnostic(
            "mail.truncated", .warning, at: loc.at(line: block.bodyLine - 1),
            "message ends inside its header block (no blank line, no body)"))
      }
      // The blank line an mbox writer puts after each message is not part of the body.
      var end = n
      if raw.fromLine != nil, end - block.bodyOffset >= 2, buf[end - 1] == Bytes.lf {
        var e = end - 1
        if e > block.bodyOffset, buf[e - 1] == Bytes.cr { e -= 1 }
        if e > block.bodyOffset, buf[e - 1] == Bytes.lf { end = e }
      }
      return Message(
        location: loc, headers: block.fields, raw: raw, bodyStartLine: block.bodyLine,
        content: [], bodyRange: min(block.bodyOffset, end)..<end, decoded: nil)
    }
    message.content = content
    let decodeNow: Bool
    switch bodies {
    case .eager: decodeNow = true
    case .checked: decodeNow = !MimeDecoder.isPlain(message.headers)
    case .lazy: decodeNow = false
    }
    if decodeNow {
      let body = message.decodeBody()
      diags.append(contentsOf: body.diagnostics)
      message.decoded = body
    }
    return message
  }

  /// True if the headers look like a mail header block (one of the fields every message has).
  var hasMailHeaders: Bool {
    headers.contains { f in
      Message.mailFieldNames.contains { f.isNamed($0) }
    }
  }

  static let mailFieldNames = [
    "from", "subject", "date", "message-id", "to", "received", "return-path", "mime-version",
    "delivered-to", "in-reply-to", "references", "sender", "content-type",
  ]
}
