/// A fixed table from ASCII names to 16-bit values, looked up from a name's bytes: one FNV-1a
/// hash and a short linear probe, comparing bytes, so no `String` is hashed or compared. Used
/// where a `[String: UInt16]` lookup per operand showed in profiles (system register names).
struct ByteNameTable: Sendable {
  /// Every name's bytes, one after another.
  private var text: [UInt8] = []
  /// Per entry: where its name starts in `text`, its length and its value.
  private var starts: [Int32] = []
  private var lengths: [UInt8] = []
  private var values: [UInt16] = []
  /// Slot `s` holds 1 + an entry index, 0 when empty.
  private var slots: [Int32]
  private let mask: Int

  /// A table for up to `capacity` names (at most a quarter full).
  init(capacity: Int) {
    var n = 16
    while n < capacity * 4 { n <<= 1 }
    slots = [Int32](repeating: 0, count: n)
    mask = n - 1
  }

  @inline(__always)
  private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for c in name { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
    return h
  }

  @inline(__always)
  private func equal(_ entry: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
    guard Int(lengths[entry]) == name.count else { return false }
    var k = Int(starts[entry])
    for c in name {
      if text[k] != c { return false }
      k += 1
    }
    return true
  }

  /// Sets `name`'s value (a later value for the same name replaces the earlier, as a
  /// dictionary's would). Names longer than 255 bytes are ignored.
  mutating func set(_ name: String, _ value: UInt16) {
    var name = name
    name.withUTF8 { bytes in
      guard bytes.count <= 255 else { return }
      var s = Int(truncatingIfNeeded: ByteNameTable.hash(bytes) >> 32) & mask
      while slots[s] != 0 {
        let entry = Int(slots[s]) - 1
        if equal(entry, bytes) {
          values[entry] = value
          return
        }
        s = (s + 1) & mask
      }
      starts.append(Int32(text.count))
      lengths.append(UInt8(bytes.count))
      values.append(value)
      text.append(contentsOf: bytes)
      slots[s] = Int32(values.count)
    }
  }

  /// The value of the name whose bytes are `name`, or nil.
  func value(_ name: UnsafeBufferPointer<UInt8>) -> UInt16? {
    var s = Int(truncatingIfNeeded: ByteNameTable.hash(name) >> 32) & mask
    while true {
      let i = Int(slots[s])
      if i == 0 { return nil }
      if equal(i - 1, name) { return values[i - 1] }
      s = (s + 1) & mask
    }
  }
}
