/// The lines of a body held as UTF-8 bytes, as index ranges without their line ending.
///
/// A line ends at `\n`; a `\r` that ends it is left out of the range. The last line may
/// lack its `\n`; a body that ends with `\n` has no empty line after it. Lines are found with
/// `memchr`, and nothing is copied.
///
/// ```
/// var lines = BodyLines(buf)
/// while let l = lines.next() { … buf[l] … }
/// ```
public struct BodyLines {
  private let buf: UnsafeBufferPointer<UInt8>
  /// Where the next line starts.
  public private(set) var offset: Int
  private var peeked: (range: Range<Int>, next: Int)?

  public init(_ buf: UnsafeBufferPointer<UInt8>, from offset: Int = 0) {
    self.buf = buf
    self.offset = offset
  }

  /// The next line, or nil at the end of the body.
  public mutating func next() -> Range<Int>? {
    if let p = peeked {
      peeked = nil
      offset = p.next
      return p.range
    }
    guard let (range, next) = line(at: offset) else { return nil }
    offset = next
    return range
  }

  /// The line `next()` will give, without moving past it.
  public mutating func peek() -> Range<Int>? {
    if let p = peeked { return p.range }
    guard let (range, next) = line(at: offset) else { return nil }
    peeked = (range, next)
    return range
  }

  private func line(at start: Int) -> (Range<Int>, Int)? {
    let n = buf.count
    guard start < n else { return nil }
    let nl = Bytes.findLF(in: buf, from: start, to: n)
    let end = nl ?? n
    let text = end > start && buf[end - 1] == Bytes.cr ? end - 1 : end
    return (start..<text, nl.map { $0 + 1 } ?? n)
  }

  /// True if the line holds only spaces, tabs, CR and LF.
  public static func isBlank(_ buf: UnsafeBufferPointer<UInt8>, _ l: Range<Int>) -> Bool {
    for k in l where !isSpace(buf[k]) { return false }
    return true
  }

  /// `l` without leading and trailing spaces, tabs, CR and LF (as `trimmingASCIISpaces`).
  public static func trimmed(_ buf: UnsafeBufferPointer<UInt8>, _ l: Range<Int>) -> Range<Int> {
    var lo = l.lowerBound
    var hi = l.upperBound
    while lo < hi, isSpace(buf[lo]) { lo += 1 }
    while hi > lo, isSpace(buf[hi - 1]) { hi -= 1 }
    return lo..<hi
  }

  /// The trimmed line as a string.
  public static func trimmedString(_ buf: UnsafeBufferPointer<UInt8>, _ l: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: buf[trimmed(buf, l)]), as: UTF8.self)
  }

  /// True if `buf[l]` starts with the ASCII bytes of `prefix`.
  @inline(__always)
  public static func hasPrefix(
    _ buf: UnsafeBufferPointer<UInt8>, _ l: Range<Int>, _ prefix: StaticString
  ) -> Bool {
    Bytes.hasPrefix(buf, at: l.lowerBound, to: l.upperBound, prefix)
  }

  /// True if `buf[l]` is exactly the ASCII bytes of `text`.
  @inline(__always)
  public static func equals(
    _ buf: UnsafeBufferPointer<UInt8>, _ l: Range<Int>, _ text: StaticString
  ) -> Bool {
    l.count == text.utf8CodeUnitCount && hasPrefix(buf, l, text)
  }

  /// The index of the first `byte` in `buf[from..<to]` (`memchr`), or nil.
  @inline(__always)
  public static func find(_ byte: UInt8, in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int)
    -> Int?
  {
    Bytes.find(byte, in: buf, from: from, to: to)
  }

  /// The index of the first `\n` in `buf[from..<to]`, or nil: `find(0x0A, …)`, faster over
  /// the short distances of text lines.
  @inline(__always)
  public static func findLF(in buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
    Bytes.findLF(in: buf, from: from, to: to)
  }

  @inline(__always)
  private static func isSpace(_ b: UInt8) -> Bool {
    b == Bytes.space || b == Bytes.tab || b == Bytes.cr || b == Bytes.lf
  }
}

extension Bytes {
  /// An ASCII letter.
  @inline(__always)
  static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

  /// True if the bytes are well-formed UTF-8 (no overlong forms, surrogates or code points
  /// above U+10FFFF): what `String(validating:as:)` accepts, without making the string.
  static func isValidUTF8(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = buf.count
    var i = 0
    while i < n {
      let b = buf[i]
      if b < 0x80 {
        i += 1
        continue
      }
      @inline(__always) func cont(_ k: Int) -> Bool { k < n && buf[k] & 0xC0 == 0x80 }
      switch b {
      case 0xC2...0xDF:
        guard cont(i + 1) else { return false }
        i += 2
      case 0xE0...0xEF:
        guard cont(i + 1), cont(i + 2) else { return false }
        let b1 = buf[i + 1]
        if b == 0xE0 && b1 < 0xA0 { return false }  // overlong
        if b == 0xED && b1 >= 0xA0 { return false }  // surrogates
        i += 3
      case 0xF0...0xF4:
        guard cont(i + 1), cont(i + 2), cont(i + 3) else { return false }
        let b1 = buf[i + 1]
        if b == 0xF0 && b1 < 0x90 { return false }  // overlong
        if b == 0xF4 && b1 >= 0x90 { return false }  // above U+10FFFF
        i += 4
      default:
        return false
      }
    }
    return true
  }
}
