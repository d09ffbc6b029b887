/// A date from a `Date:` header (RFC 5322 §3.3), including the obsolete forms found in
/// archives: two- and three-digit years, named zones (`GMT`, `EST`, `PDT`…), missing seconds,
/// missing weekday, comments such as `(CET)`, extra spaces, and asctime (`Thu Jan  1 00:00:00
/// 1970`).
public struct MailDate: Equatable, Hashable, Sendable, Comparable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int
  public var hour: Int
  public var minute: Int
  public var second: Int
  /// Offset from UTC in minutes (`+0100` is 60).
  public var offsetMinutes: Int

  public init(
    year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offsetMinutes: Int
  ) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
    self.offsetMinutes = offsetMinutes
  }

  /// `2023-01-23T17:45:20+00:00`.
  public var iso8601: String {
    let off = abs(offsetMinutes)
    if (0...9999).contains(year),
      [month, day, hour, minute, second].allSatisfy({ (0...99).contains($0) }),
      off / 60 < 100
    {
      // The usual case, written as bytes.
      var out = [UInt8](repeating: UInt8(ascii: "0"), count: 25)
      func put(_ v: Int, _ at: Int, _ width: Int = 2) {
        var v = v
        for k in stride(from: at + width - 1, through: at, by: -1) {
          out[k] = UInt8(0x30 + v % 10)
          v /= 10
        }
      }
      put(year, 0, 4)
      out[4] = UInt8(ascii: "-")
      put(month, 5)
      out[7] = UInt8(ascii: "-")
      put(day, 8)
      out[10] = UInt8(ascii: "T")
      put(hour, 11)
      out[13] = Bytes.colon
      put(minute, 14)
      out[16] = Bytes.colon
      put(second, 17)
      out[19] = offsetMinutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
      put(off / 60, 20)
      out[22] = Bytes.colon
      put(off % 60, 23)
      return String(decoding: out, as: UTF8.self)
    }
    let sign = offsetMinutes < 0 ? "-" : "+"
    return "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second))"
      + "\(sign)\(pad(off / 60)):\(pad(off % 60))"
  }

  /// Seconds since 1970-01-01T00:00:00Z.
  public var epochSeconds: Int {
    let days = MailDate.daysFromCivil(year, month, day)
    return days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
  }

  public var description: String { iso8601 }

  public static func < (a: MailDate, b: MailDate) -> Bool { a.epochSeconds < b.epochSeconds }

  private func pad(_ v: Int, _ width: Int = 2) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
  static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// Parses a date; nil when no day, month, year and time can be found.
  public static func parse(_ text: String) -> MailDate? {
    var bytes = text
    return bytes.withUTF8(parseUsual) ?? parseTokens(text)
  }

  /// ``parse(_:)`` for any form: comments dropped, then token by token.
  static func parseTokens(_ text: String) -> MailDate? {
    // Drop comments, then split at whitespace and commas.
    var cleaned = ""
    var depth = 0
    for c in text {
      if c == "(" { depth += 1; continue }
      if c == ")" { depth = max(0, depth - 1); continue }
      if depth == 0 { cleaned.append(c) }
    }
    if let iso = parseISO(cleaned.trimmingASCIISpaces()) { return iso }
    var tokens: [Substring] = []
    for t in cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
      // `23-Jan-2023` (seen in old archives) is three tokens; `-0500` stays one.
      if t.first != "-", t.first != "+", t.contains("-"), t.contains(where: { $0.isLetter }) {
        tokens += t.split(separator: "-")
      } else {
        tokens.append(t)
      }
    }
    var numbers: [Substring] = []
    var month: Int? = nil
    var time: (Int, Int, Int)? = nil
    var zone: Int? = nil
    for t in tokens {
      if t.contains(":") {
        if time == nil { time = parseTime(t) }
      } else if let m = monthNumber(t) {
        month = m
      } else if (t.first == "+" || t.first == "-"), t.count == 5, let v = Int(t.dropFirst()) {
        let minutes = (v / 100) * 60 + v % 100
        zone = t.first == "-" ? -minutes : minutes
      } else if t.allSatisfy({ $0.isASCII && $0.isNumber }) {
        numbers.append(t)
      } else if time != nil, zone == nil, let z = namedZone(t) {
        zone = z
      }
    }
    guard let month, let time, numbers.count >= 2, let day = Int(numbers[0]),
      var year = Int(numbers[1])
    else { return nil }
    // Obsolete years (RFC 5322 §4.3): two digits below 50 are 20xx, other short years 19xx.
    if numbers[1].count == 2 {
      year += year < 50 ? 2000 : 1900
    } else if numbers[1].count == 3 {
      year += 1900
    }
    guard (1...31).contains(day), (0...9999).contains(year), (0...23).contains(time.0),
      (0...59).contains(time.1),
      (0...60).contains(time.2)
    else { return nil }
    return MailDate(
      year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2,
      offsetMinutes: zone ?? 0)
  }

  /// The form nearly every mailer writes, `[Ddd, ]D Mon YYYY hh:mm:ss +hhmm`, read from its
  /// bytes; nil for anything else (then `parse` reads it token by token, to the same result).
  static func parseUsual(_ b: UnsafeBufferPointer<UInt8>) -> MailDate? {
    let n = b.count
    var i = 0
    func digits(_ count: Int) -> Int? {
      guard i + count <= n else { return nil }
      var v = 0
      for k in i..<(i + count) {
        guard Bytes.isDigit(b[k]) else { return nil }
        v = v * 10 + Int(b[k] - 0x30)
      }
      i += count
      return v
    }
    func expect(_ c: UInt8) -> Bool {
      guard i < n, b[i] == c else { return false }
      i += 1
      return true
    }
    func word() -> [UInt8]? {
      guard i + 3 <= n else { return nil }
      let w = (i..<(i + 3)).map { Bytes.lower(b[$0]) }
      i += 3
      return w
    }
    if n > 0, !Bytes.isDigit(b[0]) {
      guard let w = word(), weekdays.contains(w), expect(UInt8(ascii: ",")), expect(Bytes.space)
      else { return nil }
    }
    let day: Int
    if let two = digits(2) {
      day = two
    } else if let one = digits(1) {
      day = one
    } else {
      return nil
    }
    guard expect(Bytes.space), let m = word(), let month = monthWords.firstIndex(of: m),
      expect(Bytes.space), let year = digits(4), expect(Bytes.space), let hour = digits(2),
      expect(Bytes.colon), let minute = digits(2), expect(Bytes.colon), let second = digits(2),
      expect(Bytes.space), i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")
    else { return nil }
    let negative = b[i] == UInt8(ascii: "-")
    i += 1
    guard let zone = digits(4), i == n, (1...31).contains(day), (0...23).contains(hour),
      (0...59).contains(minute), (0...60).contains(second)
    else { return nil }
    let minutes = (zone / 100) * 60 + zone % 100
    return MailDate(
      year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second,
      offsetMinutes: negative ? -minutes : minutes)
  }

  private static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map {
    Array($0.utf8)
  }
  private static let monthWords = months.map { Array($0.utf8) }

  /// `2023-01-23T17:45:20Z`, `2023-01-23 17:45:20+01:00` (some tools write ISO 8601).
  private static func parseISO(_ s: Substring) -> MailDate? {
    let u = Array(s.utf8)
    guard u.count >= 19, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
      u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "), u[13] == Bytes.colon,
      u[16] == Bytes.colon
    else { return nil }
    func num(_ r: Range<Int>) -> Int? {
      var v = 0
      for k in r {
        guard Bytes.isDigit(u[k]) else { return nil }
        v = v * 10 + Int(u[k] - 0x30)
      }
      return v
    }
    guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13),
      let mi = num(14..<16), let se = num(17..<19), (1...12).contains(mo), (1...31).contains(d),
      (0...23).contains(h), (0...59).contains(mi), (0...60).contains(se)
    else { return nil }
    var i = 19
    if i < u.count, u[i] == UInt8(ascii: ".") {
      i += 1
      while i < u.count, Bytes.isDigit(u[i]) { i += 1 }
    }
    var offset = 0
    if i < u.count {
      let rest = Array(u[i...].filter { $0 != Bytes.colon && $0 != Bytes.space })
      if rest == [UInt8(ascii: "Z")] {
        offset = 0
      } else if rest.count == 5, rest[0] == UInt8(ascii: "+") || rest[0] == UInt8(ascii: "-"),
        rest[1...].allSatisfy(Bytes.isDigit)
      {
        let v = rest[1...].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        offset = (v / 100) * 60 + v % 100
        if rest[0] == UInt8(ascii: "-") { offset = -offset }
      } else {
        return nil
      }
    }
    return MailDate(
      year: y, month: mo, day: d, hour: h, minute: mi, second: se, offsetMinutes: offset)
  }

  private static func parseTime(_ t: Substring) -> (Int, Int, Int)? {
    let parts = t.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2 || parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1])
    else { return nil }
    var s = 0
    if parts.count == 3 {
      // Some mailers write fractional seconds.
      let whole = parts[2].prefix { $0.isASCII && $0.isNumber }
      guard let v = Int(whole) else { return nil }
      s = v
    }
    return (h, m, s)
  }

  private static let months = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
  ]

  private static func monthNumber(_ t: Substring) -> Int? {
    guard t.count >= 3, t.allSatisfy({ $0.isLetter }) else { return nil }
    let p = Bytes.asciiLowercased(t.prefix(3))
    guard let i = months.firstIndex(of: p) else { return nil }
    return i + 1
  }

  private static func namedZone(_ t: Substring) -> Int? {
    switch t.uppercased() {
    case "UT", "UTC", "GMT", "Z": 0
    case "EST": -300
    case "EDT": -240
    case "CST": -360
    case "CDT": -300
    case "MST": -420
    case "MDT": -360
    case "PST": -480
    case "PDT": -420
    case "CET", "MET", "BST": 60
    case "CEST", "MEST", "EET": 120
    case "EEST": 180
    case "JST": 540
    default: t.count == 1 && t.first?.isLetter == true ? 0 : nil  // military zones: unknown
    }
  }
}
