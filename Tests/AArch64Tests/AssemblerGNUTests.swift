import AArch64
import Foundation
import TestSupport
import Testing

/// The assembler against GNU as: identical section bytes and the same relocation
/// type/symbol/addend at the same offsets.
@Suite(.oracles(GNUAssembler.tools))
struct AssemblerGNUTests {
  static let fixtures = ["labels.s", "relocations.s", "data.s", "entry-ftrace.s"]

  static func fixture(_ name: String) throws -> String {
    let path = Tools.packageRoot() + "/Tests/AArch64Tests/AsmFixtures/" + name
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  @Test(arguments: fixtures)
  func fixtureMatchesGNU(_ name: String) throws {
    let diffs = try GNUAssembler.compare(try Self.fixture(name), file: name)
    #expect(diffs.isEmpty, "\(name):\n\(diffs.joined(separator: "\n"))")
  }

  @Test func fixturesHaveEveryRelocationType() throws {
    var seen = Set<RelocationType>()
    for name in Self.fixtures {
      let o = try Assembler.assemble(try Self.fixture(name), file: name)
      for s in o.sections { for r in s.relocations { seen.insert(r.type) } }
    }
    // LDST128_ABS_LO12_NC needs `ldr q0, [x0, :lo12:s]`: FP/SIMD registers are outside the
    // instruction model, so it is tested on the link step only.
    #expect(seen == Set(RelocationType.allCases).subtracting([.ldst128AbsLo12NC]))
  }

  /// `ASM_COMPARE_FILE=path` compares any file (the benchmark input, a kernel file) with GNU as.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["ASM_COMPARE_FILE"] != nil))
  func fileFromEnvironmentMatchesGNU() throws {
    let path = ProcessInfo.processInfo.environment["ASM_COMPARE_FILE"] ?? ""
    let diffs = try GNUAssembler.compare(
      try String(contentsOfFile: path, encoding: .utf8), file: path)
    #expect(diffs.isEmpty, "\(path):\n\(Array(diffs.prefix(20)).joined(separator: "\n"))")
  }

  /// Generated programs: random instructions of every class, labels, numeric labels in both
  /// directions, branches of every kind to them and to externals, data and alignment.
  @Test func randomProgramsMatchGNU() throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["ASM_SEED"] ?? "") ?? 0x5eed_a5a5
    var gen = ProgramGenerator(seed: seed)
    for round in 0..<10 {
      let text = gen.program(statements: 400)
      let diffs = try GNUAssembler.compare(text, file: "gen.s")
      if !diffs.isEmpty {
        let path = NSTemporaryDirectory() + "asm-gen-\(seed)-\(round).s"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        let first = Array(diffs.prefix(10)).joined(separator: "\n")
        Issue.record("seed \(seed) round \(round) (program saved to \(path)):\n\(first)")
        return
      }
    }
  }
}

/// Random GNU-as programs for the differential test and the benchmark.
struct ProgramGenerator {
  var rng: SeededGenerator
  var insns: InstructionGenerator
  var labelCount = 0
  var pool: [Instruction] = []

  init(seed: UInt64) {
    rng = SeededGenerator(seed: seed)
    insns = InstructionGenerator(seed: seed ^ 0x9e37_79b9_7f4a_7c15)
  }

  /// One instruction that does not refer to an address (branches are added separately).
  mutating func plainInstruction() -> String {
    if pool.isEmpty {
      pool = insns.instructions(512).map(\.1).filter {
        switch $0 {
        case .branch, .branchConditional, .compareAndBranch, .testAndBranch, .pcRelative,
          .loadLiteral, .prefetchLiteral:
          false
        // System register names depend on the features GNU as enables; the line parser is
        // checked against them elsewhere.
        case .mrs, .msr, .system, .msrImmediate: false
        default: true
        }
      }
    }
    guard let i = pool.popLast() else { return "nop" }
    return A64.print(i, pc: 0, targets: .dotRelative)
  }

  mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }

  mutating func program(statements n: Int) -> String {
    var out = "\t.text\n\t.globl\tg0\ng0:\n1:\n2:\n3:\n"
    let labels = (0..<8).map { ".L\(labelCount)_\($0)" }
    labelCount += 1
    var defined = Set<String>()
    // Labels are defined at random points; every one is defined once by the end.
    var toDefine = labels
    for k in 0..<n {
      if !toDefine.isEmpty, Int.random(in: 0..<20, using: &rng) == 0 {
        let l = toDefine.removeLast()
        out += "\(l):\n"
        defined.insert(l)
      }
      if Int.random(in: 0..<10, using: &rng) == 0 {
        out += "\(Int.random(in: 1...3, using: &rng)):\n"
      }
      let target: String = {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return "\(Int.random(in: 1...3, using: &rng))b"
        case 1: return "\(Int.random(in: 1...3, using: &rng))f"
        case 2: return "ext\(Int.random(in: 0..<4, using: &rng))"
        case 3: return "g0"
        case 4:
          return
            "ext\(Int.random(in: 0..<4, using: &rng)) + \(4 * Int.random(in: -4...4, using: &rng))"
        default: return pick(labels)
        }
      }()
      let r = Int.random(in: 0..<31, using: &rng)
      switch Int.random(in: 0..<24, using: &rng) {
      case 0: out += "\tb\t\(target)\n"
      case 1: out += "\tbl\t\(target)\n"
      case 2: out += "\tb.\(pick(["eq", "ne", "hs", "lo", "mi", "gt", "le", "al"]))\t\(target)\n"
      case 3: out += "\t\(pick(["cbz", "cbnz"]))\t\(pick(["x", "w"]))\(r), \(target)\n"
      case 4:
        out +=
          "\t\(pick(["tbz", "tbnz"]))\tx\(r), #\(Int.random(in: 0..<64, using: &rng)), \(target)\n"
      case 5: out += "\tadr\tx\(r), \(target)\n"
      case 6: out += "\tadrp\tx\(r), \(target)\n\tadd\tx\(r), x\(r), :lo12:\(target)\n"
      case 7: out += "\tldr\t\(pick(["x", "w"]))\(r), \(target)\n"
      case 8:
        let sz = pick([("ldrb", "w", 1), ("ldrh", "w", 2), ("ldr", "w", 4), ("ldr", "x", 8)])
        out += "\t\(sz.0)\t\(sz.1)\(r), [x\(r), #:lo12:ext\(sz.2)]\n"
      case 9:
        out += "\t.quad\t\(pick(["ext0", "g0 + 8", labels[0], "ext1 - .", "7"]))\n"
        out += "\t.word\t\(pick(["ext2", "ext3 - .", "0x1234", "\(pick(labels)) - ."]))\n"
      case 10: out += "\t.p2align\t\(Int.random(in: 2...5, using: &rng))\n"
      case 11: out += "\t.byte\t\(Int.random(in: 0..<256, using: &rng))\n\t.balign\t4\n"
      case 12: out += "\tmov\tx\(r), #(\(Int.random(in: 0..<100, using: &rng)) * 4 + 1) & 0xfff\n"
      default: out += "\t\(plainInstruction())\n"
      }
      _ = k
    }
    for l in toDefine { out += "\(l):\n" }
    out += "1:\n2:\n3:\n\tret\n"
    return out
  }
}
