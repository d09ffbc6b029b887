/// A named address range: a function, a trampoline, a data object.
public struct Symbol: Sendable, Hashable {
  public var name: String
  public var address: UInt64
  /// The ELF `st_size`; kallsyms does not know it.
  public var size: UInt64
  /// Text (code) symbols are the ones kallsyms keeps without CONFIG_KALLSYMS_ALL.
  public var isCode: Bool

  public init(name: String, address: UInt64, size: UInt64, isCode: Bool = true) {
    self.name = name
    self.address = address
    self.size = size
    self.isCode = isCode
  }
}

/// A resolved address: symbol, offset into it, and the size the lookup believes it has.
public struct SymbolLocation: Sendable, Hashable, CustomStringConvertible {
  public var symbol: Symbol
  public var offset: UInt64
  /// For kallsyms lookups: the distance to the next symbol (kallsyms's idea of the size); for
  /// exact lookups: the symbol's own size.
  public var size: UInt64

  /// `name+0xoff/0xsize`, the kernel's `%pS` format.
  public var description: String {
    "\(symbol.name)+0x\(String(offset, radix: 16))/0x\(String(size, radix: 16))"
  }
}

/// Symbols with sizes, and two ways to resolve a PC:
/// - `lookup(_:)` — exact: `sym+off` only when the PC lies in [start, start + size);
/// - `kallsyms(_:)` — what the kernel prints: the last symbol at or below the PC, with size =
///   next symbol's address − this one (kernel/kallsyms.c `get_symbol_pos`), so a PC in a gap
///   (the pre-entry NOPs of the next function, say) resolves to the previous function with a
///   large offset.
public struct SymbolTable: Sendable, Hashable {
  /// Sorted by address, then by insertion order (aliases: the first one wins, as in kallsyms).
  public private(set) var symbols: [Symbol] = []
  /// Where the last symbol ends for kallsyms (the kernel uses `_etext`/`_einittext`/`_end`);
  /// nil = the last symbol's own end.
  public var textEnd: UInt64?
  /// Keep data symbols in kallsyms lookups (CONFIG_KALLSYMS_ALL).
  public var kallsymsAll = false

  public init(_ symbols: [Symbol] = [], textEnd: UInt64? = nil) {
    self.textEnd = textEnd
    for s in symbols { add(s) }
  }

  public mutating func add(_ s: Symbol) {
    // Stable insertion after every symbol with address <= s.address.
    var lo = 0
    var hi = symbols.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if symbols[mid].address <= s.address { lo = mid + 1 } else { hi = mid }
    }
    symbols.insert(s, at: lo)
  }

  public mutating func add(name: String, address: UInt64, size: UInt64, isCode: Bool = true) {
    add(Symbol(name: name, address: address, size: size, isCode: isCode))
  }

  public func symbol(named name: String) -> Symbol? { symbols.first { $0.name == name } }

  /// Exact lookup: the symbol whose [address, address + size) holds `pc` (the innermost,
  /// i.e. latest-starting, if ranges nest).
  public func lookup(_ pc: UInt64) -> SymbolLocation? {
    var best: Symbol?
    for s in symbols where s.address <= pc && pc &- s.address < s.size {
      if best == nil || s.address > (best?.address ?? 0) { best = s }
    }
    guard let b = best else { return nil }
    return SymbolLocation(symbol: b, offset: pc - b.address, size: b.size)
  }

  /// The kallsyms lookup (no sizes). Nil below the first symbol or at/after `textEnd`.
  public func kallsyms(_ pc: UInt64) -> SymbolLocation? {
    let table = kallsymsAll ? symbols : symbols.filter(\.isCode)
    // Last index with address <= pc.
    var lo = 0
    var hi = table.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if table[mid].address <= pc { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0 else { return nil }
    var i = lo - 1
    // The first alias at that address.
    while i > 0 && table[i - 1].address == table[i].address { i -= 1 }
    let s = table[i]
    let end: UInt64
    if let next = table[(i + 1)...].first(where: { $0.address > s.address }) {
      end = next.address
    } else {
      end = textEnd ?? (s.address + s.size)
    }
    guard pc < end else { return nil }
    return SymbolLocation(symbol: s, offset: pc - s.address, size: end - s.address)
  }

  /// `%pS`-style text: kallsyms resolution, or the bare hex address.
  public func describe(_ pc: UInt64) -> String {
    kallsyms(pc)?.description ?? hex(pc)
  }
}
