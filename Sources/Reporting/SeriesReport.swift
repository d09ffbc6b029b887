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
    try w.list(of: set.versions.count, brackets: .array, indent: 2) { (w, n) throws(E) in
      w.value(version(set.versions[n], in: set), indent: 4)
      if w.bytes.count >= chunk {
        try sink(w.bytes)
        w.clear()
      }
    }
    w.raw(",\n  ")
    w.key("unassigned")
    w.value(.array(set.unassigned.map(reply)), indent: 2)
    w.raw(",\n  ")
    w.key("diagnostics")
    w.value(.array(set.diagnostics.map(JSON.diagnostic)), indent: 2)
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
      w.value(version(v, previousVersion: stream.previousVersion(of: n)), indent: 4)
      if w.bytes.count >= chunk {
        try sink(w.bytes)
        w.clear()
      }
    }
    w.raw(",\n  ")
    w.key("unassigned")
    try w.list(of: stream.unassignedCount, brackets: .array, indent: 2) {
      (w, n) throws(InputError) in
      w.value(reply(try stream.unassigned(n)), indent: 4)
      if w.bytes.count >= chunk {
        try sink(w.bytes)
        w.clear()
      }
    }
    w.raw(",\n  ")
    w.key("diagnostics")
    w.value(.array(stream.diagnostics.map(JSON.diagnostic)), indent: 2)
    w.raw("\n}\n")
    try sink(w.bytes)
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
