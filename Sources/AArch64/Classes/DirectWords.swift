// Words for the assembler's most common table forms computed straight from the model value,
// without the field list and per-field checks of `A64Spec.assemble`. Each function gives the
// word its class encoder gives, or nil whenever that encoder might throw or the value is not
// the plain case (the caller then calls the class encoder, which encodes or diagnoses). The
// fixed bits are those of the spec's patterns; `DirectWordTests` compares every function with
// its encoder over random values.

extension A64Encoder {
  /// The 5-bit field of `r` in a slot where 31 is the zero register, of width `w`; nil where
  /// `Register.encoded(_:.zr:w)` throws.
  @inline(__always)
  static func zrField(_ r: Register, _ w: Width) -> UInt32? {
    guard r.width == w else { return nil }
    switch r.name {
    case .r(let n): return n <= 30 ? UInt32(n) : nil
    case .zr: return 31
    case .sp: return nil
    }
  }

  /// The 5-bit field of `r` in a base slot (`Xn|SP`); nil where `encoded(_:.sp:.x)` throws.
  @inline(__always)
  static func baseField(_ r: Register) -> UInt32? { spField(r, .x) }

  /// `atomic(a)` (LD<op>, ST<op>, SWP), pattern ATOMIC; nil where it might throw.
  static func atomicWord(_ a: AtomicMemory) -> UInt32? {
    let w: Width = a.size == .doubleword ? .x : .w
    guard let rs = zrField(a.rs, w), let rt = zrField(a.rt, w), let rn = baseField(a.rn) else {
      return nil
    }
    let (o3, opc) = atomicFields(a.op)
    // size:2 111 0 00 a:1 r:1 1 rs:5 o3:1 opc:3 00 rn:5 rt:5
    return 0x3820_0000 | UInt32(a.size.rawValue) << 30 | (a.acquire ? 1 << 23 : 0)
      | (a.release ? 1 << 22 : 0) | rs << 16 | o3 << 15 | opc << 12 | rn << 5 | rt
  }

  /// `compareAndSwap(c)` (CAS…), pattern CAS; nil where it might throw.
  static func compareAndSwapWord(_ c: CompareAndSwap) -> UInt32? {
    let w: Width = c.size == .doubleword ? .x : .w
    guard let rs = zrField(c.rs, w), let rt = zrField(c.rt, w), let rn = baseField(c.rn) else {
      return nil
    }
    // size:2 001000 1 l:1 1 rs:5 o0:1 rt2:5 rn:5 rt:5, rt2 = 31
    return 0x08A0_7C00 | UInt32(c.size.rawValue) << 30 | (c.acquire ? 1 << 22 : 0)
      | rs << 16 | (c.release ? 1 << 15 : 0) | rn << 5 | rt
  }

  /// `exclusive(e)` (LDXR/STXR and their acquire/release, byte, halfword and pair forms),
  /// patterns LDST_EXCL and LDST_EXCLP; nil where it might throw.
  static func exclusiveWord(_ e: Exclusive) -> UInt32? {
    guard let rn = baseField(e.rn) else { return nil }
    let rs: UInt32
    if e.load {
      guard e.rs == nil else { return nil }
      rs = 31
    } else {
      guard let s = e.rs, let f = zrField(s, .w) else { return nil }
      rs = f
    }
    let common = (e.load ? 1 << 22 : 0) | rs << 16 | (e.ordered ? 1 << 15 : 0) | rn << 5
    if e.pair {
      let w = e.rt.width
      guard e.size == (w == .x ? .doubleword : .word), let r2 = e.rt2, let t2 = zrField(r2, w),
        let t = zrField(e.rt, w)
      else { return nil }
      // 1 sz:1 001000 0 l:1 1 rs:5 o0:1 rt2:5 rn:5 rt:5
      return 0x8820_0000 | w.sf << 30 | common | t2 << 10 | t
    }
    guard e.rt2 == nil, let t = zrField(e.rt, e.size == .doubleword ? .x : .w) else {
      return nil
    }
    // size:2 001000 0 l:1 0 rs:5 o0:1 rt2:5 rn:5 rt:5, rt2 = 31
    return 0x0800_7C00 | UInt32(e.size.rawValue) << 30 | common | t
  }

  /// `acquireRelease(a)` (LDAR/STLR, LDLAR/STLLR and their sizes), pattern LDAR_STLR; nil
  /// where it might throw.
  static func acquireReleaseWord(_ a: AcquireRelease) -> UInt32? {
    guard let rn = baseField(a.rn), let rt = zrField(a.rt, a.size == .doubleword ? .x : .w)
    else { return nil }
    // size:2 001000 1 l:1 0 rs:5 o0:1 rt2:5 rn:5 rt:5, rs = rt2 = 31
    return 0x089F_7C00 | UInt32(a.size.rawValue) << 30 | (a.load ? 1 << 22 : 0)
      | (a.ordered ? 1 << 15 : 0) | rn << 5 | rt
  }

  /// `loadAcquirePC(size, rt, rn)` (LDAPR…), pattern LDAPR; nil where it might throw.
  static func loadAcquirePCWord(_ size: AccessSize, _ rt: Register, _ rn: Register) -> UInt32? {
    guard let n = baseField(rn), let t = zrField(rt, size == .doubleword ? .x : .w) else {
      return nil
    }
    // size:2 111 0 00 1 0 1 11111 1100 00 rn:5 rt:5
    return 0x38BF_C000 | UInt32(size.rawValue) << 30 | n << 5 | t
  }

  /// `compareAndSwapPair(c)` (CASP…), pattern CASP; nil where it might throw.
  static func compareAndSwapPairWord(_ c: CompareAndSwap) -> UInt32? {
    let w = c.rt.width
    guard c.size == (w == .x ? .doubleword : .word), let rs = zrField(c.rs, w),
      let rt = zrField(c.rt, w), rs & 1 == 0, rt & 1 == 0, !c.rs.isZR, !c.rt.isZR,
      let rn = baseField(c.rn)
    else { return nil }
    // 0 sz:1 001000 0 l:1 1 rs:5 o0:1 rt2:5 rn:5 rt:5, rt2 = 31
    return 0x0820_7C00 | w.sf << 30 | (c.acquire ? 1 << 22 : 0) | rs << 16
      | (c.release ? 1 << 15 : 0) | rn << 5 | rt
  }

  /// `moveSystemRegister(read:r, rt)` (MRS/MSR), pattern MRS_MSR; nil where it might throw.
  static func moveSystemRegisterWord(read: Bool, _ r: SystemRegister, _ rt: Register) -> UInt32? {
    guard r.op0 >= 2, let t = zrField(rt, .x) else { return nil }
    // 1101010100 l:1 1 o0:1 op1:3 crn:4 crm:4 op2:3 rt:5; o0 = op0 - 2 is op0's low bit, so
    // o0…op2 are the low 15 bits of the packed encoding.
    return 0xD510_0000 | (read ? 1 << 21 : 0) | UInt32(r.encoding & 0x7fff) << 5 | t
  }

  /// `exception(k, imm)` (SVC, HVC, SMC, BRK, HLT, DCPS1–3): never throws.
  static func exceptionWord(_ k: ExceptionKind, _ imm: UInt16) -> UInt32 {
    let base: UInt32 =
      switch k {
      case .svc: 0xD400_0001
      case .hvc: 0xD400_0002
      case .smc: 0xD400_0003
      case .brk: 0xD420_0000
      case .hlt: 0xD440_0000
      case .dcps1: 0xD4A0_0001
      case .dcps2: 0xD4A0_0002
      case .dcps3: 0xD4A0_0003
      }
    return base | UInt32(imm) << 5
  }

  /// The HINT word for `h` (crm:op2 is the hint number): never throws.
  static func hintWord(_ h: Hint) -> UInt32 {
    0xD503_201F | UInt32(h.rawValue & 0x7f) << 5
  }
}

extension A64Encoder {
  /// `encode(i)` for the classes the fast forms build most (loads/stores and pairs, the
  /// register-only data processing, multiplies, carries, hints, exceptions, MRS/MSR,
  /// atomics, register branches, exception returns, MSR to PSTATE); nil for any other class and wherever `encode` might throw.
  static func directWord(_ i: Instruction) -> UInt32? {
    switch i {
    case .loadStore(let l): return loadStoreWord(l)
    case .loadStorePair(let p): return pairWord(p)
    case .dataProcessing2(let op, let rd, let rn, let rm):
      let w = rd.width
      guard op.rawValue < 64, let d = zrField(rd, w), let n = zrField(rn, w),
        let m = zrField(rm, w)
      else { return nil }
      // sf:1 0 0 11010110 rm:5 opcode:6 rn:5 rd:5
      return 0x1AC0_0000 | w.sf << 31 | m << 16 | UInt32(op.rawValue) << 10 | n << 5 | d
    case .dataProcessing1(let op, let rd, let rn):
      let w = rd.width
      guard let opcode = dataProcessing1Opcode(op, w), let d = zrField(rd, w),
        let n = zrField(rn, w)
      else { return nil }
      // sf:1 1 0 11010110 00000 opcode:6 rn:5 rd:5
      return 0x5AC0_0000 | w.sf << 31 | opcode << 10 | n << 5 | d
    case .multiply(let m): return multiplyWord(m)
    case .addSubCarry(let sub, let s, let rd, let rn, let rm):
      let w = rd.width
      guard let d = zrField(rd, w), let n = zrField(rn, w), let m = zrField(rm, w) else {
        return nil
      }
      // sf:1 op:1 s:1 11010000 rm:5 000000 rn:5 rd:5
      return 0x1A00_0000 | w.sf << 31 | (sub ? 1 << 30 : 0) | (s ? 1 << 29 : 0) | m << 16
        | n << 5 | d
    case .hint(let h): return hintWord(h)
    case .exception(let k, let imm): return exceptionWord(k, imm)
    case .mrs(let rt, let r): return moveSystemRegisterWord(read: true, r, rt)
    case .msr(let r, let rt): return moveSystemRegisterWord(read: false, r, rt)
    case .atomic(let a): return atomicWord(a)
    case .compareAndSwap(let c): return compareAndSwapWord(c)
    case .branchRegister(let k, let rn):
      guard let n = zrField(rn, .x) else { return nil }
      // 1101011 0 opc:2 11111 000000 rn:5 00000 (BR 00, BLR 01, RET 10)
      let opc: UInt32 =
        switch k {
        case .br: 0
        case .blr: 1
        case .ret: 2
        }
      return 0xD61F_0000 | opc << 21 | n << 5
    case .msrImmediate(let f, let imm):
      let (op1, op2) = f.ops
      guard imm <= f.maxImmediate, op1 < 8, op2 < 8 else { return nil }
      // 1101010100 0 00 op1:3 0100 crm:4 op2:3 11111
      return 0xD500_401F | UInt32(op1) << 16 | UInt32(imm) << 8 | UInt32(op2) << 5
    case .exceptionReturn(let e):
      switch e {
      case .eret: return 0xD69F_03E0
      case .drps: return 0xD6BF_03E0
      case .eretaa: return 0xD69F_0BFF
      case .eretab: return 0xD69F_0FFF
      }
    case .branchAuthenticated(let b): return authenticatedBranchWord(b)
    case .prefetch(let p, let a): return prefetchWord(p, a)
    case .exclusive(let e): return exclusiveWord(e)
    case .acquireRelease(let a): return acquireReleaseWord(a)
    case .loadAcquirePC(let size, let rt, let rn): return loadAcquirePCWord(size, rt, rn)
    default: return aliasWord(i)
    }
  }

  /// `encode(i)` for the classes the fast alias forms build most: barriers, SYS, add/sub and
  /// logical with a shifted register, add/sub immediates, MOVZ/MOVN/MOVK, bitfields, EXTR;
  /// nil for any other class and wherever `encode` might throw.
  static func aliasWord(_ i: Instruction) -> UInt32? {
    switch i {
    case .barrier(let b):
      // 1101010100 0 00 011 0011 crm:4 op:3 11111
      switch b {
      case .dsb(let o):
        guard o.rawValue < 16, o.rawValue != 0, o.rawValue != 4 else { return nil }
        return 0xD503_309F | UInt32(o.rawValue) << 8
      case .dmb(let o): return o.rawValue < 16 ? 0xD503_30BF | UInt32(o.rawValue) << 8 : nil
      case .isb(let o): return o.rawValue < 16 ? 0xD503_30DF | UInt32(o.rawValue) << 8 : nil
      case .clrex(let imm): return imm < 16 ? 0xD503_305F | UInt32(imm) << 8 : nil
      case .ssbb: return 0xD503_309F
      case .pssbb: return 0xD503_349F
      case .sb: return 0xD503_30FF
      }
    case .system(let s):
      guard s.op1 < 8, s.crn < 16, s.crm < 16, s.op2 < 8, let t = zrField(s.rt, .x) else {
        return nil
      }
      // 1101010100 l:1 01 op1:3 crn:4 crm:4 op2:3 rt:5
      return 0xD508_0000 | (s.read ? 1 << 21 : 0) | UInt32(s.op1) << 16 | UInt32(s.crn) << 12
        | UInt32(s.crm) << 8 | UInt32(s.op2) << 5 | t
    case .addSubShifted(let a):
      let w = a.rd.width
      guard a.shift != .ror, Int(a.amount) < w.bits, let d = zrField(a.rd, w),
        let n = zrField(a.rn, w), let m = zrField(a.rm, w)
      else { return nil }
      // sf:1 op:1 s:1 01011 shift:2 0 rm:5 imm6:6 rn:5 rd:5
      return 0x0B00_0000 | w.sf << 31 | (a.subtract ? 1 << 30 : 0) | (a.setFlags ? 1 << 29 : 0)
        | UInt32(a.shift.rawValue) << 22 | m << 16 | UInt32(a.amount) << 10 | n << 5 | d
    case .logicalShifted(let l):
      let w = l.rd.width
      guard l.op.rawValue < 8, Int(l.amount) < w.bits, let d = zrField(l.rd, w),
        let n = zrField(l.rn, w), let m = zrField(l.rm, w)
      else { return nil }
      // sf:1 opc:2 01010 shift:2 n:1 rm:5 imm6:6 rn:5 rd:5
      return 0x0A00_0000 | w.sf << 31 | UInt32(l.op.rawValue >> 1) << 29
        | UInt32(l.shift.rawValue) << 22 | UInt32(l.op.rawValue & 1) << 21 | m << 16
        | UInt32(l.amount) << 10 | n << 5 | d
    case .addSubImmediate(let a):
      let w = a.rd.width
      guard a.imm12 <= 4095, let n = spField(a.rn, w),
        let d = a.setFlags ? zrField(a.rd, w) : spField(a.rd, w)
      else { return nil }
      // sf:1 op:1 s:1 100010 sh:1 imm12:12 rn:5 rd:5
      return 0x1100_0000 | w.sf << 31 | (a.subtract ? 1 << 30 : 0) | (a.setFlags ? 1 << 29 : 0)
        | (a.shift12 ? 1 << 22 : 0) | UInt32(a.imm12) << 10 | n << 5 | d
    case .moveWide(let m):
      let w = m.rd.width
      guard m.shift % 16 == 0, Int(m.shift) <= (w == .x ? 48 : 16), let d = zrField(m.rd, w)
      else { return nil }
      let opc: UInt32 =
        switch m.op {
        case .movn: 0
        case .movz: 2
        case .movk: 3
        }
      // sf:1 opc:2 100101 hw:2 imm16:16 rd:5
      return 0x1280_0000 | w.sf << 31 | opc << 29 | UInt32(m.shift / 16) << 21
        | UInt32(m.imm16) << 5 | d
    case .bitfield(let b):
      let w = b.rd.width
      guard Int(b.immr) < w.bits, Int(b.imms) < w.bits, b.op.rawValue < 4,
        let d = zrField(b.rd, w), let n = zrField(b.rn, w)
      else { return nil }
      // sf:1 opc:2 100110 n:1 immr:6 imms:6 rn:5 rd:5
      return 0x1300_0000 | w.sf << 31 | UInt32(b.op.rawValue) << 29 | w.sf << 22
        | UInt32(b.immr) << 16 | UInt32(b.imms) << 10 | n << 5 | d
    case .extract(let rd, let rn, let rm, let lsb):
      let w = rd.width
      guard Int(lsb) < w.bits, let d = zrField(rd, w), let n = zrField(rn, w),
        let m = zrField(rm, w)
      else { return nil }
      // sf:1 00 100111 n:1 0 rm:5 imms:6 rn:5 rd:5
      return 0x1380_0000 | w.sf << 31 | w.sf << 22 | m << 16 | UInt32(lsb) << 10 | n << 5 | d
    default:
      return conditionalWord(i)
    }
  }

  /// `encode(i)` for conditional select and compare, add/sub with an extended register and
  /// logical immediates without ignored rotation bits; nil for any other class and wherever
  /// `encode` might throw.
  static func conditionalWord(_ i: Instruction) -> UInt32? {
    switch i {
    case .conditionalSelect(let c):
      let w = c.rd.width
      guard c.op.rawValue < 4, let d = zrField(c.rd, w), let n = zrField(c.rn, w),
        let m = zrField(c.rm, w)
      else { return nil }
      // sf:1 op:1 0 11010100 rm:5 cond:4 0 o2:1 rn:5 rd:5
      return 0x1A80_0000 | w.sf << 31 | UInt32(c.op.rawValue >> 1) << 30 | m << 16
        | UInt32(c.condition.rawValue & 15) << 12 | UInt32(c.op.rawValue & 1) << 10 | n << 5 | d
    case .conditionalCompare(let c):
      let w = c.rn.width
      guard c.nzcv <= 15, let n = zrField(c.rn, w) else { return nil }
      // sf:1 op:1 1 11010010 (rm:5 | imm5:5) cond:4 (0 | 1) 0 rn:5 0 nzcv:4
      let operand: UInt32
      switch c.operand {
      case .register(let rm):
        guard let m = zrField(rm, w) else { return nil }
        operand = m << 16
      case .immediate(let imm):
        guard imm <= 31 else { return nil }
        operand = UInt32(imm) << 16 | 1 << 11
      }
      return 0x3A40_0000 | w.sf << 31 | (c.negate ? 1 << 30 : 0) | operand
        | UInt32(c.condition.rawValue & 15) << 12 | n << 5 | UInt32(c.nzcv)
    case .addSubExtended(let a):
      let w = a.rd.width
      guard a.amount <= 4, let m = zrField(a.rm, w == .x && a.extend.takesX ? .x : .w),
        let n = spField(a.rn, w), let d = a.setFlags ? zrField(a.rd, w) : spField(a.rd, w)
      else { return nil }
      // sf:1 op:1 s:1 01011 opt:2 1 rm:5 option:3 imm3:3 rn:5 rd:5
      return 0x0B20_0000 | w.sf << 31 | (a.subtract ? 1 << 30 : 0) | (a.setFlags ? 1 << 29 : 0)
        | m << 16 | UInt32(a.extend.rawValue) << 13 | UInt32(a.amount) << 10 | n << 5 | d
    case .logicalImmediate(let l):
      let w = l.rd.width
      guard l.ignoredImmrBits == 0, l.op.rawValue < 4,
        let (bitN, immr, imms) = BitmaskImmediate.encode(l.value, width: w),
        let n = zrField(l.rn, w), let d = l.op == .ands ? zrField(l.rd, w) : spField(l.rd, w)
      else { return nil }
      // sf:1 opc:2 100100 n:1 immr:6 imms:6 rn:5 rd:5
      return 0x1200_0000 | w.sf << 31 | UInt32(l.op.rawValue) << 29 | bitN << 22 | immr << 16
        | imms << 10 | n << 5 | d
    default:
      return nil
    }
  }

  /// The 5-bit field of `r` in a slot where 31 is the stack pointer, of width `w`; nil where
  /// `Register.encoded(_:.sp:w)` throws.
  @inline(__always)
  static func spField(_ r: Register, _ w: Width) -> UInt32? {
    guard r.width == w else { return nil }
    switch r.name {
    case .r(let n): return n <= 30 ? UInt32(n) : nil
    case .sp: return 31
    case .zr: return nil
    }
  }

  /// `multiply(m)`, pattern DP_3; nil where it might throw.
  static func multiplyWord(_ m: Multiply) -> UInt32? {
    let (op31, o0) = multiplyFields(m.op)
    let w = m.rd.width
    if op31 != 0 && w != .x { return nil }
    if (op31 == 2 || op31 == 6) && !m.ra.isZR { return nil }
    let src: Width = op31 == 1 || op31 == 5 ? .w : w
    guard let d = zrField(m.rd, w), let n = zrField(m.rn, src), let r = zrField(m.rm, src),
      let a = zrField(m.ra, w)
    else { return nil }
    // sf:1 00 11011 op31:3 rm:5 o0:1 ra:5 rn:5 rd:5
    return 0x1B00_0000 | w.sf << 31 | op31 << 21 | r << 16 | o0 << 15 | a << 10 | n << 5 | d
  }

  /// `loadStore(l)` (LDST_uimm, LDST_imm9, LDST_reg); nil where it might throw.
  static func loadStoreWord(_ l: LoadStore) -> UInt32? {
    let size = UInt32(l.size.rawValue)
    let opc: UInt32
    switch l.kind {
    case .store, .load:
      guard zrField(l.rt, l.size == .doubleword ? .x : .w) != nil else { return nil }
      opc = l.kind == .store ? 0 : 1
    case .loadSigned:
      switch l.size {
      case .byte, .halfword: opc = l.rt.width == .x ? 2 : 3
      case .word:
        guard zrField(l.rt, .x) != nil else { return nil }
        opc = 2
      case .doubleword: return nil
      }
    }
    guard let rt = zrField(l.rt, l.rt.width) else { return nil }
    return singleAccessWord(size: size, opc: opc, rt: rt, l.address)
  }

  /// `singleAccess(size:opc:rt:address)` (the address part of loads, stores and PRFM),
  /// patterns LDST_uimm, LDST_imm9 and LDST_reg; nil where it might throw.
  static func singleAccessWord(size: UInt32, opc: UInt32, rt: UInt32, _ address: Address)
    -> UInt32?
  {
    guard size < 4, opc < 4, rt < 32, let rn = baseField(address.base) else { return nil }
    let common = size << 30 | opc << 22 | rn << 5 | rt
    switch address {
    case .unsignedOffset(_, let off):
      let scale = Int64(1) << Int64(size)
      guard off % scale == 0, off >= 0, off / scale <= 4095 else { return nil }
      // size:2 111 0 01 opc:2 imm12:12 rn:5 rt:5
      return 0x3900_0000 | common | UInt32(off / scale) << 10
    case .unscaled(_, let off), .preIndex(_, let off), .postIndex(_, let off),
      .unprivileged(_, let off):
      guard off >= -256, off <= 255 else { return nil }
      let idx = address.imm9Index
      // size:2 111 0 00 opc:2 0 imm9:9 idx:2 rn:5 rt:5
      return 0x3800_0000 | common | (UInt32(truncatingIfNeeded: off) & 0x1ff) << 12 | idx << 10
    case .registerOffset(_, let index, let ext, let shifted):
      guard ext.rawValue & 2 != 0, let m = zrField(index, ext.takesX ? .x : .w) else {
        return nil
      }
      // size:2 111 0 00 opc:2 1 rm:5 option:3 s:1 10 rn:5 rt:5
      return 0x3820_0800 | common | m << 16 | UInt32(ext.rawValue) << 13 | (shifted ? 1 << 12 : 0)
    }
  }

  /// `prefetch(p, a)` (PRFM/PRFUM with an address), nil where it might throw.
  static func prefetchWord(_ p: PrefetchOperation, _ a: Address) -> UInt32? {
    switch a {
    case .unsignedOffset, .unscaled, .registerOffset:
      return singleAccessWord(size: 3, opc: 2, rt: UInt32(p.rawValue), a)
    default: return nil
    }
  }

  /// `authenticatedBranch(b)` (BRAA…, BLRAA…, RETAA/RETAB), nil where it might throw.
  static func authenticatedBranchWord(_ b: AuthenticatedBranch) -> UInt32? {
    switch b {
    case .braz(let k, let rn), .blraz(let k, let rn):
      guard let n = zrField(rn, .x) else { return nil }
      let link: UInt32 = if case .blraz = b { 1 << 21 } else { 0 }
      // 1101011 0 0 0 link:1 11111 0000 1 m:1 rn:5 11111
      return 0xD61F_081F | link | (k ? 1 << 10 : 0) | n << 5
    case .reta(let k): return 0xD65F_0BFF | (k ? 1 << 10 : 0)
    case .bra(let k, let rn, let rm), .blra(let k, let rn, let rm):
      guard let n = zrField(rn, .x), let m = spField(rm, .x) else { return nil }
      let link: UInt32 = if case .blra = b { 1 << 21 } else { 0 }
      // 1101011 1 0 0 link:1 11111 0000 1 m:1 rn:5 rm:5
      return 0xD71F_0800 | link | (k ? 1 << 10 : 0) | n << 5 | m
    }
  }

  /// `branchConditional(c, off)` (B.cond), pattern B_cond; nil where it might throw.
  static func branchConditionalWord(_ c: Condition, _ off: BranchOffset) -> UInt32? {
    guard off.width == .imm19, c.rawValue < 16 else { return nil }
    // 0101010 0 imm19:19 0 cond:4
    return 0x5400_0000 | off.field << 5 | UInt32(c.rawValue)
  }

  /// `loadLiteral(k, rt, off)` (LDR/LDRSW with a label), pattern LDR_lit; nil where it
  /// might throw.
  static func loadLiteralWord(_ k: LiteralLoad, _ rt: Register, _ off: BranchOffset) -> UInt32? {
    guard off.width == .imm19 else { return nil }
    let opc: UInt32
    switch k {
    case .ldr: opc = rt.width == .x ? 1 : 0
    case .ldrsw:
      guard rt.width == .x else { return nil }
      opc = 2
    }
    guard let t = zrField(rt, rt.width) else { return nil }
    // opc:2 011 0 00 imm19:19 rt:5
    return 0x1800_0000 | opc << 30 | off.field << 5 | t
  }

  /// `prefetchLiteral(p, off)` (PRFM with a label), pattern LDR_lit; nil where it might throw.
  static func prefetchLiteralWord(_ p: PrefetchOperation, _ off: BranchOffset) -> UInt32? {
    guard off.width == .imm19, p.rawValue < 32 else { return nil }
    return 0xD800_0000 | off.field << 5 | UInt32(p.rawValue)
  }

  /// `pcRelative(rd, off)` (ADR/ADRP), patterns ADR and ADRP; nil where it might throw.
  static func pcRelativeWord(_ rd: Register, _ off: BranchOffset) -> UInt32? {
    guard off.width == .adr21 || off.width == .adrp21, let d = zrField(rd, .x) else {
      return nil
    }
    let imm = off.field
    // op:1 immlo:2 10000 immhi:19 rd:5
    return (off.width == .adrp21 ? 0x9000_0000 : 0x1000_0000) | (imm & 3) << 29
      | (imm >> 2) << 5 | d
  }

  /// `loadStorePair(p)`, pattern LDSTP; nil where it might throw.
  static func pairWord(_ p: LoadStorePair) -> UInt32? {
    guard let (w, opc, idx, load, scale) = pairFields(p) else { return nil }
    guard p.offset % scale == 0, p.offset / scale >= -64, p.offset / scale <= 63,
      let t2 = zrField(p.rt2, w), let n = baseField(p.base), let t = zrField(p.rt, w)
    else { return nil }
    let imm = UInt32(truncatingIfNeeded: p.offset / scale) & 0x7f
    // opc:2 101 0 0 idx:2 l:1 imm7:7 rt2:5 rn:5 rt:5
    return 0x2800_0000 | opc << 30 | idx << 23 | (load ? 1 << 22 : 0) | imm << 15 | t2 << 10
      | n << 5 | t
  }
}
