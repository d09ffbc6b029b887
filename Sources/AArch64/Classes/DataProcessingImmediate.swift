// ADR/ADRP, ADD/SUB (immediate), logical (immediate), move wide, bitfield, extract.
// Arm ARM C4.1.64 "Data Processing -- Immediate".

/// Bitmask immediates (Arm ARM `DecodeBitMasks`, LLVM `AArch64_AM::encodeLogicalImmediate`).
public enum BitmaskImmediate {
  /// The value of (N, immr, imms) for a register of `width`, or nil if reserved.
  public static func decode(n: UInt32, immr: UInt32, imms: UInt32, width: Width) -> UInt64? {
    let combined = (n << 6) | (~imms & 0x3f)
    guard combined != 0 else { return nil }
    let len = 31 - combined.leadingZeroBitCount
    guard len >= 1 else { return nil }
    if width == .w && len == 6 { return nil }
    let levels = UInt32((1 << len) - 1)
    if imms & levels == levels { return nil }
    let s = Int(imms & levels)
    let r = Int(immr & levels)
    let esize = 1 << len
    let ones: UInt64 = (s + 1) == 64 ? ~0 : (UInt64(1) << UInt64(s + 1)) - 1
    let emask: UInt64 = esize == 64 ? ~0 : (UInt64(1) << UInt64(esize)) - 1
    var elem = ones
    if r > 0 { elem = ((ones >> UInt64(r)) | (ones << UInt64(esize - r))) & emask }
    var v: UInt64 = 0
    var i = 0
    while i < 64 {
      v |= elem << UInt64(i)
      i += esize
    }
    return width == .w ? v & 0xffff_ffff : v
  }

  /// (N, immr, imms) for `value`, or nil if it is not a bitmask immediate for `width`.
  public static func encode(_ value: UInt64, width: Width) -> (
    n: UInt32, immr: UInt32, imms: UInt32
  )? {
    var v = value
    if width == .w {
      guard value >> 32 == 0 else { return nil }
      v = value | value << 32
    }
    guard v != 0, v != ~0 else { return nil }
    var size = 64
    while size > 2 {
      let half = size / 2
      let m: UInt64 = (UInt64(1) << UInt64(half)) - 1
      if v & m != (v >> UInt64(half)) & m { break }
      size = half
    }
    let emask: UInt64 = size == 64 ? ~0 : (UInt64(1) << UInt64(size)) - 1
    let elem = v & emask
    let ones = elem.nonzeroBitCount
    let target: UInt64 = (UInt64(1) << UInt64(ones)) - 1
    for r in 0..<size {
      let rotated =
        r == 0 ? elem : ((elem >> UInt64(r)) | (elem << UInt64(size - r))) & emask
      if rotated == target {
        let immr = UInt32((size - r) % size)
        let imms = UInt32((~(size * 2 - 1) & 0x3f) | (ones - 1))
        return (size == 64 ? 1 : 0, immr, imms)
      }
    }
    return nil
  }
}

extension A64Decoder {
  /// ADR/ADRP: `op immlo 10000 immhi Rd`.
  static let decodePCRelative: DecodeHandler = { f in
    let imm = f[.immhi] << 2 | f[.immlo]
    let page = f.name == .ADRP
    return .decoded(.pcRelative(.zr(f[.rd], .x), BranchOffset(field: imm, page ? .adrp21 : .adr21)))
  }

  /// ADD/ADDS/SUB/SUBS (immediate).
  static let decodeAddSubImmediate: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    let s = f[.s] == 1
    return .decoded(
      .addSubImmediate(
        AddSubImmediate(
          subtract: f[.op] == 1, setFlags: s, rd: s ? .zr(f[.rd], w) : .sp(f[.rd], w),
          rn: .sp(f[.rn], w), imm12: UInt16(f[.imm12]), shift12: f[.sh] == 1)))
  }

  /// AND/ORR/EOR/ANDS (immediate); N = 1 with sf = 0, or a reserved (N, imms) is unallocated.
  static let decodeLogicalImmediate: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    if w == .w && f[.n] == 1 { return .undefined(f.word) }
    guard let v = BitmaskImmediate.decode(n: f[.n], immr: f[.immr], imms: f[.imms], width: w)
    else { return .undefined(f.word) }
    let op = LogicalOp(rawValue: UInt8(f[.opc])) ?? .and
    let len = 31 - ((f[.n] << 6) | (~f[.imms] & 0x3f)).leadingZeroBitCount
    let ignored = UInt8(f[.immr] & ~UInt32((1 << len) - 1))
    return .decoded(
      .logicalImmediate(
        LogicalImmediate(
          op: op, rd: op == .ands ? .zr(f[.rd], w) : .sp(f[.rd], w), rn: .zr(f[.rn], w),
          value: v, ignoredImmrBits: ignored)))
  }

  /// MOVN/MOVZ/MOVK; opc = 01 and (sf = 0, hw ≥ 2) are unallocated.
  static let decodeMoveWide: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    let ops: [MoveWideOp?] = [.movn, nil, .movz, .movk]
    guard let op = ops[Int(f[.opc])], w == .x || f[.hw] < 2 else { return .undefined(f.word) }
    return .decoded(
      .moveWide(
        MoveWide(op: op, rd: .zr(f[.rd], w), imm16: UInt16(f[.imm16]), shift: UInt8(f[.hw] * 16))))
  }

  /// SBFM/BFM/UBFM; opc = 11, N ≠ sf, or 32-bit immr/imms ≥ 32 are unallocated.
  static let decodeBitfield: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    guard let op = BitfieldOp(rawValue: UInt8(f[.opc])), f[.n] == f[.sf],
      w == .x || (f[.immr] < 32 && f[.imms] < 32)
    else { return .undefined(f.word) }
    return .decoded(
      .bitfield(
        Bitfield(
          op: op, rd: .zr(f[.rd], w), rn: .zr(f[.rn], w), immr: UInt8(f[.immr]),
          imms: UInt8(f[.imms]))))
  }

  /// EXTR; N ≠ sf or a 32-bit imms ≥ 32 is unallocated.
  static let decodeExtract: DecodeHandler = { f in
    let w = Width(sf: f[.sf])
    guard f[.n] == f[.sf], w == .x || f[.imms] < 32 else { return .undefined(f.word) }
    return .decoded(
      .extract(rd: .zr(f[.rd], w), rn: .zr(f[.rn], w), rm: .zr(f[.rm], w), lsb: UInt8(f[.imms])))
  }
}

extension A64Encoder {
  /// ADR/ADRP. LLVM fixups `fixup_aarch64_pcrel_adr_imm21`, `_adrp_imm21`.
  static func pcRelative(_ rd: Register, _ off: BranchOffset) throws(EncodingError) -> UInt32 {
    if let w = pcRelativeWord(rd, off) { return w }
    return try pcRelativeChecked(rd, off)
  }

  /// `pcRelative` through the spec's field list, with every check and diagnostic.
  static func pcRelativeChecked(_ rd: Register, _ off: BranchOffset) throws(EncodingError)
    -> UInt32
  {
    let page = off.width == .adrp21
    let imm = try off.field(for: page ? .adrp21 : .adr21)
    return try A64Spec.assemble(
      page ? .ADRP : .ADR,
      [
        .immlo: imm & 3, .immhi: imm >> 2, .rd: rd.encoded("rd", .zr, .x),
      ])
  }

  static func addSubImmediate(_ a: AddSubImmediate) throws(EncodingError) -> UInt32 {
    let w = a.rd.width
    try checkRange(Int64(a.imm12), 0...4095, "imm12")
    return try A64Spec.assemble(
      .ADDSUB_i,
      [
        .sf: w.sf, .op: a.subtract ? 1 : 0, .s: a.setFlags ? 1 : 0, .sh: a.shift12 ? 1 : 0,
        .imm12: UInt32(a.imm12), .rn: a.rn.encoded("rn", .sp, w),
        .rd: a.rd.encoded("rd", a.setFlags ? .zr : .sp, w),
      ])
  }

  static func logicalImmediate(_ l: LogicalImmediate) throws(EncodingError) -> UInt32 {
    let w = l.rd.width
    guard let (n, immr, imms) = BitmaskImmediate.encode(l.value, width: w) else {
      throw EncodingError(
        .notEncodable, operand: "bitmask",
        "0x\(String(l.value, radix: 16)) is not a \(w.bits)-bit bitmask immediate")
    }
    let len = 31 - ((n << 6) | (~imms & 0x3f)).leadingZeroBitCount
    let ignored = UInt32(l.ignoredImmrBits)
    if ignored & UInt32((1 << len) - 1) != 0 || ignored > 63 {
      throw EncodingError(
        .outOfRange, operand: "immr",
        "ignored immr bits 0x\(String(ignored, radix: 16)) overlap the \(1 << len)-bit element rotation"
      )
    }
    return try A64Spec.assemble(
      .LOGIC_i,
      [
        .sf: w.sf, .opc: UInt32(l.op.rawValue), .n: n, .immr: immr | ignored, .imms: imms,
        .rn: l.rn.encoded("rn", .zr, w), .rd: l.rd.encoded("rd", l.op == .ands ? .zr : .sp, w),
      ])
  }

  static func moveWide(_ m: MoveWide) throws(EncodingError) -> UInt32 {
    let w = m.rd.width
    let maxShift = w == .x ? 48 : 16
    if m.shift % 16 != 0 || Int(m.shift) > maxShift {
      throw EncodingError(
        .outOfRange, operand: "shift",
        "lsl #\(m.shift) is not one of 0, 16\(w == .x ? ", 32, 48" : "") for \(w.bits)-bit")
    }
    let opc: UInt32 =
      switch m.op {
      case .movn: 0
      case .movz: 2
      case .movk: 3
      }
    return try A64Spec.assemble(
      .MOVW,
      [
        .sf: w.sf, .opc: opc, .hw: UInt32(m.shift / 16), .imm16: UInt32(m.imm16),
        .rd: m.rd.encoded("rd", .zr),
      ])
  }

  static func bitfield(_ b: Bitfield) throws(EncodingError) -> UInt32 {
    let w = b.rd.width
    try checkRange(Int64(b.immr), 0...Int64(w.bits - 1), "immr")
    try checkRange(Int64(b.imms), 0...Int64(w.bits - 1), "imms")
    return try A64Spec.assemble(
      .BITFIELD,
      [
        .sf: w.sf, .opc: UInt32(b.op.rawValue), .n: w.sf, .immr: UInt32(b.immr),
        .imms: UInt32(b.imms), .rn: b.rn.encoded("rn", .zr, w), .rd: b.rd.encoded("rd", .zr),
      ])
  }

  static func extract(_ rd: Register, _ rn: Register, _ rm: Register, _ lsb: UInt8)
    throws(EncodingError) -> UInt32
  {
    let w = rd.width
    try checkRange(Int64(lsb), 0...Int64(w.bits - 1), "lsb")
    return try A64Spec.assemble(
      .EXTR,
      [
        .sf: w.sf, .n: w.sf, .rm: rm.encoded("rm", .zr, w), .imms: UInt32(lsb),
        .rn: rn.encoded("rn", .zr, w), .rd: rd.encoded("rd", .zr),
      ])
  }
}
