import AArch64

extension Machine {
  /// Maps every non-empty section of a linked `object` at its base, whole pages around it,
  /// with its permissions (executable sections `r-x`, the others `rw-`), executable pages
  /// BTI-guarded when `guarded`, and writes the section's bytes.
  public mutating func load(object: AssembledObject, guarded: Bool = false) throws(LoadError) {
    for section in object.sections where section.size > 0 {
      let start = section.base & ~0xFFF
      let end = (section.base + UInt64(section.size) + 0xFFF) & ~0xFFF
      let permissions: Permissions = section.executable ? .readExecute : .readWrite
      do throws(MemoryError) {
        try map(
          address: start, size: end - start, permissions: permissions,
          guarded: guarded && section.executable)
        try memory.write(bytes: section.bytes, at: section.base)
      } catch {
        throw LoadError.section(section.name, address: section.base, error)
      }
    }
  }
}

extension SymbolTable {
  /// The symbols a linked object defines, at their linked addresses, with their sizes; a
  /// symbol is code when its section is executable.
  public init(object: AssembledObject) {
    var symbols: [Symbol] = []
    for s in object.symbols {
      guard let name = s.section, let section = object.section(name) else { continue }
      symbols.append(
        Symbol(
          name: s.name, address: section.base &+ UInt64(bitPattern: s.offset),
          size: UInt64(max(0, s.size ?? 0)), isCode: section.executable))
    }
    self.init(symbols)
  }
}
