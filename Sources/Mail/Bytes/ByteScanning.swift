#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Byte-level helpers the readers share: `memchr` searches and ASCII tests over raw buffers.
///
/// The readers scan `UnsafeBufferPointer<UInt8>` with the C library's vectorised `memchr`
/// instead of walking `String`s line by line; that is where the speed of the mbox reader
/// comes from.
enum Bytes {
  static let lf: UInt8 = 0x0A
  static let cr: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let tab: UInt8 = 0x09
  static let colon: UInt8 = 0x3A

  /// The index of the first `byte` in `buf[from..<to]`, or nil.
  @inline(__always)
  static func find(_ byte: UInt8, in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
    guard from < to, let base = buf.baseAddress else { return nil }
    guard let p = memchr(base + from, Int32(byte), to - from) else { return nil }
    return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
  }

  /// The end of the line starting at `from`: the index of its `\n`, or `to` when the line is
  /// the last one and has no newline.
  @inline(__always)
  static func lineEnd(in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
    findLF(in: buf, from: from, to: to) ?? to
  }

  /// `find(lf, in: buf, from: from, to: to)` for the short distances of text lines: eight bytes
  /// are tested at a time in place, where a `memchr` call per line costs more than the line.
  @inline(__always)
  static func findLF(in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
    guard from < to, let base = buf.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let lfs: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
    var i = from
    while to - i >= 8 {
      // A byte of `x` is zero where the input holds `\n`. The lowest bit of `zero` marks the
      // first such byte (a borrow can only mark bytes above a zero one); little-endian
      // order makes the lowest byte the first.
      let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ lfs
      let zero = (x &- ones) & ~x & highs
      if zero != 0 { return i + zero.trailingZeroBitCount >> 3 }
      i += 8
    }
    while i < to {
      if base[i] == lf { return i }
      i += 1
    }
    return nil
  }

  /// How many `\n` bytes are in `buf[from..<to]`.
  static func countNewlines(in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
    var n = 0
    var i = from
    var progress = LoopGuard()
    while i < to, progress.advanced(to: i), let nl = find(lf, in: buf, from: i, to: to) {
      n += 1
      i = nl + 1
    }
    return n
  }

  /// How many `\n` bytes are in `buf[from..<to]`, sixteen bytes at a time: a lane of `tally`
  /// counts the newlines of its column for up to 255 rounds, then the lanes are added up.
  static func countLF(in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
    guard from < to, let base = buf.baseAddress else { return 0 }
    let raw = UnsafeRawPointer(base)
    let lfs = SIMD16<UInt8>(repeating: lf)
    let none = SIMD16<UInt8>(repeating: 0)
    var n = 0
    var i = from
    while to - i >= 16 {
      var tally = none
      var rounds = 0
      while rounds < 255, to - i >= 16 {
        let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        tally &+= none.replacing(with: 1, where: v .== lfs)
        i += 16
        rounds += 1
      }
      n += Int(SIMD16<UInt16>(truncatingIfNeeded: tally).wrappedSum())
    }
    while i < to {
      if base[i] == lf { n += 1 }
      i += 1
    }
    return n
  }

  /// `buf[from..<to]` with a trailing `\r` (of a CRLF line) left out.
  @inline(__always)
  static func trimCR(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
    to > from && buf[to - 1] == cr ? to - 1 : to
  }

  @inline(__always)
  static func isWSP(_ b: UInt8) -> Bool { b == space || b == tab }

  @inline(__always)
  static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

  @inline(__always)
  static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

  /// True if `buf[at...]` starts with the ASCII bytes of `prefix`.
  @inline(__always)
  static func hasPrefix(
    _ buf: UnsafeBufferPointer<UInt8>, at: Int, to: Int, _ prefix: StaticString
  ) -> Bool {
    let n = prefix.utf8CodeUnitCount
    guard to - at >= n else { return false }
    let p = prefix.utf8Start
    for k in 0..<n where buf[at + k] != p[k] { return false }
    return true
  }

  /// True if the bytes equal `s` ignoring ASCII case (`s` must be lower case).
  static func equalsLowercased(_ bytes: some Collection<UInt8>, _ s: String) -> Bool {
    var it = s.utf8.makeIterator()
    for b in bytes {
      guard let c = it.next(), lower(b) == c else { return false }
    }
    return it.next() == nil
  }

  /// A string from bytes: UTF-8 when valid, otherwise Latin-1 (every byte kept).
  static func string(_ buf: UnsafeBufferPointer<UInt8>) -> String {
    // `String(validating:)` costs a generic-metadata lookup per call; ASCII (nearly every
    // header) skips it.
    if isASCII(buf) { return String(decoding: buf, as: UTF8.self) }
    if let s = String(validating: buf, as: UTF8.self) { return s }
    return Charset.latin1.decode(buf)
  }

  /// True if every byte is below 0x80 (32 bytes at a time, then eight).
  @inline(__always)
  static func isASCII(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = buf.baseAddress else { return true }
    let raw = UnsafeRawPointer(base)
    let n = buf.count
    var i = 0
    var acc: UInt64 = 0
    while i + 32 <= n {
      // Four words a round: bodies are long, and one word a round was most of checking one.
      acc |=
        raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        | raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
        | raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
        | raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
      i += 32
    }
    while i + 8 <= n {
      acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      i += 8
    }
    while i < n {
      acc |= UInt64(base[i])
      i += 1
    }
    return acc & 0x8080_8080_8080_8080 == 0
  }

  static func string(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { string($0) }
  }

  /// ASCII lower-casing of a string (header names, charset names, MIME types).
  static func asciiLowercased(_ s: some StringProtocol) -> String {
    var needs = false
    for b in s.utf8 where b &- 0x41 < 26 {
      needs = true
      break
    }
    if !needs { return String(s) }
    return String(decoding: s.utf8.map { lower($0) }, as: UTF8.self)
  }

  /// Compares two strings ignoring ASCII case.
  static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    let fast = a.utf8.withContiguousStorageIfAvailable { pa in
      b.utf8.withContiguousStorageIfAvailable { pb in
        for k in 0..<pa.count where lower(pa[k]) != lower(pb[k]) { return false }
        return true
      }
    }
    if let fast, let result = fast { return result }
    return equalsIgnoringCase(a[...], b[...])
  }

  static func equalsIgnoringCase(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    var ia = a.utf8.makeIterator()
    var ib = b.utf8.makeIterator()
    while true {
      switch (ia.next(), ib.next()) {
      case (nil, nil): return true
      case (let x?, let y?) where lower(x) == lower(y): continue
      default: return false
      }
    }
  }
}

/// The module-local twin of `Diagnostics.LoopProgress` for hot loops (same contract, inlined).
struct LoopGuard {
  private var last = -1
  @inline(__always)
  mutating func advanced(to position: Int) -> Bool {
    defer { last = position }
    return position > last
  }
}
