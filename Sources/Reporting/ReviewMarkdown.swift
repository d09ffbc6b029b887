import Analysis
import Diagnostics
import Pipeline

/// `patchsite review --format markdown`: the review as a Markdown page, for a web page, an
/// issue or a pull request comment. The same content as the text report, laid out as a
/// summary table, a section per unit with a table of its findings and the details of each,
/// the version comparison and the diagnostics. The output depends on the report only.
public enum ReviewMarkdown {
  /// The whole page, ending with a newline, rendered with `review-markdown.mustache`.
  public static func render(_ r: ReviewReport, templates: TemplateSet) throws(InputError)
    -> String
  {
    try templates.render("review-markdown", ReviewTemplateModel(r))
  }

  /// `Patchsite review: TITLE` with the title of the series' last version, when there is one.
  static func title(_ r: ReviewReport) -> String {
    guard let v = r.series?.versions.last else { return "Patchsite review" }
    let versions = r.series?.versions.map { "v\($0.version)" } ?? []
    return "Patchsite review: \(v.title) (\(versions.joined(separator: ", ")))"
  }

  /// `file:line (v2 3/3)`, or an empty string when the finding points at no file.
  static func location(_ lf: LocatedFinding) -> String {
    var parts: [String] = []
    if let l = lf.finding.location { parts.append("`\(code(l.description))`") }
    if let p = lf.patch { parts.append("(\(inline(p)))") }
    return parts.joined(separator: " ")
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
