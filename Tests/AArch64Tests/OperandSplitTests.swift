import Foundation
import TestSupport
import Testing

@testable import AArch64

/// The byte-table operand splitter and the first-word lengths the scan records, each checked
/// against a plain reading of the same bytes.
struct OperandSplitTests {
  /// The reference: one byte at a time, a state for strings, a depth for brackets, top-level
  /// commas split, each piece trimmed of blanks; an empty text gives no operand.
  static func reference(_ b: [UInt8], _ from: Int, _ to: Int) -> [(Int, Int)] {
    func trim(_ x: Int, _ y: Int) -> (Int, Int) {
      var (x, y) = (x, y)
      while x < y, isBlank(b[x]) { x += 1 }
      while y > x, isBlank(b[y - 1]) { y -= 1 }
      return (x, y)
    }
    var out: [(Int, Int)] = []
    var depth = 0
    var inString = false
    var start = from
    var k = from
    while k < to {
      let c = Character(Unicode.Scalar(b[k]))
      if inString {
        if c == "\\" {
          k += 2
          continue
        }
        if c == "\"" { inString = false }
      } else if c == "\"" {
        inString = true
      } else if "[({".contains(c) {
        depth += 1
      } else if "])}".contains(c) {
        depth -= 1
      } else if c == ",", depth == 0 {
        out.append(trim(start, k))
        start = k + 1
      }
      k += 1
    }
    let last = trim(start, min(k, to))
    if !(out.isEmpty && last.0 == last.1) { out.append(last) }
    return out
  }

  @Test func splitAgreesWithTheReference() throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["SPLIT_SEED"] ?? "") ?? 0x5917
    var rng = SeededGenerator(seed: seed)
    let pieces = [
      "x0", " x1", "\t#8", "[x2, #16]!", "{v0.16b, v1.16b}", "(1 + 2)", ", ", ",", " ", "\t",
      "\"a,b\"", "\"esc\\\",\"", "\"\\\\\"", "]", ")", "[", "lsl #3", ":lo12:sym", "\\", "é",
      "\"open",
    ]
    for round in 0..<2000 {
      var text = "\tadd\t"
      for _ in 0..<Int.random(in: 0..<9, using: &rng) {
        text += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
      }
      // The bytes as they are (an open string too, which the scan would have refused).
      var state = AssemblerState(source: try SourceText(file: "s.s", text: [], pieces: 1))
      state.source.bytes = SourceBytes(Array(text.utf8))
      let a = 5
      let b = state.source.bytes.count
      let want = OperandSplitTests.reference(Array(state.source.bytes), a, b)
      let got = state.splitOperands(a, b)
      #expect(
        got.elementsEqual(want, by: { $0 == $1 }),
        "seed \(seed) round \(round): \(text.debugDescription) split as \(got), not \(want)")
      var ranges = OperandRanges()
      state.splitOperands(a, b, into: &ranges)
      if !ranges.overflowed {
        #expect(
          ranges.elementsEqual(want, by: { $0 == $1 }),
          "seed \(seed) round \(round): inline ranges of \(text.debugDescription)")
      }
    }
  }

  /// Wherever the scan recorded a first-word length, the word is the bytes up to the first
  /// blank; labels and statements whose word has other bytes record none.
  @Test func firstWordLengthsAreTheWords() throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["SPLIT_SEED"] ?? "") ?? 0x3c0d
    var rng = SeededGenerator(seed: seed)
    let lines = [
      "\tldadd\tx0, x1, [x2]", "lab: nop", "1:\tb\t1b", "\t.quad 1", "x = 4", "ret",
      "\tb.eq 1f", "\tmov\tx0,x1", "\tadd,x0", "\t\tnop\t", "a:b: c", "\tweird$name.1 x",
      "\tmov(x0)", "  ", "\tsvc #0 // c", "\tx==1",
    ]
    var recorded = 0
    for round in 0..<300 {
      var text: [String] = []
      for _ in 0..<Int.random(in: 1..<30, using: &rng) {
        text.append(lines[Int.random(in: 0..<lines.count, using: &rng)])
      }
      let source = try SourceText(file: "s.s", text: Array(text.joined(separator: "\n").utf8))
      for st in source.statements {
        let s = Int(st.start)
        var e = s
        while e < Int(st.end), !isBlank(source.bytes[e]) { e += 1 }
        guard st.wordLength > 0, st.kind != .numericLabel else { continue }
        recorded += 1
        #expect(st.kind != .label, "seed \(seed) round \(round): a label has a word length")
        #expect(
          s + Int(st.wordLength) == e,
          "seed \(seed) round \(round): word of \(source.string(s, Int(st.end)).debugDescription)"
        )
      }
    }
    #expect(recorded > 0)
  }
}
