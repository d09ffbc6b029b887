// The fast path: the most frequent instruction forms (hints, RET, register MOV, ADD/SUB/CMP
// immediate, LDR/STR unsigned offset, LDP/STP, B/BL/B.cond/CBZ/TBZ to local labels) encoded
// straight from the operand bytes, without building `AsmOperand`s. Anything unusual (other
// registers classes, out-of-range or unaligned values, symbols needing relocations, unpredictable
// forms) returns nil and takes the general path, which owns every diagnostic. Tests assemble the
// same programs with the fast path on and off and require identical words.

/// The mnemonics of the fast path, keyed by their lower-case bytes packed little-endian.
enum FastMnemonic: UInt64, CaseIterable {
  case nop = 0x706f6e  // nop
  case paciasp = 0x70736169636170  // paciasp
  case autiasp = 0x70736169747561  // autiasp
  case bti = 0x697462  // bti
  case ret = 0x746572  // ret
  case mov = 0x766f6d  // mov
  case add = 0x646461  // add
  case sub = 0x627573  // sub
  case adds = 0x73646461  // adds
  case subs = 0x73627573  // subs
  case cmp = 0x706d63  // cmp
  case cmn = 0x6e6d63  // cmn
  case ldr = 0x72646c  // ldr
  case str = 0x727473  // str
  case ldp = 0x70646c  // ldp
  case stp = 0x707473  // stp
  case b = 0x62  // b
  case bl = 0x6c62  // bl
  case cbz = 0x7a6263  // cbz
  case cbnz = 0x7a6e6263  // cbnz
  case adrp = 0x70726461  // adrp
  case tbz = 0x7a6274  // tbz
  case tbnz = 0x7a6e6274  // tbnz
  case lsl = 0x6c736c  // lsl
  case orr = 0x72726f  // orr
  case and_ = 0x646e61  // and
  case eor = 0x726f65  // eor
  case ands = 0x73646e61  // ands
  case csel = 0x6c657363  // csel
  case csinc = 0x636e697363  // csinc
  case csinv = 0x766e697363  // csinv
  case csneg = 0x67656e7363  // csneg
  case madd = 0x6464616d  // madd
  case msub = 0x6275736d  // msub
  case dmb = 0x626d64  // dmb
  case dsb = 0x627364  // dsb
  /// `b.cond`: the condition is passed separately.
  case bcond = 1

  var name: String {
    var v = rawValue
    var s = ""
    while v != 0 {
      s.unicodeScalars.append(Unicode.Scalar(UInt8(v & 0xff)))
      v >>= 8
    }
    return s
  }

  /// The perfect hash of the raw values: `(key &* hashMultiplier) >> 58` is different for
  /// every case (a test checks it), so a slot names the one mnemonic a key can be.
  static var hashMultiplier: UInt64 { 0x8facc6cabdfc8921 }

  /// The case whose raw value is `key`, or nil: one multiplication, one jump and one
  /// comparison (the compiler's `init(rawValue:)` compared the cases one after another).
  @inline(__always)
  static func byKey(_ key: UInt64) -> FastMnemonic? {
    let m: FastMnemonic
    switch (key &* hashMultiplier) >> 58 {
    case 0: m = .b
    case 1: m = .csneg
    case 3: m = .autiasp
    case 4: m = .ldp
    case 5: m = .lsl
    case 6: m = .cmp
    case 7: m = .eor
    case 8: m = .csel
    case 9: m = .adrp
    case 14: m = .ret
    case 16: m = .msub
    case 18: m = .tbnz
    case 19: m = .csinc
    case 21: m = .and_
    case 22: m = .str
    case 25: m = .csinv
    case 26: m = .ands
    case 28: m = .cbz
    case 31: m = .madd
    case 34: m = .cmn
    case 35: m = .bcond
    case 37: m = .add
    case 38: m = .sub
    case 39: m = .nop
    case 40: m = .ldr
    case 42: m = .adds
    case 43: m = .subs
    case 46: m = .mov
    case 47: m = .cbnz
    case 48: m = .orr
    case 49: m = .paciasp
    case 50: m = .dmb
    case 51: m = .stp
    case 52: m = .bti
    case 53: m = .dsb
    case 57: m = .bl
    case 62: m = .tbz
    default: return nil
    }
    return m.rawValue == key ? m : nil
  }

  /// The mnemonic of `bytes[a..<e]` (any case), with the condition code for `b.cond`.
  static func lookup(_ bytes: SourceBytes, _ a: Int, _ e: Int) -> (FastMnemonic, UInt32?)? {
    let n = e - a
    guard n >= 1, n <= 8 else { return nil }
    var key: UInt64 = 0
    for k in 0..<n { key |= UInt64(lower(bytes[a + k])) << UInt64(8 * k) }
    return lookup(key: key, count: n)
  }

  /// The same from the lower-case bytes packed little-endian (`count` of them).
  @inline(__always)
  static func lookup(key: UInt64, count n: Int) -> (FastMnemonic, UInt32?)? {
    guard n >= 1, n <= 8 else { return nil }
    if n == 4, key & 0xffff == 0x2e62 {  // "b.cc"
      let code: UInt32?
      switch key >> 16 {
      case 0x7165: code = 0  // eq
      case 0x656e: code = 1  // ne
      case 0x7363, 0x7368: code = 2  // cs, hs
      case 0x6363, 0x6f6c: code = 3  // cc, lo
      case 0x696d: code = 4  // mi
      case 0x6c70: code = 5  // pl
      case 0x7376: code = 6  // vs
      case 0x6376: code = 7  // vc
      case 0x6968: code = 8  // hi
      case 0x736c: code = 9  // ls
      case 0x6567: code = 10  // ge
      case 0x746c: code = 11  // lt
      case 0x7467: code = 12  // gt
      case 0x656c: code = 13  // le
      case 0x6c61: code = 14  // al
      default: code = nil
      }
      guard let code else { return nil }
      return (.bcond, code)
    }
    guard let m = FastMnemonic.byKey(key) else { return nil }
    return (m, nil)
  }
}

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
  static func fastReg(_ src: SourceBytes, _ x: Int, _ y: Int) -> FastRegister? {
    registerBytes(src, x, y, fastRegName)
  }

  /// `fastReg` on the two or three bytes at `p`, read as `registerName` reads them (the same
  /// tests, building a `FastRegister`: deriving it from `registerName`'s `Register` cost ~4M
  /// instructions on the 200k mix).
  @inline(__always)
  static func fastRegName(_ p: UnsafePointer<UInt8>, three: Bool) -> FastRegister? {
    let c0 = p[0] | 0x20
    let d1 = p[1] &- 48
    let isX = c0 == 0x78
    if !three {
      if isX || c0 == 0x77 {
        guard d1 < 10 else { return nil }
        return FastRegister(number: UInt32(d1), is64: isX, isSP: false, isZR: false)
      }
      let sp = FastRegister(number: 31, is64: true, isSP: true, isZR: false)
      switch (c0, p[1] | 0x20) {
      case (0x73, 0x70): return sp
      case (0x6c, 0x72): return FastRegister(number: 30, is64: true, isSP: false, isZR: false)
      case (0x66, 0x70): return FastRegister(number: 29, is64: true, isSP: false, isZR: false)
      default: return nil
      }
    }
    guard isX || c0 == 0x77 else { return nil }
    let d2 = p[2] &- 48
    if d1 < 10 {
      // Two digits, no leading zero, at most 30.
      guard d1 != 0, d2 < 10 else { return nil }
      let r = UInt32(d1) &* 10 &+ UInt32(d2)
      return r <= 30 ? FastRegister(number: r, is64: isX, isSP: false, isZR: false) : nil
    }
    let c1 = p[1] | 0x20
    let c2 = p[2] | 0x20
    if c1 == 0x7a && c2 == 0x72 {  // xzr / wzr
      return FastRegister(number: 31, is64: isX, isSP: false, isZR: true)
    }
    if !isX && c1 == 0x73 && c2 == 0x70 {  // wsp
      return FastRegister(number: 31, is64: false, isSP: true, isZR: false)
    }
    return nil
  }

  /// A plain decimal or `0x` immediate with optional `#` and `-` (no expressions, no symbols).
  @inline(__always)
  static func fastImmediate(_ bytes: SourceBytes, _ x: Int, _ y: Int) -> Int64? {
    guard x >= 0, y <= bytes.count else { return nil }
    return bytes.withUnsafeBufferPointer { fastImmediate($0, x, y) }
  }

  /// The same on a buffer (`x..<y` inside it).
  @inline(__always)
  static func fastImmediate(_ src: UnsafeBufferPointer<UInt8>, _ x: Int, _ y: Int) -> Int64? {
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

  /// A branch target: a local label of this section (or `.`-relative) gives the byte offset;
  /// any other symbol gives offset 0 and a relocation of `type` in `pending`; nil otherwise.
  func fastTarget(
    _ x: Int, _ y: Int, pc: Int, _ type: RelocationType, _ pending: inout PendingRelocation?
  ) -> Int64? {
    let src = source.bytes
    let c = src[x]
    guard c != 0x23, c != 0x5b, c != 0x3d else { return nil }  // '#', '[', '='
    guard let v = simpleValue(x, y) ?? (try? evaluate(x, y)), v.minus == nil else { return nil }
    switch v.base {
    case .absolute: return nil
    case .section(let s) where s == current && type != .adrPrelPgHi21:
      return v.add &- Int64(pc)
    default:
      pending = PendingRelocation(type: type, value: v, column: x)
      return 0
    }
  }

  /// The value of a lone symbol or numeric label reference (`foo`, `.Lx`, `1b`, `2f`) without
  /// building an expression parser; nil for anything else.
  func simpleValue(_ x: Int, _ y: Int) -> ExprValue? {
    let src = source.bytes
    var k = x
    while k < y, isSymbolChar(src[k]) { k += 1 }
    guard k == y, y > x else { return nil }
    let c = src[x]
    if isDigit(c) {
      let last = src[y - 1]
      guard y - x >= 2, y - x <= 6, last == 0x62 || last == 0x66 else { return nil }  // b, f
      var n = 0
      for j in x..<(y - 1) {
        guard isDigit(src[j]) else { return nil }
        n = n * 10 + Int(src[j] - 48)
      }
      if y - x > 2 && c == 0x30 { return nil }
      return resolve(numericLabel: n, forward: last == 0x66)
    }
    if c == 0x2e && y - x == 1 { return dot }
    return resolve(symbol: source.string(x, y))
  }

  /// `:lo12:expr` (optionally after `#`) of a symbol: sets `pending`; nil if not that form.
  func fastLo12(_ x: Int, _ y: Int, _ type: RelocationType?, _ pending: inout PendingRelocation?)
    -> Bool
  {
    let src = source.bytes
    var k = x
    if k < y, src[k] == 0x23 { k += 1 }
    guard y - k > 6, src[k] == 0x3a, src[k + 1] | 0x20 == 0x6c, src[k + 2] | 0x20 == 0x6f,
      src[k + 3] == 0x31, src[k + 4] == 0x32, src[k + 5] == 0x3a,
      let v = simpleValue(k + 6, y) ?? (try? evaluate(k + 6, y)), v.minus == nil, !v.isAbsolute
    else { return false }
    pending = PendingRelocation(type: type, value: v, column: k)
    return true
  }

  /// The (N, immr, imms) fields of a logical immediate, or nil if `value` is not a rotated run
  /// of ones replicated over 2, 4, …, 64 bits (all-zeros and all-ones are not encodable).
  static func bitmask(_ value: UInt64, is64: Bool) -> (UInt32, UInt32, UInt32)? {
    var v = value
    if !is64 {
      guard v >> 32 == 0 else { return nil }
      v |= v << 32
    }
    if v == 0 || v == ~0 { return nil }
    var size = 64
    while size > 2 {
      let half = size / 2
      let mask: UInt64 = (1 << UInt64(half)) - 1
      if v & mask != (v >> UInt64(half)) & mask { break }
      size = half
    }
    let mask: UInt64 = size == 64 ? ~0 : (1 << UInt64(size)) - 1
    let element = v & mask
    let ones = element.nonzeroBitCount
    let run: UInt64 = (1 << UInt64(ones)) - 1
    for r in 0..<size {
      // ROR(run, r) within `size` bits.
      let rotated =
        r == 0 ? run : ((run >> UInt64(r)) | (run << UInt64(size - r))) & mask
      if rotated == element {
        let imms = UInt32(truncatingIfNeeded: (~(size - 1) << 1) | (ones - 1)) & 0x3f
        return (size == 64 ? 1 : 0, UInt32(r), imms)
      }
    }
    return nil
  }

  /// The DMB/DSB option of the kernel-form path (`sy`, `st`, `ld`, `ish`, `ishst`, `ishld`,
  /// `nsh`, `osh`) from its lower-case bytes packed little-endian.
  static func barrier(key: UInt64) -> UInt32? {
    switch key {
    case 0x7973: return 15  // sy
    case 0x7473: return 14  // st
    case 0x646c: return 13  // ld
    case 0x68_7369: return 11  // ish
    case 0x74_7368_7369: return 10  // ishst
    case 0x64_6c68_7369: return 9  // ishld
    case 0x68_736e: return 7  // nsh
    case 0x68_736f: return 3  // osh
    default: return nil
    }
  }

  /// The bytes of `r` (one to `max` ≤ 8 of them, none zero) with `A`-`Z` lowered, packed
  /// little-endian; nil when longer, empty or holding a zero byte. For names whose letters are all ASCII this is
  /// what `lowercased()` of the text gives: no other byte lowers to an ASCII letter.
  @inline(__always)
  func lowerKey(_ r: (Int, Int), max: Int) -> UInt64? {
    let (x, y) = r
    guard x < y, y - x <= max, y <= source.bytes.count else { return nil }
    let src = source.bytes
    var v: UInt64 = 0
    for k in x..<y {
      let c = src[k]
      guard c != 0 else { return nil }  // packed, "sy\0" would be "sy"
      v |= UInt64(lower(c)) << UInt64(8 * (k - x))
    }
    return v
  }

  /// `lsl #n` style operand: (shift type, amount).
  func fastShift(_ x: Int, _ y: Int) -> (UInt32, Int64)? {
    // The shift's name from its bytes (no string or dictionary).
    guard y - x >= 5, case .shift(let sh)? = AssemblerState.shiftOrExtend(source.bytes, x, x + 3),
      isBlank(source.bytes[x + 3])
    else { return nil }
    let t = UInt32(sh.rawValue)
    let (ix, iy) = trim(x + 3, y)
    guard let a = AssemblerState.fastImmediate(source.bytes, ix, iy) else { return nil }
    return (t, a)
  }

  /// The word for the statement, or nil to take the general path.
  func fastPath(
    _ m: FastMnemonic, _ ranges: OperandRanges, pc: Int, pending: inout PendingRelocation?,
    conditionCode: UInt32? = nil
  ) -> UInt32? {
    let src = source.bytes
    let n = ranges.count
    switch m {
    case .nop: return n == 0 ? 0xd503_201f : nil
    case .paciasp: return n == 0 ? 0xd503_233f : nil
    case .autiasp: return n == 0 ? 0xd503_23bf : nil
    case .bti:
      if n == 0 { return 0xd503_241f }
      guard n == 1, let key = lowerKey(ranges[0], max: 2) else { return nil }
      switch key {
      case 0x63: return 0xd503_245f  // c
      case 0x6a: return 0xd503_249f  // j
      case 0x636a: return 0xd503_24df  // jc
      default: return nil
      }
    case .ret:
      if n == 0 { return 0xd65f_03c0 }
      guard n == 1, let r = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), r.is64,
        !r.isSP
      else { return nil }
      return 0xd65f_0000 | r.number << 5
    case .mov:
      guard n == 2, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1) else {
        return nil
      }
      guard let s = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1) else {
        // MOV (wide immediate) = MOVZ Rd, #imm16 for 0…0xffff.
        guard !d.isSP, let v = AssemblerState.fastImmediate(src, ranges[1].0, ranges[1].1),
          v >= 0, v <= 0xffff
        else { return nil }
        return (d.is64 ? 0xd280_0000 : 0x5280_0000) | UInt32(v) << 5 | d.number
      }
      guard d.is64 == s.is64 else { return nil }
      let sf: UInt32 = d.is64 ? 1 << 31 : 0
      if d.isSP || s.isSP {
        // MOV (to/from SP) = ADD Rd, Rn, #0.
        guard !d.isZR, !s.isZR else { return nil }
        return sf | 0x1100_0000 | s.number << 5 | d.number
      }
      // MOV (register) = ORR Rd, ZR, Rm.
      return sf | 0x2a00_03e0 | s.number << 16 | d.number
    case .add, .sub, .adds, .subs, .cmp, .cmn:
      let isCompare = m == .cmp || m == .cmn
      let first = isCompare ? 1 : 0  // operands start at rn for cmp/cmn (rd = ZR)
      if n + first >= 3, n + first <= 4,
        let q = AssemblerState.fastReg(src, ranges[2 - first].0, ranges[2 - first].1)
      {
        // ADD/SUB (shifted register); any SP means the extended-register form.
        guard let r = AssemblerState.fastReg(src, ranges[1 - first].0, ranges[1 - first].1)
        else { return nil }
        let d =
          isCompare
          ? FastRegister(number: 31, is64: r.is64, isSP: false, isZR: true)
          : AssemblerState.fastReg(src, ranges[0].0, ranges[0].1)
        guard let d, d.is64 == r.is64, r.is64 == q.is64, !d.isSP, !r.isSP, !q.isSP else {
          return nil
        }
        var shift: (UInt32, Int64) = (0, 0)
        if n + first == 4 {
          guard let sh = fastShift(ranges[3 - first].0, ranges[3 - first].1), sh.0 != 3 else {
            return nil
          }
          shift = sh
        }
        guard shift.1 >= 0, shift.1 < (d.is64 ? 64 : 32) else { return nil }
        let op: UInt32 = (m == .sub || m == .subs || m == .cmp) ? 1 << 30 : 0
        let sflag: UInt32 = (isCompare || m == .adds || m == .subs) ? 1 << 29 : 0
        return (d.is64 ? 1 << 31 : 0) | op | sflag | 0x0b00_0000 | shift.0 << 22 | q.number << 16
          | UInt32(shift.1) << 10 | r.number << 5 | d.number
      }
      guard n == (isCompare ? 2 : 3) else { return nil }
      let d: FastRegister
      let rnRange = ranges[isCompare ? 0 : 1]
      guard let rn = AssemblerState.fastReg(src, rnRange.0, rnRange.1), !rn.isZR else {
        return nil
      }
      let imm: Int64
      if let v = AssemblerState.fastImmediate(src, ranges[n - 1].0, ranges[n - 1].1) {
        imm = v
      } else if m == .add, fastLo12(ranges[2].0, ranges[2].1, .addAbsLo12NC, &pending) {
        imm = 0
      } else {
        return nil
      }
      guard imm >= 0, imm <= 4095 else { return nil }
      let setFlags = isCompare || m == .adds || m == .subs
      if isCompare {
        d = FastRegister(number: 31, is64: rn.is64, isSP: false, isZR: true)
      } else {
        guard let r = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1) else { return nil }
        d = r
      }
      guard d.is64 == rn.is64, setFlags ? !d.isSP : !d.isZR else { return nil }
      let sf: UInt32 = d.is64 ? 1 << 31 : 0
      let op: UInt32 = (m == .sub || m == .subs || m == .cmp) ? 1 << 30 : 0
      let s: UInt32 = setFlags ? 1 << 29 : 0
      return sf | op | s | 0x1100_0000 | UInt32(imm) << 10 | rn.number << 5 | d.number
    case .ldr, .str:
      guard n == 2, let t = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), !t.isSP
      else { return nil }
      guard let (base, imm) = fastMemory(ranges[1].0, ranges[1].1, lo12: &pending) else {
        return nil
      }
      if pending != nil { pending?.type = t.is64 ? .ldst64AbsLo12NC : .ldst32AbsLo12NC }
      let scale: Int64 = t.is64 ? 8 : 4
      guard imm >= 0, imm % scale == 0, imm / scale <= 4095 else { return nil }
      let size: UInt32 = t.is64 ? 3 : 2
      let opc: UInt32 = m == .ldr ? 1 : 0
      return size << 30 | 0x3900_0000 | opc << 22 | UInt32(imm / scale) << 10 | base << 5
        | t.number
    case .ldp, .stp:
      guard n == 3 || n == 4, let t1 = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
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
      let load = m == .ldp
      // Unpredictable forms (Rt == Rt2 on loads, writeback into a transfer register) go the
      // general way.
      if load && t1.number == t2.number { return nil }
      if mode != 2 && base != 31 && (base == t1.number || base == t2.number) { return nil }
      guard imm % 8 == 0, imm >= -512, imm <= 504 else { return nil }
      return 0xa800_0000 | mode << 23 | (load ? 1 << 22 : 0)
        | (UInt32(truncatingIfNeeded: imm / 8) & 0x7f) << 15 | t2.number << 10 | base << 5
        | t1.number
    case .b, .bl:
      guard n == 1,
        let off = fastTarget(
          ranges[0].0, ranges[0].1, pc: pc, m == .bl ? .call26 : .jump26, &pending),
        off & 3 == 0,
        off >= -(1 << 27), off < 1 << 27
      else { return nil }
      return (m == .bl ? 0x9400_0000 : 0x1400_0000)
        | (UInt32(truncatingIfNeeded: off >> 2) & 0x3ff_ffff)
    case .cbz, .cbnz:
      guard n == 2, let t = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), !t.isSP,
        let off = fastTarget(ranges[1].0, ranges[1].1, pc: pc, .condbr19, &pending),
        off & 3 == 0,
        off >= -(1 << 20), off < 1 << 20
      else { return nil }
      return (t.is64 ? 1 << 31 : 0) | 0x3400_0000 | (m == .cbnz ? 1 << 24 : 0)
        | (UInt32(truncatingIfNeeded: off >> 2) & 0x7ffff) << 5 | t.number
    case .adrp:
      guard n == 2, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), d.is64,
        !d.isSP, fastTarget(ranges[1].0, ranges[1].1, pc: pc, .adrPrelPgHi21, &pending) != nil,
        pending != nil
      else { return nil }
      return 0x9000_0000 | d.number
    case .tbz, .tbnz:
      guard n == 3, let t = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1), !t.isSP,
        let bit = AssemblerState.fastImmediate(src, ranges[1].0, ranges[1].1), bit >= 0,
        bit < (t.is64 ? 64 : 32),
        let off = fastTarget(ranges[2].0, ranges[2].1, pc: pc, .tstbr14, &pending),
        off & 3 == 0, off >= -(1 << 15), off < 1 << 15
      else { return nil }
      let b = UInt32(bit)
      return (b >> 5) << 31 | 0x3600_0000 | (m == .tbnz ? 1 << 24 : 0) | (b & 31) << 19
        | (UInt32(truncatingIfNeeded: off >> 2) & 0x3fff) << 5 | t.number
    case .lsl:
      guard n == 3, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
        let r = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1), d.is64 == r.is64,
        !d.isSP, !r.isSP, src[ranges[2].0] == 0x23,
        let sh = AssemblerState.fastImmediate(src, ranges[2].0, ranges[2].1)
      else { return nil }
      let bits: Int64 = d.is64 ? 64 : 32
      guard sh >= 0, sh < bits else { return nil }
      let immr = UInt32((bits - sh) % bits)
      let imms = UInt32(bits - 1 - sh)
      return (d.is64 ? 0xd340_0000 : 0x5300_0000) | immr << 16 | imms << 10 | r.number << 5
        | d.number
    case .orr, .and_, .eor, .ands:
      if n == 3, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
        let r = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1),
        src[ranges[2].0] == 0x23 || isDigit(src[ranges[2].0])
      {
        // Logical (immediate): Rd may be SP except for ANDS; Rn may be ZR, not SP.
        guard d.is64 == r.is64, !r.isSP, m == .ands ? !d.isSP : !d.isZR,
          let v = AssemblerState.fastImmediate(src, ranges[2].0, ranges[2].1), v >= 0,
          let (nbit, immr, imms) = AssemblerState.bitmask(UInt64(v), is64: d.is64)
        else { return nil }
        let opc: UInt32 = m == .and_ ? 0 : m == .orr ? 1 : m == .eor ? 2 : 3
        return (d.is64 ? 1 << 31 : 0) | opc << 29 | 0x1200_0000 | nbit << 22 | immr << 16
          | imms << 10 | r.number << 5 | d.number
      }
      guard n == 3 || n == 4, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
        let r = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1),
        let q = AssemblerState.fastReg(src, ranges[2].0, ranges[2].1),
        d.is64 == r.is64, r.is64 == q.is64, !d.isSP, !r.isSP, !q.isSP
      else { return nil }
      var shift: (UInt32, Int64) = (0, 0)
      if n == 4 {
        guard let s = fastShift(ranges[3].0, ranges[3].1) else { return nil }
        shift = s
      }
      guard shift.1 >= 0, shift.1 < (d.is64 ? 64 : 32) else { return nil }
      let opc: UInt32 = m == .and_ ? 0 : m == .orr ? 1 : m == .eor ? 2 : 3
      return (d.is64 ? 1 << 31 : 0) | opc << 29 | 0x0a00_0000 | shift.0 << 22 | q.number << 16
        | UInt32(shift.1) << 10 | r.number << 5 | d.number
    case .csel, .csinc, .csinv, .csneg:
      guard n == 4, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
        let r = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1),
        let q = AssemblerState.fastReg(src, ranges[2].0, ranges[2].1),
        d.is64 == r.is64, r.is64 == q.is64, !d.isSP, !r.isSP, !q.isSP,
        ranges[3].1 - ranges[3].0 == 2,
        let c = Matcher.condition(
          packed: UInt16(lower(src[ranges[3].0])) << 8 | UInt16(lower(src[ranges[3].0 + 1]))),
        c != .nv
      else { return nil }
      let op: UInt32 = m == .csinv || m == .csneg ? 1 << 30 : 0
      let o2: UInt32 = m == .csinc || m == .csneg ? 1 << 10 : 0
      return (d.is64 ? 1 << 31 : 0) | op | 0x1a80_0000 | q.number << 16 | UInt32(c.rawValue) << 12
        | o2
        | r.number << 5 | d.number
    case .madd, .msub:
      guard n == 4, let d = AssemblerState.fastReg(src, ranges[0].0, ranges[0].1),
        let r = AssemblerState.fastReg(src, ranges[1].0, ranges[1].1),
        let q = AssemblerState.fastReg(src, ranges[2].0, ranges[2].1),
        let a = AssemblerState.fastReg(src, ranges[3].0, ranges[3].1),
        d.is64 == r.is64, r.is64 == q.is64, q.is64 == a.is64, !d.isSP, !r.isSP, !q.isSP,
        !a.isSP
      else { return nil }
      return (d.is64 ? 1 << 31 : 0) | 0x1b00_0000 | q.number << 16 | (m == .msub ? 1 << 15 : 0)
        | a.number << 10 | r.number << 5 | d.number
    case .dmb, .dsb:
      guard n == 1, let key = lowerKey(ranges[0], max: 5),
        let o = AssemblerState.barrier(key: key)
      else { return nil }
      return (m == .dmb ? 0xd503_30bf : 0xd503_309f) | o << 8
    case .bcond:
      if n == 1, let c = conditionCode,
        let off = fastTarget(ranges[0].0, ranges[0].1, pc: pc, .condbr19, &pending),
        off & 3 == 0, off >= -(1 << 20), off < 1 << 20
      {
        return 0x5400_0000 | (UInt32(truncatingIfNeeded: off >> 2) & 0x7ffff) << 5 | c
      }
      return nil
    }
  }

  /// `[xn|sp]` or `[xn|sp, #imm]` with a plain immediate: (base number, offset).
  func fastMemory(_ x: Int, _ y: Int) -> (UInt32, Int64)? {
    var none: PendingRelocation? = nil
    let found = fastMemory(x, y, lo12: &none)
    // A `:lo12:` offset here (LDP/STP) is for the general path to diagnose, not to drop.
    return none == nil ? found : nil
  }

  /// As above, also accepting `[xn, :lo12:sym]` (offset 0, relocation in `pending`, type unset).
  func fastMemory(_ x: Int, _ y: Int, lo12 pending: inout PendingRelocation?) -> (UInt32, Int64)? {
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
    guard let imm = AssemblerState.fastImmediate(src, ix, iy) else {
      if fastLo12(ix, iy, nil, &pending) { return (base.number, 0) }
      return nil
    }
    return (base.number, imm)
  }
}
