import Diagnostics
import Diff
import Mail

/// Everything assembled from one input: the series versions found, in order, and what was wrong.
///
/// One `SeriesVersion` is one review unit. Versions of the same series (v1, v2 … of one title) are
/// linked through `SeriesVersion.previous`.
public struct SeriesSet: Sendable {
  public var versions: [SeriesVersion]
  /// Replies that could not be tied to any series version (their parent is absent and their
  /// subject names no patch). Kept so nothing in the input is dropped silently.
  public var unassigned: [ReplyRef]
  public var diagnostics: [Diagnostic]

  public init(
    versions: [SeriesVersion] = [], unassigned: [ReplyRef] = [], diagnostics: [Diagnostic] = []
  ) {
    self.versions = versions
    self.unassigned = unassigned
    self.diagnostics = diagnostics
  }
}

/// One version of one series: its cover letter (if any), its patches in order, its replies.
public struct SeriesVersion: Sendable {
  /// The version number, 1 when the subjects carry none.
  public var version: Int
  /// The series' title: the cover letter's, else the first patch's (without the `[PATCH …]` part).
  public var title: String
  /// The tags of the series besides PATCH and the version (`RFC`, `bpf-next`, `-next` …).
  public var tags: [String]
  public var cover: SeriesMessage?
  public var patches: [SeriesPatch]
  /// The number of patches the subjects announce (`n/N`), nil for a lone patch or a git range.
  public var total: Int?
  /// Patch numbers announced by `n/N` but absent from the input.
  public var missing: [Int]
  /// Replies to the cover letter, and replies whose patch is not in the input.
  public var replies: [ReplyRef]
  /// `base-commit:` as given in the cover letter or a patch.
  public var baseCommit: String?
  /// The base found from the patches' blob IDs when the input named none the repository has.
  public var guessedBase: String?
  /// The index into `SeriesSet.versions` of the previous version of the same series.
  public var previous: Int?
  /// Where the version came from: `mail` or `git`.
  public var origin: Origin

  public enum Origin: String, Sendable, Codable { case mail, git }

  public init(
    version: Int, title: String, tags: [String] = [], cover: SeriesMessage? = nil,
    patches: [SeriesPatch] = [], total: Int? = nil, missing: [Int] = [], replies: [ReplyRef] = [],
    baseCommit: String? = nil, previous: Int? = nil, origin: Origin = .mail
  ) {
    self.version = version
    self.title = title
    self.tags = tags
    self.cover = cover
    self.patches = patches
    self.total = total
    self.missing = missing
    self.replies = replies
    self.baseCommit = baseCommit
    self.previous = previous
    self.origin = origin
  }
}

/// A cover letter or patch message, as far as the series view needs it.
public struct SeriesMessage: Sendable {
  public var subject: String
  public var messageID: String?
  public var author: String
  /// ISO 8601, e.g. `2024-03-04T09:12:00+01:00`; nil when the message had no readable date.
  public var date: String?
  public var location: SourceLocation
  public var body: String

  /// The subject without `Re:` and the `[PATCH …]` groups.
  public var title: String { PatchSubject.title(of: subject) }

  public init(
    subject: String, messageID: String?, author: String, date: String?, location: SourceLocation,
    body: String
  ) {
    self.subject = subject
    self.messageID = messageID
    self.author = author
    self.date = date
    self.location = location
    self.body = body
  }
}

/// A trailer such as `Reviewed-by: Bo <bo@example.org>`, and where it was given.
public struct TrailerEntry: Sendable, Hashable {
  public var name: String
  public var value: String
  /// nil when the trailer stands in the patch itself; the reply's Message-ID when given in a reply.
  public var givenIn: String?

  public init(name: String, value: String, givenIn: String? = nil) {
    self.name = name
    self.value = value
    self.givenIn = givenIn
  }
}

/// A reply to a message of the series.
public struct ReplyRef: Sendable {
  public var messageID: String?
  public var author: String
  public var subject: String
  public var date: String?
  public var location: SourceLocation
  public var body: String
  /// The patch number the reply's subject names (`Re: [PATCH v2 3/4]` → 3), if any.
  public var inReplyToIndex: Int?

  public init(
    messageID: String?, author: String, subject: String, date: String?, location: SourceLocation,
    body: String, inReplyToIndex: Int? = nil
  ) {
    self.messageID = messageID
    self.author = author
    self.subject = subject
    self.date = date
    self.location = location
    self.body = body
    self.inReplyToIndex = inReplyToIndex
  }
}

/// One patch of a series version.
public struct SeriesPatch: Sendable {
  /// 1-based position in the series (`n` of `n/N`; 1 for a lone patch).
  public var index: Int
  /// `N` of `n/N`; 1 for a lone patch.
  public var total: Int
  public var message: SeriesMessage
  /// The commit a git range gave this patch, if it came from git.
  public var commit: String?
  public var trailers: [TrailerEntry]
  public var replies: [ReplyRef]
  public var files: [FileChange]
  /// True, false, or nil when no base tree was given.
  public var applies: Bool?
  /// Per-file problems applying this patch to its base.
  public var applyProblems: [Diagnostic]
  /// The parsed diff of the patch (nil when the message carried none).
  public var diff: UnifiedDiff?
  /// The tree after this patch (and the ones before it) applied to the base; nil without a base.
  public var postImage: (any SourceTree)?

  public init(
    index: Int, total: Int, message: SeriesMessage, commit: String? = nil,
    trailers: [TrailerEntry] = [], replies: [ReplyRef] = [], files: [FileChange] = [],
    applies: Bool? = nil, applyProblems: [Diagnostic] = [], diff: UnifiedDiff? = nil,
    postImage: (any SourceTree)? = nil
  ) {
    self.index = index
    self.total = total
    self.message = message
    self.commit = commit
    self.trailers = trailers
    self.replies = replies
    self.files = files
    self.applies = applies
    self.applyProblems = applyProblems
    self.diff = diff
    self.postImage = postImage
  }
}

/// One file a patch changes, summarised for the series view.
public struct FileChange: Sendable {
  public var path: String
  public var oldPath: String?
  public var status: Status
  public var added: Int
  public var removed: Int
  public var kind: HunkKind
  public var hunks: [HunkSummary]

  public enum Status: String, Sendable, Codable {
    case modified, added, deleted, renamed, copied, binary
  }

  public init(
    path: String, oldPath: String?, status: Status, added: Int, removed: Int, kind: HunkKind,
    hunks: [HunkSummary]
  ) {
    self.path = path
    self.oldPath = oldPath
    self.status = status
    self.added = added
    self.removed = removed
    self.kind = kind
    self.hunks = hunks
  }
}

/// A hunk's header numbers and its kind.
public struct HunkSummary: Sendable, Hashable {
  public var oldStart: Int
  public var oldLines: Int
  public var newStart: Int
  public var newLines: Int
  public var kind: HunkKind
  /// The line of the `@@` header in the input (mbox or patch file).
  public var line: Int

  public init(oldStart: Int, oldLines: Int, newStart: Int, newLines: Int, kind: HunkKind, line: Int)
  {
    self.oldStart = oldStart
    self.oldLines = oldLines
    self.newStart = newStart
    self.newLines = newLines
    self.kind = kind
    self.line = line
  }
}
