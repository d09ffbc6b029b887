import Diagnostics

/// A JSON value with object keys kept in the order they were given, so output is stable and reads
/// in a sensible order (Foundation's encoder can only sort keys alphabetically).
public enum JSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case string(String)
  case array([JSON])
  case object([(String, JSON)])

  public static func == (lhs: JSON, rhs: JSON) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.int(let a), .int(let b)): a == b
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)):
      a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  /// `.string` or `.null`.
  public static func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
  /// `.int` or `.null`.
  public static func optional(_ i: Int?) -> JSON { i.map { .int($0) } ?? .null }
  /// `.bool` or `.null`.
  public static func optional(_ b: Bool?) -> JSON { b.map { .bool($0) } ?? .null }

  /// The one JSON shape of a diagnostic, in every report:
  /// `{"id", "severity", "file", "line", "message"}` (`line` 0 when the location has none).
  public static func diagnostic(_ d: Diagnostic) -> JSON {
    .object([
      ("id", .string(d.id.rawValue)),
      ("severity", .string(d.severity.rawValue)),
      ("file", .string(d.location.file)),
      ("line", .int(d.location.line)),
      ("message", .string(d.message)),
    ])
  }

  /// Pretty-printed with two-space indentation and a final newline (see ``JSONWriter``).
  public func rendered() -> String {
    String(decoding: renderedBytes(), as: UTF8.self)
  }

  /// ``rendered()`` as UTF-8 bytes.
  public func renderedBytes() -> [UInt8] {
    var writer = JSONWriter()
    writer.value(self, indent: 0)
    writer.raw("\n")
    return writer.bytes
  }

  /// `s` as a JSON string literal, quotes included.
  public static func literal(_ s: String) -> String {
    var out = ""
    quote(s, into: &out)
    return out
  }

  /// Appends `s` as a JSON string literal (RFC 8259 escapes; non-ASCII kept as UTF-8).
  public static func quote(_ s: String, into out: inout String) {
    var bytes: [UInt8] = []
    quote(utf8: s.utf8, into: &bytes)
    out += String(decoding: bytes, as: UTF8.self)
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// Appends the UTF-8 text `bytes` as a JSON string literal: `"` and `\` escaped, control
  /// characters and DEL as `\n`, `\t`… or `\u00XX`, everything else (UTF-8 included) as is.
  public static func quote(utf8 bytes: some Collection<UInt8>, into out: inout [UInt8]) {
    let done: Void? = bytes.withContiguousStorageIfAvailable { quote(utf8: $0, into: &out) }
    if done != nil { return }
    out.append(0x22)
    for b in bytes { escape(b, into: &out) }
    out.append(0x22)
  }

  /// ``quote(utf8:into:)`` over contiguous bytes: the runs that need no escape (nearly all
  /// text) are copied whole.
  static func quote(utf8 buf: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    out.append(0x22)
    var run = 0
    for i in 0..<buf.count {
      let b = buf[i]
      // Plain: printable ASCII but `"`, `\` and DEL, or any byte of a multi-byte character.
      guard b < 0x20 || b == 0x22 || b == 0x5c || b == 0x7f else { continue }
      if i > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i])) }
      escape(b, into: &out)
      run = i + 1
    }
    if buf.count > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run...])) }
    out.append(0x22)
  }

  /// ``quote(utf8:into:)`` written into `out` from index `at`, which has room for six bytes
  /// for each of `buf` and two more; returns the index after the closing quote.
  static func quote(
    utf8 buf: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, at: Int
  ) -> Int {
    var k = at
    out[k] = 0x22
    k += 1
    var run = 0
    func copyRun(to end: Int) {
      guard end > run, let to = out.baseAddress, let from = buf.baseAddress else { return }
      (to + k).update(from: from + run, count: end - run)
      k += end - run
    }
    let n = buf.count
    var i = 0
    while i < n {
      // The next byte that needs an escape (`Self.escapes`), eight bytes at a time.
      var at = n
      var j = i
      if let base = buf.baseAddress {
        let raw = UnsafeRawPointer(base)
        while n - j >= 8 {
          let marks = Self.escapes(
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)))
          if marks != 0 {
            at = j + marks.trailingZeroBitCount >> 3
            break
          }
          j += 8
        }
      }
      if at == n {
        while j < n {
          let b = buf[j]
          if b < 0x20 || b == 0x22 || b == 0x5c || b == 0x7f {
            at = j
            break
          }
          j += 1
        }
      }
      guard at < n else { break }
      let b = buf[at]
      copyRun(to: at)
      out[k] = 0x5c
      switch b {
      case 0x22, 0x5c: out[k + 1] = b
      case 0x0a: out[k + 1] = 0x6e
      case 0x0d: out[k + 1] = 0x72
      case 0x09: out[k + 1] = 0x74
      case 0x08: out[k + 1] = 0x62
      case 0x0c: out[k + 1] = 0x66
      default:
        out[k + 1] = 0x75
        out[k + 2] = 0x30
        out[k + 3] = 0x30
        out[k + 4] = hexDigits[Int(b >> 4)]
        out[k + 5] = hexDigits[Int(b & 15)]
        k += 4
      }
      k += 2
      run = at + 1
      i = at + 1
    }
    copyRun(to: buf.count)
    out[k] = 0x22
    return k + 1
  }

  /// The high bit of each byte of `x` (eight bytes of text) that a string literal escapes:
  /// below 0x20, `"`, a backslash or DEL. Exact: no carry crosses from one byte to the next.
  @inline(__always)
  private static func escapes(_ x: UInt64) -> UInt64 {
    let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func zeros(_ y: UInt64) -> UInt64 { ~(((y & lows) &+ lows) | y) & highs }
    // Below 0x20: the high bit clear, and the low seven bits plus 0x60 below 0x80.
    let control = ~(((x & lows) &+ 0x6060_6060_6060_6060) | x) & highs
    return control | zeros(x ^ 0x2222_2222_2222_2222) | zeros(x ^ 0x5C5C_5C5C_5C5C_5C5C)
      | zeros(x ^ lows)
  }

  /// Appends byte `b` of a string literal, escaped if it must be.
  @inline(__always)
  private static func escape(_ b: UInt8, into out: inout [UInt8]) {
    switch b {
    case 0x22: out.append(contentsOf: [0x5c, 0x22])
    case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
    case 0x0a: out.append(contentsOf: [0x5c, 0x6e])
    case 0x0d: out.append(contentsOf: [0x5c, 0x72])
    case 0x09: out.append(contentsOf: [0x5c, 0x74])
    case 0x08: out.append(contentsOf: [0x5c, 0x62])
    case 0x0c: out.append(contentsOf: [0x5c, 0x66])
    case 0..<0x20, 0x7f:
      out.append(contentsOf: [
        0x5c, 0x75, 0x30, 0x30, hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)],
      ])
    default: out.append(b)
    }
  }

}
