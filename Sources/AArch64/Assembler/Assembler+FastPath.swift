// The fast path: the most frequent instruction forms (hints, RET, register MOV, ADD/SUB/CMP
// immediate, LDR/STR unsigned offset, LDP/STP, B/BL/B.cond/CBZ/TBZ to local labels) encoded
// straight from the operand bytes, without building `AsmOperand`s. Anything unusual (other
// registers classes, out-of-range or unaligned values, symbols needing relocations, unpredictable
// forms) returns nil and takes the general path, which owns every diagnostic. Tests assemble the
// same programs with the fast path on and off and require identical words.

extension AssemblerState {
  /// A general-purpose register operand: number 0…31 (31 = SP or ZR as flagged) and width.
  struct FastRegister {
    var number: UInt32
    var is64: Bool
    var isSP: Bool
    var isZR: Bool
  }

  /// Parses `x0`…`x30`, `w0`…`w30`, `sp`, `wsp`, `xzr`, `wzr`, `lr`, `fp` from bytes.
  @inline(__always)
  static func fastReg(_ src: [UInt8], _ x: Int, _ y: Int) -> FastRegister? {
    let n = y - x
    guard n >= 2, n <= 3 else { return nil }
    let c0 = src[x] | 0x20
    let c1 = src[x + 1] | 0x20
    if n == 2 {
      if c0 == 0x73 && c1 == 0x70 {
        return FastRegister(number: 31, is64: true, isSP: true, isZR: false)
      }  // sp
      if c0 == 0x6c && c1 == 0x72 {
        return FastRegister(number: 30, is64: true, isSP: false, isZR: false)
      }  // lr
      if c0 == 0x66 && c1 == 0x70 {
        return FastRegister(number: 29, is64: true, isSP: false, isZR: false)
      }  // fp
      let d = src[x + 1]
      guard c0 == 0x78 || c0 == 0x77, d >= 48, d <= 57 else { return nil }
      return FastRegister(number: UInt32(d - 48), is64: c0 == 0x78, isSP: false, isZR: false)
    }
    let c2 = src[x + 2] | 0x20
    if c1 == 0x7a && c2 == 0x72 && (c0 == 0x78 || c0 == 0x77) {  // xzr / wzr
      return FastRegister(number: 31, is64: c0 == 0x78, isSP: false, isZR: true)
    }
    if c0 == 0x77 && c1 == 0x73 && c2 == 0x70 {  // wsp
      return FastRegister(number: 31, is64: false, isSP: true, isZR: false)
    }
    let d1 = src[x + 1]
    let d2 = src[x + 2]
    guard c0 == 0x78 || c0 == 0x77, d1 >= 49, d1 <= 51, d2 >= 48, d2 <= 57 else { return nil }
    let r = UInt32(d1 - 48) * 10 + UInt32(d2 - 48)
    guard r <= 30 else { return nil }
    return FastRegister(number: r, is64: c0 == 0x78, isSP: false, isZR: false)
  }

  /// A plain decimal or `0x` immediate with optional `#` and `-` (no expressions, no symbols).
  @inline(__always)
  static func fastImmediate(_ src: [UInt8], _ x: Int, _ y: Int) -> Int64? {
    var k = x
    if k < y, src[k] == 0x23 { k += 1 }  // '#'
    var negative = false
    if k < y, src[k] == 0x2d {  // '-'
      negative = true
      k += 1
    }
    guard k < y else { return nil }
    var v: Int64 = 0
    if y - k > 2, src[k] == 0x30, src[k + 1] | 0x20 == 0x78 {
      k += 2
      guard y - k <= 8 else { return nil }
      while k < y {
        let c = src[k]
        let d: Int64
        if c >= 48 && c <= 57 {
          d = Int64(c - 48)
        } else if c | 0x20 >= 97 && c | 0x20 <= 102 {
          d = Int64(c | 0x20) - 87
        } else {
          return nil
        }
        v = v * 16 + d
        k += 1
      }
    } else {
      guard y - k <= 9, !(src[k] == 0x30 && y - k > 1) else { return nil }  // not octal
      while k < y {
        let c = src[k]
        guard c >= 48, c <= 57 else { return nil }
        v = v * 10 + Int64(c - 48)
        k += 1
      }
    }
    return negative ? -v : v
  }

  static let conditions: [String: UInt32] = [
    "eq": 0, "ne": 1, "cs": 2, "hs": 2, "cc": 3, "lo": 3, "mi": 4, "pl": 5, "vs": 6, "vc": 7,
    "hi": 8, "ls": 9, "ge": 10, "lt": 11, "gt": 12, "le": 13, "al": 14,
  ]

  /// A target that is a local label of this section (or `.`-relative): the byte offset, or nil.
  func fastTarget(_ x: Int, _ y: Int, pc: Int) -> Int64? {
    let src = source.bytes
    let c = src[x]
    guard c != 0x23, c != 0x5b, c != 0x3d else { return nil }  // '#', '[', '='
    guard let v = try? evaluate(x, y), v.minus == nil, case .section(let s) = v.base,
      s == current
    else { return nil }
    return v.add &- Int64(pc)
  }

  /// The word for the statement, or nil to take the general path.
  func fastPath(_ m: String, _ ranges: [(Int, Int)], pc: Int) -> UInt32? {
    let src = source.bytes
    let n = ranges.count
    switch m {
    case "nop": return n == 0 ? 0xd503_201f : nil
    case "paciasp": return n == 0 ? 0xd503_233f : nil
    case "autiasp": return n == 0 ? 0xd503_23bf : nil
    case "bti":
      if n == 0 { return 0xd503_241f }
      guard n == 1, ranges[0].1 - ranges[0].0 <= 2 else { return nil }
      switch source.string(ranges[0].0, ranges[0].1).lowercased() {
      case "c": return 0xd503_245f
      case "j": return 0xd503_249f
      case "jc": return 0xd503_24df
      default: return nil
      }
    case "ret":
      if n == 0 { return 0xd65f_03c0 }
      guard n == 1, let r = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), r.is64,
        !r.isSP
      else { return nil }
      return 0xd65f_0000 | r.number << 5
    case "mov":
      guard n == 2, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
        let s = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1), d.is64 == s.is64
      else { return nil }
      let sf: UInt32 = d.is64 ? 1 << 31 : 0
      if d.isSP || s.isSP {
        // MOV (to/from SP) = ADD Rd, Rn, #0.
        guard !d.isZR, !s.isZR else { return nil }
        return sf | 0x1100_0000 | s.number << 5 | d.number
      }
      // MOV (register) = ORR Rd, ZR, Rm.
      return sf | 0x2a00_03e0 | s.number << 16 | d.number
    case "add", "sub", "adds", "subs", "cmp", "cmn":
      let isCompare = m == "cmp" || m == "cmn"
      guard n == (isCompare ? 2 : 3) else { return nil }
      let d: FastRegister
      let rnRange = ranges[isCompare ? 0 : 1]
      guard let rn = AssemblerState.fastReg(src, rnRange.0, rnRange.1), !rn.isZR,
        let imm = AssemblerState.fastImmediate(src, ranges[n - 1].0, ranges[n - 1].1), imm >= 0,
        imm <= 4095
      else { return nil }
      let setFlags = isCompare || m.utf8.count == 4
      if isCompare {
        d = FastRegister(number: 31, is64: rn.is64, isSP: false, isZR: true)
      } else {
        guard let r = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1) else { return nil }
        d = r
      }
      guard d.is64 == rn.is64, setFlags ? !d.isSP : !d.isZR else { return nil }
      let sf: UInt32 = d.is64 ? 1 << 31 : 0
      let op: UInt32 = (m == "sub" || m == "subs" || m == "cmp") ? 1 << 30 : 0
      let s: UInt32 = setFlags ? 1 << 29 : 0
      return sf | op | s | 0x1100_0000 | UInt32(imm) << 10 | rn.number << 5 | d.number
    case "ldr", "str":
      guard n == 2, let t = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), !t.isSP,
        let (base, imm) = fastMemory(ranges[1].0, ranges[1].1)
      else { return nil }
      let scale: Int64 = t.is64 ? 8 : 4
      guard imm >= 0, imm % scale == 0, imm / scale <= 4095 else { return nil }
      let size: UInt32 = t.is64 ? 3 : 2
      let opc: UInt32 = m == "ldr" ? 1 : 0
      return size << 30 | 0x3900_0000 | opc << 22 | UInt32(imm / scale) << 10 | base << 5
        | t.number
    case "ldp", "stp":
      guard n == 2 || n == 3, let t1 = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
        let t2 = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1), t1.is64, t2.is64,
        !t1.isSP, !t2.isSP
      else { return nil }
      let mode: UInt32
      var imm: Int64
      var base: UInt32
      if n == 3 {
        var (mx, my) = ranges[2]
        var pre = false
        if src[my - 1] == 0x21 {  // '!'
          pre = true
          (mx, my) = trim(mx, my - 1)
        }
        guard let (b, i) = fastMemory(mx, my) else { return nil }
        (base, imm, mode) = (b, i, pre ? 3 : 2)
      } else {
        let (mx, my) = ranges[2]
        guard my - mx <= 5, let (b, i) = fastMemory(mx, my), i == 0,
          let post = AssemblerState.fastImmediate(src, ranges[3].0, ranges[3].1)
        else { return nil }
        (base, imm, mode) = (b, post, 1)
      }
      let load = m == "ldp"
      // Unpredictable forms (Rt == Rt2 on loads, writeback into a transfer register) go the
      // general way.
      if load && t1.number == t2.number { return nil }
      if mode != 2 && base != 31 && (base == t1.number || base == t2.number) { return nil }
      guard imm % 8 == 0, imm >= -512, imm <= 504 else { return nil }
      return 0xa800_0000 | mode << 23 | (load ? 1 << 22 : 0)
        | (UInt32(truncatingIfNeeded: imm / 8) & 0x7f) << 15 | t2.number << 10 | base << 5
        | t1.number
    case "b", "bl":
      guard n == 1, let off = fastTarget(ranges[0].0, ranges[0].1, pc: pc), off & 3 == 0,
        off >= -(1 << 27), off < 1 << 27
      else { return nil }
      return (m == "bl" ? 0x9400_0000 : 0x1400_0000)
        | (UInt32(truncatingIfNeeded: off >> 2) & 0x3ff_ffff)
    case "cbz", "cbnz":
      guard n == 2, let t = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), !t.isSP,
        let off = fastTarget(ranges[1].0, ranges[1].1, pc: pc), off & 3 == 0,
        off >= -(1 << 20), off < 1 << 20
      else { return nil }
      return (t.is64 ? 1 << 31 : 0) | 0x3400_0000 | (m == "cbnz" ? 1 << 24 : 0)
        | (UInt32(truncatingIfNeeded: off >> 2) & 0x7ffff) << 5 | t.number
    default:
      if m.utf8.count == 4 || m.utf8.count == 5, m.hasPrefix("b."), n == 1,
        let c = AssemblerState.conditions[String(m.dropFirst(2))],
        let off = fastTarget(ranges[0].0, ranges[0].1, pc: pc), off & 3 == 0,
        off >= -(1 << 20), off < 1 << 20
      {
        return 0x5400_0000 | (UInt32(truncatingIfNeeded: off >> 2) & 0x7ffff) << 5 | c
      }
      return nil
    }
  }

  /// `[xn|sp]` or `[xn|sp, #imm]` with a plain immediate: (base number, offset).
  func fastMemory(_ x: Int, _ y: Int) -> (UInt32, Int64)? {
    let src = source.bytes
    guard y - x >= 4, src[x] == 0x5b, src[y - 1] == 0x5d else { return nil }
    var k = x + 1
    while k < y - 1, src[k] != 0x2c, src[k] != 0x5d { k += 1 }
    let (bx, by) = trim(x + 1, k)
    guard let base = AssemblerState.fastReg(src, bx, by), base.is64, !base.isZR else {
      return nil
    }
    if k == y - 1 { return (base.number, 0) }
    let (ix, iy) = trim(k + 1, y - 1)
    guard let imm = AssemblerState.fastImmediate(src, ix, iy) else { return nil }
    return (base.number, imm)
  }
}
