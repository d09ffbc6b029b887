import AArch64

// Data processing, immediate and register (Arm ARM C4.1.64, C4.1.67): ADR/ADRP, ADD/SUB
// (immediate, shifted, extended, with carry), logical, move wide, bitfield, EXTR, conditional
// compare and select, multiply, divide, variable shifts, bit and byte reversal, CLZ/CLS.
// 32-bit forms compute in 32 bits and zero-extend into the X register.

extension Lowering {
  static func flags(_ w: Width, setFlags: Bool = false, subtract: Bool = false) -> UInt8 {
    (w == .x ? Op.sf : 0) | (setFlags ? Op.setFlags : 0) | (subtract ? Op.subtract : 0)
  }

  /// DecodeBitMasks(immN = sf, imms, immr, immediate = FALSE) for the bitfield instructions.
  static func bitfieldMasks(sf: Bool, immr: UInt8, imms: UInt8) -> (wmask: UInt64, tmask: UInt64) {
    let esize: UInt64 = sf ? 64 : 32
    let s = UInt64(imms) & (esize - 1)
    let r = UInt64(immr) & (esize - 1)
    let ones: (UInt64) -> UInt64 = { n in n >= 64 ? ~0 : (UInt64(1) << n) - 1 }
    let welem = ones(s + 1)
    let emask = ones(esize)
    let wmask = r == 0 ? welem : ((welem >> r) | (welem << (esize - r))) & emask
    let d = (s &- r) & (esize - 1)
    return (wmask, ones(d + 1))
  }

  static func lowerDataProcessing(_ i: Instruction) -> Op? {
    var op = Op()
    switch i {
    case .pcRelative(let rd, let off):
      op.kind = .adr
      op.a = Slot.write(rd)
      op.imm = UInt64(bitPattern: off.bytes)
      op.f = off.width == .adrp21 ? Op.flag3 : 0
    case .addSubImmediate(let a):
      op.kind = .addImm
      op.a = Slot.write(a.rd)
      op.b = Slot.read(a.rn)
      op.imm = UInt64(a.imm12) << (a.shift12 ? 12 : 0)
      op.f = flags(a.rd.width, setFlags: a.setFlags, subtract: a.subtract)
    case .logicalImmediate(let l):
      op.kind = .logImm
      op.g = l.op.rawValue
      op.a = Slot.write(l.rd)
      op.b = Slot.read(l.rn)
      op.imm = l.rd.width == .x ? l.value : l.value & 0xFFFF_FFFF
      op.f = flags(l.rd.width, setFlags: l.op == .ands)
    case .moveWide(let m):
      op.a = Slot.write(m.rd)
      op.f = flags(m.rd.width)
      op.imm = UInt64(m.imm16) << UInt64(m.shift)
      switch m.op {
      case .movz: op.kind = .movz
      case .movn: op.kind = .movn
      case .movk:
        op.kind = .movk
        op.imm2 = ~(UInt64(0xffff) << UInt64(m.shift)) & (m.rd.width == .x ? ~0 : 0xFFFF_FFFF)
      }
    case .bitfield(let b):
      op.kind = .bitfield
      op.g = b.op.rawValue
      op.a = Slot.write(b.rd)
      op.c = Slot.read(b.rd)
      op.b = Slot.read(b.rn)
      op.h = b.immr
      op.d = b.imms
      op.f = flags(b.rd.width)
      (op.imm, op.imm2) = bitfieldMasks(sf: b.rd.width == .x, immr: b.immr, imms: b.imms)
    case .extract(let rd, let rn, let rm, let lsb):
      op.kind = .extr
      op.a = Slot.write(rd)
      op.b = Slot.read(rn)
      op.c = Slot.read(rm)
      op.h = lsb
      op.f = flags(rd.width)
    case .logicalShifted(let l):
      op.kind = .logShift
      op.g = l.op.rawValue
      op.a = Slot.write(l.rd)
      op.b = Slot.read(l.rn)
      op.c = Slot.read(l.rm)
      op.d = l.shift.rawValue
      op.h = l.amount
      op.f = flags(l.rd.width, setFlags: l.op == .ands || l.op == .bics)
    case .addSubShifted(let a):
      op.kind = .addShift
      op.a = Slot.write(a.rd)
      op.b = Slot.read(a.rn)
      op.c = Slot.read(a.rm)
      op.d = a.shift.rawValue
      op.h = a.amount
      op.f = flags(a.rd.width, setFlags: a.setFlags, subtract: a.subtract)
    case .addSubExtended(let a):
      op.kind = .addExt
      op.a = Slot.write(a.rd)
      op.b = Slot.read(a.rn)
      op.c = Slot.read(a.rm)
      op.g = a.extend.rawValue
      op.h = a.amount
      op.f = flags(a.rd.width, setFlags: a.setFlags, subtract: a.subtract)
    case .addSubCarry(let sub, let s, let rd, let rn, let rm):
      op.kind = .adc
      op.a = Slot.write(rd)
      op.b = Slot.read(rn)
      op.c = Slot.read(rm)
      op.f = flags(rd.width, setFlags: s, subtract: sub)
    case .conditionalCompare(let c):
      op.kind = .ccmp
      op.b = Slot.read(c.rn)
      switch c.operand {
      case .register(let rm): op.c = Slot.read(rm)
      case .immediate(let v):
        op.f |= Op.flag3
        op.imm = UInt64(v)
      }
      op.g = c.condition.rawValue
      op.h = c.nzcv
      op.f |= flags(c.rn.width, subtract: c.negate)
    case .conditionalSelect(let c):
      op.kind = .csel
      op.a = Slot.write(c.rd)
      op.b = Slot.read(c.rn)
      op.c = Slot.read(c.rm)
      op.g = c.condition.rawValue
      op.d = c.op.rawValue
      op.f = flags(c.rd.width)
    case .multiply(let m):
      op.kind = .mul
      op.g = UInt8(MultiplyOp.allCases.firstIndex(of: m.op) ?? 0)
      op.a = Slot.write(m.rd)
      op.b = Slot.read(m.rn)
      op.c = Slot.read(m.rm)
      op.d = Slot.read(m.ra)
      op.f = flags(m.rd.width)
    case .dataProcessing2(let k, let rd, let rn, let rm):
      op.kind = .dp2
      op.g = k.rawValue
      op.a = Slot.write(rd)
      op.b = Slot.read(rn)
      op.c = Slot.read(rm)
      op.f = flags(rd.width)
    case .dataProcessing1(let k, let rd, let rn):
      op.kind = .dp1
      op.g = UInt8(DataProcessing1.allCases.firstIndex(of: k) ?? 0)
      op.a = Slot.write(rd)
      op.b = Slot.read(rn)
      op.f = flags(rd.width)
    default: return nil
    }
    return op
  }
}

extension Executor {
  /// AddWithCarry on 64 bits: the sum and its NZCV.
  @inline(__always)
  static func addWithCarry64(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt8) {
    let (s1, o1) = a.addingReportingOverflow(b)
    let (res, o2) = s1.addingReportingOverflow(carry)
    let n = UInt8(truncatingIfNeeded: res >> 63) << 3
    let z: UInt8 = res == 0 ? 4 : 0
    let c: UInt8 = o1 || o2 ? 2 : 0
    let v = UInt8(truncatingIfNeeded: ((a ^ res) & (b ^ res)) >> 63)
    return (res, n | z | c | v)
  }

  /// AddWithCarry on 32 bits: the sum (zero-extended) and its NZCV.
  @inline(__always)
  static func addWithCarry32(_ a: UInt32, _ b: UInt32, _ carry: UInt32) -> (UInt64, UInt8) {
    let (s1, o1) = a.addingReportingOverflow(b)
    let (res, o2) = s1.addingReportingOverflow(carry)
    let n = UInt8(truncatingIfNeeded: res >> 31) << 3
    let z: UInt8 = res == 0 ? 4 : 0
    let c: UInt8 = o1 || o2 ? 2 : 0
    let v = UInt8(truncatingIfNeeded: ((a ^ res) & (b ^ res)) >> 31)
    return (UInt64(res), n | z | c | v)
  }

  /// AddWithCarry on 64 bits; sets NZCV when `setFlags`.
  @inline(__always)
  mutating func add64(_ a: UInt64, _ b: UInt64, _ carry: UInt64, setFlags: Bool) -> UInt64 {
    let (res, flags) = Executor.addWithCarry64(a, b, carry)
    if setFlags { nzcv = flags }
    return res
  }

  /// AddWithCarry on 32 bits (result zero-extended); sets NZCV when `setFlags`.
  @inline(__always)
  mutating func add32(_ a: UInt32, _ b: UInt32, _ carry: UInt32, setFlags: Bool) -> UInt64 {
    let (res, flags) = Executor.addWithCarry32(a, b, carry)
    if setFlags { nzcv = flags }
    return res
  }

  /// Adds or subtracts `op2` from `x(op.b)` per the op's flags and writes Rd.
  @inline(__always)
  mutating func addSub(_ op: Op, _ n: UInt64, _ op2: UInt64) {
    let s = op.f & Op.setFlags != 0
    let res: UInt64
    if op.f & Op.sf != 0 {
      res = op.f & Op.subtract != 0 ? add64(n, ~op2, 1, setFlags: s) : add64(n, op2, 0, setFlags: s)
    } else {
      let a = UInt32(truncatingIfNeeded: n)
      let b = UInt32(truncatingIfNeeded: op2)
      res = op.f & Op.subtract != 0 ? add32(a, ~b, 1, setFlags: s) : add32(a, b, 0, setFlags: s)
    }
    r[Int(op.a)] = res
  }

  @inline(__always)
  mutating func execAddImm(_ op: Op) { addSub(op, x(op.b), op.imm) }

  /// Sets N and Z from a logical result, clears C and V.
  @inline(__always)
  mutating func logicFlags(_ res: UInt64, sf: Bool) {
    let n = sf ? res >> 63 : (res >> 31) & 1
    nzcv = UInt8(truncatingIfNeeded: n) << 3 | (res == 0 ? 4 : 0)
  }

  @inline(__always)
  mutating func execLogImm(_ op: Op) {
    let n = x(op.b)
    var res: UInt64
    switch op.g {
    case 0, 3: res = n & op.imm
    case 1: res = n | op.imm
    default: res = n ^ op.imm
    }
    let sf = op.f & Op.sf != 0
    if !sf { res &= 0xFFFF_FFFF }
    if op.f & Op.setFlags != 0 { logicFlags(res, sf: sf) }
    r[Int(op.a)] = res
  }

  /// Rotate right within `esize` bits.
  @inline(__always)
  func ror(_ v: UInt64, _ amount: UInt64, sf: Bool) -> UInt64 {
    if sf { return (v &>> amount) | (v &<< (64 &- amount)) }
    let w = UInt32(truncatingIfNeeded: v)
    let a = UInt32(truncatingIfNeeded: amount)
    return UInt64((w &>> a) | (w &<< (32 &- a)))
  }

  /// SBFM/BFM/UBFM with the masks precomputed at lowering.
  @inline(__always)
  mutating func execBitfield(_ op: Op) {
    let sf = op.f & Op.sf != 0
    let src = sf ? x(op.b) : UInt64(w(op.b))
    let rot = ror(src, UInt64(op.h), sf: sf)
    let wmask = op.imm
    let tmask = op.imm2
    var res: UInt64
    switch op.g {
    case 0:
      let bot = rot & wmask
      let top: UInt64 = (src >> UInt64(op.d)) & 1 != 0 ? ~0 : 0
      res = (top & ~tmask) | (bot & tmask)
    case 1:
      let dst = x(op.c)
      let bot = (dst & ~wmask) | (rot & wmask)
      res = (dst & ~tmask) | (bot & tmask)
    default:
      res = rot & wmask & tmask
    }
    r[Int(op.a)] = sf ? res : res & 0xFFFF_FFFF
  }

  @inline(__always)
  mutating func execExtr(_ op: Op) {
    let lsb = UInt64(op.h)
    if op.f & Op.sf != 0 {
      let m = x(op.c)
      r[Int(op.a)] = lsb == 0 ? m : (m >> lsb) | (x(op.b) << (64 - lsb))
    } else {
      let v = (UInt64(w(op.b)) << 32 | UInt64(w(op.c))) >> lsb
      r[Int(op.a)] = v & 0xFFFF_FFFF
    }
  }

  /// The shifted-register operand: LSL, LSR, ASR, ROR by `amount` in the op's width.
  @inline(__always)
  func shifted(_ v: UInt64, _ type: UInt8, _ amount: UInt8, sf: Bool) -> UInt64 {
    let a = UInt64(amount)
    if sf {
      switch type {
      case 0: return v &<< a
      case 1: return v &>> a
      case 2: return UInt64(bitPattern: Int64(bitPattern: v) &>> Int64(a))
      default: return a == 0 ? v : (v &>> a) | (v &<< (64 - a))
      }
    }
    let w = UInt32(truncatingIfNeeded: v)
    let b = UInt32(a)
    switch type {
    case 0: return UInt64(w &<< b)
    case 1: return UInt64(w &>> b)
    case 2: return UInt64(UInt32(bitPattern: Int32(bitPattern: w) &>> Int32(b)))
    default: return b == 0 ? UInt64(w) : UInt64((w &>> b) | (w &<< (32 - b)))
    }
  }

  @inline(__always)
  mutating func execLogShift(_ op: Op) {
    let sf = op.f & Op.sf != 0
    var m = shifted(x(op.c), op.d, op.h, sf: sf)
    if op.g & 1 == 1 { m = ~m }
    let n = x(op.b)
    var res: UInt64
    switch op.g >> 1 {
    case 0, 3: res = n & m
    case 1: res = n | m
    default: res = n ^ m
    }
    if !sf { res &= 0xFFFF_FFFF }
    if op.f & Op.setFlags != 0 { logicFlags(res, sf: sf) }
    r[Int(op.a)] = res
  }

  @inline(__always)
  mutating func execAddShift(_ op: Op) {
    addSub(op, x(op.b), shifted(x(op.c), op.d, op.h, sf: op.f & Op.sf != 0))
  }

  /// ExtendReg: the extended Rm shifted left by 0…4.
  @inline(__always)
  func extended(_ v: UInt64, _ ext: UInt8, _ amount: UInt8) -> UInt64 {
    let e: UInt64
    switch ext {
    case 0: e = v & 0xff
    case 1: e = v & 0xffff
    case 2: e = v & 0xFFFF_FFFF
    case 3: e = v
    case 4: e = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: v)))
    case 5: e = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: v)))
    case 6: e = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v)))
    default: e = v
    }
    return e &<< UInt64(amount)
  }

  @inline(__always)
  mutating func execAddExt(_ op: Op) {
    addSub(op, x(op.b), extended(x(op.c), op.g, op.h))
  }

  /// ADC/ADCS/SBC/SBCS.
  @inline(__always)
  mutating func execAdc(_ op: Op) {
    let s = op.f & Op.setFlags != 0
    let carry: UInt64 = nzcv & 2 != 0 ? 1 : 0
    var m = x(op.c)
    if op.f & Op.subtract != 0 { m = ~m }
    if op.f & Op.sf != 0 {
      r[Int(op.a)] = add64(x(op.b), m, carry, setFlags: s)
    } else {
      r[Int(op.a)] = add32(
        w(op.b), UInt32(truncatingIfNeeded: m), UInt32(carry), setFlags: s)
    }
  }

  /// CCMP/CCMN: the comparison's flags if the condition holds, else the immediate NZCV.
  @inline(__always)
  mutating func execCcmp(_ op: Op) {
    guard holds(op.g) else {
      nzcv = op.h & 15
      return
    }
    let m = op.f & Op.flag3 != 0 ? op.imm : x(op.c)
    let sub = op.f & Op.subtract != 0
    if op.f & Op.sf != 0 {
      _ = sub ? add64(x(op.b), ~m, 1, setFlags: true) : add64(x(op.b), m, 0, setFlags: true)
    } else {
      let b = UInt32(truncatingIfNeeded: m)
      _ = sub ? add32(w(op.b), ~b, 1, setFlags: true) : add32(w(op.b), b, 0, setFlags: true)
    }
  }

  /// CSEL/CSINC/CSINV/CSNEG.
  @inline(__always)
  mutating func execCsel(_ op: Op) {
    var res: UInt64
    if holds(op.g) {
      res = x(op.b)
    } else {
      let m = x(op.c)
      switch op.d {
      case 0: res = m
      case 1: res = m &+ 1
      case 2: res = ~m
      default: res = 0 &- m
      }
    }
    if op.f & Op.sf == 0 { res &= 0xFFFF_FFFF }
    r[Int(op.a)] = res
  }

  /// MADD/MSUB/SMADDL/SMSUBL/SMULH/UMADDL/UMSUBL/UMULH.
  @inline(__always)
  mutating func execMul(_ op: Op) {
    let n = x(op.b)
    let m = x(op.c)
    let acc = x(op.d)
    var res: UInt64
    switch op.g {
    case 0: res = acc &+ n &* m
    case 1: res = acc &- n &* m
    case 2, 3:
      let p = UInt64(
        bitPattern: Int64(Int32(truncatingIfNeeded: n)) &* Int64(Int32(truncatingIfNeeded: m)))
      res = op.g == 2 ? acc &+ p : acc &- p
    case 4:
      res = UInt64(
        bitPattern: Int64(bitPattern: n).multipliedFullWidth(by: Int64(bitPattern: m)).high)
    case 5, 6:
      let p = (n & 0xFFFF_FFFF) &* (m & 0xFFFF_FFFF)
      res = op.g == 5 ? acc &+ p : acc &- p
    default: res = n.multipliedFullWidth(by: m).high
    }
    if op.f & Op.sf == 0 { res &= 0xFFFF_FFFF }
    r[Int(op.a)] = res
  }

  /// UDIV/SDIV (division by zero gives 0) and LSLV/LSRV/ASRV/RORV (amount modulo the width).
  @inline(__always)
  mutating func execDp2(_ op: Op) {
    let sf = op.f & Op.sf != 0
    let n = x(op.b)
    let m = x(op.c)
    var res: UInt64
    switch op.g {
    case 0b000010:
      if sf {
        res = m == 0 ? 0 : n / m
      } else {
        let a = UInt32(truncatingIfNeeded: n)
        let b = UInt32(truncatingIfNeeded: m)
        res = b == 0 ? 0 : UInt64(a / b)
      }
    case 0b000011:
      if sf {
        let a = Int64(bitPattern: n)
        let b = Int64(bitPattern: m)
        res = b == 0 ? 0 : UInt64(bitPattern: a.dividedReportingOverflow(by: b).partialValue)
      } else {
        let a = Int32(truncatingIfNeeded: n)
        let b = Int32(truncatingIfNeeded: m)
        res =
          b == 0 ? 0 : UInt64(UInt32(bitPattern: a.dividedReportingOverflow(by: b).partialValue))
      }
    default:
      let amount = sf ? m & 63 : m & 31
      res = shifted(n, op.g & 3, UInt8(truncatingIfNeeded: amount), sf: sf)
    }
    if !sf { res &= 0xFFFF_FFFF }
    r[Int(op.a)] = res
  }

  /// RBIT/REV16/REV32/REV/CLZ/CLS.
  @inline(__always)
  mutating func execDp1(_ op: Op) {
    let sf = op.f & Op.sf != 0
    let n = x(op.b)
    var res: UInt64
    switch op.g {
    case 0:
      var v = n
      v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
      v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
      v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
      v = v.byteSwapped
      res = sf ? v : v >> 32
    case 1:
      res = ((n >> 8) & 0x00FF_00FF_00FF_00FF) | ((n & 0x00FF_00FF_00FF_00FF) << 8)
    case 2:
      let s = n.byteSwapped
      res = (s >> 32) | (s << 32)
    case 3:
      res = sf ? n.byteSwapped : UInt64(UInt32(truncatingIfNeeded: n).byteSwapped)
    case 4:
      res = UInt64(sf ? n.leadingZeroBitCount : UInt32(truncatingIfNeeded: n).leadingZeroBitCount)
    default:
      if sf {
        let y = (n ^ (n >> 1)) & 0x7FFF_FFFF_FFFF_FFFF
        res = UInt64(y.leadingZeroBitCount - 1)
      } else {
        let v = UInt32(truncatingIfNeeded: n)
        let y = (v ^ (v >> 1)) & 0x7FFF_FFFF
        res = UInt64(y.leadingZeroBitCount - 1)
      }
    }
    if !sf { res &= 0xFFFF_FFFF }
    r[Int(op.a)] = res
  }
}
