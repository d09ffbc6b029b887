/// A fixed table from ASCII names to 16-bit values, looked up from a name's bytes: one hash of
/// the name read eight bytes at a time and a short linear probe, comparing words, so no
/// `String` is hashed or compared. Used where a `[String: UInt16]` lookup per operand showed in
/// profiles (system register names, the DC/IC/TLBI/AT operations).
struct ByteNameTable: Sendable {
  /// Every name's bytes, one after another, with eight zero bytes after the last so that a
  /// word may be read past a name's end.
  private var text: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
  /// Slot `s` holds an entry (`entry(start:length:value:)`), 0 when empty.
  private var slots: [UInt64]
  private let mask: Int
  /// The value of the empty name, which has no bytes to hash.
  private var emptyValue: UInt16? = nil

  /// A table for up to `capacity` names (at most a quarter full).
  init(capacity: Int) {
    var n = 16
    while n < capacity * 4 { n <<= 1 }
    slots = [UInt64](repeating: 0, count: n)
    mask = n - 1
  }

  /// A slot's word: bit 63 set, the value in bits 40…55, the length in 32…39, the offset of
  /// the name in `text` in 0…31.
  @inline(__always)
  private static func entry(start: Int, length: Int, value: UInt16) -> UInt64 {
    1 << 63 | UInt64(value) << 40 | UInt64(length) << 32 | UInt64(UInt32(truncatingIfNeeded: start))
  }

  /// The last `n % 8` bytes of `p[0..<n]` little-endian (0 when `n` is a multiple of 8), read
  /// four, two and one bytes at a time without reading past `n`.
  @inline(__always)
  private static func tail(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var k = n & ~7
    let raw = UnsafeRawPointer(p)
    var v: UInt64 = 0
    var shift: UInt64 = 0
    if n & 4 != 0 {
      v = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: k, as: UInt32.self)))
      k += 4
      shift = 32
    }
    if n & 2 != 0 {
      let h = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: k, as: UInt16.self))
      v |= UInt64(h) &<< shift
      k += 2
      shift += 16
    }
    if n & 1 != 0 { v |= UInt64(p[k]) &<< shift }
    return v
  }

  /// A multiplicative hash over the name's whole words and its `tail` (the length mixed in
  /// first).
  @inline(__always)
  private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int, tail: UInt64) -> UInt64 {
    var h = UInt64(n) &* 0x9e37_79b9_7f4a_7c15
    var k = 0
    while k + 8 <= n {
      let w = UInt64(littleEndian: UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self))
      h = (h ^ w) &* 0xff51_afd7_ed55_8ccd
      h ^= h >> 29
      k += 8
    }
    if k < n {
      h = (h ^ tail) &* 0xff51_afd7_ed55_8ccd
      h ^= h >> 29
    }
    return h
  }

  /// Whether the name of `e` (a non-empty slot) is `p[0..<n]` (whose `tail` is given); `t` is
  /// `text`.
  @inline(__always)
  private static func equal(
    _ e: UInt64, _ t: UnsafeBufferPointer<UInt8>, _ p: UnsafePointer<UInt8>, _ n: Int,
    tail: UInt64
  ) -> Bool {
    guard Int((e >> 32) & 0xff) == n, let base = t.baseAddress else { return false }
    let start = Int(e & 0xffff_ffff)
    // `text` has eight zero bytes after its last name: a whole word can be read at every
    // position of a name, and the bytes past it are masked off.
    let q = UnsafeRawPointer(base + start)
    var k = 0
    while k + 8 <= n {
      let a = q.loadUnaligned(fromByteOffset: k, as: UInt64.self)
      let b = UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
      if a != b { return false }
      k += 8
    }
    if k < n {
      let a = UInt64(littleEndian: q.loadUnaligned(fromByteOffset: k, as: UInt64.self))
      let keep: UInt64 = (1 &<< UInt64(8 * (n - k))) &- 1
      if a & keep != tail { return false }
    }
    return true
  }

  /// Sets `name`'s value (a later value for the same name replaces the earlier, as a
  /// dictionary's would). Names longer than 255 bytes are ignored.
  mutating func set(_ name: String, _ value: UInt16) {
    var name = name
    name.withUTF8 { bytes in
      guard bytes.count <= 255 else { return }
      guard let p = bytes.baseAddress, bytes.count > 0 else {
        emptyValue = value
        return
      }
      let n = bytes.count
      let last = ByteNameTable.tail(p, n)
      var s = Int(truncatingIfNeeded: ByteNameTable.hash(p, n, tail: last) >> 32) & mask
      while slots[s] != 0 {
        let e = slots[s]
        let same = text.withUnsafeBufferPointer { ByteNameTable.equal(e, $0, p, n, tail: last) }
        if same {
          slots[s] = e & ~(0xffff << 40) | UInt64(value) << 40
          return
        }
        s = (s + 1) & mask
      }
      let start = text.count - 8
      text.removeLast(8)
      text.append(contentsOf: bytes)
      text.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
      slots[s] = ByteNameTable.entry(start: start, length: n, value: value)
    }
  }

  /// The value of the name whose bytes are `name`, or nil.
  func value(_ name: UnsafeBufferPointer<UInt8>) -> UInt16? {
    let n = name.count
    guard n <= 255 else { return nil }
    guard let p = name.baseAddress, n > 0 else { return emptyValue }
    return slots.withUnsafeBufferPointer { slots in
      text.withUnsafeBufferPointer { t in
        let last = ByteNameTable.tail(p, n)
        var s = Int(truncatingIfNeeded: ByteNameTable.hash(p, n, tail: last) >> 32) & mask
        while true {
          let e = slots[s]
          if e == 0 { return nil }
          if ByteNameTable.equal(e, t, p, n, tail: last) {
            return UInt16(truncatingIfNeeded: e >> 40)
          }
          s = (s + 1) & mask
        }
      }
    }
  }
}
