/// Writes JSON values as UTF-8 bytes in the one layout every report uses: two-space
/// indentation, one member or element per line, `[]` and `{}` when empty, `": "` after keys.
///
/// The bytes are appended in place (indentation included), so a large report costs no string
/// per line; ``JSON/rendered()`` is this writer plus a final newline. A long report can be
/// written in pieces: write some values, hand ``bytes`` over, ``clear()``, go on.
public struct JSONWriter: Sendable {
  /// The written bytes, then zeros: room written into in place, where appending a few bytes
  /// at a time to an array costs more than the bytes.
  private var storage: [UInt8]
  /// How many bytes of `storage` have been written.
  public private(set) var count = 0

  /// What has been written since the writer was made or last cleared.
  public var bytes: [UInt8] { Array(storage[0..<count]) }

  public init(capacity: Int = 0) {
    storage = []
    storage.reserveCapacity(capacity)
  }

  /// What has been written, the writer given up: ``bytes`` without copying them.
  public consuming func finished() -> [UInt8] {
    var out = storage
    storage = []
    out.removeLast(out.count - count)
    return out
  }

  /// Forgets what was written, keeping the storage for what comes next.
  public mutating func clear() { count = 0 }

  /// Makes room for `n` more bytes.
  @inline(__always)
  private mutating func room(_ n: Int) {
    if storage.count - count < n { grow(n) }
  }

  /// Zeroes room at most 64 KiB at a time (the array grows its capacity as it does), so a
  /// writer made with a large capacity touches only the memory it writes.
  @inline(never)
  private mutating func grow(_ n: Int) {
    // As much again as is zeroed already (256 bytes at least, 64 KiB at most), or what is needed.
    let step = min(max(storage.count, 256), 1 << 16)
    storage.append(contentsOf: repeatElement(0, count: max(count + n - storage.count, step)))
  }

  /// Appends the bytes of `src`.
  @inline(__always)
  private mutating func put(_ src: UnsafeBufferPointer<UInt8>) {
    let n = src.count
    room(n)
    let at = count
    storage.withUnsafeMutableBufferPointer { dst in
      guard n > 0, let to = dst.baseAddress, let from = src.baseAddress else { return }
      (to + at).update(from: from, count: n)
    }
    count += n
  }

  /// Appends byte `b`.
  @inline(__always)
  private mutating func put(_ b: UInt8) {
    room(1)
    storage[count] = b
    count += 1
  }

  /// Appends raw UTF-8 text, for the punctuation of a document written piece by piece.
  public mutating func raw(_ text: StaticString) {
    text.withUTF8Buffer { put($0) }
  }

  /// Appends bytes another writer wrote.
  public mutating func append(_ written: [UInt8]) { written.withUnsafeBufferPointer { put($0) } }

  /// Appends `count` spaces.
  public mutating func spaces(_ count: Int) {
    if count <= Self.blanks.count {
      Self.blanks.withUnsafeBufferPointer {
        put(UnsafeBufferPointer(rebasing: $0[0..<max(0, count)]))
      }
    } else {
      for _ in 0..<count { put(0x20) }
    }
  }

  /// Spaces to copy indentation from.
  private static let blanks = [UInt8](repeating: 0x20, count: 64)

  /// Appends `"key": `, the key quoted.
  public mutating func key(_ key: String) {
    string(key)
    put(0x3a)
    put(0x20)
  }

  /// Appends `value`, its inner lines indented by `indent + 2` spaces and its closing bracket
  /// by `indent` (the first line is not indented: the caller has placed it).
  public mutating func value(_ value: JSON, indent: Int) {
    switch value {
    case .null: raw("null")
    case .bool(let b): b ? raw("true") : raw("false")
    case .int(let i): int(i)
    case .string(let s): string(s)
    case .array(let items):
      list(of: items.count, brackets: .array, indent: indent) { w, n in
        w.value(items[n], indent: indent + 2)
      }
    case .object(let fields):
      list(of: fields.count, brackets: .object, indent: indent) { w, n in
        w.key(fields[n].0)
        w.value(fields[n].1, indent: indent + 2)
      }
    }
  }

  /// The brackets of a list: `[` `]` or `{` `}`.
  public enum Brackets: Sendable {
    case array, object
  }

  /// Appends an array or object of `count` members, `member(&writer, n)` writing the n-th (key
  /// included, for an object) after its indentation; members are separated by `,` and a new
  /// line, and an empty list is `[]` or `{}`. `member` may hand the bytes over and ``clear()``.
  public mutating func list<E: Error>(
    of count: Int, brackets: Brackets, indent: Int,
    _ member: (inout JSONWriter, Int) throws(E) -> Void
  ) throws(E) {
    let (open, close): (UInt8, UInt8) = brackets == .array ? (0x5b, 0x5d) : (0x7b, 0x7d)
    put(open)
    guard count > 0 else {
      put(close)
      return
    }
    put(0x0a)
    for n in 0..<count {
      spaces(indent + 2)
      try member(&self, n)
      if n + 1 < count { put(0x2c) }
      put(0x0a)
    }
    spaces(indent)
    put(close)
  }

  /// Appends `s` as a JSON string literal (see ``JSON/quote(utf8:into:)``).
  public mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { text in
      // At most six bytes for each one (`\u00XX`), and the quotes.
      room(text.count * 6 + 2)
      let at = count
      count = storage.withUnsafeMutableBufferPointer { out in
        JSON.quote(utf8: text, into: out, at: at)
      }
    }
  }

  /// `.string` or `null`.
  public mutating func string(_ s: String?) {
    if let s { string(s) } else { raw("null") }
  }

  /// `.int` or `null`.
  public mutating func int(_ i: Int?) {
    if let i { int(i) } else { raw("null") }
  }

  // MARK: Writing without a `JSON` value
  //
  // `open`, then for each member `member` (or `field` in an object) and its value, then
  // `close` with the count: the bytes `value(_:indent:)` writes for the same list, with no
  // tree built first.

  /// Opens a list (`[` or `{`).
  public mutating func open(_ brackets: Brackets) {
    put(brackets == .array ? 0x5b : 0x7b)
  }

  /// Starts member `n` (0 for the first) of a list whose closing bracket is indented by
  /// `indent`.
  public mutating func member(_ n: Int, indent: Int) {
    let count = indent + 2
    guard count >= 0, count <= Self.lineStarts.count - 2 else {
      if n > 0 { put(0x2c) }
      put(0x0a)
      spaces(count)
      return
    }
    // `,` (after the first), the new line and its indentation in one copy.
    Self.lineStarts.withUnsafeBufferPointer {
      put(UnsafeBufferPointer(rebasing: $0[(n > 0 ? 0 : 1)..<(2 + count)]))
    }
  }

  /// `,`, a new line and 64 spaces: the start of a member's line.
  private static let lineStarts: [UInt8] = [0x2c, 0x0a] + [UInt8](repeating: 0x20, count: 64)

  /// Starts field `n` of an object: ``member(_:indent:)`` then `"key": ` (`key` needs no
  /// escape).
  public mutating func field(_ n: Int, _ key: StaticString, indent: Int) {
    member(n, indent: indent)
    put(0x22)
    raw(key)
    raw("\": ")
  }

  /// Closes a list of `count` members.
  public mutating func close(_ brackets: Brackets, count: Int, indent: Int) {
    if count > 0 {
      put(0x0a)
      spaces(indent)
    }
    put(brackets == .array ? 0x5d : 0x7d)
  }

  /// Appends `i` in decimal, as `String(i)` spells it.
  public mutating func int(_ i: Int) {
    var magnitude = i.magnitude
    var digits = 1
    var rest = magnitude
    while rest >= 10 {
      rest /= 10
      digits += 1
    }
    let sign = i < 0 ? 1 : 0
    room(sign + digits)
    let at = count
    storage.withUnsafeMutableBufferPointer { out in
      if sign == 1 { out[at] = 0x2d }
      var k = at + sign + digits
      repeat {
        k -= 1
        out[k] = 0x30 + UInt8(magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
    }
    count += sign + digits
  }

}
