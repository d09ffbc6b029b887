import AArch64
import Foundation
import TestSupport
import Testing

/// The round-trip laws over random words: for every word we decode,
/// `encode(decode(w)) == w` and `parse(print(i)) == i`.
@Suite struct RoundTripTests {
  static func hex(_ w: UInt32) -> String { String(format: "%08x", w) }

  /// `i` with non-canonical bitmask bits cleared (what any assembler produces for its text).
  func canonical(_ i: Instruction) -> Instruction {
    if case .logicalImmediate(var l) = i {
      l.ignoredImmrBits = 0
      return .logicalImmediate(l)
    }
    return i
  }

  @Test func randomWordsRoundTrip() {
    let seed = UInt64(ProcessInfo.processInfo.environment["A64_SEED"] ?? "") ?? 0xA64_0002
    let count = Int(ProcessInfo.processInfo.environment["A64_WORDS"] ?? "") ?? 100_000
    var rng = SeededGenerator(seed: seed)
    var failures: [String] = []
    var checked = 0
    for _ in 0..<count {
      var w = UInt32.random(in: 0...UInt32.max, using: &rng)
      // Bias towards the covered classes (bits 28:26 = 100, 101, x10 with V = 0, x101).
      let classes: [UInt32] = [0b100, 0b101, 0b010, 0b110, 0b011]
      let c = classes[Int.random(in: 0..<classes.count, using: &rng)]
      w = (w & ~(7 << 26)) | c << 26
      if c & 3 == 2 { w &= ~(1 << 26) }
      let pc = UInt64.random(in: 0...0xffff_ffff, using: &rng) & ~3
      let r = decode(w)
      guard let i = r.instruction else { continue }
      checked += 1
      if case .unpredictable(_, let reason) = r, reason.contains("11111") {
        // should-be-one field: re-encoding gives the canonical word, which must decode cleanly
        if let e = try? encode(i), decode(e).instruction != i {
          failures.append("\(Self.hex(w)): canonical re-encoding \(Self.hex(e)) differs")
        }
      } else {
        do {
          let e = try encode(i)
          if e != w { failures.append("\(Self.hex(w)): encode(decode(w)) = \(Self.hex(e))") }
        } catch {
          failures.append("\(Self.hex(w)): encode failed: \(error)")
        }
      }
      // The assembler-facing target styles round-trip too.
      for style in [TargetStyle.dotRelative, .hashRelative] {
        let t = A64.print(i, pc: pc, targets: style)
        if (try? A64.parse(t, pc: pc, syntax: .gnu)) != canonical(i) {
          failures.append("\(Self.hex(w)): \(style) text \"\(t)\" does not parse back")
        }
      }
      let text = A64.print(i, pc: pc)
      do {
        let p = try A64.parse(text, pc: pc, syntax: .objdump)
        if p != canonical(i) {
          failures.append("\(Self.hex(w)): parse(\"\(text)\") = \(p), want \(i)")
        }
      } catch {
        failures.append("\(Self.hex(w)): parse(\"\(text)\") failed: \(error)")
      }
      if failures.count > 40 { break }
    }
    let msg =
      "seed \(seed): \(failures.count) failures of \(checked):\n" + failures.joined(separator: "\n")
    #expect(failures.isEmpty, "\(msg)")
    #expect(checked > count / 4)
  }
}
