import AArch64

// Exclusives (LDXR/STXR and pairs, with a single-threaded monitor), load-acquire/store-release,
// LSE atomics (LDADD…SWP), CAS and CASP. All of these require natural alignment (the ARMv8.0
// rule; FEAT_LSE2's relaxation for atomics and LDAR/STLR is not modelled).

extension Lowering {
  /// Slot to write raw register number `n` (31 = ZR) to.
  static func writeSlot(_ n: UInt32) -> UInt8 { n == 31 ? Slot.sink : UInt8(n) }

  static func lowerAtomic(_ i: Instruction) -> Op? {
    var op = Op()
    switch i {
    case .exclusive(let e):
      op.kind = .exclusive
      let elem = e.pair ? (e.rt.width == .x ? 3 : 2) : e.size.rawValue
      op.d = elem
      op.f = (e.load ? 0 : Op.flag3) | (e.pair ? Op.flag4 : 0)
      op.a = e.load ? Slot.write(e.rt) : Slot.read(e.rt)
      if let rt2 = e.rt2 { op.c = e.load ? Slot.write(rt2) : Slot.read(rt2) }
      if let rs = e.rs { op.h = Slot.write(rs) }
      op.b = Slot.read(e.rn)
    case .acquireRelease(let a):
      op.kind = .acqRel
      op.d = a.size.rawValue
      op.f = a.load ? 0 : Op.flag3
      op.a = a.load ? Slot.write(a.rt) : Slot.read(a.rt)
      op.b = Slot.read(a.rn)
    case .atomic(let a):
      op.kind = .atomic
      op.g = UInt8(AtomicOp.allCases.firstIndex(of: a.op) ?? 0)
      op.d = a.size.rawValue
      op.a = Slot.write(a.rt)
      op.c = Slot.read(a.rs)
      op.b = Slot.read(a.rn)
    case .compareAndSwap(let c):
      op.kind = .cas
      op.d = c.size.rawValue
      op.a = Slot.read(c.rt)
      op.c = Slot.read(c.rs)
      op.h = Slot.write(c.rs)
      op.b = Slot.read(c.rn)
    case .compareAndSwapPair(let c):
      op.kind = .casp
      op.d = c.size.rawValue
      op.a = UInt8(c.rt.field)
      op.c = UInt8(c.rs.field)
      op.b = Slot.read(c.rn)
    default: return nil
    }
    return op
  }
}

extension Executor {
  /// LDXR/LDAXR/STXR/STLXR (+B/H) and LDXP/LDAXP/STXP/STLXP.
  mutating func execExclusive<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let addr = x(op.b)
    if op.b == Slot.sp { try checkSP(op.b, op.f & Op.flag3 != 0 ? .store : .load) }
    let elem = 1 << Int(op.d)
    let pair = op.f & Op.flag4 != 0
    let total = pair ? 2 * elem : elem
    let isStore = op.f & Op.flag3 != 0
    try requireAligned(isStore ? .store : .load, addr, total)
    if !isStore {
      let v1 = try load(addr, elem)
      let v2 = pair ? try load(addr &+ UInt64(elem), elem) : 0
      if O.self != NoObserver.self { obs.load(pc: pc, address: addr, size: elem, value: v1) }
      monitor = ExclusiveMonitor(valid: true, address: addr, size: total)
      r[Int(op.a)] = v1
      if pair { r[Int(op.c)] = v2 }
      return
    }
    guard monitor.valid && monitor.address == addr && monitor.size == total else {
      monitor.valid = false
      r[Int(op.h)] = 1
      return
    }
    if O.self != NoObserver.self { obs.store(pc: pc, address: addr, size: elem, value: x(op.a)) }
    if pair {
      try store128(addr, x(op.a), x(op.c), element: elem)
    } else {
      try store(addr, elem, x(op.a))
    }
    monitor.valid = false
    r[Int(op.h)] = 0
  }

  /// LDAR/STLR/LDLAR/STLLR (+B/H).
  mutating func execAcqRel<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let addr = x(op.b)
    if op.b == Slot.sp { try checkSP(op.b, op.f & Op.flag3 != 0 ? .store : .load) }
    let size = 1 << Int(op.d)
    if op.f & Op.flag3 != 0 {
      try requireAligned(.store, addr, size)
      if O.self != NoObserver.self { obs.store(pc: pc, address: addr, size: size, value: x(op.a)) }
      try store(addr, size, x(op.a))
    } else {
      try requireAligned(.load, addr, size)
      let v = try load(addr, size)
      if O.self != NoObserver.self { obs.load(pc: pc, address: addr, size: size, value: v) }
      r[Int(op.a)] = v
    }
  }

  /// LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP (+A/L, B/H/W/X).
  mutating func execAtomic<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let addr = x(op.b)
    if op.b == Slot.sp { try checkSP(op.b, .store) }
    let size = 1 << Int(op.d)
    try requireAligned(.load, addr, size)
    try probe(addr, size, .store)
    let old = try load(addr, size)
    let s = x(op.c)
    let new: UInt64
    switch op.g {
    case 0: new = old &+ s
    case 1: new = old & ~s
    case 2: new = old ^ s
    case 3: new = old | s
    case 4, 5:
      let a = Int64(bitPattern: signExtend(old, size: size, toX: true))
      let b = Int64(bitPattern: signExtend(s, size: size, toX: true))
      new = UInt64(bitPattern: op.g == 4 ? max(a, b) : min(a, b))
    case 6, 7:
      let mask: UInt64 = size == 8 ? ~0 : (1 << UInt64(8 * size)) - 1
      new = op.g == 6 ? max(old, s & mask) : min(old, s & mask)
    default: new = s
    }
    if O.self != NoObserver.self {
      obs.load(pc: pc, address: addr, size: size, value: old)
      obs.store(pc: pc, address: addr, size: size, value: new)
    }
    try store(addr, size, new)
    r[Int(op.a)] = old
  }

  /// CAS{A}{L}{B|H}: Rs receives the old value; memory gets Rt if it equalled Rs.
  mutating func execCas<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let addr = x(op.b)
    if op.b == Slot.sp { try checkSP(op.b, .store) }
    let size = 1 << Int(op.d)
    try requireAligned(.load, addr, size)
    try probe(addr, size, .store)
    let old = try load(addr, size)
    let mask: UInt64 = size == 8 ? ~0 : (1 << UInt64(8 * size)) - 1
    if O.self != NoObserver.self { obs.load(pc: pc, address: addr, size: size, value: old) }
    if old == x(op.c) & mask {
      if O.self != NoObserver.self { obs.store(pc: pc, address: addr, size: size, value: x(op.a)) }
      try store(addr, size, x(op.a))
    }
    r[Int(op.h)] = old
  }

  /// CASP{A}{L} on W or X pairs.
  mutating func execCasp<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    let addr = x(op.b)
    if op.b == Slot.sp { try checkSP(op.b, .store) }
    let elem = 1 << Int(op.d)
    try requireAligned(.load, addr, 2 * elem)
    try probe(addr, 2 * elem, .store)
    let o1 = try load(addr, elem)
    let o2 = try load(addr &+ UInt64(elem), elem)
    let mask: UInt64 = elem == 8 ? ~0 : 0xFFFF_FFFF
    let rs = op.c
    let rt = op.a
    let s1 = x(rs) & mask
    let s2 = x(rs + 1 > 31 ? Slot.zero : rs + 1) & mask
    if O.self != NoObserver.self { obs.load(pc: pc, address: addr, size: elem, value: o1) }
    if o1 == s1 && o2 == s2 {
      let t2 = rt + 1 > 31 ? Slot.zero : rt + 1
      try store128(addr, x(rt), x(t2), element: elem)
    }
    r[Int(Lowering.writeSlot(UInt32(rs)))] = o1
    r[Int(Lowering.writeSlot(UInt32(rs) + 1))] = o2
  }
}
