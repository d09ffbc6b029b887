import Diagnostics
import Diff
import Foundation
import Mail

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
      return assemble(mails, diagnostics: diagnostics)
    }
    let mail = try MailInput.load(path: path)
    return assemble(
      mail.messages.map { SeriesMail($0, keeping: keep) }, diagnostics: mail.diagnostics)
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

  let threads: MailThreads
  let entries: [SeriesMail]
  var groups: [Group] = []
  var groupOf: [Int: Int] = [:]  // message index → group index (covers and patches)
  var unassigned: [Int] = []
  /// Reply index → the cover or patch index it answers (absent when that message is missing).
  var replyTarget: [Int: Int] = [:]
  var diagnostics: [Diagnostic] = []

  init(mails: [SeriesMail]) {
    self.entries = mails
    self.threads = MailThreads.build(links: mails.map(\.links))
  }

  mutating func run() {
    diagnostics.append(contentsOf: threads.diagnostics)
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
    displayTags(s).filter { $0.lowercased() != "resend" }.map { $0.lowercased() }
  }

  /// The bracket words worth showing: all but PATCH, the version and the count.
  static func displayTags(_ s: PatchSubject) -> [String] {
    s.tags.filter { t in
      let l = t.lowercased()
      if l == "patch" { return false }
      if isCount(l) { return false }
      for prefix in ["v", "patchv", "patch-v"] where l.hasPrefix(prefix) {
        let rest = l.dropFirst(prefix.count)
        if !rest.isEmpty, rest.allSatisfy(\.isNumber) { return false }
      }
      return true
    }
  }

  /// `3/4`, `03/10`.
  static func isCount(_ t: String) -> Bool {
    let parts = t.split(separator: "/", omittingEmptySubsequences: false)
    return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
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
        tags: Self.seriesTags(e.subject), version: e.version, total: e.total,
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
        let tags = Self.seriesTags(e.subject)
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

  /// The nearest ancestor of message `i` that is a cover letter of the same version.
  func coverAncestor(of i: Int, version: Int) -> Int? {
    var seen: Set<Int> = [i]
    var cur = threads.parent(of: i)
    while let p = cur, !seen.contains(p) {
      seen.insert(p)
      if entries[p].role == .cover && entries[p].version == version { return p }
      cur = threads.parent(of: p)
    }
    return nil
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
      var seen: Set<Int> = [i]
      var cur = threads.parent(of: i)
      var target: Int?
      while let p = cur, !seen.contains(p) {
        seen.insert(p)
        if groupOf[p] != nil {
          target = p
          break
        }
        cur = threads.parent(of: p)
      }
      if let t = target, let g = groupOf[t] {
        groups[g].replies.append(i)
        replyTarget[i] = t
        continue
      }
      // The message it answers is absent: go by what its subject names.
      let s = e.subject
      guard s.isPatch else {
        unassigned.append(i)
        diagnostics.append(
          Diagnostic(
            "series.orphan-reply", .note, at: e.location,
            "reply '\(e.subjectText ?? "")' answers a message that is not in the input"))
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

  func result() -> SeriesSet {
    var diagnostics = self.diagnostics
    var versions: [SeriesVersion] = []
    let order = groups.indices.sorted { groups[$0].firstSeen < groups[$1].firstSeen }
    for gi in order {
      let g = groups[gi]
      var v = makeVersion(g, diagnostics: &diagnostics)
      v.previous = nil
      versions.append(v)
    }
    // Link versions of one series by title, and order them: series by first appearance,
    // versions ascending.
    var titleOrder: [String] = []
    var byTitle: [String: [Int]] = [:]
    for (i, v) in versions.enumerated() {
      let key = Self.normalizedTitle(v.title)
      if byTitle[key] == nil { titleOrder.append(key) }
      byTitle[key, default: []].append(i)
    }
    var sorted: [SeriesVersion] = []
    for key in titleOrder {
      let members = (byTitle[key] ?? []).sorted { versions[$0].version < versions[$1].version }
      var prev: Int?
      for m in members {
        var v = versions[m]
        if let p = prev, sorted[p].version < v.version { v.previous = p }
        sorted.append(v)
        prev = sorted.count - 1
      }
    }
    let unassignedReplies = unassigned.map { reply($0, index: nil) }
    return SeriesSet(versions: sorted, unassigned: unassignedReplies, diagnostics: diagnostics)
  }

  static func normalizedTitle(_ t: String) -> String {
    t.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
  }

  func makeVersion(_ g: Group, diagnostics: inout [Diagnostic]) -> SeriesVersion {
    let coverEntry = g.cover.map { entries[$0] }
    var patches: [SeriesPatch] = []
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
      patches.append(makePatch(pi, group: g))
    }
    // Trailers given in replies to the cover apply to every patch of the version.
    if let c = g.cover {
      for r in g.replies where replyTarget[r] == c {
        let given = replyTrailers(r)
        for k in patches.indices { patches[k].trailers.append(contentsOf: given) }
      }
    }
    var total = g.key.total
    if total == nil, let c = coverEntry { total = c.total }
    var missing: [Int] = []
    if let t = total, t > 0 {
      missing = (1...min(t, 10_000)).filter { seenIndex[$0] == nil }
      if !missing.isEmpty {
        let at =
          coverEntry?.location ?? patches.first?.message.location
          ?? g.replies.first.map { entries[$0].location }
          ?? SourceLocation(file: entries.first?.location.file ?? "")
        diagnostics.append(
          Diagnostic(
            "series.missing-patch", .warning, at: at,
            "v\(g.key.version) announces \(t) patches; not in the input: \(describeRanges(missing))"
          ))
      }
    }
    if total == nil && patches.isEmpty {
      // Only replies name this lone patch; the patch itself is absent.
      missing = [1]
      if let r = g.replies.first {
        diagnostics.append(
          Diagnostic(
            "series.missing-patch", .warning, at: entries[r].location,
            "the patch '\(entries[r].subject.title)' (v\(g.key.version)) is not in the input"))
      }
    }
    let title =
      coverEntry?.subject.title
      ?? sortedPatches.first.map { entries[$0].subject.title }
      ?? g.replies.first.map { entries[$0].subject.title } ?? ""
    let versionReplies = g.replies.filter { r in
      guard let t = replyTarget[r] else { return true }
      return t == g.cover
    }.map { r in reply(r, index: replyTarget[r] == nil ? entries[r].index : nil) }
    let base = ([coverEntry].compactMap { $0 } + sortedPatches.map { entries[$0] })
      .lazy.compactMap(\.baseCommit).first
    let tags = Self.displayTags(
      coverEntry?.subject ?? sortedPatches.first.map { entries[$0].subject }
        ?? g.replies.first.map { entries[$0].subject } ?? PatchSubject())
    return SeriesVersion(
      version: g.key.version, title: title, tags: tags,
      cover: coverEntry.map(message), patches: patches, total: total,
      missing: missing, replies: versionReplies, baseCommit: base, origin: .mail)
  }

  func makePatch(_ pi: Int, group g: Group) -> SeriesPatch {
    let e = entries[pi]
    var trailers = e.trailers
    var replies: [ReplyRef] = []
    for r in g.replies where replyTarget[r] == pi {
      replies.append(reply(r, index: nil))
      trailers.append(contentsOf: replyTrailers(r))
    }
    let index = e.index ?? 1
    let total = e.total ?? 1
    return SeriesPatch(
      index: index, total: total, message: message(e), trailers: trailers,
      replies: replies, files: e.files, diff: e.diff)
  }

  func replyTrailers(_ r: Int) -> [TrailerEntry] { entries[r].trailers }

  func message(_ m: SeriesMail) -> SeriesMessage {
    SeriesMessage(
      subject: m.subjectText ?? "", messageID: m.links.messageID, author: m.author,
      date: m.date, location: m.location, body: m.body)
  }

  func reply(_ r: Int, index: Int?) -> ReplyRef {
    let m = entries[r]
    return ReplyRef(
      messageID: m.links.messageID, author: m.author, subject: m.subjectText ?? "",
      date: m.date, location: m.location, body: m.body, inReplyToIndex: index)
  }
}
