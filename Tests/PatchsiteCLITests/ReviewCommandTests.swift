import Foundation
import TestSupport
import Testing

@testable import PatchsiteCLI

private let root = Tools.packageRoot()

@Suite struct ReviewCommandTests {
  static let examples = [
    "with-args", "call-ops", "direct-calls", "literal-call", "in-function-literal",
  ]

  @Test(arguments: examples, ["text", "json"])
  func snapshotOfEveryExampleInEveryFormat(_ example: String, _ format: String) throws {
    let (status, text) = try runCapturing([
      "review", root + "/Series/\(example)/series.mbox", "--tree", root + "/Series/base",
      "--format", format, "--fail-on", "never",
    ])
    #expect(status == 0)
    let portable = text.replacingOccurrences(of: root + "/", with: "")
    #expect(
      Snapshot.check(
        portable, named: "review-\(example)", extension: format == "text" ? "txt" : "json") == nil)
  }

  /// The JSON contract: schema, units, findings with their fields, summary counts that match.
  @Test func jsonContract() throws {
    let (status, text) = try runCapturing([
      "review", root + "/Series/direct-calls/series.mbox", "--tree", root + "/Series/base",
      "--format", "json",
    ])
    #expect(status == 1, "an error-level finding makes the exit status 1")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["schema"] as? String == "patchsite-review/1")
    let units = try #require(object["units"] as? [[String: Any]])
    let findings = try #require(object["findings"] as? [[String: Any]])
    let summary = try #require(object["summary"] as? [String: Any])
    #expect(!units.isEmpty)
    let errors = findings.filter { $0["severity"] as? String == "error" }
    #expect(summary["error"] as? Int == errors.count)
    for f in findings {
      for key in [
        "check", "category", "severity", "title", "message", "unit", "version", "state",
        "transition", "offset", "assumptions", "evidence", "location",
      ] {
        #expect(f.keys.contains(key), "finding lacks \(key)")
      }
      #expect(units.contains { $0["id"] as? String == f["unit"] as? String })
    }
    let pad = try #require(findings.first { $0["check"] as? String == "bti.landing-pad" })
    let location = try #require(pad["location"] as? [String: Any])
    #expect(location["file"] as? String == "arch/arm64/kernel/entry-ftrace.S")
    #expect((location["messageId"] as? String)?.isEmpty == false)
    #expect((object["comparison"] as? [[String: Any]])?.isEmpty == false)
  }

  @Test func failOnDecidesTheExitStatus() throws {
    let args = ["review", root + "/Series/call-ops/series.mbox", "--tree", root + "/Series/base"]
    #expect(try runCapturing(args).0 == 0, "warnings only: below the default --fail-on error")
    #expect(try runCapturing(args + ["--fail-on", "warning"]).0 == 1)
    #expect(try runCapturing(args + ["--fail-on", "never"]).0 == 0)
  }

  @Test func listChecksNamesEveryCheckAndWhetherItRuns() throws {
    let (status, text) = try runCapturing(["review", "--list-checks"])
    #expect(status == 0)
    let lines = text.split(separator: "\n")
    #expect(lines.count == 26)
    #expect(lines.contains { $0.hasPrefix("bti.landing-pad") && !$0.contains("not yet") })
    #expect(lines.contains { $0.hasPrefix("size.bytes-per-function") })
  }
}
