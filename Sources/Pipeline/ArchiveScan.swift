import Diagnostics
import Foundation
import Git
import Mail
import PatchSeries

/// What `patchsite scan` is asked: the archives, how far back, and the base to apply the
/// series found to (none: their hunks alone are reviewed).
public struct ScanRequest: Sendable {
  /// Mbox files, maildirs, public-inbox repositories (an epoch's `N.git`, or an inbox folder
  /// with `git/0.git`, `git/1.git`…).
  public var archives: [String]
  /// Messages whose `Date:` is before this are skipped (messages without a readable date are
  /// kept).
  public var since: MailDate?
  /// `--tree`, or `--repo` with `--base` (its `inputs` are unused).
  public var base: SeriesInputs
  /// How much of an mbox is read at a time (tests make it small, to cut messages across reads).
  public var chunkSize = 4 << 20

  public init(
    archives: [String], since: MailDate? = nil, base: SeriesInputs = SeriesInputs(inputs: [])
  ) {
    self.archives = archives
    self.since = since
    self.base = base
  }
}

/// How far a scan has come, for a progress bar.
public struct ScanProgress: Sendable {
  /// 1: finding the patches that touch the patch-site; 2: collecting their series and replies;
  /// 3: reviewing the versions found.
  public var pass: Int
  /// Passes 1 and 2: the bytes read so far over every archive; pass 3: the versions reviewed.
  public var done: Int
  /// What `done` goes up to, when known (pass 1 knows it for mbox files only).
  public var total: Int?
  /// Messages read so far in this pass.
  public var messages: Int
}

/// A version of a series found in an archive, reviewed: what the report shows of it, and no
/// more (its messages, diffs and layouts are dropped once it is reviewed, so the result grows
/// with the findings, not with the mail).
public struct ScannedVersion: Sendable {
  public var version: Int
  /// The cover letter's subject, Message-ID, place and ISO 8601 date, else the first patch's.
  public var subject: String
  public var messageID: String?
  public var location: SourceLocation?
  public var date: String?
  /// The patches present, and how many the subjects announce (nil for a lone patch).
  public var patches: Int
  public var total: Int?
  /// The watched files its patches change (`PatchSitePaths`).
  public var watchedFiles: [String]
  /// The Message-IDs of the replies to the cover letter and to the patches.
  public var replies: [String]
  /// The findings of the version's review, and its diagnostics.
  public var findings: [LocatedFinding]
  public var diagnostics: [Diagnostic]

  public func count(_ severity: Severity) -> Int {
    findings.filter { $0.finding.severity == severity }.count
  }

  /// The parts of `version` and of its review `report` a scan reports.
  init(_ version: SeriesVersion, watchedFiles: [String], report: ReviewReport) {
    let head = version.cover ?? version.patches.first?.message
    self.version = version.version
    subject = head?.subject ?? ""
    messageID = head?.messageID
    location = head?.location
    date = head?.date
    patches = version.patches.count
    total = version.total
    self.watchedFiles = watchedFiles
    replies = (version.replies + version.patches.flatMap(\.replies)).compactMap(\.messageID)
    findings = report.findings
    diagnostics = report.diagnostics
  }
}

/// One series (its versions linked by title, as `SeriesAssembler` links them).
public struct ScannedSeries: Sendable {
  public var versions: [ScannedVersion]
  /// The first version's subject and Message-ID.
  public var subject: String { versions.first?.subject ?? "" }
  public var messageID: String? { versions.first?.messageID }
}

/// What a scan found.
public struct ScanResult: Sendable {
  public var series: [ScannedSeries]
  /// Messages read (including those `since` skipped) and the bytes they came from.
  public var messages: Int
  public var bytes: Int
  /// Messages skipped for being older than `since`.
  public var skipped: Int
  /// The messages kept for assembly: the patch-site patches, their series and replies.
  public var kept: Int
  /// Problems met while reading and assembling (at most `ArchiveScan.diagnosticLimit`).
  public var diagnostics: [Diagnostic]
  /// Diagnostics beyond the limit, counted but not kept (memory stays flat).
  public var diagnosticsOmitted: Int

  public var hasErrorFinding: Bool {
    series.contains {
      $0.versions.contains { $0.findings.contains { $0.finding.severity == .error } }
    }
  }
}

/// `patchsite scan`: every series in list archives that touches the patch-site, each version
/// reviewed.
///
/// An archive is read twice, message by message, never whole (memory stays flat as it grows):
/// 1. every patch (not a reply) whose diff changes a watched file (`PatchSitePaths`) is noted by
///    Message-ID, with the message it answers (its cover letter);
/// 2. those messages are kept, with every message that answers one of them or a message already
///    kept (the rest of their series, the replies), found by `In-Reply-To` and `References`.
///
/// Only the kept messages are assembled (`SeriesAssembler`) and reviewed, version by version
/// (`ReviewPipeline`), against the base when one is given, else from their hunks. Memory grows
/// with the patch-site traffic, not with the archive.
public enum ArchiveScan {
  public static let diagnosticLimit = 1000
  /// Rounds of pass 2 at most: a thread whose replies come in reverse order, deeper than
  /// this, loses its deepest replies (never seen in practice: archives are mostly in order).
  public static let maxRounds = 8

  public static func run(
    _ request: ScanRequest, progress: (ScanProgress) -> Void = { _ in }
  ) throws(InputError) -> ScanResult {
    let sources = try request.archives.map { (a) throws(InputError) in try ArchiveSource.open(a) }
    var state = ScanState(since: request.since)
    // Pass 1.
    let knownTotal =
      sources.allSatisfy { $0.size != nil } ? sources.reduce(0) { $0 + ($1.size ?? 0) } : nil
    var done = 0
    for source in sources {
      var last = 0
      try source.read(pass: 1, chunkSize: request.chunkSize) { messages, diagnostics, bytesRead in
        state.note(diagnostics)
        for m in messages { state.firstPass(m) }
        done += bytesRead - last
        last = bytesRead
        progress(ScanProgress(pass: 1, done: done, total: knownTotal, messages: state.messages))
      }
    }
    state.bytes = done
    // Pass 2, again while a message passed over may answer one kept after it (a reply that
    // comes before what it answers in the archive): each round keeps at least one more
    // message, or is the last.
    var rounds = 0
    repeat {
      rounds += 1
      state.startRound()
      var done2 = 0
      var seen = 0
      for source in sources {
        var last = 0
        try source.read(pass: 2, chunkSize: request.chunkSize) { messages, _, bytesRead in
          for m in messages { state.secondPass(m) }
          seen += messages.count
          done2 += bytesRead - last
          last = bytesRead
          progress(ScanProgress(pass: 2, done: done2, total: state.bytes, messages: seen))
        }
      }
    } while state.needsAnotherRound && rounds < ArchiveScan.maxRounds
    return try review(state, request: request, progress: progress)
  }

  /// Assembles the kept messages and reviews each version that changes a watched file.
  private static func review(
    _ state: ScanState, request: ScanRequest, progress: (ScanProgress) -> Void
  ) throws(InputError) -> ScanResult {
    var state = state
    let groups = threadGroups(state.kept)
    var pending: [Message?] = state.kept
    state.kept = []
    var series: [ScannedSeries] = []
    var reviewed = 0
    // One group at a time: its messages are assembled, its versions reviewed, then all of it
    // is dropped but what the report shows.
    for group in groups {
      let assembled = SeriesAssembler.assemble(group.compactMap { pending[$0] })
      for k in group { pending[k] = nil }
      state.note(assembled.diagnostics.filter { $0.severity >= .warning })
      // Series: versions linked through `previous`, as the assembler linked them.
      var seriesOf: [Int] = []
      var members: [[Int]] = []
      var set = SeriesSet()
      for v in assembled.versions {
        let linked = v.previous.flatMap { $0 < seriesOf.count ? seriesOf[$0] : nil }
        seriesOf.append(linked ?? members.count)
        if linked == nil { members.append([]) }
        guard !watched(v).isEmpty else { continue }
        var v = v
        v.previous = nil
        set.versions.append(v)
        members[seriesOf[seriesOf.count - 1]].append(set.versions.count - 1)
      }
      guard !set.versions.isEmpty else { continue }
      try request.base.applyBases(to: &set)
      state.note(set.diagnostics)
      for m in members where !m.isEmpty {
        var versions: [ScannedVersion] = []
        for i in m {
          let v = set.versions[i]
          let report = ReviewPipeline.review(set: SeriesSet(versions: [v]))
          versions.append(ScannedVersion(v, watchedFiles: watched(v), report: report))
          reviewed += 1
          progress(ScanProgress(pass: 3, done: reviewed, total: nil, messages: state.messages))
        }
        series.append(ScannedSeries(versions: versions))
      }
    }
    series.sort { a, b in
      let x = a.versions.first.flatMap { epoch($0.date) } ?? Int.max
      let y = b.versions.first.flatMap { epoch($0.date) } ?? Int.max
      return (x, a.subject) < (y, b.subject)
    }
    return ScanResult(
      series: series, messages: state.messages, bytes: state.bytes, skipped: state.skipped,
      kept: state.keptCount, diagnostics: state.diagnostics,
      diagnosticsOmitted: state.diagnosticsOmitted)
  }

  /// The kept messages cut into groups that `SeriesAssembler` can assemble apart: messages
  /// joined by `In-Reply-To` or `References`, and patches, covers and replies of the same
  /// series title (the assembler links versions by title). Each group lists message indices in
  /// input order; groups come in order of their first message.
  static func threadGroups(_ messages: [Message]) -> [[Int]] {
    var parent = Array(messages.indices)
    func find(_ i: Int) -> Int {
      var i = i
      while parent[i] != i {
        parent[i] = parent[parent[i]]
        i = parent[i]
      }
      return i
    }
    func union(_ a: Int, _ b: Int) {
      let (x, y) = (find(a), find(b))
      if x != y { parent[max(x, y)] = min(x, y) }
    }
    var byID: [String: Int] = [:]
    var byTitle: [String: Int] = [:]
    for (i, m) in messages.enumerated() {
      if let id = m.messageID { byID[id] = byID[id] ?? i }
    }
    for (i, m) in messages.enumerated() {
      for id in [m.inReplyTo].compactMap({ $0 }) + m.references {
        if let j = byID[id] { union(i, j) }
      }
      let s = m.patchSubject
      let title = s.title.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" })
        .joined(separator: " ")
      guard s.isPatch, !title.isEmpty else { continue }
      if let j = byTitle[title] { union(i, j) } else { byTitle[title] = i }
    }
    var order: [Int: Int] = [:]
    var groups: [[Int]] = []
    for i in messages.indices {
      let r = find(i)
      if let g = order[r] {
        groups[g].append(i)
      } else {
        order[r] = groups.count
        groups.append([i])
      }
    }
    return groups
  }

  /// The watched files a version's patches change (old or new path), in order, once each.
  static func watched(_ v: SeriesVersion) -> [String] {
    var out: [String] = []
    for p in v.patches {
      for f in p.files {
        for path in [f.oldPath, f.path].compactMap({ $0 })
        where PatchSitePaths.isWatched(path) && !out.contains(path) {
          out.append(path)
        }
      }
    }
    return out
  }

  /// Seconds since the epoch of an ISO 8601 date as `MailDate.iso8601` writes it.
  static func epoch(_ iso: String?) -> Int? {
    guard let iso, iso.utf8.count >= 25 else { return nil }
    let u = Array(iso.utf8)
    func num(_ a: Int, _ n: Int) -> Int? {
      var v = 0
      for k in a..<(a + n) {
        guard u[k] >= 0x30, u[k] <= 0x39 else { return nil }
        v = v * 10 + Int(u[k] - 0x30)
      }
      return v
    }
    guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
      let mi = num(14, 2), let s = num(17, 2), let oh = num(20, 2), let om = num(23, 2)
    else { return nil }
    let offset = (u[19] == UInt8(ascii: "-") ? -1 : 1) * (oh * 60 + om)
    return MailDate(
      year: y, month: mo, day: d, hour: h, minute: mi, second: s, offsetMinutes: offset
    ).epochSeconds
  }
}

/// What the two passes learn and keep.
private struct ScanState {
  let since: MailDate?
  var messages = 0
  var bytes = 0
  var skipped = 0
  /// Pass 1: the patch-site patches (by identity) and the messages they answer.
  var relevant: Set<String> = []
  var parents: Set<String> = []
  /// Pass 2: the messages kept, and their Message-IDs.
  var kept: [Message] = []
  var keptIDs: Set<String> = []
  var keptCount = 0
  var diagnostics: [Diagnostic] = []
  var diagnosticsOmitted = 0

  init(since: MailDate?) { self.since = since }

  mutating func note(_ ds: [Diagnostic]) {
    let room = max(0, ArchiveScan.diagnosticLimit - diagnostics.count)
    diagnostics += ds.prefix(room)
    diagnosticsOmitted += max(0, ds.count - room)
  }

  func tooOld(_ m: Message) -> Bool {
    guard let since, let date = m.date else { return false }
    return date < since
  }

  /// The Message-ID, else where the message is (the same in both passes).
  static func identity(_ m: Message) -> String {
    m.messageID ?? "@\(m.location.description)"
  }

  mutating func firstPass(_ m: Message) {
    messages += 1
    if tooOld(m) {
      skipped += 1
      return
    }
    if m.patchSubject.isReply { return }
    let touched =
      m.isBodyDecoded
      ? PatchSitePaths.touched(inBody: m.body.utf8) : PatchSitePaths.touched(inBody: m.rawBody)
    guard !touched.isEmpty else { return }
    relevant.insert(Self.identity(m))
    if let parent = m.inReplyTo ?? m.references.last { parents.insert(parent) }
  }

  /// Pass 2: what the messages passed over in this round answer, in a filter of fixed size
  /// (memory stays flat), and the messages kept in this round.
  var answered = BloomFilter(bits: 1 << 23)
  var keptThisRound: [String] = []

  mutating func startRound() {
    answered.removeAll()
    keptThisRound = []
  }

  /// Whether a message passed over in this round may answer one kept later in it.
  var needsAnotherRound: Bool { keptThisRound.contains { answered.contains($0) } }

  mutating func secondPass(_ m: Message) {
    if tooOld(m) { return }
    let id = Self.identity(m)
    if keptIDs.contains(id) { return }  // kept in an earlier round
    var keep = relevant.contains(id) || parents.contains(id)
    if !keep, let up = m.inReplyTo {
      keep = relevant.contains(up) || parents.contains(up) || keptIDs.contains(up)
    }
    if !keep {
      keep = m.references.contains { relevant.contains($0) || parents.contains($0) }
    }
    guard keep else {
      if let up = m.inReplyTo { answered.insert(up) }
      return
    }
    // A copy made here, its body decoded on use: the kept mail costs its bytes, and pins none
    // of the memory of the batch it was read in.
    kept.append(MailStream.detached(m))
    keptIDs.insert(id)
    keptThisRound.append(id)
    keptCount += 1
  }
}

/// A Bloom filter of strings: `contains` is never wrong when it says no; a yes may be wrong
/// (about one time in 500 at a million entries in 8 Mbit), which costs an extra round, not a
/// missed message.
struct BloomFilter {
  private var words: [UInt64]

  init(bits: Int) { words = Array(repeating: 0, count: max(1, bits / 64)) }

  private func positions(_ s: String) -> [Int] {
    var a = Hasher()
    a.combine(s)
    var b = Hasher()
    b.combine(0x9e37_79b9)
    b.combine(s)
    let h1 = UInt64(bitPattern: Int64(a.finalize()))
    let h2 = UInt64(bitPattern: Int64(b.finalize())) | 1
    let m = UInt64(words.count * 64)
    return (0..<4).map { Int((h1 &+ UInt64($0) &* h2) % m) }
  }

  mutating func insert(_ s: String) {
    for p in positions(s) { words[p / 64] |= 1 << UInt64(p % 64) }
  }

  func contains(_ s: String) -> Bool {
    positions(s).allSatisfy { words[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }
  }

  mutating func removeAll() {
    for k in words.indices { words[k] = 0 }
  }
}

/// One archive: an mbox file or maildir, or a public-inbox's git repositories.
private struct ArchiveSource {
  enum Kind {
    case mail
    /// Epoch repositories, oldest first.
    case inbox([String])
  }

  var path: String
  var kind: Kind
  /// The size in bytes, when known before reading (an mbox file).
  var size: Int?

  static func open(_ path: String) throws(InputError) -> ArchiveSource {
    if path == "-" {
      throw InputError(
        "scan.unsupported", at: SourceLocation(file: path),
        "unsupported: scan reads each archive twice, so it cannot read standard input; "
          + "save it to a file")
    }
    switch try MailStream.kind(of: path) {
    case .mbox(let size): return ArchiveSource(path: path, kind: .mail, size: size)
    case .maildir: return ArchiveSource(path: path, kind: .mail, size: nil)
    case .otherDirectory:
      let fm = FileManager.default
      let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
      // A public-inbox v2 folder: git/0.git, git/1.git… in epoch order.
      var isDirectory: ObjCBool = false
      if fm.fileExists(atPath: "\(dir)/git", isDirectory: &isDirectory), isDirectory.boolValue {
        let names: [String]
        do {
          names = try fm.contentsOfDirectory(atPath: "\(dir)/git")
        } catch {
          throw InputError(
            "mail.cannot-read", at: SourceLocation(file: "\(dir)/git"),
            "cannot list: \(error.localizedDescription)")
        }
        let epochs =
          names.compactMap { n -> Int? in n.hasSuffix(".git") ? Int(n.dropLast(4)) : nil }.sorted()
        if !epochs.isEmpty {
          return ArchiveSource(path: path, kind: .inbox(epochs.map { "\(dir)/git/\($0).git" }))
        }
      }
      // A git repository itself (bare, as public-inbox keeps them, or with a work tree); not a
      // folder inside some other repository.
      if fm.fileExists(atPath: "\(dir)/HEAD") && fm.fileExists(atPath: "\(dir)/objects")
        || fm.fileExists(atPath: "\(dir)/.git")
      {
        return ArchiveSource(path: path, kind: .inbox([dir]))
      }
      throw InputError(
        "mail.not-mail", at: SourceLocation(file: path),
        "directory is neither a maildir (cur/, new/) nor a public-inbox git repository")
    }
  }

  /// Reads the archive, handing over batches of messages, their reading diagnostics and the
  /// bytes read so far in this archive.
  func read(
    pass: Int, chunkSize: Int, _ sink: ([Message], [Diagnostic], Int) -> Void
  ) throws(InputError) {
    switch kind {
    case .mail:
      try MailStream.read(
        path: path, bodies: pass == 1 ? .checked : .lazy, chunkSize: chunkSize
      ) { batch in
        sink(batch.messages, batch.diagnostics, batch.bytesRead)
      }
    case .inbox(let repos):
      var bytes = 0
      for repoPath in repos {
        let repo: Repository
        do throws(GitError) {
          repo = try Repository.open(path: repoPath)
        } catch {
          throw error.inputError(at: SourceLocation(file: repoPath))
        }
        var found = 0
        var commits = 0
        do throws(GitError) {
          try repo.forEachCommitFile(at: "m") { id, blob in
            commits += 1
            guard let blob else { return }
            found += 1
            bytes += blob.count
            let name = "\(repoPath)@\(id.abbreviated(12))"
            do throws(InputError) {
              let c = try MailInput.parse(
                bytes: blob, name: name, bodies: pass == 1 ? .checked : .lazy)
              sink(c.messages, c.diagnostics, bytes)
            } catch {
              sink(
                [],
                [Diagnostic(error.id, .warning, at: error.location, "\(error.reason); skipped")],
                bytes)
            }
          }
        } catch {
          throw error.inputError(at: SourceLocation(file: repoPath))
        }
        if commits > 0 && found == 0 {
          throw InputError(
            "scan.unsupported", at: SourceLocation(file: repoPath),
            "unsupported: no commit holds a message as the file 'm' (public-inbox v2); "
              + "other layouts (public-inbox v1) are not read")
        }
      }
    }
  }
}
