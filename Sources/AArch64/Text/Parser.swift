// The one-line parser: GNU as syntax of a single instruction with numeric operands.

extension A64 {
  /// Parses one instruction in GNU as syntax (and everything `print` produces).
  ///
  /// - Operands: `#` is optional on immediates; `lr`, `fp`, `xzr`, `wzr`, `sp`, `wsp` are
  ///   accepted; aliases (`mov`, `cmp`, `lsl`, `cset`, `stadd`, `dc civac`, …) map to the
  ///   architectural instruction, so `parse(print(i)) == i`.
  /// - Branch and literal targets: `#imm` and `.+imm`/`.-imm` are offsets from `pc`; a bare
  ///   number is an absolute address, read as hexadecimal (`b 1c`, objdump's form) under
  ///   `.objdump` syntax and as a C number (`b 0x1c`) under `.gnu`. ADRP offsets are from the
  ///   page of `pc`.
  /// - Throws: `AsmParseError` with a stable id and the column of the offending operand; for
  ///   text that names an unencodable instruction, `encoding` holds the `EncodingError`.
  public static func parse(_ line: String, pc: UInt64 = 0, syntax: TargetSyntax = .objdump)
    throws(AsmParseError) -> Instruction
  {
    let (m, ops) = try AsmParser.split(line)
    return try AsmParser.instruction(mnemonic: m, operands: ops, pc: pc, syntax: syntax)
  }
}

extension AsmParser {
  /// Matches a mnemonic and its operands and checks the result encodes.
  public static func instruction(
    mnemonic: String, operands: [LocatedOperand], pc: UInt64, syntax: TargetSyntax = .objdump
  ) throws(AsmParseError) -> Instruction {
    try encoded(mnemonic: mnemonic, operands: operands, pc: pc, syntax: syntax).instruction
  }

  /// `instruction(mnemonic:operands:pc:syntax:)` with the word it encodes to, so that an
  /// assembler encodes each instruction once.
  /// `form`: the mnemonic's entry when the caller has already looked it up.
  static func encoded(
    mnemonic: String, operands: [LocatedOperand], pc: UInt64, syntax: TargetSyntax,
    form: MnemonicForm? = nil
  ) throws(AsmParseError) -> (instruction: Instruction, word: UInt32) {
    let m = Matcher(mnemonic: mnemonic, ops: operands, pc: pc, syntax: syntax, known: form)
    let i = try m.match()
    do {
      return (i, try encode(i))
    } catch {
      throw AsmParseError(
        "asm.encoding", column: m.column(of: error), error.description, encoding: error)
    }
  }
}

/// Matches one mnemonic's operand list.
struct Matcher {
  let mnemonic: String
  let ops: [LocatedOperand]
  let pc: UInt64
  let syntax: TargetSyntax
  /// The mnemonic's form if already known (else `match` looks it up).
  var known: MnemonicForm? = nil

  /// The column of the operand an encoding error is about: the register it names, else the
  /// first immediate or memory operand, else the first operand.
  func column(of e: EncodingError) -> Int {
    func registers(_ o: AsmOperand) -> [Register] {
      switch o {
      case .register(let r): [r]
      case .memory(let b, .register(let r, _, _), _), .memory(let b, .shiftedRegister(let r, _), _):
        [b, r]
      case .memory(let b, _, _): [b]
      default: []
      }
    }
    switch e.code {
    case .invalidRegister, .widthMismatch:
      let named = e.message.split(separator: " ").map { String($0.filter { $0 != "," }) }
      if let o = ops.first(where: { registers($0.operand).contains { named.contains("\($0)") } }) {
        return o.column
      }
    default:
      if let o = ops.first(where: {
        switch $0.operand {
        case .immediate, .number, .memory, .shift, .extend, .relative: true
        default: false
        }
      }) {
        return o.column
      }
    }
    return ops.first?.column ?? 1
  }

  /// A symbol or expression the one-line parser cannot evaluate (`asm.unresolved`): a full
  /// assembler resolves it and substitutes the value in the operand list.
  func unresolved(_ i: Int, _ what: String) -> AsmParseError {
    AsmParseError("asm.unresolved", column: i < ops.count ? ops[i].column : 1, "unresolved \(what)")
  }

  func fail(_ i: Int, _ msg: String) -> AsmParseError {
    AsmParseError(
      "asm.operands", column: i < ops.count ? ops[i].column : (ops.last?.column ?? 1), msg)
  }

  func count(_ r: ClosedRange<Int>) throws(AsmParseError) {
    if !r.contains(ops.count) {
      throw fail(
        ops.count,
        "\(mnemonic) takes \(r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)") operands, got \(ops.count)"
      )
    }
  }

  func op(_ i: Int) -> AsmOperand? { i < ops.count ? ops[i].operand : nil }

  func reg(_ i: Int) throws(AsmParseError) -> Register {
    guard case .register(let r)? = op(i) else { throw fail(i, "expected a register") }
    return r
  }

  func reg(_ i: Int, _ w: Width) throws(AsmParseError) -> Register {
    let r = try reg(i)
    if r.width != w { throw fail(i, "expected a \(w == .x ? "64" : "32")-bit register, got \(r)") }
    return r
  }

  func imm(_ i: Int) throws(AsmParseError) -> Int64 {
    switch op(i) {
    case .immediate(let v)?: return v
    case .number(let s)?:
      guard let v = AsmParser.number(s) else { throw fail(i, "bad number '\(s)'") }
      return v
    case .expression(let e)?: throw unresolved(i, "expression '\(e)'")
    default: throw fail(i, "expected an immediate")
    }
  }

  func immU<T: FixedWidthInteger & UnsignedInteger>(_ i: Int, _ t: T.Type, _ name: String)
    throws(AsmParseError) -> T
  {
    let v = try imm(i)
    guard v >= 0, v <= Int64(truncatingIfNeeded: T.max) || T.bitWidth >= 64 else {
      throw AsmParseError(
        "asm.encoding", column: ops[i].column, "\(name): \(v) out of range [0, \(T.max)]",
        encoding: EncodingError(.outOfRange, operand: name, "\(v) out of range [0, \(T.max)]"))
    }
    return T(truncatingIfNeeded: v)
  }

  /// An unsigned immediate of `bits` bits.
  func immBits(_ i: Int, _ bits: Int, _ name: String) throws(AsmParseError) -> UInt8 {
    let v = try imm(i)
    let max = (Int64(1) << bits) - 1
    guard v >= 0, v <= max else {
      throw AsmParseError(
        "asm.encoding", column: ops[i].column, "\(name): \(v) out of range [0, \(max)]",
        encoding: EncodingError(.outOfRange, operand: name, "\(v) out of range [0, \(max)]"))
    }
    return UInt8(v)
  }

  func ident(_ i: Int) throws(AsmParseError) -> String {
    guard case .identifier(let s)? = op(i) else { throw fail(i, "expected a name") }
    return s
  }

  func condition(_ i: Int) throws(AsmParseError) -> Condition {
    let s = try ident(i)
    guard let c = Matcher.condition(s) else { throw fail(i, "unknown condition '\(s)'") }
    return c
  }

  static func condition(_ s: String) -> Condition? {
    // Two lower-case letters, packed: one integer switch instead of comparing spellings.
    let u = s.utf8
    guard u.count == 2, let a = u.first, let b = u.last else { return nil }
    return condition(packed: UInt16(a) << 8 | UInt16(b))
  }

  /// The condition whose two lower-case letters are `packed` (first letter high).
  static func condition(packed: UInt16) -> Condition? {
    switch packed {
    case 0x6571: return .eq
    case 0x6e65: return .ne
    case 0x6373, 0x6873: return .cs  // cs, hs
    case 0x6363, 0x6c6f: return .cc  // cc, lo
    case 0x6d69: return .mi
    case 0x706c: return .pl
    case 0x7673: return .vs
    case 0x7663: return .vc
    case 0x6869: return .hi
    case 0x6c73: return .ls
    case 0x6765: return .ge
    case 0x6c74: return .lt
    case 0x6774: return .gt
    case 0x6c65: return .le
    case 0x616c: return .al
    case 0x6e76: return .nv
    default: return nil
    }
  }

  /// A branch or literal target in `width`.
  func target(_ i: Int, _ width: BranchOffset.Width) throws(AsmParseError) -> BranchOffset {
    let base = width == .adrp21 ? pc & ~0xfff : pc
    var offset: Int64
    switch op(i) {
    case .immediate(let v)?, .relative(let v)?:
      offset = v
      if case .relative = op(i), width == .adrp21 {
        offset = Int64(bitPattern: (pc &+ UInt64(bitPattern: v)) & ~0xfff &- base)
      }
    case .number(let s)?,
      .identifier(let s)? where syntax == .objdump:
      let addr: UInt64?
      switch syntax {
      case .objdump:
        addr = UInt64(s.hasPrefix("0x") ? String(s.dropFirst(2)) : s, radix: 16)
      case .gnu: addr = AsmParser.number(s).map { UInt64(bitPattern: $0) }
      }
      guard let a = addr else {
        if case .identifier? = op(i) { throw unresolved(i, "symbol '\(ops[i].text)'") }
        throw fail(i, "bad address '\(s)'")
      }
      offset = Int64(bitPattern: a &- base)
    case .identifier?, .symbol?, .expression?:
      throw unresolved(i, "symbol '\(ops[i].text)'")
    default: throw fail(i, "expected a branch target")
    }
    do {
      return try BranchOffset(offset, width)
    } catch {
      throw AsmParseError("asm.encoding", column: ops[i].column, error.description, encoding: error)
    }
  }

  /// True for an immediate slot value (a number, or an expression still to be resolved).
  func isImmediate(_ i: Int) -> Bool {
    switch op(i) {
    case .immediate?, .number?, .expression?: true
    default: false
    }
  }

  // swift-format-ignore
  func match() throws(AsmParseError) -> Instruction {
    var m = mnemonic
    // The contiguous bytes (a small string's are copied to the stack), not the UTF-8 view.
    guard let form = known ?? m.withUTF8({ MnemonicTable.shared.form($0) }) else {
      throw AsmParseError("asm.unknown-mnemonic", column: 1, "unknown mnemonic '\(m)'")
    }
    switch form {
    case .conditionalBranch(let c):
      try count(1...1)
      return .branchConditional(c, try target(0, .imm19))
    case .hints(let family, _):
      let names = MnemonicTable.shared.hintFamilies[Int(family)]
      var operand: String? = nil
      if case .identifier(let s)? = op(0) { operand = s }
      for (o, k) in names where (o != nil && o == operand) || (o == nil && ops.isEmpty) {
        return .hint(Hint(unchecked: k))
      }
      let expected = names.map { $0.operand ?? "no operand" }.joined(separator: " or ")
      throw fail(0, "'\(m)' takes \(expected)")
    case .single, .prefetch, .pair, .exclusive, .acquireRelease, .loadAcquirePC, .atomicLoad, .atomicStore,
      .swap, .compareAndSwap, .compareAndSwapPair:
      return try loadStore(form)
    case .branch(let link):
      try count(1...1)
      return .branch(link: link, try target(0, .imm26))
    case .compareAndBranch(let nonZero):
      try count(2...2)
      return .compareAndBranch(nonZero: nonZero, try reg(0), try target(1, .imm19))
    case .testAndBranch(let nonZero):
      try count(3...3)
      var r = try reg(0)
      let bit = try immU(1, UInt8.self, "bit")
      if r.width == .x && bit < 32 { r = r.with(.w) }  // GNU as: bits 0-31 test the W form (b5 = 0)
      return .testAndBranch(nonZero: nonZero, r, bit: bit, try target(2, .imm14))
    case .branchRegister(let op):
      try count(1...1)
      return .branchRegister(op, try reg(0))
    case .ret:
      try count(0...1)
      return .branchRegister(.ret, ops.isEmpty ? .lr : try reg(0))
    case .branchAuthenticatedZero(let link, let keyB):
      try count(1...1)
      let r = try reg(0)
      return .branchAuthenticated(link ? .blraz(keyB: keyB, r) : .braz(keyB: keyB, r))
    case .returnAuthenticated(let keyB):
      try count(0...0)
      return .branchAuthenticated(.reta(keyB: keyB))
    case .branchAuthenticated(let link, let keyB):
      try count(2...2)
      let r = try reg(0)
      let modifier = try reg(1)
      return .branchAuthenticated(link ? .blra(keyB: keyB, r, modifier: modifier) : .bra(keyB: keyB, r, modifier: modifier))
    case .exceptionReturn(let e):
      try count(0...0)
      return .exceptionReturn(e)
    case .dataBarrier(let dsb):
      try count(1...1)
      let o = try barrierOption(0)
      return .barrier(dsb ? .dsb(o) : .dmb(o))
    case .isb:
      try count(0...1)
      return .barrier(.isb(ops.isEmpty ? .sy : try barrierOption(0)))
    case .fixedBarrier(let b):
      try count(0...0)
      return .barrier(b)
    case .clrex:
      try count(0...1)
      return .barrier(.clrex(ops.isEmpty ? 15 : try immU(0, UInt8.self, "crm")))
    case .msr:
      try count(2...2)
      if case .identifier(let n)? = op(0), isImmediate(1),
        let f = PStateField.allCases.first(where: { "\($0)" == n })
      {
        return .msrImmediate(f, try immU(1, UInt8.self, "imm"))
      }
      return .msr(try sysreg(0), try reg(1))
    case .mrs:
      try count(2...2)
      return .mrs(try reg(0), try sysreg(1))
    case .sys:
      try count(4...5)
      return .system(
        SystemInstruction(
          read: false, op1: try immU(0, UInt8.self, "op1"), crn: try cReg(1), crm: try cReg(2),
          op2: try immU(3, UInt8.self, "op2"), rt: ops.count == 5 ? try reg(4) : .xzr))
    case .sysl:
      try count(5...5)
      return .system(
        SystemInstruction(
          read: true, op1: try immU(1, UInt8.self, "op1"), crn: try cReg(2), crm: try cReg(3),
          op2: try immU(4, UInt8.self, "op2"), rt: try reg(0)))
    case .systemAlias:
      try count(1...2)
      let n = try ident(0)
      guard let o = SystemOperation.lookup(family: m, name: n) else {
        throw fail(0, "unknown \(m) operation '\(n)'")
      }
      let rt: Register = ops.count == 2 ? try reg(1) : .xzr
      if o.takesRegister && ops.count == 1 { throw fail(1, "\(m) \(n) needs a register") }
      if !o.takesRegister && ops.count == 2 { throw fail(1, "\(m) \(n) takes no register") }
      return .system(SystemInstruction(op1: o.op1, crn: o.crn, crm: o.crm, op2: o.op2, rt: rt))
    case .exception(let k):
      try count(1...1)
      return .exception(k, try immU(0, UInt16.self, "imm16"))
    case .debugState(let k):
      try count(0...1)
      return .exception(k, ops.isEmpty ? 0 : try immU(0, UInt16.self, "imm16"))
    case .hint:
      try count(1...1)
      return .hint(Hint(unchecked: try immBits(0, 7, "imm7")))
    case .pcRelative(let page):
      try count(2...2)
      return .pcRelative(try reg(0), try target(1, page ? .adrp21 : .adr21))
    case .addSub(let subtract, let setFlags):
      try count(3...4)
      return try addSub(sub: subtract, s: setFlags, rd: try reg(0), from: 1)
    case .compare(let subtract):
      try count(2...3)
      let rn = try reg(0)
      return try addSub(sub: subtract, s: true, rd: Register(.zr, rn.width), from: 0)
    case .mov: return try mov()
    case .moveWide(let op):
      try count(2...3)
      let rd = try reg(0)
      let shift = ops.count == 3 ? try lslAmount(2) : 0
      return .moveWide(
        MoveWide(op: op, rd: rd, imm16: try immU(1, UInt16.self, "imm16"), shift: UInt8(clamping: shift)))
    case .logical(let op, let invert, let registerOp):
      try count(3...4)
      let rd = try reg(0)
      let rn = try reg(1)
      if isImmediate(2) {
        try count(3...3)
        // BIC/BICS/ORN/EON #imm are GNU as aliases of AND/ANDS/ORR/EOR with the inverted mask.
        var v = try bitmask(2, rd.width)
        if invert { v = ~v & (rd.width == .x ? ~0 : 0xffff_ffff) }
        return .logicalImmediate(LogicalImmediate(op: op, rd: rd, rn: rn, value: v))
      }
      let (sh, amt) = try shift(3)
      return .logicalShifted(LogicalShifted(op: registerOp, rd: rd, rn: rn, rm: try reg(2), shift: sh, amount: amt))
    case .tst:
      try count(2...3)
      let rn = try reg(0)
      let zr = Register(.zr, rn.width)
      if isImmediate(1) {
        try count(2...2)
        return .logicalImmediate(LogicalImmediate(op: .ands, rd: zr, rn: rn, value: try bitmask(1, rn.width)))
      }
      let (sh, amt) = try shift(2)
      return .logicalShifted(LogicalShifted(op: .ands, rd: zr, rn: rn, rm: try reg(1), shift: sh, amount: amt))
    case .mvn:
      try count(2...3)
      let rd = try reg(0)
      let (sh, amt) = try shift(2)
      return .logicalShifted(
        LogicalShifted(op: .orn, rd: rd, rn: Register(.zr, rd.width), rm: try reg(1), shift: sh, amount: amt))
    case .negate(let setFlags):
      try count(2...3)
      let rd = try reg(0)
      let (sh, amt) = try shift(2)
      return .addSubShifted(
        AddSubShifted(subtract: true, setFlags: setFlags, rd: rd, rn: Register(.zr, rd.width), rm: try reg(1), shift: sh, amount: amt))
    case .negateCarry(let setFlags):
      try count(2...2)
      let rd = try reg(0)
      return .addSubCarry(subtract: true, setFlags: setFlags, rd: rd, rn: Register(.zr, rd.width), rm: try reg(1))
    case .carry(let subtract, let setFlags):
      try count(3...3)
      return .addSubCarry(subtract: subtract, setFlags: setFlags, rd: try reg(0), rn: try reg(1), rm: try reg(2))
    case .shiftAlias(let kind, let registerOp):
      try count(3...3)
      let rd = try reg(0)
      let rn = try reg(1)
      if !isImmediate(2) { return .dataProcessing2(registerOp, rd: rd, rn: rn, rm: try reg(2)) }
      let s = try imm(2)
      let bits = Int64(rd.width.bits)
      guard s >= 0, s < bits else {
        throw AsmParseError(
          "asm.encoding", column: ops[2].column, "shift: \(s) out of range [0, \(bits - 1)]",
          encoding: EncodingError(.outOfRange, operand: "shift", "\(s) out of range [0, \(bits - 1)]"))
      }
      switch kind {
      case 0:
        return .bitfield(Bitfield(op: .ubfm, rd: rd, rn: rn, immr: UInt8((bits - s) % bits), imms: UInt8(bits - 1 - s)))
      case 1: return .bitfield(Bitfield(op: .ubfm, rd: rd, rn: rn, immr: UInt8(s), imms: UInt8(bits - 1)))
      case 2: return .bitfield(Bitfield(op: .sbfm, rd: rd, rn: rn, immr: UInt8(s), imms: UInt8(bits - 1)))
      default: return .extract(rd: rd, rn: rn, rm: rn, lsb: UInt8(s))
      }
    case .dataProcessing2(let op):
      try count(3...3)
      return .dataProcessing2(op, rd: try reg(0), rn: try reg(1), rm: try reg(2))
    case .extract:
      try count(4...4)
      return .extract(rd: try reg(0), rn: try reg(1), rm: try reg(2), lsb: try immU(3, UInt8.self, "lsb"))
    case .bitfield(let op):
      try count(4...4)
      return .bitfield(
        Bitfield(op: op, rd: try reg(0), rn: try reg(1), immr: try immU(2, UInt8.self, "immr"), imms: try immU(3, UInt8.self, "imms")))
    case .bitfieldAlias(let op, let extract, let isBFC):
      try count(isBFC ? 3...3 : 4...4)
      let rd = try reg(0)
      let rn = isBFC ? Register(.zr, rd.width) : try reg(1)
      let lsb = try imm(isBFC ? 1 : 2)
      let width = try imm(isBFC ? 2 : 3)
      let bits = Int64(rd.width.bits)
      guard lsb >= 0, lsb < bits, width >= 1, width <= bits - lsb else {
        throw AsmParseError(
          "asm.encoding", column: ops[isBFC ? 1 : 2].column,
          "lsb/width: #\(lsb), #\(width) out of range for \(bits)-bit (lsb 0-\(bits - 1), 1 <= width <= \(bits) - lsb)",
          encoding: EncodingError(.outOfRange, operand: "lsb/width", "out of range"))
      }
      if extract {
        return .bitfield(Bitfield(op: op, rd: rd, rn: rn, immr: UInt8(lsb), imms: UInt8(lsb + width - 1)))
      }
      return .bitfield(Bitfield(op: op, rd: rd, rn: rn, immr: UInt8((bits - lsb) % bits), imms: UInt8(width - 1)))
    case .extendAlias(let unsigned, let imms):
      try count(2...2)
      let rd = try reg(0)
      let rn = try reg(1, .w)
      if unsigned && rd.width != .w { throw fail(0, "\(m) needs a 32-bit destination") }
      if !unsigned && imms == 31 && rd.width != .x { throw fail(0, "sxtw needs a 64-bit destination") }
      return .bitfield(Bitfield(op: unsigned ? .ubfm : .sbfm, rd: rd, rn: rn.with(rd.width), immr: 0, imms: imms))
    case .conditionalCompare(let negate):
      try count(4...4)
      let rn = try reg(0)
      let operand: ConditionalCompare.Operand =
        isImmediate(1) ? .immediate(try immU(1, UInt8.self, "imm5")) : .register(try reg(1))
      return .conditionalCompare(
        ConditionalCompare(negate: negate, rn: rn, operand: operand, nzcv: try immU(2, UInt8.self, "nzcv"), condition: try condition(3)))
    case .conditionalSelect(let op):
      try count(4...4)
      return .conditionalSelect(
        ConditionalSelect(op: op, rd: try reg(0), rn: try reg(1), rm: try reg(2), condition: try condition(3)))
    case .conditionalSet(let op):
      try count(2...2)
      let rd = try reg(0)
      let c = try invertibleCondition(1)
      let zr = Register(.zr, rd.width)
      return .conditionalSelect(ConditionalSelect(op: op, rd: rd, rn: zr, rm: zr, condition: c))
    case .conditionalAlias(let op):
      try count(3...3)
      let rd = try reg(0)
      let rn = try reg(1)
      let c = try invertibleCondition(2)
      return .conditionalSelect(ConditionalSelect(op: op, rd: rd, rn: rn, rm: rn, condition: c))
    case .multiply(let op):
      try count(4...4)
      return .multiply(Multiply(op: op, rd: try reg(0), rn: try reg(1), rm: try reg(2), ra: try reg(3)))
    case .multiplyAlias(let op):
      try count(3...3)
      let rd = try reg(0)
      return .multiply(Multiply(op: op, rd: rd, rn: try reg(1), rm: try reg(2), ra: Register(.zr, rd.width)))
    case .dataProcessing1(let op):
      try count(2...2)
      return .dataProcessing1(op, rd: try reg(0), rn: try reg(1))
    }
  }

  func invertibleCondition(_ i: Int) throws(AsmParseError) -> Condition {
    let c = try condition(i)
    if c == .al || c == .nv { throw fail(i, "\(mnemonic) cannot use condition \(c)") }
    return c.inverted
  }

  func barrierOption(_ i: Int) throws(AsmParseError) -> BarrierOption {
    if case .identifier(let s)? = op(i) {
      guard let k = BarrierOption.names.firstIndex(where: { $0 == s }) else {
        throw fail(i, "unknown barrier option '\(s)'")
      }
      return BarrierOption(unchecked: UInt8(k))
    }
    return BarrierOption(unchecked: try immBits(i, 4, "crm"))
  }

  func sysreg(_ i: Int) throws(AsmParseError) -> SystemRegister {
    let s = try ident(i)
    guard let r = SystemRegister(name: s) else { throw fail(i, "unknown system register '\(s)'") }
    return r
  }

  /// `C0`…`C15`.
  func cReg(_ i: Int) throws(AsmParseError) -> UInt8 {
    let s = try ident(i)
    guard s.hasPrefix("c"), let v = UInt8(s.dropFirst()), v < 16 else {
      throw fail(i, "expected C0-C15, got '\(s)'")
    }
    return v
  }

  /// `lsl #n` at operand `i`.
  func lslAmount(_ i: Int) throws(AsmParseError) -> Int64 {
    guard case .shift(.lsl, let a)? = op(i) else { throw fail(i, "expected lsl #amount") }
    return a
  }

  /// An optional `shift #amount` at operand `i`.
  func shift(_ i: Int) throws(AsmParseError) -> (Shift, UInt8) {
    guard let o = op(i) else { return (.lsl, 0) }
    guard case .shift(let s, let a) = o, a >= 0, a < 256 else {
      throw fail(i, "expected a shift (lsl/lsr/asr/ror #amount)")
    }
    return (s, UInt8(a))
  }

  /// A bitmask immediate for `w` (negative values are two's complement in `w` bits).
  func bitmask(_ i: Int, _ w: Width) throws(AsmParseError) -> UInt64 {
    guard let v = Matcher.bitmaskValue(try imm(i), w) else {
      throw fail(i, "immediate does not fit in 32 bits")
    }
    return v
  }

  /// `v` as a bitmask immediate's value for `w`, or nil when it does not fit in 32 bits (as a
  /// 32-bit value or a sign-extended negative one).
  static func bitmaskValue(_ value: Int64, _ w: Width) -> UInt64? {
    let v = UInt64(bitPattern: value)
    if w == .w {
      if v >> 32 != 0 && v >> 31 != 0x1_ffff_ffff { return nil }
      return v & 0xffff_ffff
    }
    return v
  }

  /// ADD/SUB with operands from `from`: immediate, shifted or extended register.
  func addSub(sub: Bool, s: Bool, rd: Register, from k: Int) throws(AsmParseError) -> Instruction {
    let rn = try reg(k)
    var sub = sub
    if isImmediate(k + 1) {
      var v = try imm(k + 1)
      if v < 0 && v > Int64.min {  // GNU as and llvm-mc: add #-n is sub #n (and cmp/cmn swap)
        v = -v
        sub.toggle()
      }
      var sh = false
      if let _ = op(k + 2) {
        let a = try lslAmount(k + 2)
        guard a == 0 || a == 12 else { throw fail(k + 2, "shift must be lsl #0 or lsl #12") }
        sh = a == 12
      } else if v > 4095 && v & 0xfff == 0 && v >> 12 <= 4095 {
        v >>= 12
        sh = true
      }
      guard v >= 0, v <= 4095 else {
        throw AsmParseError(
          "asm.encoding", column: ops[k + 1].column, "imm12: \(v) out of range [0, 4095]",
          encoding: EncodingError(.outOfRange, operand: "imm12", "\(v) out of range [0, 4095]"))
      }
      return .addSubImmediate(
        AddSubImmediate(subtract: sub, setFlags: s, rd: rd, rn: rn, imm12: UInt16(v), shift12: sh))
    }
    let rm = try reg(k + 1)
    let extra = op(k + 2)
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
      default: throw fail(k + 2, "expected an extend")
      }
      guard amount >= 0, amount <= 4 else {
        throw AsmParseError(
          "asm.encoding", column: ops[k + 2].column, "amount: \(amount) out of range [0, 4]",
          encoding: EncodingError(.outOfRange, operand: "amount", "\(amount) out of range [0, 4]"))
      }
      return .addSubExtended(
        AddSubExtended(
          subtract: sub, setFlags: s, rd: rd, rn: rn, rm: rm, extend: ext, amount: UInt8(amount)))
    }
    let (sh, amt) = try shift(k + 2)
    return .addSubShifted(
      AddSubShifted(subtract: sub, setFlags: s, rd: rd, rn: rn, rm: rm, shift: sh, amount: amt))
  }

  /// MOV: register (ORR or ADD #0 with SP), wide immediate (MOVZ, MOVN) or bitmask (ORR).
  func mov() throws(AsmParseError) -> Instruction {
    try count(2...2)
    let rd = try reg(0)
    if case .register(let rm)? = op(1) {
      if rd.isSP || rm.isSP {
        return .addSubImmediate(
          AddSubImmediate(subtract: false, setFlags: false, rd: rd, rn: rm, imm12: 0))
      }
      return .logicalShifted(LogicalShifted(op: .orr, rd: rd, rn: Register(.zr, rd.width), rm: rm))
    }
    return Matcher.movImmediate(rd, try bitmask(1, rd.width))
  }

  /// MOV Rd, #v (`v` already checked for Rd's width): MOVZ, MOVN, or ORR with a bitmask.
  static func movImmediate(_ rd: Register, _ v: UInt64) -> Instruction {
    if rd.isSP {  // MOVZ/MOVN cannot write SP: only the ORR form names it
      return .logicalImmediate(
        LogicalImmediate(op: .orr, rd: rd, rn: Register(.zr, rd.width), value: v))
    }
    let mask: UInt64 = rd.width == .x ? ~0 : 0xffff_ffff
    for shift in stride(from: 0, to: rd.width.bits, by: 16) {
      let s = UInt64(shift)
      if v & ~(0xffff << s) == 0 {
        return .moveWide(
          MoveWide(
            op: .movz, rd: rd, imm16: UInt16(truncatingIfNeeded: v >> s), shift: UInt8(shift)))
      }
    }
    let n = ~v & mask
    for shift in stride(from: 0, to: rd.width.bits, by: 16) {
      let s = UInt64(shift)
      if n & ~(0xffff << s) == 0 {
        return .moveWide(
          MoveWide(
            op: .movn, rd: rd, imm16: UInt16(truncatingIfNeeded: n >> s), shift: UInt8(shift)))
      }
    }
    return .logicalImmediate(
      LogicalImmediate(op: .orr, rd: rd, rn: Register(.zr, rd.width), value: v))
  }
}
