/// The character sets the mail reader decodes: UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and
/// Windows-1252, with their usual aliases. An unknown label decodes as Latin-1, which keeps
/// every byte (each byte becomes U+0000…U+00FF), and the caller reports `mail.unknown-charset`.
public enum Charset: String, Sendable, Hashable, CaseIterable {
  case utf8 = "utf-8"
  case usASCII = "us-ascii"
  case latin1 = "iso-8859-1"
  case latin9 = "iso-8859-15"
  case windows1252 = "windows-1252"

  /// The charset for a MIME or RFC 2047 label (case-insensitive, `*lang` suffix ignored), or
  /// nil when the label is not one of ours.
  public init?(label: some StringProtocol) {
    // The labels nearly every message uses, without building a lower-cased copy.
    if Bytes.equalsIgnoringCase(label, "utf-8") {
      self = .utf8
      return
    }
    if Bytes.equalsIgnoringCase(label, "us-ascii") {
      self = .usASCII
      return
    }
    var l = Bytes.asciiLowercased(label.trimmingASCIISpaces())
    if let star = l.firstIndex(of: "*") { l = String(l[..<star]) }
    switch l {
    case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": self = .utf8
    case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "cp367", "iso-ir-6":
      self = .usASCII
    case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819",
      "iso-ir-100", "ibm819", "iso_8859-1:1987", "8859-1", "iso8859_1":
      self = .latin1
    case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9", "iso8859_15":
      self = .latin9
    case "windows-1252", "cp1252", "win-1252", "x-cp1252", "ms-ansi": self = .windows1252
    default: return nil
    }
  }

  /// Decodes `bytes` to text. UTF-8 replaces invalid sequences with U+FFFD; US-ASCII that
  /// carries 8-bit bytes (a common mislabel) is read as UTF-8 when valid, else Latin-1.
  public func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    switch self {
    case .utf8:
      return String(decoding: bytes, as: UTF8.self)
    case .usASCII:
      return Bytes.string(bytes)
    case .latin1, .latin9, .windows1252:
      if Bytes.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
      var scalars = String.UnicodeScalarView()
      scalars.reserveCapacity(bytes.count)
      for b in bytes { scalars.append(scalar(for: b)) }
      return String(scalars)
    }
  }

  public func decode(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { decode($0) }
  }

  /// The code point of one byte in a single-byte charset.
  @inline(__always)
  private func scalar(for b: UInt8) -> Unicode.Scalar {
    switch self {
    case .latin9:
      switch b {
      case 0xA4: return "\u{20AC}"
      case 0xA6: return "\u{0160}"
      case 0xA8: return "\u{0161}"
      case 0xB4: return "\u{017D}"
      case 0xB8: return "\u{017E}"
      case 0xBC: return "\u{0152}"
      case 0xBD: return "\u{0153}"
      case 0xBE: return "\u{0178}"
      default: return Unicode.Scalar(b)
      }
    case .windows1252:
      if b >= 0x80 && b < 0xA0 {
        let v = Charset.cp1252High[Int(b - 0x80)]
        // The five bytes Windows-1252 leaves undefined map to the C1 control of the same value.
        return Unicode.Scalar(v == 0 ? UInt32(b) : UInt32(v)) ?? Unicode.Scalar(b)
      }
      return Unicode.Scalar(b)
    default:
      return Unicode.Scalar(b)
    }
  }

  /// Windows-1252 bytes 0x80…0x9F (0 marks the undefined ones).
  private static let cp1252High: [UInt16] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
  ]
}

extension StringProtocol {
  /// The string without leading and trailing ASCII spaces, tabs, CR and LF (walks UTF-8, not
  /// Characters: no grapheme breaking).
  func trimmingASCIISpaces() -> Substring {
    let s = Substring(self)
    let u = s.utf8
    var lo = u.startIndex
    var hi = u.endIndex
    func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    while lo < hi, space(u[lo]) { lo = u.index(after: lo) }
    while lo < hi, space(u[u.index(before: hi)]) { hi = u.index(before: hi) }
    if lo == u.startIndex && hi == u.endIndex { return s }
    return s[lo..<hi]
  }
}

extension Character {
  var isASCIISpace: Bool {
    self == " " || self == "\t" || self == "\r\n" || self == "\n" || self == "\r"
  }
}
