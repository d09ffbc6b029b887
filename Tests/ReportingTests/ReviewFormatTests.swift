import Analysis
import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import Pipeline
@testable import Reporting

private func review(_ example: String) throws -> ReviewReport {
  let root = Tools.packageRoot()
  let set = try SeriesInputs(
    inputs: [root + "/Series/\(example)/series.mbox"], tree: root + "/Series/base"
  ).load()
  return ReviewPipeline.review(set: set)
}

private func object(_ json: JSON, _ key: String) -> JSON? {
  guard case .object(let fields) = json else { return nil }
  return fields.first { $0.0 == key }?.1
}

private func array(_ json: JSON?) -> [JSON] {
  guard case .array(let items)? = json else { return [] }
  return items
}

private func string(_ json: JSON?) -> String? {
  guard case .string(let s)? = json else { return nil }
  return s
}

/// The Markdown, SARIF and b4 renderings of a review.
@Suite struct ReviewFormatTests {
  @Test func markdownHasTheSummaryAUnitSectionPerUnitAndTheEvidence() throws {
    let r = try review("direct-calls")
    let md = try ReviewMarkdown.render(r, templates: TemplateSet.standard())
    #expect(md.hasPrefix("# Patchsite review: "))
    #expect(
      md.contains(
        "| \(r.count(.error)) | \(r.count(.warning)) | \(r.count(.note)) | \(r.units.count)"
          + " | \(r.scenarios) | \(r.instructions) |"))
    for u in r.units { #expect(md.contains("\n## \(u.id): ")) }
    #expect(md.contains("| `bti.landing-pad` | `arch/arm64/kernel/entry-ftrace.S:116` (v1 4/4) |"))
    #expect(md.contains("```text\n"))
    #expect(md.contains("d61f0140  br x10    BTYPE 3\n"))
    #expect(md.contains("Assumed:\n\n- "))
    #expect(md.contains("## Versions compared"))
    #expect(md.contains("## Diagnostics"))
    #expect(
      try md == ReviewMarkdown.render(r, templates: TemplateSet.standard()),
      "the same report gives the same page")
    // Every finding once in a table row and once as a section.
    #expect(md.components(separatedBy: "\n### ").count - 1 == r.findings.count)
  }

  @Test func markdownEscapesTableCellsHTMLAndFences() {
    #expect(ReviewMarkdown.cell("a | b") == "a \\| b")
    #expect(ReviewMarkdown.inline("<ftrace_caller> & x\ny") == "&lt;ftrace_caller&gt; &amp; x y")
    #expect(ReviewMarkdown.code("a`b") == "a'b")
    #expect(ReviewMarkdown.fence(for: ["plain"]) == "```")
    #expect(ReviewMarkdown.fence(for: ["x ```` y"]) == "`````")
  }

  @Test func sarifListsTheCatalogueAsRulesAndEveryFindingAsAResult() throws {
    let r = try review("direct-calls")
    let log = ReviewSARIF.render(r)
    #expect(string(object(log, "version")) == "2.1.0")
    #expect(string(object(log, "$schema")) == "https://json.schemastore.org/sarif-2.1.0.json")
    let run = try #require(array(object(log, "runs")).first)
    let driver = try #require(object(object(run, "tool") ?? .null, "driver"))
    #expect(string(object(driver, "name")) == "patchsite")
    let rules = array(object(driver, "rules"))
    #expect(rules.map { string(object($0, "id")) } == CheckCatalogue.all.map(\.id))
    let results = array(object(run, "results"))
    #expect(results.count == r.findings.count)
    for (result, lf) in zip(results, r.findings) {
      #expect(string(object(result, "ruleId")) == lf.finding.check.id)
      guard case .int(let index)? = object(result, "ruleIndex") else {
        Issue.record("no ruleIndex")
        continue
      }
      #expect(string(object(rules[index], "id")) == lf.finding.check.id)
      #expect(string(object(result, "level")) == ReviewSARIF.level(lf.finding.severity))
      let fingerprints = try #require(object(result, "partialFingerprints"))
      #expect(string(object(fingerprints, "patchsite/v1")) == lf.finding.fingerprint)
      #expect(array(object(result, "locations")).count == 1)
    }
    let pad = try #require(results.first { string(object($0, "ruleId")) == "bti.landing-pad" })
    let flows = array(object(pad, "codeFlows"))
    let thread = try #require(array(object(flows.first ?? .null, "threadFlows")).first)
    let steps = array(object(thread, "locations")).compactMap {
      string(object(object(object($0, "location") ?? .null, "message") ?? .null, "text"))
    }
    #expect(steps.contains("ffff8000800100b4  d61f0140  br x10    BTYPE 3"))
  }

  @Test func sarifURIsArePercentEncoded() {
    #expect(ReviewSARIF.uri("arch/arm64/kernel/ftrace.c") == "arch/arm64/kernel/ftrace.c")
    #expect(ReviewSARIF.uri("<stdin>") == "%3Cstdin%3E")
    #expect(ReviewSARIF.uri("a b:c") == "a%20b%3Ac")
    #expect(ReviewSARIF.ruleName("bti.landing-pad") == "BtiLandingPad")
  }

  @Test func b4GivesOneResultWithTheWorstStatus() throws {
    let fail = try review("direct-calls")
    let results = array(ReviewB4.render(fail))
    #expect(results.count == 1)
    let r = try #require(results.first)
    #expect(string(object(r, "tool")) == "patchsite")
    #expect(string(object(r, "status")) == "fail")
    let summary = try #require(string(object(r, "summary")))
    #expect(summary.hasPrefix("\(fail.count(.error)) error"))
    #expect(summary.contains("bti.landing-pad"))
    let details = try #require(string(object(r, "details")))
    for u in fail.units { #expect(details.contains(ReviewRendering.heading(u))) }
    #expect(!details.contains("\u{1b}["), "no colour")

    let warn = try review("call-ops")
    let status = string(object(array(ReviewB4.render(warn)).first ?? .null, "status"))
    #expect(status == (warn.count(.warning) > 0 ? "warn" : "pass"))
  }

  @Test func b4PassesWhenThereIsNothingToReview() throws {
    let empty = ReviewReport(series: nil, units: [], comparisons: [], diagnostics: [])
    let r = try #require(array(ReviewB4.render(empty)).first)
    #expect(string(object(r, "status")) == "pass")
    #expect(string(object(r, "summary"))?.contains("nothing in the message touches") == true)
  }
}
