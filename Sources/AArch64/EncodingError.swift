/// Why an instruction cannot be encoded: which operand, and what limit it broke.
///
/// A typed error in place of the kernel's `AARCH64_BREAK_FAULT` sentinel. The `message` is exact
/// and stable (the `-invalid.txt` vector files pin it), e.g.
/// `offset 0x8000000 out of range [-0x8000000, 0x8000000) for imm26`.
public struct EncodingError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure; new codes may be added.
  public enum Code: String, Sendable, Hashable {
    /// A value outside the field's range.
    case outOfRange
    /// A value that is not a multiple of the required scale.
    case misaligned
    /// A register that the slot cannot name (SP where only ZR is allowed, or the reverse).
    case invalidRegister
    /// Registers of the wrong width for the form (W where X is needed).
    case widthMismatch
    /// A value that has no encoding at all (e.g. a bitmask immediate that is not a rotated run).
    case notEncodable
    /// A form that is encodable but reserved for a preferred spelling (e.g. `dsb #0` is SSBB).
    case useAlias
  }

  public var code: Code
  /// The operand or field name: `imm26`, `rn`, `bitmask`, `shift`…
  public var operand: String
  public var message: String

  public init(_ code: Code, operand: String, _ message: String) {
    self.code = code
    self.operand = operand
    self.message = message
  }

  public var description: String { "\(operand): \(message)" }
}
