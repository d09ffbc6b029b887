import Diagnostics

extension AssembledObject {
  /// Places the sections and applies the relocations, as a static linker would.
  ///
  /// - Parameters:
  ///   - bases: the address of each section by name; a section not named is placed after the
  ///     previous one, 16-byte aligned (the first at 0).
  ///   - symbols: addresses of symbols this file does not define (externals); they also override
  ///     nothing defined here.
  ///   - allowUndefined: keep relocations against unknown symbols pending instead of failing.
  /// - Returns: the object with `base` set, words and data patched, and only the pending
  ///   relocations left.
  /// - Throws: `AssemblyError` `asm.link-range` (with the `EncodingError` of the field: exact
  ///   range or alignment) or `asm.undefined-symbol`, located at the statement that asked.
  ///
  /// ELF ABI for AArch64: S + A - P for PC-relative types, Page(S + A) - Page(P) for ADRP.
  public consuming func link(
    bases: [String: UInt64], symbols externals: [String: UInt64] = [:],
    allowUndefined: Bool = false
  ) throws(AssemblyError) -> AssembledObject {
    var out = consume self
    var next: UInt64 = 0
    var sectionBase: [String: UInt64] = [:]
    for k in out.sections.indices {
      let base = bases[out.sections[k].name] ?? ((next + 15) & ~15)
      out.sections[k].base = base
      sectionBase[out.sections[k].name] = base
      next = max(next, base &+ UInt64(out.sections[k].size))
    }
    // Relocations that name a symbol (not a section) name a global, weak or undefined one: the
    // assembler turns references to local labels into section-relative ones. So only those
    // symbols are indexed (nil for undefined); the other definitions only if a name is missing
    // (a file has many more local labels than globals).
    func index(_ include: (Symbol) -> Bool) -> [String: UInt64?] {
      var table: [String: UInt64?] = [:]
      for s in out.symbols where include(s) {
        if let sec = s.section, let b = sectionBase[sec] {
          table[s.name] = .some(b &+ UInt64(bitPattern: s.offset))
        } else if s.kind == .undefined {
          table[s.name] = .some(nil)
        }
      }
      return table
    }
    let named = index { $0.global || $0.weak || $0.kind == .undefined }
    var everything: [String: UInt64?]? = nil
    func definition(_ name: String) -> UInt64? {
      if let d = named[name] { return d }
      if everything == nil { everything = index { _ in true } }
      return everything?[name] ?? nil
    }
    for k in out.sections.indices {
      var left: [Relocation] = []
      var hint = 0
      let base = out.sections[k].base
      for r in out.sections[k].relocations {
        let s: UInt64
        if r.sectionRelative, let b = sectionBase[r.symbol] {
          s = b
        } else if let d = definition(r.symbol) ?? (externals.isEmpty ? nil : externals[r.symbol]) {
          s = d
        } else if allowUndefined {
          left.append(r)
          continue
        } else {
          throw AssemblyError(
            "asm.undefined-symbol", at: r.source,
            "undefined symbol '\(r.symbol)' (\(r.type.elfName))")
        }
        let p = base &+ UInt64(r.offset)
        try out.sections[k].apply(r, s: s &+ UInt64(bitPattern: r.addend), p: p, hint: &hint)
      }
      out.sections[k].relocations = left
    }
    return out
  }
}

extension Section {
  /// Index of the item that contains byte `offset`.
  func itemIndex(containing offset: Int) -> Int? {
    var lo = 0
    var hi = items.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if items[mid].offset + items[mid].size <= offset { lo = mid + 1 } else { hi = mid }
    }
    guard lo < items.count, items[lo].offset <= offset else { return nil }
    return lo
  }

  /// Patches relocation `r` with the value `sa` = S + A at address `p`.
  /// `itemIndex(containing:)`, trying `hint` and the item after it first (relocations mostly
  /// come in offset order, so this usually avoids the binary search).
  func itemIndex(containing offset: Int, near hint: Int) -> Int? {
    guard hint >= 0, hint < items.count, items[hint].offset <= offset else {
      return itemIndex(containing: offset)
    }
    // Gallop forward from the hint (1, 2, 4… items) to bracket the offset, then search inside:
    // relocations come in offset order a few items apart. An item that contains the offset is
    // the one the plain binary search finds: every earlier item ends at or before its start.
    var lo = hint
    var step = 1
    var hi = hint + 1
    while hi < items.count, items[hi].offset <= offset {
      lo = hi
      step *= 2
      hi = min(items.count, hi + step)
    }
    while lo + 1 < hi {
      let mid = (lo + hi) / 2
      if items[mid].offset <= offset { lo = mid } else { hi = mid }
    }
    return offset < items[lo].offset + items[lo].size ? lo : nil
  }

  mutating func apply(_ r: Relocation, s sa: UInt64, p: UInt64, hint: inout Int)
    throws(AssemblyError)
  {
    if image != nil {
      try applyToImage(r, s: sa, p: p)
      return
    }
    guard let k = itemIndex(containing: r.offset, near: hint) else {
      throw AssemblyError("asm.link-range", at: r.source, "relocation outside the section")
    }
    hint = k
    switch items[k].kind {
    case .insn(let w):
      guard let patched = try Section.patch(w, r, s: sa, p: p) else {
        throw AssemblyError(
          "asm.link-range", at: r.source, "\(r.type.elfName) on an instruction word")
      }
      items[k].kind = .insn(patched)
    case .data(var b):
      guard let value = try Section.dataValue(r, s: sa, p: p), let size = r.type.dataSize else {
        throw AssemblyError(
          "asm.link-range", at: r.source, "\(r.type.elfName) on data, not an instruction")
      }
      let rel = r.offset - items[k].offset
      guard rel + size <= b.count else {
        throw AssemblyError("asm.link-range", at: r.source, "relocation crosses an item")
      }
      for j in 0..<size { b[rel + j] = UInt8(truncatingIfNeeded: value >> UInt64(8 * j)) }
      items[k].kind = .data(b)
    }
  }

  /// The same on `image`: the relocation's type tells a data field from an instruction word
  /// (the assembler only makes data relocations on data and the others on instructions).
  private mutating func applyToImage(_ r: Relocation, s sa: UInt64, p: UInt64)
    throws(AssemblyError)
  {
    let size = r.type.dataSize ?? 4
    guard var bytes = image, r.offset >= 0, r.offset <= bytes.count - size else {
      throw AssemblyError("asm.link-range", at: r.source, "relocation outside the section")
    }
    image = nil  // `bytes` is now the only reference: patched in place, no copy
    defer { image = bytes }
    let value: UInt64
    if let v = try Section.dataValue(r, s: sa, p: p) {
      value = v
    } else {
      var w: UInt32 = 0
      for j in 0..<4 { w |= UInt32(bytes[r.offset + j]) << UInt32(8 * j) }
      value = UInt64(try Section.patch(w, r, s: sa, p: p) ?? w)
    }
    for j in 0..<size { bytes[r.offset + j] = UInt8(truncatingIfNeeded: value >> UInt64(8 * j)) }
  }

  private static func rangeError(_ r: Relocation, _ e: EncodingError) -> AssemblyError {
    let addend =
      r.addend == 0
      ? "" : signedHex(r.addend).hasPrefix("-") ? signedHex(r.addend) : "+" + signedHex(r.addend)
    return AssemblyError(
      "asm.link-range", at: r.source,
      "\(r.type.elfName) against \(r.symbol)\(addend): \(e.description)",
      encoding: e)
  }

  /// The value a data relocation writes (S + A, or S + A - P), checked against its field's
  /// range; nil for the types that patch an instruction.
  static func dataValue(_ r: Relocation, s sa: UInt64, p: UInt64) throws(AssemblyError) -> UInt64? {
    let pcrel = sa &- p
    let (value, lo, hi): (UInt64, Int64, UInt64)
    switch r.type {
    case .abs64: (value, lo, hi) = (sa, Int64.min, UInt64.max)
    case .prel64: (value, lo, hi) = (pcrel, Int64.min, UInt64.max)
    case .abs32: (value, lo, hi) = (sa, -(1 << 31), 1 << 32)
    case .prel32: (value, lo, hi) = (pcrel, -(1 << 31), 1 << 32)
    case .abs16: (value, lo, hi) = (sa, -(1 << 15), 1 << 16)
    case .prel16: (value, lo, hi) = (pcrel, -(1 << 15), 1 << 16)
    default: return nil
    }
    let v = Int64(bitPattern: value)
    if let size = r.type.dataSize, size < 8, v < lo || (v >= 0 && UInt64(v) >= hi) {
      throw rangeError(
        r,
        EncodingError(
          .outOfRange, operand: "data\(size * 8)",
          "value \(signedHex(v)) out of range [\(signedHex(lo)), \(signedHex(Int64(hi))))"))
    }
    return value
  }

  /// Instruction word `w` with the field of relocation `r` set for S + A = `sa` at `p`; nil
  /// for the types that write data.
  static func patch(_ w: UInt32, _ r: Relocation, s sa: UInt64, p: UInt64) throws(AssemblyError)
    -> UInt32?
  {
    let pcrel = Int64(bitPattern: sa &- p)
    func branch(_ bytes: Int64, _ width: BranchOffset.Width) throws(AssemblyError) -> UInt32 {
      do {
        let o = try BranchOffset(bytes, width)
        return UInt32(truncatingIfNeeded: o.bytes >> Int64(width.scaleShift))
          & ((1 << UInt32(width.fieldBits)) - 1)
      } catch {
        throw rangeError(r, error)
      }
    }
    switch r.type {
    case .call26, .jump26:
      return (w & ~0x03ff_ffff) | (try branch(pcrel, .imm26))
    case .condbr19, .ldPrelLo19:
      return (w & ~(0x7ffff << 5)) | (try branch(pcrel, .imm19) << 5)
    case .tstbr14:
      return (w & ~(0x3fff << 5)) | (try branch(pcrel, .imm14) << 5)
    case .adrPrelLo21, .adrPrelPgHi21:
      let field: UInt32
      if r.type == .adrPrelLo21 {
        field = try branch(pcrel, .adr21)
      } else {
        field = try branch(Int64(bitPattern: (sa & ~0xfff) &- (p & ~0xfff)), .adrp21)
      }
      return (w & ~((3 << 29) | (0x7ffff << 5))) | ((field & 3) << 29) | ((field >> 2) << 5)
    case .addAbsLo12NC:
      return (w & ~(0xfff << 10)) | (UInt32(sa & 0xfff) << 10)
    case .ldst8AbsLo12NC, .ldst16AbsLo12NC, .ldst32AbsLo12NC, .ldst64AbsLo12NC,
      .ldst128AbsLo12NC:
      let scale: UInt64 =
        switch r.type {
        case .ldst8AbsLo12NC: 0
        case .ldst16AbsLo12NC: 1
        case .ldst32AbsLo12NC: 2
        case .ldst64AbsLo12NC: 3
        default: 4
        }
      let lo = sa & 0xfff
      if lo & ((1 << scale) - 1) != 0 {
        throw rangeError(
          r,
          EncodingError(
            .misaligned, operand: "imm12",
            "offset 0x\(String(lo, radix: 16)) is not a multiple of \(1 << scale)"))
      }
      return (w & ~(0xfff << 10)) | (UInt32(lo >> scale) << 10)
    case .abs64, .abs32, .abs16, .prel64, .prel32, .prel16:
      return nil
    }
  }
}

extension RelocationType {
  /// Bytes of the data field the type writes; nil for the types that patch an instruction.
  var dataSize: Int? {
    switch self {
    case .abs64, .prel64: 8
    case .abs32, .prel32: 4
    case .abs16, .prel16: 2
    default: nil
    }
  }
}
