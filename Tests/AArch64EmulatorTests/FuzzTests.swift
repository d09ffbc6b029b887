import AArch64
import TestSupport
import Testing

@testable import AArch64Emulator

/// Random words, random registers: the emulator must never trap, whatever it fetches.
struct FuzzTests {
  @Test func randomWordsNeverCrash() throws {
    let seed: UInt64 = 0xF022_5EED
    var rng = SeededGenerator(seed: seed)
    var gen = ProgramGenerator(seed: seed ^ 0x55)
    var kinds: [Fault.Kind: Int] = [:]
    var executed = 0
    for _ in 0..<3000 {
      var m = Machine()
      try m.map(
        address: Layout.code, size: 0x1000, permissions: .all, guarded: Bool.random(using: &rng))
      try m.map(address: Layout.data, size: 0x1000, permissions: .readWrite)
      // Mostly valid integer instructions (from the difftest generator), some raw words.
      var words: [UInt32] = []
      for _ in 0..<64 {
        if rng.next() % 10 < 8, let w = try? encode(gen.straight(inLoop: false)) {
          words.append(w)
        } else {
          words.append(UInt32(truncatingIfNeeded: rng.next()))
        }
      }
      try m.write(words: words, at: Layout.code)
      for r in 0..<31 {
        let v = rng.next()
        m.setX(r, Bool.random(using: &rng) ? v : Layout.data + (v & 0xff8))
      }
      m.sp = Layout.data + 0x800
      m.system.sctlrEL1 ^= rng.next() & (SystemRegisters.SCTLR.a | SystemRegisters.SCTLR.bt0)
      let r = m.run(
        from: Layout.code + 4 * (rng.next() & 63), maxSteps: 200, btype: UInt8(rng.next() & 3))
      executed += r.steps
      switch r.stop {
      case .fault(let f):
        kinds[f.kind, default: 0] += 1
        #expect(!f.description.isEmpty)
        #expect(RunReport(machine: m, result: r).fault == f)
      case .returned, .stepLimit: break
      }
    }
    // Random code does reach many kinds of fault, and runs some instructions first.
    #expect(kinds.count >= 5, "seed \(seed): \(kinds)")
    #expect(executed > 1000, "seed \(seed)")
  }
}
