import AArch64

/// The execution class of a micro-op: what the hot loop switches on (a plain `UInt8` enum, so
/// the switch is a jump table).
enum OpKind: UInt8, Sendable {
  /// Not decoded yet (the zero value of a fresh cache slot).
  case undecoded = 0
  /// A fault decided at decode time (undefined, unpredictable, not modelled); `imm` indexes
  /// `DecodedFaults`.
  case decodeFault

  // Branches (Execute+Branches.swift)
  case b, bl, bcond, cbz, cbnz, tbz, tbnz, br, blr, ret, branchAuth

  // Hints, barriers, system (Execute+System.swift)
  case nop, hint, barrier, clrex, msrImm, sys, mrs, msr, brk, pacData

  // Data processing (Execute+DataProcessing.swift)
  case adr, addImm, logImm, movz, movn, movk, bitfield, extr
  case logShift, addShift, addExt, adc, ccmp, csel, mul, dp2, dp1

  // Loads and stores (Execute+LoadStore.swift, Execute+Atomics.swift)
  case ldrLit, ldst, ldstPair, exclusive, acqRel, atomic, cas, casp
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
