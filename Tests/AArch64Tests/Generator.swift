import AArch64
import TestSupport

/// A generator of random valid instructions for every class, driven by the spec table: for each
/// pattern it fills the fields with values biased to the range edges (0, 1, max−1, max, the sign
/// boundary), keeps words that decode cleanly, and so sweeps every operand to its limits.
struct InstructionGenerator {
  var rng: SeededGenerator

  init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

  mutating func fieldValue(width: Int) -> UInt32 {
    let max: UInt32 = width >= 32 ? ~0 : (1 << UInt32(width)) - 1
    let sign: UInt32 = 1 << UInt32(width - 1)
    switch Int.random(in: 0..<10, using: &rng) {
    case 0: return 0
    case 1: return max
    case 2: return 1 & max
    case 3: return max &- 1 & max
    case 4: return sign
    case 5: return (sign &- 1) & max
    default: return UInt32.random(in: 0...max, using: &rng)
    }
  }

  /// One word for `p` (may decode as unpredictable/undefined; callers filter).
  mutating func word(for p: Pattern) -> UInt32 {
    var w = p.value
    for (_, slot) in p.fields {
      w |= fieldValue(width: Int(slot.width)) << UInt32(slot.lsb)
    }
    return w
  }

  /// `count` cleanly decoding instructions spread over all patterns.
  mutating func instructions(_ count: Int) -> [(UInt32, Instruction)] {
    let patterns = A64Spec.patterns.filter { $0.name != .UDF }
    var out: [(UInt32, Instruction)] = []
    var attempts = 0
    while out.count < count && attempts < count * 50 {
      attempts += 1
      let p = patterns[out.count % patterns.count]
      let w = word(for: p)
      guard case .decoded(let i) = decode(w) else { continue }
      // Non-canonical bitmask encodings (ignored immr bits) have no assembly spelling.
      if case .logicalImmediate(let l) = i, l.ignoredImmrBits != 0 { continue }
      out.append((w, i))
    }
    return out
  }
}
