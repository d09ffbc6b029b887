// The byte-level printer: the common instruction classes written straight into one reusable
// UTF-8 buffer (no operand arrays, no per-operand Strings). It must print exactly what
// `Printer.parts` prints; the classes it does not handle fall back to `Printer.parts`.

/// A UTF-8 output buffer for the printer: mnemonic, then operands (`\t` before the first,
/// `, ` between the others).
struct TextOutput {
  var bytes: [UInt8]
  /// Operands written since the mnemonic.
  var operands = 0

  init(bytes: consuming [UInt8]) { self.bytes = bytes }

  static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  @inline(__always)
  mutating func literal(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  @inline(__always)
  mutating func string(_ s: String) {
    bytes.append(contentsOf: s.utf8)
  }

  /// Starts a mnemonic.
  @inline(__always)
  mutating func mnemonic(_ s: StaticString) {
    literal(s)
    operands = 0
  }

  /// Starts the next operand.
  @inline(__always)
  mutating func next() {
    if operands == 0 {
      bytes.append(9)
    } else {
      bytes.append(44)
      bytes.append(32)
    }
    operands += 1
  }

  mutating func reg(_ r: Register) {
    switch r.name {
    case .r(let n):
      bytes.append(r.width == .x ? 120 : 119)  // x / w
      if n >= 10 && n < 100 {
        bytes.append(48 + n / 10)
        bytes.append(48 + n % 10)
      } else {
        decimal(UInt64(n))
      }
    case .sp: if r.width == .x { literal("sp") } else { literal("wsp") }
    case .zr: if r.width == .x { literal("xzr") } else { literal("wzr") }
    }
  }

  /// An operand that is a register.
  @inline(__always)
  mutating func opReg(_ r: Register) {
    next()
    reg(r)
  }

  mutating func decimal(_ v: UInt64) {
    if v < 10 {
      bytes.append(48 + UInt8(v))
      return
    }
    if v < 100 {
      bytes.append(48 + UInt8(v / 10))
      bytes.append(48 + UInt8(v % 10))
      return
    }
    if v < 1000 {
      bytes.append(48 + UInt8(v / 100))
      bytes.append(48 + UInt8(v / 10 % 10))
      bytes.append(48 + UInt8(v % 10))
      return
    }
    var p: UInt64 = 1000
    while p <= v / 10 { p *= 10 }
    while p > 0 {
      bytes.append(48 + UInt8(v / p % 10))
      p /= 10
    }
  }

  mutating func signed(_ v: Int64) {
    if v < 0 {
      bytes.append(45)
      decimal(v.magnitude)
    } else {
      decimal(UInt64(v))
    }
  }

  /// `#12` / `#-16`.
  @inline(__always)
  mutating func hashSigned(_ v: Int64) {
    bytes.append(35)
    signed(v)
  }

  @inline(__always)
  mutating func hashDecimal(_ v: UInt64) {
    bytes.append(35)
    decimal(v)
  }

  /// Bare lowercase hex without leading zeros (`0` for zero).
  mutating func hex(_ v: UInt64) {
    let digits = v == 0 ? 1 : (67 - v.leadingZeroBitCount) / 4
    var shift = 4 * (digits - 1)
    while shift >= 0 {
      let d = UInt8((v >> UInt64(shift)) & 15)
      bytes.append(d < 10 ? 48 + d : 87 + d)
      shift -= 4
    }
  }

  /// `#0x1f`.
  @inline(__always)
  mutating func hashHex(_ v: UInt64) {
    literal("#0x")
    hex(v)
  }

  /// `#0x0f`: at least two hex digits.
  mutating func hashHex2(_ v: UInt8) {
    literal("#0x")
    if v < 16 { bytes.append(48) }
    hex(UInt64(v))
  }

  /// `[base]` or `[base, #off]`.
  mutating func memory(_ base: Register, _ off: Int64) {
    bytes.append(91)
    reg(base)
    if off != 0 {
      literal(", #")
      signed(off)
    }
    bytes.append(93)
  }

  /// The `shift #n` suffix operand (nothing for `lsl #0`).
  mutating func shiftSuffix(_ s: Shift, _ amount: UInt8) {
    if s == .lsl && amount == 0 { return }
    next()
    string(s.description)
    literal(" #")
    decimal(UInt64(amount))
  }
}

extension Printer {
  /// Writes `i` into `o` if it is one of the classes handled here (targets printed as
  /// addresses); returns false, having written nothing, otherwise.
  // swift-format-ignore
  static func emit(_ i: Instruction, pc: UInt64, into o: inout TextOutput) -> Bool {
    switch i {
    case .branch(let link, let off):
      if link { o.mnemonic("bl") } else { o.mnemonic("b") }
      o.next(); o.hex(off.target(from: pc))
    case .branchConditional(let c, let off):
      o.mnemonic("b."); o.string(c.description)
      o.next(); o.hex(off.target(from: pc))
    case .compareAndBranch(let nz, let rt, let off):
      if nz { o.mnemonic("cbnz") } else { o.mnemonic("cbz") }
      o.opReg(rt)
      o.next(); o.hex(off.target(from: pc))
    case .testAndBranch(let nz, let rt, let bit, let off):
      if nz { o.mnemonic("tbnz") } else { o.mnemonic("tbz") }
      o.opReg(rt)
      o.next(); o.hashDecimal(UInt64(bit))
      o.next(); o.hex(off.target(from: pc))
    case .branchRegister(let k, let rn):
      switch k {
      case .br: o.mnemonic("br"); o.opReg(rn)
      case .blr: o.mnemonic("blr"); o.opReg(rn)
      case .ret: o.mnemonic("ret"); if rn != .lr { o.opReg(rn) }
      }
    case .pcRelative(let rd, let off):
      if off.width == .adrp21 { o.mnemonic("adrp") } else { o.mnemonic("adr") }
      o.opReg(rd)
      o.next(); o.hex(off.target(from: pc))
    case .loadLiteral(let k, let rt, let off):
      if k == .ldrsw { o.mnemonic("ldrsw") } else { o.mnemonic("ldr") }
      o.opReg(rt)
      o.next(); o.hex(off.target(from: pc))
    case .hint(let h):
      if let n = h.name {
        var first = true
        for p in n.utf8.split(separator: 32) {
          if first {
            o.operands = 0
            first = false
          } else {
            o.next()
          }
          o.bytes.append(contentsOf: p)
        }
        if first { o.operands = 0 }
      } else {
        o.mnemonic("hint"); o.next(); o.hashHex(UInt64(h.rawValue))
      }
    case .barrier(let b):
      switch b {
      case .dsb(let op), .dmb(let op):
        if case .dsb = b { o.mnemonic("dsb") } else { o.mnemonic("dmb") }
        o.next()
        if let name = op.name { o.string(name) } else { o.hashHex2(op.rawValue) }
      case .isb(let op):
        o.mnemonic("isb")
        if op != .sy { o.next(); o.hashHex(UInt64(op.rawValue)) }
      case .ssbb: o.mnemonic("ssbb")
      case .pssbb: o.mnemonic("pssbb")
      case .sb: o.mnemonic("sb")
      case .clrex(let v):
        o.mnemonic("clrex")
        if v != 15 { o.next(); o.hashHex(UInt64(v)) }
      }
    case .addSubImmediate(let a): addSubImmediate(a, &o)
    case .logicalImmediate(let l): logicalImmediate(l, &o)
    case .moveWide(let m): moveWide(m, &o)
    case .bitfield(let b): bitfield(b, &o)
    case .logicalShifted(let l): logicalShifted(l, &o)
    case .addSubShifted(let a): addSubShifted(a, &o)
    case .addSubExtended(let a): addSubExtended(a, &o)
    case .conditionalSelect(let c): conditionalSelect(c, &o)
    case .multiply(let m): multiply(m, &o)
    case .dataProcessing2(let op, let rd, let rn, let rm):
      switch op {
      case .udiv: o.mnemonic("udiv")
      case .sdiv: o.mnemonic("sdiv")
      case .lslv: o.mnemonic("lsl")
      case .lsrv: o.mnemonic("lsr")
      case .asrv: o.mnemonic("asr")
      case .rorv: o.mnemonic("ror")
      }
      o.opReg(rd); o.opReg(rn); o.opReg(rm)
    case .dataProcessing1(let op, let rd, let rn):
      switch op {
      case .rbit: o.mnemonic("rbit")
      case .rev16: o.mnemonic("rev16")
      case .rev32: o.mnemonic("rev32")
      case .rev: o.mnemonic("rev")
      case .clz: o.mnemonic("clz")
      case .cls: o.mnemonic("cls")
      }
      o.opReg(rd); o.opReg(rn)
    case .loadStore(let l): loadStore(l, &o)
    case .loadStorePair(let p):
      switch p.op {
      case .stp: o.mnemonic("stp")
      case .ldp: o.mnemonic("ldp")
      case .ldpsw: o.mnemonic("ldpsw")
      case .stnp: o.mnemonic("stnp")
      case .ldnp: o.mnemonic("ldnp")
      }
      o.opReg(p.rt); o.opReg(p.rt2)
      o.next()
      switch p.mode {
      case .signedOffset: o.memory(p.base, p.offset)
      case .preIndex:
        o.bytes.append(91); o.reg(p.base); o.literal(", #"); o.signed(p.offset); o.literal("]!")
      case .postIndex:
        o.bytes.append(91); o.reg(p.base); o.bytes.append(93)
        o.next(); o.hashSigned(p.offset)
      }
    default:
      return false
    }
    return true
  }

  // swift-format-ignore
  static func addSubImmediate(_ a: AddSubImmediate, _ o: inout TextOutput) {
    if !a.subtract && !a.setFlags && !a.shift12 && a.imm12 == 0 && (a.rd.isSP || a.rn.isSP) {
      o.mnemonic("mov"); o.opReg(a.rd); o.opReg(a.rn)
      return
    }
    if a.setFlags && a.rd.isZR {
      if a.subtract { o.mnemonic("cmp") } else { o.mnemonic("cmn") }
      o.opReg(a.rn)
    } else {
      switch (a.subtract, a.setFlags) {
      case (false, false): o.mnemonic("add")
      case (false, true): o.mnemonic("adds")
      case (true, false): o.mnemonic("sub")
      case (true, true): o.mnemonic("subs")
      }
      o.opReg(a.rd); o.opReg(a.rn)
    }
    o.next(); o.hashHex(UInt64(a.imm12))
    if a.shift12 { o.next(); o.literal("lsl #12") }
  }

  // swift-format-ignore
  static func logicalImmediate(_ l: LogicalImmediate, _ o: inout TextOutput) {
    if l.op == .ands && l.rd.isZR {
      o.mnemonic("tst"); o.opReg(l.rn)
    } else if l.op == .orr && l.rn.isZR && (l.rd.isSP || !isMoveWideValue(l.value, l.rd.width)) {
      o.mnemonic("mov"); o.opReg(l.rd)
    } else {
      switch l.op {
      case .and: o.mnemonic("and")
      case .orr: o.mnemonic("orr")
      case .eor: o.mnemonic("eor")
      case .ands: o.mnemonic("ands")
      }
      o.opReg(l.rd); o.opReg(l.rn)
    }
    o.next(); o.hashHex(l.value)
  }

  // swift-format-ignore
  static func moveWide(_ m: MoveWide, _ o: inout TextOutput) {
    let raw = UInt64(m.imm16) << UInt64(m.shift)
    func shifted(_ o: inout TextOutput) {
      o.next(); o.hashHex(UInt64(m.imm16))
      if m.shift != 0 { o.next(); o.literal("lsl #"); o.decimal(UInt64(m.shift)) }
    }
    switch m.op {
    case .movk: o.mnemonic("movk"); o.opReg(m.rd); shifted(&o)
    case .movz:
      if m.imm16 == 0 && m.shift != 0 { o.mnemonic("movz"); o.opReg(m.rd); shifted(&o); return }
      o.mnemonic("mov"); o.opReg(m.rd); o.next(); o.hashHex(raw)
    case .movn:
      if (m.imm16 == 0 && m.shift != 0) || (m.rd.width == .w && m.imm16 == 0xffff) {
        o.mnemonic("movn"); o.opReg(m.rd); shifted(&o); return
      }
      let v = m.rd.width == .x ? ~raw : ~raw & 0xffff_ffff
      o.mnemonic("mov"); o.opReg(m.rd); o.next(); o.hashHex(v)
    }
  }

  // swift-format-ignore
  static func bitfield(_ b: Bitfield, _ o: inout TextOutput) {
    let w = b.rd.width
    let bits = UInt8(w.bits)
    let (r, s) = (b.immr, b.imms)
    func two(_ m: StaticString, _ o: inout TextOutput) { o.mnemonic(m); o.opReg(b.rd); o.opReg(b.rn) }
    func nums(_ x: UInt8, _ y: UInt8, _ o: inout TextOutput) {
      o.next(); o.hashDecimal(UInt64(x)); o.next(); o.hashDecimal(UInt64(y))
    }
    switch b.op {
    case .sbfm:
      if s == bits - 1 { two("asr", &o); o.next(); o.hashDecimal(UInt64(r)); return }
      if s < r { two("sbfiz", &o); nums(bits - r, s + 1, &o); return }
      if bfxPreferred(w, unsigned: false, imms: s, immr: r) {
        two("sbfx", &o); nums(r, s - r + 1, &o); return
      }
      if r == 0 {
        let wn = b.rn.with(.w)
        if s == 7 { o.mnemonic("sxtb"); o.opReg(b.rd); o.opReg(wn); return }
        if s == 15 { o.mnemonic("sxth"); o.opReg(b.rd); o.opReg(wn); return }
        if s == 31 && w == .x { o.mnemonic("sxtw"); o.opReg(b.rd); o.opReg(wn); return }
      }
      two("sbfm", &o); nums(r, s, &o)
    case .ubfm:
      if s != bits - 1 && s + 1 == r { two("lsl", &o); o.next(); o.hashDecimal(UInt64(bits - 1 - s)); return }
      if s == bits - 1 { two("lsr", &o); o.next(); o.hashDecimal(UInt64(r)); return }
      if s < r { two("ubfiz", &o); nums(bits - r, s + 1, &o); return }
      if bfxPreferred(w, unsigned: true, imms: s, immr: r) {
        two("ubfx", &o); nums(r, s - r + 1, &o); return
      }
      if r == 0 && w == .w {
        if s == 7 { two("uxtb", &o); return }
        if s == 15 { two("uxth", &o); return }
      }
      two("ubfm", &o); nums(r, s, &o)
    case .bfm:
      if s < r {
        if b.rn.isZR { o.mnemonic("bfc"); o.opReg(b.rd); nums(bits - r, s + 1, &o); return }
        two("bfi", &o); nums(bits - r, s + 1, &o); return
      }
      two("bfxil", &o); nums(r, s - r + 1, &o)
    }
  }

  // swift-format-ignore
  static func logicalShifted(_ l: LogicalShifted, _ o: inout TextOutput) {
    if l.op == .orr && l.rn.isZR && l.shift == .lsl && l.amount == 0 {
      o.mnemonic("mov"); o.opReg(l.rd); o.opReg(l.rm); return
    }
    if l.op == .orn && l.rn.isZR {
      o.mnemonic("mvn"); o.opReg(l.rd); o.opReg(l.rm); o.shiftSuffix(l.shift, l.amount); return
    }
    if l.op == .ands && l.rd.isZR {
      o.mnemonic("tst"); o.opReg(l.rn); o.opReg(l.rm); o.shiftSuffix(l.shift, l.amount); return
    }
    switch l.op {
    case .and: o.mnemonic("and")
    case .bic: o.mnemonic("bic")
    case .orr: o.mnemonic("orr")
    case .orn: o.mnemonic("orn")
    case .eor: o.mnemonic("eor")
    case .eon: o.mnemonic("eon")
    case .ands: o.mnemonic("ands")
    case .bics: o.mnemonic("bics")
    }
    o.opReg(l.rd); o.opReg(l.rn); o.opReg(l.rm); o.shiftSuffix(l.shift, l.amount)
  }

  static func addSubMnemonic(_ subtract: Bool, _ setFlags: Bool, _ o: inout TextOutput) {
    switch (subtract, setFlags) {
    case (false, false): o.mnemonic("add")
    case (false, true): o.mnemonic("adds")
    case (true, false): o.mnemonic("sub")
    case (true, true): o.mnemonic("subs")
    }
  }

  // swift-format-ignore
  static func addSubShifted(_ a: AddSubShifted, _ o: inout TextOutput) {
    if a.setFlags && a.rd.isZR {
      if a.subtract { o.mnemonic("cmp") } else { o.mnemonic("cmn") }
      o.opReg(a.rn); o.opReg(a.rm)
    } else if a.subtract && a.rn.isZR {
      if a.setFlags { o.mnemonic("negs") } else { o.mnemonic("neg") }
      o.opReg(a.rd); o.opReg(a.rm)
    } else {
      addSubMnemonic(a.subtract, a.setFlags, &o)
      o.opReg(a.rd); o.opReg(a.rn); o.opReg(a.rm)
    }
    o.shiftSuffix(a.shift, a.amount)
  }

  // swift-format-ignore
  static func addSubExtended(_ a: AddSubExtended, _ o: inout TextOutput) {
    if a.setFlags && a.rd.isZR {
      if a.subtract { o.mnemonic("cmp") } else { o.mnemonic("cmn") }
      o.opReg(a.rn); o.opReg(a.rm)
    } else {
      addSubMnemonic(a.subtract, a.setFlags, &o)
      o.opReg(a.rd); o.opReg(a.rn); o.opReg(a.rm)
    }
    let lslExtend: Extend = a.rd.width == .x ? .uxtx : .uxtw
    if (a.rd.isSP || a.rn.isSP) && a.extend == lslExtend {
      if a.amount != 0 { o.next(); o.literal("lsl #"); o.decimal(UInt64(a.amount)) }
    } else {
      o.next(); o.string(a.extend.description)
      if a.amount != 0 { o.literal(" #"); o.decimal(UInt64(a.amount)) }
    }
  }

  // swift-format-ignore
  static func conditionalSelect(_ c: ConditionalSelect, _ o: inout TextOutput) {
    let notAL = c.condition != .al && c.condition != .nv
    let same = notAL && c.rn == c.rm
    switch c.op {
    case .csinc where same:
      if c.rn.isZR { o.mnemonic("cset"); o.opReg(c.rd) } else { o.mnemonic("cinc"); o.opReg(c.rd); o.opReg(c.rn) }
    case .csinv where same:
      if c.rn.isZR { o.mnemonic("csetm"); o.opReg(c.rd) } else { o.mnemonic("cinv"); o.opReg(c.rd); o.opReg(c.rn) }
    case .csneg where same:
      o.mnemonic("cneg"); o.opReg(c.rd); o.opReg(c.rn)
    default:
      switch c.op {
      case .csel: o.mnemonic("csel")
      case .csinc: o.mnemonic("csinc")
      case .csinv: o.mnemonic("csinv")
      case .csneg: o.mnemonic("csneg")
      }
      o.opReg(c.rd); o.opReg(c.rn); o.opReg(c.rm)
      o.next(); o.string(c.condition.description)
      return
    }
    o.next(); o.string(c.condition.inverted.description)
  }

  // swift-format-ignore
  static func multiply(_ m: Multiply, _ o: inout TextOutput) {
    let zr = m.ra.isZR
    var four = !zr
    switch m.op {
    case .madd: if zr { o.mnemonic("mul") } else { o.mnemonic("madd") }
    case .msub: if zr { o.mnemonic("mneg") } else { o.mnemonic("msub") }
    case .smaddl: if zr { o.mnemonic("smull") } else { o.mnemonic("smaddl") }
    case .smsubl: if zr { o.mnemonic("smnegl") } else { o.mnemonic("smsubl") }
    case .umaddl: if zr { o.mnemonic("umull") } else { o.mnemonic("umaddl") }
    case .umsubl: if zr { o.mnemonic("umnegl") } else { o.mnemonic("umsubl") }
    case .smulh: o.mnemonic("smulh"); four = false
    case .umulh: o.mnemonic("umulh"); four = false
    }
    o.opReg(m.rd); o.opReg(m.rn); o.opReg(m.rm)
    if four { o.opReg(m.ra) }
  }

  // swift-format-ignore
  static func loadStore(_ l: LoadStore, _ o: inout TextOutput) {
    // "str"/"ldr"/"ldrs" with "r" → "ur" (unscaled) or "tr" (unprivileged).
    switch l.kind {
    case .store: o.mnemonic("st")
    case .load, .loadSigned: o.mnemonic("ld")
    }
    switch l.address {
    case .unscaled: o.literal("ur")
    case .unprivileged: o.literal("tr")
    default: o.literal("r")
    }
    if l.kind == .loadSigned { o.literal("s") }
    if l.kind == .loadSigned && l.size == .word {
      o.literal("w")
    } else {
      switch l.size {
      case .byte: o.literal("b")
      case .halfword: o.literal("h")
      case .word, .doubleword: break
      }
    }
    o.opReg(l.rt)
    o.next()
    switch l.address {
    case .unsignedOffset(let b, let off), .unscaled(let b, let off), .unprivileged(let b, let off):
      o.memory(b, off)
    case .preIndex(let b, let off):
      o.bytes.append(91); o.reg(b); o.literal(", #"); o.signed(off); o.literal("]!")
    case .postIndex(let b, let off):
      o.bytes.append(91); o.reg(b); o.bytes.append(93)
      o.next(); o.hashSigned(off)
    case .registerOffset(let b, let index, let ext, let shifted):
      o.bytes.append(91); o.reg(b); o.literal(", "); o.reg(index)
      if ext == .uxtx {
        if shifted { o.literal(", lsl #"); o.decimal(UInt64(l.size.rawValue)) }
      } else {
        o.literal(", "); o.string(ext.description)
        if shifted { o.literal(" #"); o.decimal(UInt64(l.size.rawValue)) }
      }
      o.bytes.append(93)
    }
  }
}
