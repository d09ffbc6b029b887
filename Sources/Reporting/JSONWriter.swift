/// Writes JSON values as UTF-8 bytes in the one layout every report uses: two-space
/// indentation, one member or element per line, `[]` and `{}` when empty, `": "` after keys.
///
/// The bytes are appended in place (indentation included), so a large report costs no string
/// per line; ``JSON/rendered()`` is this writer plus a final newline. A long report can be
/// written in pieces: write some values, hand ``bytes`` over, ``clear()``, go on.
public struct JSONWriter: Sendable {
  /// What has been written since the writer was made or last cleared.
  public private(set) var bytes: [UInt8] = []

  public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// Forgets what was written, keeping the storage for what comes next.
  public mutating func clear() { bytes.removeAll(keepingCapacity: true) }

  /// Appends raw UTF-8 text, for the punctuation of a document written piece by piece.
  public mutating func raw(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  /// Appends bytes another writer wrote.
  public mutating func append(_ written: [UInt8]) { bytes.append(contentsOf: written) }

  /// Appends `count` spaces.
  public mutating func spaces(_ count: Int) {
    if count <= Self.blanks.count {
      Self.blanks.withUnsafeBufferPointer {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<max(0, count)]))
      }
    } else {
      bytes.append(contentsOf: repeatElement(0x20, count: count))
    }
  }

  /// Spaces to copy indentation from.
  private static let blanks = [UInt8](repeating: 0x20, count: 64)

  /// Appends `"key": `, the key quoted.
  public mutating func key(_ key: String) {
    string(key)
    bytes.append(0x3a)
    bytes.append(0x20)
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
    bytes.append(open)
    guard count > 0 else {
      bytes.append(close)
      return
    }
    bytes.append(0x0a)
    for n in 0..<count {
      spaces(indent + 2)
      try member(&self, n)
      if n + 1 < count { bytes.append(0x2c) }
      bytes.append(0x0a)
    }
    spaces(indent)
    bytes.append(close)
  }

  /// Appends `s` as a JSON string literal (see ``JSON/quote(utf8:into:)``).
  public mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { JSON.quote(utf8: $0, into: &bytes) }
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
    bytes.append(brackets == .array ? 0x5b : 0x7b)
  }

  /// Starts member `n` (0 for the first) of a list whose closing bracket is indented by
  /// `indent`.
  public mutating func member(_ n: Int, indent: Int) {
    let count = indent + 2
    guard count >= 0, count <= Self.lineStarts.count - 2 else {
      if n > 0 { bytes.append(0x2c) }
      bytes.append(0x0a)
      spaces(count)
      return
    }
    // `,` (after the first), the new line and its indentation in one copy.
    Self.lineStarts.withUnsafeBufferPointer {
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[(n > 0 ? 0 : 1)..<(2 + count)]))
    }
  }

  /// `,`, a new line and 64 spaces: the start of a member's line.
  private static let lineStarts: [UInt8] = [0x2c, 0x0a] + [UInt8](repeating: 0x20, count: 64)

  /// Starts field `n` of an object: ``member(_:indent:)`` then `"key": ` (`key` needs no
  /// escape).
  public mutating func field(_ n: Int, _ key: StaticString, indent: Int) {
    member(n, indent: indent)
    bytes.append(0x22)
    raw(key)
    raw("\": ")
  }

  /// Closes a list of `count` members.
  public mutating func close(_ brackets: Brackets, count: Int, indent: Int) {
    if count > 0 {
      bytes.append(0x0a)
      spaces(indent)
    }
    bytes.append(brackets == .array ? 0x5d : 0x7d)
  }

  /// Appends `i` in decimal, as `String(i)` spells it.
  public mutating func int(_ i: Int) {
    if i < 0 { bytes.append(0x2d) }
    var magnitude = i.magnitude
    if magnitude < 10 {
      bytes.append(0x30 + UInt8(magnitude))
      return
    }
    let start = bytes.count
    while magnitude > 0 {
      bytes.append(0x30 + UInt8(magnitude % 10))
      magnitude /= 10
    }
    bytes[start...].reverse()
  }
}
