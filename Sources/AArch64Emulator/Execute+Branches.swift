import AArch64

// Branches: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET and the authenticated branches,
// including the PSTATE.BTYPE each one leaves (DOMAIN.md §2; QEMU's `reset_btype`/`set_btype`).

extension Lowering {
  static func lowerBranch(_ i: Instruction) -> Op? {
    var op = Op()
    switch i {
    case .branch(let link, let off):
      op.kind = link ? .bl : .b
      op.imm = UInt64(bitPattern: off.bytes)
    case .branchConditional(let c, let off):
      op.kind = .bcond
      op.g = c.rawValue
      op.imm = UInt64(bitPattern: off.bytes)
    case .compareAndBranch(let nz, let rt, let off):
      op.kind = nz ? .cbnz : .cbz
      op.a = Slot.read(rt)
      op.f = rt.width == .x ? Op.sf : 0
      op.imm = UInt64(bitPattern: off.bytes)
    case .testAndBranch(let nz, let rt, let bit, let off):
      op.kind = nz ? .tbnz : .tbz
      op.a = Slot.read(rt)
      op.h = bit
      op.imm = UInt64(bitPattern: off.bytes)
    case .branchRegister(let kind, let rn):
      op.kind = kind == .br ? .br : kind == .blr ? .blr : .ret
      op.b = Slot.read(rn)
      op.d = UInt8(rn.field)
    case .branchAuthenticated(let a):
      op.kind = .branchAuth
      switch a {
      case .braz(let keyB, let rn):
        op.g = 0
        op.f = keyB ? Op.flag3 : 0
        op.b = Slot.read(rn)
        op.d = UInt8(rn.field)
        op.c = Slot.zero
      case .blraz(let keyB, let rn):
        op.g = 1
        op.f = keyB ? Op.flag3 : 0
        op.b = Slot.read(rn)
        op.d = UInt8(rn.field)
        op.c = Slot.zero
      case .reta(let keyB):
        op.g = 2
        op.f = keyB ? Op.flag3 : 0
        op.b = 30
        op.d = 30
        op.c = Slot.sp
      case .bra(let keyB, let rn, let m):
        op.g = 3
        op.f = keyB ? Op.flag3 : 0
        op.b = Slot.read(rn)
        op.d = UInt8(rn.field)
        op.c = Slot.read(m)
      case .blra(let keyB, let rn, let m):
        op.g = 4
        op.f = keyB ? Op.flag3 : 0
        op.b = Slot.read(rn)
        op.d = UInt8(rn.field)
        op.c = Slot.read(m)
      }
    default: return nil
    }
    return op
  }
}

extension Executor {
  /// `B.cond`: PC + imm19×4 if the condition holds.
  @inline(__always)
  mutating func execBcond<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let taken = holds(op.g)
    let from = pc
    pc = taken ? pc &+ op.imm : pc &+ 4
    if O.self != NoObserver.self {
      obs.branch(
        BranchEvent(kind: .conditional, from: from, to: from &+ op.imm, taken: taken, btype: 0))
    }
  }

  /// `CBZ`/`CBNZ`.
  @inline(__always)
  mutating func execCbz<O: MachineObserver>(_ op: Op, _ obs: inout O) {
    let v = op.f & Op.sf != 0 ? x(op.a) : UInt64(w(op.a))
    let taken = (v == 0) == (op.kind == .cbz)
    let from = pc
    pc = taken ? pc &+ op.imm : pc &+ 4
    if O.self != NoObserver.self {
      obs.branch(
        BranchEvent(kind: .conditional, from: from, to: from &+ op.imm, taken: taken, btype: 0))
    }
  }

  /// `TBZ`/`TBNZ`.
  @inline(__always)
  mutating func execTbz<O: MachineObserver>(_ op: Op, _ obs: inout O) {
    let bit = (x(op.a) >> UInt64(op.h)) & 1
    let taken = (bit == 0) == (op.kind == .tbz)
    let from = pc
    pc = taken ? pc &+ op.imm : pc &+ 4
    if O.self != NoObserver.self {
      obs.branch(
        BranchEvent(kind: .conditional, from: from, to: from &+ op.imm, taken: taken, btype: 0))
    }
  }

  /// The BTYPE a `BR Xn` leaves: 01 from an unguarded page or for X16/X17, else 11.
  @inline(__always)
  func brType(_ register: UInt8) -> UInt8 {
    codeGuarded && register != 16 && register != 17 ? 3 : 1
  }

  /// `BR`, `BLR`, `RET`.
  @inline(__always)
  mutating func execBranchRegister<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let target = x(op.b)
    let from = pc
    let kind: BranchKind
    switch op.kind {
    case .br:
      btype = brType(op.d)
      kind = .indirect
    case .blr:
      r[30] = pc &+ 4
      btype = 2
      kind = .indirectCall
    default:
      kind = .return
    }
    pc = target
    if O.self != NoObserver.self {
      obs.branch(
        BranchEvent(kind: kind, from: from, to: target, taken: true, btype: btype, register: op.d))
    }
  }

  /// `BRAAZ`, `BLRAAZ`, `RETAA`, `BRAA`, `BLRAA` and the B-key forms: authenticate, then branch
  /// like BR/BLR/RET.
  mutating func execBranchAuth<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let keyB = op.f & Op.flag3 != 0
    let target = try authenticate(x(op.b), modifier: x(op.c), keyB: keyB, data: false)
    let from = pc
    let kind: BranchKind
    switch op.g {
    case 0, 3:
      btype = brType(op.d)
      kind = .indirect
    case 1, 4:
      r[30] = pc &+ 4
      btype = 2
      kind = .indirectCall
    default:
      kind = .return
    }
    pc = target
    if O.self != NoObserver.self {
      obs.branch(
        BranchEvent(kind: kind, from: from, to: target, taken: true, btype: btype, register: op.d))
    }
  }

  /// ConditionHolds (Arm ARM J1): `cond` against PSTATE.NZCV.
  @inline(__always)
  func holds(_ cond: UInt8) -> Bool { Executor.conditionHolds(cond, nzcv) }

  /// ConditionHolds (Arm ARM J1): `cond` against `nzcv` (N=8, Z=4, C=2, V=1).
  @inline(__always)
  static func conditionHolds(_ cond: UInt8, _ nzcv: UInt8) -> Bool {
    let n = nzcv & 8 != 0
    let z = nzcv & 4 != 0
    let c = nzcv & 2 != 0
    let v = nzcv & 1 != 0
    var result: Bool
    switch cond >> 1 {
    case 0: result = z
    case 1: result = c
    case 2: result = n
    case 3: result = v
    case 4: result = c && !z
    case 5: result = n == v
    case 6: result = n == v && !z
    default: result = true
    }
    if cond & 1 == 1 && cond != 15 { result = !result }
    return result
  }
}
