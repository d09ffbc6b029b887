import Diagnostics
import Diff
import Foundation
import Mail

#if canImport(Glibc)
  /// glibc's `int mallopt(int param, int value)` (`<malloc.h>`, which the Glibc module leaves
  /// out).
  @_silgen_name("mallopt")
  private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif

/// The C library's memory, as far as a long reader needs it.
enum Memory {
  /// Has every allocation of 256 KiB or more mapped on its own and unmapped when freed
  /// (glibc's `M_MMAP_THRESHOLD`, which otherwise rises to the largest block freed): the
  /// buffers a streaming reader allocates and frees for each chunk then leave no holes among
  /// what it keeps. Nothing on other C libraries.
  static func mapLargeBlocksAlone() {
    #if canImport(Glibc)
      _ = glibcMallopt(-3, 256 << 10)  // M_MMAP_THRESHOLD
    #endif
  }
}

/// Assembles mail messages into series versions.
///
/// How messages are sorted out:
/// - a **reply** is a message whose subject starts with `Re:` (or `Aw:` …), or a message that
///   answers another one and carries no diff;
/// - a **cover letter** is a `[PATCH … 0/N]` message;
/// - a **patch** is any other `[PATCH …]` message, or a message that is not a reply and carries a
///   diff;
/// - anything else is reported (`series.not-a-patch`) and left out of the series.
///
/// Patches are grouped into versions by the cover letter they answer (walking up In-Reply-To /
/// References); patches with no cover in the input are grouped by their subject tags, version and
/// total. Replies are attached to the patch or cover they answer, found by walking up the thread;
/// when that message is absent, by what their subject names (`Re: [PATCH v2 3/4]`). Versions of
/// the same series are linked by title.
public enum SeriesAssembler {
  /// Builds the series from `messages` (in input order); `diagnostics` from reading them are kept.
  /// Every patch keeps its parsed diff, and every message its body (see ``Keep/bodies``).
  public static func assemble(_ messages: [Message], diagnostics: [Diagnostic] = []) -> SeriesSet {
    assemble(messages.map { SeriesMail($0, keeping: .bodies) }, diagnostics: diagnostics)
  }

  /// Builds the series from messages already read into ``SeriesMail`` values.
  public static func assemble(_ mails: [SeriesMail], diagnostics: [Diagnostic] = []) -> SeriesSet {
    var builder = Builder(mails: mails)
    builder.diagnostics = diagnostics
    builder.run()
    return builder.result()
  }

  /// What the series model keeps of each message besides what `patchsite series` shows
  /// (subjects, ids, authors, dates, trailers, the files and hunk headers of each patch).
  public enum Keep: Sendable, Hashable, Comparable {
    /// Nothing more: `SeriesMessage.body` and `ReplyRef.body` are empty, `SeriesPatch.diff`
    /// is nil. What `series` needs without a base, in memory that follows the model.
    case summaries
    /// Each patch's parsed diff too (`SeriesPatch.diff`), to apply it to a base tree.
    case diffs
    /// Diffs and every body: what review, layout and reply read.
    case bodies
  }
}

extension SeriesAssembler {
  /// Reads the mail at `path` — an mbox or single message, a maildir, a folder of `.patch`
  /// files, or `-` for stdin — and assembles its series, keeping `keep` of each message.
  ///
  /// A file is read as a stream, a few megabytes at a time, its messages read on every CPU:
  /// each message becomes a ``SeriesMail`` and is dropped, so the memory follows the model and
  /// not the input. Gives what `assemble(MailInput.load(path:))` gives, less what `keep`
  /// leaves out.
  /// - Throws: `mail.cannot-read`, `mail.not-mail` (see `MailInput.load(path:)`).
  public static func read(path: String, keeping keep: Keep) throws(InputError) -> SeriesSet {
    if path != "-", case .mbox(let size)? = try? MailStream.kind(of: path) {
      var mails: [SeriesMail] = []
      var diagnostics: [Diagnostic] = []
      var pool = StringPool()
      try MailStream.read(mbox: path, map: { SeriesMail($0, keeping: keep) }) {
        items, found, bytesRead in
        if mails.isEmpty, bytesRead > 0, size > bytesRead {
          // Room for the whole file at the rate of the first chunk, so the array is not
          // copied as it grows.
          mails.reserveCapacity(items.count * (size / bytesRead + 1))
        }
        for var m in items {
          pool.share(&m)
          mails.append(m)
        }
        diagnostics += found
      }
      let set = assemble(mails, diagnostics: diagnostics)
      // The set keeps what it shows of the messages; the rest is freed beside the caller's
      // next step (writing the report), not before it.
      Spread.releaseLater(&mails)
      return set
    }
    let mail = try MailInput.load(path: path)
    return assemble(
      mail.messages.map { SeriesMail($0, keeping: keep) }, diagnostics: mail.diagnostics)
  }
}

extension SeriesAssembler {
  /// Reads the mbox file at `path` in two passes, for files too large to hold their model:
  /// the first keeps of each message only what grouping needs (`Builder.Entry`, its thread
  /// links as hashes) and where it lies; ``SeriesStream/version(_:)`` then reads one version's
  /// messages again. Message-IDs are told apart by a 64-bit hash: two different IDs would have
  /// to collide for the threads to differ from one pass's.
  /// Gives, version by version, what `read(path:keeping: .summaries)` gives.
  /// - Throws: `mail.cannot-read`, `mail.not-mail`; `unsupported` when `path` is not an mbox
  ///   file (a maildir, a folder, stdin).
  public static func stream(path: String) throws(InputError) -> SeriesStream {
    guard path != "-", case .mbox(let size)? = try? MailStream.kind(of: path) else {
      throw InputError(
        "unsupported", at: SourceLocation(file: path),
        "unsupported: reading in two passes needs an mbox file")
    }
    // Of each message: what the grouping reads, its Message-ID and what it answers as hashes
    // (the ID's text only until its batch is noted, for a duplicate's diagnostic).
    struct Noted: Sendable {
      var entry: Builder.Entry
      var subject: String?
      var id: String?
      var idHash: Int?
      var answers: [Int]
    }
    @Sendable func hash(_ s: String) -> Int {
      var h = Hasher()
      h.combine(s)
      return h.finalize()
    }
    var entries: [Builder.Entry] = []
    var subjects = Builder.SubjectBytes()
    var answers: [Int] = []
    var answersStart: [Int32] = [0]
    var byID: [Int: Int32] = [:]
    var threadDiagnostics: [Diagnostic] = []
    var diagnostics: [Diagnostic] = []
    Memory.mapLargeBlocksAlone()
    try MailStream.read(
      mbox: path,
      map: { m in
        let mail = SeriesMail(m, keeping: .summaries)
        let links = mail.links
        return Noted(
          entry: Builder.Entry(mail), subject: mail.subjectText, id: links.messageID,
          idHash: links.messageID.map(hash),
          answers: (links.inReplyTo.map { [$0] } ?? []).map(hash)
            + links.references.reversed().map(hash))
      }
    ) { items, found, bytesRead in
      if entries.count + items.count > entries.capacity, bytesRead > 0 {
        // Room for the whole file at the rate seen so far (corrected as the rate changes),
        // rather than doubling: the array is most of what is kept.
        let seen = Double(entries.count + items.count)
        let expected = Int(seen * Double(max(size, bytesRead)) / Double(bytesRead) * 1.02) + 64
        entries.reserveCapacity(max(expected, entries.count + items.count))
        answersStart.reserveCapacity(max(expected, entries.count + items.count) + 1)
        subjects.reserve(expected, seen: entries.count)
      }
      for var n in items {
        let k = entries.count
        subjects.add(n.subject, to: &n.entry)
        if let h = n.idHash, let id = n.id {
          if let first = byID[h] {
            // As `MailThreads` says it.
            threadDiagnostics.append(
              Diagnostic(
                "mail.duplicate-message-id", .warning, at: n.entry.location,
                "Message-ID <\(id)> already used by the message at \(entries[Int(first)].location)")
            )
          } else {
            byID[h] = Int32(k)
          }
        }
        entries.append(n.entry)
        answers += n.answers
        answersStart.append(Int32(answers.count))
      }
      diagnostics += found
    }
    // Parents as `MailThreads.build` finds them: the first candidate present that closes no
    // cycle.
    var parents = [Int32](repeating: -1, count: entries.count)
    var children = [Int32](repeating: 0, count: entries.count)
    func isAncestor(_ a: Int, of b: Int) -> Bool {
      var cur = b
      var steps = 0
      while cur >= 0, steps <= entries.count {
        if cur == a { return true }
        cur = Int(parents[cur])
        steps += 1
      }
      return false
    }
    for k in entries.indices {
      for c in answers[Int(answersStart[k])..<Int(answersStart[k + 1])] {
        guard let found = byID[c] else { continue }
        let p = Int(found)
        guard p != k, children[k] == 0 || !isAncestor(k, of: p) else { continue }
        parents[k] = Int32(p)
        children[p] += 1
        break
      }
    }
    byID = [:]
    answers = []
    var builder = Builder(
      entries: entries, subjects: subjects, parents: parents,
      threadDiagnostics: threadDiagnostics)
    builder.diagnostics = diagnostics
    builder.run()
    var all = builder.diagnostics
    let plans = builder.ordered(diagnostics: &all)
    return SeriesStream(
      builder: builder, plans: plans, diagnostics: all, reader: try MboxRereader(path: path))
  }
}

/// The series of one mbox file read in two passes (``SeriesAssembler/stream(path:)``): every
/// version, reply and diagnostic in the order of ``SeriesSet``, each version read again from
/// the file when it is asked for, so that only the grouping of the messages stays in memory.
public struct SeriesStream {
  fileprivate let builder: Builder
  fileprivate let plans: [Builder.Plan]
  /// What ``SeriesSet/diagnostics`` would hold.
  public let diagnostics: [Diagnostic]
  private let reader: MboxRereader

  fileprivate init(
    builder: Builder, plans: [Builder.Plan], diagnostics: [Diagnostic], reader: MboxRereader
  ) {
    self.builder = builder
    self.plans = plans
    self.diagnostics = diagnostics
    self.reader = reader
  }

  public var versionCount: Int { plans.count }
  public var unassignedCount: Int { builder.unassigned.count }

  /// The version number of version `n`'s previous version, if the input has one.
  public func previousVersion(of n: Int) -> Int? { plans[n].previous.map { plans[$0].version } }

  /// Version `n`, its messages read again; `previous` is its previous version's index.
  /// - Throws: `mail.cannot-read` or `mail.changed` when the file cannot be read again as it was.
  public func version(_ n: Int) throws(InputError) -> SeriesVersion {
    let p = plans[n]
    var whole: [Int: SeriesMail] = [:]
    for i in p.messages(in: builder.groups[p.group]) where whole[i] == nil {
      whole[i] = try reread(i)
    }
    var v = builder.build(p) { whole[$0] }
    v.previous = p.previous
    return v
  }

  /// Unassigned reply `n`, read again.
  public func unassigned(_ n: Int) throws(InputError) -> ReplyRef {
    builder.reply(try reread(builder.unassigned[n]), index: nil)
  }

  private func reread(_ i: Int) throws(InputError) -> SeriesMail {
    let light = builder.entries[i]
    guard let span = light.span else {
      throw InputError(
        "mail.cannot-read", at: light.location, "the message's place in the file was not noted")
    }
    return SeriesMail(try reader.message(at: span), keeping: .summaries)
  }
}

/// The work of `SeriesAssembler`, with the state it needs in one place.
private struct Builder {
  typealias Role = SeriesMail.Role

  struct GroupKey: Hashable {
    var tags: [String]
    var version: Int
    var total: Int?
    /// The cover letter's index among the messages, when the group hangs off one.
    var cover: Int?
  }

  struct Group {
    var key: GroupKey
    var cover: Int?
    var patches: [Int] = []
    var replies: [Int] = []
    var firstSeen: Int
  }

  /// What the grouping reads of a message: kept for every message of the input.
  struct Entry {
    var role: Role
    var numbers: (version: Int32, index: Int32, total: Int32)
    /// Where the subject's bytes lie in the builder's `SubjectBytes`; count -1 without one.
    var subjectStart: Int
    var subjectCount: Int32
    var location: SourceLocation
    var diagnostics: [Diagnostic]
    var span: MessageSpan?

    init(_ m: SeriesMail) {
      role = m.role
      func small(_ n: Int?) -> Int32 { n.map { Int32(clamping: $0) } ?? -1 }
      numbers = (Int32(clamping: m.version), small(m.index), small(m.total))
      subjectStart = 0
      subjectCount = -1
      location = m.location
      diagnostics = m.diagnostics
      span = m.span
    }

    var version: Int { Int(numbers.version) }
    var index: Int? { numbers.index < 0 ? nil : Int(numbers.index) }
    var total: Int? { numbers.total < 0 ? nil : Int(numbers.total) }
  }

  /// Every message's subject, one after the other in one array: a `String` each would cost
  /// about twice their bytes.
  struct SubjectBytes: Sendable {
    var bytes: [UInt8] = []

    /// Notes `subject` as `entry`'s.
    mutating func add(_ subject: String?, to entry: inout Entry) {
      guard var subject else {
        entry.subjectCount = -1
        return
      }
      entry.subjectStart = bytes.count
      subject.withUTF8 { bytes.append(contentsOf: $0) }
      entry.subjectCount = Int32(clamping: bytes.count - entry.subjectStart)
    }

    /// Room for the subjects of `expected` messages at the rate of the `seen` ones so far.
    mutating func reserve(_ expected: Int, seen: Int) {
      guard seen > 0, !bytes.isEmpty else { return }
      let estimate = Int(Double(bytes.count) / Double(seen) * Double(expected) * 1.02)
      bytes.reserveCapacity(max(bytes.count, estimate))
    }

    func text(_ e: Entry) -> String? {
      guard e.subjectCount >= 0 else { return nil }
      return String(
        decoding: bytes[e.subjectStart..<(e.subjectStart + Int(e.subjectCount))], as: UTF8.self)
    }
  }

  let subjects: SubjectBytes

  /// Message `i`'s subject as decoded, nil without one.
  func subjectText(_ i: Int) -> String? { subjects.text(entries[i]) }
  /// Message `i`'s subject read as a patch subject.
  func subject(_ i: Int) -> PatchSubject { PatchSubject.parse(subjectText(i) ?? "") }
  /// Message `i`'s title (`subject(i).title`).
  func title(_ i: Int) -> String { PatchSubject.title(of: subjectText(i) ?? "") }

  let entries: [Entry]
  /// Each message's parent in the thread, -1 for none.
  let parents: [Int32]
  let threadDiagnostics: [Diagnostic]
  /// The messages whole, when they are all kept (one pass); empty in two passes.
  let mails: [SeriesMail]
  var groups: [Group] = []
  var groupOf: [Int: Int] = [:]  // message index → group index (covers and patches)
  var unassigned: [Int] = []
  /// Reply index → the cover or patch index it answers (absent when that message is missing).
  var replyTarget: [Int: Int] = [:]
  var diagnostics: [Diagnostic] = []

  init(mails: [SeriesMail]) {
    // The threads (with their parents) and the entries do not depend on each other: one core
    // makes each.
    enum Part {
      case threads(parents: [Int32], diagnostics: [Diagnostic])
      case entries([Entry], SubjectBytes)
    }
    var parents: [Int32] = []
    var threadDiagnostics: [Diagnostic] = []
    var entries: [Entry] = []
    var subjects = SubjectBytes()
    let parts = Spread.map(2, run: 1) { k -> Part in
      if k == 0 {
        let threads = MailThreads.build(links: mails.map(\.links))
        return .threads(
          parents: mails.indices.map { Int32(threads.parent(of: $0) ?? -1) },
          diagnostics: threads.diagnostics)
      }
      var subjects = SubjectBytes()
      // Through the buffer: a closure over the array's elements would copy each message.
      let entries = mails.withUnsafeBufferPointer { buf in
        buf.indices.map { k in
          var e = Entry(buf[k])
          subjects.add(buf[k].subjectText, to: &e)
          return e
        }
      }
      return .entries(entries, subjects)
    }
    for part in parts {
      switch part {
      case .threads(let p, let d): (parents, threadDiagnostics) = (p, d)
      case .entries(let e, let s): (entries, subjects) = (e, s)
      }
    }
    self.entries = entries
    self.subjects = subjects
    self.parents = parents
    self.threadDiagnostics = threadDiagnostics
    self.mails = mails
  }

  /// For a second pass: `parents` and `threadDiagnostics` as `MailThreads` gives them.
  init(
    entries: [Entry], subjects: SubjectBytes, parents: [Int32], threadDiagnostics: [Diagnostic]
  ) {
    self.entries = entries
    self.subjects = subjects
    self.parents = parents
    self.threadDiagnostics = threadDiagnostics
    self.mails = []
  }

  func parent(of i: Int) -> Int? {
    let p = parents[i]
    return p < 0 ? nil : Int(p)
  }

  mutating func run() {
    diagnostics.append(contentsOf: threadDiagnostics)
    classify()
    groupCoversAndPatches()
    attachReplies()
  }

  // MARK: Sorting messages out

  /// Each message was sorted out when it was read (`SeriesMail`); its findings are reported
  /// here, in input order.
  mutating func classify() {
    for e in entries { diagnostics.append(contentsOf: e.diagnostics) }
  }

  /// The series tags that identify a posting: the bracket words but PATCH, RESEND, the version
  /// and the count, lower-cased.
  static func seriesTags(_ s: PatchSubject) -> [String] {
    var tags: [String] = []
    for t in displayTags(s) {
      let l = SeriesWords.asciiLowercased(t) ?? t.lowercased()
      if l != "resend" { tags.append(l) }
    }
    return tags
  }

  /// The bracket words worth showing: all but PATCH, the version and the count.
  static func displayTags(_ s: PatchSubject) -> [String] {
    s.tags.filter { t in !SeriesWords.isNumbering(t) }
  }

  mutating func groupCoversAndPatches() {
    var byKey: [GroupKey: Int] = [:]
    func group(for key: GroupKey, seen: Int) -> Int {
      if let g = byKey[key] { return g }
      groups.append(Group(key: key, cover: key.cover, firstSeen: seen))
      byKey[key] = groups.count - 1
      return groups.count - 1
    }
    // Covers first, so patches can find them.
    for (i, e) in entries.enumerated() where e.role == .cover {
      let key = GroupKey(
        tags: Self.seriesTags(subject(i)), version: e.version, total: e.total,
        cover: i)
      let g = group(for: key, seen: i)
      groupOf[i] = g
    }
    // The cover letters' groups by tags, version and total (no group made below has a cover).
    var coverGroups: [GroupKey: [Int]] = [:]
    for (gi, g) in groups.enumerated() where g.cover != nil {
      coverGroups[
        GroupKey(tags: g.key.tags, version: g.key.version, total: g.key.total), default: []
      ]
      .append(gi)
    }
    for (i, e) in entries.enumerated() where e.role == .patch {
      let g: Int
      if let cover = coverAncestor(of: i, version: e.version), let cg = groupOf[cover] {
        g = cg
      } else {
        let tags = Self.seriesTags(subject(i))
        // An unthreaded patch joins the one cover letter with the same tags, version and total.
        let covers =
          e.total == nil
          ? []
          : coverGroups[GroupKey(tags: tags, version: e.version, total: e.total)]
            ?? []
        if covers.count == 1, let only = covers.first {
          g = only
        } else {
          let key = GroupKey(
            tags: tags, version: e.version,
            total: e.index == nil ? nil : e.total, cover: nil)
          // A lone patch ([PATCH] x) is a series of its own.
          if e.index == nil {
            groups.append(Group(key: key, cover: nil, firstSeen: i))
            g = groups.count - 1
          } else {
            g = group(for: key, seen: i)
          }
        }
      }
      groups[g].patches.append(i)
      groupOf[i] = g
    }
  }

  /// The nearest ancestor of message `i` that `test` accepts.
  ///
  /// The walk ends at a root, back at `i`, or after as many steps as there are messages: it
  /// stops where remembering every message seen would (`MailThreads` lets no message be its
  /// own ancestor, so there is no loop to go round), without a set for each walk.
  func ancestor(of i: Int, where test: (Int) -> Bool) -> Int? {
    var cur = parent(of: i)
    var steps = 0
    while let p = cur, p != i, steps < entries.count {
      if test(p) { return p }
      cur = parent(of: p)
      steps += 1
    }
    return nil
  }

  /// The nearest ancestor of message `i` that is a cover letter of the same version.
  func coverAncestor(of i: Int, version: Int) -> Int? {
    ancestor(of: i) { entries[$0].role == .cover && entries[$0].version == version }
  }

  // MARK: Replies

  mutating func attachReplies() {
    // The first group of each tags and version, and of each tags, version and total: where a
    // reply whose patch is absent goes, by its subject (kept up to date as groups are made).
    var firstOf: [GroupKey: Int] = [:]
    var firstWithTotal: [GroupKey: Int] = [:]
    func index(_ gi: Int) {
      let k = groups[gi].key
      let any = GroupKey(tags: k.tags, version: k.version, total: nil)
      if firstOf[any] == nil { firstOf[any] = gi }
      if let total = k.total {
        let exact = GroupKey(tags: k.tags, version: k.version, total: total)
        if firstWithTotal[exact] == nil { firstWithTotal[exact] = gi }
      }
    }
    for gi in groups.indices { index(gi) }
    for (i, e) in entries.enumerated() where e.role == .reply {
      // Walk up to the nearest cover or patch in the input.
      let target = ancestor(of: i) { groupOf[$0] != nil }
      if let t = target, let g = groupOf[t] {
        groups[g].replies.append(i)
        replyTarget[i] = t
        continue
      }
      // The message it answers is absent: go by what its subject names.
      let s = subject(i)
      guard s.isPatch else {
        unassigned.append(i)
        diagnostics.append(
          Diagnostic(
            "series.orphan-reply", .note, at: e.location,
            "reply '\(subjectText(i) ?? "")' answers a message that is not in the input"))
        continue
      }
      let tags = Self.seriesTags(s)
      var g =
        s.total == nil
        ? firstOf[GroupKey(tags: tags, version: s.version, total: nil)]
        : firstWithTotal[GroupKey(tags: tags, version: s.version, total: s.total)]
      if g == nil {
        groups.append(
          Group(
            key: GroupKey(tags: tags, version: s.version, total: s.total, cover: nil),
            cover: nil, firstSeen: i))
        g = groups.count - 1
        index(groups.count - 1)
      }
      guard let gi = g else { continue }
      groups[gi].replies.append(i)
      // Attach to the patch the subject names, when that patch is present.
      if let idx = s.index,
        let patch = groups[gi].patches.first(where: { entries[$0].index == idx })
      {
        replyTarget[i] = patch
      } else if s.index == 0, let cover = groups[gi].cover {
        replyTarget[i] = cover
      }
    }
  }

  // MARK: Result

  /// A version as the grouping decides it, from what every message keeps in both readings
  /// (`Entry`): its patches, total, missing ones and title.
  struct Plan {
    var group: Int
    var version: Int
    var title: String
    /// The patches sorted by index, a repeated index included (its `base-commit:` counts).
    var sorted: [Int]
    /// The patches used: the first of each index.
    var kept: [Int]
    var total: Int?
    var missing: [Int]
    /// The plan of the previous version of the same series, in the ordered plans.
    var previous: Int?

    /// Every message the version is built from.
    func messages(in g: Group) -> [Int] { (g.cover.map { [$0] } ?? []) + sorted + g.replies }
  }

  func result() -> SeriesSet {
    var diagnostics = self.diagnostics
    let plans = ordered(diagnostics: &diagnostics)
    // Each version is built from its plan and the messages alone: on every core.
    let versions = Spread.map(plans.count) { k in
      var v = build(plans[k]) { mails[$0] }
      v.previous = plans[k].previous
      return v
    }
    let unassignedReplies = unassigned.map { reply(mails[$0], index: nil) }
    return SeriesSet(versions: versions, unassigned: unassignedReplies, diagnostics: diagnostics)
  }

  /// The plans of every group in the report's order: series by first appearance, versions
  /// ascending, each linked to the version before it. Their diagnostics go to `diagnostics`.
  func ordered(diagnostics: inout [Diagnostic]) -> [Plan] {
    let order = groups.indices.sorted { groups[$0].firstSeen < groups[$1].firstSeen }
    // Planned on every core, each group's diagnostics apart, then joined in order.
    // Each plan's title key is made there too.
    let planned = Spread.map(order.count) { k in
      var found: [Diagnostic] = []
      let p = plan(order[k], diagnostics: &found)
      return (p, found, Self.normalizedTitle(p.title))
    }
    let plans = planned.map(\.0)
    for (_, found, _) in planned { diagnostics += found }
    var titleOrder: [String] = []
    var byTitle: [String: [Int]] = [:]
    for i in planned.indices {
      let key = planned[i].2
      if byTitle[key] == nil { titleOrder.append(key) }
      byTitle[key, default: []].append(i)
    }
    var sorted: [Plan] = []
    sorted.reserveCapacity(plans.count)
    for key in titleOrder {
      let members = (byTitle[key] ?? []).sorted { plans[$0].version < plans[$1].version }
      var prev: Int?
      for m in members {
        var p = plans[m]
        p.previous = nil
        if let q = prev, sorted[q].version < p.version { p.previous = q }
        sorted.append(p)
        prev = sorted.count - 1
      }
    }
    return sorted
  }

  static func normalizedTitle(_ t: String) -> String { SeriesWords.normalizedTitle(t) }

  func plan(_ gi: Int, diagnostics: inout [Diagnostic]) -> Plan {
    let g = groups[gi]
    let coverEntry = g.cover.map { entries[$0] }
    var kept: [Int] = []
    var seenIndex: [Int: Int] = [:]
    let sortedPatches = g.patches.sorted {
      (entries[$0].index ?? 1, $0) < (entries[$1].index ?? 1, $1)
    }
    for pi in sortedPatches {
      let e = entries[pi]
      let index = e.index ?? 1
      if let first = seenIndex[index] {
        diagnostics.append(
          Diagnostic(
            "series.duplicate-patch", .warning, at: e.location,
            "patch \(index) of v\(g.key.version) appears again (first at \(entries[first].location)); the first is used"
          ))
        continue
      }
      seenIndex[index] = pi
      kept.append(pi)
    }
    var total = g.key.total
    if total == nil, let c = coverEntry { total = c.total }
    var missing: [Int] = []
    if let t = total, t > 0 {
      missing = (1...min(t, 10_000)).filter { seenIndex[$0] == nil }
      if !missing.isEmpty {
        let at =
          coverEntry?.location ?? kept.first.map { entries[$0].location }
          ?? g.replies.first.map { entries[$0].location }
          ?? SourceLocation(file: entries.first?.location.file ?? "")
        diagnostics.append(
          Diagnostic(
            "series.missing-patch", .warning, at: at,
            "v\(g.key.version) announces \(t) patches; not in the input: \(describeRanges(missing))"
          ))
      }
    }
    if total == nil && kept.isEmpty {
      // Only replies name this lone patch; the patch itself is absent.
      missing = [1]
      if let r = g.replies.first {
        diagnostics.append(
          Diagnostic(
            "series.missing-patch", .warning, at: entries[r].location,
            "the patch '\(title(r))' (v\(g.key.version)) is not in the input"))
      }
    }
    let title =
      g.cover.map { self.title($0) }
      ?? sortedPatches.first.map { self.title($0) }
      ?? g.replies.first.map { self.title($0) } ?? ""
    return Plan(
      group: gi, version: g.key.version, title: title, sorted: sortedPatches, kept: kept,
      total: total, missing: missing, previous: nil)
  }

  /// The version `p` plans, its messages given whole by `entry` (by message index): every one
  /// of `p.messages(in:)`. One that `entry` does not give is left out.
  func build(_ p: Plan, entry: (Int) -> SeriesMail?) -> SeriesVersion {
    let g = groups[p.group]
    let coverEntry = g.cover.flatMap(entry)
    var patches = p.kept.compactMap { makePatch($0, group: g, entry: entry) }
    // Trailers given in replies to the cover apply to every patch of the version.
    if let c = g.cover {
      for r in g.replies where replyTarget[r] == c {
        let given = entry(r)?.trailers ?? []
        for k in patches.indices { patches[k].trailers.append(contentsOf: given) }
      }
    }
    let versionReplies = g.replies.filter { r in
      guard let t = replyTarget[r] else { return true }
      return t == g.cover
    }.compactMap { r in
      entry(r).map { reply($0, index: replyTarget[r] == nil ? entries[r].index : nil) }
    }
    // The first `base-commit:` of the cover and the patches, in order (the patches after the
    // first that has one are not looked at).
    var base = coverEntry?.baseCommit
    for pi in p.sorted where base == nil { base = entry(pi)?.baseCommit }
    let tags = Self.displayTags(
      coverEntry?.subject ?? p.sorted.first.map { subject($0) }
        ?? g.replies.first.map { subject($0) } ?? PatchSubject())
    return SeriesVersion(
      version: g.key.version, title: p.title, tags: tags,
      cover: coverEntry.map(message), patches: patches, total: p.total,
      missing: p.missing, replies: versionReplies, baseCommit: base, origin: .mail)
  }

  func makePatch(_ pi: Int, group g: Group, entry: (Int) -> SeriesMail?) -> SeriesPatch? {
    guard let e = entry(pi) else { return nil }
    var trailers = e.trailers
    var replies: [ReplyRef] = []
    for r in g.replies where replyTarget[r] == pi {
      guard let m = entry(r) else { continue }
      replies.append(reply(m, index: nil))
      trailers.append(contentsOf: m.trailers)
    }
    let index = e.index ?? 1
    let total = e.total ?? 1
    return SeriesPatch(
      index: index, total: total, message: message(e), trailers: trailers,
      replies: replies, files: e.files, diff: e.diff)
  }

  func message(_ m: SeriesMail) -> SeriesMessage {
    SeriesMessage(
      subject: m.subjectText ?? "", messageID: m.links.messageID, author: m.author,
      date: m.date, location: m.location, body: m.body)
  }

  func reply(_ m: SeriesMail, index: Int?) -> ReplyRef {
    ReplyRef(
      messageID: m.links.messageID, author: m.author, subject: m.subjectText ?? "",
      date: m.date, location: m.location, body: m.body, inReplyToIndex: index)
  }
}
