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

    func baseLine(of k: Int) -> Int? {
      for r in unchanged where k >= r.current && k - r.current < r.count {
        return r.base + (k - r.current)
      }
      return nil
    }

    /// Where an unchanged line `k` (before the patch) is after it, or nil when a hunk
    /// replaced it.
    static func mapped(_ k: Int, _ hunks: [Hunk]) -> Int? {
      var delta = 0
      for h in hunks {
        let start = h.oldLines == 0 ? h.oldStart + 1 : h.oldStart
        if k < start { break }
        if k < start + h.oldLines { return nil }
        delta += h.newLines - h.oldLines
      }
      return k + delta
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
      var next: [Int: String] = [:]
      for (k, text) in lines {
        if let m = Self.mapped(k, sorted) { next[m] = text }
      }
      var runs: [(current: Int, base: Int, count: Int)] = []
      for r in unchanged {
        // Split each run at the hunks' old ranges.
        var start = r.current
        var baseStart = r.base
        let end = r.current &+ r.count
        for h in sorted {
          let hs = h.oldLines == 0 ? h.oldStart + 1 : h.oldStart
          let he = hs + h.oldLines
          guard he > start, hs < end else { continue }
          if hs > start, let m = Self.mapped(start, sorted) {
            runs.append((m, baseStart, hs - start))
          }
          baseStart += max(0, he - start)
          start = max(start, he)
        }
        if start < end, let m = Self.mapped(start, sorted) {
          runs.append((m, baseStart, end - start))
        }
      }
      unchanged = runs
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
