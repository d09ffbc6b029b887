import Analysis
import Diagnostics
import Pipeline

/// What `review-text.mustache` and `review-markdown.mustache` see: the review, as values whose
/// stored properties are the template variables (the README's "Templates" section lists
/// them). Text values are given plain, and where a format needs them so, already laid out
/// (`head`, `explanationLines`) or escaped (the `md…` values of the Markdown model).
public struct ReviewTemplateModel: Sendable {
  public struct Summary: Sendable {
    let errors: Int
    let warnings: Int
    let notes: Int
    let units: Int
    let scenarios: Int
    let instructions: Int
  }

  public struct Block: Sendable {
    let heading: String
    let mdHeading: String
    /// Each line as the text report prints it: address, word, text, note.
    let lines: [String]
    /// A code fence longer than any run of backticks in the lines.
    let fence: String
  }

  public struct Transition: Sendable {
    let from: String
    let to: String
  }

  public struct Finding: Sendable {
    /// 1, 2… over the whole report.
    let number: Int
    let severity: String
    /// The severity padded to 8 columns (coloured for a terminal when asked).
    let severityPadded: String
    let check: String
    let category: String
    let title: String
    let message: String
    let explanation: String
    /// The explanation wrapped at 100 columns with a two-space indent, one entry a line.
    let explanationLines: [String]
    let hasExplanation: Bool
    let location: String?
    let patch: String?
    let messageId: String?
    let state: String?
    let transition: Transition?
    let offset: Int?
    let evidence: [Block]
    let assumptions: [String]
    let hasAssumptions: Bool
    let fingerprint: String
    /// The text report's first line: severity, check, location, patch, Message-ID.
    let head: String
    // Markdown: the same values escaped for a paragraph (`md…`), a code span (`code…`) and
    // a table cell (`cell…`).
    let mdTitle: String
    let mdMessage: String
    let mdExplanation: String
    let mdAssumptions: [String]
    let codeCheck: String
    let codeFingerprint: String
    let cellLocation: String
    let cellMessage: String
    /// `at … · patch … · Message-ID … · state … · transition … · offset …`, or nil.
    let mdFacts: String?
  }

  public struct Unit: Sendable {
    let id: String
    let version: Int?
    let source: String
    let configuration: String
    let scenarios: Int
    let instructions: Int
    let messageId: String?
    /// `== u1 v1 … [CONFIG]: 4 findings (…)`.
    let heading: String
    let findings: [Finding]
    let hasFindings: Bool
    let mdSource: String
    /// `version 1 · configuration … · 6 scenarios, 213 instructions · Message-ID …`.
    let mdFacts: String
  }

  public struct Change: Sendable {
    let check: String
    let severity: String
    let message: String
    let codeCheck: String
    let mdMessage: String
  }

  public struct Comparison: Sendable {
    let from: Int
    let to: Int
    let configuration: String
    let introducedCount: Int
    let fixedCount: Int
    let unchangedCount: Int
    let introduced: [Change]
    let fixed: [Change]
    let changed: Bool
    let cellConfiguration: String
    let codeConfiguration: String
  }

  public struct DiagnosticView: Sendable {
    let id: String
    let severity: String
    let file: String
    let line: Int
    let message: String
    /// As the text report prints it: `file:line: severity: message [id]`.
    let text: String
    let cellPlace: String
    let cellMessage: String
    let codeId: String
  }

  let title: String
  let mdTitle: String
  let summary: Summary
  let units: [Unit]
  let comparisons: [Comparison]
  let hasComparisons: Bool
  let diagnostics: [DiagnosticView]
  let hasDiagnostics: Bool

  public init(_ r: ReviewReport, color: Bool = false) {
    typealias MD = ReviewMarkdown
    title = MD.title(r)
    mdTitle = MD.inline(title)
    summary = Summary(
      errors: r.count(.error), warnings: r.count(.warning), notes: r.count(.note),
      units: r.units.count, scenarios: r.scenarios, instructions: r.instructions)
    var number = 0
    units = r.units.map { u in
      let l = u.layout
      var facts: [String] = []
      if let v = l.version { facts.append("version \(v)") }
      facts.append("configuration `\(MD.code(l.configName))`")
      facts.append("\(u.review.scenarios) scenarios, \(u.review.instructions) instructions")
      if let m = u.messageID { facts.append("Message-ID `<\(MD.code(m))>`") }
      let findings = u.findings.map { lf -> Finding in
        number += 1
        return Self.finding(lf, number: number, color: color)
      }
      return Unit(
        id: u.id, version: l.version, source: l.source, configuration: l.configName,
        scenarios: u.review.scenarios, instructions: u.review.instructions,
        messageId: u.messageID, heading: ReviewRendering.heading(u), findings: findings,
        hasFindings: !findings.isEmpty, mdSource: MD.inline(l.source),
        mdFacts: facts.joined(separator: " · "))
    }
    comparisons = r.comparisons.map { c in
      func change(_ f: Analysis.Finding) -> Change {
        Change(
          check: f.check.id, severity: f.severity.rawValue, message: f.message,
          codeCheck: MD.code(f.check.id), mdMessage: MD.inline(f.message))
      }
      return Comparison(
        from: c.from, to: c.to, configuration: c.configuration,
        introducedCount: c.introduced.count, fixedCount: c.fixed.count,
        unchangedCount: c.unchanged.count, introduced: c.introduced.map(change),
        fixed: c.fixed.map(change), changed: !c.introduced.isEmpty || !c.fixed.isEmpty,
        cellConfiguration: MD.cell("`\(MD.code(c.configuration))`"),
        codeConfiguration: MD.code(c.configuration))
    }
    hasComparisons = !comparisons.isEmpty
    diagnostics = r.diagnostics.map { d in
      let l = d.location
      let place = l.line > 0 ? "\(l.file):\(l.line)" : l.file
      return DiagnosticView(
        id: d.id.rawValue, severity: d.severity.rawValue, file: l.file, line: l.line,
        message: d.message, text: d.description, cellPlace: MD.cell(MD.inline(place)),
        cellMessage: MD.cell(MD.inline(d.message)), codeId: MD.code(d.id.rawValue))
    }
    hasDiagnostics = !diagnostics.isEmpty
  }

  static func finding(_ lf: LocatedFinding, number: Int, color: Bool) -> Finding {
    typealias MD = ReviewMarkdown
    let f = lf.finding
    var head = ReviewRendering.paint(
      f.severity, f.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0), color)
    let severityPadded = head
    head += " \(f.check.id)"
    if let l = f.location { head += "  \(l)" }
    if let p = lf.patch { head += "   \(p)" }
    if let m = lf.messageID { head += " <\(m)>" }
    let explanationLines =
      f.explanation.isEmpty
      ? []
      : ReviewRendering.wrap(f.explanation, indent: "  ", width: 100)
        .split(separator: "\n").map(String.init)
    var facts: [String] = []
    if let l = f.location { facts.append("at `\(MD.code(l.description))`") }
    if let p = lf.patch { facts.append("patch \(MD.inline(p))") }
    if let m = lf.messageID { facts.append("Message-ID `<\(MD.code(m))>`") }
    if let s = f.state { facts.append("state `\(MD.code(s.description))`") }
    if let t = f.transition {
      facts.append("transition `\(MD.code(t.from.description))` → `\(MD.code(t.to.description))`")
    }
    if let o = f.offset { facts.append("offset \(o)") }
    return Finding(
      number: number, severity: f.severity.rawValue, severityPadded: severityPadded,
      check: f.check.id, category: f.check.category.rawValue, title: f.check.title,
      message: f.message, explanation: f.explanation, explanationLines: explanationLines,
      hasExplanation: !f.explanation.isEmpty, location: f.location?.description, patch: lf.patch,
      messageId: lf.messageID,
      state: f.state?.description,
      transition: f.transition.map {
        Transition(from: $0.from.description, to: $0.to.description)
      },
      offset: f.offset,
      evidence: f.evidence.blocks.map { b in
        let lines = b.lines.map(ReviewRendering.evidenceLine)
        return Block(
          heading: b.heading, mdHeading: MD.inline(b.heading), lines: lines,
          fence: MD.fence(for: lines))
      },
      assumptions: f.assumptions, hasAssumptions: !f.assumptions.isEmpty,
      fingerprint: f.fingerprint, head: head,
      mdTitle: MD.inline(f.check.title), mdMessage: MD.inline(f.message),
      mdExplanation: MD.inline(f.explanation), mdAssumptions: f.assumptions.map(MD.inline),
      codeCheck: MD.code(f.check.id), codeFingerprint: MD.code(f.fingerprint),
      cellLocation: MD.cell(MD.location(lf)), cellMessage: MD.cell(MD.inline(f.message)),
      mdFacts: facts.isEmpty ? nil : facts.joined(separator: " · "))
  }
}
