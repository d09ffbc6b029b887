/// Encodes one instruction into its 32-bit word, assembling the fixed bits and fields of its spec
/// pattern (`A64Spec`).
///
/// - Throws: `EncodingError` naming the operand and the limit it broke: a register the slot
///   cannot hold (SP for ZR), a width mismatch, an immediate outside its field, a bitmask that
///   is not a bitmask immediate, a spelling that has a preferred alias (`dsb #0` is `ssbb`).
public func encode(_ i: Instruction) throws(EncodingError) -> UInt32 {
  switch i {
  case .branch(let link, let off): try A64Encoder.branch(link: link, off)
  case .branchConditional(let c, let off): try A64Encoder.branchConditional(c, off)
  case .compareAndBranch(let nz, let rt, let off): try A64Encoder.compareAndBranch(nz, rt, off)
  case .testAndBranch(let nz, let rt, let bit, let off):
    try A64Encoder.testAndBranch(nz, rt, bit, off)
  case .branchRegister(let k, let rn): try A64Encoder.branchRegister(k, rn)
  case .branchAuthenticated(let b): try A64Encoder.authenticatedBranch(b)
  case .exceptionReturn(let e): try A64Encoder.exceptionReturn(e)
  case .hint(let h):
    try A64Spec.assemble(
      .HINT,
      [
        .crm: UInt32(h.rawValue >> 3), .op2: UInt32(h.rawValue & 7),
      ])
  case .barrier(let b): try A64Encoder.barrier(b)
  case .msrImmediate(let f, let imm): try A64Encoder.msrImmediate(f, imm)
  case .system(let s): try A64Encoder.system(s)
  case .mrs(let rt, let r): try A64Encoder.moveSystemRegister(read: true, r, rt)
  case .msr(let r, let rt): try A64Encoder.moveSystemRegister(read: false, r, rt)
  case .exception(let k, let imm): try A64Encoder.exception(k, imm)
  case .pcRelative(let rd, let off): try A64Encoder.pcRelative(rd, off)
  case .addSubImmediate(let a): try A64Encoder.addSubImmediate(a)
  case .logicalImmediate(let l): try A64Encoder.logicalImmediate(l)
  case .moveWide(let m): try A64Encoder.moveWide(m)
  case .bitfield(let b): try A64Encoder.bitfield(b)
  case .extract(let rd, let rn, let rm, let lsb): try A64Encoder.extract(rd, rn, rm, lsb)
  case .logicalShifted(let l): try A64Encoder.logicalShifted(l)
  case .addSubShifted(let a): try A64Encoder.addSubShifted(a)
  case .addSubExtended(let a): try A64Encoder.addSubExtended(a)
  case .addSubCarry(let sub, let s, let rd, let rn, let rm):
    try A64Encoder.addSubCarry(sub, s, rd, rn, rm)
  case .conditionalCompare(let c): try A64Encoder.conditionalCompare(c)
  case .conditionalSelect(let c): try A64Encoder.conditionalSelect(c)
  case .multiply(let m): try A64Encoder.multiply(m)
  case .dataProcessing2(let op, let rd, let rn, let rm):
    try A64Encoder.dataProcessing2(op, rd, rn, rm)
  case .dataProcessing1(let op, let rd, let rn): try A64Encoder.dataProcessing1(op, rd, rn)
  case .loadLiteral(let k, let rt, let off): try A64Encoder.loadLiteral(k, rt, off)
  case .prefetchLiteral(let p, let off): try A64Encoder.prefetchLiteral(p, off)
  case .loadStore(let l): try A64Encoder.loadStore(l)
  case .prefetch(let p, let a): try A64Encoder.prefetch(p, a)
  case .loadStorePair(let p): try A64Encoder.loadStorePair(p)
  case .exclusive(let e): try A64Encoder.exclusive(e)
  case .acquireRelease(let a): try A64Encoder.acquireRelease(a)
  case .atomic(let a): try A64Encoder.atomic(a)
  case .loadAcquirePC(let size, let rt, let rn): try A64Encoder.loadAcquirePC(size, rt, rn)
  case .compareAndSwap(let c): try A64Encoder.compareAndSwap(c)
  case .compareAndSwapPair(let c): try A64Encoder.compareAndSwapPair(c)
  }
}

/// The per-class encoders; bodies live in `Classes/`.
enum A64Encoder {}

/// What field value 31 means in a register slot.
enum RegisterSlot {
  /// 31 is the zero register; SP is rejected.
  case zr
  /// 31 is the stack pointer; ZR is rejected.
  case sp
}

extension Register {
  /// The 5-bit field for this register in a slot, checking SP/ZR and the width.
  /// - Parameters:
  ///   - operand: the field name for errors (`rn`, `rt2`…).
  ///   - width: the required width, or nil to accept either.
  func encoded(_ operand: String, _ slot: RegisterSlot, _ width: Width? = nil)
    throws(EncodingError) -> UInt32
  {
    switch name {
    case .r(let n) where n > 30:
      throw EncodingError(.invalidRegister, operand: operand, "register number \(n) > 30")
    case .sp where slot == .zr:
      throw EncodingError(
        .invalidRegister, operand: operand,
        "\(self) is not allowed here (31 means the zero register)")
    case .zr where slot == .sp:
      throw EncodingError(
        .invalidRegister, operand: operand,
        "\(self) is not allowed here (31 means the stack pointer)")
    default: break
    }
    if let width, width != self.width {
      throw EncodingError(
        .widthMismatch, operand: operand,
        "expected a \(width == .x ? "64-bit (x)" : "32-bit (w)") register, got \(self)")
    }
    return field
  }
}

extension BranchOffset {
  /// Checks that the offset was made for `w`.
  func field(for w: Width) throws(EncodingError) -> UInt32 {
    guard width == w else {
      throw EncodingError(
        .notEncodable, operand: w.operandName,
        "offset was validated for \(width.operandName), not \(w.operandName)")
    }
    return field
  }
}

/// Range check for an unsigned immediate operand.
func checkRange(_ v: Int64, _ range: ClosedRange<Int64>, _ operand: String) throws(EncodingError) {
  if !range.contains(v) {
    throw EncodingError(
      .outOfRange, operand: operand,
      "\(v) out of range [\(range.lowerBound), \(range.upperBound)]")
  }
}

/// Range and scale check for a scaled memory offset; returns offset / scale.
func scaledOffset(_ v: Int64, scale: Int64, bits: Int, signed: Bool, _ operand: String)
  throws(EncodingError) -> UInt32
{
  if v % scale != 0 {
    throw EncodingError(.misaligned, operand: operand, "offset \(v) is not a multiple of \(scale)")
  }
  let q = v / scale
  let lo: Int64 = signed ? -(1 << (bits - 1)) : 0
  let hi: Int64 = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1
  if q < lo || q > hi {
    throw EncodingError(
      .outOfRange, operand: operand,
      "offset \(v) out of range [\(lo * scale), \(hi * scale)]"
        + (scale > 1 ? " (multiples of \(scale))" : ""))
  }
  return UInt32(truncatingIfNeeded: q) & ((1 << UInt32(bits)) - 1)
}
