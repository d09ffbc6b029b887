import Diagnostics
import Diff
import Foundation
import Mail
import TestSupport
import Testing

@testable import PatchSeries

private let root = Tools.packageRoot()

/// Every input the mail and series tests use, and the real archives when they are here.
private func inputs() throws -> [String] {
  let fm = FileManager.default
  var out = try fm.contentsOfDirectory(atPath: root + "/Series").sorted()
    .map { root + "/Series/\($0)/series.mbox" }.filter { fm.fileExists(atPath: $0) }
  out += try fm.contentsOfDirectory(atPath: root + "/Tests/MailTests/Fixtures").sorted()
    .filter { !$0.hasPrefix(".") && $0 != "not-mail.txt" }
    .map { root + "/Tests/MailTests/Fixtures/" + $0 }
  out += [
    root + "/Tests/PatchSeriesTests/Fixtures/unthreaded",
    root + "/Tests/PatchsiteCLITests/Fixtures/sketch-reply.mbox",
  ]
  let corpus = "/work/shared/corpus"
  if let names = try? fm.contentsOfDirectory(atPath: corpus) {
    out += names.filter { $0.hasSuffix(".mbox") }.sorted().map { corpus + "/" + $0 }
  }
  return out
}

/// All a series set holds, as text; bodies and diffs only when `full`.
private func describe(_ set: SeriesSet, full: Bool) -> String {
  var out: [String] = []
  func message(_ m: SeriesMessage) -> String {
    "\(m.subject) | \(m.messageID ?? "-") | \(m.author) | \(m.date ?? "-") | \(m.location)"
      + (full ? " | body \(m.body.hashValue)" : "")
  }
  func reply(_ r: ReplyRef) -> String {
    "reply \(r.subject) | \(r.messageID ?? "-") | \(r.author) | \(r.date ?? "-") | \(r.location)"
      + " | \(r.inReplyToIndex ?? -1)" + (full ? " | body \(r.body.hashValue)" : "")
  }
  for v in set.versions {
    out.append(
      "v\(v.version) \(v.title) \(v.tags) \(v.total ?? -1) \(v.missing) \(v.baseCommit ?? "-") "
        + "\(v.previous ?? -1) \(v.origin)")
    if let c = v.cover { out.append("cover " + message(c)) }
    out += v.replies.map(reply)
    for p in v.patches {
      out.append("patch \(p.index)/\(p.total) " + message(p.message))
      out += p.trailers.map { "trailer \($0.name): \($0.value) (\($0.givenIn ?? "-"))" }
      out += p.replies.map(reply)
      for f in p.files {
        let hunks = f.hunks.map {
          "@\($0.line) -\($0.oldStart),\($0.oldLines) +\($0.newStart),\($0.newLines)"
        }
        out.append(
          "file \(f.path) \(f.oldPath ?? "-") \(f.status) +\(f.added) -\(f.removed) \(f.kind) \(hunks)"
        )
      }
      if full { out.append("diff " + (p.diff.map { $0.description } ?? "none")) }
    }
  }
  out += set.unassigned.map(reply)
  out += set.diagnostics.map(\.description)
  return out.joined(separator: "\n")
}

extension UnifiedDiff {
  fileprivate var description: String {
    files.map { f in "\(f.path) \(f.hunks.map(\.line)) \(f.headers.map(\.line))" }.joined(
      separator: ";")
  }
}

/// Reading as a stream and keeping everything gives what reading whole gives.
@Test func readingAsAStreamGivesWhatReadingWholeGives() throws {
  for input in try inputs() {
    let mail = try MailInput.load(path: input)
    let whole = SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
    let streamed = try SeriesAssembler.read(path: input, keeping: .bodies)
    #expect(describe(streamed, full: true) == describe(whole, full: true), "\(input)")
    // Keeping less drops the bodies and the diffs, nothing else.
    let lean = try SeriesAssembler.read(path: input, keeping: .summaries)
    #expect(describe(lean, full: false) == describe(whole, full: false), "\(input)")
    #expect(lean.versions.allSatisfy { v in v.patches.allSatisfy { $0.diff == nil } })
    let diffs = try SeriesAssembler.read(path: input, keeping: .diffs)
    #expect(
      diffs.versions.flatMap(\.patches).map { $0.diff?.description }
        == whole.versions.flatMap(\.patches).map { $0.diff?.description }, "\(input)")
  }
}

/// Chunks of any size, read on one thread or several, give the same messages in order.
@Test func chunkSizeAndThreadsDoNotMatter() throws {
  for input in try inputs() where input.hasSuffix(".mbox") {
    let whole = try MailInput.load(path: input)
    for (chunk, parallel) in [(1 << 22, true), (997, true), (61, false), (4096, true)] {
      var ids: [String] = []
      var diagnostics: [Diagnostic] = []
      try MailStream.read(
        mbox: input, chunkSize: chunk, parallel: parallel,
        map: { m in
          "\(m.location) \(m.messageID ?? "-") \(m.subject ?? "-")"
        }
      ) { items, found, _ in
        ids += items
        diagnostics += found
      }
      #expect(
        ids == whole.messages.map { "\($0.location) \($0.messageID ?? "-") \($0.subject ?? "-")" },
        "\(input) in chunks of \(chunk)")
      #expect(diagnostics == whole.diagnostics, "\(input) in chunks of \(chunk)")
    }
  }
}

@Test func aStreamOfManySeriesIsReadOnSeveralThreadsAlike() throws {
  // Enough messages for several threads per chunk.
  var text = ""
  for s in 1...40 {
    for k in 0...3 {
      text += "From x@y Mon Jan  1 00:00:00 2024\nFrom: A <a@x>\n"
      text += "Subject: [PATCH v2 \(k)/3] series \(s)\nMessage-ID: <\(k)-\(s)@x>\n"
      if k > 0 { text += "In-Reply-To: <0-\(s)@x>\n" }
      text += "\nText.\n\nSigned-off-by: A <a@x>\n---\n"
      if k > 0 {
        text += "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
      } else {
        text += "base-commit: 0123456789abcdef\n"
      }
      text += "\n"
    }
  }
  let dir = try Tools.makeTemporaryDirectory()
  defer { Tools.removeTemporaryDirectory(dir) }
  let path = dir + "/many.mbox"
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  let mail = try MailInput.load(path: path)
  let whole = SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
  let streamed = try SeriesAssembler.read(path: path, keeping: .summaries)
  #expect(streamed.versions.count == 40)
  #expect(
    streamed.versions.allSatisfy { $0.missing.isEmpty && $0.baseCommit == "0123456789abcdef" })
  #expect(describe(streamed, full: false) == describe(whole, full: false))
}

@Test func baseCommitFromBytesIsBaseCommitFromText() {
  let bodies = [
    "base-commit: 0123456789abcdef\n",
    "x\nbase-commit:   abcdef0  \nmore\n",
    "base-commit: xyz\nbase-commit: 1234567\n",
    "a base-commit: 1234567\n",
    "base-commit:1234567",
    "base-commit: 123456\n",
    "base-commit: \(String(repeating: "a", count: 65))\nbase-commit: fedcba9\n",
    "base-commit:\u{A0}1234567\n",
    "base-commit: ００１２３４５６\n",
    "base-commit:\u{301} 1234567\n",
    "prefix-commit: 1234567\n\nbase-commit:\t89abcde\t\n",
    "base-commit: 1234567\r\n",
    "x\r\r\nbase-commit: 1234567\n",
    "no colon at all",
    ":::::base-commit: 1234567\n",
    "\n\nbase-commit: 1234567",
  ]
  for body in bodies {
    var text = body
    let fromBytes = text.withUTF8 { SeriesMail.baseCommit(in: $0) }
    #expect(fromBytes == SeriesMail.baseCommit(inText: body), "\(body.debugDescription)")
  }
}
