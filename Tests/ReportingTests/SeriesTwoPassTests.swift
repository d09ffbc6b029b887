import Diagnostics
import Foundation
import PatchSeries
import TestSupport
import Testing

@testable import Reporting

private let root = Tools.packageRoot()

/// `series --format json` on a large mbox reads it in two passes (`SeriesAssembler.stream`):
/// the grouping first, then each version's messages again by their offsets. The bytes must be
/// those of the one-pass report, diagnostics and unassigned replies included.
@Suite struct SeriesTwoPassTests {
  static func twoPass(_ path: String, chunk: Int) throws(InputError) -> [UInt8] {
    let stream = try SeriesAssembler.stream(path: path)
    var out: [UInt8] = []
    try SeriesReport.writeJSON(stream, chunk: chunk) { (bytes) throws(InputError) in out += bytes }
    return out
  }

  static func onePass(_ path: String) throws(InputError) -> [UInt8] {
    SeriesReport.json(try SeriesAssembler.read(path: path, keeping: .summaries)).renderedBytes()
  }

  @Test func everyMailFileOfTheProjectGivesTheSameReport() throws {
    var paths: [String] = []
    for folder in ["Series", "Tests"] {
      let base = root + "/" + folder
      let names = FileManager.default.enumerator(atPath: base)?.allObjects as? [String] ?? []
      paths += names.filter { n in [".mbox", ".eml", ".patch", ".txt"].contains { n.hasSuffix($0) }
      }
      .filter { !$0.contains("/Vectors/") }.sorted().map { base + "/" + $0 }
    }
    #expect(paths.count >= 20)
    for path in paths {
      let one: [UInt8]
      do throws(InputError) {
        one = try Self.onePass(path)
      } catch {
        // Input that cannot be read fails both ways, with the same error.
        #expect(throws: error) { _ = try Self.twoPass(path, chunk: 1 << 20) }
        continue
      }
      for chunk in [64, 1 << 20] {
        #expect(try Self.twoPass(path, chunk: chunk) == one, "\(path), chunk \(chunk)")
      }
    }
  }

  /// The cases the grouping decides alone: a duplicate and a missing patch, replies to the
  /// cover and to a patch with trailers, a reply whose parent is absent (unassigned), one
  /// named by its subject only, a quoted `>From ` line and CRLF line ends.
  @Test func theGroupingsCornersGiveTheSameReport() throws {
    func mail(_ n: Int, _ subject: String, id: String, replyTo: String? = nil, body: String)
      -> String
    {
      var m = "From x@y Mon Jan  1 00:00:00 2024\n"
      m += "From: Dev \(n) <dev\(n)@example.org>\nDate: Mon, 1 Jan 2024 00:00:\(10 + n) +0000\n"
      m += "Subject: \(subject)\nMessage-ID: <\(id)>\n"
      if let r = replyTo { m += "In-Reply-To: <\(r)>\nReferences: <\(r)>\n" }
      return m + "\n" + body + "\n"
    }
    let diff = """
      ---
       arch/arm64/kernel/ftrace.c | 1 +
      diff --git a/arch/arm64/kernel/ftrace.c b/arch/arm64/kernel/ftrace.c
      --- a/arch/arm64/kernel/ftrace.c
      +++ b/arch/arm64/kernel/ftrace.c
      @@ -1,2 +1,3 @@
       a
      +b
       c

      """
    var text = mail(
      1, "[PATCH v2 0/3] arm64: move the literal", id: "c@x",
      body: "cover\nbase-commit: 0123456789abcdef0123456789abcdef01234567")
    text += mail(
      2, "[PATCH v2 1/3] arm64: one", id: "p1@x", replyTo: "c@x",
      body: "one\n\nSigned-off-by: A <a@x>\n" + diff)
    text += mail(
      3, "[PATCH v2 1/3] arm64: one again", id: "p1b@x", replyTo: "c@x", body: "again\n" + diff)
    text += mail(
      4, "Re: [PATCH v2 1/3] arm64: one", id: "r1@x", replyTo: "p1@x",
      body: "> one\n>From here\nReviewed-by: R <r@x>")
    text += mail(
      5, "Re: [PATCH v2 0/3] arm64: move the literal", id: "r0@x", replyTo: "c@x",
      body: "Acked-by: M <m@x>")
    text += mail(6, "Re: something else", id: "o@x", replyTo: "absent@x", body: "an orphan")
    text += mail(
      7, "Re: [PATCH 2/2] arm64: other series", id: "s@x", replyTo: "gone@x",
      body: "Tested-by: T <t@x>")
    text += mail(8, "[PATCH] arm64: lone", id: "l@x", body: "lone\n" + diff)
    // A Message-ID used twice, and two replies that answer each other.
    text += mail(9, "Re: [PATCH v2 1/3] arm64: one", id: "p1@x", replyTo: "p1@x", body: "again")
    text += mail(10, "Re: loop", id: "a@x", replyTo: "b@x", body: "a")
    text += mail(11, "Re: loop", id: "b@x", replyTo: "a@x", body: "b")
    let dir = try Tools.makeTemporaryDirectory("two-pass")
    defer { Tools.removeTemporaryDirectory(dir) }
    for (name, content) in [
      ("lf", text), ("crlf", text.replacingOccurrences(of: "\n", with: "\r\n")),
    ] {
      let path = dir + "/\(name).mbox"
      try content.write(toFile: path, atomically: true, encoding: .utf8)
      let one = try Self.onePass(path)
      #expect(try Self.twoPass(path, chunk: 64) == one, "\(name)")
      // The corners are there: a version with a missing patch, an unassigned reply.
      let report = String(decoding: one, as: UTF8.self)
      #expect(report.contains("series.missing-patch"))
      #expect(report.contains("series.duplicate-patch"))
      #expect(report.contains("o@x"))
      #expect(report.contains("mail.duplicate-message-id"))
    }
  }

  @Test func aFileChangedBetweenThePassesIsAnError() throws {
    let dir = try Tools.makeTemporaryDirectory("two-pass-changed")
    defer { Tools.removeTemporaryDirectory(dir) }
    let path = dir + "/a.mbox"
    let one = "From x@y Mon Jan  1 00:00:00 2024\nSubject: [PATCH] a\nMessage-ID: <a@x>\n\ntext\n"
    try (one + one.replacingOccurrences(of: "a@x", with: "b@x")).write(
      toFile: path, atomically: true, encoding: .utf8)
    let stream = try SeriesAssembler.stream(path: path)
    #expect(stream.versionCount == 2)
    try String(repeating: "x", count: 40).write(toFile: path, atomically: false, encoding: .utf8)
    do {
      _ = try stream.version(1)
      Issue.record("a changed file was read as if unchanged")
    } catch {
      #expect(error.id == "mail.changed")
      #expect(error.location.file == path)
    }
  }

  @Test func onlyAnMboxFileIsReadInTwoPasses() throws {
    let dir = try Tools.makeTemporaryDirectory("two-pass-dir")
    defer { Tools.removeTemporaryDirectory(dir) }
    for path in ["-", dir] {
      do {
        _ = try SeriesAssembler.stream(path: path)
        Issue.record("\(path) was read in two passes")
      } catch {
        #expect(error.id == "unsupported")
      }
    }
  }
}
