// Branches: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET and the FEAT_PAuth branches.
// Arm ARM C4.1.65 "Branches, Exception Generating and System instructions".

extension A64Decoder {
  /// B.cond: `0101010 0 imm19 0 cond`.
  static let decodeBranchConditional: DecodeHandler = { f in
    .decoded(.branchConditional(.field(f[.cond]), BranchOffset(field: f[.imm19], .imm19)))
  }

  /// CBZ/CBNZ: `sf 011010 op imm19 Rt`.
  static let decodeCompareAndBranch: DecodeHandler = { f in
    .decoded(
      .compareAndBranch(
        nonZero: f[.op] == 1, .zr(f[.rt], Width(sf: f[.sf])),
        BranchOffset(field: f[.imm19], .imm19)))
  }

  /// TBZ/TBNZ: `b5 011011 op b40 imm14 Rt`; the register is X iff b5 is set.
  static let decodeTestAndBranch: DecodeHandler = { f in
    .decoded(
      .testAndBranch(
        nonZero: f[.op] == 1, .zr(f[.rt], f[.b5] == 1 ? .x : .w),
        bit: UInt8(f[.b5] << 5 | f[.b40]), BranchOffset(field: f[.imm14], .imm14)))
  }

  /// BRAAZ/BRABZ, BLRAAZ/BLRABZ, RETAA/RETAB, ERETAA/ERETAB, BRAA/BRAB, BLRAA/BLRAB.
  static let decodeAuthenticatedBranch: DecodeHandler = { f in
    let b = f[.m] == 1
    switch f.name {
    case .BRAZ: return .decoded(.branchAuthenticated(.braz(keyB: b, .zr(f[.rn], .x))))
    case .BLRAZ: return .decoded(.branchAuthenticated(.blraz(keyB: b, .zr(f[.rn], .x))))
    case .RETA: return .decoded(.branchAuthenticated(.reta(keyB: b)))
    case .ERETA: return .decoded(.exceptionReturn(b ? .eretab : .eretaa))
    case .BRA:
      return .decoded(
        .branchAuthenticated(.bra(keyB: b, .zr(f[.rn], .x), modifier: .sp(f[.rm], .x))))
    case .BLRA:
      return .decoded(
        .branchAuthenticated(.blra(keyB: b, .zr(f[.rn], .x), modifier: .sp(f[.rm], .x))))
    default: return nil
    }
  }
}

extension A64Encoder {
  /// B/BL: op 00101 imm26. Kernel: `aarch64_insn_gen_branch_imm`; LLVM fixup
  /// `fixup_aarch64_pcrel_branch26`.
  static func branch(link: Bool, _ off: BranchOffset) throws(EncodingError) -> UInt32 {
    try A64Spec.assemble(.B, [.op: link ? 1 : 0, .imm26: off.field(for: .imm26)])
  }

  /// B.cond. LLVM fixup `fixup_aarch64_pcrel_branch19`.
  static func branchConditional(_ c: Condition, _ off: BranchOffset) throws(EncodingError)
    -> UInt32
  {
    if let w = branchConditionalWord(c, off) { return w }
    return try branchConditionalChecked(c, off)
  }

  /// `branchConditional` through the spec's field list, with every check and diagnostic.
  static func branchConditionalChecked(_ c: Condition, _ off: BranchOffset)
    throws(EncodingError) -> UInt32
  {
    try A64Spec.assemble(
      .B_cond,
      [
        .imm19: off.field(for: .imm19), .cond: UInt32(c.rawValue),
      ])
  }

  /// CBZ/CBNZ. Kernel: `aarch64_insn_gen_comp_branch_imm`.
  static func compareAndBranch(_ nz: Bool, _ rt: Register, _ off: BranchOffset)
    throws(EncodingError) -> UInt32
  {
    try A64Spec.assemble(
      .CB,
      [
        .sf: rt.width.sf, .op: nz ? 1 : 0, .imm19: off.field(for: .imm19),
        .rt: rt.encoded("rt", .zr),
      ])
  }

  /// TBZ/TBNZ. LLVM fixup `fixup_aarch64_pcrel_branch14`.
  static func testAndBranch(_ nz: Bool, _ rt: Register, _ bit: UInt8, _ off: BranchOffset)
    throws(EncodingError) -> UInt32
  {
    try checkRange(Int64(bit), 0...(rt.width == .x ? 63 : 31), "bit")
    if rt.width == .x && bit < 32 {
      throw EncodingError(
        .widthMismatch, operand: "rt", "bit \(bit) < 32 is tested with a w register (b5 = 0)")
    }
    return try A64Spec.assemble(
      .TB,
      [
        .b5: UInt32(bit >> 5), .op: nz ? 1 : 0, .b40: UInt32(bit & 31),
        .imm14: off.field(for: .imm14), .rt: rt.encoded("rt", .zr),
      ])
  }

  /// BR, BLR, RET.
  static func branchRegister(_ k: BranchRegisterKind, _ rn: Register) throws(EncodingError)
    -> UInt32
  {
    let p: PatternName =
      switch k {
      case .br: .BR
      case .blr: .BLR
      case .ret: .RET
      }
    return try A64Spec.assemble(p, [.rn: rn.encoded("rn", .zr, .x)])
  }

  static func authenticatedBranch(_ b: AuthenticatedBranch) throws(EncodingError) -> UInt32 {
    if let w = authenticatedBranchWord(b) { return w }
    return try authenticatedBranchChecked(b)
  }

  /// `authenticatedBranch` through the spec's field list, with every check and diagnostic.
  static func authenticatedBranchChecked(_ b: AuthenticatedBranch) throws(EncodingError)
    -> UInt32
  {
    switch b {
    case .braz(let k, let rn):
      try A64Spec.assemble(.BRAZ, [.m: k ? 1 : 0, .rn: rn.encoded("rn", .zr, .x)])
    case .blraz(let k, let rn):
      try A64Spec.assemble(.BLRAZ, [.m: k ? 1 : 0, .rn: rn.encoded("rn", .zr, .x)])
    case .reta(let k): try A64Spec.assemble(.RETA, [.m: k ? 1 : 0])
    case .bra(let k, let rn, let rm):
      try A64Spec.assemble(
        .BRA,
        [
          .m: k ? 1 : 0, .rn: rn.encoded("rn", .zr, .x), .rm: rm.encoded("rm", .sp, .x),
        ])
    case .blra(let k, let rn, let rm):
      try A64Spec.assemble(
        .BLRA,
        [
          .m: k ? 1 : 0, .rn: rn.encoded("rn", .zr, .x), .rm: rm.encoded("rm", .sp, .x),
        ])
    }
  }

  static func exceptionReturn(_ e: ExceptionReturn) throws(EncodingError) -> UInt32 {
    switch e {
    case .eret: try A64Spec.assemble(.ERET, [:])
    case .drps: try A64Spec.assemble(.DRPS, [:])
    case .eretaa: try A64Spec.assemble(.ERETA, [.m: 0])
    case .eretab: try A64Spec.assemble(.ERETA, [.m: 1])
    }
  }
}
