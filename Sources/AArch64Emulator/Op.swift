import AArch64

/// The execution class of a micro-op: what the hot loop switches on (a plain `UInt8` enum, so
/// the switch is a jump table).
enum OpKind: UInt8, Sendable {
  /// Not decoded yet (the zero value of a fresh cache slot).
  case undecoded = 0
  /// A fault decided at decode time (undefined, unpredictable, not modelled); `imm` indexes
  /// `DecodedFaults`.
  case decodeFault
  /// The slot after a page's last word: the unobserved loop walks off the page into it and
  /// fetches the next page.
  case pageEnd

  // Branches (Execute+Branches.swift)
  case b, bl, bcond, cbz, cbnz, tbz, tbnz, br, blr, ret, branchAuth

  // Hints, barriers, system (Execute+System.swift)
  case nop, hint, barrier, clrex, msrImm, sys, mrs, msr, brk, pacData

  // Data processing (Execute+DataProcessing.swift)
  case adr, addImm, logImm, movz, movn, movk, bitfield, extr
  case logShift, addShift, addExt, adc, ccmp, csel, mul, dp2, dp1

  // Loads and stores (Execute+LoadStore.swift, Execute+Atomics.swift)
  case ldrLit, ldst, ldstPair, exclusive, acqRel, atomic, cas, casp

  // Specialised forms (Lowering+Specialise.swift). Each keeps every field of its class's op,
  // so `execute` runs it as that class; the unobserved loop (Executor+Unobserved.swift) runs
  // it with the variant folded in: width, flag setting, shift type, add or subtract.
  /// `addImm`: ADD/SUB (immediate) without flags, X or W; `imm2` is the signed addend.
  case addImmX, addImmW
  /// `addImm`: ADDS/SUBS (immediate), X or W; `imm2` is the operand (inverted for SUBS), `h`
  /// the carry in.
  case addsImmX, addsImmW
  /// `logImm`: AND (X or W), ORR and EOR (X) without flags.
  case andImm, orrImmX, eorImmX
  /// `addShift`: ADD/SUB (shifted register, X, no flags) per shift type, and the W and
  /// flag-setting forms; `imm2` is the inversion mask (all ones for SUB) and `imm` the carry in.
  case addLslX, addLsrX, addAsrX, addShiftW, addsLslX, addsShiftX, addsShiftW
  /// `logShift`: AND/BIC, ORR/ORN, EOR/EON (shifted register, X, no flags) per shift type, ROR
  /// in the `…ShiftX` forms; `imm2` is the inversion mask (all ones for BIC, ORN, EON).
  case andLslX, andLsrX, andAsrX, andShiftX, orrLslX, orrLsrX, orrAsrX, orrShiftX
  case eorLslX, eorLsrX, eorAsrX, eorShiftX
  /// `addExt`: ADD/SUB (extended register, X, no flags), zero- or sign-extending; `d` is 64
  /// minus the extended width, `imm2` the inversion mask, `imm` the carry in.
  case addUxtX, addSxtX
  /// `ldst`: LDR/STR of an X or W register, and loads (sign-extending with `Op.flag4`) and
  /// stores of any size, at base + immediate (unsigned or unscaled offset, pre- or post-index):
  /// the address is base + `imm2`, and base + `imm` goes to slot `c` (`Slot.sink` when the
  /// form does not write back). `Op.baseSP` marks an SP base.
  case ldrX, ldrW, strX, strW, ldrImm, strImm
  /// `ldst`: loads and stores with a register offset, X apart: the index register shifted left
  /// by `imm2` and back right (arithmetically with `Op.flag5`) extends it, then it is shifted
  /// left by `imm`.
  case ldrRegX, strRegX, ldrReg, strReg
  /// `ldstPair`: LDP/STP/LDNP/STNP/LDPSW, X pairs apart: the address is base + `imm2`, and
  /// base + `imm` goes to slot `c` (`Slot.sink` for the signed-offset form).
  case ldpX, stpX, ldp, stp
}

/// One pre-decoded instruction: register fields are already register-file slots (see
/// `Slot`), immediates already scaled and masks already expanded, so executing it needs no
/// decoding. 24 bytes, trivially copyable.
struct Op: Sendable {
  var kind: OpKind = .undecoded
  /// Usually the destination / transfer register slot (Rd, Rt).
  var a: UInt8 = 0
  /// Usually the first source or base slot (Rn).
  var b: UInt8 = 0
  /// Usually the second source or index slot (Rm).
  var c: UInt8 = 0
  /// A fourth register slot (Ra, Rt2, Rs) or a small field.
  var d: UInt8 = 0
  /// Flag bits (`Op.sf`, `Op.setFlags`, …).
  var f: UInt8 = 0
  /// Sub-operation (condition, shift type, extend, op selector…).
  var g: UInt8 = 0
  /// Amount / bit number / shift.
  var h: UInt8 = 0
  var imm: UInt64 = 0
  var imm2: UInt64 = 0

  static let sf: UInt8 = 1
  static let setFlags: UInt8 = 2
  static let subtract: UInt8 = 4
  static let flag3: UInt8 = 8
  static let flag4: UInt8 = 16
  static let flag5: UInt8 = 32
  /// Specialised loads and stores: the base is SP (its alignment is checked).
  static let baseSP: UInt8 = 64
}

/// Register-file slots: 0…30 are X0–X30; reads of 31 give zero (XZR); 32 is SP; writes to XZR
/// go to the sink slot 33, which nothing reads.
enum Slot {
  static let zero: UInt8 = 31
  static let sp: UInt8 = 32
  static let sink: UInt8 = 33
  static let count = 34

  /// The slot to read `r` from.
  static func read(_ r: Register) -> UInt8 {
    switch r.name {
    case .r(let n): n
    case .sp: sp
    case .zr: zero
    }
  }

  /// The slot to write `r` to.
  static func write(_ r: Register) -> UInt8 {
    switch r.name {
    case .r(let n): n
    case .sp: sp
    case .zr: sink
    }
  }
}
