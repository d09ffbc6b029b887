import Diagnostics

/// One header field as it appears in a message (RFC 5322 §2.2).
///
/// `rawValue` is everything after the colon exactly as written, folding line breaks included
/// (the final line ending excluded); `value` is unfolded (RFC 5322 §2.2.3), trimmed and has
/// its RFC 2047 encoded words decoded. Repeated fields are kept, in order, as separate values.
public struct HeaderField: Equatable, Sendable, CustomStringConvertible {
  public var name: String
  public var rawValue: String
  public var value: String
  /// The input line of the field's first line.
  public var line: Int

  public init(name: String, rawValue: String, value: String, line: Int) {
    self.name = name
    self.rawValue = rawValue
    self.value = value
    self.line = line
  }

  /// `rawValue` unfolded and trimmed, encoded words left as they are.
  public var unfoldedRawValue: String {
    var s = rawValue
    if s.utf8.contains(Bytes.lf) {
      s = String(decoding: s.utf8.filter { $0 != Bytes.lf && $0 != Bytes.cr }, as: UTF8.self)
    }
    return String(s.trimmingASCIISpaces())
  }

  /// True if the field is called `name`, ignoring ASCII case.
  public func isNamed(_ other: String) -> Bool { Bytes.equalsIgnoringCase(name, other) }

  public var description: String { "\(name): \(value)" }
}

/// The header block of a message or of a MIME part, and where its body starts.
struct HeaderBlock {
  var fields: [HeaderField] = []
  /// Offset of the body in the buffer the block was read from.
  var bodyOffset: Int
  /// Input line of the first body line.
  var bodyLine: Int
  /// False if the input ended inside the header block (no blank line).
  var terminated: Bool

  /// Reads the header block of `buf[start..<end]`, whose first byte is on input line
  /// `firstLine`, reporting damage to `diags`.
  ///
  /// A line that is neither a field nor a continuation is reported (`mail.bad-header`) and
  /// skipped when more fields follow it before the blank line; otherwise it is taken as the
  /// first body line of a message that lacks the blank separator line.
  static func parse(
    _ buf: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, firstLine: Int,
    file: String, diags: inout [Diagnostic]
  ) -> HeaderBlock {
    var fields: [HeaderField] = []
    fields.reserveCapacity(16)
    var i = start
    var line = firstLine
    // The field being read: name, start of its value, end of its last line, first line.
    var cur: (name: Range<Int>, value: Int, end: Int, line: Int)? = nil
    // Where the next field line after a stray line starts, once looked up.
    var nextField: Int? = nil

    func close() {
      guard let c = cur else { return }
      fields.append(makeField(buf, c.name, c.value, c.end, c.line, file: file, diags: &diags))
      cur = nil
    }

    var progress = LoopGuard()
    while i < end, progress.advanced(to: i) {
      let le = Bytes.lineEnd(in: buf, from: i, to: end)
      let next = le < end ? le + 1 : end
      let content = Bytes.trimCR(buf, from: i, to: le)
      if content == i {  // blank line: the body follows
        close()
        return HeaderBlock(fields: fields, bodyOffset: next, bodyLine: line + 1, terminated: true)
      }
      let first = buf[i]
      if Bytes.isWSP(first) {
        if cur != nil {
          cur?.end = content
        } else {
          diags.append(
            Diagnostic(
              "mail.bad-header", .warning, at: SourceLocation(file: file, line: line),
              "continuation line with no header field before it; skipped"))
        }
      } else if let name = fieldName(buf, from: i, to: content) {
        close()
        cur = (name, name.upperBound + 1, content, line)
        // `name.upperBound` is the colon, or the whitespace before it (obsolete syntax).
        if let colon = Bytes.find(Bytes.colon, in: buf, from: name.upperBound, to: content) {
          cur?.value = colon + 1
        }
      } else if let f = nextField.flatMap({ $0 > i ? $0 : nil })
        ?? nextFieldLine(buf, from: next, to: end)
      {
        // Remembered, so a run of stray lines is scanned once, not once per line.
        nextField = f
        close()
        diags.append(
          Diagnostic(
            "mail.bad-header", .warning, at: SourceLocation(file: file, line: line),
            "malformed header line '\(preview(buf, i, content))'; skipped"))
      } else {
        close()
        if !fields.isEmpty {
          diags.append(
            Diagnostic(
              "mail.bad-header", .warning, at: SourceLocation(file: file, line: line),
              "no blank line between the header block and the body; body taken to start here"))
        }
        return HeaderBlock(fields: fields, bodyOffset: i, bodyLine: line, terminated: true)
      }
      i = next
      line += 1
    }
    close()
    return HeaderBlock(fields: fields, bodyOffset: end, bodyLine: line, terminated: false)
  }

  /// True if `bytes` start with a header block holding one of the fields every mail has.
  static func looksLikeMail(_ bytes: ArraySlice<UInt8>) -> Bool {
    var diags: [Diagnostic] = []
    let block = bytes.withUnsafeBufferPointer {
      parse($0, from: 0, to: $0.count, firstLine: 1, file: "", diags: &diags)
    }
    return block.fields.contains { f in Message.mailFieldNames.contains { f.isNamed($0) } }
  }

  /// The name of a field line (`Name:` or obsolete `Name :`), or nil when the line is not one.
  @inline(__always)
  static func fieldName(_ buf: UnsafeBufferPointer<UInt8>, from i: Int, to end: Int) -> Range<
    Int
  >? {
    var j = i
    while j < end {
      let b = buf[j]
      if b == Bytes.colon { return j > i ? i..<j : nil }
      if b <= Bytes.space || b >= 0x7F {
        // Obsolete syntax allows whitespace between the name and the colon.
        guard j > i, Bytes.isWSP(b) else { return nil }
        var k = j
        while k < end, Bytes.isWSP(buf[k]) { k += 1 }
        return k < end && buf[k] == Bytes.colon ? i..<j : nil
      }
      j += 1
    }
    return nil
  }

  /// The start of the next field line before the next blank line, or nil (used to tell a stray
  /// line in the header block from the start of a body that lacks its blank separator line).
  private static func nextFieldLine(
    _ buf: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int
  ) -> Int? {
    var i = start
    var progress = LoopGuard()
    while i < end, progress.advanced(to: i) {
      let le = Bytes.lineEnd(in: buf, from: i, to: end)
      let content = Bytes.trimCR(buf, from: i, to: le)
      if content == i { return nil }
      if !Bytes.isWSP(buf[i]), fieldName(buf, from: i, to: content) != nil { return i }
      i = le < end ? le + 1 : end
    }
    return nil
  }

  static func preview(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
    let s = Bytes.string(UnsafeBufferPointer(rebasing: buf[from..<min(to, from + 60)]))
    return to - from > 60 ? s + "…" : s
  }

  private static func makeField(
    _ buf: UnsafeBufferPointer<UInt8>, _ nameRange: Range<Int>, _ valueStart: Int, _ end: Int,
    _ line: Int, file: String, diags: inout [Diagnostic]
  ) -> HeaderField {
    let name = String(decoding: UnsafeBufferPointer(rebasing: buf[nameRange]), as: UTF8.self)
    let vs = min(valueStart, end)
    let rawBuf = UnsafeBufferPointer(rebasing: buf[vs..<end])
    let raw = Bytes.string(rawBuf)
    // Unfold: drop CR and LF (the whitespace that starts each continuation line stays).
    // A one-line field is read in place; only a folded one is copied.
    let folded = Bytes.find(Bytes.lf, in: buf, from: vs, to: end) != nil
    var unfolded: [UInt8] = []
    if folded {
      unfolded.reserveCapacity(rawBuf.count)
      for b in rawBuf where b != Bytes.cr && b != Bytes.lf { unfolded.append(b) }
    }
    func decode(_ ub: UnsafeBufferPointer<UInt8>) -> String {
      var lo = 0
      var hi = ub.count
      while lo < hi, Bytes.isWSP(ub[lo]) { lo += 1 }
      while hi > lo, Bytes.isWSP(ub[hi - 1]) || ub[hi - 1] == Bytes.cr { hi -= 1 }
      let v = UnsafeBufferPointer(rebasing: ub[lo..<hi])
      guard hasEncodedWordStart(v) else { return Bytes.string(v) }
      let (text, problems) = EncodedWords.decode(v)
      for p in problems {
        let id: MessageID =
          p.id == .unknownCharset ? "mail.unknown-charset" : "mail.bad-encoded-word"
        diags.append(
          Diagnostic(
            id, .warning, at: SourceLocation(file: file, line: line), "\(name): \(p.message)"))
      }
      return text
    }
    let value = folded ? unfolded.withUnsafeBufferPointer(decode) : decode(rawBuf)
    return HeaderField(name: name, rawValue: raw, value: value, line: line)
  }

  /// True if `=?` occurs in the bytes.
  @inline(__always)
  static func hasEncodedWordStart(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    var progress = LoopGuard()
    while progress.advanced(to: i),
      let q = Bytes.find(UInt8(ascii: "="), in: v, from: i, to: v.count)
    {
      if q + 1 < v.count, v[q + 1] == UInt8(ascii: "?") { return true }
      i = q + 1
    }
    return false
  }
}
