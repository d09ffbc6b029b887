import Analysis
import Diagnostics
import Pipeline

/// `patchsite scan`'s reports: the series of an archive that touch the patch-site, their
/// versions and each version's findings, linked by Message-ID.
public enum ScanReport {
  // MARK: JSON

  /// `{"series": [{subject, messageId, versions: [{version, messageId, date, patches,
  /// files, summary: {error, warning, note}, findings}]}], "messages", "bytes", …}`; a finding
  /// has the shape of `patchsite review --format json`'s.
  public static func json(_ r: ScanResult) -> JSON {
    .object([
      ("series", .array(r.series.map(series))),
      ("messages", .int(r.messages)),
      ("bytes", .int(r.bytes)),
      ("skipped", .int(r.skipped)),
      ("kept", .int(r.kept)),
      ("diagnostics", .array(r.diagnostics.map(JSON.diagnostic))),
      ("diagnosticsOmitted", .int(r.diagnosticsOmitted)),
    ])
  }

  static func series(_ s: ScannedSeries) -> JSON {
    .object([
      ("subject", .string(s.subject)),
      ("messageId", .optional(s.messageID)),
      ("versions", .array(s.versions.map(version))),
    ])
  }

  static func version(_ v: ScannedVersion) -> JSON {
    .object([
      ("version", .int(v.version)),
      ("subject", .string(v.subject)),
      ("messageId", .optional(v.messageID)),
      ("date", .optional(v.date)),
      ("patches", .int(v.patches)),
      ("total", .optional(v.total)),
      ("files", .array(v.watchedFiles.map { .string($0) })),
      ("replies", .array(v.replies.map { .string($0) })),
      (
        "summary",
        .object([
          ("error", .int(v.count(.error))), ("warning", .int(v.count(.warning))),
          ("note", .int(v.count(.note))),
        ])
      ),
      ("findings", .array(v.findings.map(ReviewRendering.finding))),
      ("diagnostics", .array(v.diagnostics.map(JSON.diagnostic))),
    ])
  }

  // MARK: Text

  /// A block per series: its subject and Message-ID, then a line per version (date, patches,
  /// counts, Message-ID), the watched files it changes and one line per distinct finding.
  public static func text(_ r: ScanResult, color: Bool = false) -> String {
    let versions = r.series.reduce(0) { $0 + $1.versions.count }
    var out =
      "scan: \(r.messages) message\(r.messages == 1 ? "" : "s"), \(megabytes(r.bytes)); "
      + "\(r.series.count) series (\(versions) version\(versions == 1 ? "" : "s")) touch the "
      + "patch-site; \(r.kept) message\(r.kept == 1 ? "" : "s") kept"
    if r.skipped > 0 { out += "; \(r.skipped) older than --since skipped" }
    out += "\n"
    for s in r.series {
      out += "\n\(s.subject)\n"
      if let id = s.messageID { out += "  <\(id)>\n" }
      for v in s.versions {
        let counts =
          [
            plural(v.count(.error), "error"), plural(v.count(.warning), "warning"),
            plural(v.count(.note), "note"),
          ].joined(separator: ", ")
        let patches = plural(v.patches, "patch", "patches")
        var line = "  v\(v.version)  \(v.date.map { String($0.prefix(10)) } ?? "no date")"
        line += "  \(patches)  \(counts)"
        if let id = v.messageID, id != s.messageID || s.versions.count > 1 { line += "  <\(id)>" }
        out += line + "\n"
        out += "      files: \(v.watchedFiles.joined(separator: ", "))\n"
        for (lf, times) in distinct(v.findings) {
          let f = lf.finding
          var l = "      " + ReviewRendering.paint(f.severity, pad(f.severity.rawValue), color)
          l += " \(f.check.id): \(f.message)"
          if let p = lf.patch { l += "  (\(p))" }
          if times > 1 { l += "  ×\(times)" }
          out += l + "\n"
        }
      }
    }
    if !r.diagnostics.isEmpty || r.diagnosticsOmitted > 0 {
      out += "\n\(r.diagnostics.count + r.diagnosticsOmitted) diagnostics"
      out += " (\(r.diagnosticsOmitted) not kept); see --format json\n"
    }
    return out
  }

  /// The findings with the same check, severity, state and message (the same point under
  /// several configurations) once each, with how often they came.
  static func distinct(_ fs: [LocatedFinding]) -> [(LocatedFinding, Int)] {
    var order: [String] = []
    var seen: [String: (LocatedFinding, Int)] = [:]
    for lf in fs {
      let f = lf.finding
      let key = "\(f.severity.rawValue)|\(f.check.id)|\(f.state?.description ?? "")|\(f.message)"
      if let (first, n) = seen[key] {
        seen[key] = (first, n + 1)
      } else {
        seen[key] = (lf, 1)
        order.append(key)
      }
    }
    return order.compactMap { seen[$0] }
  }

  static func plural(_ n: Int, _ one: String, _ many: String? = nil) -> String {
    "\(n) \(n == 1 ? one : (many ?? one + "s"))"
  }

  static func pad(_ s: String) -> String {
    s.count >= 7 ? s : s + String(repeating: " ", count: 7 - s.count)
  }

  static func megabytes(_ bytes: Int) -> String {
    let tenths = (bytes * 10 + (1 << 19)) / (1 << 20)
    return "\(tenths / 10).\(tenths % 10) MB"
  }
}
