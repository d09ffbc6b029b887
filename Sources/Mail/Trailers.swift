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
    let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.last == "\r" ? $0.dropLast() : $0
    }
    // The end of the commit message: `---`, or the start of a diff.
    var end = lines.count
    for (k, l) in lines.enumerated() {
      if l == "---" || l.hasPrefix("--- ") && k + 1 < lines.count && lines[k + 1].hasPrefix("+++ ")
        || l.hasPrefix("diff --git ") || l.hasPrefix("Index: ")
      {
        end = k
        break
      }
      if l.trimmingASCIISpaces() == "---" {
        end = k
        break
      }
    }
    // The last paragraph before it.
    var last = end - 1
    while last >= 0, lines[last].trimmingASCIISpaces().isEmpty { last -= 1 }
    guard last >= 0 else { return [] }
    var first = last
    while first > 0, !lines[first - 1].trimmingASCIISpaces().isEmpty { first -= 1 }
    // A paragraph that starts the message is the subject-ish text, not a trailer block, unless
    // it is made of trailers only (a patch with an empty commit message).
    var trailers: [Trailer] = []
    var trailerLines = 0
    var knownSeen = false
    var otherLines = 0
    for k in first...last {
      let l = lines[k]
      if let f = l.first, f == " " || f == "\t", !trailers.isEmpty {
        trailers[trailers.count - 1].value += " " + l.trimmingASCIISpaces()
        trailerLines += 1
        continue
      }
      if let t = parseLine(l, line: firstLine + k) {
        trailers.append(t)
        trailerLines += 1
        if isKnown(t.name) { knownSeen = true }
      } else {
        otherLines += 1
      }
    }
    let total = last - first + 1
    if otherLines == 0 || (knownSeen && trailerLines * 4 >= total) { return trailers }
    return []
  }

  /// The trailers a reviewer gives in a reply: known trailer lines (or any `…-by:`) outside
  /// quoted text and before the signature.
  public static func inReply(body: String, firstLine: Int = 1) -> [Trailer] {
    var out: [Trailer] = []
    var k = 0
    for raw in body.split(separator: "\n", omittingEmptySubsequences: false) {
      defer { k += 1 }
      let l = raw.last == "\r" ? raw.dropLast() : raw
      if l == "-- " { break }
      guard let f = l.first, f != ">", f != " ", f != "\t" else { continue }
      if let t = parseLine(l, line: firstLine + k),
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
    guard let colon = l.firstIndex(of: ":") else { return nil }
    let name = l[..<colon]
    guard let f = name.first, f.isASCII, f.isLetter, name.count <= 64,
      name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    else { return nil }
    let after = l[l.index(after: colon)...]
    // `https://…` is not a trailer: a trailer's colon is followed by whitespace.
    guard let a = after.first, a == " " || a == "\t" else { return nil }
    let value = after.trimmingASCIISpaces()
    guard !value.isEmpty else { return nil }
    return Trailer(name: String(name), value: String(value), line: line)
  }
}
