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
  static let punctuators3 = ["<<=", ">>=", "...", "->*"]
  static let punctuators2 = [
    "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=",
    "-=", "&=", "^=", "|=", "##",
  ]

  /// Tokenizes `text`, whose first line is `firstLine`.
  public static func tokenize(_ text: String, firstLine: Int = 1) -> [CToken] {
    var out: [CToken] = []
    let chars = Array(text)
    var i = 0
    var line = firstLine
    var col = 1
    var space = false
    var progress = LoopProgress()
    while i < chars.count, progress.advanced(to: i) {
      let c = chars[i]
      if c == "\n" {
        line += 1
        col = 1
        i += 1
        space = true
        continue
      }
      if c == " " || c == "\t" || c == "\r" || c == "\u{0C}" || c == "\u{0B}" {
        i += 1
        col += 1
        space = true
        continue
      }
      let start = i
      let startCol = col
      var kind = CToken.Kind.punctuator
      if c.isIdentifierStart {
        while i < chars.count, chars[i].isIdentifierBody { i += 1 }
        kind = .identifier
      } else if c.isASCII && c.isNumber
        || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber)
      {
        i += 1
        while i < chars.count,
          chars[i].isIdentifierBody || chars[i] == "."
            || ((chars[i] == "+" || chars[i] == "-")
              && (chars[i - 1] == "e" || chars[i - 1] == "E"
                || chars[i - 1] == "p" || chars[i - 1] == "P"))
        {
          i += 1
        }
        kind = .number
      } else if c == "\"" || c == "'" {
        i += 1
        while i < chars.count, chars[i] != c, chars[i] != "\n" {
          if chars[i] == "\\" { i += 1 }
          i += 1
        }
        i = min(i + 1, chars.count)
        kind = c == "\"" ? .string : .character
      } else {
        let rest3 = i + 3 <= chars.count ? String(chars[i..<(i + 3)]) : ""
        let rest2 = i + 2 <= chars.count ? String(chars[i..<(i + 2)]) : ""
        if punctuators3.contains(rest3) {
          i += 3
        } else if punctuators2.contains(rest2) {
          i += 2
        } else {
          i += 1
        }
      }
      let text = String(chars[start..<i])
      out.append(CToken(kind: kind, text: text, line: line, column: startCol, leadingSpace: space))
      col += i - start
      space = false
    }
    return out
  }

  /// Replaces `/* … */` and `// …` comments with spaces, keeping every newline, so line numbers
  /// stay true. String and character literals are left alone.
  public static func stripComments(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    let chars = Array(text)
    var i = 0
    var progress = LoopProgress()
    while i < chars.count, progress.advanced(to: i) {
      let c = chars[i]
      if c == "/", i + 1 < chars.count, chars[i + 1] == "*" {
        i += 2
        out += "  "
        while i < chars.count, !(chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/") {
          out.append(chars[i] == "\n" ? "\n" : " ")
          i += 1
        }
        i = min(i + 2, chars.count)
        out += "  "
      } else if c == "/", i + 1 < chars.count, chars[i + 1] == "/" {
        while i < chars.count, chars[i] != "\n" { i += 1 }
      } else if c == "\"" {
        out.append(c)
        i += 1
        while i < chars.count, chars[i] != "\"", chars[i] != "\n" {
          if chars[i] == "\\", i + 1 < chars.count {
            out.append(chars[i])
            i += 1
          }
          out.append(chars[i])
          i += 1
        }
        if i < chars.count, chars[i] == "\"" {
          out.append("\"")
          i += 1
        }
      } else {
        out.append(c)
        i += 1
      }
    }
    return out
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
