/// A trailer line such as `Signed-off-by: A <a@x>` or `Fixes: 1234abcd ("title")`.
public struct Trailer: Equatable, Hashable, Sendable, CustomStringConvertible {
  /// The token as written (`Reviewed-by`).
  public var name: String
  /// The value, with continuation lines joined by a space.
  public var value: String
  /// The 1-based line in the body given to the parser, plus `firstLine - 1`.
  public var line: Int

  public init(name: String, value: String, line: Int) {
    self.name = name
    self.value = value
    self.line = line
  }

  /// True if the trailer is called `other`, ignoring ASCII case.
  public func isNamed(_ other: String) -> Bool { Bytes.equalsIgnoringCase(name, other) }

  public var description: String { "\(name): \(value)" }
}

/// Reads trailers from message bodies.
///
/// In a patch, the trailer block is the last paragraph before the `---` line that ends the
/// commit message (or before the diff when there is no `---`), read the way `git
/// interpret-trailers` does: the paragraph counts when all its lines are trailers, or when it
/// holds a known trailer and at least a quarter of its lines are trailers (kernel blocks also
/// hold lines such as `[maintainer: fixed typo]`). In a reply, trailers are lines anywhere in the
/// reply's own text (not quoted with `>`, not after the signature `-- `) that name a known
/// trailer or end in `-by`.
public enum Trailers {
  /// The trailer names the kernel's process documents and tools use.
  public static let known: [String] = [
    "Signed-off-by", "Acked-by", "Reviewed-by", "Tested-by", "Fixes", "Link", "Co-developed-by",
    "Reported-by", "Suggested-by", "Cc", "Closes", "Reported-and-tested-by", "Requested-by",
    "Debugged-by", "Originally-by", "Message-ID", "Bisected-by", "Based-on-patch-by",
  ]

  /// Shorthand for `inPatch(body:)`.
  public static func parse(_ body: String) -> [Trailer] { inPatch(body: body) }

  /// The trailers of a patch's commit message. `firstLine` is the number given to the
  /// body's first line (pass `Message.bodyStartLine` to get input lines).
  public static func inPatch(body: String, firstLine: Int = 1) -> [Trailer] {
    var text = body
    return text.withUTF8 { inPatch(utf8: $0, firstLine: firstLine) }
  }

  /// ``inPatch(body:firstLine:)`` over the UTF-8 bytes of a body: lines end at `\n` (a `\r`
  /// before it is dropped), and only the commit message is read, up to the `---` line or the
  /// diff.
  public static func inPatch(utf8 buf: UnsafeBufferPointer<UInt8>, firstLine: Int = 1)
    -> [Trailer]
  {
    // The lines up to the end of the commit message: `---`, or the start of a diff. A blank
    // line (spaces only) starts a new paragraph; only the last paragraph is kept.
    var lines = BodyLines(buf)
    var paragraph: [Range<Int>] = []
    var paragraphStart = 0
    var pendingBlank = false
    var k = 0
    var progress = LoopGuard()
    while progress.advanced(to: k), let l = lines.next() {
      defer { k += 1 }
      if Trailers.endsCommitMessage(buf, l, next: { lines.peek() }) { break }
      if BodyLines.isBlank(buf, l) {
        pendingBlank = true
        continue
      }
      if pendingBlank || paragraph.isEmpty {
        paragraph.removeAll(keepingCapacity: true)
        paragraphStart = k
        pendingBlank = false
      }
      paragraph.append(l)
    }
    guard !paragraph.isEmpty else { return [] }
    var trailers: [Trailer] = []
    var trailerLines = 0
    var knownSeen = false
    var otherLines = 0
    for (n, l) in paragraph.enumerated() {
      if l.lowerBound < l.upperBound, Bytes.isWSP(buf[l.lowerBound]), !trailers.isEmpty {
        trailers[trailers.count - 1].value += " " + BodyLines.trimmedString(buf, l)
        trailerLines += 1
        continue
      }
      if let t = parseLine(buf, l, line: firstLine + paragraphStart + n) {
        trailers.append(t)
        trailerLines += 1
        if isKnown(t.name) { knownSeen = true }
      } else {
        otherLines += 1
      }
    }
    if otherLines == 0 || (knownSeen && trailerLines * 4 >= paragraph.count) { return trailers }
    return []
  }

  /// True for the line that ends a commit message: `---` (spaces around it allowed), a `--- `
  /// line followed by `+++ `, `diff --git `, or `Index: `.
  private static func endsCommitMessage(
    _ buf: UnsafeBufferPointer<UInt8>, _ l: Range<Int>, next: () -> Range<Int>?
  ) -> Bool {
    let a = l.lowerBound
    let b = l.upperBound
    if Bytes.hasPrefix(buf, at: a, to: b, "--- ") {
      if let n = next(), Bytes.hasPrefix(buf, at: n.lowerBound, to: n.upperBound, "+++ ") {
        return true
      }
    }
    if Bytes.hasPrefix(buf, at: a, to: b, "diff --git ")
      || Bytes.hasPrefix(buf, at: a, to: b, "Index: ")
    {
      return true
    }
    let t = BodyLines.trimmed(buf, l)
    return t.count == 3 && buf[t.lowerBound] == UInt8(ascii: "-")
      && buf[t.lowerBound + 1] == UInt8(ascii: "-") && buf[t.lowerBound + 2] == UInt8(ascii: "-")
  }

  /// The trailers a reviewer gives in a reply: known trailer lines (or any `…-by:`) outside
  /// quoted text and before the signature.
  public static func inReply(body: String, firstLine: Int = 1) -> [Trailer] {
    var text = body
    return text.withUTF8 { inReply(utf8: $0, firstLine: firstLine) }
  }

  /// ``inReply(body:firstLine:)`` over the UTF-8 bytes of a body.
  public static func inReply(utf8 buf: UnsafeBufferPointer<UInt8>, firstLine: Int = 1)
    -> [Trailer]
  {
    var out: [Trailer] = []
    var lines = BodyLines(buf)
    var k = 0
    var progress = LoopGuard()
    while progress.advanced(to: k), let l = lines.next() {
      defer { k += 1 }
      let a = l.lowerBound
      if l.count == 3, Bytes.hasPrefix(buf, at: a, to: l.upperBound, "-- ") { break }
      guard a < l.upperBound else { continue }
      let f = buf[a]
      guard f != UInt8(ascii: ">"), f != Bytes.space, f != Bytes.tab else { continue }
      if let t = parseLine(buf, l, line: firstLine + k),
        isKnown(t.name) || Bytes.asciiLowercased(t.name).hasSuffix("-by")
      {
        out.append(t)
      }
    }
    return out
  }

  static func isKnown(_ name: String) -> Bool {
    known.contains { Bytes.equalsIgnoringCase($0, name) }
  }

  /// `Token-Word: value` (letters, digits and `-`, starting with a letter) → a trailer.
  static func parseLine(_ l: Substring, line: Int) -> Trailer? {
    var text = String(l)
    return text.withUTF8 { parseLine($0, 0..<$0.count, line: line) }
  }

  /// ``parseLine(_:line:)`` for the line `buf[l]`.
  static func parseLine(_ buf: UnsafeBufferPointer<UInt8>, _ l: Range<Int>, line: Int) -> Trailer? {
    guard let colon = Bytes.find(Bytes.colon, in: buf, from: l.lowerBound, to: l.upperBound)
    else { return nil }
    let nameLength = colon - l.lowerBound
    guard nameLength > 0, nameLength <= 64, Bytes.isLetter(buf[l.lowerBound]) else { return nil }
    for k in l.lowerBound..<colon {
      let b = buf[k]
      guard Bytes.isLetter(b) || Bytes.isDigit(b) || b == UInt8(ascii: "-") else { return nil }
    }
    // `https://…` is not a trailer: a trailer's colon is followed by whitespace.
    guard colon + 1 < l.upperBound, Bytes.isWSP(buf[colon + 1]) else { return nil }
    let value = BodyLines.trimmed(buf, (colon + 1)..<l.upperBound)
    guard !value.isEmpty else { return nil }
    return Trailer(
      name: String(
        decoding: UnsafeBufferPointer(rebasing: buf[l.lowerBound..<colon]), as: UTF8.self),
      value: String(decoding: UnsafeBufferPointer(rebasing: buf[value]), as: UTF8.self),
      line: line)
  }
}
