/// A mailbox from an address header: `Name <addr>`, `"Name, Jr." <addr>`, `addr (Name)` or a
/// bare `addr`. The display name is unquoted and RFC 2047 decoded.
public struct Mailbox: Equatable, Hashable, Sendable, CustomStringConvertible {
  public var name: String?
  public var address: String

  public init(name: String?, address: String) {
    self.name = name
    self.address = address
  }

  /// `Name <addr>` (the name quoted when it needs to be), or the bare address.
  public var description: String {
    guard let name, !name.isEmpty else { return address }
    var bytes = name
    let special = bytes.withUTF8 { b -> Bool in
      // A special is one ASCII character, so a name holding one holds its byte. The one other
      // character equal to one of them is U+037E (GREEK QUESTION MARK, canonically `;`, bytes
      // CD BE). Only a non-ASCII name with such a byte needs its characters compared: `<`
      // with a combining mark is one character, and no special.
      guard b.contains(where: Mailbox.isSpecial) || Mailbox.hasGreekQuestionMark(b) else {
        return false
      }
      return Bytes.isASCII(b) || name.contains { ",;:<>@\"()[]\\".contains($0) }
    }
    if special {
      let escaped = name.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"")
      return "\"\(escaped)\" <\(address)>"
    }
    var out = name
    out.reserveCapacity(name.utf8.count + address.utf8.count + 3)
    out += " <"
    out += address
    out += ">"
    return out
  }

  /// The bytes of the characters that make a display name be quoted: `,;:<>@"()[]\`.
  private static func isSpecial(_ c: UInt8) -> Bool {
    switch c {
    case 0x2C, 0x3B, 0x3A, 0x3C, 0x3E, 0x40, 0x22, 0x28, 0x29, 0x5B, 0x5D, 0x5C: true
    default: false
    }
  }

  /// True if the UTF-8 bytes hold U+037E.
  private static func hasGreekQuestionMark(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    var progress = LoopGuard()
    while progress.advanced(to: i), let at = Bytes.find(0xCD, in: b, from: i, to: b.count) {
      if at + 1 < b.count, b[at + 1] == 0xBE { return true }
      i = at + 1
    }
    return false
  }

  /// Parses one mailbox from a decoded header value; nil when there is no address at all.
  public static func parse(_ value: String) -> Mailbox? {
    var bytes = value
    if let plain = bytes.withUTF8(parsePlain) { return plain }
    return parseText(value)
  }

  /// ``parse(_:)`` by characters, for any value.
  static func parseText(_ value: String) -> Mailbox? {
    let v = value.trimmingASCIISpaces()
    if v.isEmpty { return nil }
    if let lt = v.lastIndex(of: "<") {
      let afterLT = v.index(after: lt)
      let gt = v[afterLT...].firstIndex(of: ">") ?? v.endIndex
      let address = String(v[afterLT..<gt].trimmingASCIISpaces())
      let name = displayName(v[..<lt])
      return Mailbox(name: name, address: address)
    }
    // `addr (Name)`
    if let open = v.firstIndex(of: "("), let close = v.lastIndex(of: ")"), open < close {
      let address = String(v[..<open].trimmingASCIISpaces())
      let name = String(v[v.index(after: open)..<close].trimmingASCIISpaces())
      return Mailbox(name: name.isEmpty ? nil : name, address: address)
    }
    return Mailbox(name: nil, address: String(v))
  }

  /// ``parse(_:)`` for the usual ASCII `Name <addr>` or `addr`, with no quotes, comments or
  /// line breaks (where a byte is a character); nil for anything else, which `parse` reads by
  /// characters. A value that is only blanks is `.some(nil)`.
  private static func parsePlain(_ b: UnsafeBufferPointer<UInt8>) -> Mailbox?? {
    guard isPlain(b) else { return nil }
    func text(_ lo: Int, _ hi: Int) -> String {
      var lo = lo
      var hi = hi
      while lo < hi, Bytes.isWSP(b[lo]) { lo += 1 }
      while hi > lo, Bytes.isWSP(b[hi - 1]) { hi -= 1 }
      return String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
    }
    var lo = 0
    var hi = b.count
    while lo < hi, Bytes.isWSP(b[lo]) { lo += 1 }
    while hi > lo, Bytes.isWSP(b[hi - 1]) { hi -= 1 }
    if lo == hi { return .some(nil) }
    guard let lt = (lo..<hi).last(where: { b[$0] == UInt8(ascii: "<") }) else {
      return Mailbox(name: nil, address: text(lo, hi))
    }
    let gt = Bytes.find(UInt8(ascii: ">"), in: b, from: lt + 1, to: hi) ?? hi
    let name = text(lo, lt)
    return Mailbox(name: name.isEmpty ? nil : name, address: text(lt + 1, gt))
  }

  /// `parse(encoded:)` of a raw field value, then its `description`, in one pass over the
  /// bytes for the usual value: ASCII on one line with no quotes, comments or backslashes, a
  /// display name (if any) with no encoded word and nothing that `description` quotes. nil for
  /// any other value (read the long way); `.some(nil)` for a blank one (no mailbox).
  static func plainDescription(_ b: UnsafeBufferPointer<UInt8>) -> String?? {
    guard isPlain(b) else { return nil }
    func trimmed(_ lo: Int, _ hi: Int) -> Range<Int> {
      var lo = lo
      var hi = hi
      while lo < hi, Bytes.isWSP(b[lo]) { lo += 1 }
      while hi > lo, Bytes.isWSP(b[hi - 1]) { hi -= 1 }
      return lo..<hi
    }
    func text(_ r: Range<Int>) -> String {
      String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    }
    let all = trimmed(0, b.count)
    if all.isEmpty { return .some(nil) }
    guard let lt = all.last(where: { b[$0] == UInt8(ascii: "<") }) else { return text(all) }
    let gt =
      Bytes.find(UInt8(ascii: ">"), in: b, from: lt + 1, to: all.upperBound) ?? all.upperBound
    let address = trimmed(lt + 1, gt)
    let name = trimmed(all.lowerBound, lt)
    if name.isEmpty { return text(address) }
    let nameBytes = UnsafeBufferPointer(rebasing: b[name])
    guard !nameBytes.contains(where: isSpecial), !HeaderBlock.hasEncodedWordStart(nameBytes)
    else { return nil }
    var out = ""
    out.reserveCapacity(name.count + address.count + 3)
    out += text(name)
    out += " <"
    out += text(address)
    out += ">"
    return out
  }

  /// ASCII on one line, with no quotes, comments or backslashes: where a byte is a character
  /// and a mailbox is `Name <addr>` or `addr`.
  private static func isPlain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    !b.contains { c in
      c >= 0x80 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "(") || c == UInt8(ascii: ")")
        || c == UInt8(ascii: "\\") || c == Bytes.lf || c == Bytes.cr
    }
  }

  /// Parses one mailbox from a value whose encoded words are not decoded yet: the structure
  /// first, then the display name is decoded.
  public static func parse(encoded value: String) -> Mailbox? {
    parse(value).map(decodingName)
  }

  /// Splits an undecoded address list, then decodes each display name.
  public static func parseList(encoded value: String) -> [Mailbox] {
    parseList(value).map(decodingName)
  }

  private static func decodingName(_ m: Mailbox) -> Mailbox {
    guard var name = m.name else { return m }
    // `contains("=?")` by characters; an ASCII name's bytes say the same, faster.
    let encoded = name.withUTF8 { Bytes.isASCII($0) && HeaderBlock.hasEncodedWordStart($0) }
    guard encoded || (!name.utf8.allSatisfy { $0 < 0x80 } && name.contains("=?")) else {
      return m
    }
    return Mailbox(name: EncodedWords.decode(Array(name.utf8)).text, address: m.address)
  }

  /// Splits an address list (`To`, `Cc`) at commas outside quotes, angle brackets and comments.
  public static func parseList(_ value: String) -> [Mailbox] {
    var out: [Mailbox] = []
    var current = ""
    var inQuote = false
    var angle = 0
    var comment = 0
    var escaped = false
    for c in value {
      if escaped {
        escaped = false
        current.append(c)
        continue
      }
      switch c {
      case "\\" where inQuote: escaped = true
      case "\"" where comment == 0: inQuote.toggle()
      case "<" where !inQuote && comment == 0: angle += 1
      case ">" where !inQuote && comment == 0: angle = max(0, angle - 1)
      case "(" where !inQuote: comment += 1
      case ")" where !inQuote: comment = max(0, comment - 1)
      case "," where !inQuote && angle == 0 && comment == 0:
        if let m = parse(current) { out.append(m) }
        current = ""
        continue
      default: break
      }
      current.append(c)
    }
    if let m = parse(current) { out.append(m) }
    return out
  }

  private static func displayName(_ s: Substring) -> String? {
    var t = s.trimmingASCIISpaces()
    if t.count >= 2, t.first == "\"", t.last == "\"" {
      t = t.dropFirst().dropLast()
      var out = ""
      var escaped = false
      for c in t {
        if !escaped && c == "\\" {
          escaped = true
          continue
        }
        escaped = false
        out.append(c)
      }
      return out.isEmpty ? nil : out
    }
    return t.isEmpty ? nil : String(t)
  }
}

extension String {
  /// Plain substring replacement without Foundation.
  func replacingOccurrences(_ target: String, _ replacement: String) -> String {
    guard !target.isEmpty, contains(target) else { return self }
    var out = ""
    var rest = self[...]
    var progress = LoopGuard()
    while progress.advanced(to: utf8.count - rest.utf8.count),
      let r = rest.firstRange(of: target)
    {
      out += rest[..<r.lowerBound]
      out += replacement
      rest = rest[r.upperBound...]
    }
    out += rest
    return out
  }
}

/// Message-ID extraction for `Message-ID`, `In-Reply-To` and `References`.
enum MessageIDs {
  /// The identifiers in a header value: the contents of each `<…>`, or the whitespace-separated
  /// words when the value has no angle brackets (as some broken mailers write).
  static func all(in value: String) -> [String] {
    var bytes = value
    if let ids = bytes.withUTF8(allPlain) { return ids }
    return allText(in: value)
  }

  /// ``all(in:)`` by characters, for any value.
  static func allText(in value: String) -> [String] {
    var ids: [String] = []
    var rest = value[...]
    var progress = LoopGuard()
    while progress.advanced(to: value.utf8.count - rest.utf8.count),
      let lt = rest.firstIndex(of: "<")
    {
      let after = rest.index(after: lt)
      guard let gt = rest[after...].firstIndex(of: ">") else { break }
      let id = rest[after..<gt].trimmingASCIISpaces()
      if !id.isEmpty { ids.append(String(id)) }
      rest = rest[rest.index(after: gt)...]
    }
    if ids.isEmpty {
      ids = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        .filter { $0.contains("@") }
    }
    return ids
  }

  /// ``all(in:)`` for an ASCII value on one line (a byte is a character); nil otherwise.
  private static func allPlain(_ b: UnsafeBufferPointer<UInt8>) -> [String]? {
    for c in b where c >= 0x80 || c == Bytes.lf || c == Bytes.cr { return nil }
    func text(_ lo: Int, _ hi: Int) -> String {
      String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
    }
    var ids: [String] = []
    var i = 0
    var progress = LoopGuard()
    while progress.advanced(to: i),
      let lt = Bytes.find(UInt8(ascii: "<"), in: b, from: i, to: b.count)
    {
      guard let gt = Bytes.find(UInt8(ascii: ">"), in: b, from: lt + 1, to: b.count) else { break }
      var lo = lt + 1
      var hi = gt
      while lo < hi, Bytes.isWSP(b[lo]) { lo += 1 }
      while hi > lo, Bytes.isWSP(b[hi - 1]) { hi -= 1 }
      if lo < hi { ids.append(text(lo, hi)) }
      i = gt + 1
    }
    if ids.isEmpty {
      var k = 0
      while k < b.count {
        while k < b.count, Bytes.isWSP(b[k]) || b[k] == UInt8(ascii: ",") { k += 1 }
        var e = k
        while e < b.count, !Bytes.isWSP(b[e]), b[e] != UInt8(ascii: ",") { e += 1 }
        if e > k, Bytes.find(UInt8(ascii: "@"), in: b, from: k, to: e) != nil {
          ids.append(text(k, e))
        }
        k = e
      }
    }
    return ids
  }
}
