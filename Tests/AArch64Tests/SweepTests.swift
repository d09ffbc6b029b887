import AArch64
import Foundation
import TestSupport
import Testing

/// The exhaustive sweep and speed figures. The full 2^32 sweep runs only with `A64_SWEEP=1`
/// (use `scripts/a64-sweep`, a release build); by default a 2^16-word slice of each class runs.
@Suite struct SweepTests {
  static let env = ProcessInfo.processInfo.environment

  static func parallelSweep(_ start: UInt64, _ end: UInt64, chunks: Int) async -> SweepSummary {
    await withTaskGroup(of: SweepSummary.self) { g in
      let step = (end - start + UInt64(chunks) - 1) / UInt64(chunks)
      var lo = start
      while lo < end {
        let hi = min(end, lo + step)
        let r = UInt32(lo)...UInt32(hi - 1)
        g.addTask { A64.sweep(r) }
        lo = hi
      }
      var total = SweepSummary()
      for await s in g { total.merge(s) }
      return total
    }
  }

  @Test func slicesOfEveryClassDecodeAndRoundTrip() async {
    // 2^16 consecutive words at the start of each top-level encoding group (bits 28:25).
    var total = SweepSummary()
    for op0 in 0..<16 {
      let base = UInt64(op0) << 25 | 0x8000_0000
      total.merge(await Self.parallelSweep(base, base + (1 << 16), chunks: 2))
    }
    #expect(
      total.roundTripFailures == 0, "first failure \(String(total.firstFailure ?? 0, radix: 16))")
    #expect(total.total == 16 << 16)
    #expect(total.decoded > 0 && total.undefined > 0 && total.notCovered > 0)
  }

  @Test(.enabled(if: env["A64_SWEEP"] == "1"))
  func sweepAllWords() async {
    let start = Date()
    let threads = Int(Self.env["A64_THREADS"] ?? "") ?? 2
    let s = await Self.parallelSweep(0, 1 << 32, chunks: threads * 16)
    let secs = Date().timeIntervalSince(start)
    print(
      "a64-sweep: \(s) in \(String(format: "%.1f", secs)) s "
        + "(\(String(format: "%.1f", Double(s.total) / secs / 1e6)) M words/s, \(threads) threads, incl. re-encode)"
    )
    #expect(s.total == 1 << 32)
    #expect(s.roundTripFailures == 0, "first failure \(String(s.firstFailure ?? 0, radix: 16))")
  }

  @Test(.enabled(if: env["A64_BENCH"] == "1"))
  func speed() {
    var rng = SeededGenerator(seed: 42)
    let words = (0..<4_000_000).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
    var t = Date()
    var n = 0
    for w in words { if case .decoded = decode(w) { n += 1 } }
    let dsecs = Date().timeIntervalSince(t)
    let instrs = words.compactMap { w -> Instruction? in
      if case .decoded(let i) = decode(w) { return i }
      return nil
    }
    t = Date()
    var x: UInt32 = 0
    for i in instrs { x ^= (try? encode(i)) ?? 0 }
    let esecs = Date().timeIntervalSince(t)
    t = Date()
    var len = 0
    for i in instrs.prefix(500_000) { len += A64.print(i, pc: 0x1000).utf8.count }
    let psecs = Date().timeIntervalSince(t)
    print(
      "a64-bench: decode \(String(format: "%.1f", Double(words.count) / dsecs / 1e6)) M words/s; "
        + "encode \(String(format: "%.1f", Double(instrs.count) / esecs / 1e6)) M instr/s; "
        + "print \(String(format: "%.2f", Double(min(500_000, instrs.count)) / psecs / 1e6)) M instr/s "
        + "(\(n) decoded, \(x), \(len))")
    #expect(n > 0)
  }
}
