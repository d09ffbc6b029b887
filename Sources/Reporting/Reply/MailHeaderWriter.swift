import Mail

/// Writes RFC 5322 header fields that nothing in a value can break: every CR, LF and other
/// control character in a name, a subject or an address becomes a space before the field is
/// written, so a value can never start a new header line; non-ASCII text is written as RFC 2047
/// encoded words (UTF-8, base64); long fields are folded at spaces.
public enum MailHeaderWriter {
  /// One field, `Name: value` plus its folded continuation lines, ending with `\n`.
  public static func field(_ name: String, _ value: String) -> String {
    fold(name + ": " + value) + "\n"
  }

  /// A free-text value (a subject): cleaned, and encoded when it holds non-ASCII text.
  public static func text(_ value: String) -> String {
    let clean = collapse(value)
    guard clean.unicodeScalars.contains(where: { $0.value > 0x7e }) else { return clean }
    return encodedWords(clean)
  }

  /// `Name <addr>`: the display name encoded (non-ASCII), or quoted (specials), the address
  /// stripped of everything that is not part of one.
  public static func mailbox(_ m: Mailbox) -> String {
    let address = String(
      collapse(m.address).unicodeScalars.filter {
        $0.value > 0x20 && $0.value < 0x7f && !"<>\",;()[]\\".unicodeScalars.contains($0)
      })
    guard let raw = m.name else { return address }
    let name = collapse(raw)
    if name.isEmpty { return address }
    if name.unicodeScalars.contains(where: { $0.value > 0x7e }) {
      return encodedWords(name) + " <\(address)>"
    }
    let specials = "()<>[]:;@\\,.\""
    if name.contains(where: { specials.contains($0) }) {
      var quoted = ""
      for c in name {
        if c == "\"" || c == "\\" { quoted.append("\\") }
        quoted.append(c)
      }
      return "\"\(quoted)\" <\(address)>"
    }
    return "\(name) <\(address)>"
  }

  /// A list of mailboxes, comma separated.
  public static func mailboxes(_ list: [Mailbox]) -> String {
    list.map(mailbox).joined(separator: ", ")
  }

  /// `<id>`, with every character an id cannot hold (controls, spaces, angle brackets) left
  /// out.
  public static func messageID(_ id: String) -> String {
    "<"
      + String(
        id.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7f && $0 != "<" && $0 != ">" })
      + ">"
  }

  /// Control characters (CR and LF among them) become spaces, runs of spaces one space, and
  /// the ends are trimmed.
  static func collapse(_ s: String) -> String {
    var out = ""
    var space = false
    for u in s.unicodeScalars {
      let isSpace =
        u.value < 0x20 || u.value == 0x7f || u == " " || (u.value >= 0x80 && u.value < 0xa0)
        || u == "\u{2028}" || u == "\u{2029}" || u == "\u{85}"
      if isSpace {
        space = true
        continue
      }
      if space && !out.isEmpty { out.append(" ") }
      space = false
      out.unicodeScalars.append(u)
    }
    return out
  }

  /// RFC 2047 `=?UTF-8?B?…?=` words, each at most 75 characters, split between characters
  /// (never inside one), separated by spaces (which folding may turn into line breaks).
  static func encodedWords(_ s: String) -> String {
    var words: [String] = []
    var chunk: [UInt8] = []
    // 75 - len("=?UTF-8?B??=") = 63 characters of base64: 45 bytes at most.
    for c in s {
      let bytes = Array(String(c).utf8)
      if chunk.count + bytes.count > 45 {
        words.append("=?UTF-8?B?\(base64(chunk))?=")
        chunk = []
      }
      chunk += bytes
    }
    if !chunk.isEmpty { words.append("=?UTF-8?B?\(base64(chunk))?=") }
    return words.joined(separator: " ")
  }

  static func base64(_ bytes: [UInt8]) -> String {
    let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var out = ""
    var i = 0
    while i < bytes.count {
      let b0 = Int(bytes[i])
      let b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
      out.append(table[b0 >> 2])
      out.append(table[((b0 & 3) << 4) | (b1 >> 4)])
      out.append(i + 1 < bytes.count ? table[((b1 & 15) << 2) | (b2 >> 6)] : "=")
      out.append(i + 2 < bytes.count ? table[b2 & 63] : "=")
      i += 3
    }
    return out
  }

  /// Folds a field line at spaces so that lines stay within 78 characters where a space
  /// allows it (RFC 5322 §2.2.3); continuation lines start with a space.
  static func fold(_ line: String) -> String {
    guard line.count > 78 else { return line }
    var out = ""
    var current = ""
    for (k, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
      if k == 0 {
        current = String(word)
        continue
      }
      if current.count + 1 + word.count > 78 && !current.trimmingCharacters(in: " ").isEmpty {
        out += current + "\n"
        current = " " + word
      } else {
        current += " " + word
      }
    }
    return out + current
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: String) -> String {
    var s = self[...]
    while let f = s.first, set.contains(f) { s = s.dropFirst() }
    while let l = s.last, set.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
