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
