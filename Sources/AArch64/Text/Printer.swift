// The printer: objdump's (binutils 2.40) canonical text, preferred aliases included.

extension A64 {
  /// The instruction as `aarch64-linux-gnu-objdump -d` prints it, without objdump's trailing
  /// `// …` comments and `<symbol+off>` annotations: mnemonic, a tab, operands separated by
  /// `, `. PC-relative targets print as absolute hexadecimal addresses without `0x` (`b 1c`),
  /// computed from `pc`.
  public static func print(_ i: Instruction, pc: UInt64 = 0, targets: TargetStyle = .address)
    -> String
  {
    if targets == .address {
      var o = TextOutput(bytes: [])
      o.bytes.reserveCapacity(32)
      if Printer.emit(i, pc: pc, into: &o) { return String(decoding: o.bytes, as: UTF8.self) }
    }
    let (m, ops) = Printer.parts(i, pc: pc, style: targets)
    return ops.isEmpty ? m : m + "\t" + ops.joined(separator: ", ")
  }

  /// Appends the text of `r` (as `print(_:pc:)` returns it) to `out` as UTF-8, without building
  /// intermediate strings for the common classes.
  public static func print(_ r: DecodeResult, pc: UInt64 = 0, into out: inout [UInt8]) {
    var o = TextOutput(bytes: out)
    out = []
    switch r {
    case .decoded(let i), .unpredictable(let i, _):
      if !Printer.emit(i, pc: pc, into: &o) {
        let (m, ops) = Printer.parts(i, pc: pc, style: .address)
        o.string(m)
        for op in ops {
          o.next()
          o.string(op)
        }
      }
    case .undefined(let w), .notCovered(let w):
      if w >> 16 == 0 {
        o.literal("udf\t#")
        o.decimal(UInt64(w))
      } else {
        o.literal(".inst\t0x")
        for k in stride(from: 28, through: 0, by: -4) {
          o.bytes.append(TextOutput.hexDigits[Int((w >> UInt32(k)) & 15)])
        }
      }
    }
    out = o.bytes
  }

  /// The text of a decode result: the instruction (unpredictable ones too), `udf #n` for UDF,
  /// and `.inst 0x…` for other undefined or not-covered words.
  public static func print(_ r: DecodeResult, pc: UInt64 = 0) -> String {
    switch r {
    case .decoded(let i), .unpredictable(let i, _): return print(i, pc: pc)
    case .undefined(let w), .notCovered(let w):
      if w >> 16 == 0 { return "udf\t#\(w)" }
      return ".inst\t0x" + hex8(w)
    }
  }
}

/// How the printer writes PC-relative targets (branches, ADR/ADRP, literal loads).
public enum TargetStyle: Sendable, Hashable {
  /// objdump's absolute address in bare hexadecimal: `b 1c`.
  case address
  /// GNU as's location-counter form: `b .+0x1c` (ADRP: the offset between the pages).
  case dotRelative
  /// LLVM's immediate form: `b #0x1c` (ADRP: the byte offset between the pages).
  case hashRelative
}

func hex8(_ w: UInt32) -> String {
  let s = String(w, radix: 16)
  return String(repeating: "0", count: 8 - s.count) + s
}

/// `#0x1f` style immediate.
func imm(_ v: UInt64) -> String { "#0x" + String(v, radix: 16) }
/// `#12` style decimal immediate.
func dec(_ v: Int64) -> String { "#\(v)" }

enum Printer {
  static func target(_ off: BranchOffset, _ pc: UInt64, _ style: TargetStyle) -> String {
    switch style {
    case .address: String(off.target(from: pc), radix: 16)
    case .dotRelative: off.bytes < 0 ? ".-" + signedHex(-off.bytes) : ".+" + signedHex(off.bytes)
    case .hashRelative: "#" + signedHex(off.bytes)
    }
  }

  static func shiftSuffix(_ s: Shift, _ amount: UInt8) -> [String] {
    s == .lsl && amount == 0 ? [] : ["\(s) #\(amount)"]
  }

  static func memory(_ base: Register, _ off: Int64) -> String {
    off == 0 ? "[\(base)]" : "[\(base), #\(off)]"
  }

  static func address(_ a: Address, size: AccessSize) -> [String] {
    switch a {
    case .unsignedOffset(let b, let o), .unscaled(let b, let o), .unprivileged(let b, let o):
      return [memory(b, o)]
    case .preIndex(let b, let o): return ["[\(b), #\(o)]!"]
    case .postIndex(let b, let o): return ["[\(b)]", "#\(o)"]
    case .registerOffset(let b, let index, let ext, let shifted):
      let amount = shifted ? " #\(size.rawValue)" : ""
      if ext == .uxtx {
        return [shifted ? "[\(b), \(index), lsl #\(size.rawValue)]" : "[\(b), \(index)]"]
      }
      return ["[\(b), \(index), \(ext)\(amount)]"]
    }
  }

  static func sizeSuffix(_ s: AccessSize) -> String {
    switch s {
    case .byte: "b"
    case .halfword: "h"
    case .word, .doubleword: ""
    }
  }

  /// True if MOVZ or MOVN can make `v`: binutils prints `orr Rd, zr, #imm` rather than `mov` for
  /// those (the Arm ARM's `MoveWidePreferred` disagrees for some rotations, e.g. 0xfffffff0).
  static func isMoveWideValue(_ v: UInt64, _ w: Width) -> Bool {
    let mask: UInt64 = w == .x ? ~0 : 0xffff_ffff
    func single(_ x: UInt64) -> Bool {
      for shift in stride(from: 0, to: w.bits, by: 16) where x & ~(0xffff << UInt64(shift)) == 0 {
        return true
      }
      return false
    }
    return single(v & mask) || single(~v & mask)
  }

  /// Arm ARM `BFXPreferred(sf, uns, imms, immr)`.
  static func bfxPreferred(_ w: Width, unsigned: Bool, imms: UInt8, immr: UInt8) -> Bool {
    if imms < immr { return false }
    if Int(imms) == w.bits - 1 { return false }
    if immr == 0 {
      if w == .w && (imms == 7 || imms == 15) { return false }
      if w == .x && !unsigned && (imms == 7 || imms == 15 || imms == 31) { return false }
    }
    return true
  }

  // swift-format-ignore
  static func parts(_ i: Instruction, pc: UInt64, style: TargetStyle = .address)
    -> (String, [String])
  {
    switch i {
    case .branch(let link, let off): return (link ? "bl" : "b", [target(off, pc, style)])
    case .branchConditional(let c, let off): return ("b.\(c)", [target(off, pc, style)])
    case .compareAndBranch(let nz, let rt, let off):
      return (nz ? "cbnz" : "cbz", ["\(rt)", target(off, pc, style)])
    case .testAndBranch(let nz, let rt, let bit, let off):
      return (nz ? "tbnz" : "tbz", ["\(rt)", "#\(bit)", target(off, pc, style)])
    case .branchRegister(let k, let rn):
      switch k {
      case .br: return ("br", ["\(rn)"])
      case .blr: return ("blr", ["\(rn)"])
      case .ret: return ("ret", rn == .lr ? [] : ["\(rn)"])
      }
    case .branchAuthenticated(let b):
      switch b {
      case .braz(let k, let rn): return (k ? "brabz" : "braaz", ["\(rn)"])
      case .blraz(let k, let rn): return (k ? "blrabz" : "blraaz", ["\(rn)"])
      case .reta(let k): return (k ? "retab" : "retaa", [])
      case .bra(let k, let rn, let rm): return (k ? "brab" : "braa", ["\(rn)", "\(rm)"])
      case .blra(let k, let rn, let rm): return (k ? "blrab" : "blraa", ["\(rn)", "\(rm)"])
      }
    case .exceptionReturn(let e):
      switch e {
      case .eret: return ("eret", [])
      case .eretaa: return ("eretaa", [])
      case .eretab: return ("eretab", [])
      case .drps: return ("drps", [])
      }
    case .hint(let h):
      if let n = h.name {
        let p = n.split(separator: " ")
        return (String(p[0]), p.dropFirst().map(String.init))
      }
      return ("hint", [imm(UInt64(h.rawValue))])
    case .barrier(let b): return barrier(b)
    case .msrImmediate(let f, let v): return ("msr", ["\(f)", imm(UInt64(v))])
    case .system(let s): return system(s)
    case .mrs(let rt, let r): return ("mrs", ["\(rt)", r.name])
    case .msr(let r, let rt): return ("msr", [r.nameForWrite, "\(rt)"])
    case .exception(let k, let v):
      switch k {
      case .svc: return ("svc", [imm(UInt64(v))])
      case .hvc: return ("hvc", [imm(UInt64(v))])
      case .smc: return ("smc", [imm(UInt64(v))])
      case .brk: return ("brk", [imm(UInt64(v))])
      case .hlt: return ("hlt", [imm(UInt64(v))])
      case .dcps1: return ("dcps1", v == 0 ? [] : [imm(UInt64(v))])
      case .dcps2: return ("dcps2", v == 0 ? [] : [imm(UInt64(v))])
      case .dcps3: return ("dcps3", v == 0 ? [] : [imm(UInt64(v))])
      }
    case .pcRelative(let rd, let off):
      return (off.width == .adrp21 ? "adrp" : "adr", ["\(rd)", target(off, pc, style)])
    case .addSubImmediate(let a): return addSubImmediate(a)
    case .logicalImmediate(let l): return logicalImmediate(l)
    case .moveWide(let m): return moveWide(m)
    case .bitfield(let b): return bitfield(b)
    case .extract(let rd, let rn, let rm, let lsb):
      if rn == rm { return ("ror", ["\(rd)", "\(rn)", "#\(lsb)"]) }
      return ("extr", ["\(rd)", "\(rn)", "\(rm)", "#\(lsb)"])
    case .logicalShifted(let l): return logicalShifted(l)
    case .addSubShifted(let a): return addSubShifted(a)
    case .addSubExtended(let a): return addSubExtended(a)
    case .addSubCarry(let sub, let s, let rd, let rn, let rm):
      if sub && rn.isZR { return (s ? "ngcs" : "ngc", ["\(rd)", "\(rm)"]) }
      return ((sub ? "sbc" : "adc") + (s ? "s" : ""), ["\(rd)", "\(rn)", "\(rm)"])
    case .conditionalCompare(let c):
      let op: String
      switch c.operand {
      case .register(let r): op = "\(r)"
      case .immediate(let v): op = imm(UInt64(v))
      }
      return (c.negate ? "ccmp" : "ccmn", ["\(c.rn)", op, imm(UInt64(c.nzcv)), "\(c.condition)"])
    case .conditionalSelect(let c): return conditionalSelect(c)
    case .multiply(let m): return multiply(m)
    case .dataProcessing2(let op, let rd, let rn, let rm):
      let m: String
      switch op {
      case .udiv: m = "udiv"
      case .sdiv: m = "sdiv"
      case .lslv: m = "lsl"
      case .lsrv: m = "lsr"
      case .asrv: m = "asr"
      case .rorv: m = "ror"
      }
      return (m, ["\(rd)", "\(rn)", "\(rm)"])
    case .dataProcessing1(let op, let rd, let rn):
      let m: String
      switch op {
      case .rbit: m = "rbit"
      case .rev16: m = "rev16"
      case .rev32: m = "rev32"
      case .rev: m = "rev"
      case .clz: m = "clz"
      case .cls: m = "cls"
      }
      return (m, ["\(rd)", "\(rn)"])
    case .loadLiteral(let k, let rt, let off):
      return (k == .ldrsw ? "ldrsw" : "ldr", ["\(rt)", target(off, pc, style)])
    case .prefetchLiteral(let p, let off): return ("prfm", [prfop(p), target(off, pc, style)])
    case .loadStore(let l): return loadStore(l)
    case .prefetch(let p, let a):
      if case .unscaled = a { return ("prfum", [prfop(p)] + address(a, size: .doubleword)) }
      return ("prfm", [prfop(p)] + address(a, size: .doubleword))
    case .loadStorePair(let p):
      let m: String
      switch p.op {
      case .stp: m = "stp"
      case .ldp: m = "ldp"
      case .ldpsw: m = "ldpsw"
      case .stnp: m = "stnp"
      case .ldnp: m = "ldnp"
      }
      let regs = ["\(p.rt)", "\(p.rt2)"]
      switch p.mode {
      case .signedOffset: return (m, regs + [memory(p.base, p.offset)])
      case .preIndex: return (m, regs + ["[\(p.base), #\(p.offset)]!"])
      case .postIndex: return (m, regs + ["[\(p.base)]", "#\(p.offset)"])
      }
    case .exclusive(let e):
      let m =
        (e.load ? (e.ordered ? "ldax" : "ldx") : (e.ordered ? "stlx" : "stx"))
        + (e.pair ? "p" : "r" + sizeSuffix(e.size))
      var ops: [String] = []
      if let rs = e.rs { ops.append("\(rs)") }
      ops.append("\(e.rt)")
      if let rt2 = e.rt2 { ops.append("\(rt2)") }
      return (m, ops + ["[\(e.rn)]"])
    case .acquireRelease(let a):
      let m = (a.load ? (a.ordered ? "ldar" : "ldlar") : (a.ordered ? "stlr" : "stllr"))
        + sizeSuffix(a.size)
      return (m, ["\(a.rt)", "[\(a.rn)]"])
    case .atomic(let a):
      let name: String
      switch a.op {
      case .add: name = "add"
      case .clr: name = "clr"
      case .eor: name = "eor"
      case .set: name = "set"
      case .smax: name = "smax"
      case .smin: name = "smin"
      case .umax: name = "umax"
      case .umin: name = "umin"
      case .swp: name = "swp"
      }
      let sfx = sizeSuffix(a.size)
      if a.op == .swp {
        return ("swp" + (a.acquire ? "a" : "") + (a.release ? "l" : "") + sfx,
          ["\(a.rs)", "\(a.rt)", "[\(a.rn)]"])
      }
      if a.rt.isZR && !a.acquire {
        return ("st" + name + (a.release ? "l" : "") + sfx, ["\(a.rs)", "[\(a.rn)]"])
      }
      return ("ld" + name + (a.acquire ? "a" : "") + (a.release ? "l" : "") + sfx,
        ["\(a.rs)", "\(a.rt)", "[\(a.rn)]"])
    case .loadAcquirePC(let size, let rt, let rn):
      return ("ldapr" + sizeSuffix(size), ["\(rt)", "[\(rn)]"])
    case .compareAndSwap(let c):
      return ("cas" + (c.acquire ? "a" : "") + (c.release ? "l" : "") + sizeSuffix(c.size),
        ["\(c.rs)", "\(c.rt)", "[\(c.rn)]"])
    case .compareAndSwapPair(let c):
      return ("casp" + (c.acquire ? "a" : "") + (c.release ? "l" : ""),
        ["\(c.rs)", "\(pairNext(c.rs))", "\(c.rt)", "\(pairNext(c.rt))", "[\(c.rn)]"])
    }
  }

  /// The second register of an even/odd pair (`x30` → `xzr`).
  static func pairNext(_ r: Register) -> Register {
    guard let n = r.number else { return r }
    return n + 1 >= 31 ? Register(.zr, r.width) : Register(.r(n + 1), r.width)
  }

  static func prfop(_ p: PrefetchOperation) -> String {
    p.name ?? String(format2: p.rawValue)
  }

  static func barrier(_ b: Barrier) -> (String, [String]) {
    switch b {
    case .dsb(let o): return ("dsb", [o.name ?? String(format2: o.rawValue)])
    case .dmb(let o): return ("dmb", [o.name ?? String(format2: o.rawValue)])
    case .isb(let o): return ("isb", o == .sy ? [] : [imm(UInt64(o.rawValue))])
    case .ssbb: return ("ssbb", [])
    case .pssbb: return ("pssbb", [])
    case .sb: return ("sb", [])
    case .clrex(let v): return ("clrex", v == 15 ? [] : [imm(UInt64(v))])
    }
  }

  static func system(_ s: SystemInstruction) -> (String, [String]) {
    let generic = ["#\(s.op1)", "C\(s.crn)", "C\(s.crm)", "#\(s.op2)"]
    if s.read { return ("sysl", ["\(s.rt)"] + generic) }
    if let a = s.alias {
      if a.takesRegister { return (a.family, [a.name, "\(s.rt)"]) }
      if s.rt.isZR { return (a.family, [a.name]) }
    }
    return ("sys", generic + (s.rt.isZR ? [] : ["\(s.rt)"]))
  }

  static func addSubImmediate(_ a: AddSubImmediate) -> (String, [String]) {
    let shifted = a.shift12 ? [imm(UInt64(a.imm12)), "lsl #12"] : [imm(UInt64(a.imm12))]
    if !a.subtract && !a.setFlags && !a.shift12 && a.imm12 == 0 && (a.rd.isSP || a.rn.isSP) {
      return ("mov", ["\(a.rd)", "\(a.rn)"])
    }
    if a.setFlags && a.rd.isZR { return (a.subtract ? "cmp" : "cmn", ["\(a.rn)"] + shifted) }
    return (
      (a.subtract ? "sub" : "add") + (a.setFlags ? "s" : ""), ["\(a.rd)", "\(a.rn)"] + shifted
    )
  }

  static func logicalImmediate(_ l: LogicalImmediate) -> (String, [String]) {
    let v = imm(l.value)
    if l.op == .ands && l.rd.isZR { return ("tst", ["\(l.rn)", v]) }
    if l.op == .orr && l.rn.isZR && (l.rd.isSP || !isMoveWideValue(l.value, l.rd.width)) {
      return ("mov", ["\(l.rd)", v])
    }
    let m: String
    switch l.op {
    case .and: m = "and"
    case .orr: m = "orr"
    case .eor: m = "eor"
    case .ands: m = "ands"
    }
    return (m, ["\(l.rd)", "\(l.rn)", v])
  }

  static func moveWide(_ m: MoveWide) -> (String, [String]) {
    let raw = UInt64(m.imm16) << UInt64(m.shift)
    let shifted = m.shift == 0 ? [imm(UInt64(m.imm16))] : [imm(UInt64(m.imm16)), "lsl #\(m.shift)"]
    switch m.op {
    case .movk: return ("movk", ["\(m.rd)"] + shifted)
    case .movz:
      if m.imm16 == 0 && m.shift != 0 { return ("movz", ["\(m.rd)"] + shifted) }
      return ("mov", ["\(m.rd)", imm(raw)])
    case .movn:
      if (m.imm16 == 0 && m.shift != 0) || (m.rd.width == .w && m.imm16 == 0xffff) {
        return ("movn", ["\(m.rd)"] + shifted)
      }
      let v = m.rd.width == .x ? ~raw : ~raw & 0xffff_ffff
      return ("mov", ["\(m.rd)", imm(v)])
    }
  }

  static func bitfield(_ b: Bitfield) -> (String, [String]) {
    let w = b.rd.width
    let bits = UInt8(w.bits)
    let rd = "\(b.rd)"
    let rn = "\(b.rn)"
    let (r, s) = (b.immr, b.imms)
    switch b.op {
    case .sbfm:
      if s == bits - 1 { return ("asr", [rd, rn, "#\(r)"]) }
      if s < r { return ("sbfiz", [rd, rn, "#\(bits - r)", "#\(s + 1)"]) }
      if bfxPreferred(w, unsigned: false, imms: s, immr: r) {
        return ("sbfx", [rd, rn, "#\(r)", "#\(s - r + 1)"])
      }
      if r == 0 {
        let wn = "\(b.rn.with(.w))"
        if s == 7 { return ("sxtb", [rd, wn]) }
        if s == 15 { return ("sxth", [rd, wn]) }
        if s == 31 && w == .x { return ("sxtw", [rd, wn]) }
      }
      return ("sbfm", [rd, rn, "#\(r)", "#\(s)"])
    case .ubfm:
      if s != bits - 1 && s + 1 == r { return ("lsl", [rd, rn, "#\(bits - 1 - s)"]) }
      if s == bits - 1 { return ("lsr", [rd, rn, "#\(r)"]) }
      if s < r { return ("ubfiz", [rd, rn, "#\(bits - r)", "#\(s + 1)"]) }
      if bfxPreferred(w, unsigned: true, imms: s, immr: r) {
        return ("ubfx", [rd, rn, "#\(r)", "#\(s - r + 1)"])
      }
      if r == 0 && w == .w {
        if s == 7 { return ("uxtb", [rd, rn]) }
        if s == 15 { return ("uxth", [rd, rn]) }
      }
      return ("ubfm", [rd, rn, "#\(r)", "#\(s)"])
    case .bfm:
      if s < r {
        if b.rn.isZR { return ("bfc", [rd, "#\(bits - r)", "#\(s + 1)"]) }
        return ("bfi", [rd, rn, "#\(bits - r)", "#\(s + 1)"])
      }
      return ("bfxil", [rd, rn, "#\(r)", "#\(s - r + 1)"])
    }
  }

  static func logicalShifted(_ l: LogicalShifted) -> (String, [String]) {
    let sh = shiftSuffix(l.shift, l.amount)
    if l.op == .orr && l.rn.isZR && l.shift == .lsl && l.amount == 0 {
      return ("mov", ["\(l.rd)", "\(l.rm)"])
    }
    if l.op == .orn && l.rn.isZR { return ("mvn", ["\(l.rd)", "\(l.rm)"] + sh) }
    if l.op == .ands && l.rd.isZR { return ("tst", ["\(l.rn)", "\(l.rm)"] + sh) }
    let m: String
    switch l.op {
    case .and: m = "and"
    case .bic: m = "bic"
    case .orr: m = "orr"
    case .orn: m = "orn"
    case .eor: m = "eor"
    case .eon: m = "eon"
    case .ands: m = "ands"
    case .bics: m = "bics"
    }
    return (m, ["\(l.rd)", "\(l.rn)", "\(l.rm)"] + sh)
  }

  static func addSubShifted(_ a: AddSubShifted) -> (String, [String]) {
    let sh = shiftSuffix(a.shift, a.amount)
    if a.setFlags && a.rd.isZR {
      return (a.subtract ? "cmp" : "cmn", ["\(a.rn)", "\(a.rm)"] + sh)
    }
    if a.subtract && a.rn.isZR {
      return (a.setFlags ? "negs" : "neg", ["\(a.rd)", "\(a.rm)"] + sh)
    }
    return (
      (a.subtract ? "sub" : "add") + (a.setFlags ? "s" : ""),
      ["\(a.rd)", "\(a.rn)", "\(a.rm)"] + sh
    )
  }

  static func addSubExtended(_ a: AddSubExtended) -> (String, [String]) {
    let w = a.rd.width
    let lslExtend: Extend = w == .x ? .uxtx : .uxtw
    var ext: [String]
    if (a.rd.isSP || a.rn.isSP) && a.extend == lslExtend {
      ext = a.amount == 0 ? [] : ["lsl #\(a.amount)"]
    } else {
      ext = [a.amount == 0 ? "\(a.extend)" : "\(a.extend) #\(a.amount)"]
    }
    if a.setFlags && a.rd.isZR {
      return (a.subtract ? "cmp" : "cmn", ["\(a.rn)", "\(a.rm)"] + ext)
    }
    return (
      (a.subtract ? "sub" : "add") + (a.setFlags ? "s" : ""),
      ["\(a.rd)", "\(a.rn)", "\(a.rm)"] + ext
    )
    // (ext is var only for readability of the two branches)
  }

  static func conditionalSelect(_ c: ConditionalSelect) -> (String, [String]) {
    let notAL = c.condition != .al && c.condition != .nv
    let inv = "\(c.condition.inverted)"
    switch c.op {
    case .csinc where notAL && c.rn == c.rm:
      return c.rn.isZR ? ("cset", ["\(c.rd)", inv]) : ("cinc", ["\(c.rd)", "\(c.rn)", inv])
    case .csinv where notAL && c.rn == c.rm:
      return c.rn.isZR ? ("csetm", ["\(c.rd)", inv]) : ("cinv", ["\(c.rd)", "\(c.rn)", inv])
    case .csneg where notAL && c.rn == c.rm:
      return ("cneg", ["\(c.rd)", "\(c.rn)", inv])
    default:
      let m: String
      switch c.op {
      case .csel: m = "csel"
      case .csinc: m = "csinc"
      case .csinv: m = "csinv"
      case .csneg: m = "csneg"
      }
      return (m, ["\(c.rd)", "\(c.rn)", "\(c.rm)", "\(c.condition)"])
    }
  }

  static func multiply(_ m: Multiply) -> (String, [String]) {
    let three = ["\(m.rd)", "\(m.rn)", "\(m.rm)"]
    let four = three + ["\(m.ra)"]
    let zr = m.ra.isZR
    switch m.op {
    case .madd: return zr ? ("mul", three) : ("madd", four)
    case .msub: return zr ? ("mneg", three) : ("msub", four)
    case .smaddl: return zr ? ("smull", three) : ("smaddl", four)
    case .smsubl: return zr ? ("smnegl", three) : ("smsubl", four)
    case .umaddl: return zr ? ("umull", three) : ("umaddl", four)
    case .umsubl: return zr ? ("umnegl", three) : ("umsubl", four)
    case .smulh: return ("smulh", three)
    case .umulh: return ("umulh", three)
    }
  }

  static func loadStore(_ l: LoadStore) -> (String, [String]) {
    let sfx = sizeSuffix(l.size)
    var m: String
    switch l.kind {
    case .store: m = "str"
    case .load: m = "ldr"
    case .loadSigned: m = "ldrs"
    }
    switch l.address {
    case .unscaled: m = m.replacingFirst("r", "ur")
    case .unprivileged: m = m.replacingFirst("r", "tr")
    default: break
    }
    if l.kind == .loadSigned && l.size == .word { m += "w" } else { m += sfx }
    return (m, ["\(l.rt)"] + address(l.address, size: l.size))
  }
}

extension String {
  /// `#0x0f`: two hex digits, as objdump prints barrier and prefetch immediates.
  init(format2 v: UInt8) {
    let s = String(v, radix: 16)
    self = "#0x" + (s.count < 2 ? "0" + s : s)
  }

  /// Replaces the first occurrence of `a` with `b`.
  func replacingFirst(_ a: Character, _ b: String) -> String {
    guard let i = firstIndex(of: a) else { return self }
    return String(self[..<i]) + b + String(self[index(after: i)...])
  }
}

extension Instruction: CustomStringConvertible {
  /// The objdump text at PC 0 (see `A64.print(_:pc:targets:)`).
  public var description: String { A64.print(self) }
}
