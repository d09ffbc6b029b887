// Loads and stores: literal, single register (all addressing modes), pairs, exclusives,
// load-acquire/store-release, LSE atomics and compare-and-swap. Arm ARM C4.1.66.

/// What (size, opc) of a single-register load/store means (Arm ARM C4.1.66 opc table).
enum SingleAccess {
  case access(LoadStoreKind, Width)
  case prefetch
  case unallocated

  init(size: UInt32, opc: UInt32) {
    switch (size, opc) {
    case (_, 0): self = .access(.store, size == 3 ? .x : .w)
    case (_, 1): self = .access(.load, size == 3 ? .x : .w)
    case (0...2, 2): self = .access(.loadSigned, .x)
    case (3, 2): self = .prefetch
    case (0...1, 3): self = .access(.loadSigned, .w)
    default: self = .unallocated
    }
  }

  /// (size, opc) for a load/store, or an error naming the register.
  static func fields(_ l: LoadStore) throws(EncodingError) -> (UInt32, UInt32) {
    let size = UInt32(l.size.rawValue)
    switch l.kind {
    case .store, .load:
      let want: Width = l.size == .doubleword ? .x : .w
      _ = try l.rt.encoded("rt", .zr, want)
      return (size, l.kind == .store ? 0 : 1)
    case .loadSigned:
      switch l.size {
      case .byte, .halfword: return (size, l.rt.width == .x ? 2 : 3)
      case .word:
        _ = try l.rt.encoded("rt", .zr, .x)
        return (size, 2)
      case .doubleword:
        throw EncodingError(.notEncodable, operand: "size", "no sign-extending 64-bit load")
      }
    }
  }
}

extension A64Decoder {
  /// LDR (literal) W/X, LDRSW (literal), PRFM (literal).
  static let decodeLoadLiteral: DecodeHandler = { f in
    let off = BranchOffset(field: f[.imm19], .imm19)
    switch f[.opc] {
    case 0: return .decoded(.loadLiteral(.ldr, .zr(f[.rt], .w), off))
    case 1: return .decoded(.loadLiteral(.ldr, .zr(f[.rt], .x), off))
    case 2: return .decoded(.loadLiteral(.ldrsw, .zr(f[.rt], .x), off))
    default: return .decoded(.prefetchLiteral(PrefetchOperation(unchecked: UInt8(f[.rt])), off))
    }
  }

  /// Single-register loads/stores: unscaled/post/unprivileged/pre (imm9), register offset,
  /// unsigned offset.
  static let decodeLoadStore: DecodeHandler = { f in
    let size = f[.size]
    let access = SingleAccess(size: size, opc: f[.opc])
    let base = Register.sp(f[.rn], .x)
    let address: Address
    var writeback = false
    switch f.name {
    case .LDST_uimm:
      address = .unsignedOffset(base: base, offset: Int64(f[.imm12]) << Int64(size))
    case .LDST_reg:
      let option = f[.option]
      guard option & 2 != 0, let ext = Extend(rawValue: UInt8(option)) else {
        return .undefined(f.word)
      }
      address = .registerOffset(
        base: base, index: .zr(f[.rm], ext.takesX ? .x : .w), extend: ext, shifted: f[.s] == 1)
    default:
      let off = signExtend(f[.imm9], 9)
      switch f[.idx] {
      case 0: address = .unscaled(base: base, offset: off)
      case 1:
        address = .postIndex(base: base, offset: off)
        writeback = true
      case 2: address = .unprivileged(base: base, offset: off)
      default:
        address = .preIndex(base: base, offset: off)
        writeback = true
      }
    }
    switch access {
    case .unallocated: return .undefined(f.word)
    case .prefetch:
      switch address {
      case .unsignedOffset, .unscaled, .registerOffset:
        return .decoded(.prefetch(PrefetchOperation(unchecked: UInt8(f[.rt])), address))
      default: return .undefined(f.word)
      }
    case .access(let kind, let w):
      let i = Instruction.loadStore(
        LoadStore(
          kind: kind, size: AccessSize(rawValue: UInt8(size)) ?? .byte, rt: .zr(f[.rt], w),
          address: address))
      if writeback && f[.rt] == f[.rn] && f[.rn] != 31 {
        return .unpredictable(i, reason: "writeback with Rt == Rn")
      }
      return .decoded(i)
    }
  }

  /// STP/LDP/LDPSW/STNP/LDNP; opc = 11 and the unallocated opc/idx/L combinations are undefined;
  /// STGP (MTE) is not covered.
  static let decodeLoadStorePair: DecodeHandler = { f in
    let opc = f[.opc]
    let idx = f[.idx]
    let load = f[.l] == 1
    let op: PairOp
    let w: Width
    switch (opc, load) {
    case (0, _), (2, _):
      w = opc == 2 ? .x : .w
      op = idx == 0 ? (load ? .ldnp : .stnp) : (load ? .ldp : .stp)
    case (1, true):
      guard idx != 0 else { return .undefined(f.word) }
      w = .x
      op = .ldpsw
    case (1, false):
      return idx == 0 ? .undefined(f.word) : nil
    default: return .undefined(f.word)
    }
    let scale: Int64 = op == .ldpsw || w == .w ? 4 : 8
    let mode: PairMode = idx == 1 ? .postIndex : idx == 3 ? .preIndex : .signedOffset
    let rt = Register.zr(f[.rt], op == .ldpsw ? .x : w)
    let rt2 = Register.zr(f[.rt2], op == .ldpsw ? .x : w)
    let i = Instruction.loadStorePair(
      LoadStorePair(
        op: op, rt: rt, rt2: rt2, base: .sp(f[.rn], .x),
        offset: signExtend(f[.imm7], 7) * scale, mode: mode))
    if load && f[.rt] == f[.rt2] {
      return .unpredictable(i, reason: "load pair with Rt == Rt2")
    }
    if mode != .signedOffset && f[.rn] != 31 && (f[.rt] == f[.rn] || f[.rt2] == f[.rn]) {
      return .unpredictable(i, reason: "writeback with Rt or Rt2 == Rn")
    }
    return .decoded(i)
  }

  /// LDXR/LDAXR/STXR/STLXR (+B/H) and the pair forms.
  static let decodeExclusive: DecodeHandler = { f in
    let pair = f.name == .LDST_EXCLP
    let load = f[.l] == 1
    let size: AccessSize
    let w: Width
    if pair {
      w = f[.sz] == 1 ? .x : .w
      size = w == .x ? .doubleword : .word
    } else {
      size = AccessSize(rawValue: UInt8(f[.size])) ?? .byte
      w = size == .doubleword ? .x : .w
    }
    let i = Instruction.exclusive(
      Exclusive(
        load: load, ordered: f[.o0] == 1, pair: pair, size: size,
        rs: load ? nil : .zr(f[.rs], .w), rt: .zr(f[.rt], w),
        rt2: pair ? .zr(f[.rt2], w) : nil, rn: .sp(f[.rn], .x)))
    if load && f[.rs] != 31 { return .unpredictable(i, reason: "Rs is not 11111") }
    if !pair && f[.rt2] != 31 { return .unpredictable(i, reason: "Rt2 is not 11111") }
    if load && pair && f[.rt] == f[.rt2] {
      return .unpredictable(i, reason: "load pair with Rt == Rt2")
    }
    if !load {
      if f[.rs] == f[.rt] || (pair && f[.rs] == f[.rt2]) {
        return .unpredictable(i, reason: "status register Rs == Rt")
      }
      if f[.rs] == f[.rn] && f[.rn] != 31 {
        return .unpredictable(i, reason: "status register Rs == Rn")
      }
    }
    return .decoded(i)
  }

  /// LDAR/STLR/LDLAR/STLLR (+B/H).
  static let decodeAcquireRelease: DecodeHandler = { f in
    let size = AccessSize(rawValue: UInt8(f[.size])) ?? .byte
    let i = Instruction.acquireRelease(
      AcquireRelease(
        load: f[.l] == 1, ordered: f[.o0] == 1, size: size,
        rt: .zr(f[.rt], size == .doubleword ? .x : .w), rn: .sp(f[.rn], .x)))
    if f[.rs] != 31 { return .unpredictable(i, reason: "Rs is not 11111") }
    if f[.rt2] != 31 { return .unpredictable(i, reason: "Rt2 is not 11111") }
    return .decoded(i)
  }

  /// CAS{A}{L}{B|H}.
  static let decodeCompareAndSwap: DecodeHandler = { f in
    let size = AccessSize(rawValue: UInt8(f[.size])) ?? .byte
    let w: Width = size == .doubleword ? .x : .w
    let i = Instruction.compareAndSwap(
      CompareAndSwap(
        acquire: f[.l] == 1, release: f[.o0] == 1, size: size, rs: .zr(f[.rs], w),
        rt: .zr(f[.rt], w), rn: .sp(f[.rn], .x)))
    if f[.rt2] != 31 { return .unpredictable(i, reason: "Rt2 is not 11111") }
    return .decoded(i)
  }

  /// CASP{A}{L}; an odd Rs or Rt is undefined.
  static let decodeCompareAndSwapPair: DecodeHandler = { f in
    guard f[.rs] & 1 == 0, f[.rt] & 1 == 0 else { return .undefined(f.word) }
    let w: Width = f[.sz] == 1 ? .x : .w
    let i = Instruction.compareAndSwapPair(
      CompareAndSwap(
        acquire: f[.l] == 1, release: f[.o0] == 1, size: w == .x ? .doubleword : .word,
        rs: .zr(f[.rs], w), rt: .zr(f[.rt], w), rn: .sp(f[.rn], .x)))
    if f[.rt2] != 31 { return .unpredictable(i, reason: "Rt2 is not 11111") }
    return .decoded(i)
  }

  /// LDAPR{B,H}.
  static let decodeLoadAcquirePC: DecodeHandler = { f in
    let size = AccessSize(rawValue: UInt8(f[.size])) ?? .byte
    return .decoded(
      .loadAcquirePC(
        size, rt: .zr(f[.rt], size == .doubleword ? .x : .w), rn: .sp(f[.rn], .x)))
  }

  /// LDADD…LDUMIN and SWP (+A/L/AL, B/H); LDAPR and the other o3 = 1 forms are not covered.
  static let decodeAtomic: DecodeHandler = { f in
    let ops: [AtomicOp] = [.add, .clr, .eor, .set, .smax, .smin, .umax, .umin]
    let op: AtomicOp
    if f[.o3] == 0 {
      op = ops[Int(f[.opc])]
    } else if f[.opc] == 0 {
      op = .swp
    } else {
      return nil
    }
    let size = AccessSize(rawValue: UInt8(f[.size])) ?? .byte
    let w: Width = size == .doubleword ? .x : .w
    return .decoded(
      .atomic(
        AtomicMemory(
          op: op, acquire: f[.a] == 1, release: f[.r] == 1, size: size, rs: .zr(f[.rs], w),
          rt: .zr(f[.rt], w), rn: .sp(f[.rn], .x))))
  }
}

extension A64Encoder {
  static func loadLiteral(_ k: LiteralLoad, _ rt: Register, _ off: BranchOffset)
    throws(EncodingError) -> UInt32
  {
    if let w = loadLiteralWord(k, rt, off) { return w }
    return try loadLiteralChecked(k, rt, off)
  }

  /// `loadLiteral` through the spec's field list, with every check and diagnostic.
  static func loadLiteralChecked(_ k: LiteralLoad, _ rt: Register, _ off: BranchOffset)
    throws(EncodingError) -> UInt32
  {
    let opc: UInt32 =
      switch k {
      case .ldr: rt.width == .x ? 1 : 0
      case .ldrsw: 2
      }
    return try A64Spec.assemble(
      .LDR_lit,
      [
        .opc: opc, .imm19: off.field(for: .imm19),
        .rt: rt.encoded("rt", .zr, k == .ldrsw ? .x : nil),
      ])
  }

  static func prefetchLiteral(_ p: PrefetchOperation, _ off: BranchOffset) throws(EncodingError)
    -> UInt32
  {
    if let w = prefetchLiteralWord(p, off) { return w }
    return try prefetchLiteralChecked(p, off)
  }

  /// `prefetchLiteral` through the spec's field list, with every check and diagnostic.
  static func prefetchLiteralChecked(_ p: PrefetchOperation, _ off: BranchOffset)
    throws(EncodingError) -> UInt32
  {
    try A64Spec.assemble(
      .LDR_lit,
      [
        .opc: 3, .imm19: off.field(for: .imm19), .rt: UInt32(p.rawValue),
      ])
  }

  /// Encodes `address` for a single-register access of (size, opc) with Rt field `rt`.
  static func singleAccess(size: UInt32, opc: UInt32, rt: UInt32, _ address: Address)
    throws(EncodingError) -> UInt32
  {
    if let w = singleAccessWord(size: size, opc: opc, rt: rt, address) { return w }
    return try singleAccessChecked(size: size, opc: opc, rt: rt, address)
  }

  /// `singleAccess` through the spec's field list, with every check and diagnostic.
  static func singleAccessChecked(size: UInt32, opc: UInt32, rt: UInt32, _ address: Address)
    throws(EncodingError) -> UInt32
  {
    let rn = try address.base.encoded("rn", .sp, .x)
    switch address {
    case .unsignedOffset(_, let off):
      let imm = try scaledOffset(off, scale: 1 << Int64(size), bits: 12, signed: false, "offset")
      return try A64Spec.assemble(
        .LDST_uimm,
        [
          .size: size, .opc: opc, .imm12: imm, .rn: rn, .rt: rt,
        ])
    case .unscaled(_, let off), .preIndex(_, let off), .postIndex(_, let off),
      .unprivileged(_, let off):
      let idx = address.imm9Index
      let imm = try scaledOffset(off, scale: 1, bits: 9, signed: true, "offset")
      return try A64Spec.assemble(
        .LDST_imm9,
        [
          .size: size, .opc: opc, .imm9: imm, .idx: idx, .rn: rn, .rt: rt,
        ])
    case .registerOffset(_, let index, let ext, let shifted):
      guard ext.rawValue & 2 != 0 else {
        throw EncodingError(
          .notEncodable, operand: "extend", "\(ext) is not uxtw, lsl, sxtw or sxtx")
      }
      return try A64Spec.assemble(
        .LDST_reg,
        [
          .size: size, .opc: opc, .rm: index.encoded("rm", .zr, ext.takesX ? .x : .w),
          .option: UInt32(ext.rawValue), .s: shifted ? 1 : 0, .rn: rn, .rt: rt,
        ])
    }
  }

  static func loadStore(_ l: LoadStore) throws(EncodingError) -> UInt32 {
    let (size, opc) = try SingleAccess.fields(l)
    return try singleAccess(size: size, opc: opc, rt: l.rt.encoded("rt", .zr), l.address)
  }

  static func prefetch(_ p: PrefetchOperation, _ a: Address) throws(EncodingError) -> UInt32 {
    switch a {
    case .unsignedOffset, .unscaled, .registerOffset:
      return try singleAccess(size: 3, opc: 2, rt: UInt32(p.rawValue), a)
    default:
      throw EncodingError(.notEncodable, operand: "address", "prfm has no writeback form")
    }
  }

  /// The o3 and opc fields of an atomic memory operation.
  static func atomicFields(_ op: AtomicOp) -> (o3: UInt32, opc: UInt32) {
    switch op {
    case .add: (0, 0)
    case .clr: (0, 1)
    case .eor: (0, 2)
    case .set: (0, 3)
    case .smax: (0, 4)
    case .smin: (0, 5)
    case .umax: (0, 6)
    case .umin: (0, 7)
    case .swp: (1, 0)
    }
  }

  /// The fields of a pair that follow from its op and mode: register width, opc, idx, L, the
  /// offset's scale; nil for a write-back STNP/LDNP (not encodable).
  static func pairFields(_ p: LoadStorePair)
    -> (w: Width, opc: UInt32, idx: UInt32, load: Bool, scale: Int64)?
  {
    let w: Width = p.op == .ldpsw ? .x : p.rt.width
    let opc: UInt32 = p.op == .ldpsw ? 1 : (w == .x ? 2 : 0)
    let load = p.op == .ldp || p.op == .ldpsw || p.op == .ldnp
    let noAllocate = p.op == .stnp || p.op == .ldnp
    let idx: UInt32
    switch p.mode {
    case .signedOffset: idx = noAllocate ? 0 : 2
    case .postIndex: idx = 1
    case .preIndex: idx = 3
    }
    if noAllocate && p.mode != .signedOffset { return nil }
    return (w, opc, idx, load, p.op == .ldpsw || w == .w ? 4 : 8)
  }

  static func loadStorePair(_ p: LoadStorePair) throws(EncodingError) -> UInt32 {
    guard let (w, opc, idx, load, scale) = pairFields(p) else {
      throw EncodingError(.notEncodable, operand: "address", "stnp/ldnp have no writeback form")
    }
    let imm = try scaledOffset(p.offset, scale: scale, bits: 7, signed: true, "offset")
    return try A64Spec.assemble(
      .LDSTP,
      [
        .opc: opc, .idx: idx, .l: load ? 1 : 0, .imm7: imm, .rt2: p.rt2.encoded("rt2", .zr, w),
        .rn: p.base.encoded("rn", .sp, .x), .rt: p.rt.encoded("rt", .zr, w),
      ])
  }

  static func exclusive(_ e: Exclusive) throws(EncodingError) -> UInt32 {
    if let w = exclusiveWord(e) { return w }
    return try exclusiveChecked(e)
  }

  /// `exclusive` through the spec's field list, with every check and diagnostic.
  static func exclusiveChecked(_ e: Exclusive) throws(EncodingError) -> UInt32 {
    if e.load && e.rs != nil {
      throw EncodingError(
        .invalidRegister, operand: "rs", "a load exclusive has no status register")
    }
    if e.pair != (e.rt2 != nil) {
      throw EncodingError(
        .invalidRegister, operand: "rt2", e.pair ? "a pair needs Rt2" : "only pairs have Rt2")
    }
    if e.pair && e.size != (e.rt.width == .x ? .doubleword : .word) {
      throw EncodingError(
        .widthMismatch, operand: "size", "a pair's size follows Rt (word for w, doubleword for x)")
    }
    let rs: UInt32
    if e.load {
      rs = 31
    } else {
      guard let s = e.rs else {
        throw EncodingError(.invalidRegister, operand: "rs", "a store exclusive needs Ws")
      }
      rs = try s.encoded("rs", .zr, .w)
    }
    let rn = try e.rn.encoded("rn", .sp, .x)
    if e.pair {
      guard let rt2 = e.rt2 else {
        throw EncodingError(.invalidRegister, operand: "rt2", "a pair needs Rt2")
      }
      let w = e.rt.width
      return try A64Spec.assemble(
        .LDST_EXCLP,
        [
          .sz: w.sf, .l: e.load ? 1 : 0, .rs: rs, .o0: e.ordered ? 1 : 0,
          .rt2: rt2.encoded("rt2", .zr, w), .rn: rn, .rt: e.rt.encoded("rt", .zr, w),
        ])
    }
    let w: Width = e.size == .doubleword ? .x : .w
    return try A64Spec.assemble(
      .LDST_EXCL,
      [
        .size: UInt32(e.size.rawValue), .l: e.load ? 1 : 0, .rs: rs, .o0: e.ordered ? 1 : 0,
        .rt2: 31, .rn: rn, .rt: e.rt.encoded("rt", .zr, w),
      ])
  }

  static func acquireRelease(_ a: AcquireRelease) throws(EncodingError) -> UInt32 {
    if let w = acquireReleaseWord(a) { return w }
    return try acquireReleaseChecked(a)
  }

  /// `acquireRelease` through the spec's field list, with every check and diagnostic.
  static func acquireReleaseChecked(_ a: AcquireRelease) throws(EncodingError) -> UInt32 {
    let w: Width = a.size == .doubleword ? .x : .w
    return try A64Spec.assemble(
      .LDAR_STLR,
      [
        .size: UInt32(a.size.rawValue), .l: a.load ? 1 : 0, .rs: 31, .o0: a.ordered ? 1 : 0,
        .rt2: 31, .rn: a.rn.encoded("rn", .sp, .x), .rt: a.rt.encoded("rt", .zr, w),
      ])
  }

  static func atomic(_ a: AtomicMemory) throws(EncodingError) -> UInt32 {
    let w: Width = a.size == .doubleword ? .x : .w
    let (o3, opc) = atomicFields(a.op)
    return try A64Spec.assemble(
      .ATOMIC,
      [
        .size: UInt32(a.size.rawValue), .a: a.acquire ? 1 : 0, .r: a.release ? 1 : 0,
        .rs: a.rs.encoded("rs", .zr, w), .o3: o3, .opc: opc, .rn: a.rn.encoded("rn", .sp, .x),
        .rt: a.rt.encoded("rt", .zr, w),
      ])
  }

  static func loadAcquirePC(_ size: AccessSize, _ rt: Register, _ rn: Register)
    throws(EncodingError) -> UInt32
  {
    if let w = loadAcquirePCWord(size, rt, rn) { return w }
    return try loadAcquirePCChecked(size, rt, rn)
  }

  /// `loadAcquirePC` through the spec's field list, with every check and diagnostic.
  static func loadAcquirePCChecked(_ size: AccessSize, _ rt: Register, _ rn: Register)
    throws(EncodingError) -> UInt32
  {
    try A64Spec.assemble(
      .LDAPR,
      [
        .size: UInt32(size.rawValue), .rn: rn.encoded("rn", .sp, .x),
        .rt: rt.encoded("rt", .zr, size == .doubleword ? .x : .w),
      ])
  }

  static func compareAndSwap(_ c: CompareAndSwap) throws(EncodingError) -> UInt32 {
    let w: Width = c.size == .doubleword ? .x : .w
    return try A64Spec.assemble(
      .CAS,
      [
        .size: UInt32(c.size.rawValue), .l: c.acquire ? 1 : 0, .rs: c.rs.encoded("rs", .zr, w),
        .o0: c.release ? 1 : 0, .rt2: 31, .rn: c.rn.encoded("rn", .sp, .x),
        .rt: c.rt.encoded("rt", .zr, w),
      ])
  }

  static func compareAndSwapPair(_ c: CompareAndSwap) throws(EncodingError) -> UInt32 {
    if let w = compareAndSwapPairWord(c) { return w }
    return try compareAndSwapPairChecked(c)
  }

  /// `compareAndSwapPair` through the spec's field list, with every check and diagnostic.
  static func compareAndSwapPairChecked(_ c: CompareAndSwap) throws(EncodingError) -> UInt32 {
    let w = c.rt.width
    if c.size != (w == .x ? .doubleword : .word) {
      throw EncodingError(
        .widthMismatch, operand: "size", "casp's size follows Rt (word for w, doubleword for x)")
    }
    let rs = try c.rs.encoded("rs", .zr, w)
    let rt = try c.rt.encoded("rt", .zr, w)
    if rs & 1 != 0 || rt & 1 != 0 || c.rs.isZR || c.rt.isZR {
      throw EncodingError(
        .invalidRegister, operand: rs & 1 != 0 || c.rs.isZR ? "rs" : "rt",
        "casp needs an even-numbered first register of a pair")
    }
    return try A64Spec.assemble(
      .CASP,
      [
        .sz: w.sf, .l: c.acquire ? 1 : 0, .rs: rs, .o0: c.release ? 1 : 0, .rt2: 31,
        .rn: c.rn.encoded("rn", .sp, .x), .rt: rt,
      ])
  }
}

extension Address {
  /// Field `idx` (bits 11:10) of the 9-bit immediate forms: 0 unscaled, 1 post-index,
  /// 2 unprivileged, 3 pre-index (meaningful only for those four).
  var imm9Index: UInt32 {
    switch self {
    case .unscaled: 0
    case .postIndex: 1
    case .unprivileged: 2
    default: 3
    }
  }
}
