import AArch64

// Loads and stores: LDR (literal), single register in every addressing mode (unsigned offset,
// unscaled, pre/post-index, unprivileged, register offset), pairs (STP/LDP/LDPSW/STNP/LDNP),
// and PRFM as a no-op. Writeback happens only after the access succeeded.

extension Lowering {
  static func lowerLoadStore(_ i: Instruction) -> Op? {
    var op = Op()
    switch i {
    case .loadLiteral(let kind, let rt, let off):
      op.kind = .ldrLit
      op.a = Slot.write(rt)
      op.g = kind == .ldrsw ? 2 : rt.width == .x ? 1 : 0
      op.imm = UInt64(bitPattern: off.bytes)
    case .prefetchLiteral, .prefetch:
      op.kind = .nop
    case .loadStore(let l):
      op.kind = .ldst
      op.d = l.size.rawValue
      switch l.kind {
      case .store:
        op.f = Op.flag3
        op.a = Slot.read(l.rt)
      case .load: op.a = Slot.write(l.rt)
      case .loadSigned:
        op.f = Op.flag4
        op.a = Slot.write(l.rt)
      }
      if l.rt.width == .x { op.f |= Op.sf }
      op.b = Slot.read(l.address.base)
      switch l.address {
      case .unsignedOffset(_, let o), .unscaled(_, let o), .unprivileged(_, let o):
        op.g = 0
        op.imm = UInt64(bitPattern: o)
      case .preIndex(_, let o):
        op.g = 2
        op.imm = UInt64(bitPattern: o)
      case .postIndex(_, let o):
        op.g = 3
        op.imm = UInt64(bitPattern: o)
      case .registerOffset(_, let index, let ext, let shifted):
        op.g = 5
        op.c = Slot.read(index)
        op.h = ext.rawValue
        op.imm = shifted ? UInt64(l.size.rawValue) : 0
      }
    case .loadStorePair(let p):
      op.kind = .ldstPair
      let store = p.op == .stp || p.op == .stnp
      op.f =
        (store ? Op.flag3 : 0) | (p.op == .ldpsw ? Op.flag4 : 0)
        | (p.rt.width == .x && p.op != .ldpsw ? Op.sf : 0)
      op.a = store ? Slot.read(p.rt) : Slot.write(p.rt)
      op.d = store ? Slot.read(p.rt2) : Slot.write(p.rt2)
      op.b = Slot.read(p.base)
      op.h = p.mode == .signedOffset ? 0 : p.mode == .preIndex ? 1 : 2
      op.imm = UInt64(bitPattern: p.offset)
    default:
      return lowerAtomic(i)
    }
    return op
  }
}

extension Executor {
  /// `LDR Wt|Xt, label` and `LDRSW Xt, label`.
  @inline(__always)
  mutating func execLdrLit<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let addr = pc &+ op.imm
    let size = op.g == 1 ? 8 : 4
    let v = try load(addr, size)
    if O.self != NoObserver.self { obs.load(pc: pc, address: addr, size: size, value: v) }
    r[Int(op.a)] = op.g == 2 ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) : v
  }

  /// Sign-extends the low `size` bytes of `v` to 64 bits, or to 32 and zero-extends.
  @inline(__always)
  func signExtend(_ v: UInt64, size: Int, toX: Bool) -> UInt64 {
    let s: Int64
    switch size {
    case 1: s = Int64(Int8(truncatingIfNeeded: v))
    case 2: s = Int64(Int16(truncatingIfNeeded: v))
    case 4: s = Int64(Int32(truncatingIfNeeded: v))
    default: s = Int64(bitPattern: v)
    }
    return toX ? UInt64(bitPattern: s) : UInt64(bitPattern: s) & 0xFFFF_FFFF
  }

  /// LDR/STR/LDRB/STRB/LDRSB/…/LDRSW/LDUR/STUR/LDTR… in every addressing mode.
  @inline(__always)
  mutating func execLdst<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let base = x(op.b)
    if op.b == Slot.sp { try checkSP(op.b, op.f & Op.flag3 != 0 ? .store : .load) }
    let addr: UInt64
    switch op.g {
    case 0, 2: addr = base &+ op.imm
    case 3: addr = base
    default: addr = base &+ extended(x(op.c), op.h, UInt8(truncatingIfNeeded: op.imm))
    }
    let size = 1 << Int(op.d)
    if op.f & Op.flag3 != 0 {
      let v = x(op.a)
      if O.self != NoObserver.self { obs.store(pc: pc, address: addr, size: size, value: v) }
      try store(addr, size, v)
    } else {
      var v = try load(addr, size)
      if O.self != NoObserver.self { obs.load(pc: pc, address: addr, size: size, value: v) }
      if op.f & Op.flag4 != 0 { v = signExtend(v, size: size, toX: op.f & Op.sf != 0) }
      r[Int(op.a)] = v
    }
    switch op.g {
    case 2: r[Int(op.b)] = addr
    case 3: r[Int(op.b)] = base &+ op.imm
    default: break
    }
  }

  /// STP/LDP/LDPSW/STNP/LDNP (signed offset, pre-index, post-index).
  @inline(__always)
  mutating func execLdstPair<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let base = x(op.b)
    if op.b == Slot.sp { try checkSP(op.b, op.f & Op.flag3 != 0 ? .store : .load) }
    let addr = op.h == 2 ? base : base &+ op.imm
    let size = op.f & Op.sf != 0 ? 8 : 4
    let addr2 = addr &+ UInt64(size)
    if op.f & Op.flag3 != 0 {
      let v1 = x(op.a)
      let v2 = x(op.d)
      if O.self != NoObserver.self {
        obs.store(pc: pc, address: addr, size: size, value: v1)
        obs.store(pc: pc, address: addr2, size: size, value: v2)
      }
      try store128(addr, v1, v2, element: size)
    } else {
      var v1 = try load(addr, size)
      var v2 = try load(addr2, size)
      if O.self != NoObserver.self {
        obs.load(pc: pc, address: addr, size: size, value: v1)
        obs.load(pc: pc, address: addr2, size: size, value: v2)
      }
      if op.f & Op.flag4 != 0 {
        v1 = signExtend(v1, size: 4, toX: true)
        v2 = signExtend(v2, size: 4, toX: true)
      }
      r[Int(op.a)] = v1
      r[Int(op.d)] = v2
    }
    switch op.h {
    case 1: r[Int(op.b)] = addr
    case 2: r[Int(op.b)] = base &+ op.imm
    default: break
    }
  }
}
