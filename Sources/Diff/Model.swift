/// How one line of the input ended. The printer writes it back unchanged, so a CRLF patch, or a
/// patch whose last line has no newline, prints byte for byte.
public enum LineEnding: String, Sendable, Hashable, CaseIterable {
  case lf = "\n"
  case crlf = "\r\n"
  /// The last line of the input, with no newline after it.
  case none = ""
}

/// One input line kept verbatim: preamble and trailer text, stray lines, `\ No newline` markers.
public struct TextLine: Hashable, Sendable, CustomStringConvertible {
  /// The line without its ending.
  public let text: String
  public let ending: LineEnding
  /// The 1-based line number in the input (0 for lines built in code).
  public internal(set) var line: Int

  public init(_ text: String, ending: LineEnding = .lf, line: Int = 0) {
    self.text = text
    self.ending = ending
    self.line = line
  }

  public var description: String { text + ending.rawValue }
}

/// A whole patch text: what comes before the first file (a mail's commit message, `---`,
/// diffstat), the file patches, and what comes after the last one (the `-- ` signature).
///
/// The model is lossless: `print()` gives back the parsed input byte for byte.
public struct UnifiedDiff: Hashable, Sendable, CustomStringConvertible {
  /// The input's name used in locations (`<stdin>`, a mail's path).
  public let source: String
  public internal(set) var preamble: [TextLine]
  public internal(set) var files: [FilePatch]
  /// Text after the last file patch: the `-- ` signature, trailing blank lines, a reply's prose.
  public internal(set) var trailer: [TextLine]

  public init(
    source: String = "<diff>", preamble: [TextLine] = [], files: [FilePatch],
    trailer: [TextLine] = []
  ) {
    self.source = source
    self.preamble = preamble
    self.files = files
    self.trailer = trailer
  }

  /// Lines added over all files.
  public var added: Int { files.reduce(0) { $0 + $1.added } }
  /// Lines removed over all files.
  public var removed: Int { files.reduce(0) { $0 + $1.removed } }
}

/// One line of a file patch's header block, as a typed value plus its verbatim text.
///
/// Covers `diff --git`, git's extended headers, the `---`/`+++` lines, the lines of a
/// `GIT binary patch` block, and stray lines met inside the header (kept, and diagnosed).
public struct ExtendedHeader: Hashable, Sendable, CustomStringConvertible {
  public enum Kind: Hashable, Sendable {
    /// `diff --git a/x b/y`; the paths with their first component (`a/`, `b/`) removed, nil when
    /// the line cannot be split unambiguously (the rename headers then name the paths).
    case diffGit(oldPath: String?, newPath: String?)
    /// `index abc123..def456 100644`.
    case index(oldHash: String, newHash: String, mode: String?)
    case oldMode(String)
    case newMode(String)
    case newFileMode(String)
    case deletedFileMode(String)
    /// `similarity index 97%`.
    case similarityIndex(Int)
    case dissimilarityIndex(Int)
    case renameFrom(String)
    case renameTo(String)
    case copyFrom(String)
    case copyTo(String)
    /// `Binary files a/x and b/y differ` (nil path for `/dev/null` or when not splittable).
    case binaryFilesDiffer(oldPath: String?, newPath: String?)
    /// `GIT binary patch`, followed by `binaryData` lines.
    case gitBinaryPatch
    /// A line of a `GIT binary patch` block (`literal N`, `delta N`, base85 data, blank line).
    case binaryData
    /// `--- a/x` (nil for `/dev/null`).
    case oldFile(path: String?)
    /// `+++ b/x` (nil for `/dev/null`).
    case newFile(path: String?)
    /// A stray line inside the header block, kept verbatim.
    case unrecognized
  }

  public let kind: Kind
  /// The line without its ending.
  public let text: String
  public let ending: LineEnding
  public internal(set) var line: Int

  public init(_ kind: Kind, text: String, ending: LineEnding = .lf, line: Int = 0) {
    self.kind = kind
    self.text = text
    self.ending = ending
    self.line = line
  }

  public var description: String { text + ending.rawValue }
}

/// One line of a hunk body.
public struct HunkLine: Hashable, Sendable, CustomStringConvertible {
  public enum Kind: Character, Hashable, Sendable {
    case context = " "
    case added = "+"
    case removed = "-"
  }

  public let kind: Kind
  /// The line's text after the `' '`/`+`/`-` marker, without the line ending.
  public let text: String
  public let ending: LineEnding
  public internal(set) var line: Int
  /// True for an empty input line read as an empty context line (mail programs strip the lone
  /// space; `git apply` accepts it the same way).
  public let isBare: Bool
  /// The `\ No newline at end of file` marker that followed this line, if any.
  public internal(set) var noNewline: TextLine?

  public init(
    _ kind: Kind, _ text: String, ending: LineEnding = .lf, line: Int = 0, isBare: Bool = false,
    noNewline: TextLine? = nil
  ) {
    self.kind = kind
    self.text = text
    self.ending = ending
    self.line = line
    self.isBare = isBare && kind == .context && text.isEmpty
    self.noNewline = noNewline
  }

  /// True when the file side(s) this line belongs to end after it without a newline.
  public var hasNoNewline: Bool { noNewline != nil }

  public var description: String {
    var s = isBare ? "" : String(kind.rawValue)
    s += text
    s += ending.rawValue
    if let noNewline { s += noNewline.description }
    return s
  }
}

/// One hunk: `@@ -oldStart,oldLines +newStart,newLines @@ section` and its lines.
public struct Hunk: Hashable, Sendable {
  public let oldStart: Int
  /// Lines of the old file the header claims (1 when the count was not written).
  public let oldLines: Int
  public let newStart: Int
  public let newLines: Int
  /// Whether the header wrote `,oldLines` (`@@ -1 +1 @@` does not).
  public let oldCountWritten: Bool
  public let newCountWritten: Bool
  /// The text after the second `@@` with its single leading space removed (often a function).
  public let section: String?
  /// The header line verbatim, without its ending.
  public let headerText: String
  public let headerEnding: LineEnding
  /// The 1-based input line of the header.
  public internal(set) var line: Int
  public internal(set) var lines: [HunkLine]
  /// Stray lines after this hunk and before the next hunk of the same file (diagnosed when parsed).
  public internal(set) var trailing: [TextLine]

  /// A hunk built in code; the header is written the way git writes it (`,1` counts omitted).
  public init(
    oldStart: Int, oldLines: Int, newStart: Int, newLines: Int, section: String? = nil,
    lines: [HunkLine]
  ) {
    let oldWritten = oldLines != 1
    let newWritten = newLines != 1
    var header = "@@ -\(oldStart)" + (oldWritten ? ",\(oldLines)" : "")
    header += " +\(newStart)" + (newWritten ? ",\(newLines)" : "") + " @@"
    if let section { header += " " + section }
    self.init(
      oldStart: oldStart, oldLines: oldLines, newStart: newStart, newLines: newLines,
      oldCountWritten: oldWritten, newCountWritten: newWritten, section: section,
      headerText: header, headerEnding: .lf, line: 0, lines: lines, trailing: [])
  }

  init(
    oldStart: Int, oldLines: Int, newStart: Int, newLines: Int, oldCountWritten: Bool,
    newCountWritten: Bool, section: String?, headerText: String, headerEnding: LineEnding,
    line: Int, lines: [HunkLine], trailing: [TextLine]
  ) {
    self.oldStart = oldStart
    self.oldLines = oldLines
    self.newStart = newStart
    self.newLines = newLines
    self.oldCountWritten = oldCountWritten
    self.newCountWritten = newCountWritten
    self.section = section
    self.headerText = headerText
    self.headerEnding = headerEnding
    self.line = line
    self.lines = lines
    self.trailing = trailing
  }

  func with(trailing more: [TextLine]) -> Hunk {
    Hunk(
      oldStart: oldStart, oldLines: oldLines, newStart: newStart, newLines: newLines,
      oldCountWritten: oldCountWritten, newCountWritten: newCountWritten, section: section,
      headerText: headerText, headerEnding: headerEnding, line: line, lines: lines,
      trailing: trailing + more)
  }

  /// Added lines in this hunk.
  public var added: Int { lines.reduce(0) { $0 + ($1.kind == .added ? 1 : 0) } }
  /// Removed lines in this hunk.
  public var removed: Int { lines.reduce(0) { $0 + ($1.kind == .removed ? 1 : 0) } }
  /// Context lines in this hunk.
  public var context: Int { lines.reduce(0) { $0 + ($1.kind == .context ? 1 : 0) } }
  /// Lines the body really has on the old side (context + removed).
  public var actualOldLines: Int { context + removed }
  /// Lines the body really has on the new side (context + added).
  public var actualNewLines: Int { context + added }
  /// Whether the header's counts match the body.
  public var countsMatch: Bool { actualOldLines == oldLines && actualNewLines == newLines }

  /// Context lines before the first change.
  public var leadingContext: Int { lines.prefix { $0.kind == .context }.count }
  /// Context lines after the last change.
  public var trailingContext: Int {
    lines.reversed().prefix { $0.kind == .context }.count
  }
}

/// The patch of one file: header lines, hunks, and any stray text up to the next file.
public struct FilePatch: Hashable, Sendable {
  /// The input's name, for locations.
  public let source: String
  /// `diff --git`, extended headers, `---`/`+++`, binary data, in input order.
  public internal(set) var headers: [ExtendedHeader]
  public internal(set) var hunks: [Hunk]
  /// Text after this file patch and before the next one (the last file's goes to the trailer).
  public internal(set) var trailing: [TextLine]
  /// Input lines of `@@` headers that could not be read; their bodies are in `trailing` text, so
  /// the patch is incomplete and `apply` refuses it.
  public internal(set) var malformedHunkLines: [Int]
  /// The old path, nil when the file is new (`/dev/null`).
  public let oldPath: String?
  /// The new path, nil when the file is deleted (`/dev/null`).
  public let newPath: String?

  public init(
    source: String = "<diff>", headers: [ExtendedHeader], hunks: [Hunk],
    trailing: [TextLine] = [], malformedHunkLines: [Int] = []
  ) {
    self.source = source
    self.headers = headers
    self.hunks = hunks
    self.trailing = trailing
    self.malformedHunkLines = malformedHunkLines
    let paths = FilePatch.paths(from: headers)
    self.oldPath = paths.old
    self.newPath = paths.new
  }

  func with(trailing more: [TextLine]) -> FilePatch {
    FilePatch(
      source: source, headers: headers, hunks: hunks, trailing: trailing + more,
      malformedHunkLines: malformedHunkLines)
  }

  /// The `diff --git` line, nil for a plain `diff -u` file patch.
  public var diffGitLine: ExtendedHeader? {
    headers.first { if case .diffGit = $0.kind { true } else { false } }
  }

  /// The `index` line's blob names and mode.
  public var index: (oldHash: String, newHash: String, mode: String?)? {
    for h in headers { if case .index(let o, let n, let m) = h.kind { return (o, n, m) } }
    return nil
  }

  /// The 1-based input line where this file patch starts.
  public var line: Int { headers.first?.line ?? hunks.first?.line ?? 0 }

  /// The path a reviewer means: the new path, or the old one for a deleted file.
  public var path: String {
    if isDeleted { return oldPath ?? newPath ?? "" }
    return newPath ?? oldPath ?? ""
  }

  public var isNew: Bool {
    headers.contains { if case .newFileMode = $0.kind { true } else { false } }
      || headers.contains { if case .oldFile(nil) = $0.kind { true } else { false } }
  }

  public var isDeleted: Bool {
    headers.contains { if case .deletedFileMode = $0.kind { true } else { false } }
      || headers.contains { if case .newFile(nil) = $0.kind { true } else { false } }
  }

  public var isRename: Bool {
    headers.contains {
      switch $0.kind {
      case .renameFrom, .renameTo: true
      default: false
      }
    }
  }

  public var isCopy: Bool {
    headers.contains {
      switch $0.kind {
      case .copyFrom, .copyTo: true
      default: false
      }
    }
  }

  public var isBinary: Bool {
    headers.contains {
      switch $0.kind {
      case .binaryFilesDiffer, .gitBinaryPatch: true
      default: false
      }
    }
  }

  /// The `similarity index` of a rename or copy, in percent.
  public var similarity: Int? {
    for h in headers { if case .similarityIndex(let n) = h.kind { return n } }
    return nil
  }

  /// The old mode (`old mode` or `deleted file mode`, else the `index` line's mode).
  public var oldMode: String? {
    for h in headers {
      switch h.kind {
      case .oldMode(let m), .deletedFileMode(let m): return m
      default: continue
      }
    }
    return indexMode
  }

  /// The new mode (`new mode` or `new file mode`, else the `index` line's mode).
  public var newMode: String? {
    for h in headers {
      switch h.kind {
      case .newMode(let m), .newFileMode(let m): return m
      default: continue
      }
    }
    return indexMode
  }

  private var indexMode: String? {
    for h in headers { if case .index(_, _, let m) = h.kind { return m } }
    return nil
  }

  /// The `GIT binary patch` block verbatim (its header line and data lines), if any.
  public var binaryPatch: [ExtendedHeader]? {
    guard let start = headers.firstIndex(where: { $0.kind == .gitBinaryPatch }) else {
      return nil
    }
    return Array(headers[start...].prefix { $0.kind == .gitBinaryPatch || $0.kind == .binaryData })
  }

  /// Lines added over all hunks.
  public var added: Int { hunks.reduce(0) { $0 + $1.added } }
  /// Lines removed over all hunks.
  public var removed: Int { hunks.reduce(0) { $0 + $1.removed } }
  /// The added lines of every hunk, in order.
  public var addedLines: [HunkLine] { hunks.flatMap { $0.lines.filter { $0.kind == .added } } }
  /// The removed lines of every hunk, in order.
  public var removedLines: [HunkLine] {
    hunks.flatMap { $0.lines.filter { $0.kind == .removed } }
  }

  /// Old and new path from the headers: `---`/`+++` first, then rename/copy headers, then the
  /// `diff --git` line, then `Binary files … differ`.
  static func paths(from headers: [ExtendedHeader]) -> (old: String?, new: String?) {
    var old: String?? = nil
    var new: String?? = nil
    var renameOld: String?
    var renameNew: String?
    var gitOld: String?
    var gitNew: String?
    var binOld: String?
    var binNew: String?
    var isNew = false
    var isDeleted = false
    for h in headers {
      switch h.kind {
      case .oldFile(let p): if old == nil { old = .some(p) }
      case .newFile(let p): if new == nil { new = .some(p) }
      case .renameFrom(let p), .copyFrom(let p): renameOld = renameOld ?? p
      case .renameTo(let p), .copyTo(let p): renameNew = renameNew ?? p
      case .diffGit(let o, let n):
        gitOld = gitOld ?? o
        gitNew = gitNew ?? n
      case .binaryFilesDiffer(let o, let n):
        binOld = binOld ?? o
        binNew = binNew ?? n
      case .newFileMode: isNew = true
      case .deletedFileMode: isDeleted = true
      default: continue
      }
    }
    // A `---`/`+++` line wins even when it names /dev/null (then the path is nil).
    let o: String?
    if isNew {
      o = nil
    } else if case .some(let p) = old {
      o = p
    } else {
      o = renameOld ?? gitOld ?? binOld
    }
    let n: String?
    if isDeleted {
      n = nil
    } else if case .some(let p) = new {
      n = p
    } else {
      n = renameNew ?? gitNew ?? binNew
    }
    return (o, n)
  }
}
