import Diagnostics
import Diff
import Foundation
import Mail

/// One message as the series assembly needs it, read once.
///
/// Making one sorts the message out (cover letter, patch, reply or neither) and scans its body
/// once, as UTF-8 bytes (the input's own when the body is plain text): the trailers, the
/// `base-commit:` line and, for a patch, the files and hunks it changes. The body and the
/// parsed diff are kept only as far as `SeriesAssembler.Keep` asks, so a reader of a large
/// archive keeps the model and no message text.
public struct SeriesMail: Sendable {
  /// How the assembly sees a message (see `SeriesAssembler`).
  public enum Role: Sendable, Hashable { case cover, patch, reply, other }

  /// The `Subject` as decoded, nil without one.
  public var subjectText: String?
  /// Message-ID, In-Reply-To, References and the location of the message. A last reference
  /// that repeats In-Reply-To is left out: threading tries In-Reply-To first anyway.
  public var links: ThreadLinks
  /// The first `From` mailbox (`Name <addr>`), empty without one.
  public var author: String
  /// The date in ISO 8601, nil when there is none that can be read.
  public var date: String?
  public var role: Role
  /// A patch's own trailers, or the ones a reply gives (with the reply's Message-ID).
  public var trailers: [TrailerEntry]
  /// `base-commit:` in a cover letter or a patch.
  public var baseCommit: String?
  /// The files a patch changes.
  public var files: [FileChange]
  /// A patch's parsed diff, kept with `Keep.diffs` and `Keep.bodies`.
  public var diff: UnifiedDiff?
  /// What was found wrong with the message as a series member (its diff's problems, a patch
  /// without a diff, a message that is no patch).
  public var diagnostics: [Diagnostic]
  /// The decoded body with `Keep.bodies`, else empty.
  public var body: String
  /// Where the message lies in its mbox file, when it was read from one: to read it again.
  public var span: MessageSpan?

  /// The numbers of the subject (`v2`, `3/4`), kept small: the assembly sorts by them.
  private var numbers: (version: Int32, index: Int32, total: Int32)

  public var location: SourceLocation { links.location }

  /// The subject read as a patch subject (read again from `subjectText` on each use).
  public var subject: PatchSubject { PatchSubject.parse(subjectText ?? "") }
  /// The series version of the subject (1 when it names none).
  public var version: Int { Int(numbers.version) }
  /// `n` of `n/N`, nil for a lone patch.
  public var index: Int? { numbers.index < 0 ? nil : Int(numbers.index) }
  /// `N` of `n/N`.
  public var total: Int? { numbers.total < 0 ? nil : Int(numbers.total) }

  /// Reads `m`, keeping what `keep` says.
  public init(_ m: Message, keeping keep: SeriesAssembler.Keep) {
    subjectText = m.subject
    let subject = PatchSubject.numbers(of: subjectText ?? "")
    func small(_ n: Int?) -> Int32 { n.map { Int32(clamping: $0) } ?? -1 }
    numbers = (Int32(clamping: subject.version), small(subject.index), small(subject.total))
    links = ThreadLinks(m)
    if let last = links.references.last, last == links.inReplyTo { links.references.removeLast() }
    author = m.fromDescription ?? ""
    date = m.date?.iso8601
    role = .other
    trailers = []
    files = []
    diagnostics = []
    body = keep == .bodies ? m.body : ""
    span = MessageSpan(m.raw)
    var scanned = Scan()
    m.withBodyUTF8 { buf, exact in
      // Two closures: one that captured `m` for both cases copied the message on each use.
      if exact {
        let start = m.bodyStartLine
        scanned = Scan(buf, subject: subject, message: m, keep: keep) { start + $0 - 1 }
      } else {
        scanned = Scan(buf, subject: subject, message: m, keep: keep) {
          m.inputLine(forBodyLine: $0)
        }
      }
    }
    role = scanned.role
    baseCommit = scanned.baseCommit
    files = scanned.files
    diff = scanned.diff
    diagnostics = scanned.diagnostics
    switch role {
    case .patch:
      trailers = scanned.trailers.map { TrailerEntry(name: $0.name, value: $0.value) }
    case .reply:
      let givenIn = links.messageID ?? location.description
      trailers = scanned.trailers.map {
        TrailerEntry(name: $0.name, value: $0.value, givenIn: givenIn)
      }
    case .cover, .other:
      break
    }
  }

  /// What one pass over a body finds.
  private struct Scan {
    var role = Role.other
    var trailers: [Trailer] = []
    var baseCommit: String?
    var files: [FileChange] = []
    var diff: UnifiedDiff?
    var diagnostics: [Diagnostic] = []

    init() {}

    init(
      _ buf: UnsafeBufferPointer<UInt8>, subject: PatchSubject, message m: Message,
      keep: SeriesAssembler.Keep, inputLine: (Int) -> Int
    ) {
      if subject.isReply {
        role = .reply
      } else if subject.isPatch && subject.index == 0 {
        role = .cover
      } else {
        // Whether the body carries a diff decides for a message that is no `[PATCH]`; a
        // patch's diff is summarised, or parsed in full when it is kept or unusual.
        let full = keep != .summaries && subject.isPatch
        var summaries = full ? nil : DiffSummary.files(in: buf, inputLine: inputLine)
        var parsed: (UnifiedDiff, [Diagnostic])?
        if summaries == nil || (keep != .summaries && summaries?.isEmpty == false) {
          let (d, problems) = DiffParser.parse(
            bytes: Array(buf), file: m.location.file, firstLine: 1)
          let diff = d.remappingLines(inputLine)
          let moved = problems.map { p in
            var p = p
            p.location.line = inputLine(p.location.line)
            return p
          }
          parsed = (diff, moved)
          summaries = PatchFiles.summaries(of: diff)
        }
        let hasDiff = summaries?.isEmpty == false
        if subject.isPatch || hasDiff {
          role = .patch
          files = summaries ?? []
          // With `keep` beyond summaries a patch was parsed in full (`full`, or a diff found).
          if let (d, problems) = parsed {
            if keep != .summaries { diff = d }
            diagnostics += problems
          }
          if !hasDiff {
            diagnostics.append(
              Diagnostic(
                "series.patch-without-diff", .warning, at: m.location,
                "'\(m.subject ?? "")' has no diff in its body"))
          }
        } else if m.inReplyTo != nil {
          role = .reply
        } else {
          diagnostics.append(
            Diagnostic(
              "series.not-a-patch", .note, at: m.location,
              "'\(m.subject ?? "(no subject)")' is neither a patch nor a reply; not part of a series"
            ))
        }
      }
      switch role {
      case .reply:
        trailers = Trailers.inReply(utf8: buf)
      case .cover:
        baseCommit = SeriesMail.baseCommit(in: buf)
      case .patch:
        trailers = Trailers.inPatch(utf8: buf)
        baseCommit = SeriesMail.baseCommit(in: buf)
      case .other:
        break
      }
    }
  }

  /// The `base-commit: <hash>` line `git format-patch --base` and b4 write, anywhere in the
  /// body (the first line that starts with it and holds 7 to 64 hex digits).
  static func baseCommit(in buf: UnsafeBufferPointer<UInt8>) -> String? {
    let n = buf.count
    // A CR could make "\r\n" one character of the text: read that body as text.
    if BodyLines.find(0x0D, in: buf, from: 0, to: n) != nil {
      return baseCommit(inText: String(decoding: buf, as: UTF8.self))
    }
    // Each `:` that ends `base-commit` at the start of a line (`memchr`: colons are rare).
    let key: StaticString = "base-commit:"
    let k = key.utf8CodeUnitCount
    var from = k - 1
    while from < n, let colon = BodyLines.find(UInt8(ascii: ":"), in: buf, from: from, to: n) {
      from = colon + 1
      let at = colon + 1 - k
      guard at >= 0, at == 0 || buf[at - 1] == 0x0A,
        BodyLines.hasPrefix(buf, at..<n, "base-commit:")
      else { continue }
      let end = BodyLines.find(0x0A, in: buf, from: at, to: n) ?? n
      let line = UnsafeBufferPointer(rebasing: buf[at..<end])
      if line.contains(where: { $0 >= 0x80 }) {
        // Characters, not bytes, decide beyond ASCII (`isHexDigit`, Unicode spaces).
        if let v = baseCommit(inText: String(decoding: line, as: UTF8.self)) { return v }
        continue
      }
      var lo = at + k
      var hi = end
      while lo < hi, buf[lo] == 0x20 || buf[lo] == 0x09 { lo += 1 }
      while hi > lo, buf[hi - 1] == 0x20 || buf[hi - 1] == 0x09 { hi -= 1 }
      let value = UnsafeBufferPointer(rebasing: buf[lo..<hi])
      if value.count >= 7, value.count <= 64,
        value.allSatisfy({ $0 &- 0x30 < 10 || ($0 | 0x20) &- 0x61 < 6 })
      {
        return String(decoding: value, as: UTF8.self)
      }
    }
    return nil
  }

  /// `baseCommit(in:)` over text, by characters.
  static func baseCommit(inText body: String) -> String? {
    for line in body.split(separator: "\n", omittingEmptySubsequences: true) {
      guard line.hasPrefix("base-commit:") else { continue }
      let value = line.dropFirst("base-commit:".count).trimmingCharacters(in: .whitespaces)
      if value.count >= 7, value.count <= 64, value.allSatisfy(\.isHexDigit) { return value }
    }
    return nil
  }
}

/// One copy of each string that many messages repeat — authors, the Message-IDs replies
/// answer, trailer values, file paths — so a large archive's model holds each once.
struct StringPool {
  /// A string compared by its bytes: `String`'s own `==` holds canonically equivalent
  /// spellings equal (a precomposed `é` and `e` with a combining accent), and sharing one for
  /// the other would change what the report prints.
  struct Bytes: Hashable {
    var string: String

    static func == (a: Bytes, b: Bytes) -> Bool {
      guard a.string.utf8.count == b.string.utf8.count else { return false }
      let same = a.string.utf8.withContiguousStorageIfAvailable { x in
        b.string.utf8.withContiguousStorageIfAvailable { y in
          guard let p = x.baseAddress, let q = y.baseAddress else { return true }  // both empty
          return memcmp(p, q, x.count) == 0
        }
      }
      return (same ?? nil) ?? a.string.utf8.elementsEqual(b.string.utf8)
    }

    func hash(into h: inout Hasher) {
      let done: Void? = string.utf8.withContiguousStorageIfAvailable {
        h.combine(bytes: UnsafeRawBufferPointer($0))
      }
      // The same bytes hash the same whichever way they are stored.
      if done == nil { Array(string.utf8).withUnsafeBytes { h.combine(bytes: $0) } }
    }
  }

  private var strings: Set<Bytes> = []

  mutating func share(_ s: inout String) {
    let (inserted, member) = strings.insert(Bytes(string: s))
    if !inserted { s = member.string }
  }

  mutating func share(_ s: inout String?) {
    guard var v = s else { return }
    share(&v)
    s = v
  }

  mutating func share(_ m: inout SeriesMail) {
    share(&m.author)
    share(&m.links.inReplyTo)
    for k in m.links.references.indices { share(&m.links.references[k]) }
    for k in m.trailers.indices { share(&m.trailers[k].value) }
    for k in m.files.indices { share(&m.files[k].path) }
  }
}
