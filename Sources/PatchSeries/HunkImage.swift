import Diff
import Foundation

/// A file as a series' hunks show it: the lines known at their numbers, the rest unknown.
public struct SparseFile: Sendable, Hashable {
  /// Known lines by 1-based number.
  public var lines: [Int: String] = [:]
  /// Known whole: the series adds the file, so every line is in a hunk.
  public var whole = false

  public init(lines: [Int: String] = [:], whole: Bool = false) {
    self.lines = lines
    self.whole = whole
  }

  /// The last line known.
  public var lastKnown: Int { lines.keys.max() ?? 0 }

  /// Lines 1…`lastKnown`, unknown ones empty: line numbers in the text are the file's.
  public var text: String {
    guard lastKnown > 0 else { return "" }
    var out = ""
    for k in 1...lastKnown {
      out += lines[k] ?? ""
      out += "\n"
    }
    return out
  }

  /// The runs of unknown lines up to `lastKnown` (none when the file is known whole).
  public var unknown: [ClosedRange<Int>] {
    guard !whole, lastKnown > 0 else { return [] }
    var out: [ClosedRange<Int>] = []
    var start: Int?
    for k in 1...lastKnown {
      if lines[k] == nil {
        if start == nil { start = k }
      } else if let s = start {
        out.append(s...(k - 1))
        start = nil
      }
    }
    return out
  }
}

/// What one series version's patches show of the tree without its base: for each file they
/// change, the lines of the post-image that their hunks show (context and added lines) at
/// their line numbers in the post-image, and the lines of the base they show (context and
/// removed lines). Files the series adds are known whole.
///
/// Later patches are laid over earlier ones with git's line arithmetic, so a line a hunk shows
/// is at its true number in the post-image, and a base line keeps its number in the base.
public struct HunkImage: SourceTree {
  public var name: String
  /// The post-image as the hunks show it.
  public var files: [String: SparseFile] = [:]
  /// The base as the hunks show it.
  public var baseFiles: [String: SparseFile] = [:]
  /// Files the series deletes.
  public var deleted: Set<String> = []

  public init(name: String) { self.name = name }

  public func contents(of path: String) -> String? {
    guard !deleted.contains(path), let f = files[path] else { return nil }
    return f.text
  }

  public func unknownLines(in path: String) -> [ClosedRange<Int>] { files[path]?.unknown ?? [] }

  /// The base side: what the hunks show of the files before the series.
  public var base: HunkBaseView { HunkBaseView(image: self) }

  /// The words that start a property line inside a Kconfig entry.
  static let kconfigPropertyWords: Set<String> = [
    "select", "imply", "depends", "default", "def_bool", "def_tristate", "bool", "tristate",
    "int", "hex", "string", "prompt", "range", "help", "---help---", "option", "visible",
  ]

  static func isKconfig(_ path: String) -> Bool {
    path.split(separator: "/").last?.hasPrefix("Kconfig") == true
  }

  /// The image of `patches` applied in order.
  public static func of(_ patches: [SeriesPatch], name: String) -> HunkImage {
    var image = HunkImage(name: name)
    var tracks: [String: Track] = [:]
    for p in patches {
      for f in p.diff?.files ?? [] {
        let old = f.oldPath ?? f.path
        let new = f.newPath ?? f.path
        if f.isNew {
          var t = Track()
          t.whole = true
          var none = SparseFile()
          t.apply(f.hunks, base: &none, kconfig: isKconfig(new))
          tracks[new] = t
          image.deleted.remove(new)
          continue
        }
        var t = tracks[old] ?? Track()
        var baseFile = image.baseFiles[old] ?? SparseFile()
        t.apply(f.hunks, base: &baseFile, kconfig: isKconfig(old))
        image.baseFiles[old] = baseFile
        if f.isDeleted {
          tracks[old] = nil
          image.deleted.insert(old)
          continue
        }
        if new != old { tracks[old] = nil }
        tracks[new] = t
        image.deleted.remove(new)
      }
    }
    for (path, t) in tracks { image.files[path] = SparseFile(lines: t.lines, whole: t.whole) }
    return image
  }

  /// One file's post-image as the patches go: known lines, and which runs of lines are still
  /// the base's (so a later hunk's old side tells base lines too).
  struct Track {
    var lines: [Int: String] = [:]
    var whole = false
    /// Runs of the current file that are the base's lines unchanged: current start → (base
    /// start, length). A fresh track is the base, all of it.
    var unchanged: [(current: Int, base: Int, count: Int)] = [(1, 1, Int.max / 4)]

    /// The base line that current line `k` still is, if any: a binary search of the runs,
    /// which stay in order of their current lines and never overlap.
    func baseLine(of k: Int) -> Int? {
      var lo = 0
      var hi = unchanged.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if unchanged[mid].current <= k { lo = mid + 1 } else { hi = mid }
      }
      guard lo > 0 else { return nil }
      let r = unchanged[lo - 1]
      return k - r.current < r.count ? r.base + (k - r.current) : nil
    }

    /// The old ranges of one patch's hunks (sorted by old start), for finding where a line
    /// moves in O(log n): a file with a million hunks is laid in n log n, not n².
    struct Spans {
      /// Each hunk's first old line (the line after, for a pure insertion) and end.
      var starts: [Int] = []
      var ends: [Int] = []
      /// The largest end among hunks 0...i: a line before it is inside some hunk.
      var reach: [Int] = []
      /// The lines the hunks 0..<i add, less those they remove.
      var delta: [Int] = [0]

      init(_ sorted: [Hunk]) {
        for h in sorted {
          let start = h.oldLines == 0 ? h.oldStart + 1 : h.oldStart
          starts.append(start)
          ends.append(start &+ h.oldLines)
          reach.append(max(reach.last ?? Int.min, start &+ h.oldLines))
          delta.append((delta.last ?? 0) &+ (h.newLines &- h.oldLines))
        }
      }

      /// How many hunks start at or before `k`.
      func count(startingBy k: Int) -> Int {
        var lo = 0
        var hi = starts.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if starts[mid] <= k { lo = mid + 1 } else { hi = mid }
        }
        return lo
      }

      /// The first hunk that any hunk up to it ends after `k` (before it, every hunk ends at
      /// or before `k`).
      func first(endingAfter k: Int) -> Int {
        var lo = 0
        var hi = reach.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if reach[mid] <= k { lo = mid + 1 } else { hi = mid }
        }
        return lo
      }

      /// Where an unchanged line `k` (before the patch) is after it, or nil when a hunk
      /// replaced it.
      func mapped(_ k: Int) -> Int? {
        let n = count(startingBy: k)
        if n == 0 { return k }
        if k < reach[n - 1] { return nil }
        return k &+ delta[n]
      }
    }

    /// Lays the hunks of one patch over the file. In a Kconfig file a hunk often starts inside
    /// an entry (`\tselect …`) whose `config X` line is above the context; git names it in the
    /// hunk header, and where the line just above is unknown it is put there, so the reader
    /// sees the properties inside their entry.
    mutating func apply(_ hunks: [Hunk], base: inout SparseFile, kconfig: Bool) {
      let sorted = hunks.sorted { $0.oldStart < $1.oldStart }
      func entry(_ h: Hunk) -> String? {
        guard kconfig, let s = h.section?.trimmingCharacters(in: .whitespaces),
          s.hasPrefix("config ") || s.hasPrefix("menuconfig ")
        else { return nil }
        return s
      }
      // The leading context lines that continue a property whose head is above the hunk:
      // without their head they mean nothing, so they are left unknown.
      func orphans(_ h: Hunk) -> Int {
        guard kconfig else { return 0 }
        var n = 0
        for l in h.lines {
          guard l.kind == .context, l.text.first == " " || l.text.first == "\t" else { break }
          let word = l.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? ""
          if HunkImage.kconfigPropertyWords.contains(String(word)) { break }
          n += 1
          if !l.text.hasSuffix("\\") { break }
        }
        return n
      }
      let skip = Dictionary(
        uniqueKeysWithValues: sorted.enumerated().map { ($0.offset, orphans($0.element)) })
      for (i, h) in sorted.enumerated() {
        let above = h.oldStart - 1 + (skip[i] ?? 0)
        guard let e = entry(h), above >= 1, lines[above] == nil else { continue }
        if let b = baseLine(of: above), base.lines[b] == nil { base.lines[b] = e }
      }
      // What the old sides say of the current lines (and, where those are the base's, of it).
      for (i, h) in sorted.enumerated() {
        var k = h.oldLines == 0 ? h.oldStart + 1 : h.oldStart
        for (n, l) in h.lines.filter({ $0.kind != .added }).enumerated() {
          defer { k += 1 }
          if n < skip[i] ?? 0 { continue }
          if lines[k] == nil { lines[k] = l.text }
          if let b = baseLine(of: k), base.lines[b] == nil { base.lines[b] = l.text }
        }
      }
      // Lines outside the hunks move; lines inside are replaced by the new sides.
      let spans = Spans(sorted)
      var next: [Int: String] = [:]
      for (k, text) in lines {
        if let m = spans.mapped(k) { next[m] = text }
      }
      var runs: [(current: Int, base: Int, count: Int)] = []
      for r in unchanged {
        // Split each run at the hunks' old ranges: only those that start before it ends.
        var start = r.current
        var baseStart = r.base
        let end = r.current &+ r.count
        for i in spans.first(endingAfter: start)..<spans.count(startingBy: end &- 1) {
          let hs = spans.starts[i]
          let he = spans.ends[i]
          guard he > start, hs < end else { continue }
          if hs > start, let m = spans.mapped(start) {
            runs.append((m, baseStart, hs - start))
          }
          baseStart += max(0, he - start)
          start = max(start, he)
        }
        if start < end, let m = spans.mapped(start) {
          runs.append((m, baseStart, end - start))
        }
      }
      // In order of their current lines, as ``baseLine(of:)`` searches them.
      unchanged = runs.sorted { $0.current < $1.current }
      for (i, h) in sorted.enumerated() {
        var k = h.newLines == 0 ? h.newStart + 1 : h.newStart
        for (n, l) in h.lines.filter({ $0.kind != .removed }).enumerated() {
          defer { k += 1 }
          if n < skip[i] ?? 0 { continue }
          next[k] = l.text
        }
        let above = h.newStart - 1 + (skip[i] ?? 0)
        if let e = entry(h), above >= 1, next[above] == nil { next[above] = e }
      }
      lines = next
    }
  }
}

/// The base side of a ``HunkImage``: the lines of each file before the series that its hunks
/// show.
public struct HunkBaseView: SourceTree {
  public var image: HunkImage
  public var name: String { image.name + " (base)" }

  public func contents(of path: String) -> String? { image.baseFiles[path]?.text }
  public func unknownLines(in path: String) -> [ClosedRange<Int>] {
    image.baseFiles[path]?.unknown ?? []
  }
}
