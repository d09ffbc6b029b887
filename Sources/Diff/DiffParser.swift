import Diagnostics

/// Reads unified diffs (git's and plain `diff -u`'s) anywhere in a text such as a mail body.
///
/// The parser never throws and never loses a byte: text before the first file patch is the
/// preamble, text after the last is the trailer, and damage inside a file patch is kept verbatim
/// and reported as a diagnostic (the swift-syntax split: a lossless tree plus diagnostics).
///
/// Message IDs: `diff.hunk-count-mismatch`, `diff.bad-hunk-header`, `diff.truncated`,
/// `diff.missing-hunks`, `diff.garbage`, `diff.bad-file-header`, `diff.bad-binary-patch`.
public enum DiffParser {
  /// Parses `text`; `file` names the input in diagnostics, `firstLine` is the line number of the
  /// text's first line in that input (a mail body starts after its headers).
  public static func parse(_ text: String, file: String, firstLine: Int = 1) -> (
    UnifiedDiff, [Diagnostic]
  ) {
    parse(bytes: Array(text.utf8), file: file, firstLine: firstLine)
  }

  /// Parses UTF-8 bytes (invalid sequences are replaced by U+FFFD in the model's strings).
  public static func parse(bytes: [UInt8], file: String, firstLine: Int = 1) -> (
    UnifiedDiff, [Diagnostic]
  ) {
    parse(bytes: bytes, lines: LineSplitter.split(bytes), file: file, firstLine: firstLine)
  }

  static func parse(bytes: [UInt8], lines: [RawLine], file: String, firstLine: Int) -> (
    UnifiedDiff, [Diagnostic]
  ) {
    var state = ParserState(bytes: bytes, lines: lines, source: file, firstLine: firstLine)
    let diff = state.run()
    return (diff, state.diagnostics.items)
  }

  /// Parses `text` and throws the first problem (warning or error) instead of stepping over it.
  public static func parseStrict(_ text: String, file: String, firstLine: Int = 1)
    throws(InputError) -> UnifiedDiff
  {
    let (diff, diagnostics) = parse(text, file: file, firstLine: firstLine)
    let problems = diagnostics.filter { $0.severity >= .warning }
    if let first = problems.min(by: { $0.location < $1.location }) {
      throw InputError(first.id, at: first.location, first.message)
    }
    return diff
  }
}

/// Byte prefixes the parser looks for.
private enum Token {
  static let diffGit = Array("diff --git ".utf8)
  static let oldFile = Array("--- ".utf8)
  static let newFile = Array("+++ ".utf8)
  static let hunk = Array("@@".utf8)
  static let index = Array("index ".utf8)
  static let oldMode = Array("old mode ".utf8)
  static let newMode = Array("new mode ".utf8)
  static let deletedFileMode = Array("deleted file mode ".utf8)
  static let newFileMode = Array("new file mode ".utf8)
  static let similarity = Array("similarity index ".utf8)
  static let dissimilarity = Array("dissimilarity index ".utf8)
  static let renameFrom = Array("rename from ".utf8)
  static let renameTo = Array("rename to ".utf8)
  static let renameOld = Array("rename old ".utf8)
  static let renameNew = Array("rename new ".utf8)
  static let copyFrom = Array("copy from ".utf8)
  static let copyTo = Array("copy to ".utf8)
  static let binaryFiles = Array("Binary files ".utf8)
  static let differ = Array(" differ".utf8)
  static let gitBinaryPatch = Array("GIT binary patch".utf8)
  static let literal = Array("literal ".utf8)
  static let delta = Array("delta ".utf8)
  static let base85Punctuation = Set("!#$%&()*+-;<=>?@^_`{|}~".utf8)
  static let emptyBlob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"

  static let space = UInt8(ascii: " ")
  static let plus = UInt8(ascii: "+")
  static let minus = UInt8(ascii: "-")
  static let backslash = UInt8(ascii: "\\")
  static let tab = UInt8(ascii: "\t")
}

/// The numbers of a `@@ -a,b +c,d @@ section` line.
private struct HunkHeader {
  var oldStart = 0
  var oldLines = 1
  var oldWritten = false
  var newStart = 0
  var newLines = 1
  var newWritten = false
  var section: String?
}

private struct ParserState {
  let bytes: [UInt8]
  let lines: [RawLine]
  let source: String
  let firstLine: Int
  var diagnostics = DiagnosticBag()

  init(bytes: [UInt8], lines: [RawLine], source: String, firstLine: Int) {
    self.bytes = bytes
    self.lines = lines
    self.source = source
    self.firstLine = firstLine
  }

  var n: Int { lines.count }

  // MARK: Line access

  func lineNumber(_ i: Int) -> Int { firstLine + i }
  func location(_ i: Int) -> SourceLocation { SourceLocation(file: source, line: lineNumber(i)) }

  func text(_ i: Int) -> String {
    String(decoding: bytes[lines[i].start..<lines[i].end], as: UTF8.self)
  }

  /// The line's text after its first `count` bytes.
  func text(_ i: Int, dropping count: Int) -> String {
    let l = lines[i]
    return String(decoding: bytes[min(l.start + count, l.end)..<l.end], as: UTF8.self)
  }

  func textLine(_ i: Int) -> TextLine {
    TextLine(text(i), ending: lines[i].ending, line: lineNumber(i))
  }

  func textLines(_ r: Range<Int>) -> [TextLine] { r.map { textLine($0) } }

  func header(_ kind: ExtendedHeader.Kind, _ i: Int) -> ExtendedHeader {
    ExtendedHeader(kind, text: text(i), ending: lines[i].ending, line: lineNumber(i))
  }

  func has(_ i: Int, _ prefix: [UInt8]) -> Bool {
    let l = lines[i]
    guard l.end - l.start >= prefix.count else { return false }
    var k = 0
    while k < prefix.count {
      if bytes[l.start + k] != prefix[k] { return false }
      k += 1
    }
    return true
  }

  func equals(_ i: Int, _ s: [UInt8]) -> Bool {
    lines[i].end - lines[i].start == s.count && has(i, s)
  }

  func first(_ i: Int) -> UInt8? {
    lines[i].end > lines[i].start ? bytes[lines[i].start] : nil
  }

  func isEmpty(_ i: Int) -> Bool { lines[i].end == lines[i].start }

  /// True if every line from `i` on holds only spaces and tabs.
  func restIsBlank(from i: Int) -> Bool {
    var j = i
    while j < n {
      let l = lines[j]
      for k in l.start..<l.end where bytes[k] != Token.space && bytes[k] != Token.tab {
        return false
      }
      j += 1
    }
    return true
  }

  // MARK: Structure

  func isGitStart(_ i: Int) -> Bool { has(i, Token.diffGit) }

  /// `--- x` / `+++ y` followed by a `@@` line or the end of input: a plain `diff -u` file.
  func isPlainStart(_ i: Int) -> Bool {
    has(i, Token.oldFile) && i + 1 < n && has(i + 1, Token.newFile)
      && (i + 2 == n || has(i + 2, Token.hunk))
  }

  func isFileStart(_ i: Int) -> Bool { isGitStart(i) || isPlainStart(i) }

  func nextFileStart(from i: Int) -> Int {
    var j = i
    var progress = LoopProgress()
    while j < n, progress.advanced(to: j), !isFileStart(j) { j += 1 }
    return j
  }

  /// A non-empty line that can belong to a hunk body.
  func isHunkLike(_ i: Int) -> Bool {
    guard let c = first(i) else { return false }
    return c == Token.space || c == Token.plus || c == Token.minus || c == Token.backslash
  }

  /// `-- ` (or `--`, its trailing space stripped): the mail signature separator.
  func isSignatureText(_ i: Int) -> Bool {
    equals(i, Array("-- ".utf8)) || equals(i, Array("--".utf8))
  }

  /// The signature separator followed by something that is not hunk text (git's version line,
  /// a blank line, the end of input).
  func isSignature(_ i: Int) -> Bool {
    isSignatureText(i) && (i + 1 >= n || !isHunkLike(i + 1))
  }

  /// `-- ` followed by a version line (`2.39.2`) and then only blank lines: the signature
  /// `git format-patch` writes.
  func isGitSignature(_ i: Int) -> Bool {
    guard isSignatureText(i), i + 1 < n else { return false }
    let l = lines[i + 1]
    var k = l.start
    var digits = 0
    while k < l.end, (48...57).contains(bytes[k]) {
      digits += 1
      k += 1
    }
    guard digits > 0, k < l.end, bytes[k] == UInt8(ascii: ".") else { return false }
    return restIsBlank(from: i + 2)
  }

  /// Where stray text starting at `i` is followed by more of the same file patch (a `@@` line,
  /// or a `---` line when the file has none yet); nil when the next file or the end comes first.
  func continuation(from i: Int, sawOldFile: Bool) -> Int? {
    var j = i
    var progress = LoopProgress()
    while j < n, progress.advanced(to: j) {
      if isGitStart(j) { return nil }
      if has(j, Token.hunk) { return j }
      if has(j, Token.oldFile) {
        if !sawOldFile { return j }
        if isPlainStart(j) { return nil }
      }
      j += 1
    }
    return nil
  }

  // MARK: Whole input

  mutating func run() -> UnifiedDiff {
    let first = nextFileStart(from: 0)
    let preamble = textLines(0..<first)
    var files: [FilePatch] = []
    var trailer: [TextLine] = []
    var i = first
    var progress = LoopProgress()
    while i < n, progress.advanced(to: i) {
      let (patch, parsedEnd) = parseFile(at: i)
      let end = max(parsedEnd, i + 1)
      let next = nextFileStart(from: end)
      let stray = textLines(end..<next)
      if next < n {
        files.append(stray.isEmpty ? patch : patch.with(trailing: stray))
      } else {
        files.append(patch)
        trailer = stray
      }
      i = next
    }
    return UnifiedDiff(source: source, preamble: preamble, files: files, trailer: trailer)
  }

  // MARK: One file patch

  mutating func parseFile(at start: Int) -> (FilePatch, Int) {
    var headers: [ExtendedHeader] = []
    var hunks: [Hunk] = []
    var malformed: [Int] = []
    var i = start
    let isGit = isGitStart(start)
    var sawOldFile = false
    var headerDamaged = false
    if isGit {
      let paths = PathParsing.gitPaths(Substring(text(start, dropping: Token.diffGit.count)))
      headers.append(header(.diffGit(oldPath: paths.old, newPath: paths.new), start))
      i += 1
    }

    // The header block: extended headers, `---`/`+++`, a binary patch.
    var progress = LoopProgress()
    headerBlock: while i < n, progress.advanced(to: i) {
      if isGitStart(i) { break headerBlock }
      if !sawOldFile, has(i, Token.oldFile) {
        sawOldFile = true
        let value = Substring(text(i, dropping: Token.oldFile.count))
        headers.append(header(.oldFile(path: PathParsing.fileLinePath(value)), i))
        let oldLine = i
        i += 1
        if i < n, has(i, Token.newFile) {
          let value = Substring(text(i, dropping: Token.newFile.count))
          headers.append(header(.newFile(path: PathParsing.fileLinePath(value)), i))
          i += 1
        } else if restIsBlank(from: i) {
          headerDamaged = true
          diagnostics.report(
            "diff.truncated", .error, at: location(oldLine),
            "the input ends after the '---' line; the '+++' line and the hunks are missing")
        } else {
          headerDamaged = true
          diagnostics.report(
            "diff.bad-file-header", .error, at: location(oldLine),
            "a '---' line must be followed by a '+++' line")
        }
        break headerBlock
      }
      if has(i, Token.hunk) { break headerBlock }
      if isGit, let kind = extendedHeader(i) {
        headers.append(header(kind, i))
        i += 1
        if kind == .gitBinaryPatch { i = readBinaryPatch(into: &headers, from: i, at: i - 1) }
        continue
      }
      if let j = continuation(from: i, sawOldFile: sawOldFile) {
        reportGarbage(at: i)
        for k in i..<j { headers.append(header(.unrecognized, k)) }
        i = j
        continue
      }
      let patch = finish(start, headers, hunks, malformed, end: i, headerDamaged: headerDamaged)
      return (patch, i)
    }

    // The hunks, and stray text between them.
    progress = LoopProgress()
    hunkBlock: while i < n, progress.advanced(to: i) {
      if has(i, Token.hunk) {
        if let h = parseHunkHeader(i) {
          let (hunk, end) = readHunk(h, at: i)
          hunks.append(hunk)
          i = end
          continue
        }
        diagnostics.report(
          "diff.bad-hunk-header", .error, at: location(i),
          "malformed hunk header; expected '@@ -start,count +start,count @@'")
        malformed.append(lineNumber(i))
        let end = extent(from: i + 1)
        attachStray(i..<end, headers: &headers, hunks: &hunks)
        i = end
        continue
      }
      if isFileStart(i) { break hunkBlock }
      if let j = continuation(from: i, sawOldFile: true) {
        reportGarbage(at: i)
        attachStray(i..<j, headers: &headers, hunks: &hunks)
        i = j
        continue
      }
      break hunkBlock
    }
    let patch = finish(start, headers, hunks, malformed, end: i, headerDamaged: headerDamaged)
    return (patch, i)
  }

  mutating func reportGarbage(at i: Int) {
    diagnostics.report(
      "diff.garbage", .warning, at: location(i),
      "unexpected text inside a file patch; it is kept but not applied")
  }

  func attachStray(_ r: Range<Int>, headers: inout [ExtendedHeader], hunks: inout [Hunk]) {
    if let last = hunks.indices.last {
      hunks[last] = hunks[last].with(trailing: textLines(r))
    } else {
      for k in r { headers.append(header(.unrecognized, k)) }
    }
  }

  /// Builds the file patch, and reports one whose content is missing: it has `---`/`+++` lines,
  /// or an `index` line naming two different blobs (other than creating or deleting an empty
  /// file), yet no hunk and no binary data. At the end of the input that is `diff.truncated`,
  /// elsewhere `diff.missing-hunks`.
  mutating func finish(
    _ start: Int, _ headers: [ExtendedHeader], _ hunks: [Hunk], _ malformed: [Int], end: Int,
    headerDamaged: Bool
  ) -> FilePatch {
    let patch = FilePatch(
      source: source, headers: headers, hunks: hunks, malformedHunkLines: malformed)
    guard hunks.isEmpty, malformed.isEmpty, !headerDamaged, !patch.isBinary else { return patch }
    var expectsHunks = false
    for h in headers {
      switch h.kind {
      case .newFile: expectsHunks = true
      case .index(let old, let new, _) where old != new:
        let isZero = { (s: String) in s.allSatisfy { $0 == "0" } }
        let isEmptyBlob = { (s: String) in s.count >= 7 && Token.emptyBlob.hasPrefix(s) }
        let emptyCreateOrDelete =
          (isZero(old) && isEmptyBlob(new)) || (isEmptyBlob(old) && isZero(new))
        if !emptyCreateOrDelete { expectsHunks = true }
      default: continue
      }
    }
    guard expectsHunks else { return patch }
    if restIsBlank(from: end) {
      diagnostics.report(
        "diff.truncated", .error, at: location(start),
        "the input ends before this file patch's hunks")
    } else {
      diagnostics.report(
        "diff.missing-hunks", .error, at: location(start),
        "this file patch changes content but has no hunks")
    }
    return patch
  }

  // MARK: Extended headers

  func extendedHeader(_ i: Int) -> ExtendedHeader.Kind? {
    func value(_ p: [UInt8]) -> Substring { Substring(text(i, dropping: p.count)) }
    if has(i, Token.index) {
      let v = value(Token.index)
      let parts = v.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
      guard let hashes = parts.first, let dots = hashes.firstRange(of: "..") else { return nil }
      let old = String(hashes[..<dots.lowerBound])
      let new = String(hashes[dots.upperBound...])
      let hex = { (s: String) in !s.isEmpty && s.allSatisfy { $0.isHexDigit } }
      guard hex(old), hex(new) else { return nil }
      return .index(oldHash: old, newHash: new, mode: parts.count > 1 ? String(parts[1]) : nil)
    }
    if has(i, Token.oldMode) { return .oldMode(String(value(Token.oldMode))) }
    if has(i, Token.newMode) { return .newMode(String(value(Token.newMode))) }
    if has(i, Token.deletedFileMode) {
      return .deletedFileMode(String(value(Token.deletedFileMode)))
    }
    if has(i, Token.newFileMode) { return .newFileMode(String(value(Token.newFileMode))) }
    if has(i, Token.similarity) {
      return percent(value(Token.similarity)).map { .similarityIndex($0) }
    }
    if has(i, Token.dissimilarity) {
      return percent(value(Token.dissimilarity)).map { .dissimilarityIndex($0) }
    }
    if has(i, Token.renameFrom) {
      return .renameFrom(PathParsing.plainPath(value(Token.renameFrom)))
    }
    if has(i, Token.renameTo) { return .renameTo(PathParsing.plainPath(value(Token.renameTo))) }
    if has(i, Token.renameOld) { return .renameFrom(PathParsing.plainPath(value(Token.renameOld))) }
    if has(i, Token.renameNew) { return .renameTo(PathParsing.plainPath(value(Token.renameNew))) }
    if has(i, Token.copyFrom) { return .copyFrom(PathParsing.plainPath(value(Token.copyFrom))) }
    if has(i, Token.copyTo) { return .copyTo(PathParsing.plainPath(value(Token.copyTo))) }
    if has(i, Token.binaryFiles) {
      let v = value(Token.binaryFiles)
      guard v.hasSuffix(" differ") else { return nil }
      let paths = PathParsing.binaryPaths(v.dropLast(Token.differ.count))
      return .binaryFilesDiffer(oldPath: paths.old, newPath: paths.new)
    }
    if equals(i, Token.gitBinaryPatch) { return .gitBinaryPatch }
    return nil
  }

  func percent(_ v: Substring) -> Int? {
    guard v.hasSuffix("%"), v.count <= 4 else { return nil }
    return Int(v.dropLast())
  }

  /// Reads the blocks of a `GIT binary patch` (forward and reverse: `literal N`/`delta N`, base85
  /// lines, a blank line) into `binaryData` headers.
  mutating func readBinaryPatch(into headers: inout [ExtendedHeader], from start: Int, at line: Int)
    -> Int
  {
    var j = start
    for block in 0..<2 {
      guard j < n, has(j, Token.literal) || has(j, Token.delta) else {
        if block == 0 { reportBinary(line, truncated: j >= n) }
        return j
      }
      headers.append(header(.binaryData, j))
      j += 1
      var progress = LoopProgress()
      while j < n, progress.advanced(to: j), !isEmpty(j), isBase85Line(j) {
        headers.append(header(.binaryData, j))
        j += 1
      }
      guard j < n, isEmpty(j) else {
        reportBinary(line, truncated: j >= n)
        return j
      }
      headers.append(header(.binaryData, j))
      j += 1
    }
    return j
  }

  mutating func reportBinary(_ i: Int, truncated: Bool) {
    if truncated {
      diagnostics.report(
        "diff.truncated", .error, at: location(i), "the input ends inside a GIT binary patch")
    } else {
      diagnostics.report(
        "diff.bad-binary-patch", .error, at: location(i),
        "a GIT binary patch block must be 'literal N' or 'delta N', base85 lines, a blank line")
    }
  }

  /// A base85 data line: a length letter (`A`–`Z`, `a`–`z`) then base85 characters.
  func isBase85Line(_ i: Int) -> Bool {
    let l = lines[i]
    guard let c = first(i), (65...90).contains(c) || (97...122).contains(c) else { return false }
    for k in (l.start + 1)..<l.end {
      let b = bytes[k]
      let ok =
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b)
        || Token.base85Punctuation.contains(b)
      if !ok { return false }
    }
    return true
  }

  // MARK: Hunks

  /// Reads `@@ -a[,b] +c[,d] @@[ section]`; nil when the line is not of that form.
  func parseHunkHeader(_ i: Int) -> HunkHeader? {
    let l = lines[i]
    var k = l.start
    func expect(_ s: String) -> Bool {
      for b in s.utf8 {
        guard k < l.end, bytes[k] == b else { return false }
        k += 1
      }
      return true
    }
    func number() -> Int? {
      var v = 0
      var digits = 0
      while k < l.end, (48...57).contains(bytes[k]), digits < 10 {
        v = v * 10 + Int(bytes[k] - 48)
        digits += 1
        k += 1
      }
      guard digits > 0, digits < 10 else { return nil }
      return v
    }
    var h = HunkHeader()
    guard expect("@@ -"), let os = number() else { return nil }
    h.oldStart = os
    if k < l.end, bytes[k] == UInt8(ascii: ",") {
      k += 1
      guard let c = number() else { return nil }
      h.oldLines = c
      h.oldWritten = true
    }
    guard expect(" +"), let ns = number() else { return nil }
    h.newStart = ns
    if k < l.end, bytes[k] == UInt8(ascii: ",") {
      k += 1
      guard let c = number() else { return nil }
      h.newLines = c
      h.newWritten = true
    }
    guard expect(" @@") else { return nil }
    if k < l.end {
      if bytes[k] == Token.space { k += 1 }
      h.section = String(decoding: bytes[k..<l.end], as: UTF8.self)
    }
    return h
  }

  func hunkLine(_ kind: HunkLine.Kind, _ i: Int) -> HunkLine {
    if isEmpty(i) {
      return HunkLine(.context, "", ending: lines[i].ending, line: lineNumber(i), isBare: true)
    }
    return HunkLine(kind, text(i, dropping: 1), ending: lines[i].ending, line: lineNumber(i))
  }

  /// Attaches the `\ No newline at end of file` line `i` to the last line read, if it has none.
  func attachMarker(_ out: inout [HunkLine], _ i: Int) -> Bool {
    guard let last = out.last, last.noNewline == nil else { return false }
    out[out.count - 1] = HunkLine(
      last.kind, last.text, ending: last.ending, line: last.line, isBare: last.isBare,
      noNewline: textLine(i))
    return true
  }

  /// Where a run of non-empty hunk lines starting at `i` ends (the body of an unreadable hunk,
  /// or the extra lines of an over-long one).
  func extent(from i: Int) -> Int {
    var j = i
    var progress = LoopProgress()
    while j < n, progress.advanced(to: j), isHunkLike(j) {
      if isPlainStart(j) || isSignatureText(j) { break }
      j += 1
    }
    return j
  }

  /// Reads a hunk body.
  ///
  /// The header's counts say where the hunk ends, as in `git apply`; an empty line counts as an
  /// empty context line. When the counts and the body disagree the hunk keeps what is really
  /// there, and `diff.hunk-count-mismatch` is reported at the header:
  /// - too few lines: the hunk ends at the first line that cannot belong to it (a `@@` or
  ///   `diff --git` line, prose, the `-- ` signature, a `---`/`+++` pair), and trailing empty
  ///   lines are handed back; when only blank lines follow, the patch is `diff.truncated`;
  /// - too many lines: non-empty `' '`/`+`/`-` lines right after the counted ones still belong
  ///   to the hunk (an edited patch whose header was not updated).
  mutating func readHunk(_ h: HunkHeader, at start: Int) -> (Hunk, Int) {
    var out: [HunkLine] = []
    var remOld = h.oldLines
    var remNew = h.newLines
    var j = start + 1
    var progress = LoopProgress()
    counted: while j < n, remOld != 0 || remNew != 0, progress.advanced(to: j) {
      guard let c = first(j) else {
        out.append(hunkLine(.context, j))
        remOld -= 1
        remNew -= 1
        j += 1
        continue
      }
      switch c {
      case Token.space:
        out.append(hunkLine(.context, j))
        remOld -= 1
        remNew -= 1
      case Token.plus:
        out.append(hunkLine(.added, j))
        remNew -= 1
      case Token.minus:
        // A `---`/`+++`/`@@` run starts a plain diff, unless it is exactly the removed and
        // added line still due (a hunk changing `-- x` into `++ y`).
        if isPlainStart(j), !(remOld == 1 && remNew == 1) { break counted }
        // `-- ` then a git version and nothing more: format-patch's signature, always. Another
        // `-- ` before non-hunk text: a signature too, unless it is exactly the one removed
        // line still due.
        if isGitSignature(j) { break counted }
        if isSignature(j), !(remOld == 1 && remNew == 0) { break counted }
        out.append(hunkLine(.removed, j))
        remOld -= 1
      case Token.backslash:
        guard attachMarker(&out, j) else { break counted }
      default:
        break counted
      }
      j += 1
    }

    var overLong = false
    var truncated = false
    if remOld == 0 && remNew == 0 {
      if j < n, first(j) == Token.backslash, attachMarker(&out, j) { j += 1 }
      let end = extent(from: j)
      var k = j
      var extra = LoopProgress()
      while k < end, extra.advanced(to: k) {
        if first(k) == Token.backslash {
          if !attachMarker(&out, k) { break }
        } else {
          let kind: HunkLine.Kind =
            first(k) == Token.plus ? .added : first(k) == Token.minus ? .removed : .context
          out.append(hunkLine(kind, k))
        }
        k += 1
      }
      overLong = k > j
      j = k
    } else {
      var giveBack = LoopProgress()
      var handedBack = 0
      while let last = out.last, last.isBare, last.noNewline == nil,
        giveBack.advanced(to: handedBack)
      {
        out.removeLast()
        j -= 1
        handedBack += 1
      }
      truncated = restIsBlank(from: j)
    }

    let hunk = Hunk(
      oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart, newLines: h.newLines,
      oldCountWritten: h.oldWritten, newCountWritten: h.newWritten, section: h.section,
      headerText: text(start), headerEnding: lines[start].ending, line: lineNumber(start),
      lines: out, trailing: [])
    let claim = "-\(h.oldStart),\(h.oldLines) +\(h.newStart),\(h.newLines)"
    let body = "\(hunk.actualOldLines) old and \(hunk.actualNewLines) new lines"
    if truncated {
      diagnostics.report(
        "diff.truncated", .error, at: location(start),
        "the input ends inside this hunk: the header says \(claim), the body has \(body)")
    } else if overLong || !hunk.countsMatch {
      diagnostics.report(
        "diff.hunk-count-mismatch", .error, at: location(start),
        "the hunk header says \(claim) but the body has \(body)")
    }
    return (hunk, j)
  }
}
