import AArch64
import AArch64Emulator

/// Instruction builders for tests (the code under test is always built by the `AArch64`
/// encoder from these typed values).
enum I {
  static func x(_ n: UInt8) -> Register { .x(n) }
  static func w(_ n: UInt8) -> Register { .w(n) }

  static func movz(_ rd: Register, _ imm: UInt16, lsl: UInt8 = 0) -> Instruction {
    .moveWide(MoveWide(op: .movz, rd: rd, imm16: imm, shift: lsl))
  }
  static func movk(_ rd: Register, _ imm: UInt16, lsl: UInt8 = 0) -> Instruction {
    .moveWide(MoveWide(op: .movk, rd: rd, imm16: imm, shift: lsl))
  }
  static func movn(_ rd: Register, _ imm: UInt16, lsl: UInt8 = 0) -> Instruction {
    .moveWide(MoveWide(op: .movn, rd: rd, imm16: imm, shift: lsl))
  }
  static func add(_ rd: Register, _ rn: Register, _ imm: UInt16, s: Bool = false) -> Instruction {
    .addSubImmediate(AddSubImmediate(subtract: false, setFlags: s, rd: rd, rn: rn, imm12: imm))
  }
  static func sub(_ rd: Register, _ rn: Register, _ imm: UInt16, s: Bool = false) -> Instruction {
    .addSubImmediate(AddSubImmediate(subtract: true, setFlags: s, rd: rd, rn: rn, imm12: imm))
  }
  static func cmp(_ rn: Register, _ imm: UInt16) -> Instruction {
    sub(rn.width == .x ? .xzr : .wzr, rn, imm, s: true)
  }
  static func addr(_ rd: Register, _ rn: Register, _ rm: Register, s: Bool = false) -> Instruction {
    .addSubShifted(AddSubShifted(subtract: false, setFlags: s, rd: rd, rn: rn, rm: rm))
  }
  static func subr(_ rd: Register, _ rn: Register, _ rm: Register, s: Bool = false) -> Instruction {
    .addSubShifted(AddSubShifted(subtract: true, setFlags: s, rd: rd, rn: rn, rm: rm))
  }
  static func mov(_ rd: Register, _ rm: Register) -> Instruction {
    .logicalShifted(
      LogicalShifted(op: .orr, rd: rd, rn: rd.width == .x ? .xzr : .wzr, rm: rm))
  }
  static func b(_ off: Int64) throws -> Instruction {
    .branch(link: false, try BranchOffset(off, .imm26))
  }
  static func bl(_ off: Int64) throws -> Instruction {
    .branch(link: true, try BranchOffset(off, .imm26))
  }
  static func bcond(_ c: Condition, _ off: Int64) throws -> Instruction {
    .branchConditional(c, try BranchOffset(off, .imm19))
  }
  static func cbnz(_ rt: Register, _ off: Int64) throws -> Instruction {
    .compareAndBranch(nonZero: true, rt, try BranchOffset(off, .imm19))
  }
  static func br(_ n: UInt8) -> Instruction { .branchRegister(.br, .x(n)) }
  static func blr(_ n: UInt8) -> Instruction { .branchRegister(.blr, .x(n)) }
  static let ret = Instruction.branchRegister(.ret, .x(30))
  static let nop = Instruction.hint(.nop)
  static let btiC = Instruction.hint(.btiC)
  static let btiJ = Instruction.hint(.btiJ)
  static let btiJC = Instruction.hint(.btiJC)
  static let bti = Instruction.hint(.bti)
  static let paciasp = Instruction.hint(.paciasp)
  static let pacibsp = Instruction.hint(.pacibsp)
  static let autiasp = Instruction.hint(.autiasp)
  static let xpaclri = Instruction.hint(.xpaclri)
  static func brk(_ imm: UInt16) -> Instruction { .exception(.brk, imm) }
  static func hlt(_ imm: UInt16) -> Instruction { .exception(.hlt, imm) }
  static func ldr(_ rt: Register, _ base: Register, _ off: Int64 = 0) -> Instruction {
    .loadStore(
      LoadStore(
        kind: .load, size: rt.width == .x ? .doubleword : .word, rt: rt,
        address: .unsignedOffset(base: base, offset: off)))
  }
  static func str(_ rt: Register, _ base: Register, _ off: Int64 = 0) -> Instruction {
    .loadStore(
      LoadStore(
        kind: .store, size: rt.width == .x ? .doubleword : .word, rt: rt,
        address: .unsignedOffset(base: base, offset: off)))
  }
  static func stpPre(_ a: Register, _ b: Register, _ base: Register, _ off: Int64) -> Instruction {
    .loadStorePair(LoadStorePair(op: .stp, rt: a, rt2: b, base: base, offset: off, mode: .preIndex))
  }
  static func ldpPost(_ a: Register, _ b: Register, _ base: Register, _ off: Int64) -> Instruction {
    .loadStorePair(
      LoadStorePair(op: .ldp, rt: a, rt2: b, base: base, offset: off, mode: .postIndex))
  }
  static func stp(_ a: Register, _ b: Register, _ base: Register, _ off: Int64) -> Instruction {
    .loadStorePair(
      LoadStorePair(op: .stp, rt: a, rt2: b, base: base, offset: off, mode: .signedOffset))
  }
  static func movSP(_ rd: Register, _ rn: Register) -> Instruction { add(rd, rn, 0) }
}

/// A machine with code at `Layout.code` (r-x, optionally guarded), data at `Layout.data`
/// (rw-) and a 16 KiB stack below `Layout.stackTop`.
enum Layout {
  static let code: UInt64 = 0x40_0000
  static let data: UInt64 = 0x50_0000
  static let stackTop: UInt64 = 0x60_4000

  static func machine(_ code: [Instruction], guarded: Bool = false) throws -> Machine {
    var m = Machine()
    try m.map(address: Layout.code, size: 0x2000, permissions: .readExecute, guarded: guarded)
    try m.map(address: Layout.data, size: 0x1000, permissions: .readWrite)
    try m.map(address: Layout.stackTop - 0x4000, size: 0x4000, permissions: .readWrite)
    try m.write(instructions: code, at: Layout.code)
    m.sp = Layout.stackTop
    return m
  }
}
