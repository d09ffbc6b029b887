import Diagnostics

// The statement scanner: comments out, `;` and newlines split statements, labels peeled off.
// Works on UTF-8 bytes; columns are 1-based byte columns within the line.

/// One statement of the source after comment removal: labels are separate statements.
struct Statement: Sendable, Equatable {
  enum Kind: UInt8, Sendable {
    /// `name:` (`start..<end` is the name).
    case label
    /// `N:`, a numeric local label of at most five digits whose value fits `wordLength`
    /// (`start..<end` is the name). Read while the scan has the bytes at hand: the first pass
    /// reads no other source byte, so reading the name there would miss the cache each time.
    case numericLabel
    /// An instruction: `start..<end` is the text, mnemonic first.
    case operation
    /// A directive (an operation whose first byte is `.`): told apart while scanning, so that
    /// the first pass, which only counts instructions, reads no source byte for them.
    case directive
    /// `name = expr` (`start..<end` is the whole text); told apart while scanning, so that the
    /// passes do not look for an `=` in every statement.
    case assignment
  }

  var kind: Kind
  /// For an operation, how many bytes its first word (the mnemonic or directive name) has, as
  /// the scan found them; 0 when it did not tell (the word is then found again). For a
  /// numeric label, its value.
  var wordLength: UInt16 = 0
  var line: Int32
  var start: Int32
  var end: Int32
  // 16 bytes: the column is not stored, `SourceText.column(of:)` finds it from the bytes (a
  // million statements take 4 MB less, and so fewer pages to fault in).
}

/// Bytes and statements of one source file.
struct SourceText: Sendable {
  /// The file's bytes with comments blanked to spaces (newlines kept), so columns stay exact.
  var bytes: SourceBytes
  var statements: PlainArray<Statement>
  let file: String
  /// How many pieces the scan really ran in (1 when it fell back to one scan).
  var scannedPieces = 1

  /// Sources at least this large are scanned in pieces, one per worker.
  static let piecewiseThreshold = 1 << 20

  init(file: String, text: consuming [UInt8], pieces: Int? = nil) throws(AssemblyError) {
    try self.init(file: file, bytes: SourceBytes(text), pieces: pieces)
  }

  /// Scans `buffer`, which nothing else holds yet (comments are blanked in place).
  init(file: String, bytes buffer: SourceBytes, pieces: Int? = nil) throws(AssemblyError) {
    self.file = file
    // Offsets, line numbers and columns are kept as 32-bit values, so the scan converts them
    // without checks once the size is known to fit.
    guard buffer.count < Int(Int32.max) else {
      throw AssemblyError(
        "asm.unsupported", at: SourceLocation(file: file),
        "unsupported: a source of \(buffer.count) bytes (at most 2 GiB - 1 can be assembled)")
    }
    let count = pieces ?? (buffer.count >= SourceText.piecewiseThreshold ? Parallel.workers : 1)
    if count > 1,
      let found = buffer.withUnsafeMutableBufferPointer({
        SourceText.scanInPieces($0, file: file, pieces: count)
      })
    {
      bytes = buffer
      statements = found
      scannedPieces = count
      return
    }
    // Scanned straight into the storage the statements keep: no copy, and the pages that
    // capacity does not reach are never touched.
    var found = AppendBuffer<Statement>(capacity: max(64, buffer.count / 8))
    do throws(AssemblyError) {
      try buffer.withUnsafeMutableBufferPointer { (p) throws(AssemblyError) in
        var log: BlankLog? = nil
        _ = try SourceText.scan(p, file: file, statements: &found, log: &log)
      }
    } catch {
      found.free()
      throw error
    }
    bytes = buffer
    statements = PlainArray(PlainStorage(taking: found))
  }

  /// Scans `bytes` cut at line starts into `pieces` pieces, in parallel, or returns nil with
  /// the bytes as they were (the caller then scans in one piece, which also finds the first
  /// error exactly).
  ///
  /// Why the pieces agree with one scan: only a `/* */` comment carries state across a line
  /// end (a string may not), and the first piece starts where one scan starts. If a piece ends
  /// without error it ends outside any comment, so the next piece starts in the state one scan
  /// would have there; by induction every piece is right when none fails. When one fails, the
  /// later pieces may have blanked the wrong bytes (and a comment opened in an earlier piece
  /// would not be seen again once blanked), so every piece logs what it blanks and all of it is
  /// undone before the one-piece scan.
  static func scanInPieces(
    _ bytes: UnsafeMutableBufferPointer<UInt8>, file: String, pieces: Int
  ) -> PlainArray<Statement>? {
    let n = bytes.count
    var cuts = [0]
    for k in 1..<pieces {
      var c = max(k * n / pieces, cuts[cuts.count - 1])
      while c < n, bytes[c] != 10 { c += 1 }
      if c + 1 < n, c + 1 > cuts[cuts.count - 1] { cuts.append(c + 1) }
    }
    cuts.append(n)
    if cuts.count < 3 { return nil }
    struct Piece: Sendable {
      var statements: PlainStorage<Statement>
      var newlines: Int32
      var log: BlankLog?
      var failed: Bool
    }
    let done: [Piece] = Parallel.map(cuts.count - 1) { i in
      let part = UnsafeMutableBufferPointer(rebasing: bytes[cuts[i]..<cuts[i + 1]])
      var found = AppendBuffer<Statement>(capacity: max(64, part.count / 8))
      var log: BlankLog? = BlankLog()
      var failed = false
      var newlines: Int32 = 0
      do throws(AssemblyError) {
        newlines = try scan(part, file: file, statements: &found, log: &log)
      } catch {
        failed = true
      }
      return Piece(
        statements: PlainStorage(taking: found), newlines: newlines, log: log, failed: failed)
    }
    if done.contains(where: \.failed) {
      for k in done.indices { done[k].log?.undo(bytes, base: cuts[k]) }
      return nil
    }
    // Put the pieces together: offsets and line numbers were counted from each piece's start.
    var firstStatement = [0]
    var firstLine: [Int32] = [0]  // lines before each piece
    for (k, p) in done.enumerated() {
      firstStatement.append(firstStatement[k] + p.statements.count)
      firstLine.append(firstLine[k] + p.newlines)
    }
    let statementCount = firstStatement[done.count]
    let statements = PlainStorage<Statement>(capacity: statementCount)
    let out = statements.base
    Parallel.forEach(done.count) { k in
      let base = Int32(cuts[k])
      let lineBase = firstLine[k]
      for (j, st) in done[k].statements.elements.enumerated() {
        var t = st
        t.line += lineBase
        t.start += base
        t.end += base
        (out + firstStatement[k] + j).initialize(to: t)
      }
    }
    statements.filled(statementCount)
    return PlainArray(statements)
  }

  func location(line: Int32, column: Int32) -> SourceLocation {
    SourceLocation(file: file, line: Int(line), column: Int(column))
  }

  /// The index of the first byte at or after `k` (before `n`) that the scanner must look at
  /// outside comments and strings: newline, `"`, `/` or `;` (a `#` matters only at a line
  /// start, which the scan checks there), or `n`. Eight bytes at a time while they last: a byte
  /// equal to one of the four shows as a zero byte of `word ^ pattern`, and the lowest such
  /// byte is found exactly (the borrow of the zero-byte test only marks bytes above a zero).
  @inline(__always)
  static func nextSpecial(_ p: UnsafeMutablePointer<UInt8>, _ k: Int, _ n: Int) -> Int {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func zeroBytes(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
    var k = k
    while k + 8 <= n {
      let w = UInt64(littleEndian: UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self))
      let hit =
        zeroBytes(w ^ (ones &* 0x0a)) | zeroBytes(w ^ (ones &* 0x22))
        | zeroBytes(w ^ (ones &* 0x2f)) | zeroBytes(w ^ (ones &* 0x3b))
      if hit != 0 { return k + hit.trailingZeroBitCount >> 3 }
      k += 8
    }
    while k < n {
      let c = p[k]
      if c == 10 || c == 0x22 || c == 0x2f || c == 0x3b { return k }
      k += 1
    }
    return n
  }

  /// Blanks comments and splits statements, appending them; returns how many newlines it
  /// passed.
  private static func scan(
    _ bytes: UnsafeMutableBufferPointer<UInt8>, file: String,
    statements: inout AppendBuffer<Statement>, log: inout BlankLog?
  ) throws(AssemblyError) -> Int32 {
    /// Blanks `bytes[a..<b]` to spaces (remembering them first if there is a log).
    func blank(_ a: Int, _ b: Int) {
      guard a < b else { return }
      log?.save(bytes, a, b)
      for k in a..<b { bytes[k] = 32 }
    }
    func location(line: Int32, column: Int32) -> SourceLocation {
      SourceLocation(file: file, line: Int(line), column: Int(column))
    }
    let n = bytes.count
    var i = 0
    var line: Int32 = 1
    var lineStart = 0
    var stmtStart = 0
    var inString = false
    var stringStart = (line: Int32(1), col: Int32(1))
    var commentStart: (line: Int32, col: Int32)? = nil
    var progress = LoopProgress()
    guard let base = bytes.baseAddress else { return 0 }  // empty: no statement
    let classes = ByteClass.table
    // `#` at the start of a line: a cpp line marker (`# 1 "file.S"`) or a whole-line comment.
    func lineComment(at k: Int) -> Int {
      var e = k
      while e < n, bytes[e] != 10 { e += 1 }
      blank(k, e)
      return e
    }
    if n > 0, bytes[0] == UInt8(ascii: "#") { i = lineComment(at: 0) }
    // Every statement ends in one place below (at a newline, `;` or the end).
    while i <= n, progress.advanced(to: i) {
      if i == n {
        if let c = commentStart {
          throw AssemblyError(
            "asm.syntax", at: location(line: c.line, column: c.col), "unterminated /* comment")
        }
        if inString {
          throw AssemblyError(
            "asm.syntax", at: location(line: stringStart.line, column: stringStart.col),
            "unterminated string")
        }
      } else {
        if commentStart == nil && !inString {
          // Skip ordinary bytes quickly: only \n " / ; matter here.
          i = SourceText.nextSpecial(base, i, n)
          if i == n { continue }  // the end is handled above
        }
        let c = bytes[i]
        if commentStart != nil {
          if c == UInt8(ascii: "*"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
            blank(i, i + 2)
            commentStart = nil
            i += 2
            continue
          }
          if c == 10 {
            line &+= 1
            lineStart = i + 1
            stmtStart = i + 1
            i += 1
            continue
          }
          // The run of comment text up to the next newline or `*/`, blanked at once.
          var k = i + 1
          while k < n, bytes[k] != 10,
            !(bytes[k] == UInt8(ascii: "*") && k + 1 < n && bytes[k + 1] == UInt8(ascii: "/"))
          {
            k += 1
          }
          blank(i, k)
          i = k
          continue
        }
        if inString {
          if c == UInt8(ascii: "\\"), i + 1 < n, bytes[i + 1] != 10 {
            i += 2
            continue
          }
          if c == UInt8(ascii: "\"") { inString = false }
          if c == 10 {
            throw AssemblyError(
              "asm.syntax", at: location(line: stringStart.line, column: stringStart.col),
              "unterminated string")
          }
          i += 1
          continue
        }
        switch c {
        case 10, UInt8(ascii: ";"): break  // the statement ends: below
        case UInt8(ascii: "\""):
          inString = true
          stringStart = (line, Int32(i - lineStart + 1))
          i += 1
          continue
        case UInt8(ascii: "/") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "/"):
          var k = i
          while k < n, bytes[k] != 10 { k += 1 }
          blank(i, k)
          i = k
          continue
        case UInt8(ascii: "/") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "*"):
          commentStart = (line, Int32(i - lineStart + 1))
          blank(i, i + 2)
          i += 2
          continue
        default:
          i += 1
          continue
        }
      }
      classes.withUnsafeBufferPointer { table in
        addStatement(bytes, table, &statements, from: stmtStart, to: i, line: line)
      }
      if i == n { break }
      stmtStart = i + 1
      if bytes[i] == 10 {
        line &+= 1
        lineStart = i + 1
        i += 1
        if i < n, bytes[i] == UInt8(ascii: "#") { i = lineComment(at: i) }
      } else {
        i += 1
      }
    }
    return line - 1
  }

  /// Peels labels off `start..<end` and records what is left; `table` is `ByteClass.table`.
  private static func addStatement(
    _ bytes: UnsafeMutableBufferPointer<UInt8>, _ table: UnsafeBufferPointer<UInt8>,
    _ statements: inout AppendBuffer<Statement>, from start: Int, to end: Int, line: Int32
  ) {
    guard table.count == 256, let classOf = table.baseAddress else { return }
    @inline(__always) func has(_ k: Int, _ c: UInt8) -> Bool { classOf[Int(bytes[k])] & c != 0 }
    var s = start
    var progress = LoopProgress()
    while progress.advanced(to: s) {
      while s < end, has(s, ByteClass.blank) { s += 1 }
      if s == end { return }
      // A label: identifier characters then ':'.
      var j = s
      while j < end, has(j, ByteClass.symbol) { j += 1 }
      if j > s, j < end, bytes[j] == UInt8(ascii: ":") {
        // Five digits at most, so the value fits 16 bits unless it is above 65535.
        var value = j - s <= 5 ? 0 : Int.max
        var k = s
        while k < j, value <= Int(UInt16.max) {
          let d = bytes[k] &- UInt8(ascii: "0")
          value = d < 10 ? value * 10 + Int(d) : Int.max
          k += 1
        }
        let numeric = value <= Int(UInt16.max)
        statements.append(
          Statement(
            kind: numeric ? .numericLabel : .label, wordLength: numeric ? UInt16(value) : 0,
            line: line, start: Int32(truncatingIfNeeded: s), end: Int32(truncatingIfNeeded: j)))
        s = j + 1
        continue
      }
      var e = end
      while e > s, has(e - 1, ByteClass.blank) { e -= 1 }
      // `name = expr` (but not `name == …`): the word, blanks, then a single `=`.
      var k = j
      while k < e, has(k, ByteClass.blank) { k += 1 }
      let assigns =
        j > s && k < e && bytes[k] == UInt8(ascii: "=")
        && (k + 1 >= e || bytes[k + 1] != UInt8(ascii: "="))
      // The first word ends at `j` if only symbol bytes come before the first blank.
      let word = j > s && (j == e || k > j) && j - s <= Int(UInt16.max) ? j - s : 0
      statements.append(
        Statement(
          kind: assigns ? .assignment : bytes[s] == UInt8(ascii: ".") ? .directive : .operation,
          wordLength: UInt16(word), line: line,
          start: Int32(truncatingIfNeeded: s), end: Int32(truncatingIfNeeded: e)))
      return
    }
  }

  /// Where the line holding byte `offset` starts: just after the newline before it, or 0.
  /// Found from the bytes (they keep every newline, comments included), so the scan keeps no
  /// table of line starts: what needs one (an error's column, a listing's) is rare or cheap,
  /// as a statement is a few bytes from its line's start.
  @inline(__always)
  static func lineStart(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var k = min(max(0, offset), bytes.count)
    while k > 0, bytes[k - 1] != 10 { k -= 1 }
    return k
  }

  func lineStart(of offset: Int) -> Int {
    bytes.withUnsafeBufferPointer { SourceText.lineStart(of: offset, in: $0) }
  }

  /// The 1-based byte column of byte `offset`.
  func column(of offset: Int) -> Int32 {
    Int32(truncatingIfNeeded: offset - lineStart(of: offset) + 1)
  }

  func string(_ a: Int, _ b: Int) -> String {
    bytes.withUnsafeBufferPointer {
      String(decoding: UnsafeBufferPointer(rebasing: $0[a..<b]), as: UTF8.self)
    }
  }
}

/// An append-only buffer of plain values that grows by doubling: appending checks only the
/// capacity. Either a `PlainStorage` takes its allocation over, or the owner calls `free` once.
struct AppendBuffer<Element: BitwiseCopyable> {
  private(set) var base: UnsafeMutablePointer<Element>
  private(set) var count = 0
  private(set) var capacity: Int

  init(capacity: Int) {
    self.capacity = max(1, capacity)
    base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
  }

  @inline(__always)
  mutating func append(_ e: Element) {
    if count == capacity { grow() }
    (base + count).initialize(to: e)
    count += 1
  }

  private mutating func grow() {
    let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
    bigger.moveInitialize(from: base, count: count)
    base.deallocate()
    base = bigger
    capacity *= 2
  }

  func free() { base.deallocate() }
}

/// Plain values in one allocation that is kept where it was filled: a scan's `AppendBuffer` is
/// taken over as it is, so its result is never copied (and the pages its spare capacity does
/// not reach are never touched). Filled by one thread, then only read: that is what makes
/// sharing it between threads sound.
final class PlainStorage<Element: BitwiseCopyable>: @unchecked Sendable {
  let base: UnsafeMutablePointer<Element>
  private(set) var count: Int
  private let capacity: Int

  /// Room for `capacity` elements, to be written through `base` and then declared `filled`.
  init(capacity: Int) {
    self.capacity = max(1, capacity)
    base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    count = 0
  }

  /// Takes `buffer`'s allocation over (the buffer must not be used or freed afterwards).
  init(taking buffer: consuming AppendBuffer<Element>) {
    base = buffer.base
    count = buffer.count
    capacity = buffer.capacity
  }

  deinit { base.deallocate() }

  /// Says that the first `n` elements (within the capacity) were written through `base`.
  func filled(_ n: Int) {
    precondition(n >= 0 && n <= capacity, "filled past the capacity")
    count = n
  }

  var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }
}

/// The read-only view of a filled `PlainStorage`.
struct PlainArray<Element: BitwiseCopyable>: RandomAccessCollection, Sendable {
  let storage: PlainStorage<Element>

  init(_ storage: PlainStorage<Element>) { self.storage = storage }

  var startIndex: Int { 0 }
  var endIndex: Int { storage.count }

  @inline(__always)
  subscript(i: Int) -> Element {
    precondition(i >= 0 && i < storage.count, "index out of range")
    return storage.base[i]
  }
}

extension PlainArray: Equatable where Element: Equatable {
  static func == (a: PlainArray, b: PlainArray) -> Bool { a.elementsEqual(b) }
}

/// What a piece of a parallel scan blanked, so that it can be undone: ranges relative to the
/// piece and their original bytes, end to end.
struct BlankLog {
  var ranges: [(start: Int, end: Int)] = []
  var saved: [UInt8] = []

  mutating func save(_ bytes: UnsafeMutableBufferPointer<UInt8>, _ a: Int, _ b: Int) {
    ranges.append((a, b))
    saved.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[a..<b]))
  }

  /// Puts the saved bytes back into `bytes` (the whole buffer; the piece starts at `base`).
  func undo(_ bytes: UnsafeMutableBufferPointer<UInt8>, base: Int) {
    var k = 0
    for r in ranges {
      for j in r.start..<r.end {
        bytes[base + j] = saved[k]
        k += 1
      }
    }
  }
}

/// Classes of bytes as bits, one load a byte: `symbol` as `isSymbolChar`, `blank` as `isBlank`,
/// `split` as `AssemblerState.isSplitSpecial`. Made once, kept for the process.
enum ByteClass {
  static let symbol: UInt8 = 1
  static let blank: UInt8 = 2
  static let split: UInt8 = 4

  /// The classes of each byte: written out, so the compiler lays the table out in the binary
  /// (a computed one was built on first use, and every use paid a `swift_once` check, once
  /// per instruction in the splitter). `ByteClassTests` checks it against `computed`.
  static let table: [UInt8] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 2, 0, 0,  // 0x00
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x10
    2, 0, 4, 0, 1, 0, 0, 0, 4, 4, 0, 0, 4, 0, 1, 0,  // 0x20
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,  // 0x30
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x40
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 0, 1,  // 0x50
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x60
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0, 4, 0, 0,  // 0x70
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x80
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x90
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0xa0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0xb0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0xc0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0xd0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0xe0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0xf0
  ]

  /// The table from the predicates it stands for.
  static var computed: [UInt8] {
    (0..<256).map { n in
      let c = UInt8(n)
      return (isSymbolChar(c) ? symbol : 0) | (isBlank(c) ? blank : 0)
        | (AssemblerState.isSplitSpecial(c) ? split : 0)
    }
  }
}

@inline(__always) func isBlank(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 12 }

/// Letters, digits, `_`, `.` and `$`: one bit test in two 64-bit sets instead of six ranges.
@inline(__always) func isSymbolChar(_ c: UInt8) -> Bool {
  // `$` 0x24, `.` 0x2e, `0`-`9` 0x30-0x39 | `A`-`Z` 0x41-0x5a, `_` 0x5f, `a`-`z` 0x61-0x7a.
  let low: UInt64 = 1 << 0x24 | 1 << 0x2e | 0x3ff << 0x30
  let high: UInt64 = 0x3ff_ffff << (0x41 - 64) | 1 << (0x5f - 64) | 0x3ff_ffff << (0x61 - 64)
  if c < 64 { return low >> UInt64(c) & 1 != 0 }
  if c < 128 { return high >> UInt64(c - 64) & 1 != 0 }
  return false
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

@inline(__always) func lower(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c | 0x20 : c }

@inline(__always) func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
