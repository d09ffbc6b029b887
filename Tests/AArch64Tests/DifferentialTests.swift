import AArch64
import Foundation
import TestSupport
import Testing

/// Generated instructions (every class, operands at their range edges) through the oracles:
/// GNU as and llvm-mc must produce our words, objdump must print our text.
@Suite struct DifferentialTests {
  static var seed: UInt64 {
    UInt64(ProcessInfo.processInfo.environment["A64_SEED"] ?? "") ?? 0xA64_0003
  }
  static var count: Int { Int(ProcessInfo.processInfo.environment["A64_GEN"] ?? "") ?? 10000 }
  static func hex(_ w: UInt32) -> String { String(format: "%08x", w) }

  struct Tally: CustomStringConvertible {
    var agreed = 0
    var rejected: [String] = []
    var differ: [String] = []
    var description: String {
      "\(agreed) agree, \(rejected.count) rejected by the oracle, \(differ.count) differ"
    }
  }

  static func run(
    _ items: [(UInt32, Instruction)], style: TargetStyle,
    skip: (Instruction) -> Bool = { _ in false },
    oracle: ([String]) throws -> [Result<UInt32, AArch64Oracles.OracleError>]
  ) throws -> Tally {
    let kept = items.filter { !skip($0.1) }
    let lines = kept.enumerated().map { k, e in A64.print(e.1, pc: UInt64(k * 4), targets: style) }
    let results = try oracle(lines)
    var t = Tally()
    for (k, r) in results.enumerated() {
      switch r {
      case .success(let w):
        if w == kept[k].0 {
          t.agreed += 1
        } else {
          t.differ.append("\(lines[k]): ours \(hex(kept[k].0)), oracle \(hex(w))")
        }
      case .failure(let e): t.rejected.append("\(lines[k]): \(e.message)")
      }
    }
    return t
  }

  /// ADRP's `.+off` becomes a relocation in GNU as, so ADRP is checked with llvm-mc only.
  static func isADRP(_ i: Instruction) -> Bool {
    if case .pcRelative(_, let o) = i, o.width == .adrp21 { return true }
    return false
  }

  @Test(.oracles(AArch64Oracles.gnuAs, AArch64Oracles.objdump))
  func gnuAsAgrees() throws {
    var g = InstructionGenerator(seed: Self.seed)
    let items = g.instructions(Self.count)
    let t = try Self.run(
      items, style: .dotRelative, skip: Self.isADRP, oracle: AArch64Oracles.gnuAssemble)
    print("GNU as, seed \(Self.seed): \(t)")
    // GNU as gates some system register names on features no -march enables together (e.g.
    // the Armv8-R PRENR_EL1); those rejections are reported, anything else fails.
    let unexpected = t.rejected.filter { !$0.contains("does not support system register name") }
    for r in t.rejected.prefix(10) { print("  GNU as rejects: \(r)") }
    let msg =
      "seed \(Self.seed): \(t)\n" + (t.differ + unexpected).prefix(40).joined(separator: "\n")
    #expect(t.differ.isEmpty && unexpected.isEmpty, "\(msg)")
  }

  @Test(.oracles(AArch64Oracles.llvmMC))
  func llvmMCAgrees() throws {
    var g = InstructionGenerator(seed: Self.seed)
    let items = g.instructions(Self.count)
    let t = try Self.run(items, style: .hashRelative, oracle: AArch64Oracles.llvmAssemble)
    print("llvm-mc, seed \(Self.seed): \(t)")
    for r in t.rejected.prefix(10) { print("  llvm-mc rejects: \(r)") }
    let msg =
      "seed \(Self.seed): \(t)\n" + (t.differ + t.rejected).prefix(40).joined(separator: "\n")
    #expect(t.differ.isEmpty, "\(msg)")
    // "llvm-mc rejected everything" is no agreement: at least 95% must be compared and agree
    // (it rejects a few system register names GNU as knows).
    #expect(t.agreed * 100 >= items.count * 95, "too few compared: \(msg)")
  }

  @Test(.oracles(AArch64Oracles.gnuAs, AArch64Oracles.objdump))
  func objdumpPrintsOurText() throws {
    var g = InstructionGenerator(seed: Self.seed ^ 0x55)
    let items = g.instructions(Self.count)
    let vma: UInt64 = 0xffff_8000_1000_0000
    let theirs = try AArch64Oracles.objdumpWords(items.map(\.0), vma: vma)
    var differ: [String] = []
    for (k, e) in items.enumerated() where k < theirs.count {
      let ours = A64.print(e.1, pc: vma + UInt64(k * 4))
      let t = RandomWordTests.fromBinaryMode(theirs[k])
      if ours != t { differ.append("\(Self.hex(e.0)): ours \(ours) | objdump \(t)") }
    }
    print(
      "objdump text, seed \(Self.seed): \(items.count - differ.count) agree, \(differ.count) differ"
    )
    let msg = "seed \(Self.seed):\n" + differ.prefix(40).joined(separator: "\n")
    #expect(differ.isEmpty && theirs.count == items.count, "\(msg)")
  }
}
