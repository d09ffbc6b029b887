import Diagnostics

/// Where a hunk that did not apply was expected, and the first line that differs.
public struct HunkMismatch: Hashable, Sendable {
  /// The hunk's 0-based index in its file patch (`hunk #\(hunkIndex + 1)` in messages).
  public var hunkIndex: Int
  /// The hunk's `@@` line.
  public var header: String
  /// The hunk's line in the patch.
  public var patchLine: Int
  /// The 1-based target line where the hunk was expected (its old start, moved by the offset
  /// the hunks before it needed).
  public var expectedAt: Int
  /// The 1-based target line of the first difference.
  public var differsAt: Int
  /// The hunk's line there (context or removed), nil when the hunk expected the file to end.
  public var expected: String?
  public var expectedHasNewline: Bool
  /// The target's line there, nil when the target ended.
  public var found: String?
  public var foundHasNewline: Bool
}

/// Where one hunk was applied: `patch`/`git apply` report the offset when it is not zero.
public struct HunkPlacement: Hashable, Sendable {
  public var hunkIndex: Int
  /// The 1-based line the header names (for an insertion without context, the line after which
  /// it inserts, plus one).
  public var expectedLine: Int
  /// The 1-based line where the hunk's old lines were found.
  public var appliedLine: Int
  /// `appliedLine - expectedLine`.
  public var offset: Int { appliedLine - expectedLine }
}

/// A file patch applied to a text: the result (nil when the file was deleted) and where each hunk
/// went.
public struct Application: Hashable, Sendable {
  public var content: String?
  public var placements: [HunkPlacement]
}

/// Why a file patch did not apply, with the patch location it concerns.
public struct ApplyError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Code: Hashable, Sendable {
    /// A hunk's old lines are not in the target, at its place or at any offset.
    case hunkDoesNotApply(HunkMismatch)
    /// `GIT binary patch` and `Binary files … differ` are not applied.
    case binaryUnsupported
    /// The patch changes a file the target does not have.
    case fileMissing
    /// The patch creates (or renames or copies onto) a file the target already has.
    case fileExists
    /// The patch deletes the file but lines are left after its hunks.
    case deletedFileNotEmpty(remainingLines: Int)
    /// The patch has an unreadable `@@` header at this line (its body was not read).
    case malformedPatch(line: Int)
  }

  public var code: Code
  /// The file patch's path.
  public var path: String
  /// Where in the patch: the hunk's header, or the file patch's first line.
  public var location: SourceLocation

  public init(_ code: Code, path: String, location: SourceLocation) {
    self.code = code
    self.path = path
    self.location = location
  }

  /// The stable message ID, e.g. `apply.hunk-failed`.
  public var id: MessageID {
    switch code {
    case .hunkDoesNotApply: "apply.hunk-failed"
    case .binaryUnsupported: "apply.unsupported-binary"
    case .fileMissing: "apply.file-missing"
    case .fileExists: "apply.file-exists"
    case .deletedFileNotEmpty: "apply.deleted-file-not-empty"
    case .malformedPatch: "apply.malformed-patch"
    }
  }

  public var reason: String {
    switch code {
    case .hunkDoesNotApply(let m):
      func show(_ s: String?, _ newline: Bool) -> String {
        guard let s else { return "end of file" }
        return "\"\(s)\"" + (newline ? "" : " (no newline at end of file)")
      }
      let head = "\(path): hunk #\(m.hunkIndex + 1) (\(m.header)) does not apply: "
      if m.expected == nil, m.found == nil {
        return head + "its insertion point, line \(m.expectedAt), is not in the file"
      }
      return head + "expected at line \(m.expectedAt); line \(m.differsAt) differs: expected "
        + "\(show(m.expected, m.expectedHasNewline)), found \(show(m.found, m.foundHasNewline))"
    case .binaryUnsupported: return "\(path): unsupported: binary patch"
    case .fileMissing: return "\(path): the file to patch does not exist"
    case .fileExists: return "\(path): the file to create already exists"
    case .deletedFileNotEmpty(let n):
      return "\(path): the file is deleted but \(n) line(s) remain after the hunks"
    case .malformedPatch(let line):
      return "\(path): the patch has an unreadable hunk header at line \(line)"
    }
  }

  public var description: String { "\(location): \(reason)" }

  /// The same problem as a diagnostic of error severity.
  public var diagnostic: Diagnostic { Diagnostic(id, .error, at: location, reason) }
}

/// One line of a text being patched: its bytes (a `\r` before the `\n` included, as git does)
/// and whether a newline ends it.
private struct ImageLine: Equatable {
  var bytes: [UInt8]
  var newline: Bool

  static func split(_ text: String) -> [ImageLine] {
    var out: [ImageLine] = []
    var current: [UInt8] = []
    for b in text.utf8 {
      if b == 0x0A {
        out.append(ImageLine(bytes: current, newline: true))
        current.removeAll(keepingCapacity: true)
      } else {
        current.append(b)
      }
    }
    if !current.isEmpty { out.append(ImageLine(bytes: current, newline: false)) }
    return out
  }

  static func join(_ lines: [ImageLine]) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(lines.reduce(0) { $0 + $1.bytes.count + 1 })
    for l in lines {
      bytes.append(contentsOf: l.bytes)
      if l.newline { bytes.append(0x0A) }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension Hunk {
  /// The old and new lines of the hunk as text lines.
  fileprivate var images: (pre: [ImageLine], post: [ImageLine]) {
    var pre: [ImageLine] = []
    var post: [ImageLine] = []
    for l in lines {
      var b = Array(l.text.utf8)
      if l.ending == .crlf { b.append(0x0D) }
      let line = ImageLine(bytes: b, newline: l.noNewline == nil)
      switch l.kind {
      case .context:
        pre.append(line)
        post.append(line)
      case .removed: pre.append(line)
      case .added: post.append(line)
      }
    }
    return (pre, post)
  }
}

extension FilePatch {
  /// Applies the hunks to `original` (nil: the file does not exist).
  /// - Returns: the new text, or nil when the patch deletes the file.
  public func apply(to original: String?) throws(ApplyError) -> String? {
    try applyReporting(to: original).content
  }

  /// Applies the hunks like `apply(to:)` and says where each hunk went.
  ///
  /// Each hunk is tried at its place first (its old start, moved by the offset the previous hunk
  /// needed), then at the nearest other place where all its old lines match exactly (no fuzz),
  /// as `patch` and `git apply` do. As in `git apply`, a hunk that starts at line 1 must match at
  /// the start of the file, and one without trailing context at its end; unlike it, hunks
  /// without any context (`diff -U0`) apply anywhere their lines match.
  public func applyReporting(to original: String?) throws(ApplyError) -> Application {
    let here = SourceLocation(file: source, line: line)
    if isBinary { throw ApplyError(.binaryUnsupported, path: path, location: here) }
    if let bad = malformedHunkLines.first {
      throw ApplyError(
        .malformedPatch(line: bad), path: path, location: here.at(line: bad))
    }
    if isNew, original != nil { throw ApplyError(.fileExists, path: path, location: here) }
    if !isNew, original == nil { throw ApplyError(.fileMissing, path: path, location: here) }
    let image = original.map(ImageLine.split) ?? []
    let (result, placements) = try applyHunks(to: image)
    if isDeleted {
      if !result.isEmpty {
        throw ApplyError(
          .deletedFileNotEmpty(remainingLines: result.count), path: path, location: here)
      }
      return Application(content: nil, placements: placements)
    }
    return Application(content: ImageLine.join(result), placements: placements)
  }

  private func applyHunks(to image: [ImageLine]) throws(ApplyError) -> (
    [ImageLine], [HunkPlacement]
  ) {
    var out: [ImageLine] = []
    out.reserveCapacity(image.count + added)
    var placements: [HunkPlacement] = []
    var cursor = 0
    var drift = 0
    for (k, hunk) in hunks.enumerated() {
      let (pre, post) = hunk.images
      // An insertion without context (`@@ -5,0 +6,2 @@`) goes after line oldStart.
      let base = pre.isEmpty ? hunk.oldStart : max(hunk.oldStart - 1, 0)
      let expected = base + drift
      // Anchors, after `git apply`: a hunk starting at line 0 or 1 must match at the start of
      // the file, one without trailing context at its end (a hunk without any context, from
      // `diff -U0`, is not anchored). A side ending without newline also pins the end.
      let hasContext = hunk.lines.contains { $0.kind == .context }
      let mustStart = hunk.oldStart == 0 || (hasContext && hunk.oldStart == 1)
      let mustEnd =
        (hasContext && hunk.trailingContext == 0)
        || pre.last?.newline == false || post.last?.newline == false
      func fits(_ p: Int) -> Bool {
        guard p >= cursor, p + pre.count <= image.count else { return false }
        if mustStart, p != 0 { return false }
        if mustEnd, p + pre.count != image.count { return false }
        var m = 0
        while m < pre.count {
          if image[p + m] != pre[m] { return false }
          m += 1
        }
        return true
      }
      var found: Int? = fits(expected) ? expected : nil
      if found == nil, !pre.isEmpty {
        if mustStart {
          found = fits(0) ? 0 : nil
        } else if mustEnd {
          let p = image.count - pre.count
          found = fits(p) ? p : nil
        } else {
          found = nearest(to: expected, in: cursor...max(cursor, image.count - pre.count), fits)
        }
      }
      guard let p = found else {
        // Explain at the anchored place, or where the hunk was expected.
        let at = mustStart ? 0 : mustEnd ? image.count - pre.count : expected
        let q = pre.isEmpty ? expected : min(max(at, cursor), image.count)
        let m = mismatch(k, hunk, pre, at: q, image)
        throw ApplyError(
          .hunkDoesNotApply(m), path: path, location: SourceLocation(file: source, line: hunk.line))
      }
      out.append(contentsOf: image[cursor..<p])
      out.append(contentsOf: post)
      cursor = p + pre.count
      drift = p - base
      placements.append(HunkPlacement(hunkIndex: k, expectedLine: base + 1, appliedLine: p + 1))
    }
    out.append(contentsOf: image[cursor...])
    return (out, placements)
  }

  /// The position in `range` nearest to `expected` (after it first on a tie) where `fits` holds.
  /// Only positions inside the range are tried, so a header naming a far line costs nothing.
  private func nearest(to expected: Int, in range: ClosedRange<Int>, _ fits: (Int) -> Bool)
    -> Int?
  {
    var below = min(expected - 1, range.upperBound)
    var above = max(expected + 1, range.lowerBound)
    var progress = LoopProgress()
    var turns = 0
    while below >= range.lowerBound || above <= range.upperBound, progress.advanced(to: turns) {
      turns += 1
      let takeAbove =
        above <= range.upperBound
        && (below < range.lowerBound || above - expected <= expected - below)
      if takeAbove {
        if fits(above) { return above }
        above += 1
      } else {
        if fits(below) { return below }
        below -= 1
      }
    }
    return nil
  }

  /// The first line where the hunk's old lines and the target differ at position `q` (when they
  /// all match, the hunk needed the file to end there: `expected` is nil).
  private func mismatch(
    _ k: Int, _ hunk: Hunk, _ pre: [ImageLine], at q: Int, _ image: [ImageLine]
  ) -> HunkMismatch {
    if pre.isEmpty {
      // An insertion without context fails only when its place is outside the file.
      return HunkMismatch(
        hunkIndex: k, header: hunk.headerText, patchLine: hunk.line, expectedAt: q + 1,
        differsAt: q + 1, expected: nil, expectedHasNewline: true, found: nil,
        foundHasNewline: true)
    }
    var m = 0
    while m < pre.count, q + m < image.count, image[q + m] == pre[m] { m += 1 }
    var result = HunkMismatch(
      hunkIndex: k, header: hunk.headerText, patchLine: hunk.line, expectedAt: q + 1,
      differsAt: q + m + 1, expected: nil, expectedHasNewline: true, found: nil,
      foundHasNewline: true)
    if m < pre.count {
      result.expected = pre[m].text
      result.expectedHasNewline = pre[m].newline
    }
    if q + m < image.count {
      result.found = image[q + m].text
      result.foundHasNewline = image[q + m].newline
    }
    return result
  }
}

extension UnifiedDiff {
  /// Applies every file patch, in order, to a path → content map, and returns the new map.
  ///
  /// New files are added, deleted files removed, renamed files moved (copies keep the source);
  /// each patch sees the result of the ones before it.
  public func apply(to tree: [String: String]) throws(ApplyError) -> [String: String] {
    var tree = tree
    for f in files {
      let here = SourceLocation(file: f.source, line: f.line)
      if f.isBinary { throw ApplyError(.binaryUnsupported, path: f.path, location: here) }
      let original: String?
      if f.isNew {
        original = nil
      } else {
        guard let old = f.oldPath, let content = tree[old] else {
          throw ApplyError(.fileMissing, path: f.oldPath ?? f.path, location: here)
        }
        original = content
      }
      if let new = f.newPath, new != f.oldPath || f.isNew, tree[new] != nil {
        throw ApplyError(.fileExists, path: new, location: here)
      }
      let content = try f.apply(to: original)
      if let old = f.oldPath, f.isRename || f.isDeleted { tree[old] = nil }
      if let new = f.newPath, let content { tree[new] = content }
    }
    return tree
  }
}
