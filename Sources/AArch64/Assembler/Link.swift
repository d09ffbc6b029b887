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
    guard let k = itemIndex(containing: r.offset, near: hint) else {
      throw AssemblyError("asm.link-range", at: r.source, "relocation outside the section")
    }
    let pcrel = Int64(bitPattern: sa &- p)
    func rangeError(_ e: EncodingError) -> AssemblyError {
      AssemblyError(
        "asm.link-range", at: r.source,
        "\(r.type.elfName) against \(r.symbol)\(r.addend != 0 ? signedHex(r.addend).hasPrefix("-") ? signedHex(r.addend) : "+" + signedHex(r.addend) : ""): \(e.description)",
        encoding: e)
    }
    func branch(_ bytes: Int64, _ width: BranchOffset.Width) throws(AssemblyError) -> UInt32 {
      do {
        let o = try BranchOffset(bytes, width)
        return UInt32(truncatingIfNeeded: o.bytes >> Int64(width.scaleShift))
          & ((1 << UInt32(width.fieldBits)) - 1)
      } catch {
        throw rangeError(error)
      }
    }
    func data(_ value: UInt64, size: Int, signed lo: Int64, hi: UInt64) throws(AssemblyError) {
      let v = Int64(bitPattern: value)
      if size < 8, v < lo || (v >= 0 && UInt64(v) >= hi) {
        throw rangeError(
          EncodingError(
            .outOfRange, operand: "data\(size * 8)",
            "value \(signedHex(v)) out of range [\(signedHex(lo)), \(signedHex(Int64(hi))))"))
      }
      let rel = r.offset - items[k].offset
      switch items[k].kind {
      case .data(var b):
        guard rel + size <= b.count else {
          throw AssemblyError("asm.link-range", at: r.source, "relocation crosses an item")
        }
        for j in 0..<size { b[rel + j] = UInt8(truncatingIfNeeded: value >> UInt64(8 * j)) }
        items[k].kind = .data(b)
      case .insn:
        throw AssemblyError("asm.link-range", at: r.source, "data relocation on an instruction")
      }
    }
    hint = k
    guard case .insn(var w) = items[k].kind else {
      switch r.type {
      case .abs64: try data(sa, size: 8, signed: Int64.min, hi: UInt64.max)
      case .prel64: try data(UInt64(bitPattern: pcrel), size: 8, signed: Int64.min, hi: UInt64.max)
      case .abs32: try data(sa, size: 4, signed: -(1 << 31), hi: 1 << 32)
      case .prel32: try data(UInt64(bitPattern: pcrel), size: 4, signed: -(1 << 31), hi: 1 << 32)
      case .abs16: try data(sa, size: 2, signed: -(1 << 15), hi: 1 << 16)
      case .prel16: try data(UInt64(bitPattern: pcrel), size: 2, signed: -(1 << 15), hi: 1 << 16)
      default:
        throw AssemblyError(
          "asm.link-range", at: r.source, "\(r.type.elfName) on data, not an instruction")
      }
      return
    }
    switch r.type {
    case .call26, .jump26:
      w = (w & ~0x03ff_ffff) | (try branch(pcrel, .imm26))
    case .condbr19, .ldPrelLo19:
      w = (w & ~(0x7ffff << 5)) | (try branch(pcrel, .imm19) << 5)
    case .tstbr14:
      w = (w & ~(0x3fff << 5)) | (try branch(pcrel, .imm14) << 5)
    case .adrPrelLo21, .adrPrelPgHi21:
      let field: UInt32
      if r.type == .adrPrelLo21 {
        field = try branch(pcrel, .adr21)
      } else {
        field = try branch(Int64(bitPattern: (sa & ~0xfff) &- (p & ~0xfff)), .adrp21)
      }
      w = (w & ~((3 << 29) | (0x7ffff << 5))) | ((field & 3) << 29) | ((field >> 2) << 5)
    case .addAbsLo12NC:
      w = (w & ~(0xfff << 10)) | (UInt32(sa & 0xfff) << 10)
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
          EncodingError(
            .misaligned, operand: "imm12",
            "offset 0x\(String(lo, radix: 16)) is not a multiple of \(1 << scale)"))
      }
      w = (w & ~(0xfff << 10)) | (UInt32(lo >> scale) << 10)
    case .abs64, .abs32, .abs16, .prel64, .prel32, .prel16:
      throw AssemblyError(
        "asm.link-range", at: r.source, "\(r.type.elfName) on an instruction word")
    }
    items[k].kind = .insn(w)
  }
}
