import Diagnostics
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How much of the per-message state of a two-pass reading stays in memory.
///
/// Each store (``PagedRecords``) keeps at most `bytes` of its pages in memory; the others live
/// in an unlinked temporary file, read and written with `pread`/`pwrite` (not mapped, so they
/// are no part of the resident set). A store that fits never creates the file.
struct SpillBudget: Sendable, Hashable {
  /// Bytes of pages one store keeps in memory.
  var bytes: Int
  /// Bytes of one page.
  var pageBytes: Int
  /// Where the temporary files go: `TMPDIR`, else `/tmp`, when nil.
  var folder: String? = nil

  /// 4 MiB a store in 64 KiB pages: the stores are read mostly in input order, so a few
  /// pages of each are enough, and what the budget holds stops growing with the archive.
  static let standard = SpillBudget(bytes: 4 << 20, pageBytes: 64 << 10)

  /// The budget of a store that is only ever read in the order it was written: a quarter.
  var sequential: SpillBudget {
    SpillBudget(bytes: bytes / 4, pageBytes: pageBytes, folder: folder)
  }

  /// `PATCHSITE_SERIES_BUDGET` (bytes a store, for tests: a tiny budget spills on a small
  /// input), else ``standard``. Pages are a sixteenth of a small budget.
  static var fromEnvironment: SpillBudget {
    guard let text = ProcessInfo.processInfo.environment["PATCHSITE_SERIES_BUDGET"],
      let bytes = Int(text), bytes > 0
    else { return .standard }
    return SpillBudget(bytes: bytes, pageBytes: max(16, min(64 << 10, bytes / 16)))
  }
}

/// An array of fixed-size records, its pages kept in memory within a ``SpillBudget`` and in a
/// temporary file beyond it.
///
/// The cache is direct-mapped: page `p` goes to slot `p % slots`, so appending and reading in
/// order touch each page once. Reads and writes take a lock, so the stores can be read from
/// several threads (`Spread.map`). An I/O failure is kept (``failure``) and the affected
/// record reads as zeros; the reader checks ``failure`` before it trusts what it read.
final class PagedRecords<Record: BitwiseCopyable>: @unchecked Sendable {
  private let lock = NSLock()
  private let stride = MemoryLayout<Record>.stride
  private let perPage: Int
  private let pageBytes: Int
  private let slots: Int
  private let folder: String?
  private var pages: [UnsafeMutableRawPointer?]
  private var held: [Int]
  private var dirty: [Bool]
  private var fd: Int32 = -1
  private(set) var count = 0
  /// The first error met reading or writing the file.
  private(set) var failure: InputError?
  /// True once a page has gone to the file.
  private(set) var spilled = false

  init(_ budget: SpillBudget) {
    perPage = max(1, budget.pageBytes / MemoryLayout<Record>.stride)
    pageBytes = perPage * MemoryLayout<Record>.stride
    slots = max(2, budget.bytes / pageBytes)
    folder = budget.folder
    pages = Array(repeating: nil, count: slots)
    held = Array(repeating: -1, count: slots)
    dirty = Array(repeating: false, count: slots)
  }

  deinit {
    for p in pages { p?.deallocate() }
    if fd >= 0 { close(fd) }
  }

  /// Adds `r` at the end.
  func append(_ r: Record) {
    lock.lock()
    defer { lock.unlock() }
    let base = page(count / perPage, writing: true)
    base.storeBytes(of: r, toByteOffset: (count % perPage) * stride, as: Record.self)
    count += 1
  }

  /// Adds `items` at the end, in order.
  func append(contentsOf items: UnsafeBufferPointer<Record>) {
    lock.lock()
    defer { lock.unlock() }
    var k = 0
    while k < items.count {
      let base = page(count / perPage, writing: true)
      let upTo = min(items.count, k + perPage - count % perPage)
      for j in k..<upTo {
        base.storeBytes(of: items[j], toByteOffset: (count % perPage) * stride, as: Record.self)
        count += 1
      }
      k = upTo
    }
  }

  /// Adds `n` zeroed records at the end (their pages are made as they are first used).
  func grow(by n: Int) {
    lock.lock()
    count += n
    lock.unlock()
  }

  subscript(i: Int) -> Record {
    get {
      lock.lock()
      defer { lock.unlock() }
      return page(i / perPage, writing: false).load(
        fromByteOffset: (i % perPage) * stride, as: Record.self)
    }
    set {
      lock.lock()
      defer { lock.unlock() }
      page(i / perPage, writing: true).storeBytes(
        of: newValue, toByteOffset: (i % perPage) * stride, as: Record.self)
    }
  }

  /// Records `start..<start + n` in order, copied out under one lock.
  func copy(from start: Int, count n: Int, into out: inout [Record]) {
    lock.lock()
    defer { lock.unlock() }
    var i = start
    while i < start + n {
      let base = page(i / perPage, writing: false)
      let upTo = min(start + n, (i / perPage + 1) * perPage)
      for k in i..<upTo {
        out.append(base.load(fromByteOffset: (k % perPage) * stride, as: Record.self))
      }
      i = upTo
    }
  }

  /// The memory of page `p`, read from the file or made when it is not in its slot.
  private func page(_ p: Int, writing: Bool) -> UnsafeMutableRawPointer {
    let s = p % slots
    let base: UnsafeMutableRawPointer
    if let b = pages[s] {
      base = b
    } else {
      base = UnsafeMutableRawPointer.allocate(byteCount: pageBytes, alignment: 16)
      pages[s] = base
    }
    if held[s] != p {
      if held[s] >= 0, dirty[s] { write(base, page: held[s]) }
      read(into: base, page: p)
      held[s] = p
      dirty[s] = false
    }
    if writing { dirty[s] = true }
    return base
  }

  private func write(_ base: UnsafeMutableRawPointer, page p: Int) {
    guard openFile() else { return }
    spilled = true
    var done = 0
    while done < pageBytes {
      let n = pwrite(fd, base + done, pageBytes - done, off_t(p * pageBytes + done))
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        fail("cannot write the temporary file: \(errnoText())")
        return
      }
      done += n
    }
  }

  /// Reads page `p`; what the file does not hold (a page never written) reads as zeros.
  private func read(into base: UnsafeMutableRawPointer, page p: Int) {
    var done = 0
    if fd >= 0 {
      while done < pageBytes {
        let n = pread(fd, base + done, pageBytes - done, off_t(p * pageBytes + done))
        if n < 0 && errno == EINTR { continue }
        if n < 0 { fail("cannot read the temporary file: \(errnoText())") }
        if n <= 0 { break }
        done += n
      }
    }
    if done < pageBytes {
      (base + done).initializeMemory(as: UInt8.self, repeating: 0, count: pageBytes - done)
    }
  }

  /// Opens the store's file on first use: made in the temporary folder and unlinked at once,
  /// so it goes when the process does.
  private func openFile() -> Bool {
    if fd >= 0 { return true }
    if failure != nil { return false }
    let folder =
      self.folder
      ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array((folder + "/patchsite-series-XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buf -> Int32 in
      guard let base = buf.baseAddress else { return -1 }
      return mkstemp(base)
    }
    guard made >= 0 else {
      fail("cannot make a temporary file in \(folder): \(errnoText())")
      return false
    }
    template.withUnsafeBufferPointer { buf in
      if let base = buf.baseAddress { _ = unlink(base) }
    }
    fd = made
    return true
  }

  private func errnoText() -> String { String(cString: strerror(errno)) }

  private func fail(_ text: String) {
    if failure == nil {
      failure = InputError("series.spill", at: SourceLocation(file: "(temporary file)"), text)
    }
  }
}

/// The first message of each Message-ID hash: an open-addressed table (linear probing) in a
/// ``PagedRecords`` store, doubled when it is two-thirds full.
struct PagedIDIndex {
  /// A hash and its message's index + 1 (0: an empty slot).
  struct Slot {
    var key: Int
    var value: Int
  }

  private let budget: SpillBudget
  private var slots: PagedRecords<Slot>
  private var mask: Int
  private(set) var count = 0

  init(_ budget: SpillBudget, expected: Int) {
    // Read at random: small pages, so that a miss reads and writes little.
    self.budget = SpillBudget(
      bytes: budget.bytes, pageBytes: min(budget.pageBytes, 4096), folder: budget.folder)
    var capacity = 1024
    while capacity < expected + expected / 2 { capacity *= 2 }
    slots = PagedRecords(self.budget)
    slots.grow(by: capacity)
    mask = capacity - 1
  }

  var failure: InputError? { slots.failure }

  /// The message noted for `key`, nil for none.
  func first(_ key: Int) -> Int? {
    var i = key & mask
    while true {
      let s = slots[i]
      if s.value == 0 { return nil }
      if s.key == key { return s.value - 1 }
      i = (i + 1) & mask
    }
  }

  /// Notes message `k` for `key` unless a message is noted already; gives that message.
  mutating func insert(_ key: Int, _ k: Int) -> Int? {
    var i = key & mask
    while true {
      let s = slots[i]
      if s.value == 0 { break }
      if s.key == key { return s.value - 1 }
      i = (i + 1) & mask
    }
    slots[i] = Slot(key: key, value: k + 1)
    count += 1
    if count * 3 > slots.count * 2 { rehash() }
    return nil
  }

  private mutating func rehash() {
    let old = slots
    slots = PagedRecords(budget)
    slots.grow(by: old.count * 2)
    mask = old.count * 2 - 1
    for j in 0..<old.count {
      let s = old[j]
      guard s.value != 0 else { continue }
      var i = s.key & mask
      while slots[i].value != 0 { i = (i + 1) & mask }
      slots[i] = s
    }
  }
}

/// Diagnostics in order, as bytes in a ``PagedRecords`` store: an archive can have tens of
/// thousands, and a reader in two passes writes them last.
final class DiagnosticLog: @unchecked Sendable {
  private let bytes: PagedRecords<UInt8>
  private(set) var count = 0
  /// True when one of them is an error.
  private(set) var hasErrors = false

  init(_ budget: SpillBudget) { bytes = PagedRecords(budget) }

  var failure: InputError? { bytes.failure }
  var spilled: Bool { bytes.spilled }

  func append(_ d: Diagnostic) {
    count += 1
    if d.severity == .error { hasErrors = true }
    put(d.id.rawValue)
    put(d.severity.rawValue)
    put(d.location.file)
    put(d.location.line)
    put(d.location.column)
    put(d.message)
  }

  private func put(_ n: Int) {
    withUnsafeBytes(of: n) { raw in
      raw.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) }
    }
  }

  private func put(_ s: String) {
    var s = s
    s.withUTF8 { b in
      put(b.count)
      bytes.append(contentsOf: b)
    }
  }

  /// Reads the diagnostics back, in order.
  struct Reader {
    let log: DiagnosticLog
    var at = 0
    var buffer: [UInt8] = []

    private mutating func int() -> Int {
      buffer.removeAll(keepingCapacity: true)
      log.bytes.copy(from: at, count: 8, into: &buffer)
      at += 8
      return buffer.withUnsafeBytes { $0.loadUnaligned(as: Int.self) }
    }

    private mutating func string() -> String {
      let n = int()
      buffer.removeAll(keepingCapacity: true)
      log.bytes.copy(from: at, count: n, into: &buffer)
      at += n
      return String(decoding: buffer, as: UTF8.self)
    }

    /// The next diagnostic, nil after the last.
    /// - Throws: `series.spill` when the temporary file could not be read.
    mutating func next() throws(InputError) -> Diagnostic? {
      if let failure = log.failure { throw failure }
      guard at < log.bytes.count else { return nil }
      let id = string()
      let severity = Severity(rawValue: string()) ?? .error
      let file = string()
      let line = int()
      let column = int()
      let message = string()
      if let failure = log.failure { throw failure }
      return Diagnostic(
        MessageID(id), severity,
        at: SourceLocation(file: file, line: line, column: column), message)
    }
  }
}
