import Analysis
import Diagnostics
import Pipeline

/// `patchsite review --format markdown`: the review as a Markdown page, for a web page, an
/// issue or a pull request comment. The same content as the text report, laid out as a
/// summary table, a section per unit with a table of its findings and the details of each,
/// the version comparison and the diagnostics. The output depends on the report only.
public enum ReviewMarkdown {
  /// The whole page, ending with a newline.
  public static func render(_ r: ReviewReport) -> String {
    var out = "# \(inline(title(r)))\n\n"
    out += "| Errors | Warnings | Notes | Units | Scenarios | Instructions |\n"
    out += "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
    out += "| \(r.count(.error)) | \(r.count(.warning)) | \(r.count(.note)) | \(r.units.count)"
    out += " | \(r.scenarios) | \(r.instructions) |\n"
    var number = 0
    for u in r.units { out += "\n" + unit(u, numbering: &number) }
    if !r.comparisons.isEmpty { out += "\n" + comparison(r.comparisons) }
    if !r.diagnostics.isEmpty { out += "\n" + diagnostics(r.diagnostics) }
    return out
  }

  /// `Patchsite review: TITLE` with the title of the series' last version, when there is one.
  static func title(_ r: ReviewReport) -> String {
    guard let v = r.series?.versions.last else { return "Patchsite review" }
    let versions = r.series?.versions.map { "v\($0.version)" } ?? []
    return "Patchsite review: \(v.title) (\(versions.joined(separator: ", ")))"
  }

  static func unit(_ u: ReviewUnit, numbering: inout Int) -> String {
    let l = u.layout
    var out = "## \(u.id): \(inline(l.source))\n\n"
    var facts: [String] = []
    if let v = l.version { facts.append("version \(v)") }
    facts.append("configuration `\(code(l.configName))`")
    facts.append("\(u.review.scenarios) scenarios, \(u.review.instructions) instructions")
    if let m = u.messageID { facts.append("Message-ID `<\(code(m))>`") }
    out += facts.joined(separator: " · ") + "\n\n"
    if u.findings.isEmpty { return out + "No findings.\n" }
    out += "| # | Severity | Check | Location | Message |\n"
    out += "| ---: | --- | --- | --- | --- |\n"
    let first = numbering + 1
    for (k, lf) in u.findings.enumerated() {
      let f = lf.finding
      out += "| \(first + k) | \(f.severity.rawValue) | `\(code(f.check.id))` | "
      out += cell(location(lf)) + " | " + cell(inline(f.message)) + " |\n"
    }
    for lf in u.findings {
      numbering += 1
      out += "\n" + finding(lf, number: numbering)
    }
    return out
  }

  /// `file:line (v2 3/3)`, or an empty string when the finding points at no file.
  static func location(_ lf: LocatedFinding) -> String {
    var parts: [String] = []
    if let l = lf.finding.location { parts.append("`\(code(l.description))`") }
    if let p = lf.patch { parts.append("(\(inline(p)))") }
    return parts.joined(separator: " ")
  }

  static func finding(_ lf: LocatedFinding, number: Int) -> String {
    let f = lf.finding
    var out =
      "### \(number). \(f.severity.rawValue) `\(code(f.check.id))`: \(inline(f.check.title))\n\n"
    var facts: [String] = []
    if let l = f.location { facts.append("at `\(code(l.description))`") }
    if let p = lf.patch { facts.append("patch \(inline(p))") }
    if let m = lf.messageID { facts.append("Message-ID `<\(code(m))>`") }
    if let s = f.state { facts.append("state `\(code(s.description))`") }
    if let t = f.transition {
      facts.append("transition `\(code(t.from.description))` → `\(code(t.to.description))`")
    }
    if let o = f.offset { facts.append("offset \(o)") }
    if !facts.isEmpty { out += facts.joined(separator: " · ") + "\n\n" }
    out += "**\(inline(f.message))**\n\n"
    if !f.explanation.isEmpty { out += inline(f.explanation) + "\n\n" }
    for b in f.evidence.blocks {
      out += "*\(inline(b.heading))*\n\n"
      let lines = b.lines.map(ReviewRendering.evidenceLine)
      let fence = fence(for: lines)
      out += fence + "text\n"
      for l in lines { out += l + "\n" }
      out += fence + "\n\n"
    }
    if !f.assumptions.isEmpty {
      out += "Assumed:\n\n"
      for a in f.assumptions { out += "- \(inline(a))\n" }
      out += "\n"
    }
    out += "Fingerprint: `\(code(f.fingerprint))`\n"
    return out
  }

  static func comparison(_ comparisons: [FindingComparison]) -> String {
    var out = "## Versions compared\n\n"
    out += "| From | To | Configuration | Introduced | Fixed | Unchanged |\n"
    out += "| --- | --- | --- | ---: | ---: | ---: |\n"
    for c in comparisons {
      out += "| v\(c.from) | v\(c.to) | " + cell("`\(code(c.configuration))`")
      out += " | \(c.introduced.count) | \(c.fixed.count) | \(c.unchanged.count) |\n"
    }
    for c in comparisons where !c.introduced.isEmpty || !c.fixed.isEmpty {
      out += "\n**v\(c.from) → v\(c.to)** `\(code(c.configuration))`:\n\n"
      for f in c.introduced {
        out += "- introduced: \(f.severity.rawValue) `\(code(f.check.id))`: \(inline(f.message))\n"
      }
      for f in c.fixed {
        out += "- fixed: \(f.severity.rawValue) `\(code(f.check.id))`: \(inline(f.message))\n"
      }
    }
    return out
  }

  static func diagnostics(_ diagnostics: [Diagnostic]) -> String {
    var out = "## Diagnostics\n\n"
    out += "| Severity | ID | Where | Message |\n"
    out += "| --- | --- | --- | --- |\n"
    for d in diagnostics {
      let l = d.location
      let place = l.line > 0 ? "\(l.file):\(l.line)" : l.file
      out += "| \(d.severity.rawValue) | `\(code(d.id.rawValue))` | " + cell(inline(place))
      out += " | " + cell(inline(d.message)) + " |\n"
    }
    return out
  }

  // MARK: Escaping

  /// Text for a paragraph or a heading: on one line, with `<`, `>` and `&` as entities so
  /// that names like `<ftrace_caller>` are not taken for HTML.
  static func inline(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\n", "\r": out += " "
      default: out.append(c)
      }
    }
    return out
  }

  /// Text inside a code span: backticks would end it, so they become apostrophes.
  static func code(_ s: String) -> String {
    String(s.map { $0 == "`" ? "'" : ($0 == "\n" ? " " : $0) })
  }

  /// A table cell: `|` escaped (inside code spans too, as GitHub's tables want).
  static func cell(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|")
  }

  /// A code fence longer than any run of backticks in `lines`.
  static func fence(for lines: [String]) -> String {
    var longest = 0
    for l in lines {
      var run = 0
      for c in l {
        run = c == "`" ? run + 1 : 0
        longest = max(longest, run)
      }
    }
    return String(repeating: "`", count: max(3, longest + 1))
  }
}
