/// Who made a commit and when: the author or committer line of a commit object.
/// libgit2: `git_signature`.
public struct Signature: Hashable, Sendable, CustomStringConvertible {
  /// The name, as recorded (no mailmap applied).
  public var name: String
  /// The e-mail address, without angle brackets.
  public var email: String
  /// Seconds since the Unix epoch (UTC).
  public var time: Int64
  /// The author's time-zone offset from UTC in minutes (`+0100` is 60, `-0530` is -330).
  public var offsetMinutes: Int

  /// A signature from its parts.
  public init(name: String, email: String, time: Int64, offsetMinutes: Int) {
    self.name = name
    self.email = email
    self.time = time
    self.offsetMinutes = offsetMinutes
  }

  /// `Name <email>`.
  public var description: String { "\(name) <\(email)>" }

  /// The local time in strict ISO 8601, as `git log --format=%aI` prints it:
  /// `2023-01-23T17:45:20+01:00`.
  public var iso8601: String {
    let local = CivilTime(epochSeconds: time + Int64(offsetMinutes) * 60)
    let sign = offsetMinutes < 0 ? "-" : "+"
    let offset = abs(offsetMinutes)
    return
      "\(pad(local.year, 4))-\(pad(local.month))-\(pad(local.day))T"
      + "\(pad(local.hour)):\(pad(local.minute)):\(pad(local.second))"
      + "\(sign)\(pad(offset / 60)):\(pad(offset % 60))"
  }

  /// The local time as in an e-mail `Date:` header, as `git format-patch` writes it:
  /// `Mon, 23 Jan 2023 17:45:20 +0100`.
  public var rfc2822: String {
    let local = CivilTime(epochSeconds: time + Int64(offsetMinutes) * 60)
    let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    let weekday = weekdays[Int(((local.days % 7) + 7) % 7)]
    let sign = offsetMinutes < 0 ? "-" : "+"
    let offset = abs(offsetMinutes)
    return
      "\(weekday), \(local.day) \(months[local.month - 1]) \(pad(local.year, 4)) "
      + "\(pad(local.hour)):\(pad(local.minute)):\(pad(local.second)) "
      + "\(sign)\(pad(offset / 60))\(pad(offset % 60))"
  }
}

/// One commit object, read out of libgit2 into plain values. libgit2: `git_commit`.
public struct Commit: Hashable, Sendable, CustomStringConvertible {
  /// The commit's object name.
  public var id: ObjectID
  /// The parents' object names, first parent first (empty for a root commit).
  public var parents: [ObjectID]
  /// The first paragraph of the message with line breaks folded to spaces, as `git log
  /// --format=%s` prints it. libgit2: `git_commit_summary`.
  public var summary: String
  /// The full message, without the leading blank lines git strips. libgit2: `git_commit_message`.
  public var message: String
  /// The author.
  public var author: Signature
  /// The committer.
  public var committer: Signature
  /// The object name of the commit's root tree.
  public var treeID: ObjectID

  /// A commit from its parts.
  public init(
    id: ObjectID, parents: [ObjectID], summary: String, message: String, author: Signature,
    committer: Signature, treeID: ObjectID
  ) {
    self.id = id
    self.parents = parents
    self.summary = summary
    self.message = message
    self.author = author
    self.committer = committer
    self.treeID = treeID
  }

  /// The message after the summary paragraph (may be empty), as `git log --format=%b` prints it.
  public var body: String {
    var lines = message.split(separator: "\n", omittingEmptySubsequences: false)[...]
    while let first = lines.first, !first.allSatisfy(\.isWhitespace) { lines = lines.dropFirst() }
    while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines = lines.dropFirst() }
    return lines.joined(separator: "\n")
  }

  /// True for a commit with more than one parent.
  public var isMerge: Bool { parents.count > 1 }

  /// `<abbreviated id> <summary>`, as `git log --oneline` prints it (7 digits).
  public var description: String { "\(id.abbreviated()) \(summary)" }
}

/// A commit together with the diff `Repository.diff(of:paths:)` gives for it.
public struct CommitDiff: Hashable, Sendable {
  /// The commit.
  public var commit: Commit
  /// The unified patch text of the commit against its first parent.
  public var patch: String

  /// A pair from its parts.
  public init(commit: Commit, patch: String) {
    self.commit = commit
    self.patch = patch
  }
}

/// A proleptic Gregorian date and time of day, from seconds since the epoch.
private struct CivilTime {
  var days: Int64
  var year: Int
  var month: Int
  var day: Int
  var hour: Int
  var minute: Int
  var second: Int

  init(epochSeconds: Int64) {
    // Floor division so times before 1970 land on the right day.
    var d = epochSeconds / 86_400
    var secs = epochSeconds % 86_400
    if secs < 0 {
      secs += 86_400
      d -= 1
    }
    days = d
    hour = Int(secs / 3600)
    minute = Int(secs % 3600 / 60)
    second = Int(secs % 60)
    // Howard Hinnant's civil_from_days.
    let z = d + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let dd = doy - (153 * mp + 2) / 5 + 1
    let mm = mp < 10 ? mp + 3 : mp - 9
    year = Int(yoe + era * 400 + (mm <= 2 ? 1 : 0))
    month = Int(mm)
    day = Int(dd)
  }
}

private func pad(_ value: Int, _ width: Int = 2) -> String {
  let digits = String(value)
  return digits.count >= width
    ? digits : String(repeating: "0", count: width - digits.count) + digits
}
