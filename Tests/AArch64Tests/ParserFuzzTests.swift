import AArch64
import Foundation
import TestSupport
import Testing

/// The parser never traps: mutated instruction lines and random token soup either parse (and
/// then encode) or throw an `AsmParseError`.
@Suite struct ParserFuzzTests {
  static let tokens = [
    "x0", "w1", "sp", "wsp", "xzr", "lr", "#", "#0x", "0x", "-", "+", ".", ".+", ".-", ",", "[",
    "]",
    "]!", "!", "lsl", "uxtw", "sxtx", "#-9223372036854775808", "-0x8000000000000000",
    "0xffffffffffffffff", "99999999999999999999", "c16", "c7", "sy", "ish", "ne", "al", "ldr",
    "add", "b.", "tbz", "mov", "casp", "ldaddal", "stxr", "prfm", "dc", "civac", "msr", "mrs",
    "s3_0_c15_c2_0", "pan", "bti", "hint", "sys", " ", "\t", "//", "#4096", "#4095", "#12",
  ]

  @Test func mutatedLinesNeverTrap() {
    let seed: UInt64 = 0xF022
    var rng = SeededGenerator(seed: seed)
    var parsed = 0
    var rejected = 0
    for n in 0..<30_000 {
      var line: String
      if n % 2 == 0 {
        let w = UInt32.random(in: 0...UInt32.max, using: &rng)
        line = decode(w).instruction.map { A64.print($0, pc: 0x1000) } ?? "nop"
        var chars = Array(line)
        for _ in 0..<Int.random(in: 1...3, using: &rng) where !chars.isEmpty {
          let k = Int.random(in: 0..<chars.count, using: &rng)
          switch Int.random(in: 0..<3, using: &rng) {
          case 0: chars.remove(at: k)
          case 1:
            let alphabet = Array("#-,[]!.x0123456789abcdef ")
            chars.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)], at: k)
          default:
            let alphabet = Array(",[]#x9")
            chars[k] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
          }
        }
        line = String(chars)
      } else {
        line = (0..<Int.random(in: 1...8, using: &rng)).map { _ in
          Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &rng)]
        }.joined(separator: Bool.random(using: &rng) ? " " : "")
      }
      do {
        let i = try A64.parse(line, pc: 0x1000)
        parsed += 1
        #expect((try? encode(i)) != nil, "seed \(seed): '\(line)' parsed but does not encode")
      } catch {
        rejected += 1
        #expect(!error.message.isEmpty)
      }
    }
    #expect(parsed > 200 && rejected > 1000, "seed \(seed): \(parsed) parsed, \(rejected) rejected")
  }
}
