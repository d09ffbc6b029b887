// Logical and add/subtract (shifted/extended register), with carry, conditional compare and
// select, 1-, 2- and 3-source. Arm ARM C4.1.67 "Data Processing -- Register".

extension A64Decoder {
  /// Logical (shifted register); a 32-bit imm6 ≥ 32 is unallocated.
  static let decodeLogicalShifted: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    guard w == .x || f[.imm6] < 32 else { return .undefined(f.word) }
    return .decoded(
      .logicalShifted(
        LogicalShifted(
          op: LogicalRegisterOp(rawValue: UInt8(f[.opc] << 1 | f[.n])) ?? .and,
          rd: .zr(f[.rd], w), rn: .zr(f[.rn], w), rm: .zr(f[.rm], w),
          shift: Shift(rawValue: UInt8(f[.shift])) ?? .lsl, amount: UInt8(f[.imm6]))))
  }

  /// Add/subtract (shifted register); shift = 11 and a 32-bit imm6 ≥ 32 are unallocated.
  static let decodeAddSubShifted: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    guard f[.shift] != 3, w == .x || f[.imm6] < 32 else { return .undefined(f.word) }
    return .decoded(
      .addSubShifted(
        AddSubShifted(
          subtract: f[.op] == 1, setFlags: f[.s] == 1, rd: .zr(f[.rd], w), rn: .zr(f[.rn], w),
          rm: .zr(f[.rm], w), shift: Shift(rawValue: UInt8(f[.shift])) ?? .lsl,
          amount: UInt8(f[.imm6]))))
  }

  /// Add/subtract (extended register); opt ≠ 00 or imm3 > 4 is unallocated.
  static let decodeAddSubExtended: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    guard f[.opt] == 0, f[.imm3] <= 4 else { return .undefined(f.word) }
    let ext = Extend(rawValue: UInt8(f[.option])) ?? .uxtb
    let s = f[.s] == 1
    return .decoded(
      .addSubExtended(
        AddSubExtended(
          subtract: f[.op] == 1, setFlags: s, rd: s ? .zr(f[.rd], w) : .sp(f[.rd], w),
          rn: .sp(f[.rn], w), rm: .zr(f[.rm], w == .x && ext.takesX ? .x : .w), extend: ext,
          amount: UInt8(f[.imm3]))))
  }

  /// ADC/ADCS/SBC/SBCS.
  static let decodeAddSubCarry: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    return .decoded(
      .addSubCarry(
        subtract: f[.op] == 1, setFlags: f[.s] == 1, rd: .zr(f[.rd], w), rn: .zr(f[.rn], w),
        rm: .zr(f[.rm], w)))
  }

  /// CCMN/CCMP (register and immediate).
  static let decodeConditionalCompare: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    let operand: ConditionalCompare.Operand =
      f.name == .CCMP_i ? .immediate(UInt8(f[.imm5])) : .register(.zr(f[.rm], w))
    return .decoded(
      .conditionalCompare(
        ConditionalCompare(
          negate: f[.op] == 1, rn: .zr(f[.rn], w), operand: operand, nzcv: UInt8(f[.nzcv]),
          condition: .field(f[.cond]))))
  }

  /// CSEL/CSINC/CSINV/CSNEG.
  static let decodeConditionalSelect: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    return .decoded(
      .conditionalSelect(
        ConditionalSelect(
          op: ConditionalSelectOp(rawValue: UInt8(f[.op] << 1 | f[.o2])) ?? .csel,
          rd: .zr(f[.rd], w), rn: .zr(f[.rn], w), rm: .zr(f[.rm], w), condition: .field(f[.cond])
        )))
  }

  /// MADD … UMULH. Other op31:o0 values with sf = 0 are unallocated; the rest are not covered.
  static let decodeMultiply: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    let op: MultiplyOp
    switch (f[.op31], f[.o0]) {
    case (0, 0): op = .madd
    case (0, 1): op = .msub
    case (1, 0): op = .smaddl
    case (1, 1): op = .smsubl
    case (2, 0): op = .smulh
    case (5, 0): op = .umaddl
    case (5, 1): op = .umsubl
    case (6, 0): op = .umulh
    default: return w == .w ? .undefined(f.word) : nil
    }
    let rd = Register.zr(f[.rd], w)
    let rm = Register.zr(f[.rm], w)
    let rn = Register.zr(f[.rn], w)
    let ra = Register.zr(f[.ra], w)
    switch op {
    case .madd, .msub:
      return .decoded(.multiply(Multiply(op: op, rd: rd, rn: rn, rm: rm, ra: ra)))
    case .smaddl, .smsubl, .umaddl, .umsubl:
      guard w == .x else { return .undefined(f.word) }
      return .decoded(
        .multiply(Multiply(op: op, rd: rd, rn: rn.with(.w), rm: rm.with(.w), ra: ra)))
    case .smulh, .umulh:
      guard w == .x else { return .undefined(f.word) }
      let i = Instruction.multiply(Multiply(op: op, rd: rd, rn: rn, rm: rm, ra: .xzr))
      return f[.ra] == 31 ? .decoded(i) : .unpredictable(i, reason: "Ra is not 11111")
    }
  }

  /// UDIV, SDIV, LSLV, LSRV, ASRV, RORV; other opcodes (CRC32, PACGA, MTE, CSSC) not covered.
  static let decodeDataProcessing2: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    guard let op = DataProcessing2(rawValue: UInt8(f[.opcode])) else { return nil }
    return .decoded(
      .dataProcessing2(op, rd: .zr(f[.rd], w), rn: .zr(f[.rn], w), rm: .zr(f[.rm], w)))
  }

  /// RBIT, REV16, REV32, REV, CLZ, CLS.
  static let decodeDataProcessing1: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    let op: DataProcessing1
    switch f[.opcode] {
    case 0: op = .rbit
    case 1: op = .rev16
    case 2: op = w == .x ? .rev32 : .rev
    case 3:
      guard w == .x else { return .undefined(f.word) }
      op = .rev
    case 4: op = .clz
    case 5: op = .cls
    default: return nil
    }
    return .decoded(.dataProcessing1(op, rd: .zr(f[.rd], w), rn: .zr(f[.rn], w)))
  }
}

extension A64Encoder {
  static func logicalShifted(_ l: LogicalShifted) throws(EncodingError) -> UInt32 {
    let w = l.rd.width
    try checkRange(Int64(l.amount), 0...Int64(w.bits - 1), "amount")
    return try A64Spec.assemble(
      .LOGIC_r,
      [
        .sf: w.sf, .opc: UInt32(l.op.rawValue >> 1), .shift: UInt32(l.shift.rawValue),
        .n: UInt32(l.op.rawValue & 1), .rm: l.rm.encoded("rm", .zr, w), .imm6: UInt32(l.amount),
        .rn: l.rn.encoded("rn", .zr, w), .rd: l.rd.encoded("rd", .zr),
      ])
  }

  static func addSubShifted(_ a: AddSubShifted) throws(EncodingError) -> UInt32 {
    let w = a.rd.width
    if a.shift == .ror {
      throw EncodingError(.notEncodable, operand: "shift", "ror is not allowed for add/sub")
    }
    try checkRange(Int64(a.amount), 0...Int64(w.bits - 1), "amount")
    return try A64Spec.assemble(
      .ADDSUB_r,
      [
        .sf: w.sf, .op: a.subtract ? 1 : 0, .s: a.setFlags ? 1 : 0,
        .shift: UInt32(a.shift.rawValue), .rm: a.rm.encoded("rm", .zr, w),
        .imm6: UInt32(a.amount), .rn: a.rn.encoded("rn", .zr, w), .rd: a.rd.encoded("rd", .zr),
      ])
  }

  static func addSubExtended(_ a: AddSubExtended) throws(EncodingError) -> UInt32 {
    let w = a.rd.width
    try checkRange(Int64(a.amount), 0...4, "amount")
    return try A64Spec.assemble(
      .ADDSUB_x,
      [
        .sf: w.sf, .op: a.subtract ? 1 : 0, .s: a.setFlags ? 1 : 0, .opt: 0,
        .rm: a.rm.encoded("rm", .zr, w == .x && a.extend.takesX ? .x : .w),
        .option: UInt32(a.extend.rawValue), .imm3: UInt32(a.amount),
        .rn: a.rn.encoded("rn", .sp, w), .rd: a.rd.encoded("rd", a.setFlags ? .zr : .sp, w),
      ])
  }

  static func addSubCarry(
    _ sub: Bool, _ s: Bool, _ rd: Register, _ rn: Register, _ rm: Register
  ) throws(EncodingError) -> UInt32 {
    let w = rd.width
    return try A64Spec.assemble(
      .ADC,
      [
        .sf: w.sf, .op: sub ? 1 : 0, .s: s ? 1 : 0, .rm: rm.encoded("rm", .zr, w),
        .rn: rn.encoded("rn", .zr, w), .rd: rd.encoded("rd", .zr),
      ])
  }

  static func conditionalCompare(_ c: ConditionalCompare) throws(EncodingError) -> UInt32 {
    let w = c.rn.width
    try checkRange(Int64(c.nzcv), 0...15, "nzcv")
    switch c.operand {
    case .register(let rm):
      return try A64Spec.assemble(
        .CCMP_r,
        [
          .sf: w.sf, .op: c.negate ? 1 : 0, .rm: rm.encoded("rm", .zr, w),
          .cond: UInt32(c.condition.rawValue), .rn: c.rn.encoded("rn", .zr), .nzcv: UInt32(c.nzcv),
        ])
    case .immediate(let imm):
      try checkRange(Int64(imm), 0...31, "imm5")
      return try A64Spec.assemble(
        .CCMP_i,
        [
          .sf: w.sf, .op: c.negate ? 1 : 0, .imm5: UInt32(imm),
          .cond: UInt32(c.condition.rawValue), .rn: c.rn.encoded("rn", .zr), .nzcv: UInt32(c.nzcv),
        ])
    }
  }

  static func conditionalSelect(_ c: ConditionalSelect) throws(EncodingError) -> UInt32 {
    let w = c.rd.width
    return try A64Spec.assemble(
      .CSEL,
      [
        .sf: w.sf, .op: UInt32(c.op.rawValue >> 1), .rm: c.rm.encoded("rm", .zr, w),
        .cond: UInt32(c.condition.rawValue), .o2: UInt32(c.op.rawValue & 1),
        .rn: c.rn.encoded("rn", .zr, w), .rd: c.rd.encoded("rd", .zr),
      ])
  }

  /// The op31 and o0 fields of a multiply.
  static func multiplyFields(_ op: MultiplyOp) -> (op31: UInt32, o0: UInt32) {
    switch op {
    case .madd: (0, 0)
    case .msub: (0, 1)
    case .smaddl: (1, 0)
    case .smsubl: (1, 1)
    case .smulh: (2, 0)
    case .umaddl: (5, 0)
    case .umsubl: (5, 1)
    case .umulh: (6, 0)
    }
  }

  static func multiply(_ m: Multiply) throws(EncodingError) -> UInt32 {
    let (op31, o0) = multiplyFields(m.op)
    let w = m.rd.width
    let long = op31 == 1 || op31 == 5
    if op31 != 0 && w != .x {
      throw EncodingError(.widthMismatch, operand: "rd", "expected a 64-bit (x) register")
    }
    let src: Width = long ? .w : w
    if (op31 == 2 || op31 == 6) && !m.ra.isZR {
      throw EncodingError(.invalidRegister, operand: "ra", "must be xzr for smulh/umulh")
    }
    return try A64Spec.assemble(
      .DP_3,
      [
        .sf: w.sf, .op31: op31, .rm: m.rm.encoded("rm", .zr, src), .o0: o0,
        .ra: m.ra.encoded("ra", .zr, w), .rn: m.rn.encoded("rn", .zr, src),
        .rd: m.rd.encoded("rd", .zr),
      ])
  }

  static func dataProcessing2(
    _ op: DataProcessing2, _ rd: Register, _ rn: Register, _ rm: Register
  ) throws(EncodingError) -> UInt32 {
    let w = rd.width
    return try A64Spec.assemble(
      .DP_2,
      [
        .sf: w.sf, .rm: rm.encoded("rm", .zr, w), .opcode: UInt32(op.rawValue),
        .rn: rn.encoded("rn", .zr, w), .rd: rd.encoded("rd", .zr),
      ])
  }

  /// The opcode field of a one-source operation at width `w`; nil for REV32 of W registers.
  static func dataProcessing1Opcode(_ op: DataProcessing1, _ w: Width) -> UInt32? {
    switch op {
    case .rbit: 0
    case .rev16: 1
    case .rev32: w == .x ? 2 : nil
    case .rev: w == .x ? 3 : 2
    case .clz: 4
    case .cls: 5
    }
  }

  static func dataProcessing1(_ op: DataProcessing1, _ rd: Register, _ rn: Register)
    throws(EncodingError) -> UInt32
  {
    let w = rd.width
    guard let opcode = dataProcessing1Opcode(op, w) else {
      throw EncodingError(.widthMismatch, operand: "rd", "rev32 needs 64-bit registers")
    }
    return try A64Spec.assemble(
      .DP_1,
      [
        .sf: w.sf, .opcode: opcode, .rn: rn.encoded("rn", .zr, w), .rd: rd.encoded("rd", .zr),
      ])
  }
}
