// Specialisation: after a word is lowered to its class's op, the common variants get an op
// kind of their own with the variant folded in (X or W, flags or not, the shift type, ADD or
// SUB as an inversion mask and a carry), so the unobserved loop runs them without testing op
// fields. Every field of the class's op stays as it was: `execute` still runs a specialised op
// as its class, which is how observed runs and the cold path see it.

extension Lowering {
  /// The op the loops run for the class op `op`: a specialised kind where one applies, and
  /// the condition mask of conditional ops.
  static func specialise(_ op: Op) -> Op {
    var op = op
    let sf = op.f & Op.sf != 0
    let setFlags = op.f & Op.setFlags != 0
    let subtract = op.f & Op.subtract != 0
    // The inversion mask and carry that turn an addition into a subtraction.
    let invert: UInt64 = subtract ? ~0 : 0
    let carry: UInt64 = subtract ? 1 : 0
    switch op.kind {
    case .addImm:
      if setFlags {
        op.kind = sf ? .addsImmX : .addsImmW
        op.imm2 = op.imm ^ invert
        op.h = UInt8(carry)
      } else {
        op.kind = sf ? .addImmX : .addImmW
        op.imm2 = subtract ? 0 &- op.imm : op.imm
      }
    case .logImm:
      // `imm` is already cut to 32 bits for W forms, so a W AND needs no mask.
      switch (op.g, sf) {
      case (0, _): op.kind = .andImm
      case (1, true): op.kind = .orrImmX
      case (2, true): op.kind = .eorImmX
      default: break
      }
    case .addShift:
      op.imm2 = invert
      op.imm = carry
      switch (setFlags, sf, op.d) {
      case (false, true, 0): op.kind = .addLslX
      case (false, true, 1): op.kind = .addLsrX
      case (false, true, 2): op.kind = .addAsrX
      case (false, false, _): op.kind = .addShiftW
      case (true, true, 0): op.kind = .addsLslX
      case (true, true, _): op.kind = .addsShiftX
      case (true, false, _): op.kind = .addsShiftW
      default: break
      }
    case .logShift:
      guard sf, op.g < 6 else { break }
      op.imm2 = op.g & 1 != 0 ? ~0 : 0
      let kinds: (lsl: OpKind, lsr: OpKind, asr: OpKind, any: OpKind)
      switch op.g >> 1 {
      case 0: kinds = (.andLslX, .andLsrX, .andAsrX, .andShiftX)
      case 1: kinds = (.orrLslX, .orrLsrX, .orrAsrX, .orrShiftX)
      default: kinds = (.eorLslX, .eorLsrX, .eorAsrX, .eorShiftX)
      }
      switch op.d {
      case 0: op.kind = kinds.lsl
      case 1: op.kind = kinds.lsr
      case 2: op.kind = kinds.asr
      default: op.kind = kinds.any
      }
    case .addExt:
      guard sf, !setFlags else { break }
      op.imm2 = invert
      op.imm = carry
      // UXTB/SXTB, UXTH/SXTH, UXTW/SXTW, UXTX/SXTX.
      switch op.g & 3 {
      case 0: op.d = 56
      case 1: op.d = 48
      case 2: op.d = 32
      default: op.d = 0
      }
      op.kind = op.g & 4 != 0 ? .addSxtX : .addUxtX
    case .ldst:
      // `execLdst`'s modes: 0 offset, 2 pre-index, 3 post-index, 5 register offset.
      // Sign-extending loads (`Op.flag4`) take the sized forms.
      let store = op.f & Op.flag3 != 0
      let signed = op.f & Op.flag4 != 0
      if op.b == Slot.sp { op.f |= Op.baseSP }
      switch op.g {
      case 0, 2, 3:
        // (`c` and `h` are the index and extend of the register-offset mode only.)
        op.imm2 = op.g == 3 ? 0 : op.imm
        op.c = op.g == 0 ? Slot.sink : op.b
        switch (op.d, signed) {
        case (3, false): op.kind = store ? .strX : .ldrX
        case (2, false): op.kind = store ? .strW : .ldrW
        default: op.kind = store ? .strImm : .ldrImm
        }
      case 5 where op.h & 2 != 0:
        // UXTW, LSL (UXTX), SXTW, SXTX: W indexes are cut to 32 bits first.
        op.imm2 = op.h & 1 == 0 ? 32 : 0
        if op.h & 4 != 0 { op.f |= Op.flag5 }
        if op.d == 3 && !signed {
          op.kind = store ? .strRegX : .ldrRegX
        } else {
          op.kind = store ? .strReg : .ldrReg
        }
      default: break
      }
    case .ldstPair:
      // Modes: 0 signed offset, 1 pre-index, 2 post-index; LDPSW has `Op.flag4`.
      if op.b == Slot.sp { op.f |= Op.baseSP }
      op.imm2 = op.h == 2 ? 0 : op.imm
      op.c = op.h == 0 ? Slot.sink : op.b
      let store = op.f & Op.flag3 != 0
      if op.f & Op.sf != 0 {
        op.kind = store ? .stpX : .ldpX
      } else {
        op.kind = store ? .stp : .ldp
      }
    case .bcond, .csel, .ccmp:
      op.imm2 = UInt64(conditionMask(op.g))
    default: break
    }
    return op
  }

  /// Bit `nzcv` of the result is set when condition `cond` holds for that NZCV (N=8, Z=4,
  /// C=2, V=1): a condition check becomes a shift and a test.
  static func conditionMask(_ cond: UInt8) -> UInt16 {
    var mask: UInt16 = 0
    for nzcv in 0..<16 where Executor.conditionHolds(cond, UInt8(nzcv)) {
      mask |= 1 << UInt16(nzcv)
    }
    return mask
  }
}
