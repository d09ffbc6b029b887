/// The access rights of a page (stage-1 AP/XN bits collapsed to read, write, execute).
public struct Permissions: OptionSet, Sendable, Hashable, CustomStringConvertible {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }
  public static let read = Permissions(rawValue: 1)
  public static let write = Permissions(rawValue: 2)
  public static let execute = Permissions(rawValue: 4)
  public static let readWrite: Permissions = [.read, .write]
  public static let readExecute: Permissions = [.read, .execute]
  public static let all: Permissions = [.read, .write, .execute]

  /// `rwx` with dashes, as in `/proc/self/maps`.
  public var description: String {
    (contains(.read) ? "r" : "-") + (contains(.write) ? "w" : "-")
      + (contains(.execute) ? "x" : "-")
  }
}

/// A store that hit an executable page: what the cross-modifying-code checks study.
public struct TextWrite: Sendable, Hashable {
  /// The PC of the store instruction.
  public var pc: UInt64
  public var address: UInt64
  /// Access size in bytes (1, 2, 4, 8 or 16).
  public var size: Int
  /// The bytes before and after, little-endian, `size` of them.
  public var old: [UInt8]
  public var new: [UInt8]
}

/// Why a loader-side memory operation (map, write) was refused.
public struct MemoryError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Code: String, Sendable, Hashable {
    case misaligned, alreadyMapped, unmapped, empty, nonCanonical, tooLarge
  }
  public var code: Code
  public var address: UInt64
  public var description: String { "\(code.rawValue) at \(hex(address))" }
}

/// One 4 KiB page: its bytes, its rights, the BTI guarded bit, the decoded-instruction cache and
/// the record of fetched words. A class so that `Memory` copies are cheap; `Memory` keeps the
/// value semantics by copying a page before it changes one that another copy shares.
final class Page: @unchecked Sendable {
  static let size = 4096
  let bytes: UnsafeMutableRawPointer
  /// 1024 decoded micro-ops and a `.pageEnd` op after them, allocated on the first fetch from
  /// the page; `.undecoded` slots are filled lazily.
  ///
  /// A slot is decoded on its first fetch and only then, so a decoded slot's word has its
  /// `fetched` bit set, and the run loop need not set it again on every step. What could break
  /// that is undone: `Memory.clearRecords` forgets the ops with the bits, and a page whose
  /// ops were decoded by a run that kept no record (`opsUnrecorded`) forgets them before a run
  /// that keeps one fetches from it.
  var ops: UnsafeMutablePointer<Op>?
  /// One bit per word: fetched at least once.
  let fetched: UnsafeMutablePointer<UInt64>
  /// Some ops were decoded without their `fetched` bit (`Machine.Options.recordFetches` off).
  var opsUnrecorded = false
  var permissions: Permissions
  var guarded: Bool

  /// Slots in `ops`: one per word, then the `.pageEnd` op.
  static let opSlots = 1025

  init(permissions: Permissions, guarded: Bool) {
    bytes = UnsafeMutableRawPointer.allocate(byteCount: Page.size, alignment: 16)
    bytes.initializeMemory(as: UInt8.self, repeating: 0, count: Page.size)
    fetched = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
    fetched.initialize(repeating: 0, count: 16)
    self.permissions = permissions
    self.guarded = guarded
  }

  init(copying other: Page) {
    bytes = UnsafeMutableRawPointer.allocate(byteCount: Page.size, alignment: 16)
    bytes.copyMemory(from: other.bytes, byteCount: Page.size)
    fetched = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
    fetched.initialize(from: other.fetched, count: 16)
    permissions = other.permissions
    guarded = other.guarded
    opsUnrecorded = other.opsUnrecorded
    if let o = other.ops {
      let p = UnsafeMutablePointer<Op>.allocate(capacity: Page.opSlots)
      p.initialize(from: o, count: Page.opSlots)
      ops = p
    }
  }

  deinit {
    bytes.deallocate()
    fetched.deallocate()
    ops?.deallocate()
  }

  /// The op cache, allocated (all `.undecoded`, then `.pageEnd`) on first use.
  func opCache() -> UnsafeMutablePointer<Op> {
    if let o = ops { return o }
    // All-zero bytes are `Op()`, an `.undecoded` op: one memset fills the cache.
    let bytes = Page.opSlots * MemoryLayout<Op>.stride
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: bytes, alignment: MemoryLayout<Op>.alignment)
    raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    let p = raw.bindMemory(to: Op.self, capacity: Page.opSlots)
    p[Page.opSlots - 1].kind = .pageEnd
    ops = p
    return p
  }

  /// Forgets every decoded op (when the fetch record they stand for is forgotten).
  func forgetOps() {
    opsUnrecorded = false
    guard let o = ops else { return }
    for i in 0..<(Page.opSlots - 1) { o[i].kind = .undecoded }
  }

  /// Forgets the decoded ops of the words overlapping [offset, offset + count).
  @inline(__always)
  func invalidate(offset: Int, count: Int) {
    guard let o = ops else { return }
    var i = offset >> 2
    let end = (offset + count - 1) >> 2
    while i <= end && i < 1024 {
      o[i].kind = .undecoded
      i += 1
    }
  }
}

/// Sparse little-endian memory of 4 KiB pages with permissions and the BTI guarded bit.
///
/// Value semantics: copying a `Memory` (or a `Machine`) shares pages until one side writes.
/// Loader-side writes (`write(words:at:)`, `write(bytes:at:)`) ignore permissions, like a
/// debugger poke, and are not recorded as text writes; stores executed by the program are checked
/// and, on executable pages, recorded in `textWrites`.
public struct Memory: Sendable {
  /// Page number (address >> 12) → index into `pages`.
  var index: [UInt64: Int] = [:]
  var pages: [Page] = []
  /// Stores the program made to executable pages, in order.
  public internal(set) var textWrites: [TextWrite] = []

  public init() {}

  /// The largest single mapping (1 GiB): pages are allocated eagerly.
  public static let maxMapping: UInt64 = 1 << 30

  /// Maps `size` bytes at `address` (both multiples of 4096), zero-filled.
  /// - Throws: `MemoryError` `.misaligned`, `.empty`, `.nonCanonical` (outside the 48-bit
  ///   halves, or the return sentinel's page), or `.alreadyMapped` (nothing is mapped then).
  public mutating func map(
    address: UInt64, size: UInt64, permissions: Permissions, guarded: Bool = false
  ) throws(MemoryError) {
    guard address & 0xfff == 0, size & 0xfff == 0 else {
      throw MemoryError(code: .misaligned, address: address)
    }
    guard size > 0 else { throw MemoryError(code: .empty, address: address) }
    guard size <= Memory.maxMapping else { throw MemoryError(code: .tooLarge, address: address) }
    let last = address &+ (size &- 1)
    guard last >= address, PointerAuth.isCanonical(address), PointerAuth.isCanonical(last),
      address >> 63 == last >> 63, last >> 12 != Machine.returnAddress >> 12
    else { throw MemoryError(code: .nonCanonical, address: address) }
    let first = address >> 12
    let count = size >> 12
    for p in first..<(first &+ count) where index[p] != nil {
      throw MemoryError(code: .alreadyMapped, address: p << 12)
    }
    for p in first..<(first &+ count) {
      index[p] = pages.count
      pages.append(Page(permissions: permissions, guarded: guarded))
    }
  }

  /// Changes the rights and guarded bit of mapped pages (Linux `mprotect`, with `PROT_BTI` as
  /// `guarded`).
  public mutating func protect(
    address: UInt64, size: UInt64, permissions: Permissions, guarded: Bool
  ) throws(MemoryError) {
    guard address & 0xfff == 0, size & 0xfff == 0 else {
      throw MemoryError(code: .misaligned, address: address)
    }
    guard size <= Memory.maxMapping else { throw MemoryError(code: .tooLarge, address: address) }
    let first = address >> 12
    for p in first..<(first &+ (size >> 12)) where index[p] == nil {
      throw MemoryError(code: .unmapped, address: p << 12)
    }
    for p in first..<(first &+ (size >> 12)) {
      if let i = index[p] {
        let page = uniquePage(i)
        page.permissions = permissions
        page.guarded = guarded
      }
    }
  }

  /// The page at index `i`, copied first if another `Memory` shares it.
  mutating func uniquePage(_ i: Int) -> Page {
    if !isKnownUniquelyReferenced(&pages[i]) {
      pages[i] = Page(copying: pages[i])
    }
    return pages[i]
  }

  func page(_ address: UInt64) -> Page? {
    guard let i = index[address >> 12] else { return nil }
    return pages[i]
  }

  /// True if `address` lies in a mapped page.
  public func isMapped(_ address: UInt64) -> Bool { index[address >> 12] != nil }
  /// The rights of the page holding `address`, nil if unmapped.
  public func permissions(at address: UInt64) -> Permissions? { page(address)?.permissions }
  /// The BTI guarded bit (GP) of the page holding `address`, nil if unmapped.
  public func isGuarded(_ address: UInt64) -> Bool? { page(address)?.guarded }

  /// The mapped ranges, merged, in address order: (start, size, permissions, guarded).
  public var regions: [(address: UInt64, size: UInt64, permissions: Permissions, guarded: Bool)] {
    var out: [(address: UInt64, size: UInt64, permissions: Permissions, guarded: Bool)] = []
    for p in index.keys.sorted() {
      let pg = pages[index[p] ?? 0]
      if let last = out.last, last.address &+ last.size == p << 12,
        last.permissions == pg.permissions, last.guarded == pg.guarded
      {
        out[out.count - 1].size += 4096
      } else {
        out.append((p << 12, 4096, pg.permissions, pg.guarded))
      }
    }
    return out
  }

  /// Writes bytes (loader side: ignores permissions, invalidates decoded instructions).
  /// - Throws: `.unmapped` naming the first unmapped byte; nothing is written then.
  public mutating func write(bytes: [UInt8], at address: UInt64) throws(MemoryError) {
    // Check every page first (one lookup per page), then copy page by page.
    var a = address
    var left = bytes.count
    while left > 0 {
      if index[a >> 12] == nil { throw MemoryError(code: .unmapped, address: a) }
      let chunk = min(left, Page.size - Int(a & 0xfff))
      a &+= UInt64(chunk)
      left -= chunk
    }
    a = address
    var done = 0
    while done < bytes.count {
      guard let i = index[a >> 12] else { break }
      let page = uniquePage(i)
      let off = Int(a & 0xfff)
      let chunk = min(bytes.count - done, Page.size - off)
      bytes.withUnsafeBytes { src in
        guard let base = src.baseAddress else { return }
        page.bytes.advanced(by: off).copyMemory(from: base + done, byteCount: chunk)
      }
      page.invalidate(offset: off, count: chunk)
      a &+= UInt64(chunk)
      done += chunk
    }
  }

  /// Writes 32-bit words, little-endian (loader side).
  public mutating func write(words: [UInt32], at address: UInt64) throws(MemoryError) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(words.count * 4)
    for w in words {
      bytes.append(UInt8(w & 0xff))
      bytes.append(UInt8((w >> 8) & 0xff))
      bytes.append(UInt8((w >> 16) & 0xff))
      bytes.append(UInt8(w >> 24))
    }
    try write(bytes: bytes, at: address)
  }

  /// Writes one 64-bit value, little-endian (loader side).
  public mutating func write(quad: UInt64, at address: UInt64) throws(MemoryError) {
    try write(bytes: (0..<8).map { UInt8((quad >> (8 * UInt64($0))) & 0xff) }, at: address)
  }

  /// Reads `count` bytes, nil if any is unmapped (ignores permissions).
  public func read(bytes count: Int, at address: UInt64) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(count)
    var a = address
    for _ in 0..<count {
      guard let p = page(a) else { return nil }
      out.append(p.bytes.load(fromByteOffset: Int(a & 0xfff), as: UInt8.self))
      a &+= 1
    }
    return out
  }

  /// Reads a little-endian value of `size` bytes (1…8), nil if unmapped.
  public func read(size: Int, at address: UInt64) -> UInt64? {
    guard let b = read(bytes: size, at: address) else { return nil }
    var v: UInt64 = 0
    for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
    return v
  }

  /// The 32-bit word at `address`, nil if unmapped.
  public func word(at address: UInt64) -> UInt32? {
    read(size: 4, at: address).map { UInt32(truncatingIfNeeded: $0) }
  }

  /// The 64-bit value at `address`, nil if unmapped.
  public func quad(at address: UInt64) -> UInt64? { read(size: 8, at: address) }

  /// Addresses of every word fetched for execution so far, ascending.
  public var fetchedWords: [UInt64] {
    var out: [UInt64] = []
    for p in index.keys.sorted() {
      let pg = pages[index[p] ?? 0]
      for w in 0..<16 {
        var bits = pg.fetched[w]
        while bits != 0 {
          let b = bits.trailingZeroBitCount
          out.append(p << 12 | UInt64((w * 64 + b) * 4))
          bits &= bits - 1
        }
      }
    }
    return out
  }

  /// True if the word at `address` was fetched for execution.
  public func wasFetched(_ address: UInt64) -> Bool {
    guard let p = page(address) else { return false }
    let i = Int(address & 0xfff) >> 2
    return p.fetched[i >> 6] & (1 << UInt64(i & 63)) != 0
  }

  /// Forgets the fetch record and the text-write list (e.g. between two runs of a scenario).
  public mutating func clearRecords() {
    textWrites.removeAll()
    for i in pages.indices {
      let p = uniquePage(i)
      p.fetched.update(repeating: 0, count: 16)
      p.forgetOps()
    }
  }
}
