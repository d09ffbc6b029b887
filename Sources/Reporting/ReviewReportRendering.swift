import Analysis
import Diagnostics
import Pipeline

/// `patchsite review`'s reports: text for a terminal, and the versioned JSON contract
/// (`patchsite-review/1`, README "Review JSON").
public enum ReviewRendering {
  public static let schema = "patchsite-review/1"

  // MARK: JSON

  public static func json(_ r: ReviewReport) -> JSON {
    .object([
      ("schema", .string(schema)),
      ("units", .array(r.units.map(unit))),
      ("findings", .array(r.findings.map(finding))),
      (
        "comparison",
        .array(
          r.comparisons.map { c in
            .object([
              ("from", .int(c.from)), ("to", .int(c.to)),
              ("config", .string(c.configuration)),
              ("introduced", .array(c.introduced.map { .string($0.fingerprint) })),
              ("fixed", .array(c.fixed.map { .string($0.fingerprint) })),
              ("unchanged", .array(c.unchanged.map { .string($0.fingerprint) })),
            ])
          })
      ),
      ("diagnostics", .array(r.diagnostics.map(JSON.diagnostic))),
      (
        "summary",
        .object([
          ("error", .int(r.count(.error))), ("warning", .int(r.count(.warning))),
          ("note", .int(r.count(.note))), ("scenarios", .int(r.scenarios)),
          ("instructions", .int(r.instructions)),
        ])
      ),
    ])
  }

  static func unit(_ u: ReviewUnit) -> JSON {
    let l = u.layout
    let kind: String =
      l.configuration.name == "prose" ? "prose" : (l.version == nil ? "tree" : "patch")
    return .object([
      ("id", .string(u.id)),
      ("version", .optional(l.version)),
      (
        "source",
        .object([
          ("kind", .string(kind)), ("messageId", .optional(u.messageID)),
          ("file", .string(l.source)), ("line", .null),
        ])
      ),
      ("configName", .string(l.configName)),
      ("config", .object(l.configuration.shown.map { ($0.name, .string($0.value)) })),
      ("states", .array(l.states.map { .string($0.name) })),
      ("scenarios", .int(u.review.scenarios)),
      ("instructions", .int(u.review.instructions)),
    ])
  }

  /// The fields every finding's JSON starts with: what it is and what it says.
  static func head(_ f: Finding) -> [(String, JSON)] {
    [
      ("check", .string(f.check.id)),
      ("category", .string(f.check.category.rawValue)),
      ("severity", .string(f.severity.rawValue)),
      ("title", .string(f.check.title)),
      ("message", .string(f.message)),
      ("explanation", .string(f.explanation)),
    ]
  }

  static func finding(_ lf: LocatedFinding) -> JSON {
    let f = lf.finding
    return .object(
      head(f) + [
        ("unit", .string(lf.unit)),
        ("version", .optional(lf.version)),
        ("state", .optional(f.state?.description)),
        (
          "transition",
          f.transition.map {
            .object([("from", .string($0.from.description)), ("to", .string($0.to.description))])
          } ?? .null
        ),
        ("offset", .optional(f.offset)),
        ("assumptions", .array(f.assumptions.map { .string($0) })),
        ("evidence", evidence(f.evidence)),
        (
          "location",
          .object([
            ("file", .optional(f.location?.file)),
            ("line", .optional(f.location.map(\.line))),
            ("patch", .optional(lf.patch)),
            ("messageId", .optional(lf.messageID)),
          ])
        ),
        ("fingerprint", .string(f.fingerprint)),
        ("inBase", .bool(lf.inBase)),
      ])
  }

  static func evidence(_ e: Evidence) -> JSON {
    .object([
      ("facts", .object(e.facts.map { ($0.0, .string($0.1)) })),
      (
        "blocks",
        .array(
          e.blocks.map { b in
            .object([
              ("heading", .string(b.heading)),
              (
                "lines",
                .array(
                  b.lines.map { l in
                    .object([
                      ("address", .optional(l.address.map { Words.hex($0) })),
                      ("word", .optional(l.word.map { Words.hex(UInt64($0), digits: 8) })),
                      ("text", .string(l.text)),
                      ("note", .string(l.note)),
                    ])
                  })
              ),
            ])
          })
      ),
    ])
  }

  // MARK: Text

  /// The terminal report, rendered with `review-text.mustache`: one block per finding, the
  /// version comparison, the diagnostics and a summary line. `color` adds ANSI colour to the
  /// severities.
  public static func text(_ r: ReviewReport, color: Bool = false, templates: TemplateSet)
    throws(InputError) -> String
  {
    try templates.render("review-text", ReviewTemplateModel(r, color: color))
  }

  /// A unit's heading line, without a newline: `== u1 v1 v1 4/4 post-image [CONFIG]: 4
  /// findings (8 scenarios, 273 instructions)`.
  public static func heading(_ u: ReviewUnit) -> String {
    let l = u.layout
    var out = "== \(u.id) \(l.version.map { "v\($0) " } ?? "")\(l.source) [\(l.configName)]: "
    let n = u.findings.count
    out += n == 0 ? "no findings" : "\(n) finding\(n == 1 ? "" : "s")"
    out += " (\(u.review.scenarios) scenarios, \(u.review.instructions) instructions)"
    return out
  }

  /// An evidence line as the text report prints it, without indentation: address, word,
  /// disassembly or value, and the note, each present only when known.
  public static func evidenceLine(_ l: EvidenceLine) -> String {
    var line = ""
    if let a = l.address { line += Words.hex(a) + "  " }
    if let w = l.word { line += Words.hex(UInt64(w), digits: 8) + "  " }
    line += l.text
    if !l.note.isEmpty { line += "    " + l.note }
    return line
  }

  static func paint(_ s: Severity, _ text: String, _ color: Bool) -> String {
    guard color else { return text }
    let code =
      switch s {
      case .error: "1;31"
      case .warning: "1;33"
      default: "1;36"
      }
    return "\u{1b}[\(code)m\(text)\u{1b}[0m"
  }

  public static func text(_ lf: LocatedFinding, color: Bool = false) -> String {
    let f = lf.finding
    var head = paint(
      f.severity, f.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0), color)
    head += " \(f.check.id)"
    if let l = f.location { head += "  \(l)" }
    if let p = lf.patch { head += "   \(p)" }
    if let m = lf.messageID { head += " <\(m)>" }
    var out = head + "\n  \(f.message)\n"
    if !f.explanation.isEmpty { out += "\n" + wrap(f.explanation, indent: "  ", width: 100) }
    for b in f.evidence.blocks {
      out += "\n  \(b.heading)\n"
      for l in b.lines { out += "    " + evidenceLine(l) + "\n" }
    }
    for a in f.assumptions { out += "  assumed: \(a)\n" }
    return out
  }

  static func wrap(_ text: String, indent: String, width: Int) -> String {
    var out = ""
    var line = indent
    for word in text.split(separator: " ") {
      if line.count + word.count + 1 > width && line != indent {
        out += line + "\n"
        line = indent
      }
      line += (line == indent ? "" : " ") + word
    }
    if line != indent { out += line + "\n" }
    return out
  }
}
