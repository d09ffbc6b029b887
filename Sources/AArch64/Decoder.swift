/// The fields of one word as laid out by the pattern that matched it.
struct Fields {
  let name: PatternName
  let word: UInt32
  /// Start of the pattern's row in `DecodeTable.slotTable`.
  let base: Int

  @inline(__always)
  subscript(_ f: Field) -> UInt32 {
    // Direct bit extraction from a flat table of packed (lsb, width) slots.
    let s = UInt32(DecodeTable.slotTable[base &+ f.index])
    return (word >> (s & 31)) & ((UInt32(1) << (s >> 8)) &- 1)
  }
}

/// One decode handler per pattern (QEMU's `trans_<NAME>`). Returns nil when the word is not for
/// this pattern after all (the decoder then tries the next pattern, and finally `.notCovered`).
typealias DecodeHandler = @Sendable (Fields) -> DecodeResult?

/// Table-driven decoder: words are bucketed on bits [31:21]; each bucket lists, in spec order,
/// the patterns whose fixed bits are compatible with that bucket.
struct DecodeTable: Sendable {
  struct Entry: Sendable {
    let mask: UInt32
    let value: UInt32
    let index: Int
    let name: PatternName
  }

  let patterns: [Pattern]
  let handlers: [DecodeHandler]
  let buckets: [[Entry]]
  /// `buckets` laid end to end (bucket `k` is `flat[starts[k]..<starts[k + 1]]`): one array, so
  /// a lookup retains nothing.
  let flat: [Entry]
  let starts: [UInt32]

  static let bucketShift: UInt32 = 21

  init(patterns: [Pattern]) {
    self.patterns = patterns
    handlers = patterns.map { A64Decoder.handler(for: $0.name) }
    var b = [[Entry]](repeating: [], count: 1 << (32 - Int(DecodeTable.bucketShift)))
    for key in b.indices {
      let top = UInt32(key) << DecodeTable.bucketShift
      let topMask = ~UInt32(0) << DecodeTable.bucketShift
      for (i, p) in patterns.enumerated() where (top ^ p.value) & p.mask & topMask == 0 {
        b[key].append(Entry(mask: p.mask, value: p.value, index: i, name: p.name))
      }
    }
    buckets = b
    var flat: [Entry] = []
    var starts: [UInt32] = []
    for bucket in b {
      starts.append(UInt32(flat.count))
      flat.append(contentsOf: bucket)
    }
    starts.append(UInt32(flat.count))
    self.flat = flat
    self.starts = starts
  }

  func decode(_ w: UInt32) -> DecodeResult {
    let k = Int(w >> DecodeTable.bucketShift)
    var j = Int(starts[k])
    let end = Int(starts[k + 1])
    while j < end {
      let e = flat[j]
      j += 1
      guard w & e.mask == e.value else { continue }
      let f = Fields(name: e.name, word: w, base: e.index &* Field.allCases.count)
      if let r = A64Decoder.run(e.name, f) { return r }
    }
    return .notCovered(w)
  }

  static let shared = DecodeTable(patterns: A64Spec.patterns)

  /// Every pattern's field slots, `Field.allCases.count` per pattern in `A64Spec.patterns`
  /// order, packed as `lsb | width << 8` (0 for an absent field).
  static let slotTable: [UInt16] = {
    var t: [UInt16] = []
    for p in A64Spec.patterns {
      for f in Field.allCases {
        let s = p.slot(f) ?? FieldSlot(lsb: 0, width: 0)
        t.append(UInt16(s.lsb) | UInt16(s.width) << 8)
      }
    }
    return t
  }()
}

/// Decodes one A64 instruction word. Total: every one of the 2^32 words gives a result, never a
/// trap. See `DecodeResult` for the four outcomes.
public func decode(_ w: UInt32) -> DecodeResult {
  DecodeTable.shared.decode(w)
}

/// The decode handlers, one per pattern name; the bodies live in `Classes/`.
enum A64Decoder {
  static func handler(for name: PatternName) -> DecodeHandler {
    switch name {
    case .UDF: { f in .undefined(f.word) }
    case .ADR, .ADRP: decodePCRelative
    case .ADDSUB_i: decodeAddSubImmediate
    case .LOGIC_i: decodeLogicalImmediate
    case .MOVW: decodeMoveWide
    case .BITFIELD: decodeBitfield
    case .EXTR: decodeExtract
    case .B_cond: decodeBranchConditional
    case .SVC: { f in .decoded(.exception(.svc, UInt16(f[.imm16]))) }
    case .HVC: { f in .decoded(.exception(.hvc, UInt16(f[.imm16]))) }
    case .SMC: { f in .decoded(.exception(.smc, UInt16(f[.imm16]))) }
    case .BRK: { f in .decoded(.exception(.brk, UInt16(f[.imm16]))) }
    case .HLT: { f in .decoded(.exception(.hlt, UInt16(f[.imm16]))) }
    case .DCPS: decodeDCPS
    case .HINT: { f in .decoded(.hint(Hint(unchecked: UInt8(f[.crm] << 3 | f[.op2])))) }
    case .CLREX: { f in .decoded(.barrier(.clrex(UInt8(f[.crm])))) }
    case .SSBB: { _ in .decoded(.barrier(.ssbb)) }
    case .PSSBB: { _ in .decoded(.barrier(.pssbb)) }
    case .DSB: { f in .decoded(.barrier(.dsb(BarrierOption(unchecked: UInt8(f[.crm]))))) }
    case .DMB: { f in .decoded(.barrier(.dmb(BarrierOption(unchecked: UInt8(f[.crm]))))) }
    case .ISB: { f in .decoded(.barrier(.isb(BarrierOption(unchecked: UInt8(f[.crm]))))) }
    case .SB: { f in f[.crm] == 0 ? .decoded(.barrier(.sb)) : .undefined(f.word) }
    case .MSR_i: decodeMSRImmediate
    case .SYS: decodeSystem
    case .MRS_MSR: decodeMoveSystemRegister
    case .BR: { f in .decoded(.branchRegister(.br, .zr(f[.rn], .x))) }
    case .BLR: { f in .decoded(.branchRegister(.blr, .zr(f[.rn], .x))) }
    case .RET: { f in .decoded(.branchRegister(.ret, .zr(f[.rn], .x))) }
    case .ERET: { _ in .decoded(.exceptionReturn(.eret)) }
    case .DRPS: { _ in .decoded(.exceptionReturn(.drps)) }
    case .BRAZ, .BLRAZ, .RETA, .ERETA, .BRA, .BLRA: decodeAuthenticatedBranch
    case .B: { f in .decoded(.branch(link: f[.op] == 1, BranchOffset(field: f[.imm26], .imm26))) }
    case .CB: decodeCompareAndBranch
    case .TB: decodeTestAndBranch
    case .LDST_EXCL, .LDST_EXCLP: decodeExclusive
    case .CASP: decodeCompareAndSwapPair
    case .LDAR_STLR: decodeAcquireRelease
    case .CAS: decodeCompareAndSwap
    case .LDR_lit: decodeLoadLiteral
    case .LDSTP: decodeLoadStorePair
    case .LDST_imm9, .LDST_reg, .LDST_uimm: decodeLoadStore
    case .ATOMIC: decodeAtomic
    case .LDAPR: decodeLoadAcquirePC
    case .LOGIC_r: decodeLogicalShifted
    case .ADDSUB_r: decodeAddSubShifted
    case .ADDSUB_x: decodeAddSubExtended
    case .ADC: decodeAddSubCarry
    case .CCMP_r, .CCMP_i: decodeConditionalCompare
    case .CSEL: decodeConditionalSelect
    case .DP_3: decodeMultiply
    case .DP_2: decodeDataProcessing2
    case .DP_1: decodeDataProcessing1
    }
  }

  /// Runs the handler of `name` on `f` (a direct call: no closure to load or retain).
  static func run(_ name: PatternName, _ f: Fields) -> DecodeResult? {
    switch name {
    case .UDF: .undefined(f.word)
    case .ADR, .ADRP: decodePCRelative(f)
    case .ADDSUB_i: decodeAddSubImmediate(f)
    case .LOGIC_i: decodeLogicalImmediate(f)
    case .MOVW: decodeMoveWide(f)
    case .BITFIELD: decodeBitfield(f)
    case .EXTR: decodeExtract(f)
    case .B_cond: decodeBranchConditional(f)
    case .SVC: .decoded(.exception(.svc, UInt16(f[.imm16])))
    case .HVC: .decoded(.exception(.hvc, UInt16(f[.imm16])))
    case .SMC: .decoded(.exception(.smc, UInt16(f[.imm16])))
    case .BRK: .decoded(.exception(.brk, UInt16(f[.imm16])))
    case .HLT: .decoded(.exception(.hlt, UInt16(f[.imm16])))
    case .DCPS: decodeDCPS(f)
    case .HINT: .decoded(.hint(Hint(unchecked: UInt8(f[.crm] << 3 | f[.op2]))))
    case .CLREX: .decoded(.barrier(.clrex(UInt8(f[.crm]))))
    case .SSBB: .decoded(.barrier(.ssbb))
    case .PSSBB: .decoded(.barrier(.pssbb))
    case .DSB: .decoded(.barrier(.dsb(BarrierOption(unchecked: UInt8(f[.crm])))))
    case .DMB: .decoded(.barrier(.dmb(BarrierOption(unchecked: UInt8(f[.crm])))))
    case .ISB: .decoded(.barrier(.isb(BarrierOption(unchecked: UInt8(f[.crm])))))
    case .SB: f[.crm] == 0 ? .decoded(.barrier(.sb)) : .undefined(f.word)
    case .MSR_i: decodeMSRImmediate(f)
    case .SYS: decodeSystem(f)
    case .MRS_MSR: decodeMoveSystemRegister(f)
    case .BR: .decoded(.branchRegister(.br, .zr(f[.rn], .x)))
    case .BLR: .decoded(.branchRegister(.blr, .zr(f[.rn], .x)))
    case .RET: .decoded(.branchRegister(.ret, .zr(f[.rn], .x)))
    case .ERET: .decoded(.exceptionReturn(.eret))
    case .DRPS: .decoded(.exceptionReturn(.drps))
    case .BRAZ, .BLRAZ, .RETA, .ERETA, .BRA, .BLRA: decodeAuthenticatedBranch(f)
    case .B: .decoded(.branch(link: f[.op] == 1, BranchOffset(field: f[.imm26], .imm26)))
    case .CB: decodeCompareAndBranch(f)
    case .TB: decodeTestAndBranch(f)
    case .LDST_EXCL, .LDST_EXCLP: decodeExclusive(f)
    case .CASP: decodeCompareAndSwapPair(f)
    case .LDAR_STLR: decodeAcquireRelease(f)
    case .CAS: decodeCompareAndSwap(f)
    case .LDR_lit: decodeLoadLiteral(f)
    case .LDSTP: decodeLoadStorePair(f)
    case .LDST_imm9, .LDST_reg, .LDST_uimm: decodeLoadStore(f)
    case .ATOMIC: decodeAtomic(f)
    case .LDAPR: decodeLoadAcquirePC(f)
    case .LOGIC_r: decodeLogicalShifted(f)
    case .ADDSUB_r: decodeAddSubShifted(f)
    case .ADDSUB_x: decodeAddSubExtended(f)
    case .ADC: decodeAddSubCarry(f)
    case .CCMP_r, .CCMP_i: decodeConditionalCompare(f)
    case .CSEL: decodeConditionalSelect(f)
    case .DP_3: decodeMultiply(f)
    case .DP_2: decodeDataProcessing2(f)
    case .DP_1: decodeDataProcessing1(f)
    }
  }
}

extension Condition {
  /// The condition of a 4-bit field.
  static func field(_ v: UInt32) -> Condition { Condition(rawValue: UInt8(v & 15)) ?? .al }
}
