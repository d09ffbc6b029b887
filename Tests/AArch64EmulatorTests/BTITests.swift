import AArch64
import Testing

@testable import AArch64Emulator

/// The BTI matrix of DOMAIN.md §2: every (branch kind × register × source page guarded ×
/// target page guarded × landing pad × SCTLR BT) cell, against tables written out here
/// independently of the emulator's code.
struct BTIMatrixTests {
  enum Branch: CustomStringConvertible, CaseIterable {
    case brX16, brX17, brX9, blrX9, blrX16
    var description: String {
      switch self {
      case .brX16: "br x16"
      case .brX17: "br x17"
      case .brX9: "br x9"
      case .blrX9: "blr x9"
      case .blrX16: "blr x16"
      }
    }
    var register: UInt8 {
      switch self {
      case .brX16, .blrX16: 16
      case .brX17: 17
      case .brX9, .blrX9: 9
      }
    }
    var isCall: Bool { self == .blrX9 || self == .blrX16 }
  }

  enum Pad: CaseIterable, CustomStringConvertible {
    case bti, btiC, btiJ, btiJC, paciasp, pacibsp, brk, hlt, nop, add
    var instruction: Instruction {
      switch self {
      case .bti: I.bti
      case .btiC: I.btiC
      case .btiJ: I.btiJ
      case .btiJC: I.btiJC
      case .paciasp: I.paciasp
      case .pacibsp: I.pacibsp
      case .brk: I.brk(0x99)
      case .hlt: I.hlt(0x5)
      case .nop: I.nop
      case .add: I.add(I.x(1), I.x(1), 1)
      }
    }
    var description: String { A64.print(instruction) }
  }

  /// The table "PSTATE.BTYPE set by the branch".
  static func expectedBType(_ b: Branch, sourceGuarded: Bool) -> UInt8 {
    if b.isCall { return 0b10 }
    if !sourceGuarded { return 0b01 }
    return b.register == 16 || b.register == 17 ? 0b01 : 0b11
  }

  /// The table "Which landing pad accepts which BTYPE" (nil = raises its own exception).
  static func accepts(_ pad: Pad, _ btype: UInt8, bt: Bool) -> Bool? {
    switch pad {
    case .bti: false
    case .btiC: btype == 0b01 || btype == 0b10
    case .btiJ: btype == 0b01 || btype == 0b11
    case .btiJC: true
    case .paciasp, .pacibsp: btype == 0b01 || btype == 0b10 || (btype == 0b11 && !bt)
    case .brk, .hlt: nil
    case .nop, .add: false
    }
  }

  static let target: UInt64 = 0x41_0000

  static func run(
    _ branch: Branch, _ pad: Pad, sourceGuarded: Bool, targetGuarded: Bool, bt: Bool
  ) throws -> (RunResult, Machine) {
    var m = Machine()
    try m.map(address: 0x40_0000, size: 0x1000, permissions: .readExecute, guarded: sourceGuarded)
    try m.map(address: target, size: 0x1000, permissions: .readExecute, guarded: targetGuarded)
    try m.map(address: 0x60_0000, size: 0x1000, permissions: .readWrite)
    m.sp = 0x60_1000
    let r = branch.register
    try m.write(
      instructions: [
        I.movz(I.x(r), 0x41, lsl: 16),
        branch.isCall ? I.blr(r) : I.br(r),
      ], at: 0x40_0000)
    try m.write(instructions: [pad.instruction, I.brk(1)], at: target)
    if !bt {
      m.system.sctlrEL1 &= ~(SystemRegisters.SCTLR.bt0 | SystemRegisters.SCTLR.bt1)
    }
    return (m.run(from: 0x40_0000, maxSteps: 10), m)
  }

  @Test func everyCell() throws {
    var cells = 0
    for branch in Branch.allCases {
      for sourceGuarded in [false, true] {
        for targetGuarded in [false, true] {
          for pad in Pad.allCases {
            for bt in [true, false] {
              cells += 1
              let (result, m) = try Self.run(
                branch, pad, sourceGuarded: sourceGuarded, targetGuarded: targetGuarded, bt: bt)
              let btype = Self.expectedBType(branch, sourceGuarded: sourceGuarded)
              let label =
                "\(branch) src-guarded=\(sourceGuarded) tgt-guarded=\(targetGuarded) "
                + "pad=\(pad) BT=\(bt ? 1 : 0) BTYPE=\(btype)"
              let expected: Fault.Reason
              let expectedPC: UInt64
              let verdict = targetGuarded ? Self.accepts(pad, btype, bt: bt) : true
              switch (pad, verdict) {
              case (_, false?):
                expected = .branchTarget(btype: btype, word: try encode(pad.instruction))
                expectedPC = Self.target
              case (.brk, _):
                expected = .breakpoint(0x99)
                expectedPC = Self.target
              case (.hlt, _):
                expected = Lowering.faultReason(try encode(pad.instruction))
                expectedPC = Self.target
              default:
                expected = .breakpoint(1)
                expectedPC = Self.target + 4
              }
              #expect(result.stop == .fault(Fault(expected, pc: expectedPC)), "\(label)")
              if case .fault(let f) = result.stop, case .branchTarget = f.reason {
                #expect(f.syndrome == 0x3600_0000 | UInt64(btype), "\(label)")
                #expect(m.pc == Self.target, "\(label)")
              }
            }
          }
        }
      }
    }
    #expect(cells == 5 * 2 * 2 * 10 * 2)
  }

  /// BTYPE is cleared by every non-branch instruction and by direct branches: a `B` into a
  /// guarded page lands without a pad.
  @Test func directBranchesAndFallThroughClearBType() throws {
    var m = try Layout.machine([try I.b(0x1000 - 0)], guarded: true)
    try m.write(instructions: [I.add(I.x(0), I.x(0), 5), I.ret], at: Layout.code + 0x1000)
    let r = m.run(from: Layout.code, maxSteps: 10)
    #expect(r.stop == .returned)
    #expect(m.x(0) == 5)
  }

  /// RET is not checked: returning into a guarded page at a non-pad is fine.
  @Test func retIsNotChecked() throws {
    var m = try Layout.machine([I.ret], guarded: true)
    m.pc = Layout.code
    m.setX(30, Layout.code + 0x1000)
    try m.write(instructions: [I.movz(I.x(0), 7), I.brk(2)], at: Layout.code + 0x1000)
    let r = m.run(maxSteps: 10)
    #expect(r.stop == .fault(Fault(.breakpoint(2), pc: Layout.code + 0x1004)))
    #expect(m.x(0) == 7)
  }

  /// The BTYPE of an authenticated branch follows BR/BLR (BRAAZ X9 from a guarded page = 11).
  @Test func authenticatedBranchesSetBType() throws {
    var m = try Layout.machine(
      [
        I.movz(I.x(9), 0x40, lsl: 16),
        I.movk(I.x(9), 0x1000),
        .branchAuthenticated(.braz(keyB: false, .x(9))),
      ], guarded: true)
    m.system.sctlrEL1 &= ~SystemRegisters.SCTLR.enIA
    try m.write(instructions: [I.btiC, I.brk(3)], at: Layout.code + 0x1000)
    let r = m.run(from: Layout.code, maxSteps: 10)
    #expect(
      r.stop == .fault(Fault(.branchTarget(btype: 3, word: 0xD503_245F), pc: Layout.code + 0x1000)))
  }

  /// `run(from:btype:)` checks the entry as if an indirect branch had reached it.
  @Test func entryBType() throws {
    var m = try Layout.machine([I.btiJ, I.ret], guarded: true)
    #expect(m.run(from: Layout.code, maxSteps: 5, btype: 1).stop == .returned)
    #expect(
      m.run(from: Layout.code, maxSteps: 5, btype: 2).stop
        == .fault(Fault(.branchTarget(btype: 2, word: try encode(I.btiJ)), pc: Layout.code)))
  }
}
