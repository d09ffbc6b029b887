import Foundation
import PatchsiteCLI
import TestSupport
import Testing

private let root = Tools.packageRoot()

/// `patchsite ARGS`, with what it wrote to `-o`.
private func run(_ args: [String]) throws -> (Int32, String) { try runCapturing(args) }

@Test func seriesJSONOfTheExample() throws {
  let (status, text) = try run([
    "series", root + "/Series/with-args/series.mbox", "--tree", root + "/Series/base",
    "--format", "json",
  ])
  #expect(status == 0)
  let portable = text.replacingOccurrences(of: root + "/", with: "")
  #expect(Snapshot.check(portable, named: "seriesJSONOfTheExample", extension: "json") == nil)
}

@Test func seriesTextOfTheExample() throws {
  let (status, text) = try run([
    "series", root + "/Series/with-args/series.mbox", "--tree", root + "/Series/base",
  ])
  #expect(status == 0)
  let portable = text.replacingOccurrences(of: root + "/", with: "")
  #expect(Snapshot.check(portable, named: "seriesTextOfTheExample", extension: "txt") == nil)
}

@Test func seriesJSONKeepsTheContractNames() throws {
  let (_, text) = try run(["series", root + "/Series/with-args/series.mbox", "--format", "json"])
  let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
  let versions = try #require(object?["versions"] as? [[String: Any]])
  #expect(object?["diagnostics"] is [Any])
  let v = try #require(versions.first)
  #expect(v["version"] as? Int == 1)
  #expect(
    (v["cover"] as? [String: Any])?["messageId"] as? String
      == "20240304081200.1000-0-ada@example.org")
  let patch = try #require((v["patches"] as? [[String: Any]])?.first)
  for key in [
    "index", "total", "subject", "messageId", "author", "date", "trailers", "replies", "applies",
    "files",
  ] {
    #expect(patch[key] != nil, "patch lacks \(key)")
  }
  #expect(patch["applies"] is NSNull)
  #expect(patch["date"] as? String == "2024-03-04T09:12:01+01:00")
  let file = try #require((patch["files"] as? [[String: Any]])?.first)
  let hunk = try #require((file["hunks"] as? [[String: Any]])?.first)
  for key in ["oldStart", "oldLines", "newStart", "newLines", "kind"] {
    #expect(hunk[key] != nil, "hunk lacks \(key)")
  }
}

@Test func unreadableInputExitsTwo() throws {
  let (status, _) = try run(["series", root + "/no/such/file.mbox"])
  #expect(status == 2)
}

/// The JSON is written in pieces as it is rendered; a file that cannot be written is still
/// bad output (exit 2), found at the first piece, and an existing file is replaced whole.
@Test func seriesJSONToAFileItCannotWriteExitsTwo() throws {
  let input = root + "/Series/with-args/series.mbox"
  let status = Patchsite.run(["series", input, "--format", "json", "-o", root + "/no/such/out"])
  #expect(status == 2)
  let dir = try Tools.makeTemporaryDirectory()
  defer { Tools.removeTemporaryDirectory(dir) }
  let out = dir + "/out.json"
  try String(repeating: "stale\n", count: 100_000).write(
    toFile: out, atomically: true, encoding: .utf8)
  #expect(Patchsite.run(["series", input, "--format", "json", "-o", out]) == 0)
  let (_, expected) = try run(["series", input, "--format", "json"])
  #expect(try String(contentsOfFile: out, encoding: .utf8) == expected)
}

@Test func notMailExitsTwo() throws {
  let (status, _) = try run(["series", root + "/Package.swift"])
  #expect(status == 2)
}

@Test func aPatchThatDoesNotApplyExitsOne() throws {
  let dir = try Tools.makeTemporaryDirectory()
  defer { Tools.removeTemporaryDirectory(dir) }
  // An empty base: every modified file is missing.
  let (status, text) = try run([
    "series", root + "/Series/with-args/series.mbox", "--tree", dir, "--format", "json",
  ])
  #expect(status == 1)
  #expect(text.contains("\"applies\": false"))
  #expect(text.contains("apply.file-missing"))
}

/// `series` of every example, as JSON and as text, byte for byte as the snapshots recorded
/// before it read mail as a stream (`SeriesAssembler.read`): without a base, bodies and
/// diffs are dropped once scanned, and the report must not notice.
@Test(arguments: [
  "with-args", "call-ops", "direct-calls", "literal-call", "in-function-literal",
  "broken-bl-out-of-range", "broken-blr-into-bti-j", "broken-misaligned-literal",
  "broken-no-landing-pad", "broken-ret-as-jump", "broken-unsafe-swap",
])
func seriesOfEachExampleIsUnchanged(example: String) throws {
  let input = root + "/Series/\(example)/series.mbox"
  for (format, ext) in [("json", "json"), ("text", "txt")] {
    let (status, text) = try run(["series", input, "--format", format])
    #expect(status == 0)
    let portable = text.replacingOccurrences(of: root + "/", with: "")
    #expect(Snapshot.check(portable, named: "series-\(example)", extension: ext) == nil)
  }
}

/// The same over the mail readers' fixtures (mboxrd and mboxo, encodings, multipart, damage,
/// a maildir, a folder of patches, a single message, not mail at all), in one snapshot.
@Test func seriesOfTheMailFixturesIsUnchanged() throws {
  let fixtures = try FileManager.default.contentsOfDirectory(
    atPath: root + "/Tests/MailTests/Fixtures"
  ).filter { !$0.hasPrefix(".") }.sorted().map { "Tests/MailTests/Fixtures/" + $0 }
  let inputs =
    fixtures + [
      "Tests/PatchSeriesTests/Fixtures/unthreaded",
      "Tests/PatchsiteCLITests/Fixtures/sketch-reply.mbox",
    ]
  var all = ""
  for input in inputs {
    for format in ["json", "text"] {
      let (status, text) = try run(["series", root + "/" + input, "--format", format])
      all += "== \(input) --format \(format): exit \(status)\n"
      all += text.replacingOccurrences(of: root + "/", with: "")
    }
  }
  #expect(Snapshot.check(all, named: "series-fixtures", extension: "txt") == nil)
}
