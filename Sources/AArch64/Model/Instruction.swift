/// One A64 integer instruction, in its *architectural* form.
///
/// Each case is one instruction class of the Arm ARM (DDI 0487, chapter C4 encoding index). Aliases
/// are not separate cases: `mov x0, x1` is `.logicalShifted` ORR with XZR, `cmp x0, #1` is
/// `.addSubImmediate` SUBS to XZR. The printer chooses the preferred alias exactly as objdump
/// does, and the parser maps alias spellings back here, so one word has exactly one value.
public enum Instruction: Sendable, Hashable {
  // MARK: Branches, exception generating and system (C4.1.65)

  /// `B` / `BL` (imm26). Kernel: `aarch64_insn_gen_branch_imm`.
  case branch(link: Bool, BranchOffset)
  /// `B.cond` (imm19).
  case branchConditional(Condition, BranchOffset)
  /// `CBZ` / `CBNZ` (imm19). Kernel: `aarch64_insn_gen_comp_branch_imm`.
  case compareAndBranch(nonZero: Bool, Register, BranchOffset)
  /// `TBZ` / `TBNZ` (imm14); `bit` is b5:b40, and the register is X iff bit ≥ 32.
  case testAndBranch(nonZero: Bool, Register, bit: UInt8, BranchOffset)
  /// `BR`, `BLR`, `RET` through a register (plain, not authenticated).
  case branchRegister(BranchRegisterKind, Register)
  /// The pointer-authenticating branches (`BRAAZ`, `RETAA`, `BLRAB x1, x2`, …).
  case branchAuthenticated(AuthenticatedBranch)
  /// `ERET`, `ERETAA`, `ERETAB`, `DRPS`.
  case exceptionReturn(ExceptionReturn)
  /// The hint space, `HINT #0…127` (NOP, BTI, PACIASP, …).
  case hint(Hint)
  /// DMB, DSB, ISB, SB, SSBB, PSSBB, CLREX.
  case barrier(Barrier)
  /// `MSR <pstatefield>, #imm` (CRm).
  case msrImmediate(PStateField, UInt8)
  /// `SYS`/`SYSL` and their aliases `DC`, `IC`, `TLBI`, `AT`.
  case system(SystemInstruction)
  /// `MRS Xt, <sysreg>`.
  case mrs(Register, SystemRegister)
  /// `MSR <sysreg>, Xt`.
  case msr(SystemRegister, Register)
  /// `SVC`, `HVC`, `SMC`, `BRK`, `HLT`, `DCPS1–3` with their 16-bit immediate.
  case exception(ExceptionKind, UInt16)

  // MARK: Data processing — immediate (C4.1.64)

  /// `ADR` (`.adr21`) and `ADRP` (`.adrp21`).
  case pcRelative(Register, BranchOffset)
  case addSubImmediate(AddSubImmediate)
  case logicalImmediate(LogicalImmediate)
  case moveWide(MoveWide)
  case bitfield(Bitfield)
  /// `EXTR Rd, Rn, Rm, #lsb` (and its alias `ROR` when Rn == Rm).
  case extract(rd: Register, rn: Register, rm: Register, lsb: UInt8)

  // MARK: Data processing — register (C4.1.67)

  case logicalShifted(LogicalShifted)
  case addSubShifted(AddSubShifted)
  case addSubExtended(AddSubExtended)
  /// `ADC`, `ADCS`, `SBC`, `SBCS` (aliases `NGC`, `NGCS`).
  case addSubCarry(subtract: Bool, setFlags: Bool, rd: Register, rn: Register, rm: Register)
  case conditionalCompare(ConditionalCompare)
  case conditionalSelect(ConditionalSelect)
  case multiply(Multiply)
  case dataProcessing2(DataProcessing2, rd: Register, rn: Register, rm: Register)
  case dataProcessing1(DataProcessing1, rd: Register, rn: Register)

  // MARK: Loads and stores (C4.1.66)

  /// `LDR Wt|Xt, label`, `LDRSW Xt, label`.
  case loadLiteral(LiteralLoad, Register, BranchOffset)
  /// `PRFM <prfop>, label`.
  case prefetchLiteral(PrefetchOperation, BranchOffset)
  /// Single-register loads and stores of every addressing mode (LDR, STR, LDUR, LDRB, LDRSW…).
  case loadStore(LoadStore)
  /// `PRFM` (unsigned offset or register offset) and `PRFUM` (unscaled).
  case prefetch(PrefetchOperation, Address)
  case loadStorePair(LoadStorePair)
  case exclusive(Exclusive)
  /// `LDAR`/`STLR` (ordered) and `LDLAR`/`STLLR` (LORegion), +B/H.
  case acquireRelease(AcquireRelease)
  case atomic(AtomicMemory)
  /// `LDAPR{B,H} Rt, [Xn|SP]` (FEAT_LRCPC load-acquire RCpc).
  case loadAcquirePC(AccessSize, rt: Register, rn: Register)
  case compareAndSwap(CompareAndSwap)
  /// `CASP` (acquire/release variants); Rs and Rt are the first of even/odd register pairs.
  case compareAndSwapPair(CompareAndSwap)
}

/// BR, BLR, RET.
public enum BranchRegisterKind: Sendable, Hashable, CaseIterable {
  case br, blr, ret
}

/// The FEAT_PAuth branches. Key `b` selects the B key (`…AB`/`…BZ`) instead of A.
public enum AuthenticatedBranch: Sendable, Hashable {
  /// `BRAAZ Xn` / `BRABZ Xn`.
  case braz(keyB: Bool, Register)
  /// `BLRAAZ Xn` / `BLRABZ Xn`.
  case blraz(keyB: Bool, Register)
  /// `RETAA` / `RETAB`.
  case reta(keyB: Bool)
  /// `BRAA Xn, Xm|SP` / `BRAB`.
  case bra(keyB: Bool, Register, modifier: Register)
  /// `BLRAA Xn, Xm|SP` / `BLRAB`.
  case blra(keyB: Bool, Register, modifier: Register)
}

/// ERET, ERETAA, ERETAB, DRPS.
public enum ExceptionReturn: Sendable, Hashable, CaseIterable {
  case eret, eretaa, eretab, drps
}

/// `SYS #op1, Cn, Cm, #op2{, Xt}` (read = false) or `SYSL Xt, #op1, Cn, Cm, #op2` (read = true).
public struct SystemInstruction: Sendable, Hashable {
  public var read: Bool
  public var op1: UInt8
  public var crn: UInt8
  public var crm: UInt8
  public var op2: UInt8
  /// Xt; `xzr` when the operation takes no register.
  public var rt: Register
  public init(read: Bool = false, op1: UInt8, crn: UInt8, crm: UInt8, op2: UInt8, rt: Register) {
    self.read = read
    self.op1 = op1
    self.crn = crn
    self.crm = crm
    self.op2 = op2
    self.rt = rt
  }
}

/// `ADD/ADDS/SUB/SUBS Rd|SP, Rn|SP, #imm12{, LSL #12}` (aliases MOV to/from SP, CMP, CMN).
public struct AddSubImmediate: Sendable, Hashable {
  public var subtract: Bool
  public var setFlags: Bool
  /// SP allowed unless `setFlags` (then ZR).
  public var rd: Register
  /// SP allowed.
  public var rn: Register
  /// 0…4095.
  public var imm12: UInt16
  /// `LSL #12`.
  public var shift12: Bool
  public init(
    subtract: Bool, setFlags: Bool, rd: Register, rn: Register, imm12: UInt16, shift12: Bool = false
  ) {
    self.subtract = subtract
    self.setFlags = setFlags
    self.rd = rd
    self.rn = rn
    self.imm12 = imm12
    self.shift12 = shift12
  }
}

/// AND, ORR, EOR, ANDS (field `opc`).
public enum LogicalOp: UInt8, Sendable, Hashable, CaseIterable {
  case and = 0, orr = 1, eor = 2, ands = 3
}

/// `AND/ORR/EOR/ANDS Rd, Rn, #bitmask` (aliases MOV, TST). `Rd` is SP-capable except for ANDS.
public struct LogicalImmediate: Sendable, Hashable {
  public var op: LogicalOp
  public var rd: Register
  public var rn: Register
  /// The bitmask value itself (for W forms, the low 32 bits); must be a valid bitmask immediate.
  public var value: UInt64
  /// The bits of `immr` above the element size, which `DecodeBitMasks` ignores (0 in every
  /// encoding an assembler produces; kept so that every word re-encodes exactly).
  public var ignoredImmrBits: UInt8
  public init(op: LogicalOp, rd: Register, rn: Register, value: UInt64, ignoredImmrBits: UInt8 = 0)
  {
    self.op = op
    self.rd = rd
    self.rn = rn
    self.value = value
    self.ignoredImmrBits = ignoredImmrBits
  }
}

/// MOVN, MOVZ, MOVK (field `opc`: 00, 10, 11).
public enum MoveWideOp: Sendable, Hashable, CaseIterable {
  case movn, movz, movk
}

/// `MOVN/MOVZ/MOVK Rd, #imm16{, LSL #shift}` (alias MOV).
public struct MoveWide: Sendable, Hashable {
  public var op: MoveWideOp
  public var rd: Register
  public var imm16: UInt16
  /// 0, 16, 32 or 48 (W forms: 0 or 16).
  public var shift: UInt8
  public init(op: MoveWideOp, rd: Register, imm16: UInt16, shift: UInt8 = 0) {
    self.op = op
    self.rd = rd
    self.imm16 = imm16
    self.shift = shift
  }
}

/// SBFM, BFM, UBFM (field `opc`: 00, 01, 10).
public enum BitfieldOp: UInt8, Sendable, Hashable, CaseIterable {
  case sbfm = 0, bfm = 1, ubfm = 2
}

/// `SBFM/BFM/UBFM Rd, Rn, #immr, #imms` and all its aliases (LSL, LSR, ASR, UBFX, SBFX, UBFIZ,
/// SBFIZ, BFI, BFXIL, BFC, SXTB/H/W, UXTB/H).
public struct Bitfield: Sendable, Hashable {
  public var op: BitfieldOp
  public var rd: Register
  public var rn: Register
  public var immr: UInt8
  public var imms: UInt8
  public init(op: BitfieldOp, rd: Register, rn: Register, immr: UInt8, imms: UInt8) {
    self.op = op
    self.rd = rd
    self.rn = rn
    self.immr = immr
    self.imms = imms
  }
}

/// AND, BIC, ORR, ORN, EOR, EON, ANDS, BICS (opc:N).
public enum LogicalRegisterOp: UInt8, Sendable, Hashable, CaseIterable {
  case and = 0, bic = 1, orr = 2, orn = 3, eor = 4, eon = 5, ands = 6, bics = 7
}

/// Logical (shifted register); aliases MOV, MVN, TST.
public struct LogicalShifted: Sendable, Hashable {
  public var op: LogicalRegisterOp
  public var rd: Register
  public var rn: Register
  public var rm: Register
  public var shift: Shift
  public var amount: UInt8
  public init(
    op: LogicalRegisterOp, rd: Register, rn: Register, rm: Register, shift: Shift = .lsl,
    amount: UInt8 = 0
  ) {
    self.op = op
    self.rd = rd
    self.rn = rn
    self.rm = rm
    self.shift = shift
    self.amount = amount
  }
}

/// ADD/ADDS/SUB/SUBS (shifted register); aliases NEG, NEGS, CMP, CMN. `shift` is not `ror`.
public struct AddSubShifted: Sendable, Hashable {
  public var subtract: Bool
  public var setFlags: Bool
  public var rd: Register
  public var rn: Register
  public var rm: Register
  public var shift: Shift
  public var amount: UInt8
  public init(
    subtract: Bool, setFlags: Bool, rd: Register, rn: Register, rm: Register, shift: Shift = .lsl,
    amount: UInt8 = 0
  ) {
    self.subtract = subtract
    self.setFlags = setFlags
    self.rd = rd
    self.rn = rn
    self.rm = rm
    self.shift = shift
    self.amount = amount
  }
}

/// ADD/ADDS/SUB/SUBS (extended register): `Rd|SP, Rn|SP, Wm|Xm, extend #amount` (0…4).
public struct AddSubExtended: Sendable, Hashable {
  public var subtract: Bool
  public var setFlags: Bool
  public var rd: Register
  public var rn: Register
  public var rm: Register
  public var extend: Extend
  public var amount: UInt8
  public init(
    subtract: Bool, setFlags: Bool, rd: Register, rn: Register, rm: Register, extend: Extend,
    amount: UInt8 = 0
  ) {
    self.subtract = subtract
    self.setFlags = setFlags
    self.rd = rd
    self.rn = rn
    self.rm = rm
    self.extend = extend
    self.amount = amount
  }
}

/// CCMP/CCMN with a register or a 5-bit immediate second operand.
public struct ConditionalCompare: Sendable, Hashable {
  /// The second operand of a conditional compare.
  public enum Operand: Sendable, Hashable {
    case register(Register)
    case immediate(UInt8)
  }
  /// CCMN (false) or CCMP (true).
  public var negate: Bool
  public var rn: Register
  public var operand: Operand
  public var nzcv: UInt8
  public var condition: Condition
  public init(negate: Bool, rn: Register, operand: Operand, nzcv: UInt8, condition: Condition) {
    self.negate = negate
    self.rn = rn
    self.operand = operand
    self.nzcv = nzcv
    self.condition = condition
  }
}

/// CSEL, CSINC, CSINV, CSNEG (op:o2).
public enum ConditionalSelectOp: UInt8, Sendable, Hashable, CaseIterable {
  case csel = 0, csinc = 1, csinv = 2, csneg = 3
}

/// Conditional select; aliases CSET, CSETM, CINC, CINV, CNEG.
public struct ConditionalSelect: Sendable, Hashable {
  public var op: ConditionalSelectOp
  public var rd: Register
  public var rn: Register
  public var rm: Register
  public var condition: Condition
  public init(
    op: ConditionalSelectOp, rd: Register, rn: Register, rm: Register, condition: Condition
  ) {
    self.op = op
    self.rd = rd
    self.rn = rn
    self.rm = rm
    self.condition = condition
  }
}

/// The 3-source data-processing ops (op31:o0).
public enum MultiplyOp: Sendable, Hashable, CaseIterable {
  case madd, msub, smaddl, smsubl, smulh, umaddl, umsubl, umulh
}

/// MADD/MSUB/SMADDL/…/UMULH; aliases MUL, MNEG, SMULL, SMNEGL, UMULL, UMNEGL.
/// For SMULH/UMULH `ra` is XZR (the field should be 11111).
public struct Multiply: Sendable, Hashable {
  public var op: MultiplyOp
  public var rd: Register
  public var rn: Register
  public var rm: Register
  public var ra: Register
  public init(op: MultiplyOp, rd: Register, rn: Register, rm: Register, ra: Register) {
    self.op = op
    self.rd = rd
    self.rn = rn
    self.rm = rm
    self.ra = ra
  }
}

/// The 2-source ops: UDIV, SDIV, LSLV, LSRV, ASRV, RORV (aliases LSL, LSR, ASR, ROR).
public enum DataProcessing2: UInt8, Sendable, Hashable, CaseIterable {
  case udiv = 0b000010, sdiv = 0b000011, lslv = 0b001000, lsrv = 0b001001, asrv = 0b001010
  case rorv = 0b001011
}

/// The 1-source ops: RBIT, REV16, REV32 (X only), REV, CLZ, CLS.
public enum DataProcessing1: Sendable, Hashable, CaseIterable {
  case rbit, rev16, rev32, rev, clz, cls
}

/// LDR (literal) variants: W, X, or LDRSW.
public enum LiteralLoad: Sendable, Hashable, CaseIterable {
  /// `LDR Wt|Xt, label` (width from the register).
  case ldr
  /// `LDRSW Xt, label`.
  case ldrsw
}

/// The size of a memory access: field `size` (0…3).
public enum AccessSize: UInt8, Sendable, Hashable, CaseIterable {
  case byte = 0, halfword = 1, word = 2, doubleword = 3
  public var bytes: Int { 1 << Int(rawValue) }
}

/// The address of a single-register load/store or prefetch.
public enum Address: Sendable, Hashable {
  /// `[Xn|SP{, #pimm}]`: unsigned 12-bit immediate scaled by the access size (LDR/STR/PRFM).
  case unsignedOffset(base: Register, offset: Int64)
  /// `[Xn|SP{, #simm9}]`: unscaled (LDUR/STUR/PRFUM).
  case unscaled(base: Register, offset: Int64)
  /// `[Xn|SP, #simm9]!`.
  case preIndex(base: Register, offset: Int64)
  /// `[Xn|SP], #simm9`.
  case postIndex(base: Register, offset: Int64)
  /// `[Xn|SP{, #simm9}]` with unprivileged access (LDTR/STTR…).
  case unprivileged(base: Register, offset: Int64)
  /// `[Xn|SP, Xm|Wm{, extend {#amount}}]`; `shifted` is the S bit (amount = log2 size or 0).
  case registerOffset(base: Register, index: Register, extend: Extend, shifted: Bool)

  public var base: Register {
    switch self {
    case .unsignedOffset(let b, _), .unscaled(let b, _), .preIndex(let b, _),
      .postIndex(let b, _), .unprivileged(let b, _), .registerOffset(let b, _, _, _):
      b
    }
  }
}

/// What a single-register load/store does with the register (field `opc`).
public enum LoadStoreKind: Sendable, Hashable, CaseIterable {
  case store
  /// Zero-extending load.
  case load
  /// Sign-extending load (LDRSB/LDRSH/LDRSW): to Wt or Xt depending on `rt.width`.
  case loadSigned
}

/// LDR/STR/LDRB/…/LDRSW in every addressing mode.
public struct LoadStore: Sendable, Hashable {
  public var kind: LoadStoreKind
  public var size: AccessSize
  public var rt: Register
  public var address: Address
  public init(kind: LoadStoreKind, size: AccessSize, rt: Register, address: Address) {
    self.kind = kind
    self.size = size
    self.rt = rt
    self.address = address
  }
}

/// STP, LDP, LDPSW, STNP, LDNP.
public enum PairOp: Sendable, Hashable, CaseIterable {
  case stp, ldp, ldpsw, stnp, ldnp
}

/// The addressing mode of a pair: `[Xn, #imm]`, `[Xn, #imm]!`, `[Xn], #imm`.
public enum PairMode: Sendable, Hashable, CaseIterable {
  case signedOffset, preIndex, postIndex
}

/// Load/store pair; `offset` in bytes (imm7 × 4 or × 8).
public struct LoadStorePair: Sendable, Hashable {
  public var op: PairOp
  public var rt: Register
  public var rt2: Register
  public var base: Register
  public var offset: Int64
  public var mode: PairMode
  public init(
    op: PairOp, rt: Register, rt2: Register, base: Register, offset: Int64, mode: PairMode
  ) {
    self.op = op
    self.rt = rt
    self.rt2 = rt2
    self.base = base
    self.offset = offset
    self.mode = mode
  }
}

/// LDXR/LDAXR/STXR/STLXR (+B/H) and LDXP/LDAXP/STXP/STLXP.
public struct Exclusive: Sendable, Hashable {
  public var load: Bool
  /// The acquire (loads) or release (stores) form.
  public var ordered: Bool
  public var pair: Bool
  /// For W/X accesses the size follows `rt.width`; `.byte`/`.halfword` for the B/H forms.
  public var size: AccessSize
  /// The status register of stores (W); nil for loads.
  public var rs: Register?
  public var rt: Register
  /// The second register of pairs; nil otherwise.
  public var rt2: Register?
  public var rn: Register
  public init(
    load: Bool, ordered: Bool, pair: Bool, size: AccessSize, rs: Register?, rt: Register,
    rt2: Register?, rn: Register
  ) {
    self.load = load
    self.ordered = ordered
    self.pair = pair
    self.size = size
    self.rs = rs
    self.rt = rt
    self.rt2 = rt2
    self.rn = rn
  }
}

/// LDAR/STLR (ordered = true) and LDLAR/STLLR (ordered = false, LORegion), +B/H.
public struct AcquireRelease: Sendable, Hashable {
  public var load: Bool
  public var ordered: Bool
  public var size: AccessSize
  public var rt: Register
  public var rn: Register
  public init(load: Bool, ordered: Bool = true, size: AccessSize, rt: Register, rn: Register) {
    self.load = load
    self.ordered = ordered
    self.size = size
    self.rt = rt
    self.rn = rn
  }
}

/// The LSE atomic memory operations (o3:opc).
public enum AtomicOp: Sendable, Hashable, CaseIterable {
  case add, clr, eor, set, smax, smin, umax, umin, swp
}

/// `LD<op>{A}{L}{B|H} Rs, Rt, [Xn|SP]`, `SWP…`; aliases `ST<op>{L}{B|H} Rs, [Xn|SP]` when Rt is
/// ZR and there is no acquire.
public struct AtomicMemory: Sendable, Hashable {
  public var op: AtomicOp
  public var acquire: Bool
  public var release: Bool
  public var size: AccessSize
  public var rs: Register
  public var rt: Register
  public var rn: Register
  public init(
    op: AtomicOp, acquire: Bool = false, release: Bool = false, size: AccessSize, rs: Register,
    rt: Register, rn: Register
  ) {
    self.op = op
    self.acquire = acquire
    self.release = release
    self.size = size
    self.rs = rs
    self.rt = rt
    self.rn = rn
  }
}

/// `CAS{A}{L}{B|H} Rs, Rt, [Xn|SP]` and `CASP{A}{L} Rs, Rs+1, Rt, Rt+1, [Xn|SP]`.
public struct CompareAndSwap: Sendable, Hashable {
  public var acquire: Bool
  public var release: Bool
  public var size: AccessSize
  public var rs: Register
  public var rt: Register
  public var rn: Register
  public init(
    acquire: Bool = false, release: Bool = false, size: AccessSize, rs: Register, rt: Register,
    rn: Register
  ) {
    self.acquire = acquire
    self.release = release
    self.size = size
    self.rs = rs
    self.rt = rt
    self.rn = rn
  }
}
