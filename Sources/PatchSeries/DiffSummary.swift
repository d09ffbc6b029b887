import Diagnostics
import Mail

/// The files a patch changes, read straight from the bytes of its body: what `series` shows
/// (paths, status, +/- counts, hunk headers) without the diff model, which keeps every line
/// as a string.
///
/// It reads the shape `git format-patch` writes — `diff --git`, `index`, `new file mode` or
/// `deleted file mode`, `---`/`+++`, hunks whose lines match their header's counts — and
/// gives up on anything else (renames, copies, mode changes, binary patches, plain `diff -u`
/// files, quoted paths, `\ No newline`, a CR, an empty line inside a hunk, counts that do
/// not match, stray text, a `--` line inside a hunk). A caller that gets nil parses the body
/// with `DiffParser` instead. So the result is always what
/// `PatchFiles.summaries(of: DiffParser.parse(body))` gives, and the parser would report
/// nothing for a body read here (`DiffSummaryTests` compares the two).
enum DiffSummary {
  /// The summaries of the file patches in `buf` (empty when it holds no diff), or nil when the
  /// body needs the full parser. `inputLine` maps a 1-based line of `buf` to the input.
  static func files(in buf: UnsafeBufferPointer<UInt8>, inputLine: (Int) -> Int) -> [FileChange]? {
    guard BodyLines.find(0x0D, in: buf, from: 0, to: buf.count) == nil else { return nil }
    var reader = Reader(buf: buf, lines: Reader.split(buf))
    return reader.run(inputLine: inputLine)
  }

  private static let space = UInt8(ascii: " ")
  private static let tab = UInt8(ascii: "\t")

  private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

  private static func isHexDigit(_ b: UInt8) -> Bool {
    b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 6
  }

  private struct Reader {
    let buf: UnsafeBufferPointer<UInt8>
    let lines: [Range<Int>]
    var n: Int { lines.count }

    /// The lines of `buf` (no CR in it): `\n` ends a line, and a last line may lack it.
    static func split(_ buf: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
      var out: [Range<Int>] = []
      out.reserveCapacity(buf.count / 32)
      let n = buf.count
      var i = 0
      while i < n {
        let end = BodyLines.findLF(in: buf, from: i, to: n) ?? n
        out.append(i..<end)
        i = end + 1
      }
      return out
    }

    func has(_ i: Int, _ prefix: StaticString) -> Bool {
      BodyLines.hasPrefix(buf, lines[i], prefix)
    }
    func first(_ i: Int) -> UInt8? { lines[i].isEmpty ? nil : buf[lines[i].lowerBound] }

    /// `--- x` / `+++ y` followed by a `@@` line or the end: the start of a plain diff.
    func isPlainStart(_ i: Int) -> Bool {
      has(i, "--- ") && i + 1 < n && has(i + 1, "+++ ") && (i + 2 == n || has(i + 2, "@@"))
    }

    mutating func run(inputLine: (Int) -> Int) -> [FileChange]? {
      var i = 0
      // The first file patch: a `diff --git` line (a plain diff: the full parser).
      while i < n, !has(i, "diff --git ") {
        if isPlainStart(i) { return nil }
        i += 1
      }
      var files: [FileChange] = []
      var progress = LoopProgress()
      while i < n, progress.advanced(to: i) {
        guard let (file, end) = readFile(at: i, inputLine: inputLine) else { return nil }
        files.append(file)
        // Text after the hunks up to the next file is kept by the parser as is, unless a
        // `@@` line or a plain diff comes first (then it is stray text inside this file).
        i = end
        while i < n, !has(i, "diff --git ") {
          if has(i, "@@") || isPlainStart(i) { return nil }
          i += 1
        }
      }
      return files
    }

    /// The file patch at `start` (a `diff --git` line) and where it ends.
    func readFile(at start: Int, inputLine: (Int) -> Int) -> (FileChange, Int)? {
      var i = start + 1
      var newFileMode = false
      var deletedFileMode = false
      while i < n, !has(i, "--- ") {
        if has(i, "index ") {
          guard isIndexLine(i) else { return nil }
        } else if has(i, "new file mode ") {
          newFileMode = true
        } else if has(i, "deleted file mode ") {
          deletedFileMode = true
        } else {
          return nil
        }
        i += 1
      }
      guard i + 1 < n, has(i + 1, "+++ "), let oldName = name(i, dropping: 4),
        let newName = name(i + 1, dropping: 4)
      else { return nil }
      i += 2
      var hunks: [HunkSummary] = []
      var added = 0
      var removed = 0
      while i < n, has(i, "@@") {
        guard let h = hunkHeader(i), let end = readHunk(h, at: i, &added, &removed) else {
          return nil
        }
        hunks.append(
          HunkSummary(
            oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart,
            newLines: h.newLines, kind: .other, line: inputLine(i + 1)))
        i = end
      }
      guard !hunks.isEmpty else { return nil }
      // As `FilePatch.paths(from:)` and `FilePatch.path`: `/dev/null` is no path.
      let oldPath = newFileMode ? nil : oldName.path
      let newPath = deletedFileMode ? nil : newName.path
      let isNew = newFileMode || oldName.path == nil
      let isDeleted = deletedFileMode || newName.path == nil
      let path = isDeleted ? (oldPath ?? newPath ?? "") : (newPath ?? oldPath ?? "")
      let kind = HunkKind.classify(path: path)
      for k in hunks.indices { hunks[k].kind = kind }
      let status: FileChange.Status = isNew ? .added : isDeleted ? .deleted : .modified
      let file = FileChange(
        path: path, oldPath: nil, status: status, added: added, removed: removed, kind: kind,
        hunks: hunks)
      return (file, i)
    }

    /// `index <hex>..<hex>[ mode]`.
    func isIndexLine(_ i: Int) -> Bool {
      let l = lines[i]
      let from = l.lowerBound + 6
      let end = BodyLines.find(space, in: buf, from: from, to: l.upperBound) ?? l.upperBound
      var k = from
      while k < end, isHexDigit(buf[k]) { k += 1 }
      guard k > from, k + 2 < end, buf[k] == UInt8(ascii: "."), buf[k + 1] == UInt8(ascii: ".")
      else { return false }
      for j in (k + 2)..<end where !isHexDigit(buf[j]) { return false }
      return true
    }

    /// The name of a `---`/`+++` line after its prefix, unquoted forms left to the parser:
    /// up to a tab, without trailing spaces; `/dev/null` is no path, others lose their first
    /// component (`a/`, `b/`).
    func name(_ i: Int, dropping count: Int) -> Name? {
      let l = lines[i]
      let from = l.lowerBound + count
      guard from <= l.upperBound, from == l.upperBound || buf[from] != UInt8(ascii: "\"") else {
        return nil
      }
      var end = BodyLines.find(tab, in: buf, from: from, to: l.upperBound) ?? l.upperBound
      while end > from, buf[end - 1] == space { end -= 1 }
      let value = UnsafeBufferPointer(rebasing: buf[from..<end])
      if value.elementsEqual("/dev/null".utf8) { return Name(path: nil) }
      let cut =
        BodyLines.find(UInt8(ascii: "/"), in: buf, from: from, to: end).map { $0 + 1 } ?? from
      return Name(
        path: String(decoding: UnsafeBufferPointer(rebasing: buf[cut..<end]), as: UTF8.self))
    }

    /// A `---`/`+++` name: nil for `/dev/null`.
    struct Name {
      var path: String?
    }

    struct Header {
      var oldStart: Int
      var oldLines: Int
      var newStart: Int
      var newLines: Int
    }

    /// `@@ -a[,b] +c[,d] @@[ section]`, read as the parser reads it.
    func hunkHeader(_ i: Int) -> Header? {
      let l = lines[i]
      var k = l.lowerBound
      func expect(_ s: StaticString) -> Bool {
        guard BodyLines.hasPrefix(buf, k..<l.upperBound, s) else { return false }
        k += s.utf8CodeUnitCount
        return true
      }
      func number() -> Int? {
        var v = 0
        var digits = 0
        while k < l.upperBound, isDigit(buf[k]), digits < 10 {
          v = v * 10 + Int(buf[k] - 48)
          digits += 1
          k += 1
        }
        guard digits > 0, digits < 10 else { return nil }
        return v
      }
      // `start[,count]`, the count 1 when it is not written.
      func range() -> (start: Int, count: Int)? {
        guard let start = number() else { return nil }
        guard k < l.upperBound, buf[k] == UInt8(ascii: ",") else { return (start, 1) }
        k += 1
        return number().map { (start, $0) }
      }
      guard expect("@@ -"), let old = range(), expect(" +"), let new = range(), expect(" @@")
      else { return nil }
      return Header(
        oldStart: old.start, oldLines: old.count, newStart: new.start, newLines: new.count)
    }

    /// The lines of the hunk whose header is line `start`: exactly as many as the header
    /// counts, each ` `, `+` or `-` (not `--`), and no hunk line right after them. Returns
    /// the line after the hunk.
    func readHunk(_ h: Header, at start: Int, _ added: inout Int, _ removed: inout Int) -> Int? {
      var remOld = h.oldLines
      var remNew = h.newLines
      var j = start + 1
      while remOld > 0 || remNew > 0 {
        guard j < n, let c = first(j) else { return nil }
        switch c {
        case space:
          guard remOld > 0, remNew > 0 else { return nil }
          remOld -= 1
          remNew -= 1
        case UInt8(ascii: "+"):
          guard remNew > 0 else { return nil }
          remNew -= 1
          added += 1
        case UInt8(ascii: "-"):
          guard remOld > 0, lines[j].count < 2 || buf[lines[j].lowerBound + 1] != c else {
            return nil
          }
          remOld -= 1
          removed += 1
        default:
          return nil
        }
        j += 1
      }
      // The parser takes more hunk lines after the counted ones as an over-long hunk; only a
      // signature line (`-- `) may follow.
      if j < n, let c = first(j) {
        switch c {
        case space, UInt8(ascii: "+"), UInt8(ascii: "\\"): return nil
        case UInt8(ascii: "-"):
          guard BodyLines.equals(buf, lines[j], "-- ") || BodyLines.equals(buf, lines[j], "--")
          else { return nil }
        default: break
        }
      }
      return j
    }
  }
}
