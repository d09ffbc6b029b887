import TestSupport
import Testing

@testable import KernelSource

/// The Kconfig, Makefile and assembler readers' byte-level scans give what a scan of the text's
/// characters gives, non-ASCII text included.
@Suite struct BuildFileBytesTests {
  /// A character-by-character tokenizer with the same rules, for comparison.
  static func characterTokens(_ s: String) -> [String] {
    let chars = Array(s)
    let operators: Set<Character> = ["&", "|", "=", "!", "<", ">"]
    let pairs: Set<String> = ["&&", "||", "!=", "<=", ">="]
    var out: [String] = []
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == " " || c == "\t" {
        i += 1
      } else if c == "$", i + 1 < chars.count, chars[i + 1] == "(" {
        var level = 0
        var j = i + 1
        while j < chars.count {
          if chars[j] == "(" { level += 1 }
          if chars[j] == ")" {
            level -= 1
            if level == 0 { break }
          }
          j += 1
        }
        out.append(String(chars[i..<min(j + 1, chars.count)]))
        i = j + 1
      } else if c == "\"" || c == "'" {
        var j = i + 1
        while j < chars.count, chars[j] != c { j += 1 }
        out.append(String(chars[i..<min(j + 1, chars.count)]))
        i = j + 1
      } else if operators.contains(c) {
        let two = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
        let n = pairs.contains(two) ? 2 : 1
        out.append(String(chars[i..<(i + n)]))
        i += n
      } else if c == "(" || c == ")" {
        out.append(String(c))
        i += 1
      } else {
        var j = i
        while j < chars.count, !operators.contains(chars[j]),
          !" \t()\"'".contains(chars[j])
        {
          j += 1
        }
        out.append(String(chars[i..<max(j, i + 1)]))
        i = max(j, i + 1)
      }
    }
    return out
  }

  static func characterStrip(_ l: String) -> String {
    var out = ""
    var quote: Character?
    for c in l {
      if let q = quote {
        if c == q { quote = nil }
      } else if c == "\"" || c == "'" {
        quote = c
      } else if c == "#" {
        break
      }
      out.append(c)
    }
    return out
  }

  /// `count` strings of up to `most` random pieces, each with a line saying how to make it
  /// again.
  static func randomLines(_ pieces: [String], seed: UInt64, most: Int, count: Int = 4000)
    -> [(text: String, why: String)]
  {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { round in
      var s = ""
      for _ in 0..<Int.random(in: 0...most, using: &rng) {
        s += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
      }
      return (s, "seed \(seed) round \(round): \(s.debugDescription)")
    }
  }

  @Test func randomExpressionsAndLinesReadTheSameAsCharacters() {
    let pieces = [
      " ", "\t", "&", "&&", "|", "||", "=", "!", "!=", "<", "<=", ">", ">=", "(", ")", "\"",
      "'", "$(", "#", "ARM64", "CC_IS_GCC", "y", "0x10", "é", "→", "_", "$",
    ]
    let parser = KconfigParser(file: "Kconfig")
    for (s, why) in Self.randomLines(pieces, seed: 0x6b63_6667, most: 14) {
      #expect(KconfigExprParser.tokenize(s) == Self.characterTokens(s), "\(why)")
      #expect(parser.stripComment(s) == Self.characterStrip(s), "\(why)")
    }
  }

  static func characterMakeStrip(_ line: String) -> String {
    var out = ""
    var prev: Character = " "
    for c in line {
      if c == "#" && prev != "\\" { break }
      out.append(c)
      prev = c
    }
    return out
  }

  static func characterColon(_ s: String) -> Bool {
    var level = 0
    for c in s {
      if c == "(" || c == "{" { level += 1 }
      if c == ")" || c == "}" { level -= 1 }
      if c == ":" && level == 0 { return true }
    }
    return false
  }

  static func characterAssignment(_ s: String) -> [String]? {
    let chars = Array(s)
    var i = 0
    var level = 0
    var name = ""
    while i < chars.count {
      let c = chars[i]
      if c == "(" || c == "{" { level += 1 }
      if c == ")" || c == "}" { level -= 1 }
      if level == 0 && " \t=:+?".contains(c) { break }
      name.append(c)
      i += 1
    }
    while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
    let rest = String(chars[i...])
    for op in ["::=", ":=", "+=", "?=", "="] where rest.hasPrefix(op) {
      if name.isEmpty { return nil }
      return [name, op, String(rest.dropFirst(op.count)).trimmed]
    }
    return nil
  }

  @Test func randomMakefileLinesReadTheSameAsCharacters() {
    let pieces = [
      " ", "\t", "#", "\\", "\\#", "=", ":=", "::=", "+=", "?=", ":", "+", "?", "$(", "(", ")",
      "{", "}", "KBUILD_CFLAGS", "-fpatchable-function-entry=2", "é", "→", "y", "\"",
    ]
    for (s, why) in Self.randomLines(pieces, seed: 0x6d61_6b65, most: 12) {
      #expect(MakefileFlags.stripComment(s) == Self.characterMakeStrip(s), "\(why)")
      #expect(MakefileFlags.containsTopLevelColon(s) == Self.characterColon(s), "\(why)")
      let bytes = MakefileFlags.parseAssignment(s).map { [$0.0, $0.1, $0.2] }
      #expect(bytes == Self.characterAssignment(s), "\(why)")
    }
  }

  @Test func randomAssemblerLinesSplitAndSpaceTheSameAsCharacters() {
    func characterSplit(_ text: String) -> [String] {
      var out: [String] = []
      var current = ""
      var quote = false
      for c in text {
        if c == "\"" { quote.toggle() }
        if c == ";" && !quote {
          out.append(current)
          current = ""
        } else {
          current.append(c)
        }
      }
      return out + [current]
    }
    func characterSpace(_ text: String) -> String {
      var out = ""
      var quote = false
      var pendingSpace = false
      for c in text.trimmed {
        if c == "\"" { quote.toggle() }
        if !quote && (c == " " || c == "\t") {
          pendingSpace = true
          continue
        }
        if pendingSpace { out.append(" ") }
        pendingSpace = false
        out.append(c)
      }
      return out
    }
    let pieces = [" ", "  ", "\t", ";", "\"", "mov x9, x30", "bl", "é", "→", ".asciz", "\r\n"]
    for (s, why) in Self.randomLines(pieces, seed: 0x6173_6d31, most: 10) {
      #expect(AsmState.splitStatements(s) == characterSplit(s), "\(why)")
      #expect(AsmState.normalizeSpace(s) == characterSpace(s), "\(why)")
    }
  }
}
