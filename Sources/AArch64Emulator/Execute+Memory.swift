// Memory access for the handlers: one-entry load and store TLBs in front of the sparse page
// table, slow paths that check every byte (mapping, rights) before anything changes, the
// SCTLR.A strict-alignment switch, and the text-write record with decoded-op invalidation.

extension Executor {
  @inline(__always)
  func alignmentFault(_ access: Fault.Access, _ addr: UInt64, _ size: Int) -> Fault {
    Fault(.alignment(access, address: addr, size: size), pc: pc)
  }

  /// Requires natural alignment regardless of SCTLR.A (exclusives, atomics, acquire/release).
  @inline(__always)
  func requireAligned(_ access: Fault.Access, _ addr: UInt64, _ size: Int) throws(Fault) {
    if addr & UInt64(size &- 1) != 0 { throw alignmentFault(access, addr, size) }
  }

  /// The SP alignment check (SCTLR_EL1.SA / SA0) for an access based on SP: an SP that is not
  /// 16-byte aligned faults (reported as an alignment fault of `size` 16 at SP).
  @inline(__always)
  func checkSP(_ base: UInt8, _ access: Fault.Access) throws(Fault) {
    if base == Slot.sp && r[Int(Slot.sp)] & 15 != 0 && spAlignmentCheck {
      throw Fault(.alignment(access, address: r[Int(Slot.sp)], size: 16), pc: pc)
    }
  }

  var spAlignmentCheck: Bool {
    system.sctlrEL1
      & (system.exceptionLevel == 0 ? SystemRegisters.SCTLR.sa0 : SystemRegisters.SCTLR.sa) != 0
  }

  /// Loads `size` (1, 2, 4, 8) bytes, zero-extended.
  @inline(__always)
  mutating func load(_ addr: UInt64, _ size: Int) throws(Fault) -> UInt64 {
    if strict && addr & UInt64(size &- 1) != 0 { throw alignmentFault(.load, addr, size) }
    let off = Int(truncatingIfNeeded: addr & 0xfff)
    if addr >> 12 == loadPage && off &+ size <= 4096 {
      return Executor.loadBytes(loadBytes, off, size)
    }
    return try loadSlow(addr, size)
  }

  /// Loads `size` (1, 2, 4, 8) little-endian bytes at `off` of a page, zero-extended.
  @inline(__always)
  static func loadBytes(_ bytes: UnsafeMutableRawPointer, _ off: Int, _ size: Int) -> UInt64 {
    switch size {
    case 1: return UInt64(bytes.load(fromByteOffset: off, as: UInt8.self))
    case 2:
      return UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: off, as: UInt16.self)))
    case 4:
      return UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
    default: return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: off, as: UInt64.self))
    }
  }

  /// Stores the low `size` (1, 2, 4, 8) bytes of `value` at `off` of a page, little-endian.
  @inline(__always)
  static func storeBytes(_ bytes: UnsafeMutableRawPointer, _ off: Int, _ size: Int, _ value: UInt64)
  {
    switch size {
    case 1:
      bytes.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: off, as: UInt8.self)
    case 2:
      bytes.storeBytes(
        of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: off, as: UInt16.self)
    case 4:
      bytes.storeBytes(
        of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: off, as: UInt32.self)
    default: bytes.storeBytes(of: value.littleEndian, toByteOffset: off, as: UInt64.self)
    }
  }

  /// Checks every byte of [addr, addr + size) for `access`; returns nothing, throws the fault
  /// of the first bad byte.
  func probe(_ addr: UInt64, _ size: Int, _ access: Fault.Access) throws(Fault) {
    // The TLBs' pages passed this check when they were filled (and rights do not change
    // during a run).
    let tlbPage = access == .store ? storePage : loadPage
    if addr >> 12 == tlbPage && Int(addr & 0xfff) + size <= 4096 { return }
    let need: Permissions = access == .store ? .write : .read
    var a = addr
    var lastPage = UInt64.max
    for _ in 0..<size {
      if a >> 12 != lastPage {
        guard let i = memory.index[a >> 12] else {
          throw Fault(.unmapped(access, address: a), pc: pc)
        }
        if !memory.pages[i].permissions.contains(need) {
          throw Fault(.permission(access, address: a), pc: pc)
        }
        lastPage = a >> 12
      }
      a &+= 1
    }
  }

  mutating func loadSlow(_ addr: UInt64, _ size: Int) throws(Fault) -> UInt64 {
    let off = Int(addr & 0xfff)
    if off + size <= 4096, let i = memory.index[addr >> 12] {
      // Within one page: one lookup; the page becomes the load TLB's.
      guard memory.pages[i].permissions.contains(.read) else {
        throw Fault(.permission(.load, address: addr), pc: pc)
      }
      loadPage = addr >> 12
      loadBytes = memory.pages[i].bytes
      return Executor.loadBytes(loadBytes, off, size)
    }
    try probe(addr, size, .load)
    var v: UInt64 = 0
    var a = addr
    for k in 0..<size {
      if let i = memory.index[a >> 12] {
        let b = memory.pages[i].bytes.load(fromByteOffset: Int(a & 0xfff), as: UInt8.self)
        v |= UInt64(b) << UInt64(8 * k)
      }
      a &+= 1
    }
    return v
  }

  /// Stores the low `size` bytes of `value`.
  @inline(__always)
  mutating func store(_ addr: UInt64, _ size: Int, _ value: UInt64) throws(Fault) {
    if strict && addr & UInt64(size &- 1) != 0 { throw alignmentFault(.store, addr, size) }
    let off = Int(truncatingIfNeeded: addr & 0xfff)
    if addr >> 12 == storePage && off &+ size <= 4096 {
      Executor.storeBytes(storeBytes, off, size, value)
      return
    }
    try storeSlow(addr, size, value)
  }

  mutating func storeSlow(_ addr: UInt64, _ size: Int, _ value: UInt64) throws(Fault) {
    try probe(addr, size, .store)
    loadPage = .max
    var old: [UInt8] = []
    var new: [UInt8] = []
    var touchedText = false
    var a = addr
    for k in 0..<size {
      guard let i = memory.index[a >> 12] else { break }
      let page = memory.uniquePage(i)
      let off = Int(a & 0xfff)
      let b = UInt8(truncatingIfNeeded: value >> UInt64(8 * k))
      if page.permissions.contains(.execute) {
        touchedText = true
        page.invalidate(offset: off, count: 1)
      }
      old.append(page.bytes.load(fromByteOffset: off, as: UInt8.self))
      new.append(b)
      page.bytes.storeBytes(of: b, toByteOffset: off, as: UInt8.self)
      a &+= 1
    }
    if touchedText {
      memory.textWrites.append(TextWrite(pc: pc, address: addr, size: size, old: old, new: new))
    } else if Int(addr & 0xfff) + size <= 4096, let i = memory.index[addr >> 12] {
      storePage = addr >> 12
      storeBytes = memory.pages[i].bytes
    }
  }

  /// Stores a pair: every byte is checked before either half is written (a text write of a
  /// pair is recorded per half).
  mutating func store128(_ addr: UInt64, _ lo: UInt64, _ hi: UInt64, element: Int) throws(Fault) {
    if strict && addr & UInt64(element &- 1) != 0 { throw alignmentFault(.store, addr, element) }
    try probe(addr, 2 * element, .store)
    try store(addr, element, lo)
    try store(addr &+ UInt64(element), element, hi)
  }
}
