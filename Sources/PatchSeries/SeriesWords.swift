/// The words of subjects that the assembly compares: bracket tags and titles, read as bytes
/// when they are ASCII (nearly always) and by characters otherwise, with the same results
/// (`SeriesWordsTests` holds the two readings to each other).
enum SeriesWords {
  /// Whether a bracket word is PATCH, a count (`3/4`) or a version (`v2`, `PATCHv2`,
  /// `PATCH-v2`), in any case.
  static func isNumbering(_ tag: String) -> Bool {
    var t = tag
    // A word of printable ASCII is read as bytes (where a byte is a character, and a digit
    // the only kind of number); any other by characters.
    let ascii = t.withUTF8 { b -> Bool? in
      guard !b.contains(where: { $0 >= 0x80 || $0 < 0x20 }) else { return nil }
      func lower(_ k: Int) -> UInt8 { b[k] &- 0x41 < 26 ? b[k] | 0x20 : b[k] }
      func word(_ w: StaticString) -> Bool {
        let n = w.utf8CodeUnitCount
        guard b.count >= n else { return false }
        for k in 0..<n where lower(k) != w.utf8Start[k] { return false }
        return true
      }
      func digits(_ r: Range<Int>) -> Bool {
        !r.isEmpty && r.allSatisfy { b[$0] &- 0x30 < 10 }
      }
      if b.count == 5, word("patch") { return true }
      if let slash = b.firstIndex(of: UInt8(ascii: "/")),
        digits(0..<slash), digits((slash + 1)..<b.count)
      {
        return true
      }
      for (prefix, n) in [("v", 1), ("patchv", 6), ("patch-v", 7)] as [(StaticString, Int)]
      where word(prefix) && digits(n..<b.count) {
        return true
      }
      return false
    }
    return ascii ?? isNumberingByCharacters(tag)
  }

  /// ``isNumbering(_:)`` by characters, for any word.
  static func isNumberingByCharacters(_ tag: String) -> Bool {
    let l = tag.lowercased()
    if l == "patch" { return true }
    let parts = l.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
      return true
    }
    for prefix in ["v", "patchv", "patch-v"] where l.hasPrefix(prefix) {
      let rest = l.dropFirst(prefix.count)
      if !rest.isEmpty, rest.allSatisfy(\.isNumber) { return true }
    }
    return false
  }

  /// `s.lowercased()` for an ASCII string (itself when it has no capital), nil for any other.
  static func asciiLowercased(_ s: String) -> String? {
    var bytes = s
    let lowered = bytes.withUTF8 { b -> String?? in
      guard !b.contains(where: { $0 >= 0x80 }) else { return .some(nil) }
      guard b.contains(where: { $0 &- 0x41 < 26 }) else { return nil }
      return String(decoding: b.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
    // nil: ASCII without a capital, itself.
    return lowered ?? s
  }

  /// The title lower-cased, its words (between spaces and tabs) joined by one space.
  static func normalizedTitle(_ t: String) -> String {
    var title = t
    // An ASCII title is read as bytes, where a byte is a character (`\r\n`, the one pair
    // that makes a single character, holds no space or tab).
    let ascii = title.withUTF8 { b -> String? in
      guard !b.contains(where: { $0 >= 0x80 }) else { return nil }
      var out: [UInt8] = []
      out.reserveCapacity(b.count)
      var space = false
      for c in b {
        if c == 0x20 || c == 0x09 {
          space = !out.isEmpty
          continue
        }
        if space {
          out.append(0x20)
          space = false
        }
        out.append(c &- 0x41 < 26 ? c | 0x20 : c)
      }
      return String(decoding: out, as: UTF8.self)
    }
    return ascii ?? normalizedTitleByCharacters(t)
  }

  /// ``normalizedTitle(_:)`` by characters, for any title.
  static func normalizedTitleByCharacters(_ t: String) -> String {
    t.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
  }
}
