import AArch64
import AArch64Emulator
import Foundation
import TestSupport
import Testing

/// Random integer programs, run by the emulator and by qemu-aarch64 (`-cpu max`): x0–x27, NZCV
/// and the scratch buffer must agree exactly. `EMU_DIFFTEST_COUNT` / `EMU_DIFFTEST_SEED`
/// (see `scripts/emu-difftest`) make longer runs.
struct QemuDifferentialTests {
  static var count: Int {
    Int(ProcessInfo.processInfo.environment["EMU_DIFFTEST_COUNT"] ?? "") ?? 2000
  }
  static var seed: UInt64 {
    UInt64(ProcessInfo.processInfo.environment["EMU_DIFFTEST_SEED"] ?? "") ?? 0xD1FF_7E57
  }

  @Test(.oracles(QemuHarness.tools))
  func randomProgramsAgreeWithQemu() throws {
    let seed = Self.seed
    let total = Self.count
    let batch = 250
    var failures: [String] = []
    var done = 0
    var batchIndex: UInt64 = 0
    var changed = 0
    var steps = 0
    var stores = 0
    while done < total {
      let n = min(batch, total - done)
      var gen = ProgramGenerator(seed: seed &+ batchIndex &* 0x9E37_79B9)
      var cases: [QemuHarness.Case] = []
      var programs: [[Instruction]] = []
      for _ in 0..<n {
        let program = try gen.program()
        gen.prologueWords = QemuHarness.prologue.count
        let state = gen.initialState()
        cases.append(
          QemuHarness.Case(
            words: try program.map { try encode($0) }, x: state.x, nzcv: state.nzcv,
            buffer: state.buffer))
        programs.append(program)
      }
      let expected = try QemuHarness.run(cases)
      for (k, c) in cases.enumerated() {
        let (got, result) = try QemuHarness.emulate(c)
        steps += result.steps
        if got.x != QemuHarness.Outcome.compared(c.x) { changed += 1 }
        if got.buffer != c.buffer { stores += 1 }
        if result.stop != .returned || got != expected[k] {
          if failures.count < 3 {
            let listing = programs[k].enumerated().map {
              "  \($0.offset * 4): \(A64.print($0.element))"
            }
            .joined(separator: "\n")
            var diff: [String] = []
            for r in 0..<29 where got.x[r] != expected[k].x[r] {
              diff.append(
                "x\(r == 28 ? 30 : r): emu \(String(got.x[r], radix: 16)) qemu \(String(expected[k].x[r], radix: 16))"
              )
            }
            if got.nzcv != expected[k].nzcv {
              diff.append("nzcv: emu \(got.nzcv) qemu \(expected[k].nzcv)")
            }
            if got.buffer != expected[k].buffer { diff.append("buffer differs") }
            failures.append(
              "seed \(seed) batch \(batchIndex) case \(k): stop \(result.stop)\n\(diff.joined(separator: "\n"))\n"
                + "init: \(c.x.map { String($0, radix: 16) }) nzcv \(c.nzcv)\n\(listing)")
          } else {
            failures.append("case \(k)")
          }
        }
      }
      done += n
      batchIndex += 1
    }
    // The oracle really ran the programs: most change registers, many write the buffer.
    #expect(changed > total * 9 / 10)
    #expect(stores > total / 4)
    #expect(steps > total * 10)
    print("difftest: \(total) programs, \(steps) instructions, seed \(seed)")
    #expect(
      failures.isEmpty,
      "\(failures.count) of \(total) programs differ (seed \(seed)):\n\(failures.prefix(3).joined(separator: "\n\n"))"
    )
  }
}
