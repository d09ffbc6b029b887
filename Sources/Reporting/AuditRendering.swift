import Analysis
import Diagnostics
import Foundation
import Pipeline

/// `patchsite audit`'s report as JSON (`patchsite-audit/1`), text, Markdown and SARIF.
public enum AuditRendering {
  public static let schema = "patchsite-audit/1"

  // MARK: JSON

  public static func json(_ r: AuditReport) -> JSON {
    .object([
      ("schema", .string(schema)),
      ("range", .string(r.range)),
      ("paths", .array(r.paths.map { .string($0) })),
      ("walked", .int(r.walked)),
      ("rebuilt", .int(r.rebuilt)),
      ("reused", .int(r.reused)),
      ("commits", .array(r.commits.map(commit))),
      ("open", .array(r.open.map(finding))),
      ("summary", summary(r)),
    ])
  }

  static func commit(_ c: AuditCommit) -> JSON {
    let first = c.shown
    return .object([
      ("commit", .string(c.commit.id)),
      ("subject", .string(c.commit.subject)),
      ("date", .string(c.commit.date)),
      ("author", .string(c.commit.author)),
      ("signatures", .object((first?.signatures ?? []).map { ($0.state, .string($0.words)) })),
      (
        "configurations",
        .array(
          c.configurations.map { cfg in
            .object([
              ("name", .string(cfg.name)),
              ("signatures", .object(cfg.signatures.map { ($0.state, .string($0.words)) })),
              ("findings", .int(cfg.findings.count)),
            ])
          })
      ),
      ("layoutChanged", .bool(c.layoutChanged)),
      ("introduced", .array(c.introduced.map(finding))),
      ("fixed", .array(c.fixed.map(finding))),
      ("carried", .int(c.carried)),
      ("problems", .array(c.problems.map { .string($0.description) })),
    ])
  }

  static func finding(_ a: AuditFinding) -> JSON {
    let f = a.finding
    return .object(
      ReviewRendering.head(f) + [
        ("configuration", .string(a.configuration)),
        ("state", .optional(f.state?.description)),
        ("offset", .optional(f.offset)),
        ("assumptions", .array(f.assumptions.map { .string($0) })),
        ("evidence", ReviewRendering.evidence(f.evidence)),
        (
          "location",
          .object([
            ("file", .optional(f.location?.file)),
            ("line", .optional(f.location.map(\.line))),
          ])
        ),
        ("fingerprint", .string(f.fingerprint)),
        ("introducedBy", .optional(a.introducedBy?.id)),
      ])
  }

  static func summary(_ r: AuditReport) -> JSON {
    var counts: [Severity: Int] = [:]
    for a in r.open { counts[a.finding.severity, default: 0] += 1 }
    return .object([
      ("commits", .int(r.commits.count)),
      (
        "open",
        .object([
          ("error", .int(counts[.error] ?? 0)), ("warning", .int(counts[.warning] ?? 0)),
          ("note", .int(counts[.note] ?? 0)),
        ])
      ),
    ])
  }

  // MARK: Text

  /// A timeline: a line per commit (short ID, date, subject), the callsite's signature when it
  /// changed, what it introduced and fixed; then what is open at the tip and where it came from.
  public static func text(_ r: AuditReport, color: Bool = false) -> String {
    var out = "audit \(r.range): \(r.walked) commits walked, \(r.commits.count) touch the callsite "
    out += "(\(r.rebuilt) trees rebuilt, \(r.reused) kept from an identical one)\n"
    for c in r.commits {
      out +=
        "\n" + c.commit.short + "  " + day(c.commit) + "  " + c.commit.subject
        + "\n"
      if c.layoutChanged, let cfg = c.shown, !cfg.signatures.isEmpty {
        out += "  layout [\(cfg.name)]:\n"
        for s in cfg.signatures { out += "    \(s.state): \(s.words)\n" }
      }
      for a in c.introduced {
        out += "  + " + line(a, color: color) + "\n"
      }
      for a in c.fixed {
        out +=
          "  - fixed: " + line(a, color: color)
          + (a.introducedBy.map { " (since \($0.short))" } ?? " (since the base)")
          + "\n"
      }
      if c.carried > 0 { out += "  = \(c.carried) carried\n" }
      for p in c.problems { out += "  ! \(p.message)\n" }
    }
    out += "\nopen at the tip: \(r.open.count)\n"
    for a in r.open {
      out +=
        "  " + line(a, color: color) + " — introduced by "
        + (a.introducedBy.map { $0.short } ?? "the base") + "\n"
    }
    return out
  }

  static func line(_ a: AuditFinding, color: Bool) -> String {
    let f = a.finding
    let sev = ReviewRendering.paint(f.severity, f.severity.rawValue, color)
    return "\(sev) \(f.check.id) [\(a.configuration)]: \(f.message)"
  }

  static func day(_ c: AuditRevision) -> String { String(c.date.prefix(10)) }

  // MARK: Markdown

  public static func markdown(_ r: AuditReport) -> String {
    var out = "# Patchsite audit of `\(r.range)`\n\n"
    out +=
      "\(r.walked) commits walked, \(r.commits.count) touch the callsite; \(r.rebuilt) trees "
      + "rebuilt, \(r.reused) kept from an identical one.\n\n"
    out += "| commit | date | subject | introduced | fixed | carried |\n|---|---|---|---|---|---|\n"
    for c in r.commits {
      out +=
        "| `\(c.commit.short)` | \(day(c.commit)) | \(escape(c.commit.subject)) | "
        + "\(c.introduced.count) | \(c.fixed.count) | \(c.carried) |\n"
    }
    for c in r.commits where c.layoutChanged || !c.introduced.isEmpty || !c.fixed.isEmpty {
      out += "\n## `\(c.commit.short)` \(escape(c.commit.subject))\n\n"
      if c.layoutChanged, let cfg = c.shown, !cfg.signatures.isEmpty {
        out += "Layout (\(cfg.name)):\n\n```\n"
        for s in cfg.signatures { out += "\(s.state): \(s.words)\n" }
        out += "```\n\n"
      }
      for a in c.introduced {
        out += "- introduced: **\(a.finding.severity.rawValue)** `\(a.finding.check.id)` "
        out += "(\(a.configuration)): \(escape(a.finding.message))\n"
      }
      for a in c.fixed {
        out +=
          "- fixed: `\(a.finding.check.id)` (\(a.configuration)): \(escape(a.finding.message))\n"
      }
    }
    out += "\n## Open at the tip\n\n"
    if r.open.isEmpty { out += "Nothing.\n" }
    for a in r.open {
      out +=
        "- **\(a.finding.severity.rawValue)** `\(a.finding.check.id)` (\(a.configuration)), "
        + "introduced by \(a.introducedBy.map { "`\($0.short)`" } ?? "the base"): "
        + escape(a.finding.message) + "\n"
    }
    return out
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  // MARK: SARIF

  /// The findings open at the tip as a SARIF 2.1.0 log, each with the commit that introduced it.
  public static func sarif(_ r: AuditReport) -> JSON {
    let results: [JSON] = r.open.map { a in
      let f = a.finding
      var fields: [(String, JSON)] = [
        ("ruleId", .string(f.check.id)),
        ("level", .string(ReviewSARIF.level(f.severity))),
        ("message", .object([("text", .string(f.message))])),
      ]
      if let index = CheckCatalogue.all.firstIndex(where: { $0.id == f.check.id }) {
        fields.insert(("ruleIndex", .int(index)), at: 1)
      }
      if let l = f.location { fields.append(("locations", .array([ReviewSARIF.location(l)]))) }
      fields.append(
        ("partialFingerprints", .object([(ReviewSARIF.fingerprintKey, .string(f.fingerprint))])))
      var properties: [(String, JSON)] = [("configuration", .string(a.configuration))]
      if let c = a.introducedBy { properties.append(("introducedBy", .string(c.id))) }
      if let s = f.state { properties.append(("state", .string(s.description))) }
      fields.append(("properties", .object(properties)))
      return .object(fields)
    }
    return .object([
      ("$schema", .string(ReviewSARIF.schema)),
      ("version", .string(ReviewSARIF.version)),
      (
        "runs",
        .array([
          .object([
            (
              "tool",
              .object([
                (
                  "driver",
                  .object([
                    ("name", .string("patchsite")),
                    ("rules", .array(CheckCatalogue.all.map(ReviewSARIF.rule))),
                  ])
                )
              ])
            ),
            ("results", .array(results)),
          ])
        ])
      ),
    ])
  }
}
