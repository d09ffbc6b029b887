/// A PC-relative byte offset together with the immediate field that must hold it.
///
/// Construction validates the half-open range and the alignment, so an `Instruction` never holds
/// an offset its encoding cannot represent. The ranges are the kernel's `label_imm_common` ranges
/// (`reachable_by_bl()` for B/BL is [-128 MiB, 128 MiB)).
///
/// LLVM fixups: `fixup_aarch64_pcrel_branch26`, `_branch19`, `_branch14`, `_adr_imm21`,
/// `_adrp_imm21`.
public struct BranchOffset: Sendable, Hashable {
  /// The immediate field and its scale.
  public enum Width: Sendable, Hashable, CaseIterable {
    /// B, BL: imm26 × 4, [-128 MiB, 128 MiB).
    case imm26
    /// B.cond, CBZ/CBNZ, LDR (literal): imm19 × 4, [-1 MiB, 1 MiB).
    case imm19
    /// TBZ/TBNZ: imm14 × 4, [-32 KiB, 32 KiB).
    case imm14
    /// ADR: immhi:immlo × 1, [-1 MiB, 1 MiB).
    case adr21
    /// ADRP: immhi:immlo × 4096 from the PC's page, [-4 GiB, 4 GiB).
    case adrp21

    /// Number of bits in the field.
    public var fieldBits: Int {
      switch self {
      case .imm26: 26
      case .imm19: 19
      case .imm14: 14
      case .adr21, .adrp21: 21
      }
    }

    /// log2 of the scale: 2 for branches, 0 for ADR, 12 for ADRP.
    public var scaleShift: Int {
      switch self {
      case .imm26, .imm19, .imm14: 2
      case .adr21: 0
      case .adrp21: 12
      }
    }

    /// The smallest representable offset (inclusive).
    public var lowerBound: Int64 { -(Int64(1) << (fieldBits - 1 + scaleShift)) }
    /// The end of the range (exclusive).
    public var upperBound: Int64 { Int64(1) << (fieldBits - 1 + scaleShift) }

    /// The field name used in error messages.
    public var operandName: String {
      switch self {
      case .imm26: "imm26"
      case .imm19: "imm19"
      case .imm14: "imm14"
      case .adr21: "imm21"
      case .adrp21: "imm21 (pages)"
      }
    }
  }

  public let width: Width
  /// The byte offset from the instruction's address (for ADRP: from the PC's 4 KiB page).
  public let bytes: Int64

  /// Validates `bytes` for `width`.
  /// - Throws: `EncodingError` `.outOfRange` or `.misaligned`, naming the field and the limit.
  public init(_ bytes: Int64, _ width: Width) throws(EncodingError) {
    let align = Int64(1) << width.scaleShift
    if bytes & (align - 1) != 0 {
      throw EncodingError(
        .misaligned, operand: width.operandName,
        "offset \(signedHex(bytes)) is not a multiple of \(align)")
    }
    if bytes < width.lowerBound || bytes >= width.upperBound {
      throw EncodingError(
        .outOfRange, operand: width.operandName,
        "offset \(signedHex(bytes)) out of range [\(signedHex(width.lowerBound)), "
          + "\(signedHex(width.upperBound))) for \(width.operandName)")
    }
    self.width = width
    self.bytes = bytes
  }

  /// Builds from the raw field value (sign-extended and scaled); always valid.
  init(field: UInt32, _ width: Width) {
    let v = signExtend(field, width.fieldBits) << Int64(width.scaleShift)
    self.width = width
    self.bytes = v
  }

  /// The raw field value (two's complement, masked to the field width).
  var field: UInt32 {
    UInt32(truncatingIfNeeded: bytes >> Int64(width.scaleShift))
      & ((UInt32(1) << UInt32(width.fieldBits)) - 1)
  }

  /// The absolute target for an instruction at `pc`.
  public func target(from pc: UInt64) -> UInt64 {
    let base = width == .adrp21 ? pc & ~0xfff : pc
    return base &+ UInt64(bitPattern: bytes)
  }
}

/// Sign-extends the low `bits` bits of `v`.
func signExtend(_ v: UInt32, _ bits: Int) -> Int64 {
  let shift = 64 - bits
  return Int64(bitPattern: UInt64(v) << UInt64(shift)) >> Int64(shift)
}

/// `0x10` or `-0x10`.
func signedHex(_ v: Int64) -> String {
  v < 0 ? "-0x" + String(v.magnitude, radix: 16) : "0x" + String(v, radix: 16)
}
