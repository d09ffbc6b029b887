/// A git object name: the 20-byte SHA-1 of a commit, tree, blob or tag. libgit2: `git_oid`.
///
/// A plain value: `description` is the 40-digit lower-case hex form and `init?(hex:)` reads it
/// back. Ordering is by bytes, which is the order of the hex strings.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
  // The 20 bytes, big-endian: bytes 0-7, 8-15 and 16-19.
  private var high: UInt64
  private var middle: UInt64
  private var low: UInt32

  /// The first eight bytes of a hash spread names evenly enough: one word for the hasher,
  /// not three (an audit hashes tens of thousands of IDs per commit walk).
  public func hash(into hasher: inout Hasher) {
    hasher.combine(high)
  }

  /// The all-zero name libgit2 uses for "no object".
  public static let zero = ObjectID(high: 0, middle: 0, low: 0)

  private init(high: UInt64, middle: UInt64, low: UInt32) {
    self.high = high
    self.middle = middle
    self.low = low
  }

  /// The object name of exactly 20 bytes, or nil if `bytes` has another length.
  public init?(bytes: some Collection<UInt8>) {
    guard bytes.count == 20 else { return nil }
    var h: UInt64 = 0
    var m: UInt64 = 0
    var l: UInt32 = 0
    for (i, b) in bytes.enumerated() {
      switch i {
      case 0..<8: h = h << 8 | UInt64(b)
      case 8..<16: m = m << 8 | UInt64(b)
      default: l = l << 8 | UInt32(b)
      }
    }
    high = h
    middle = m
    low = l
  }

  /// The object name in the 20 bytes at `offset` of `raw` (as a tree stores it), or nil when
  /// fewer are left.
  public init?(raw: UnsafeRawBufferPointer, at offset: Int) {
    guard offset >= 0, offset + 20 <= raw.count else { return nil }
    var h: UInt64 = 0
    var m: UInt64 = 0
    var l: UInt32 = 0
    for i in 0..<8 { h = h << 8 | UInt64(raw[offset + i]) }
    for i in 8..<16 { m = m << 8 | UInt64(raw[offset + i]) }
    for i in 16..<20 { l = l << 8 | UInt32(raw[offset + i]) }
    high = h
    middle = m
    low = l
  }

  /// The object name spelled in the 40 hex digits at `offset` of `raw` (as a commit names its
  /// tree and parents), or nil.
  public init?(hexIn raw: UnsafeRawBufferPointer, at offset: Int) {
    guard offset >= 0, offset + 40 <= raw.count else { return nil }
    func word(_ from: Int, _ digits: Int) -> UInt64? {
      var w: UInt64 = 0
      for i in (offset + from)..<(offset + from + digits) {
        guard let n = Self.nibble(raw[i]) else { return nil }
        w = w << 4 | UInt64(n)
      }
      return w
    }
    guard let h = word(0, 16), let m = word(16, 16), let l = word(32, 8) else { return nil }
    high = h
    middle = m
    low = UInt32(truncatingIfNeeded: l)
  }

  /// Writes the 20 bytes into `raw` (at least 20 bytes long), most significant first.
  public func store(into raw: UnsafeMutableRawBufferPointer) {
    for i in 0..<8 { raw[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i)) }
    for i in 0..<8 { raw[8 + i] = UInt8(truncatingIfNeeded: middle >> (56 - 8 * i)) }
    for i in 0..<4 { raw[16 + i] = UInt8(truncatingIfNeeded: low >> (24 - 8 * i)) }
  }

  /// The object name spelled as exactly 40 hex digits (either case), or nil.
  public init?(hex: String) {
    let utf8 = Array(hex.utf8)
    guard utf8.count == 40 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(20)
    var i = 0
    while i < 40 {
      guard let hi = Self.nibble(utf8[i]), let lo = Self.nibble(utf8[i + 1]) else { return nil }
      bytes.append(hi << 4 | lo)
      i += 2
    }
    self.init(bytes: bytes)
  }

  /// The 20 bytes, most significant first.
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(20)
    for shift in stride(from: 56, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: high >> shift))
    }
    for shift in stride(from: 56, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: middle >> shift))
    }
    for shift in stride(from: 24, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: low >> shift))
    }
    return out
  }

  /// The 40 lower-case hex digits, as `git rev-parse` prints them.
  public var description: String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(40)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The first `length` hex digits (clamped to 1...40), like `git rev-parse --short=<length>`
  /// without the uniqueness extension.
  public func abbreviated(_ length: Int = 7) -> String {
    String(description.prefix(min(max(length, 1), 40)))
  }

  /// True for the all-zero name libgit2 uses for "no object".
  public var isZero: Bool { high == 0 && middle == 0 && low == 0 }

  public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
    (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
  }

  static func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}

extension ObjectID {
  /// The ID git gives `bytes` stored as a blob, as `git hash-object` prints it.
  public static func blob(of bytes: [UInt8]) throws(GitError) -> ObjectID {
    try LibGit2.ensureInitialized()
    return try LibGit2.blobID(of: bytes)
  }
}
