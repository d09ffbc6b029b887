/// The AArch64 instruction layer of Patchsite: model, spec table, encoder, decoder, printer and
/// one-line parser for the A64 integer instructions the kernel's entry, ftrace, patching, PLT and
/// trampoline code uses.
///
/// - Model (`Model/`): `Instruction`, one case per Arm ARM class with typed operands; `Register`
///   keeps SP and ZR distinct; `BranchOffset` validates its half-open range on construction.
/// - Spec (`Spec/A64Spec.swift`): decodetree-style bit-string patterns in Arm ARM order; both the
///   decoder and the encoder are driven by it, one handler per pattern in `Classes/`.
/// - `encode(_:)` throws `EncodingError` naming the operand and the limit; `decode(_:)` returns
///   one of four `DecodeResult`s for every 32-bit word and never traps.
/// - `A64.print` writes binutils objdump's text (aliases included); `A64.parse` reads one line of
///   GNU as syntax, and `AsmParser` exposes the operand level for a full assembler.
///
/// Laws (tested): `decode(encode(i)) == .decoded(i)`, `encode(decode(w)) == w` for every decoded
/// word, `parse(print(i)) == i`.
public enum A64 {
  /// Encodes `i`; see the free function `encode(_:)`.
  public static func encode(_ i: Instruction) throws(EncodingError) -> UInt32 {
    try AArch64.encode(i)
  }

  /// Decodes `w`; see the free function `decode(_:)`.
  public static func decode(_ w: UInt32) -> DecodeResult { AArch64.decode(w) }
}
