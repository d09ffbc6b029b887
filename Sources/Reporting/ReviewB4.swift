import Analysis
import Diagnostics
import PatchSeries
import Pipeline

/// `patchsite review --format b4`: the review as a result of b4's external check protocol
/// (b4 0.15+, `b4.review-perpatch-check-cmd`): a JSON array of `{tool, status, summary,
/// details}` objects, `status` one of `pass`, `warn`, `fail`.
///
/// b4 keeps one result per message and tool name (a later object with the same `tool`
/// replaces an earlier one), so the whole review is one object, `tool` `patchsite`: its status
/// is the worst over every unit (a post-image or hunks rebuilt under each configuration, and
/// the listings the message sketches), its summary counts the findings and names their checks,
/// and its details hold each unit's heading and findings as the text report prints them.
///
/// - `fail`: an error-level finding.
/// - `warn`: a warning-level finding, or a patch that does not apply to its base (the review
///   then rests on the base's text where it failed).
/// - `pass`: notes only, no findings, or nothing to review: the message changes no arm64 file
///   and no build file, or no callsite could be rebuilt from it.
public enum ReviewB4 {
  /// The `tool` of every result: the column b4 shows it in.
  public static let tool = "patchsite"

  /// The results array for `r` (one element).
  public static func render(_ r: ReviewReport) -> JSON {
    .array([result(r)])
  }

  enum Status: String, Comparable {
    case pass, warn, fail

    private var rank: Int {
      switch self {
      case .pass: 0
      case .warn: 1
      case .fail: 2
      }
    }

    static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
  }

  static func result(_ r: ReviewReport) -> JSON {
    let (status, summary, details) = verdict(r)
    return .object([
      ("tool", .string(tool)),
      ("status", .string(status.rawValue)),
      ("summary", .string(summary)),
      ("details", .string(details)),
    ])
  }

  /// Whether any patch of the input changes a file the patch-site can depend on: arm64 code
  /// (`arch/arm64/**/*.[chS]`) or a Makefile, Kbuild or Kconfig file. True when the input
  /// holds no patch with files (a tree, or messages whose listings are reviewed).
  static func touchesPatchSite(_ r: ReviewReport) -> Bool {
    let files = (r.series?.versions ?? []).flatMap(\.patches).flatMap(\.files)
    return files.isEmpty || files.contains { $0.kind != .other }
  }

  static func verdict(_ r: ReviewReport) -> (Status, String, String) {
    let reviewed = r.units.contains { $0.review.scenarios > 0 || !$0.findings.isEmpty }
    guard touchesPatchSite(r), reviewed else {
      let why =
        touchesPatchSite(r)
        ? "no callsite could be rebuilt from the message"
        : "the message changes no arm64 code and no build file"
      var details = why + ".\n"
      for u in r.units { details += ReviewRendering.heading(u) + "\n" }
      return (
        .pass, "nothing in the message touches the arm64 ftrace patch-site",
        details + diagnostics(r)
      )
    }
    let findings = r.findings
    var status: Status = .pass
    if findings.contains(where: { $0.finding.severity == .warning }) { status = .warn }
    if findings.contains(where: { $0.finding.severity == .error }) { status = .fail }
    let notApplied = Outcome.somethingFound(series: r.series)
    if notApplied { status = max(status, .warn) }

    var summary = ""
    if notApplied { summary += "does not apply cleanly to the base; " }
    if findings.isEmpty {
      summary += "no findings in \(r.scenarios) scenarios"
    } else {
      var counts: [String] = []
      for s in [Severity.error, .warning, .note] {
        let n = r.count(s)
        if n > 0 { counts.append("\(n) \(s.rawValue)\(n == 1 ? "" : "s")") }
      }
      var ids: [String] = []
      for s in [Severity.error, .warning, .remark, .note] {
        for lf in findings where lf.finding.severity == s && !ids.contains(lf.finding.check.id) {
          ids.append(lf.finding.check.id)
        }
      }
      summary += counts.joined(separator: ", ") + ": " + ids.joined(separator: ", ")
    }

    var details = ""
    for u in r.units {
      details += ReviewRendering.heading(u) + "\n"
      for lf in u.findings { details += "\n" + ReviewRendering.text(lf, color: false) }
      details += "\n"
    }
    details += diagnostics(r)
    while details.hasSuffix("\n\n") { details.removeLast() }
    return (status, summary, details)
  }

  static func diagnostics(_ r: ReviewReport) -> String {
    guard !r.diagnostics.isEmpty else { return "" }
    var out = "diagnostics:\n"
    for d in r.diagnostics { out += "  \(d)\n" }
    return out
  }
}
