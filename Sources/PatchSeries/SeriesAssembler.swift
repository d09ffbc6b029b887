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
  /// the first keeps of each message only what grouping needs (a fixed-size record, its
  /// subject, its thread links as hashes) and where it lies; ``SeriesStream/version(_:)`` then
  /// reads one version's messages again. Message-IDs, and series titles, are told apart by a
  /// 64-bit hash: two different ones would have to collide for the report to differ from one
  /// pass's.
  ///
  /// That state, the index of Message-IDs and the diagnostics are kept in stores of a fixed
  /// budget each (`SpillBudget`, 4 MiB; `PATCHSITE_SERIES_BUDGET` bytes when set), the rest
  /// in unlinked temporary files: what stays in memory grows with the number of groups
  /// (about 100 bytes each), not with the messages.
  /// Gives, version by version, what `read(path:keeping: .summaries)` gives.
  /// - Throws: `mail.cannot-read`, `mail.not-mail`; `unsupported` when `path` is not an mbox
  ///   file (a maildir, a folder, stdin); `series.spill` when a temporary file cannot be made,
  ///   written or read.
  public static func stream(path: String) throws(InputError) -> SeriesStream {
    try stream(path: path, spillingBeyond: .fromEnvironment)
  }

  /// ``stream(path:)`` with each store of per-message state kept in memory up to `budget`.
  static func stream(path: String, spillingBeyond budget: SpillBudget) throws(InputError)
    -> SeriesStream
  {
    guard path != "-", case .mbox(let size)? = try? MailStream.kind(of: path) else {
      throw InputError(
        "unsupported", at: SourceLocation(file: path),
        "unsupported: reading in two passes needs an mbox file")
    }
    // Of each message: what the grouping reads, its Message-ID and what it answers as hashes
    // (the ID's text only until its batch is noted, for a duplicate's diagnostic).
    struct Noted: Sendable {
      var record: SpilledEntries.Record
      var subject: String?
      var id: String?
      var idHash: Int?
      var answers: [Int]
      var diagnostics: [Diagnostic]
    }
    @Sendable func hash(_ s: String) -> Int {
      var h = Hasher()
      h.combine(s)
      return h.finalize()
    }
    let table = SpilledEntries(path: path, budget: budget)
    let answers = PagedRecords<Int>(budget.sequential)
    var byID: PagedIDIndex?
    // The diagnostics in the report's order: reading, threads, each message's, then the
    // grouping's. An archive of discussion has one for each message that is no patch.
    let logs = (0..<4).map { _ in DiagnosticLog(budget.sequential) }
    Memory.mapLargeBlocksAlone()
    try MailStream.read(
      mbox: path,
      map: { m in
        let mail = SeriesMail(m, keeping: .summaries)
        let links = mail.links
        let answers =
          (links.inReplyTo.map { [$0] } ?? []).map(hash)
          + links.references.reversed().map(hash)
        return Noted(
          record: SpilledEntries.Record(mail, answers: answers.count), subject: mail.subjectText,
          id: links.messageID, idHash: links.messageID.map(hash), answers: answers,
          diagnostics: mail.diagnostics)
      }
    ) { items, found, bytesRead in
      if byID == nil, bytesRead > 0 {
        // Room for the whole file at the rate of the first chunk.
        let expected = Int(Double(items.count) * Double(max(size, bytesRead)) / Double(bytesRead))
        byID = PagedIDIndex(budget, expected: expected + 64)
      }
      for n in items {
        let k = table.count
        if let h = n.idHash, let id = n.id {
          if let first = byID?.insert(h, k) {
            // As `MailThreads` says it.
            logs[1].append(
              Diagnostic(
                "mail.duplicate-message-id", .warning, at: n.record.location(path),
                "Message-ID <\(id)> already used by the message at \(table[first].location)"))
          }
        }
        table.append(n.record, subject: n.subject)
        for a in n.answers { answers.append(a) }
        for d in n.diagnostics { logs[2].append(d) }
      }
      for d in found { logs[0].append(d) }
    }
    // Parents as `MailThreads.build` finds them: the first candidate present that closes no
    // cycle.
    func isAncestor(_ a: Int, of b: Int) -> Bool {
      var cur = b
      var steps = 0
      while cur >= 0, steps <= table.count {
        if cur == a { return true }
        cur = Int(table.parentIndex(cur))
        steps += 1
      }
      return false
    }
    var next = 0
    var candidates: [Int] = []
    for k in 0..<table.count {
      let n = table.answerCount(k)
      candidates.removeAll(keepingCapacity: true)
      answers.copy(from: next, count: n, into: &candidates)
      next += n
      for c in candidates {
        guard let p = byID?.first(c) else { continue }
        guard p != k, !table.hasChildren(k) || !isAncestor(k, of: p) else { continue }
        table.setParent(k, p)
        break
      }
    }
    byID = nil
    for failure in [table.failure, answers.failure] { if let failure { throw failure } }
    var builder = Builder(
      entries: table, threadDiagnostics: [], entryDiagnostics: [])
    builder.run()
    let log = logs[3]
    for d in builder.diagnostics { log.append(d) }
    builder.diagnostics = []
    // Series told apart by a 64-bit hash of their titles, as messages by their IDs' above.
    let order = builder.ordered(
      noting: log.append, keeping: { Int32($0.group) }, titleKey: { hash($0) },
      onEveryCore: false)
    for failure in [table.failure] + logs.map(\.failure) { if let failure { throw failure } }
    return SeriesStream(
      builder: builder, order: order, logs: logs, reader: try MboxRereader(path: path))
  }
}

/// The series of one mbox file read in two passes (``SeriesAssembler/stream(path:)``): every
/// version, reply and diagnostic in the order of ``SeriesSet``, each version read again from
/// the file when it is asked for, so that only the grouping of the messages stays in memory.
public struct SeriesStream {
  fileprivate let builder: Builder<SpilledEntries>
  /// Each version's group, in the report's order.
  fileprivate let order: [Builder<SpilledEntries>.Ordered<Int32>]
  /// What ``SeriesSet/diagnostics`` would hold, kept as bytes beyond the budget.
  private let logs: [DiagnosticLog]
  private let reader: MboxRereader

  fileprivate init(
    builder: Builder<SpilledEntries>, order: [Builder<SpilledEntries>.Ordered<Int32>],
    logs: [DiagnosticLog], reader: MboxRereader
  ) {
    self.builder = builder
    self.order = order
    self.logs = logs
    self.reader = reader
  }

  public var versionCount: Int { order.count }
  /// How many diagnostics ``SeriesSet/diagnostics`` would hold.
  public var diagnosticCount: Int { logs.reduce(0) { $0 + $1.count } }
  /// True when one of the diagnostics is an error.
  public var hasErrors: Bool { logs.contains { $0.hasErrors } }
  /// True when some of the state went to the temporary files (for tests).
  var spilled: Bool { builder.entries.spilled || logs.contains { $0.spilled } }

  /// The diagnostics of ``SeriesSet/diagnostics``, read one at a time.
  public struct Diagnostics {
    fileprivate var readers: [DiagnosticLog.Reader]

    /// The next diagnostic, nil after the last.
    /// - Throws: `series.spill` when they cannot be read back from the temporary file.
    public mutating func next() throws(InputError) -> Diagnostic? {
      while !readers.isEmpty {
        if let d = try readers[0].next() { return d }
        readers.removeFirst()
      }
      return nil
    }
  }

  /// Reads the diagnostics from the first.
  public func diagnosticReader() -> Diagnostics {
    Diagnostics(readers: logs.map { DiagnosticLog.Reader(log: $0) })
  }

  /// Every diagnostic at once (for small inputs and tests).
  /// - Throws: `series.spill` when they cannot be read back from the temporary file.
  public func diagnostics() throws(InputError) -> [Diagnostic] {
    var out: [Diagnostic] = []
    var r = diagnosticReader()
    while let d = try r.next() { out.append(d) }
    return out
  }
  public var unassignedCount: Int { builder.unassigned.count }

  /// The version number of version `n`'s previous version, if the input has one.
  public func previousVersion(of n: Int) -> Int? { order[n].previous.map { order[$0].version } }

  /// Version `n`, its messages read again; `previous` is its previous version's index.
  /// - Throws: `mail.cannot-read` or `mail.changed` when the file cannot be read again as it
  ///   was, `series.spill` when the temporary files cannot be.
  public func version(_ n: Int) throws(InputError) -> SeriesVersion {
    // Planned again: its diagnostics were noted when the order was made.
    let p = builder.plan(Int(order[n].kept)) { _ in }
    var whole: [Int: SeriesMail] = [:]
    let g = builder.groups[p.group]
    for i in p.messages(in: g) + builder.members(g.replies) where whole[i] == nil {
      whole[i] = try reread(i)
    }
    var v = builder.build(p) { whole[$0] }
    if let failure = builder.entries.failure { throw failure }
    v.previous = order[n].previous
    return v
  }

  /// Unassigned reply `n`, read again.
  public func unassigned(_ n: Int) throws(InputError) -> ReplyRef {
    builder.reply(try reread(builder.unassigned[n]), index: nil)
  }

  private func reread(_ i: Int) throws(InputError) -> SeriesMail {
    if let failure = builder.entries.failure { throw failure }
    guard let span = builder.entries.span(i) else {
      throw InputError(
        "mail.cannot-read", at: builder.entries[i].location,
        "the message's place in the file was not noted")
    }
    return SeriesMail(try reader.message(at: span), keeping: .summaries)
  }
}

/// The table of a two-pass reading: a fixed-size record per message and the subjects' bytes,
/// each in a ``PagedRecords`` store, so that past its budget the state of every message goes
/// to a temporary file instead of growing with the archive.
private final class SpilledEntries: EntryTable, @unchecked Sendable {
  /// One message: its role, subject numbers and subject's place, its place in the file, the
  /// number of IDs it answers (in the answers store, in input order) and its parent.
  struct Record {
    var offset: Int
    var length: Int
    var line: Int
    var subjectStart: Int
    var subjectCount: Int32
    var version: Int32
    var index: Int32
    var total: Int32
    var answers: Int32
    var parent: Int32
    var group: Int32
    var target: Int32
    var next: Int32
    var role: UInt8
    /// `hasSpan`, `hasFromLine`, `hasQuotedFrom`, `hasChildren`.
    var flags: UInt8

    static let hasSpan: UInt8 = 1
    static let hasFromLine: UInt8 = 2
    static let hasQuotedFrom: UInt8 = 4
    static let hasChildren: UInt8 = 8

    init(_ m: SeriesMail, answers: Int) {
      let e = SeriesEntry(m)
      offset = m.span?.offset ?? 0
      length = m.span?.length ?? 0
      line = m.location.line
      subjectStart = 0
      subjectCount = -1
      (version, index, total) = e.numbers
      self.answers = Int32(clamping: answers)
      parent = -1
      group = -1
      target = -1
      next = -1
      switch m.role {
      case .cover: role = 0
      case .patch: role = 1
      case .reply: role = 2
      case .other: role = 3
      }
      flags = 0
      if let span = m.span {
        flags |= Self.hasSpan
        if span.hasFromLine { flags |= Self.hasFromLine }
        if span.hasQuotedFrom { flags |= Self.hasQuotedFrom }
      }
    }

    func location(_ path: String) -> SourceLocation { SourceLocation(file: path, line: line) }
  }

  let path: String
  private let records: PagedRecords<Record>
  private let subjects: PagedRecords<UInt8>

  init(path: String, budget: SpillBudget) {
    self.path = path
    records = PagedRecords(budget)
    subjects = PagedRecords(budget)
  }

  var count: Int { records.count }
  var failure: InputError? { records.failure ?? subjects.failure }
  var spilled: Bool { records.spilled || subjects.spilled }

  func append(_ record: Record, subject: String?) {
    var r = record
    if var subject {
      r.subjectStart = subjects.count
      subject.withUTF8 { subjects.append(contentsOf: $0) }
      r.subjectCount = Int32(clamping: subjects.count - r.subjectStart)
    }
    records.append(r)
  }

  subscript(i: Int) -> SeriesEntry {
    let r = records[i]
    let role: SeriesMail.Role
    switch r.role {
    case 0: role = .cover
    case 1: role = .patch
    case 2: role = .reply
    default: role = .other
    }
    return SeriesEntry(
      role: role, numbers: (r.version, r.index, r.total), subjectStart: r.subjectStart,
      subjectCount: r.subjectCount, location: r.location(path))
  }

  func subjectText(_ i: Int) -> String? {
    let r = records[i]
    guard r.subjectCount >= 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(r.subjectCount))
    subjects.copy(from: r.subjectStart, count: Int(r.subjectCount), into: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  func parentIndex(_ i: Int) -> Int32 { records[i].parent }
  func groupIndex(_ i: Int) -> Int32 { records[i].group }
  func setGroup(_ i: Int, _ g: Int32) { records[i].group = g }
  func replyTarget(_ i: Int) -> Int32 { records[i].target }
  func setReplyTarget(_ i: Int, _ t: Int32) { records[i].target = t }
  func nextMember(_ i: Int) -> Int32 { records[i].next }
  func setNextMember(_ i: Int, _ n: Int32) { records[i].next = n }
  func answerCount(_ i: Int) -> Int { Int(records[i].answers) }
  func hasChildren(_ i: Int) -> Bool { records[i].flags & Record.hasChildren != 0 }

  /// Makes `p` the parent of `k`.
  func setParent(_ k: Int, _ p: Int) {
    records[k].parent = Int32(p)
    records[p].flags |= Record.hasChildren
  }

  func span(_ i: Int) -> MessageSpan? {
    let r = records[i]
    guard r.flags & Record.hasSpan != 0 else { return nil }
    return MessageSpan(
      offset: r.offset, length: r.length, startLine: r.line,
      hasFromLine: r.flags & Record.hasFromLine != 0,
      hasQuotedFrom: r.flags & Record.hasQuotedFrom != 0)
  }
}

/// What the grouping reads of every message, by index: its ``SeriesEntry``, subject and
/// parent in the thread. One reading keeps it in arrays (``MemoryEntries``), two passes in
/// stores that spill to a file (``SpilledEntries``).
private protocol EntryTable {
  var count: Int { get }
  subscript(i: Int) -> SeriesEntry { get }
  /// Message `i`'s subject as decoded, nil without one.
  func subjectText(_ i: Int) -> String?
  /// Message `i`'s parent in the thread, -1 for none.
  func parentIndex(_ i: Int) -> Int32
  /// The group of cover or patch `i`, -1 for none.
  func groupIndex(_ i: Int) -> Int32
  mutating func setGroup(_ i: Int, _ g: Int32)
  /// The cover or patch that reply `i` answers, -1 when it is missing.
  func replyTarget(_ i: Int) -> Int32
  mutating func setReplyTarget(_ i: Int, _ t: Int32)
  /// The message after `i` in its group's list of patches or replies, -1 after the last.
  func nextMember(_ i: Int) -> Int32
  mutating func setNextMember(_ i: Int, _ n: Int32)
}

/// What the grouping reads of a message: kept for every message of the input.
private struct SeriesEntry {
  var role: SeriesMail.Role
  var numbers: (version: Int32, index: Int32, total: Int32)
  /// Where the subject's bytes lie in the table's subjects; count -1 without one.
  var subjectStart: Int
  var subjectCount: Int32
  var location: SourceLocation

  init(_ m: SeriesMail) {
    role = m.role
    func small(_ n: Int?) -> Int32 { n.map { Int32(clamping: $0) } ?? -1 }
    numbers = (Int32(clamping: m.version), small(m.index), small(m.total))
    subjectStart = 0
    subjectCount = -1
    location = m.location
  }

  init(
    role: SeriesMail.Role, numbers: (version: Int32, index: Int32, total: Int32),
    subjectStart: Int, subjectCount: Int32, location: SourceLocation
  ) {
    self.role = role
    self.numbers = numbers
    self.subjectStart = subjectStart
    self.subjectCount = subjectCount
    self.location = location
  }

  var version: Int { Int(numbers.version) }
  var index: Int? { numbers.index < 0 ? nil : Int(numbers.index) }
  var total: Int? { numbers.total < 0 ? nil : Int(numbers.total) }
}

/// Every message's subject, one after the other in one array: a `String` each would cost
/// about twice their bytes.
private struct SubjectBytes: Sendable {
  var bytes: [UInt8] = []

  /// Notes `subject` as `entry`'s.
  mutating func add(_ subject: String?, to entry: inout SeriesEntry) {
    guard var subject else {
      entry.subjectCount = -1
      return
    }
    entry.subjectStart = bytes.count
    subject.withUTF8 { bytes.append(contentsOf: $0) }
    entry.subjectCount = Int32(clamping: bytes.count - entry.subjectStart)
  }

  func text(_ e: SeriesEntry) -> String? {
    guard e.subjectCount >= 0 else { return nil }
    return String(
      decoding: bytes[e.subjectStart..<(e.subjectStart + Int(e.subjectCount))], as: UTF8.self)
  }
}

/// The table of a reading that keeps every message (one pass).
private struct MemoryEntries: EntryTable {
  var entries: [SeriesEntry]
  var subjects: SubjectBytes
  var parents: [Int32]
  var groups: [Int32]
  var targets: [Int32]
  var next: [Int32]

  init(entries: [SeriesEntry], subjects: SubjectBytes, parents: [Int32]) {
    self.entries = entries
    self.subjects = subjects
    self.parents = parents
    groups = Array(repeating: -1, count: entries.count)
    targets = Array(repeating: -1, count: entries.count)
    next = Array(repeating: -1, count: entries.count)
  }

  func groupIndex(_ i: Int) -> Int32 { groups[i] }
  mutating func setGroup(_ i: Int, _ g: Int32) { groups[i] = g }
  func replyTarget(_ i: Int) -> Int32 { targets[i] }
  mutating func setReplyTarget(_ i: Int, _ t: Int32) { targets[i] = t }
  func nextMember(_ i: Int) -> Int32 { next[i] }
  mutating func setNextMember(_ i: Int, _ n: Int32) { next[i] = n }

  var count: Int { entries.count }
  subscript(i: Int) -> SeriesEntry { entries[i] }
  func subjectText(_ i: Int) -> String? { subjects.text(entries[i]) }
  func parentIndex(_ i: Int) -> Int32 { parents[i] }
}

/// The two halves of a one-pass table, made on two cores.
private enum TablePart {
  case threads(parents: [Int32], diagnostics: [Diagnostic])
  case entries([SeriesEntry], SubjectBytes, [Diagnostic])
}

extension Builder where Table == MemoryEntries {
  init(mails: [SeriesMail]) {
    // The threads (with their parents) and the entries do not depend on each other: one core
    // makes each.
    var parents: [Int32] = []
    var threadDiagnostics: [Diagnostic] = []
    var entries: [SeriesEntry] = []
    var subjects = SubjectBytes()
    var entryDiagnostics: [Diagnostic] = []
    let parts = Spread.map(2, run: 1) { k -> TablePart in
      if k == 0 {
        let threads = MailThreads.build(links: mails.map(\.links))
        return .threads(
          parents: mails.indices.map { Int32(threads.parent(of: $0) ?? -1) },
          diagnostics: threads.diagnostics)
      }
      var subjects = SubjectBytes()
      var found: [Diagnostic] = []
      // Through the buffer: a closure over the array's elements would copy each message.
      let entries = mails.withUnsafeBufferPointer { buf in
        buf.indices.map { k in
          var e = SeriesEntry(buf[k])
          subjects.add(buf[k].subjectText, to: &e)
          found += buf[k].diagnostics
          return e
        }
      }
      return .entries(entries, subjects, found)
    }
    for part in parts {
      switch part {
      case .threads(let p, let d): (parents, threadDiagnostics) = (p, d)
      case .entries(let e, let s, let d): (entries, subjects, entryDiagnostics) = (e, s, d)
      }
    }
    self.init(
      entries: MemoryEntries(entries: entries, subjects: subjects, parents: parents),
      threadDiagnostics: threadDiagnostics, entryDiagnostics: entryDiagnostics, mails: mails)
  }
}

/// The work of `SeriesAssembler`, with the state it needs in one place.
private struct Builder<Table: EntryTable> {
  typealias Role = SeriesMail.Role
  typealias Entry = SeriesEntry

  struct GroupKey: Hashable {
    var tags: [String]
    var version: Int
    var total: Int?
    /// The cover letter's index among the messages, -1 for none (32 bits, as every index of
    /// the table: a large archive has tens of thousands of groups).
    private var coverIndex: Int32

    init(tags: [String], version: Int, total: Int?, cover: Int? = nil) {
      self.tags = tags
      self.version = version
      self.total = total
      coverIndex = cover.map { Int32($0) } ?? -1
    }

    /// The cover letter's index among the messages, when the group hangs off one.
    var cover: Int? { coverIndex < 0 ? nil : Int(coverIndex) }
  }

  /// A group's patches or replies in input order: a list through the table
  /// (``EntryTable/nextMember(_:)``), so that a group costs the same whatever its size.
  struct Members {
    var first: Int32 = -1
    var last: Int32 = -1

    /// The first member, nil for none.
    var head: Int? { first < 0 ? nil : Int(first) }
  }

  struct Group {
    var key: GroupKey
    var patches = Members()
    var replies = Members()
    var firstSeen: Int

    init(key: GroupKey, firstSeen: Int) {
      self.key = key
      self.firstSeen = firstSeen
    }

    var cover: Int? { key.cover }
  }

  /// The members of `list`, in order.
  func members(_ list: Members) -> [Int] {
    var out: [Int] = []
    var cur = list.first
    while cur >= 0 {
      out.append(Int(cur))
      cur = entries.nextMember(Int(cur))
    }
    return out
  }

  /// Adds message `i` at the end of `list`.
  mutating func append(_ i: Int, to list: inout Members) {
    if list.last >= 0 {
      entries.setNextMember(Int(list.last), Int32(i))
    } else {
      list.first = Int32(i)
    }
    list.last = Int32(i)
  }

  mutating func addPatch(_ i: Int, to g: Int) {
    var list = groups[g].patches
    append(i, to: &list)
    groups[g].patches = list
  }

  mutating func addReply(_ i: Int, to g: Int) {
    var list = groups[g].replies
    append(i, to: &list)
    groups[g].replies = list
  }

  /// Message `i`'s subject as decoded, nil without one.
  func subjectText(_ i: Int) -> String? { entries.subjectText(i) }
  /// Message `i`'s subject read as a patch subject.
  func subject(_ i: Int) -> PatchSubject { PatchSubject.parse(subjectText(i) ?? "") }
  /// Message `i`'s title (`subject(i).title`).
  func title(_ i: Int) -> String { PatchSubject.title(of: subjectText(i) ?? "") }

  var entries: Table
  let threadDiagnostics: [Diagnostic]
  /// What reading each message found wrong with it, in input order.
  let entryDiagnostics: [Diagnostic]
  /// The messages whole, when they are all kept (one pass); empty in two passes.
  let mails: [SeriesMail]
  var groups: [Group] = []
  var unassigned: [Int] = []
  var diagnostics: [Diagnostic] = []

  /// For a second pass: the table as it was noted, `threadDiagnostics` as `MailThreads` gives
  /// them.
  init(
    entries: Table, threadDiagnostics: [Diagnostic], entryDiagnostics: [Diagnostic],
    mails: [SeriesMail] = []
  ) {
    self.entries = entries
    self.threadDiagnostics = threadDiagnostics
    self.entryDiagnostics = entryDiagnostics
    self.mails = mails
  }

  func parent(of i: Int) -> Int? {
    let p = entries.parentIndex(i)
    return p < 0 ? nil : Int(p)
  }

  /// Message `i`'s group, nil for none.
  func groupIndex(of i: Int) -> Int? {
    let g = entries.groupIndex(i)
    return g < 0 ? nil : Int(g)
  }

  /// What reply `i` answers, nil when it is missing.
  func target(of i: Int) -> Int? {
    let t = entries.replyTarget(i)
    return t < 0 ? nil : Int(t)
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
    diagnostics.append(contentsOf: entryDiagnostics)
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
    // The groups without a cover letter, by key.
    var byKey: [GroupKey: Int] = [:]
    func group(for key: GroupKey, seen: Int) -> Int {
      if let g = byKey[key] { return g }
      groups.append(Group(key: key, firstSeen: seen))
      byKey[key] = groups.count - 1
      return groups.count - 1
    }
    // Covers first, so patches can find them; each makes a group of its own (its key names
    // it).
    for i in 0..<entries.count {
      let e = entries[i]
      guard e.role == .cover else { continue }
      let key = GroupKey(
        tags: Self.seriesTags(subject(i)), version: e.version, total: e.total,
        cover: i)
      groups.append(Group(key: key, firstSeen: i))
      entries.setGroup(i, Int32(groups.count - 1))
    }
    // The cover letters' groups by tags, version and total: the one group, or -1 when there
    // are several (no group made below has a cover).
    var coverGroups: [GroupKey: Int] = [:]
    for (gi, g) in groups.enumerated() where g.cover != nil {
      let key = GroupKey(tags: g.key.tags, version: g.key.version, total: g.key.total)
      coverGroups[key] = coverGroups[key] == nil ? gi : -1
    }
    for i in 0..<entries.count {
      let e = entries[i]
      guard e.role == .patch else { continue }
      let g: Int
      if let cover = coverAncestor(of: i, version: e.version), let cg = groupIndex(of: cover) {
        g = cg
      } else {
        let tags = Self.seriesTags(subject(i))
        // An unthreaded patch joins the one cover letter with the same tags, version and total.
        let only =
          e.total == nil
          ? -1 : coverGroups[GroupKey(tags: tags, version: e.version, total: e.total)] ?? -1
        if only >= 0 {
          g = only
        } else {
          let key = GroupKey(
            tags: tags, version: e.version,
            total: e.index == nil ? nil : e.total, cover: nil)
          // A lone patch ([PATCH] x) is a series of its own.
          if e.index == nil {
            groups.append(Group(key: key, firstSeen: i))
            g = groups.count - 1
          } else {
            g = group(for: key, seen: i)
          }
        }
      }
      addPatch(i, to: g)
      entries.setGroup(i, Int32(g))
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
    // reply whose patch is absent goes, by its subject (made when the first such reply comes,
    // then kept up to date as groups are made).
    var firstOf: [GroupKey: Int] = [:]
    var firstWithTotal: [GroupKey: Int] = [:]
    var indexed = false
    func index(_ gi: Int) {
      let k = groups[gi].key
      let any = GroupKey(tags: k.tags, version: k.version, total: nil)
      if firstOf[any] == nil { firstOf[any] = gi }
      if let total = k.total {
        let exact = GroupKey(tags: k.tags, version: k.version, total: total)
        if firstWithTotal[exact] == nil { firstWithTotal[exact] = gi }
      }
    }
    for i in 0..<entries.count {
      let e = entries[i]
      guard e.role == .reply else { continue }
      // Walk up to the nearest cover or patch in the input.
      let target = ancestor(of: i) { entries.groupIndex($0) >= 0 }
      if let t = target, let g = groupIndex(of: t) {
        addReply(i, to: g)
        entries.setReplyTarget(i, Int32(t))
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
      if !indexed {
        for gi in groups.indices { index(gi) }
        indexed = true
      }
      var g =
        s.total == nil
        ? firstOf[GroupKey(tags: tags, version: s.version, total: nil)]
        : firstWithTotal[GroupKey(tags: tags, version: s.version, total: s.total)]
      if g == nil {
        groups.append(
          Group(
            key: GroupKey(tags: tags, version: s.version, total: s.total, cover: nil),
            firstSeen: i))
        g = groups.count - 1
        index(groups.count - 1)
      }
      guard let gi = g else { continue }
      addReply(i, to: gi)
      // Attach to the patch the subject names, when that patch is present.
      if let idx = s.index,
        let patch = members(groups[gi].patches).first(where: { entries[$0].index == idx })
      {
        entries.setReplyTarget(i, Int32(patch))
      } else if s.index == 0, let cover = groups[gi].cover {
        entries.setReplyTarget(i, Int32(cover))
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

    /// Every message the version is built from, but the replies (`Builder.members`).
    func messages(in g: Group) -> [Int] { (g.cover.map { [$0] } ?? []) + sorted }
  }

  func result() -> SeriesSet {
    var diagnostics = self.diagnostics
    let plans = ordered(
      noting: { diagnostics.append($0) }, keeping: { $0 }, titleKey: { $0 }, onEveryCore: true)
    // Each version is built from its plan and the messages alone: on every core.
    let versions = Spread.map(plans.count) { k in
      var v = build(plans[k].kept) { mails[$0] }
      v.previous = plans[k].previous
      return v
    }
    let unassignedReplies = unassigned.map { reply(mails[$0], index: nil) }
    return SeriesSet(versions: versions, unassigned: unassignedReplies, diagnostics: diagnostics)
  }

  /// A version in the report's order: what the caller keeps of its plan, its version and
  /// the index of the version before it in the same series.
  struct Ordered<Kept> {
    var kept: Kept
    var version: Int
    var previous: Int?
  }

  /// Every group in the report's order: series by first appearance, versions ascending, each
  /// linked to the version before it; of each plan only what `keep` takes is held (a reader
  /// of a large archive keeps the group and makes the plan again when it writes the version).
  /// Series are told apart by `titleKey` of their normalized titles. The plans' diagnostics
  /// go to `note`, in order. `onEveryCore` plans the groups on every core, each group's
  /// diagnostics held until they are joined in order; else one after the other, each noted
  /// as it is found (one group of a large archive can have thousands).
  func ordered<Kept, Key: Hashable>(
    noting note: (Diagnostic) -> Void, keeping keep: (Plan) -> Kept,
    titleKey: (String) -> Key, onEveryCore: Bool
  ) -> [Ordered<Kept>] {
    let order = groups.indices.sorted { groups[$0].firstSeen < groups[$1].firstSeen }
    // Each version, and the rank of its title's first appearance.
    var planned: [(Ordered<Kept>, rank: Int)] = []
    planned.reserveCapacity(order.count)
    var rankOf: [Key: Int] = [:]
    func add(_ o: Ordered<Kept>, title key: Key) {
      let rank: Int
      if let r = rankOf[key] {
        rank = r
      } else {
        rank = rankOf.count
        rankOf[key] = rank
      }
      planned.append((o, rank))
    }
    if onEveryCore {
      let part = Spread.map(order.count) { k in
        var found: [Diagnostic] = []
        let p = plan(order[k]) { found.append($0) }
        return (
          Ordered(kept: keep(p), version: p.version), found,
          titleKey(Self.normalizedTitle(p.title))
        )
      }
      for (o, found, key) in part {
        for d in found { note(d) }
        add(o, title: key)
      }
    } else {
      for gi in order {
        let p = plan(gi, noting: note)
        add(
          Ordered(kept: keep(p), version: p.version),
          title: titleKey(Self.normalizedTitle(p.title)))
      }
    }
    rankOf = [:]
    // By title, then version; a stable sort keeps equal versions in the order above.
    let byTitle = planned.indices.sorted {
      (planned[$0].rank, planned[$0].0.version, $0) < (planned[$1].rank, planned[$1].0.version, $1)
    }
    var sorted: [Ordered<Kept>] = []
    sorted.reserveCapacity(planned.count)
    var prev: Int?
    for (n, m) in byTitle.enumerated() {
      if n > 0, planned[byTitle[n - 1]].rank != planned[m].rank { prev = nil }
      var p = planned[m].0
      if let q = prev, sorted[q].version < p.version { p.previous = q }
      sorted.append(p)
      prev = sorted.count - 1
    }
    return sorted
  }

  static func normalizedTitle(_ t: String) -> String { SeriesWords.normalizedTitle(t) }

  func plan(_ gi: Int, noting note: (Diagnostic) -> Void) -> Plan {
    let g = groups[gi]
    let coverEntry = g.cover.map { entries[$0] }
    var kept: [Int] = []
    var seenIndex: [Int: Int] = [:]
    let sortedPatches = members(g.patches).sorted {
      (entries[$0].index ?? 1, $0) < (entries[$1].index ?? 1, $1)
    }
    for pi in sortedPatches {
      let e = entries[pi]
      let index = e.index ?? 1
      if let first = seenIndex[index] {
        note(
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
          ?? g.replies.head.map { entries[$0].location }
          ?? SourceLocation(file: entries.count > 0 ? entries[0].location.file : "")
        note(
          Diagnostic(
            "series.missing-patch", .warning, at: at,
            "v\(g.key.version) announces \(t) patches; not in the input: \(describeRanges(missing))"
          ))
      }
    }
    if total == nil && kept.isEmpty {
      // Only replies name this lone patch; the patch itself is absent.
      missing = [1]
      if let r = g.replies.head {
        note(
          Diagnostic(
            "series.missing-patch", .warning, at: entries[r].location,
            "the patch '\(title(r))' (v\(g.key.version)) is not in the input"))
      }
    }
    let title =
      g.cover.map { self.title($0) }
      ?? sortedPatches.first.map { self.title($0) }
      ?? g.replies.head.map { self.title($0) } ?? ""
    return Plan(
      group: gi, version: g.key.version, title: title, sorted: sortedPatches, kept: kept,
      total: total, missing: missing)
  }

  /// The version `p` plans, its messages given whole by `entry` (by message index): every one
  /// of `p.messages(in:)`. One that `entry` does not give is left out.
  func build(_ p: Plan, entry: (Int) -> SeriesMail?) -> SeriesVersion {
    let g = groups[p.group]
    let coverEntry = g.cover.flatMap(entry)
    let replies = members(g.replies)
    var patches = p.kept.compactMap { makePatch($0, replies: replies, entry: entry) }
    // Trailers given in replies to the cover apply to every patch of the version.
    if let c = g.cover {
      for r in replies where target(of: r) == c {
        let given = entry(r)?.trailers ?? []
        for k in patches.indices { patches[k].trailers.append(contentsOf: given) }
      }
    }
    let versionReplies = replies.filter { r in
      guard let t = target(of: r) else { return true }
      return t == g.cover
    }.compactMap { r in
      entry(r).map { reply($0, index: target(of: r) == nil ? entries[r].index : nil) }
    }
    // The first `base-commit:` of the cover and the patches, in order (the patches after the
    // first that has one are not looked at).
    var base = coverEntry?.baseCommit
    for pi in p.sorted where base == nil { base = entry(pi)?.baseCommit }
    let tags = Self.displayTags(
      coverEntry?.subject ?? p.sorted.first.map { subject($0) }
        ?? replies.first.map { subject($0) } ?? PatchSubject())
    return SeriesVersion(
      version: g.key.version, title: p.title, tags: tags,
      cover: coverEntry.map(message), patches: patches, total: p.total,
      missing: p.missing, replies: versionReplies, baseCommit: base, origin: .mail)
  }

  /// Patch `pi` with the replies to it among `replies` (its version's).
  func makePatch(_ pi: Int, replies all: [Int], entry: (Int) -> SeriesMail?) -> SeriesPatch? {
    guard let e = entry(pi) else { return nil }
    var trailers = e.trailers
    var replies: [ReplyRef] = []
    for r in all where target(of: r) == pi {
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
