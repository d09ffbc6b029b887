// More fast forms chosen by the mnemonic table's entry: ADD/SUB/CMP/CMN with a shifted
// immediate, a shifted or an extended register; MOV with an immediate, MOVZ/MOVN/MOVK; the
// logical immediates and their inverted aliases; the bitfield, extend, shift-immediate and
// EXTR/ROR aliases; conditional select, set and compare; DMB/DSB/ISB/CLREX with an option;
// MSR to a PSTATE field; SYS/SYSL; and the DC/IC/TLBI/AT aliases.
//
// Each operand is read by `fastOperand` exactly as `operand` would read it (or not at all), and
// the instruction is built as the matcher builds it; any other spelling, any value the matcher
// rejects, or an encoder error returns nil and the general path assembles (and diagnoses) the
// statement.

extension AssemblerState {
  /// An operand as `operand` reads it, for the spellings the fast forms accept.
  enum FastOperand {
    case register(Register)
    case number(Int64)
    case shift(Shift, Int64)
    case extend(Extend, Int64?)
    /// A bare word that `operand` reads as an identifier (its lower-cased bytes): where it is.
    case name(Int, Int)
  }

  /// `src[x..<y]` read as `operand` reads it, when it is a register, a plain number (`#` or a
  /// digit first), a shift or extend with a plain amount, or a bare name that is no symbol;
  /// nil for anything else.
  func fastOperand(_ r: (Int, Int)) -> FastOperand? {
    let (x, y) = r
    guard x >= 0, x < y, y <= source.bytes.count else { return nil }
    // The bytes read without bounds checks (`x..<y` is inside them).
    let word: (first: UInt8, end: Int, operand: FastOperand?) = source.bytes
      .withUnsafeBufferPointer { b in
        let c = b[x]
        if c == UInt8(ascii: "#") || isDigit(c) {
          return (c, y, AssemblerState.fastWideImmediate(b, x, y).map { .number($0) })
        }
        guard isLetter(c) else { return (c, x, nil) }
        // A register first (its bytes are all symbol characters, so the word is the operand).
        if y - x == 2 || y - x == 3, let p = b.baseAddress,
          let reg = AssemblerState.registerName(p + x, three: y - x == 3)
        {
          return (c, y, .register(reg))
        }
        var w = x
        while w < y, isSymbolChar(b[w]) { w += 1 }
        return (c, w, nil)
      }
    if word.operand != nil || !isLetter(word.first) { return word.operand }
    let src = source.bytes
    let c = word.first
    let w = word.end
    if let kind = AssemblerState.shiftOrExtend(src, x, w) {
      if w == y {
        if case .extend(let e) = kind { return .extend(e, nil) }
        return nil  // a shift without an amount: the general path
      }
      guard isBlank(src[w]) else { return nil }
      var k = w
      while k < y, isBlank(src[k]) { k += 1 }
      if k < y, src[k] == UInt8(ascii: "#") { k += 1 }
      guard k < y, isDigit(src[k]) || src[k] == UInt8(ascii: "-"),
        let amount = AssemblerState.fastWideImmediate(src, k, y)
      else { return nil }
      switch kind {
      case .shift(let s): return .shift(s, amount)
      case .extend(let e): return .extend(e, amount)
      case .msl: return nil
      }
    }
    guard w == y else { return nil }
    // Up to three bytes starting with x or w may still be a register to the line parser
    // (`x00`): left to the general path.
    if y - x <= 3, lower(c) == UInt8(ascii: "x") || lower(c) == UInt8(ascii: "w") { return nil }
    if !symbols.isEmpty, symbols[source.string(x, y)] != nil { return nil }
    return .name(x, y)
  }

  /// A plain number as `absolute` reads it: optional `#`, optional `-`, decimal (no leading
  /// zero: that is octal) or `0x` with up to 16 hex digits (a 64-bit pattern, negated with
  /// wrap-around as the expression parser does); nil for anything else.
  static func fastWideImmediate(_ bytes: SourceBytes, _ x: Int, _ y: Int) -> Int64? {
    guard x >= 0, y <= bytes.count else { return nil }
    return bytes.withUnsafeBufferPointer { fastWideImmediate($0, x, y) }
  }

  /// The same on a buffer (`x..<y` inside it).
  @inline(__always)
  static func fastWideImmediate(_ src: UnsafeBufferPointer<UInt8>, _ x: Int, _ y: Int) -> Int64? {
    var k = x
    if k < y, src[k] == UInt8(ascii: "#") { k += 1 }
    var negative = false
    if k < y, src[k] == UInt8(ascii: "-") {
      negative = true
      k += 1
    }
    guard k < y else { return nil }
    var v: UInt64 = 0
    if y - k > 2, src[k] == UInt8(ascii: "0"), src[k + 1] | 0x20 == UInt8(ascii: "x") {
      k += 2
      guard y - k <= 16 else { return nil }
      while k < y {
        let c = src[k]
        let d: UInt64
        if isDigit(c) {
          d = UInt64(c - 48)
        } else if c | 0x20 >= 97 && c | 0x20 <= 102 {
          d = UInt64(c | 0x20) - 87
        } else {
          return nil
        }
        v = v << 4 | d
        k += 1
      }
    } else {
      guard y - k <= 18, !(src[k] == UInt8(ascii: "0") && y - k > 1) else { return nil }
      while k < y {
        let c = src[k]
        guard isDigit(c) else { return nil }
        v = v * 10 + UInt64(c - 48)
        k += 1
      }
    }
    let s = Int64(bitPattern: v)
    return negative ? 0 &- s : s
  }

  /// The name at `x..<y` lowered and packed little-endian (as `packed` packs a table's
  /// names), nil past eight bytes.
  func fastNameKey(_ x: Int, _ y: Int) -> UInt64? {
    guard y - x <= 8 else { return nil }
    let src = source.bytes
    var v: UInt64 = 0
    for k in x..<y { v |= UInt64(lower(src[k])) << UInt64(8 * (k - x)) }
    return v
  }

  /// The first eight bytes of `name` packed little-endian.
  static func packed(_ name: String) -> UInt64 {
    var v: UInt64 = 0
    for (k, c) in name.utf8.prefix(8).enumerated() { v |= UInt64(c) << UInt64(8 * k) }
    return v
  }

  /// `BarrierOption.names` packed (0 where there is no name).
  static let barrierKeys: [UInt64] = BarrierOption.names.map { $0.map(packed) ?? 0 }

  /// Every PSTATE field with its name packed.
  static let pstateKeys: [(UInt64, PStateField)] = PStateField.allCases.map {
    (packed($0.description), $0)
  }

  /// The condition a two-letter name spells, as `Matcher.condition` reads the identifier.
  func fastCondition(_ o: FastOperand?) -> Condition? {
    guard case .name(let x, let y)? = o, y - x == 2 else { return nil }
    let src = source.bytes
    return Matcher.condition(packed: UInt16(lower(src[x])) << 8 | UInt16(lower(src[x + 1])))
  }

  /// `Matcher.shift`: nothing is LSL #0; a shift with an amount of 0…255.
  static func fastShiftAmount(_ o: FastOperand?) -> (Shift, UInt8)? {
    guard let o else { return (.lsl, 0) }
    guard case .shift(let s, let a) = o, a >= 0, a < 256 else { return nil }
    return (s, UInt8(a))
  }

  /// An unsigned number of at most `max`, as `Matcher.immU`/`immBits` accept it.
  static func fastUnsigned(_ o: FastOperand?, max: Int64) -> Int64? {
    guard case .number(let v)? = o, v >= 0, v <= max else { return nil }
    return v
  }

  /// The instruction of the forms this file covers, built as the matcher builds it; nil when
  /// an operand is not read by `fastOperand`, the count is wrong, or the matcher would throw.
  /// `family` is the mnemonic's lower-case bytes packed little-endian (`count` of them).
  func fastAlias(_ form: MnemonicForm, _ ranges: OperandRanges, family: UInt64, count: Int)
    -> Instruction?
  {
    let n = ranges.count
    func o(_ k: Int) -> FastOperand? { k < n ? fastOperand(ranges[k]) : nil }
    func r(_ k: Int) -> Register? { k < n ? fastOperandRegister(ranges[k]) : nil }
    func zr(_ w: Register) -> Register { Register(.zr, w.width) }
    switch form {
    case .addSub(let subtract, let setFlags):
      guard n == 3 || n == 4, let rd = r(0) else { return nil }
      return fastAddSub(subtract, setFlags, rd, ranges, from: 1)
    case .compare(let subtract):
      guard n == 2 || n == 3, let rn = r(0) else { return nil }
      return fastAddSub(subtract, true, zr(rn), ranges, from: 0)
    case .mov:
      guard n == 2, let rd = r(0), let src = o(1) else { return nil }
      switch src {
      case .register(let rm):
        if rd.isSP || rm.isSP {
          return .addSubImmediate(
            AddSubImmediate(subtract: false, setFlags: false, rd: rd, rn: rm, imm12: 0))
        }
        return .logicalShifted(LogicalShifted(op: .orr, rd: rd, rn: zr(rd), rm: rm))
      case .number(let v):
        guard let value = Matcher.bitmaskValue(v, rd.width) else { return nil }
        return Matcher.movImmediate(rd, value)
      default: return nil
      }
    case .moveWide(let op):
      guard n == 2 || n == 3, let rd = r(0) else { return nil }
      var shift: Int64 = 0
      if n == 3 {
        guard case .shift(.lsl, let a)? = o(2) else { return nil }
        shift = a
      }
      guard let imm = AssemblerState.fastUnsigned(o(1), max: 0xffff) else { return nil }
      return .moveWide(
        MoveWide(op: op, rd: rd, imm16: UInt16(imm), shift: UInt8(clamping: shift)))
    case .logical(let op, let invert, let registerOp):
      guard n == 3 || n == 4, let rd = r(0), let rn = r(1), let third = o(2) else { return nil }
      if case .number(let raw) = third {
        guard n == 3, var v = Matcher.bitmaskValue(raw, rd.width) else { return nil }
        if invert { v = ~v & (rd.width == .x ? ~0 : 0xffff_ffff) }
        return .logicalImmediate(LogicalImmediate(op: op, rd: rd, rn: rn, value: v))
      }
      guard case .register(let rm) = third, n == 3 || o(3) != nil,
        let (sh, amount) = AssemblerState.fastShiftAmount(o(3))
      else { return nil }
      return .logicalShifted(
        LogicalShifted(op: registerOp, rd: rd, rn: rn, rm: rm, shift: sh, amount: amount))
    case .tst:
      guard n == 2 || n == 3, let rn = r(0), let second = o(1) else { return nil }
      if case .number(let raw) = second {
        guard n == 2, let v = Matcher.bitmaskValue(raw, rn.width) else { return nil }
        return .logicalImmediate(LogicalImmediate(op: .ands, rd: zr(rn), rn: rn, value: v))
      }
      guard case .register(let rm) = second, n == 2 || o(2) != nil,
        let (sh, amount) = AssemblerState.fastShiftAmount(o(2))
      else { return nil }
      return .logicalShifted(
        LogicalShifted(op: .ands, rd: zr(rn), rn: rn, rm: rm, shift: sh, amount: amount))
    case .mvn, .negate:
      guard n == 2 || n == 3, let rd = r(0), let rm = r(1), n == 2 || o(2) != nil,
        let (sh, amount) = AssemblerState.fastShiftAmount(o(2))
      else { return nil }
      if case .negate(let setFlags) = form {
        return .addSubShifted(
          AddSubShifted(
            subtract: true, setFlags: setFlags, rd: rd, rn: zr(rd), rm: rm, shift: sh,
            amount: amount))
      }
      return .logicalShifted(
        LogicalShifted(op: .orn, rd: rd, rn: zr(rd), rm: rm, shift: sh, amount: amount))
    case .shiftAlias(let kind, _):
      // The register form is `fastRegisterForm`'s.
      guard n == 3, let rd = r(0), let rn = r(1), case .number(let s)? = o(2) else { return nil }
      let bits = Int64(rd.width.bits)
      guard s >= 0, s < bits else { return nil }
      switch kind {
      case 0:
        return .bitfield(
          Bitfield(
            op: .ubfm, rd: rd, rn: rn, immr: UInt8((bits - s) % bits), imms: UInt8(bits - 1 - s)))
      case 1:
        return .bitfield(
          Bitfield(op: .ubfm, rd: rd, rn: rn, immr: UInt8(s), imms: UInt8(bits - 1)))
      case 2:
        return .bitfield(
          Bitfield(op: .sbfm, rd: rd, rn: rn, immr: UInt8(s), imms: UInt8(bits - 1)))
      default: return .extract(rd: rd, rn: rn, rm: rn, lsb: UInt8(s))
      }
    case .extract:
      guard n == 4, let rd = r(0), let rn = r(1), let rm = r(2),
        let lsb = AssemblerState.fastUnsigned(o(3), max: 255)
      else { return nil }
      return .extract(rd: rd, rn: rn, rm: rm, lsb: UInt8(lsb))
    case .bitfield(let op):
      guard n == 4, let rd = r(0), let rn = r(1),
        let immr = AssemblerState.fastUnsigned(o(2), max: 255),
        let imms = AssemblerState.fastUnsigned(o(3), max: 255)
      else { return nil }
      return .bitfield(Bitfield(op: op, rd: rd, rn: rn, immr: UInt8(immr), imms: UInt8(imms)))
    case .bitfieldAlias(let op, let extract, let isBFC):
      let first = isBFC ? 1 : 2
      guard n == first + 2, let rd = r(0), case .number(let lsb)? = o(first),
        case .number(let width)? = o(first + 1)
      else { return nil }
      var rn = zr(rd)
      if !isBFC {
        guard let m = r(1) else { return nil }
        rn = m
      }
      let bits = Int64(rd.width.bits)
      guard lsb >= 0, lsb < bits, width >= 1, width <= bits - lsb else { return nil }
      if extract {
        return .bitfield(
          Bitfield(op: op, rd: rd, rn: rn, immr: UInt8(lsb), imms: UInt8(lsb + width - 1)))
      }
      return .bitfield(
        Bitfield(
          op: op, rd: rd, rn: rn, immr: UInt8((bits - lsb) % bits), imms: UInt8(width - 1)))
    case .extendAlias(let unsigned, let imms):
      guard n == 2, let rd = r(0), let rn = r(1), rn.width == .w else { return nil }
      if unsigned && rd.width != .w { return nil }
      if !unsigned && imms == 31 && rd.width != .x { return nil }
      return .bitfield(
        Bitfield(
          op: unsigned ? .ubfm : .sbfm, rd: rd, rn: rn.with(rd.width), immr: 0, imms: imms))
    case .conditionalCompare(let negate):
      guard n == 4, let rn = r(0), let second = o(1),
        let nzcv = AssemblerState.fastUnsigned(o(2), max: 255), let c = fastCondition(o(3))
      else { return nil }
      let operand: ConditionalCompare.Operand
      switch second {
      case .number(let v):
        guard v >= 0, v <= 255 else { return nil }
        operand = .immediate(UInt8(v))
      case .register(let rm): operand = .register(rm)
      default: return nil
      }
      return .conditionalCompare(
        ConditionalCompare(
          negate: negate, rn: rn, operand: operand, nzcv: UInt8(nzcv), condition: c))
    case .conditionalSelect(let op):
      guard n == 4, let rd = r(0), let rn = r(1), let rm = r(2), let c = fastCondition(o(3))
      else { return nil }
      return .conditionalSelect(ConditionalSelect(op: op, rd: rd, rn: rn, rm: rm, condition: c))
    case .conditionalSet(let op):
      guard n == 2, let rd = r(0), let c = fastCondition(o(1)), c != .al, c != .nv else {
        return nil
      }
      return .conditionalSelect(
        ConditionalSelect(op: op, rd: rd, rn: zr(rd), rm: zr(rd), condition: c.inverted))
    case .conditionalAlias(let op):
      guard n == 3, let rd = r(0), let rn = r(1), let c = fastCondition(o(2)), c != .al, c != .nv
      else { return nil }
      return .conditionalSelect(
        ConditionalSelect(op: op, rd: rd, rn: rn, rm: rn, condition: c.inverted))
    case .dataBarrier(let dsb):
      guard n == 1, let option = fastBarrierOption(o(0)) else { return nil }
      return .barrier(dsb ? .dsb(option) : .dmb(option))
    case .isb:
      guard n == 1, let option = fastBarrierOption(o(0)) else { return nil }
      return .barrier(.isb(option))
    case .clrex:
      guard n == 1, let v = AssemblerState.fastUnsigned(o(0), max: 255) else { return nil }
      return .barrier(.clrex(UInt8(v)))
    case .msr:
      // The register form is `fastForm`'s; here MSR <PSTATE field>, #imm.
      guard n == 2, case .name(let x, let y)? = o(0), let v = fastNumber(ranges[1]),
        let key = fastNameKey(x, y),
        let field = AssemblerState.pstateKeys.first(where: { $0.0 == key })?.1
      else { return nil }
      guard v >= 0, v <= 255 else { return nil }
      return .msrImmediate(field, UInt8(v))
    case .sys, .sysl:
      let read: Bool
      if case .sysl = form { read = true } else { read = false }
      let first = read ? 1 : 0
      guard read ? n == 5 : (n == 4 || n == 5),
        let op1 = AssemblerState.fastUnsigned(o(first), max: 255),
        let crn = fastCRegister(o(first + 1)), let crm = fastCRegister(o(first + 2)),
        let op2 = AssemblerState.fastUnsigned(o(first + 3), max: 255)
      else { return nil }
      var rt = Register.xzr
      if read || n == 5 {
        guard let t = r(read ? 0 : 4) else { return nil }
        rt = t
      }
      return .system(
        SystemInstruction(
          read: read, op1: UInt8(op1), crn: crn, crm: crm, op2: UInt8(op2), rt: rt))
    case .systemAlias:
      guard n == 1 || n == 2, case .name(let x, let y)? = o(0),
        let op = fastSystemOperation(family: family, count: count, x, y)
      else { return nil }
      var rt = Register.xzr
      if n == 2 {
        guard let t = r(1) else { return nil }
        rt = t
      }
      guard op.takesRegister == (n == 2) else { return nil }
      return .system(
        SystemInstruction(op1: op.op1, crn: op.crn, crm: op.crm, op2: op.op2, rt: rt))
    case .hints(let family, _):
      // A named hint with its operand (`psb csync`, `bti jc`); the bare ones are
      // `fastRegisterForm`'s.
      guard n == 1, case .name(let x, let y)? = o(0) else { return nil }
      let name = lowercasedString(x, y)
      for (operand, number) in MnemonicTable.shared.hintFamilies[Int(family)]
      where operand == name {
        return .hint(Hint(unchecked: number))
      }
      return nil
    case .exclusive(let load, let ordered, let pair, let size):
      let k = load ? 0 : 1
      guard n == k + (pair ? 3 : 2), let rt = r(k), let rn = fastBase(ranges[n - 1]) else {
        return nil
      }
      var rs: Register? = nil
      if !load {
        guard let t = r(0) else { return nil }
        rs = t
      }
      var rt2: Register? = nil
      if pair {
        guard let t = r(k + 1) else { return nil }
        rt2 = t
      }
      let accessSize =
        pair ? (rt.width == .x ? .doubleword : .word) : AssemblerState.access(rt, size)
      return .exclusive(
        Exclusive(
          load: load, ordered: ordered, pair: pair, size: accessSize, rs: rs, rt: rt, rt2: rt2,
          rn: rn))
    case .acquireRelease(let load, let ordered, let size):
      guard n == 2, let rt = r(0), let rn = fastBase(ranges[1]) else { return nil }
      return .acquireRelease(
        AcquireRelease(
          load: load, ordered: ordered, size: AssemblerState.access(rt, size), rt: rt, rn: rn))
    case .loadAcquirePC(let size):
      guard n == 2, let rt = r(0), let rn = fastBase(ranges[1]) else { return nil }
      return .loadAcquirePC(AssemblerState.access(rt, size), rt: rt, rn: rn)
    case .single(let kind, let sz, let cls, _):
      // `[Xn|SP, Rm, extend/lsl #amount]`; the other addresses are `fastSingle`'s.
      guard n == 2, cls == .normal, let rt = r(0),
        let (base, index, extend, amount) =
          fastIndexedAddress(ranges[1])
      else { return nil }
      let size = sz ?? (rt.width == .x ? .doubleword : .word)
      guard let shifted = AssemblerState.fastShiftedFlag(amount, size) else { return nil }
      return .loadStore(
        LoadStore(
          kind: kind, size: size, rt: rt,
          address: .registerOffset(base: base, index: index, extend: extend, shifted: shifted)))
    case .prefetch(let unscaled):
      guard n == 2, let first = o(0), ranges[1].0 < ranges[1].1,
        source.bytes[ranges[1].0] == UInt8(ascii: "[")
      else { return nil }
      let p: PrefetchOperation
      switch first {
      case .name(let x, let y):
        guard let q = PrefetchOperation(name: lowercasedString(x, y)) else { return nil }
        p = q
      case .number(let v):
        guard v >= 0, v <= 31 else { return nil }
        p = PrefetchOperation(unchecked: UInt8(v))
      default: return nil
      }
      let address: Address
      if let (base, index, pre) = fastAddress(ranges[1]) {
        guard !pre else { return nil }  // no pre-index form
        switch index {
        case .none, .offset:
          var off: Int64 = 0
          if case .offset(let v) = index { off = v }
          guard
            let a = Matcher.immediateAddress(
              base: base, offset: off, pre: false, size: .doubleword,
              cls: unscaled ? .unscaled : .normal)
          else { return nil }
          address = a
        case .register(let m):
          guard !unscaled else { return nil }
          address = .registerOffset(base: base, index: m, extend: .uxtx, shifted: false)
        }
      } else {
        guard !unscaled, let (base, index, extend, amount) = fastIndexedAddress(ranges[1]),
          let shifted = AssemblerState.fastShiftedFlag(amount, .doubleword)
        else { return nil }
        address = .registerOffset(base: base, index: index, extend: extend, shifted: shifted)
      }
      return .prefetch(p, address)
    case .debugState(let k):
      if n == 0 { return .exception(k, 0) }
      guard n == 1, let v = AssemblerState.fastUnsigned(o(0), max: 0xffff) else { return nil }
      return .exception(k, UInt16(v))
    default:
      return nil
    }
  }

  /// ADD/SUB with operands from `k` on, as `Matcher.addSub` builds them.
  func fastAddSub(_ sub: Bool, _ s: Bool, _ rd: Register, _ ranges: OperandRanges, from k: Int)
    -> Instruction?
  {
    let n = ranges.count
    guard let rn = fastOperandRegister(ranges[k]), let second = fastOperand(ranges[k + 1])
    else { return nil }
    var extra: FastOperand? = nil
    if k + 2 < n {
      guard let e = fastOperand(ranges[k + 2]) else { return nil }
      extra = e
    }
    var sub = sub
    switch second {
    case .number(var v):
      if v < 0 && v > Int64.min {  // add #-n is sub #n
        v = -v
        sub.toggle()
      }
      var sh = false
      if let extra {
        guard case .shift(.lsl, let a) = extra, a == 0 || a == 12 else { return nil }
        sh = a == 12
      } else if v > 4095 && v & 0xfff == 0 && v >> 12 <= 4095 {
        v >>= 12
        sh = true
      }
      guard v >= 0, v <= 4095 else { return nil }
      return .addSubImmediate(
        AddSubImmediate(subtract: sub, setFlags: s, rd: rd, rn: rn, imm12: UInt16(v), shift12: sh))
    case .register(let rm):
      var extended = rd.isSP || rn.isSP || rm.width != rd.width
      if case .extend? = extra { extended = true }
      if extended {
        var ext: Extend = rd.width == .x ? .uxtx : .uxtw
        var amount: Int64 = 0
        switch extra {
        case nil: break
        case .extend(let e, let a)?:
          ext = e
          amount = a ?? 0
        case .shift(.lsl, let a)?: amount = a
        default: return nil
        }
        guard amount >= 0, amount <= 4 else { return nil }
        return .addSubExtended(
          AddSubExtended(
            subtract: sub, setFlags: s, rd: rd, rn: rn, rm: rm, extend: ext, amount: UInt8(amount)))
      }
      guard let (sh, amount) = AssemblerState.fastShiftAmount(extra) else { return nil }
      return .addSubShifted(
        AddSubShifted(
          subtract: sub, setFlags: s, rd: rd, rn: rn, rm: rm, shift: sh, amount: amount))
    default:
      return nil
    }
  }

  /// `[base, index, extend {#amount}]` or `[base, index, lsl #amount]` (no write-back), read
  /// as `memory` reads it: (base, index, extend — UXTX for LSL —, amount); nil for anything
  /// else.
  func fastIndexedAddress(_ r: (Int, Int)) -> (Register, Register, Extend, Int64?)? {
    let src = source.bytes
    let (x, y) = r
    guard y - x >= 4, y <= src.count, src[x] == UInt8(ascii: "["), src[y - 1] == UInt8(ascii: "]")
    else { return nil }
    let close = y - 1
    var commas = (0, 0)
    var count = 0
    for k in (x + 1)..<close {
      let c = src[k]
      if c == UInt8(ascii: ",") {
        count += 1
        if count == 1 { commas.0 = k } else if count == 2 { commas.1 = k } else { return nil }
      } else if AssemblerState.isSplitSpecial(c) {
        return nil  // brackets, parentheses, strings inside
      }
    }
    guard count == 2 else { return nil }
    let (bx, by) = trim(x + 1, commas.0)
    let (ix, iy) = trim(commas.0 + 1, commas.1)
    guard let base = AssemblerState.register(src, bx, by),
      let index = AssemblerState.register(src, ix, iy)
    else { return nil }
    switch fastOperand(trim(commas.1 + 1, close)) {
    case .shift(.lsl, let a)?: return (base, index, .uxtx, a)
    case .extend(let e, let a)?: return (base, index, e, a)
    default: return nil
    }
  }

  /// `Matcher.shiftedFlag`: no amount or 0 is unshifted, log2(size) shifted, others refused.
  static func fastShiftedFlag(_ amount: Int64?, _ size: AccessSize) -> Bool? {
    guard let a = amount else { return false }
    if a == Int64(size.rawValue) { return true }
    if a == 0 { return false }
    return nil
  }

  /// A DMB/DSB/ISB option as `Matcher.barrierOption` reads it: a name with an option, or 0…15.
  func fastBarrierOption(_ o: FastOperand?) -> BarrierOption? {
    switch o {
    case .number(let v)?:
      guard v >= 0, v <= 15 else { return nil }
      return BarrierOption(unchecked: UInt8(v))
    case .name(let x, let y)?:
      guard let key = fastNameKey(x, y),
        let k = AssemblerState.barrierKeys.firstIndex(of: key)
      else { return nil }
      return BarrierOption(unchecked: UInt8(k))
    default: return nil
    }
  }

  /// `C0`…`C15` as `Matcher.cReg` reads the identifier (a `c` and decimal digits below 16).
  func fastCRegister(_ o: FastOperand?) -> UInt8? {
    guard case .name(let x, let y)? = o, y - x >= 2, y - x <= 4 else { return nil }
    let src = source.bytes
    guard lower(src[x]) == UInt8(ascii: "c") else { return nil }
    var v = 0
    for k in (x + 1)..<y {
      guard isDigit(src[k]) else { return nil }
      v = v * 10 + Int(src[k] - 48)
    }
    return v < 16 ? UInt8(v) : nil
  }

  /// The DC/IC/TLBI/AT operation `family name` (the family's lower-case bytes packed in
  /// `family`, `count` of them), looked up by its bytes as `SystemOperation.lookup` does.
  func fastSystemOperation(family: UInt64, count: Int, _ x: Int, _ y: Int)
    -> SystemOperation.Fields?
  {
    guard count >= 1, count <= 8, y - x <= 32, x >= 0, y <= source.bytes.count else {
      return nil
    }
    let length = count + 1 + y - x
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { key in
      source.bytes.withUnsafeBufferPointer { src in
        guard let k = key.baseAddress, let s = src.baseAddress else { return nil }
        // The family's eight bytes stored at once (those past `count` are overwritten).
        UnsafeMutableRawPointer(k).storeBytes(of: family.littleEndian, as: UInt64.self)
        k[count] = 32
        for j in 0..<(y - x) { k[count + 1 + j] = lower(s[x + j]) }
        guard
          let i = SystemOperation.indexByName.value(UnsafeBufferPointer(start: k, count: length))
        else { return nil }
        let fields = SystemOperation.fields
        return Int(i) < fields.count ? fields[Int(i)] : nil
      }
    }
  }
}
