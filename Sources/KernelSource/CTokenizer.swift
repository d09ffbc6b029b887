import Diagnostics

/// A C (or cpp, or assembler) token with its place in the file.
public struct CToken: Hashable, Sendable, CustomStringConvertible {
  public enum Kind: Hashable, Sendable {
    case identifier
    case number
    case string
    case character
    case punctuator
  }
  public var kind: Kind
  public var text: String
  public var line: Int
  public var column: Int
  /// Whether white space precedes the token on its line (to print it back faithfully).
  public var leadingSpace: Bool

  public var description: String { text }
}

/// Splits C-like text into tokens. Comments must already be gone (see ``CTokenizer/stripComments``).
public enum CTokenizer {
  /// The index of the token that closes the bracket opened at `from` (`open` and `close` as
  /// text, nested pairs skipped); `tokens.count` when it is never closed.
  static func closing(_ tokens: [CToken], from: Int, _ open: String, _ close: String) -> Int {
    var level = 0
    var j = from
    while j < tokens.count {
      if tokens[j].text == open { level += 1 }
      if tokens[j].text == close {
        level -= 1
        if level == 0 { return j }
      }
      j += 1
    }
    return tokens.count
  }

  /// Tokenizes `text`, whose first line is `firstLine`.
  ///
  /// Works on the UTF-8 bytes: every token the kernel's C and assembly have is ASCII, and a
  /// character outside ASCII is one punctuator token (columns count Unicode scalars).
  public static func tokenize(_ text: String, firstLine: Int = 1) -> [CToken] {
    var text = text
    return text.withUTF8 { tokenize(bytes: $0, firstLine: firstLine) }
  }

  static func tokenize(bytes b: UnsafeBufferPointer<UInt8>, firstLine: Int) -> [CToken] {
    var out: [CToken] = []
    let n = b.count
    var i = 0
    var line = firstLine
    var col = 1
    var space = false
    while i < n {
      let c = b[i]
      if c == 0x0A {
        line += 1
        col = 1
        i += 1
        space = true
        continue
      }
      if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B {
        i += 1
        col += 1
        space = true
        continue
      }
      let start = i
      var kind = CToken.Kind.punctuator
      if c.isIdentifierStartByte {
        i += 1
        while i < n, b[i].isIdentifierBodyByte { i += 1 }
        kind = .identifier
      } else if c.isDigitByte || (c == 0x2E && i + 1 < n && b[i + 1].isDigitByte) {
        i += 1
        while i < n {
          let d = b[i]
          if d.isIdentifierBodyByte || d == 0x2E {
            i += 1
          } else if d == 0x2B || d == 0x2D, b[i - 1] | 0x20 == 0x65 || b[i - 1] | 0x20 == 0x70 {
            i += 1  // an exponent's sign: 1e+5, 0x1p-3
          } else {
            break
          }
        }
        kind = .number
      } else if c == 0x22 || c == 0x27 {
        i += 1
        while i < n, b[i] != c, b[i] != 0x0A {
          if b[i] == 0x5C { i += 1 }
          i += 1
        }
        i = min(i + 1, n)
        kind = c == 0x22 ? .string : .character
      } else if c >= 0x80 {
        i += 1
        while i < n, b[i] & 0xC0 == 0x80 { i += 1 }
      } else {
        i += punctuatorLength(b, at: i)
      }
      let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
      out.append(CToken(kind: kind, text: text, line: line, column: col, leadingSpace: space))
      var width = 0
      for k in start..<i where b[k] & 0xC0 != 0x80 { width += 1 }
      col += width
      space = false
    }
    return out
  }

  /// The length of the punctuator at `i`: 3 or 2 for the multi-character ones, else 1.
  static func punctuatorLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
    let c0 = b[i]
    let c1: UInt8 = i + 1 < b.count ? b[i + 1] : 0
    let c2: UInt8 = i + 2 < b.count ? b[i + 2] : 0
    switch (c0, c1, c2) {
    case (0x3C, 0x3C, 0x3D), (0x3E, 0x3E, 0x3D), (0x2E, 0x2E, 0x2E), (0x2D, 0x3E, 0x2A):
      return 3  // <<= >>= ... ->*
    default: break
    }
    switch (c0, c1) {
    case (0x2D, 0x3E), (0x2B, 0x2B), (0x2D, 0x2D), (0x3C, 0x3C), (0x3E, 0x3E), (0x3C, 0x3D),
      (0x3E, 0x3D), (0x3D, 0x3D), (0x21, 0x3D), (0x26, 0x26), (0x7C, 0x7C), (0x2A, 0x3D),
      (0x2F, 0x3D), (0x25, 0x3D), (0x2B, 0x3D), (0x2D, 0x3D), (0x26, 0x3D), (0x5E, 0x3D),
      (0x7C, 0x3D), (0x23, 0x23):
      return 2  // -> ++ -- << >> <= >= == != && || *= /= %= += -= &= ^= |= ##
    default:
      return 1
    }
  }

  /// Replaces `/* … */` and `// …` comments with spaces, keeping every newline, so line numbers
  /// stay true. String and character literals are left alone. A character inside a block
  /// comment becomes one space, whatever its length in bytes, so columns stay true too.
  public static func stripComments(_ text: String) -> String {
    var text = text
    return text.withUTF8 { b -> String in
      let n = b.count
      // Nothing to strip: the text itself (most lines of a macro body, most headers' lines).
      guard b.contains(0x2F) else { return String(decoding: b, as: UTF8.self) }
      var out: [UInt8] = []
      out.reserveCapacity(n)
      var i = 0
      while i < n {
        let c = b[i]
        if c == 0x2F, i + 1 < n, b[i + 1] == 0x2A {
          i += 2
          out.append(0x20)
          out.append(0x20)
          while i < n, !(b[i] == 0x2A && i + 1 < n && b[i + 1] == 0x2F) {
            let d = b[i]
            if d == 0x0A {
              out.append(0x0A)
            } else if d & 0xC0 != 0x80 {
              out.append(0x20)
            }
            i += 1
          }
          i = min(i + 2, n)
          out.append(0x20)
          out.append(0x20)
        } else if c == 0x2F, i + 1 < n, b[i + 1] == 0x2F {
          while i < n, b[i] != 0x0A { i += 1 }
        } else if c == 0x22 {
          out.append(c)
          i += 1
          while i < n, b[i] != 0x22, b[i] != 0x0A {
            if b[i] == 0x5C, i + 1 < n {
              out.append(b[i])
              i += 1
            }
            out.append(b[i])
            i += 1
          }
          if i < n, b[i] == 0x22 {
            out.append(0x22)
            i += 1
          }
        } else {
          out.append(c)
          i += 1
        }
      }
      return String(decoding: out, as: UTF8.self)
    }
  }

  /// Prints tokens back as text, one space where the source had white space.
  public static func join(_ tokens: [CToken]) -> String {
    var s = ""
    for (i, t) in tokens.enumerated() {
      if i > 0 && t.leadingSpace { s += " " }
      s += t.text
    }
    return s
  }
}

extension UInt8 {
  var isDigitByte: Bool { self &- 0x30 < 10 }
  var isIdentifierStartByte: Bool { self == 0x5F || (self | 0x20) &- 0x61 < 26 }
  var isIdentifierBodyByte: Bool { isIdentifierStartByte || isDigitByte }
}
