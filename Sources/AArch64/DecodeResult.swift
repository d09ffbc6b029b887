/// What a 32-bit word is, after LLVM's tri-state `DecodeStatus`, plus a fourth outcome for words
/// this module does not model.
///
/// - `.decoded`: an allocated encoding of a covered class.
/// - `.unpredictable`: a covered encoding that the Arm ARM calls CONSTRAINED UNPREDICTABLE (for
///   example a load pair with `Rt == Rt2`, writeback with `Rt == Rn`, or a should-be-one field
///   that is not all ones). The instruction is what the word would mean if it were predictable;
///   when the cause is a should-be bit, re-encoding gives the canonical word.
/// - `.undefined`: the word lies in a covered class and the Arm ARM leaves it unallocated (or it
///   is `UDF`, permanently undefined); executing it takes an Undefined Instruction exception.
/// - `.notCovered`: no pattern of this module claims the word (FP/SIMD, SVE, SME, MTE, PAC data
///   processing, CRC32, RCpc, …). It may well be allocated; nothing is claimed about it.
public enum DecodeResult: Sendable, Hashable {
  case decoded(Instruction)
  case unpredictable(Instruction, reason: String)
  case undefined(UInt32)
  case notCovered(UInt32)

  /// The instruction of `.decoded` and `.unpredictable`, nil otherwise.
  public var instruction: Instruction? {
    switch self {
    case .decoded(let i), .unpredictable(let i, _): i
    case .undefined, .notCovered: nil
    }
  }
}
