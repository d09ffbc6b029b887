import Mail

/// Dates as a reply writes them: the `Date:` field (RFC 5322 §3.3) and the attribution line
/// mutt writes (`On Wed, Feb 01, 2023 at 05:34:19PM +0100, Name wrote:`).
public enum ReplyDates {
  static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
  static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  /// The date at `epoch` seconds in UTC.
  public static func utc(epoch: Int) -> MailDate {
    let days = epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400
    let secs = epoch - days * 86_400
    let (y, m, d) = civil(days)
    return MailDate(
      year: y, month: m, day: d, hour: secs / 3_600, minute: secs % 3_600 / 60,
      second: secs % 60, offsetMinutes: 0)
  }

  /// `Wed, 01 Feb 2023 17:34:19 +0100`.
  public static func header(_ d: MailDate) -> String {
    "\(weekday(d)), \(pad(d.day)) \(month(d)) \(d.year) \(pad(d.hour)):\(pad(d.minute)):"
      + "\(pad(d.second)) \(zone(d))"
  }

  /// `Wed, Feb 01, 2023 at 05:34:19PM +0100`.
  public static func attribution(_ d: MailDate) -> String {
    let h12 = d.hour % 12 == 0 ? 12 : d.hour % 12
    let ampm = d.hour < 12 ? "AM" : "PM"
    return "\(weekday(d)), \(month(d)) \(pad(d.day)), \(d.year) at "
      + "\(pad(h12)):\(pad(d.minute)):\(pad(d.second))\(ampm) \(zone(d))"
  }

  static func weekday(_ d: MailDate) -> String {
    // The local calendar day: the epoch moved by the offset.
    let local = d.epochSeconds + d.offsetMinutes * 60
    let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    return weekdays[((days % 7) + 7) % 7]
  }

  static func month(_ d: MailDate) -> String { months[max(0, min(11, d.month - 1))] }

  static func zone(_ d: MailDate) -> String {
    let off = abs(d.offsetMinutes)
    return (d.offsetMinutes < 0 ? "-" : "+") + pad(off / 60) + pad(off % 60)
  }

  static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

  /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
  static func civil(_ days: Int) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }
}
