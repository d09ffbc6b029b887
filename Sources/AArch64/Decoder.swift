/// The fields of one word as laid out by the pattern that matched it.
struct Fields {
  let pattern: Pattern
  let word: UInt32

  @inline(__always)
  subscript(_ f: Field) -> UInt32 { pattern.get(f, word) }
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
  }

  let patterns: [Pattern]
  let handlers: [DecodeHandler]
  let buckets: [[Entry]]

  static let bucketShift: UInt32 = 21

  init(patterns: [Pattern]) {
    self.patterns = patterns
    handlers = patterns.map { A64Decoder.handler(for: $0.name) }
    var b = [[Entry]](repeating: [], count: 1 << (32 - Int(DecodeTable.bucketShift)))
    for key in b.indices {
      let top = UInt32(key) << DecodeTable.bucketShift
      let topMask = ~UInt32(0) << DecodeTable.bucketShift
      for (i, p) in patterns.enumerated() where (top ^ p.value) & p.mask & topMask == 0 {
        b[key].append(Entry(mask: p.mask, value: p.value, index: i))
      }
    }
    buckets = b
  }

  func decode(_ w: UInt32) -> DecodeResult {
    for e in buckets[Int(w >> DecodeTable.bucketShift)] where w & e.mask == e.value {
      if let r = handlers[e.index](Fields(pattern: patterns[e.index], word: w)) { return r }
    }
    return .notCovered(w)
  }

  static let shared = DecodeTable(patterns: A64Spec.patterns)
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
}

extension Condition {
  /// The condition of a 4-bit field.
  static func field(_ v: UInt32) -> Condition { allCases[Int(v & 15)] }
}
