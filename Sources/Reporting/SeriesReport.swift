import AArch64
import Diagnostics
import PatchSeries

/// Renders a `SeriesSet` for `patchsite series`, as JSON (the documented contract) or text.
public enum SeriesReport {
  // MARK: JSON

  public static func json(_ set: SeriesSet) -> JSON {
    .object([
      ("versions", .array(set.versions.map { version($0, in: set) })),
      ("unassigned", .array(set.unassigned.map(reply))),
      ("diagnostics", .array(set.diagnostics.map(JSON.diagnostic))),
    ])
  }

  /// Writes ``json(_:)`` rendered, byte for byte, one version at a time: the JSON of a version
  /// is built, written and dropped before the next, and `sink` is handed the bytes whenever
  /// about `chunk` bytes are ready (and once at the end), so neither the whole tree nor the
  /// whole text is ever held.
  /// - Throws: what `sink` throws; nothing more is written after it throws.
  public static func writeJSON<E: Error>(
    _ set: SeriesSet, chunk: Int = 1 << 20, to sink: ([UInt8]) throws(E) -> Void
  ) throws(E) {
    var w = JSONWriter(capacity: chunk + chunk / 4)
    w.raw("{\n  ")
    w.key("versions")
    // Runs of versions are rendered on every core, each into its own writer, and handed over
    // in order: the bytes are those of one writer going through the versions one by one.
    // While a window of runs is rendered, the window before it is handed over (one more
    // piece of the same parallel work), so writing the file overlaps the rendering.
    let count = set.versions.count
    // A run holds about `chunk` bytes (a version takes about 16 KB), 64 versions at most.
    let run = max(1, min(64, chunk >> 14))
    let window = run * max(1, Parallel.workers)
    w.open(.array)
    // The start of the report goes out at the head of the first run of versions, so that the
    // writer holds nothing while the runs are handed over.
    let head = count > 0 ? w.bytes : []
    if count > 0 { w.clear() }
    var rendered: [[UInt8]] = []
    var failure: E?
    var start = 0
    repeat {
      let runs = start < count ? (min(count, start + window) - start + run - 1) / run : 0
      let previous = rendered
      let first = start
      rendered = Parallel.map(runs + 1) { k in
        guard k < runs else {
          // Only this piece touches `failure`.
          do throws(E) {
            // A piece holds about `chunk` bytes already: handed over as it is, where copying
            // it into the writer first cost a pass over every byte.
            for piece in previous { try sink(piece) }
          } catch {
            failure = error
          }
          return []
        }
        var piece = JSONWriter(capacity: min(chunk, 1 << 20) + (1 << 16))
        if first == 0 && k == 0 { piece.append(head) }
        for n in (first + k * run)..<min(count, first + (k + 1) * run) {
          piece.member(n, indent: 2)
          let v = set.versions[n]
          let previous = v.previous.flatMap {
            set.versions.indices.contains($0) ? set.versions[$0].version : nil
          }
          write(v, previousVersion: previous, to: &piece, indent: 4)
        }
        return piece.finished()
      }
      rendered.removeLast()
      if let failure { throw failure }
      start += window
    } while !rendered.isEmpty
    w.close(.array, count: count, indent: 2)
    w.raw(",\n  ")
    w.key("unassigned")
    w.list(of: set.unassigned.count, brackets: .array, indent: 2) { w, n in
      write(set.unassigned[n], to: &w, indent: 4)
    }
    w.raw(",\n  ")
    w.key("diagnostics")
    writeDiagnostics(set.diagnostics, to: &w)
    w.raw("\n}\n")
    try sink(w.bytes)
  }

  /// ``writeJSON(_:chunk:to:)`` for a set read in two passes: the same bytes, each version
  /// read again from its file as it is written and dropped after.
  /// - Throws: what `sink` throws, or the stream's `mail.cannot-read`/`mail.changed`.
  public static func writeJSON(
    _ stream: SeriesStream, chunk: Int = 1 << 20,
    to sink: ([UInt8]) throws(InputError) -> Void
  ) throws(InputError) {
    var w = JSONWriter(capacity: chunk + chunk / 4)
    w.raw("{\n  ")
    w.key("versions")
    try w.list(of: stream.versionCount, brackets: .array, indent: 2) {
      (w, n) throws(InputError) in
      let v = try stream.version(n)
      write(v, previousVersion: stream.previousVersion(of: n), to: &w, indent: 4)
      if w.count >= chunk {
        try sink(w.bytes)
        w.clear()
      }
    }
    w.raw(",\n  ")
    w.key("unassigned")
    try w.list(of: stream.unassignedCount, brackets: .array, indent: 2) {
      (w, n) throws(InputError) in
      write(try stream.unassigned(n), to: &w, indent: 4)
      if w.count >= chunk {
        try sink(w.bytes)
        w.clear()
      }
    }
    w.raw(",\n  ")
    w.key("diagnostics")
    // Handed over as they come too: a large archive can have tens of thousands.
    var all = stream.diagnosticReader()
    try w.list(of: stream.diagnosticCount, brackets: .array, indent: 2) {
      (w, n) throws(InputError) in
      guard let d = try all.next() else { return }
      write(d, to: &w, indent: 4)
      if w.count >= chunk {
        try sink(w.bytes)
        w.clear()
      }
    }
    w.raw("\n}\n")
    try sink(w.bytes)
  }

  // MARK: Writing the JSON directly
  //
  // The bytes `JSONWriter.value` gives for `version(_:previousVersion:)`, `reply`, `patch`,
  // `file` and `JSON.diagnostic`, written field by field without building those values (see
  // `SeriesReportTests`, which compares the two).

  private static func write(
    _ v: SeriesVersion, previousVersion: Int?, to w: inout JSONWriter, indent: Int
  ) {
    w.open(.object)
    w.field(0, "version", indent: indent)
    w.int(v.version)
    w.field(1, "series", indent: indent)
    w.string(v.title)
    w.field(2, "tags", indent: indent)
    w.list(of: v.tags.count, brackets: .array, indent: indent + 2) { w, n in w.string(v.tags[n]) }
    w.field(3, "origin", indent: indent)
    w.string(v.origin.rawValue)
    w.field(4, "previousVersion", indent: indent)
    w.int(previousVersion)
    w.field(5, "baseCommit", indent: indent)
    w.string(v.baseCommit)
    w.field(6, "cover", indent: indent)
    if let c = v.cover {
      let inner = indent + 2
      w.open(.object)
      w.field(0, "subject", indent: inner)
      w.string(c.subject)
      w.field(1, "messageId", indent: inner)
      w.string(c.messageID)
      w.field(2, "author", indent: inner)
      w.string(c.author)
      w.field(3, "date", indent: inner)
      w.string(c.date)
      w.close(.object, count: 4, indent: inner)
    } else {
      w.raw("null")
    }
    w.field(7, "total", indent: indent)
    w.int(v.total)
    w.field(8, "missing", indent: indent)
    w.list(of: v.missing.count, brackets: .array, indent: indent + 2) { w, n in
      w.int(v.missing[n])
    }
    w.field(9, "replies", indent: indent)
    w.list(of: v.replies.count, brackets: .array, indent: indent + 2) { w, n in
      write(v.replies[n], to: &w, indent: indent + 4)
    }
    w.field(10, "patches", indent: indent)
    w.list(of: v.patches.count, brackets: .array, indent: indent + 2) { w, n in
      write(v.patches[n], to: &w, indent: indent + 4)
    }
    w.close(.object, count: 11, indent: indent)
  }

  private static func write(_ r: ReplyRef, to w: inout JSONWriter, indent: Int) {
    w.open(.object)
    w.field(0, "messageId", indent: indent)
    w.string(r.messageID)
    w.field(1, "author", indent: indent)
    w.string(r.author)
    w.field(2, "subject", indent: indent)
    w.string(r.subject)
    w.field(3, "date", indent: indent)
    w.string(r.date)
    w.field(4, "inReplyToIndex", indent: indent)
    w.int(r.inReplyToIndex)
    w.close(.object, count: 5, indent: indent)
  }

  private static func write(_ p: SeriesPatch, to w: inout JSONWriter, indent: Int) {
    w.open(.object)
    w.field(0, "index", indent: indent)
    w.int(p.index)
    w.field(1, "total", indent: indent)
    w.int(p.total)
    w.field(2, "subject", indent: indent)
    w.string(p.message.subject)
    w.field(3, "title", indent: indent)
    w.string(p.message.title)
    w.field(4, "messageId", indent: indent)
    w.string(p.message.messageID)
    w.field(5, "commit", indent: indent)
    w.string(p.commit)
    w.field(6, "author", indent: indent)
    w.string(p.message.author)
    w.field(7, "date", indent: indent)
    w.string(p.message.date)
    w.field(8, "trailers", indent: indent)
    w.list(of: p.trailers.count, brackets: .array, indent: indent + 2) { w, n in
      let t = p.trailers[n]
      let inner = indent + 4
      w.open(.object)
      w.field(0, "name", indent: inner)
      w.string(t.name)
      w.field(1, "value", indent: inner)
      w.string(t.value)
      w.field(2, "givenIn", indent: inner)
      w.string(t.givenIn)
      w.close(.object, count: 3, indent: inner)
    }
    w.field(9, "replies", indent: indent)
    w.list(of: p.replies.count, brackets: .array, indent: indent + 2) { w, n in
      write(p.replies[n], to: &w, indent: indent + 4)
    }
    w.field(10, "applies", indent: indent)
    if let applies = p.applies { applies ? w.raw("true") : w.raw("false") } else { w.raw("null") }
    w.field(11, "problems", indent: indent)
    w.list(of: p.applyProblems.count, brackets: .array, indent: indent + 2) { w, n in
      write(p.applyProblems[n], to: &w, indent: indent + 4)
    }
    w.field(12, "files", indent: indent)
    w.list(of: p.files.count, brackets: .array, indent: indent + 2) { w, n in
      write(p.files[n], to: &w, indent: indent + 4)
    }
    w.close(.object, count: 13, indent: indent)
  }

  private static func write(_ f: FileChange, to w: inout JSONWriter, indent: Int) {
    w.open(.object)
    w.field(0, "path", indent: indent)
    w.string(f.path)
    w.field(1, "oldPath", indent: indent)
    w.string(f.oldPath)
    w.field(2, "status", indent: indent)
    w.string(f.status.rawValue)
    w.field(3, "added", indent: indent)
    w.int(f.added)
    w.field(4, "removed", indent: indent)
    w.int(f.removed)
    w.field(5, "kind", indent: indent)
    w.string(f.kind.rawValue)
    w.field(6, "hunks", indent: indent)
    w.list(of: f.hunks.count, brackets: .array, indent: indent + 2) { w, n in
      let h = f.hunks[n]
      let inner = indent + 4
      w.open(.object)
      w.field(0, "oldStart", indent: inner)
      w.int(h.oldStart)
      w.field(1, "oldLines", indent: inner)
      w.int(h.oldLines)
      w.field(2, "newStart", indent: inner)
      w.int(h.newStart)
      w.field(3, "newLines", indent: inner)
      w.int(h.newLines)
      w.field(4, "kind", indent: inner)
      w.string(h.kind.rawValue)
      w.field(5, "line", indent: inner)
      w.int(h.line)
      w.close(.object, count: 6, indent: inner)
    }
    w.close(.object, count: 7, indent: indent)
  }

  private static func write(_ d: Diagnostic, to w: inout JSONWriter, indent: Int) {
    w.open(.object)
    w.field(0, "id", indent: indent)
    w.string(d.id.rawValue)
    w.field(1, "severity", indent: indent)
    w.string(d.severity.rawValue)
    w.field(2, "file", indent: indent)
    w.string(d.location.file)
    w.field(3, "line", indent: indent)
    w.int(d.location.line)
    w.field(4, "message", indent: indent)
    w.string(d.message)
    w.close(.object, count: 5, indent: indent)
  }

  /// The top-level `diagnostics` list.
  private static func writeDiagnostics(_ all: [Diagnostic], to w: inout JSONWriter) {
    w.list(of: all.count, brackets: .array, indent: 2) { w, n in write(all[n], to: &w, indent: 4) }
  }

  private static func version(_ v: SeriesVersion, in set: SeriesSet) -> JSON {
    let previous = v.previous.flatMap { set.versions.indices.contains($0) ? set.versions[$0] : nil }
    return version(v, previousVersion: previous?.version)
  }

  private static func version(_ v: SeriesVersion, previousVersion: Int?) -> JSON {
    .object([
      ("version", .int(v.version)),
      ("series", .string(v.title)),
      ("tags", .array(v.tags.map(JSON.string))),
      ("origin", .string(v.origin.rawValue)),
      ("previousVersion", .optional(previousVersion)),
      ("baseCommit", .optional(v.baseCommit)),
      (
        "cover",
        v.cover.map { c in
          .object([
            ("subject", .string(c.subject)),
            ("messageId", .optional(c.messageID)),
            ("author", .string(c.author)),
            ("date", .optional(c.date)),
          ])
        } ?? .null
      ),
      ("total", .optional(v.total)),
      ("missing", .array(v.missing.map(JSON.int))),
      ("replies", .array(v.replies.map(reply))),
      ("patches", .array(v.patches.map(patch))),
    ])
  }

  private static func reply(_ r: ReplyRef) -> JSON {
    .object([
      ("messageId", .optional(r.messageID)),
      ("author", .string(r.author)),
      ("subject", .string(r.subject)),
      ("date", .optional(r.date)),
      ("inReplyToIndex", .optional(r.inReplyToIndex)),
    ])
  }

  private static func patch(_ p: SeriesPatch) -> JSON {
    .object([
      ("index", .int(p.index)),
      ("total", .int(p.total)),
      ("subject", .string(p.message.subject)),
      ("title", .string(p.message.title)),
      ("messageId", .optional(p.message.messageID)),
      ("commit", .optional(p.commit)),
      ("author", .string(p.message.author)),
      ("date", .optional(p.message.date)),
      (
        "trailers",
        .array(
          p.trailers.map { t in
            .object([
              ("name", .string(t.name)), ("value", .string(t.value)),
              ("givenIn", .optional(t.givenIn)),
            ])
          })
      ),
      ("replies", .array(p.replies.map(reply))),
      ("applies", .optional(p.applies)),
      ("problems", .array(p.applyProblems.map(JSON.diagnostic))),
      ("files", .array(p.files.map(file))),
    ])
  }

  private static func file(_ f: FileChange) -> JSON {
    .object([
      ("path", .string(f.path)),
      ("oldPath", .optional(f.oldPath)),
      ("status", .string(f.status.rawValue)),
      ("added", .int(f.added)),
      ("removed", .int(f.removed)),
      ("kind", .string(f.kind.rawValue)),
      (
        "hunks",
        .array(
          f.hunks.map { h in
            .object([
              ("oldStart", .int(h.oldStart)), ("oldLines", .int(h.oldLines)),
              ("newStart", .int(h.newStart)), ("newLines", .int(h.newLines)),
              ("kind", .string(h.kind.rawValue)), ("line", .int(h.line)),
            ])
          })
      ),
    ])
  }

  // MARK: Text

  public static func text(_ set: SeriesSet) -> String {
    var out = ""
    func line(_ s: String = "", _ indent: Int = 0) {
      out += String(repeating: " ", count: indent) + s + "\n"
    }
    if set.versions.isEmpty { line("no patch series found") }
    for v in set.versions {
      var facts: [String] = []
      let count = v.patches.count
      if let total = v.total {
        facts.append("\(count)/\(total) patches")
        facts.append(v.missing.isEmpty ? "complete" : "missing \(describeRanges(v.missing))")
      } else if count == 0 {
        facts.append("the patch is not in the input")
      } else {
        facts.append(count == 1 ? "1 patch" : "\(count) patches")
      }
      if let p = v.previous, set.versions.indices.contains(p) {
        facts.append("follows v\(set.versions[p].version)")
      }
      if v.origin == .git { facts.append("from git") }
      let tags = v.tags.isEmpty ? "" : " [" + v.tags.joined(separator: " ") + "]"
      line("v\(v.version)\(tags) \(v.title)  (\(facts.joined(separator: ", ")))")
      if let base = v.baseCommit { line("base-commit: \(base)", 2) }
      if let c = v.cover {
        line("cover: \(c.author), \(c.date ?? "no date")  <\(c.messageID ?? "no message-id")>", 2)
      }
      for r in v.replies {
        let target = r.inReplyToIndex.map { " (to patch \($0), not in the input)" } ?? ""
        line("reply: \(r.author): \(r.subject)\(target)", 4)
      }
      for p in v.patches {
        let applies: String
        switch p.applies {
        case .some(true): applies = "  applies"
        case .some(false): applies = "  DOES NOT APPLY"
        case .none: applies = ""
        }
        let width = String(p.total).count
        let idx =
          String(repeating: " ", count: max(0, width - String(p.index).count)) + "\(p.index)"
        line("[\(idx)/\(p.total)] \(p.message.title)\(applies)", 2)
        let id = p.commit ?? p.message.messageID.map { "<\($0)>" } ?? "no message-id"
        line("\(p.message.author), \(p.message.date ?? "no date")  \(id)", 6)
        for t in p.trailers {
          let given = t.givenIn.map { "  (in reply <\($0)>)" } ?? ""
          line("\(t.name): \(t.value)\(given)", 6)
        }
        for f in p.files {
          let rename = f.oldPath.map { $0 != f.path ? " (from \($0))" : "" } ?? ""
          let hunks = f.hunks.count == 1 ? "1 hunk" : "\(f.hunks.count) hunks"
          line(
            "\(f.path)\(rename)  +\(f.added) -\(f.removed)  \(f.kind.rawValue), \(f.status.rawValue), \(hunks)",
            6)
        }
        for problem in p.applyProblems { line("! \(problem.location): \(problem.message)", 6) }
        for r in p.replies { line("reply: \(r.author): \(r.subject)", 6) }
      }
    }
    for r in set.unassigned { line("unassigned reply: \(r.author): \(r.subject)") }
    if !set.diagnostics.isEmpty {
      line()
      for d in set.diagnostics { line(d.description) }
    }
    return out
  }
}
