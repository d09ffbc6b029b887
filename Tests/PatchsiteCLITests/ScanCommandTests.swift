import Foundation
import TestSupport
import Testing

@testable import PatchsiteCLI

private let root = Tools.packageRoot()

@Suite struct ScanCommandTests {
  /// The JSON contract of the README: series → versions → findings shaped as review's, the
  /// counts of messages and bytes; an error-level finding makes the exit status 1.
  @Test func jsonShape() throws {
    let mbox = root + "/Series/broken-bl-out-of-range/series.mbox"
    let (status, text) = try runCapturing([
      "scan", mbox, "--tree", root + "/Series/base", "--format", "json", "--quiet",
    ])
    #expect(status == 1)
    let top = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(Set(top.keys).isSuperset(of: ["series", "messages", "bytes"]))
    #expect(top["messages"] as? Int == 2)
    let size = try FileManager.default.attributesOfItem(atPath: mbox)[.size] as? Int
    #expect(top["bytes"] as? Int == size)
    let series = try #require(top["series"] as? [[String: Any]])
    #expect(series.count == 1)
    let s = try #require(series.first)
    #expect(
      s["subject"] as? String == "[PATCH 0/1] arm64: ftrace: one less indirection for modules")
    #expect(s["messageId"] as? String == "20250304141000.2210-0-dario@example.com")
    let v = try #require((s["versions"] as? [[String: Any]])?.first)
    #expect(v["version"] as? Int == 1)
    #expect(v["messageId"] as? String == "20250304141000.2210-0-dario@example.com")
    #expect((v["date"] as? String)?.hasPrefix("2025-03-04T") == true)
    #expect(v["patches"] as? Int == 1)
    let summary = try #require(v["summary"] as? [String: Int])
    #expect(Set(summary.keys) == ["error", "warning", "note"])
    #expect((summary["error"] ?? 0) > 0)
    let findings = try #require(v["findings"] as? [[String: Any]])
    #expect(findings.count == summary.values.reduce(0, +))
    let f = try #require(findings.first { $0["severity"] as? String == "error" })
    // The same fields as a finding of `review --format json`.
    #expect(
      Set(f.keys).isSuperset(of: [
        "check", "category", "severity", "title", "message", "explanation", "unit", "version",
        "state", "transition", "offset", "assumptions", "evidence", "location", "fingerprint",
        "inBase",
      ]))
    let location = try #require(f["location"] as? [String: Any])
    #expect(location["messageId"] as? String == "20250304141000.2210-1-dario@example.com")
  }

  @Test func textListsSeriesVersionsAndFindings() throws {
    let (status, text) = try runCapturing([
      "scan", root + "/Series/call-ops/series.mbox", root + "/Series/with-args/series.mbox",
    ])
    #expect(status == 0)
    #expect(text.hasPrefix("scan: "))
    #expect(text.contains("\n[PATCH 0/3] arm64: ftrace: per-callsite ops"))
    #expect(text.contains("\n[PATCH 0/2] arm64: ftrace: move from WITH_REGS to WITH_ARGS"))
    #expect(text.contains("  <20240402080000.3000-0-ada@example.org>"))
    #expect(text.contains("      files: "))
  }

  @Test func badInputExitsTwo() throws {
    #expect(try runCapturing(["scan", root + "/no/such.mbox"]).status == 2)
    #expect(try runCapturing(["scan", "-"]).status == 2)
    #expect(
      try runCapturing(["scan", root + "/Series/call-ops/series.mbox", "--since", "2024-02-30"])
        .status == 2)
    #expect(
      try runCapturing([
        "scan", root + "/Series/call-ops/series.mbox", "--tree", root, "--repo", root,
      ]).status == 2)
  }

  @Test func sinceDays() {
    #expect(ScanCommand.day("2024-02-29")?.epochSeconds == 1_709_164_800)
    #expect(ScanCommand.day("2023-02-29") == nil)
    #expect(ScanCommand.day("2024-1-01") == nil)
    #expect(ScanCommand.day("yesterday") == nil)
  }
}
