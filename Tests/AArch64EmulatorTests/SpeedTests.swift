import AArch64
import AArch64Emulator
import Foundation
import Testing

/// Throughput figures (release mode): `scripts/emu-bench` runs these with `EMU_BENCH=1`.
@Suite(.serialized) struct SpeedTests {
  static var enabled: Bool { ProcessInfo.processInfo.environment["EMU_BENCH"] == "1" }

  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
  }

  /// A 4-instruction integer loop run for 50 M iterations (200 M instructions).
  @Test(.enabled(if: SpeedTests.enabled)) func integerLoop() throws {
    let iterations: UInt64 = 50_000_000
    var m = try Layout.machine([
      I.movz(I.x(0), 0),
      I.movz(I.x(1), UInt16(iterations & 0xffff)),
      I.movk(I.x(1), UInt16(iterations >> 16), lsl: 16),
      I.addr(I.x(0), I.x(0), I.x(1)),
      .logicalShifted(
        LogicalShifted(op: .eor, rd: .x(2), rn: .x(0), rm: .x(1), shift: .lsl, amount: 3)),
      I.sub(I.x(1), I.x(1), 1),
      try I.cbnz(I.x(1), -12),
      I.ret,
    ])
    var result = RunResult(steps: 0, stop: .stepLimit)
    let t = Self.seconds { result = m.run(from: Layout.code, maxSteps: Int.max) }
    #expect(result.stop == .returned)
    #expect(m.x(0) == iterations * (iterations + 1) / 2)
    let rate = Double(result.steps) / t
    print(
      "emu-bench: integer loop \(result.steps) instructions in \(String(format: "%.3f", t)) s = \(String(format: "%.1f", rate / 1e6)) M instructions/s"
    )
  }

  /// The same loop with loads and stores to a buffer (the TLB path).
  @Test(.enabled(if: SpeedTests.enabled)) func memoryLoop() throws {
    let iterations: UInt64 = 20_000_000
    var m = try Layout.machine([
      I.movz(I.x(1), UInt16(iterations & 0xffff)),
      I.movk(I.x(1), UInt16(iterations >> 16), lsl: 16),
      I.ldr(I.x(3), I.x(2), 8),
      I.addr(I.x(3), I.x(3), I.x(1)),
      I.str(I.x(3), I.x(2), 8),
      I.sub(I.x(1), I.x(1), 1),
      try I.cbnz(I.x(1), -16),
      I.ret,
    ])
    m.setX(2, Layout.data)
    var result = RunResult(steps: 0, stop: .stepLimit)
    let t = Self.seconds { result = m.run(from: Layout.code, maxSteps: Int.max) }
    #expect(result.stop == .returned)
    let rate = Double(result.steps) / t
    print(
      "emu-bench: memory loop \(result.steps) instructions in \(String(format: "%.3f", t)) s = \(String(format: "%.1f", rate / 1e6)) M instructions/s"
    )
  }

  /// A scenario: map 3 pages, write ~20 words, run ~30 instructions (a caller, a traced
  /// function with a BTI pad, a frame record and a loop), many times.
  @Test(.enabled(if: SpeedTests.enabled)) func scenarios() throws {
    let code: [UInt32] = try [
      I.btiC, I.stpPre(.fp, .lr, .sp, -16), I.movSP(.fp, .sp), I.movz(I.x(0), 5),
      I.add(I.x(1), I.x(1), 3), I.sub(I.x(0), I.x(0), 1), try I.cbnz(I.x(0), -8),
      I.str(I.x(1), I.x(2)), I.ldpPost(.fp, .lr, .sp, 16), I.ret,
    ].map { try encode($0) }
    let caller: [UInt32] = try [
      I.stpPre(.fp, .lr, .sp, -16), I.movSP(.fp, .sp), I.movz(I.x(16), 0x40),
      I.movk(I.x(16), 0x40, lsl: 16),
      I.blr(16), I.ldpPost(.fp, .lr, .sp, 16), I.ret,
    ].map { try encode($0) }
    let n = 200_000
    var steps = 0
    let t = try Self.seconds {
      for _ in 0..<n {
        var m = Machine()
        try m.map(address: 0x40_0000, size: 0x1000, permissions: .readExecute, guarded: true)
        try m.map(address: 0x50_0000, size: 0x1000, permissions: .readWrite)
        try m.map(address: 0x60_0000, size: 0x1000, permissions: .readWrite)
        try m.write(words: caller, at: 0x40_0000)
        try m.write(words: code, at: 0x40_0040)
        m.sp = 0x60_1000
        m.setX(2, 0x50_0000)
        let r = m.run(from: 0x40_0000, maxSteps: 1000)
        steps += r.steps
      }
    }
    #expect(steps == n * 29)
    print(
      "emu-bench: \(n) scenarios (3 pages, \(code.count + caller.count) words, \(steps / n) instructions each) in \(String(format: "%.3f", t)) s = \(String(format: "%.0f", Double(n) / t)) scenarios/s"
    )
  }
}
