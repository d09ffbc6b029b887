/// The names of the encoding patterns; one decode handler per name (QEMU's `trans_<NAME>`).
///
/// The raw value is the case's position (`A64Spec`'s tables are indexed by it); a `String` raw
/// value would make `==` and hashing compare strings on every encode. `"\(name)"` is the
/// case name.
public enum PatternName: Int, Sendable, Hashable, CaseIterable {
  case UDF
  case ADR, ADRP, ADDSUB_i, LOGIC_i, MOVW, BITFIELD, EXTR
  case B_cond, SVC, HVC, SMC, BRK, HLT, DCPS
  case HINT, CLREX, SSBB, PSSBB, DSB, DMB, ISB, SB, MSR_i, SYS, MRS_MSR
  case BR, BLR, RET, ERET, DRPS, BRAZ, BLRAZ, RETA, ERETA, BRA, BLRA, B, CB, TB
  case LDST_EXCL, LDST_EXCLP, CASP, LDAR_STLR, CAS, LDR_lit, LDSTP, LDST_imm9, LDAPR, ATOMIC
  case LDST_reg, LDST_uimm
  case LOGIC_r, ADDSUB_r, ADDSUB_x, ADC, CCMP_r, CCMP_i, CSEL, DP_3, DP_2, DP_1
}

/// The A64 integer encoding table, decodetree style, in Arm ARM (DDI 0487) C4.1 order.
///
/// This is data only: the decoder (`Decoder.swift`) matches words against these patterns and calls
/// the one handler per name in `Classes/`; the encoder assembles words from the same fixed bits
/// and field positions. Fields use the manual's names. Where two patterns match the same word they
/// must sit in the same `group`, the earlier one wins, and the comment says why.
public enum A64Spec {
  public static let rows: [PatternRow] = [
    // ### Reserved: UDF (C6.2.387), permanently undefined.
    PatternRow(.UDF, "0000000000000000 imm16:16"),

    // ### Data Processing -- Immediate (C4.1.64)
    // PC-rel. addressing: op immlo 10000 immhi Rd
    PatternRow(.ADR, "0 immlo:2 10000 immhi:19 rd:5"),
    PatternRow(.ADRP, "1 immlo:2 10000 immhi:19 rd:5"),
    // Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd
    PatternRow(.ADDSUB_i, "sf:1 op:1 s:1 100010 sh:1 imm12:12 rn:5 rd:5"),
    // Logical (immediate): sf opc 100100 N immr imms Rn Rd
    PatternRow(.LOGIC_i, "sf:1 opc:2 100100 n:1 immr:6 imms:6 rn:5 rd:5"),
    // Move wide (immediate): sf opc 100101 hw imm16 Rd
    PatternRow(.MOVW, "sf:1 opc:2 100101 hw:2 imm16:16 rd:5"),
    // Bitfield: sf opc 100110 N immr imms Rn Rd
    PatternRow(.BITFIELD, "sf:1 opc:2 100110 n:1 immr:6 imms:6 rn:5 rd:5"),
    // Extract: sf op21 100111 N o0 Rm imms Rn Rd (only op21 = 00, o0 = 0 is allocated)
    PatternRow(.EXTR, "sf:1 00 100111 n:1 0 rm:5 imms:6 rn:5 rd:5"),

    // ### Branches, Exception Generating and System instructions (C4.1.65)
    // Conditional branch (immediate): 0101010 o1 imm19 o0 cond (o1 = o0 = 0: B.cond)
    PatternRow(.B_cond, "0101010 0 imm19:19 0 cond:4"),
    // Exception generation: 11010100 opc imm16 op2 LL
    PatternRow(.SVC, "11010100 000 imm16:16 000 01"),
    PatternRow(.HVC, "11010100 000 imm16:16 000 10"),
    PatternRow(.SMC, "11010100 000 imm16:16 000 11"),
    PatternRow(.BRK, "11010100 001 imm16:16 000 00"),
    PatternRow(.HLT, "11010100 010 imm16:16 000 00"),
    PatternRow(.DCPS, "11010100 101 imm16:16 000 ll:2"),
    // Hints: 1101010100 0 00 011 0010 CRm op2 11111. The whole hint space is one pattern:
    // unallocated hints must execute as NOP, so every CRm:op2 decodes (to `hint #n`).
    PatternRow(.HINT, "1101010100 0 00 011 0010 crm:4 op2:3 11111"),
    // Barriers: 1101010100 0 00 011 0011 CRm op2 11111
    PatternRow(.CLREX, "1101010100 0 00 011 0011 crm:4 010 11111"),
    // DSB with CRm 0000 and 0100 are the speculation barriers SSBB and PSSBB (FEAT_SSBS):
    // the same encodings, listed first so the decoder prefers the alias as the manual does.
    PatternRow(.SSBB, "1101010100 0 00 011 0011 0000 100 11111", group: "dsb-speculation"),
    PatternRow(.PSSBB, "1101010100 0 00 011 0011 0100 100 11111", group: "dsb-speculation"),
    PatternRow(.DSB, "1101010100 0 00 011 0011 crm:4 100 11111", group: "dsb-speculation"),
    PatternRow(.DMB, "1101010100 0 00 011 0011 crm:4 101 11111"),
    PatternRow(.ISB, "1101010100 0 00 011 0011 crm:4 110 11111"),
    PatternRow(.SB, "1101010100 0 00 011 0011 crm:4 111 11111"),
    // PSTATE: 1101010100 0 00 op1 0100 CRm op2 11111
    PatternRow(.MSR_i, "1101010100 0 00 op1:3 0100 crm:4 op2:3 11111"),
    // System instructions: 1101010100 L 01 op1 CRn CRm op2 Rt
    PatternRow(.SYS, "1101010100 l:1 01 op1:3 crn:4 crm:4 op2:3 rt:5"),
    // System register move: 1101010100 L 1 o0 op1 CRn CRm op2 Rt
    PatternRow(.MRS_MSR, "1101010100 l:1 1 o0:1 op1:3 crn:4 crm:4 op2:3 rt:5"),
    // Unconditional branch (register): 1101011 opc op2=11111 op3 Rn op4
    PatternRow(.BR, "1101011 0000 11111 000000 rn:5 00000"),
    PatternRow(.BLR, "1101011 0001 11111 000000 rn:5 00000"),
    PatternRow(.RET, "1101011 0010 11111 000000 rn:5 00000"),
    PatternRow(.ERET, "1101011 0100 11111 000000 11111 00000"),
    PatternRow(.DRPS, "1101011 0101 11111 000000 11111 00000"),
    PatternRow(.BRAZ, "1101011 0000 11111 00001 m:1 rn:5 11111"),
    PatternRow(.BLRAZ, "1101011 0001 11111 00001 m:1 rn:5 11111"),
    PatternRow(.RETA, "1101011 0010 11111 00001 m:1 11111 11111"),
    PatternRow(.ERETA, "1101011 0100 11111 00001 m:1 11111 11111"),
    PatternRow(.BRA, "1101011 1000 11111 00001 m:1 rn:5 rm:5"),
    PatternRow(.BLRA, "1101011 1001 11111 00001 m:1 rn:5 rm:5"),
    // Unconditional branch (immediate): op 00101 imm26
    PatternRow(.B, "op:1 00101 imm26:26"),
    // Compare and branch (immediate): sf 011010 op imm19 Rt
    PatternRow(.CB, "sf:1 011010 op:1 imm19:19 rt:5"),
    // Test and branch (immediate): b5 011011 op b40 imm14 Rt
    PatternRow(.TB, "b5:1 011011 op:1 b40:5 imm14:14 rt:5"),

    // ### Loads and Stores (C4.1.66)
    // Load/store exclusive register: size 001000 o2=0 L o1=0 Rs o0 Rt2 Rn Rt
    PatternRow(.LDST_EXCL, "size:2 001000 0 l:1 0 rs:5 o0:1 rt2:5 rn:5 rt:5"),
    // Load/store exclusive pair: 1 sz 001000 0 L 1 Rs o0 Rt2 Rn Rt
    PatternRow(.LDST_EXCLP, "1 sz:1 001000 0 l:1 1 rs:5 o0:1 rt2:5 rn:5 rt:5"),
    // Compare and swap pair: 0 sz 001000 0 L 1 Rs o0 Rt2 Rn Rt (Rt2 should be 11111)
    PatternRow(.CASP, "0 sz:1 001000 0 l:1 1 rs:5 o0:1 rt2:5 rn:5 rt:5"),
    // Load-acquire/store-release register and LORegion: size 001000 1 L 0 Rs o0 Rt2 Rn Rt
    PatternRow(.LDAR_STLR, "size:2 001000 1 l:1 0 rs:5 o0:1 rt2:5 rn:5 rt:5"),
    // Compare and swap: size 001000 1 L 1 Rs o0 Rt2 Rn Rt
    PatternRow(.CAS, "size:2 001000 1 l:1 1 rs:5 o0:1 rt2:5 rn:5 rt:5"),
    // Load register (literal): opc 011 V=0 00 imm19 Rt
    PatternRow(.LDR_lit, "opc:2 011 0 00 imm19:19 rt:5"),
    // Load/store pair (no-allocate, post, offset, pre): opc 101 V=0 0 idx L imm7 Rt2 Rn Rt
    PatternRow(.LDSTP, "opc:2 101 0 0 idx:2 l:1 imm7:7 rt2:5 rn:5 rt:5"),
    // Load/store register (unscaled, post-indexed, unprivileged, pre-indexed):
    // size 111 V=0 00 opc 0 imm9 idx Rn Rt
    PatternRow(.LDST_imm9, "size:2 111 0 00 opc:2 0 imm9:9 idx:2 rn:5 rt:5"),
    // Atomic memory operations: size 111 V=0 00 A R 1 Rs o3 opc 00 Rn Rt. LDAPR{B,H}
    // (FEAT_LRCPC) is the A=1 R=0 Rs=11111 o3=1 opc=100 corner of the same space, listed first.
    PatternRow(.LDAPR, "size:2 111 0 00 1 0 1 11111 1 100 00 rn:5 rt:5", group: "atomic-rcpc"),
    PatternRow(
      .ATOMIC, "size:2 111 0 00 a:1 r:1 1 rs:5 o3:1 opc:3 00 rn:5 rt:5", group: "atomic-rcpc"),
    // Load/store register (register offset): size 111 V=0 00 opc 1 Rm option S 10 Rn Rt
    PatternRow(.LDST_reg, "size:2 111 0 00 opc:2 1 rm:5 option:3 s:1 10 rn:5 rt:5"),
    // Load/store register (unsigned immediate): size 111 V=0 01 opc imm12 Rn Rt
    PatternRow(.LDST_uimm, "size:2 111 0 01 opc:2 imm12:12 rn:5 rt:5"),

    // ### Data Processing -- Register (C4.1.67)
    // Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd
    PatternRow(.LOGIC_r, "sf:1 opc:2 01010 shift:2 n:1 rm:5 imm6:6 rn:5 rd:5"),
    // Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd
    PatternRow(.ADDSUB_r, "sf:1 op:1 s:1 01011 shift:2 0 rm:5 imm6:6 rn:5 rd:5"),
    // Add/subtract (extended register): sf op S 01011 opt 1 Rm option imm3 Rn Rd
    PatternRow(.ADDSUB_x, "sf:1 op:1 s:1 01011 opt:2 1 rm:5 option:3 imm3:3 rn:5 rd:5"),
    // Add/subtract (with carry): sf op S 11010000 Rm 000000 Rn Rd
    PatternRow(.ADC, "sf:1 op:1 s:1 11010000 rm:5 000000 rn:5 rd:5"),
    // Conditional compare (register / immediate): sf op 1 11010010 Rm|imm5 cond o 0 Rn 0 nzcv
    PatternRow(.CCMP_r, "sf:1 op:1 1 11010010 rm:5 cond:4 0 0 rn:5 0 nzcv:4"),
    PatternRow(.CCMP_i, "sf:1 op:1 1 11010010 imm5:5 cond:4 1 0 rn:5 0 nzcv:4"),
    // Conditional select: sf op S=0 11010100 Rm cond 0 o2 Rn Rd
    PatternRow(.CSEL, "sf:1 op:1 0 11010100 rm:5 cond:4 0 o2:1 rn:5 rd:5"),
    // Data-processing (3 source): sf op54=00 11011 op31 Rm o0 Ra Rn Rd
    PatternRow(.DP_3, "sf:1 00 11011 op31:3 rm:5 o0:1 ra:5 rn:5 rd:5"),
    // Data-processing (2 source): sf 0 S=0 11010110 Rm opcode Rn Rd
    PatternRow(.DP_2, "sf:1 0 0 11010110 rm:5 opcode:6 rn:5 rd:5"),
    // Data-processing (1 source): sf 1 S=0 11010110 opcode2=00000 opcode Rn Rd
    PatternRow(.DP_1, "sf:1 1 0 11010110 00000 opcode:6 rn:5 rd:5"),
  ]

  /// The compiled patterns, in table order (a defective row is a programming error caught by
  /// `SpecTests`; it is dropped here rather than trapping).
  public static let patterns: [Pattern] = rows.compactMap { try? Pattern($0) }

  /// Each pattern's fixed bits (by `PatternName.rawValue`), nil for a name without a row.
  static let fixedBits: [UInt32?] = {
    var bits = [UInt32?](repeating: nil, count: PatternName.allCases.count)
    for p in patterns { bits[p.name.rawValue] = p.value }
    return bits
  }()

  static let fieldCount = Field.allCases.count

  /// Each pattern's field slots, `fieldCount` per pattern (width 0: no such field).
  static let fieldSlots: [FieldSlot] = {
    let width = Field.allCases.count
    var slots = [FieldSlot](
      repeating: FieldSlot(lsb: 0, width: 0), count: PatternName.allCases.count * width)
    for p in patterns {
      for f in Field.allCases {
        if let s = p.slot(f) { slots[p.name.rawValue * width + f.index] = s }
      }
    }
    return slots
  }()

  /// `fixedBits` and `fieldSlots` in one allocation made once and never freed: a word reads
  /// them through plain pointers, so it pays one initialisation check and no array retain or
  /// bounds check (the three statics cost more per word than the fields themselves).
  struct FlatTables: @unchecked Sendable {
    /// Per pattern: its fixed bits, and whether it has a row.
    let fixed: UnsafeMutablePointer<UInt32>
    let known: UnsafeMutablePointer<Bool>
    let patternCount: Int
    /// `fieldSlots`, `fieldCount` per pattern.
    let slots: UnsafeMutablePointer<FieldSlot>
    let slotCount: Int
    let fieldCount: Int
  }

  static let flat: FlatTables = {
    let bits = fixedBits
    let slotTable = fieldSlots
    let fixed = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, bits.count))
    let known = UnsafeMutablePointer<Bool>.allocate(capacity: max(1, bits.count))
    for (k, b) in bits.enumerated() {
      (fixed + k).initialize(to: b ?? 0)
      (known + k).initialize(to: b != nil)
    }
    let slots = UnsafeMutablePointer<FieldSlot>.allocate(capacity: max(1, slotTable.count))
    slots.initialize(from: slotTable, count: slotTable.count)
    return FlatTables(
      fixed: fixed, known: known, patternCount: bits.count, slots: slots,
      slotCount: slotTable.count, fieldCount: fieldCount)
  }()

  /// The word of pattern `name`: its fixed bits with `values` in its fields, read from flat
  /// tables (no `Pattern` is copied per word).
  /// - Throws: `EncodingError.outOfRange` if a value does not fit its field (names the field),
  ///   `.notEncodable` if the pattern has no such field or no row.
  @inline(__always)
  static func assemble(_ name: PatternName, _ values: KeyValuePairs<Field, UInt32>)
    throws(EncodingError) -> UInt32
  {
    let t = flat
    guard name.rawValue >= 0, name.rawValue < t.patternCount, t.known[name.rawValue] else {
      throw EncodingError(.notEncodable, operand: "\(name)", "pattern missing from the spec")
    }
    var w = t.fixed[name.rawValue]
    let base = name.rawValue * t.fieldCount
    var bad: (Field, UInt32, FieldSlot)? = nil
    for (f, v) in values {
      let k = base + f.index
      guard k < t.slotCount else {
        bad = (f, v, FieldSlot(lsb: 0, width: 0))
        break
      }
      let s = t.slots[k]
      if s.width == 0 || (s.width < 32 && v >> UInt32(s.width) != 0) {
        bad = (f, v, s)
        break
      }
      w |= v << UInt32(s.lsb)
    }
    if let (f, v, s) = bad {
      guard s.width > 0 else {
        throw EncodingError(.notEncodable, operand: f.name, "pattern \(name) has no field")
      }
      throw EncodingError(
        .outOfRange, operand: f.name,
        "value \(v) does not fit in \(s.width) bits")
    }
    return w
  }
}
