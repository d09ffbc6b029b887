import Analysis
import Diagnostics
import PatchSeries
import Pipeline

/// `patchsite review --format sarif`: the review as a SARIF 2.1.0 log, for code-scanning
/// services and editors.
///
/// One run. Its rules are the whole check catalogue (the checks that do not run yet too, so
/// `ruleIndex` stays the catalogue order); its results are the findings in report order. A
/// finding's location is the post-image file and line it points at, else the message (or tree)
/// its unit was rebuilt from. Its evidence becomes a code flow, one thread flow per evidence
/// block, one location per evidence line. `partialFingerprints["patchsite/v1"]` is the
/// finding's fingerprint, stable across versions of a series. The review's diagnostics are
/// the invocation's tool execution notifications.
public enum ReviewSARIF {
  public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"
  public static let version = "2.1.0"
  /// The key of `partialFingerprints` the findings' fingerprints go under.
  public static let fingerprintKey = "patchsite/v1"

  /// The SARIF log of `r`.
  public static func render(_ r: ReviewReport) -> JSON {
    var run: [(String, JSON)] = [
      (
        "tool",
        .object([
          (
            "driver",
            .object([
              ("name", .string("patchsite")),
              ("rules", .array(CheckCatalogue.all.map(rule))),
            ])
          )
        ])
      )
    ]
    if !r.diagnostics.isEmpty {
      run.append(
        (
          "invocations",
          .array([
            .object([
              ("executionSuccessful", .bool(true)),
              ("toolExecutionNotifications", .array(r.diagnostics.map(notification))),
            ])
          ])
        ))
    }
    var results: [JSON] = []
    for u in r.units {
      let origin = origin(of: u, in: r)
      for lf in u.findings { results.append(result(lf, unit: u, origin: origin)) }
    }
    run.append(("results", .array(results)))
    return .object([
      ("$schema", .string(schema)),
      ("version", .string(version)),
      ("runs", .array([.object(run)])),
    ])
  }

  // MARK: Rules

  static func rule(_ c: CheckInfo) -> JSON {
    .object([
      ("id", .string(c.id)),
      ("name", .string(ruleName(c.id))),
      ("shortDescription", .object([("text", .string(c.title))])),
      ("defaultConfiguration", .object([("level", .string(level(c.severity)))])),
      (
        "properties",
        .object([
          ("category", .string(c.category.rawValue)),
          ("tags", .array([.string(c.category.rawValue)])),
          ("implemented", .bool(CheckCatalogue.isImplemented(c))),
        ])
      ),
    ])
  }

  /// `bti.landing-pad` → `BtiLandingPad`: SARIF's rule names are identifiers.
  static func ruleName(_ id: String) -> String {
    id.split(whereSeparator: { $0 == "." || $0 == "-" })
      .map { $0.prefix(1).uppercased() + $0.dropFirst() }
      .joined()
  }

  /// SARIF's levels: a remark (a diagnostic's) is a note.
  static func level(_ s: Severity) -> String {
    switch s {
    case .error: "error"
    case .warning: "warning"
    case .note, .remark: "note"
    }
  }

  // MARK: Results

  static func result(_ lf: LocatedFinding, unit u: ReviewUnit, origin: SourceLocation) -> JSON {
    let f = lf.finding
    var text = f.message
    if !f.explanation.isEmpty { text += "\n\n" + f.explanation }
    var fields: [(String, JSON)] = [
      ("ruleId", .string(f.check.id)),
      ("level", .string(level(f.severity))),
      ("message", .object([("text", .string(text))])),
      ("locations", .array([location(f.location ?? origin)])),
    ]
    if let index = CheckCatalogue.all.firstIndex(where: { $0.id == f.check.id }) {
      fields.insert(("ruleIndex", .int(index)), at: 1)
    }
    let flows: [JSON] = f.evidence.blocks.filter { !$0.lines.isEmpty }.map { b in
      .object([
        ("message", .object([("text", .string(b.heading))])),
        (
          "locations",
          .array(
            b.lines.map { l in
              .object([
                (
                  "location",
                  .object([
                    ("message", .object([("text", .string(ReviewRendering.evidenceLine(l)))]))
                  ])
                )
              ])
            })
        ),
      ])
    }
    if !flows.isEmpty {
      fields.append(("codeFlows", .array([.object([("threadFlows", .array(flows))])])))
    }
    fields.append(("partialFingerprints", .object([(fingerprintKey, .string(f.fingerprint))])))
    var properties: [(String, JSON)] = [
      ("unit", .string(lf.unit)),
      ("configuration", .string(u.layout.configName)),
    ]
    if let v = lf.version { properties.append(("version", .int(v))) }
    if let s = f.state { properties.append(("state", .string(s.description))) }
    if let t = f.transition {
      properties.append(
        (
          "transition",
          .object([("from", .string(t.from.description)), ("to", .string(t.to.description))])
        ))
    }
    if let o = f.offset { properties.append(("offset", .int(o))) }
    if let p = lf.patch { properties.append(("patch", .string(p))) }
    if let m = lf.messageID { properties.append(("messageId", .string(m))) }
    properties.append(("assumptions", .array(f.assumptions.map { .string($0) })))
    fields.append(("properties", .object(properties)))
    return .object(fields)
  }

  /// A physical location: the file as a URI reference, and the line when there is one.
  static func location(_ l: SourceLocation) -> JSON {
    var physical: [(String, JSON)] = [
      ("artifactLocation", .object([("uri", .string(uri(l.file)))]))
    ]
    if l.line > 0 { physical.append(("region", .object([("startLine", .int(l.line))]))) }
    return .object([("physicalLocation", .object(physical))])
  }

  /// Where a unit comes from, for findings that point at no file: the message its listing was
  /// sketched in, or the last patch (or cover letter) of its version, or the tree it was
  /// rebuilt from.
  public static func origin(of u: ReviewUnit, in r: ReviewReport) -> SourceLocation {
    let l = u.layout
    guard let v = r.series?.versions.first(where: { $0.version == l.version }) else {
      return SourceLocation(file: l.source)
    }
    var messages: [SourceLocation] = []
    if let c = v.cover { messages.append(c.location) }
    for p in v.patches {
      messages.append(p.message.location)
      messages += p.replies.map(\.location)
    }
    messages += v.replies.map(\.location)
    if l.configuration.name == "prose",
      let m = messages.first(where: { l.source.hasSuffix("(\($0.file):\($0.line))") })
    {
      return m
    }
    if let id = u.messageID {
      if let p = v.patches.first(where: { $0.message.messageID == id }) {
        return p.message.location
      }
      if let c = v.cover, c.messageID == id { return c.location }
    }
    return v.patches.last?.message.location ?? v.cover?.location ?? SourceLocation(file: l.source)
  }

  /// `path` as a URI reference: characters a URI may not hold (spaces, `%`, `:`, non-ASCII…)
  /// percent-encoded as UTF-8, `/` kept.
  static func uri(_ path: String) -> String {
    var out = ""
    for b in path.utf8 {
      let c = Character(Unicode.Scalar(b))
      let plain =
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
        || "-._~/!$&'()*+,;=@".contains(c)
      if plain {
        out.append(c)
      } else {
        let hex = String(b, radix: 16, uppercase: true)
        out += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return out
  }

  // MARK: Diagnostics

  static func notification(_ d: Diagnostic) -> JSON {
    let l = d.location
    let place = l.line > 0 ? "\(l.file):\(l.line)" : l.file
    return .object([
      ("descriptor", .object([("id", .string(d.id.rawValue))])),
      ("level", .string(level(d.severity))),
      ("message", .object([("text", .string("\(place): \(d.message)"))])),
    ])
  }
}
