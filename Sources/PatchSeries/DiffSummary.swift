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
    var reader = Reader(buf: buf)
    return reader.run(inputLine: inputLine)
  }

  private static let space = UInt8(ascii: " ")
  private static let tab = UInt8(ascii: "\t")

  private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

  private static func isHexDigit(_ b: UInt8) -> Bool {
    b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 6
  }

  /// A line of the body: `start..<end` without its `\n`, and its 0-based number.
  private struct Line {
    var start: Int
    var end: Int
    var index: Int
  }

  private struct Reader {
    let buf: UnsafeBufferPointer<UInt8>
    var n: Int { buf.count }

    /// The line that starts at `start` (the `index`-th), nil past the end: `\n` ends a line,
    /// and a last line may lack it (a body that ends with `\n` has no empty line after it).
    func line(at start: Int, index: Int) -> Line? {
      guard start < n else { return nil }
      let end = BodyLines.findLF(in: buf, from: start, to: n) ?? n
      return Line(start: start, end: end, index: index)
    }

    func after(_ l: Line) -> Line? { line(at: l.end + 1, index: l.index + 1) }

    func has(_ l: Line, _ prefix: StaticString) -> Bool {
      BodyLines.hasPrefix(buf, l.start..<l.end, prefix)
    }
    func first(_ l: Line) -> UInt8? { l.start < l.end ? buf[l.start] : nil }

    /// `--- x` / `+++ y` followed by a `@@` line or the end: the start of a plain diff.
    func isPlainStart(_ l: Line) -> Bool {
      guard has(l, "--- "), let next = after(l), has(next, "+++ ") else { return false }
      guard let third = after(next) else { return true }
      return has(third, "@@")
    }

    mutating func run(inputLine: (Int) -> Int) -> [FileChange]? {
      var cur = line(at: 0, index: 0)
      // The first file patch: a `diff --git` line (a plain diff: the full parser).
      while let l = cur, !has(l, "diff --git ") {
        if isPlainStart(l) { return nil }
        cur = after(l)
      }
      var files: [FileChange] = []
      var progress = LoopProgress()
      while let l = cur, progress.advanced(to: l.start) {
        guard let (file, end) = readFile(at: l, inputLine: inputLine) else { return nil }
        files.append(file)
        // Text after the hunks up to the next file is kept by the parser as is, unless a
        // `@@` line or a plain diff comes first (then it is stray text inside this file).
        cur = end
        while let l = cur, !has(l, "diff --git ") {
          if has(l, "@@") || isPlainStart(l) { return nil }
          cur = after(l)
        }
      }
      return files
    }

    /// The file patch at `start` (a `diff --git` line) and the line after it (nil at the end).
    func readFile(at start: Line, inputLine: (Int) -> Int) -> (FileChange, Line?)? {
      var cur = after(start)
      var newFileMode = false
      var deletedFileMode = false
      while let l = cur, !has(l, "--- ") {
        if has(l, "index ") {
          guard isIndexLine(l) else { return nil }
        } else if has(l, "new file mode ") {
          newFileMode = true
        } else if has(l, "deleted file mode ") {
          deletedFileMode = true
        } else {
          return nil
        }
        cur = after(l)
      }
      guard let minus = cur, let plus = after(minus), has(plus, "+++ "),
        let oldName = name(minus, dropping: 4), let newName = name(plus, dropping: 4)
      else { return nil }
      cur = after(plus)
      var hunks: [HunkSummary] = []
      var added = 0
      var removed = 0
      while let l = cur, has(l, "@@") {
        guard let h = hunkHeader(l) else { return nil }
        guard let end = readHunk(h, at: l, &added, &removed) else { return nil }
        hunks.append(
          HunkSummary(
            oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart,
            newLines: h.newLines, kind: .other, line: inputLine(l.index + 1)))
        cur = end.line
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
      return (file, cur)
    }

    /// `index <hex>..<hex>[ mode]`.
    func isIndexLine(_ l: Line) -> Bool {
      let from = l.start + 6
      let end = BodyLines.find(space, in: buf, from: from, to: l.end) ?? l.end
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
    func name(_ l: Line, dropping count: Int) -> Name? {
      let from = l.start + count
      guard from <= l.end, from == l.end || buf[from] != UInt8(ascii: "\"") else {
        return nil
      }
      var end = BodyLines.find(tab, in: buf, from: from, to: l.end) ?? l.end
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
    func hunkHeader(_ l: Line) -> Header? {
      var k = l.start
      func expect(_ s: StaticString) -> Bool {
        guard BodyLines.hasPrefix(buf, k..<l.end, s) else { return false }
        k += s.utf8CodeUnitCount
        return true
      }
      func number() -> Int? {
        var v = 0
        var digits = 0
        while k < l.end, isDigit(buf[k]), digits < 10 {
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
        guard k < l.end, buf[k] == UInt8(ascii: ",") else { return (start, 1) }
        k += 1
        return number().map { (start, $0) }
      }
      guard expect("@@ -"), let old = range(), expect(" +"), let new = range(), expect(" @@")
      else { return nil }
      return Header(
        oldStart: old.start, oldLines: old.count, newStart: new.start, newLines: new.count)
    }

    /// Where a hunk ends: the line after it, nil at the end of the body.
    struct HunkEnd {
      var line: Line?
    }

    /// The lines of the hunk whose header is `header`: exactly as many as the header counts,
    /// each ` `, `+` or `-` (not `--`), and no hunk line right after them. Returns the line
    /// after the hunk.
    func readHunk(_ h: Header, at header: Line, _ added: inout Int, _ removed: inout Int)
      -> HunkEnd?
    {
      var remOld = h.oldLines
      var remNew = h.newLines
      var cur = after(header)
      while remOld > 0 || remNew > 0 {
        guard let l = cur, let c = first(l) else { return nil }
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
          guard remOld > 0, l.end - l.start < 2 || buf[l.start + 1] != c else {
            return nil
          }
          remOld -= 1
          removed += 1
        default:
          return nil
        }
        cur = after(l)
      }
      // The parser takes more hunk lines after the counted ones as an over-long hunk; only a
      // signature line (`-- `) may follow.
      if let l = cur, let c = first(l) {
        switch c {
        case space, UInt8(ascii: "+"), UInt8(ascii: "\\"): return nil
        case UInt8(ascii: "-"):
          guard
            BodyLines.equals(buf, l.start..<l.end, "-- ")
              || BodyLines.equals(buf, l.start..<l.end, "--")
          else { return nil }
        default: break
        }
      }
      return HunkEnd(line: cur)
    }
  }
}
