import Diagnostics
import Foundation
import Mail
import TestSupport
import Testing

@testable import PatchsiteCLI

private let root = Tools.packageRoot()
private let from = "Ida Reviewer <ida@example.org>"

/// `patchsite reply ARGS` with Date and Message-IDs fixed (SOURCE_DATE_EPOCH).
private func reply(_ args: [String]) throws -> (status: Int32, output: String) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1)
  return try runCapturing(["reply"] + args + ["--from", from])
}

private func messages(_ text: String) throws -> [Message] {
  try MailInput.parse(bytes: Array(text.utf8), name: "replies.mbox").messages
}

@Suite struct ReplyCommandTests {
  static let examples = ReviewCommandTests.examples

  /// Every example's replies: a snapshot, and read back with the project's mail reader, each
  /// threads under the message it answers, quotes it verbatim, and wraps at 72 columns.
  @Test(arguments: examples)
  func repliesToEveryExample(_ example: String) throws {
    let mbox = root + "/Series/\(example)/series.mbox"
    let (status, text) = try reply([mbox, "--tree", root + "/Series/base"])
    #expect(status == 0 || status == 1)
    #expect(Snapshot.check(text, named: "reply-\(example)", extension: "mbox") == nil)
    let input = try MailInput.load(path: mbox).messages
    let byID = Dictionary(
      input.compactMap { m in m.messageID.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
    for r in try messages(text) {
      let parent = try #require(r.inReplyTo.flatMap { byID[$0] }, "answers no input message")
      #expect(r.references.last == parent.messageID)
      #expect(
        Array(r.references.dropLast())
          == (parent.references.isEmpty ? parent.inReplyTo.map { [$0] } ?? [] : parent.references))
      #expect(r.subject == ReplyMessageSubject.expected(parent.subject ?? ""))
      #expect(!(r.subject ?? "").hasPrefix("Re: Re:"))
      let original = Set(parent.body.split(separator: "\n", omittingEmptySubsequences: false))
      for line in r.body.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("> ") {
          #expect(original.contains(line.dropFirst(2)), "not in the message: \(line)")
        } else {
          #expect(line.count <= 72, "longer than 72 columns: \(line)")
        }
      }
    }
  }

  @Test func reviewedByOnlyWithoutAnError() throws {
    // broken-no-landing-pad: its one patch has an error-level finding.
    let (status, text) = try reply([
      root + "/Series/broken-no-landing-pad/series.mbox", "--tree", root + "/Series/base",
      "--version", "1", "--patch", "1",
    ])
    #expect(status == 1)
    #expect(text.hasPrefix("From: Ida Reviewer <ida@example.org>\n"))
    #expect(!text.contains("Reviewed-by:"))
    // call-ops has warnings and notes only.
    let clean = try reply([
      root + "/Series/call-ops/series.mbox", "--tree", root + "/Series/base", "--version", "1",
      "--patch", "3",
    ])
    #expect(clean.status == 0)
    #expect(clean.output.contains("\nReviewed-by: Ida Reviewer <ida@example.org>\n"))
  }

  @Test func gitMailsplitAndMailinfoAcceptTheDrafts() throws {
    let dir = try Tools.makeTemporaryDirectory("reply-git")
    defer { Tools.removeTemporaryDirectory(dir) }
    let (_, mbox) = try reply([
      root + "/Series/broken-ret-as-jump/series.mbox", "--tree", root + "/Series/base",
    ])
    let count = try messages(mbox).count
    #expect(count >= 2)
    try mbox.write(toFile: dir + "/replies.mbox", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(
      atPath: dir + "/split", withIntermediateDirectories: true)
    let split = try Tools.run("git", ["mailsplit", "-o" + dir + "/split", dir + "/replies.mbox"])
    #expect(split.status == 0, "\(split.stderr)")
    #expect(split.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(count)")
    let (_, single) = try reply([
      root + "/Series/broken-ret-as-jump/series.mbox", "--tree", root + "/Series/base",
      "--version", "1", "--patch", "5",
    ])
    for (k, text) in [try String(contentsOfFile: dir + "/split/0001", encoding: .utf8), single]
      .enumerated()
    {
      let info = try Tools.run(
        "git", ["mailinfo", dir + "/msg\(k)", dir + "/patch\(k)"], stdin: Data(text.utf8))
      #expect(info.status == 0, "\(info.stderr)")
      #expect(info.stdout.contains("Author: "))
      #expect(info.stdout.contains("Subject: "))
      #expect(info.stdout.contains("Email: ida@example.org"))
    }
    // A single draft is one message (no mbox From line): git mailsplit -b takes it as such.
    try single.write(toFile: dir + "/one.eml", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: dir + "/one", withIntermediateDirectories: true)
    let one = try Tools.run("git", ["mailsplit", "-b", "-o" + dir + "/one", dir + "/one.eml"])
    #expect(one.status == 0, "\(one.stderr)")
  }

  /// A reply that sketches two states: each listing quoted (its literal line too) and
  /// answered, no Reviewed-by (it is not a patch), threaded under the sketch.
  @Test func answersAReplySketchingLayouts() throws {
    let fixture = root + "/Tests/PatchsiteCLITests/Fixtures/sketch-reply.mbox"
    let (status, text) = try reply([fixture, "--message-id", "sketch-1@example.com"])
    #expect(status == 0)
    #expect(text.contains("\n> \tfunc - 8:\t.quad\tftrace_nop_ops\n> \tfunc:\t\tmov\tx9, x30\n"))
    #expect(text.contains("> \t\t\tbl\tftrace_caller\n\nI could not find a problem"))
    #expect(!text.contains("Reviewed-by:"))
    #expect(text.contains("References: <post-0@example.net> <post-2@example.net>"))
    #expect(text.contains("Cc: Pat Poster <pat@example.net>, arm-list@example.org\n"))
  }

  @Test func anUnknownMessageIDIsBadInputNamingIt() throws {
    var command = try ReplyCommand.parseAsRoot([
      root + "/Series/call-ops/series.mbox", "--message-id", "<nowhere@example.org>", "--from",
      from,
    ])
    do {
      try command.run()
      Issue.record("an unknown Message-ID was answered")
    } catch let error as InputError {
      #expect(error.description.contains("<nowhere@example.org>"))
      #expect(error.id == "reply.unknown-message-id")
    }
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1)
    #expect(
      Patchsite.run([
        "reply", root + "/Series/call-ops/series.mbox", "--message-id", "nowhere@example.org",
        "--from", from,
      ]) == 2)
    #expect(
      Patchsite.run([
        "reply", root + "/Series/call-ops/series.mbox", "--version", "9", "--patch", "1",
        "--from", from,
      ]) == 2)
  }

  @Test func aMissingTemplateIsBadInput() throws {
    #expect(
      Patchsite.run([
        "reply", root + "/Series/call-ops/series.mbox", "--template", "no-such-template",
        "--from", from, "-o", "/dev/null",
      ]) == 2)
  }

  @Test func b4ReviewFilesInTheAgentLayout() throws {
    let repo = try ScratchRepository()
    defer { repo.remove() }
    try repo.write("README", "base\n")
    let head = try repo.commit("base")
    let (_, _) = try reply([
      root + "/Series/broken-ret-as-jump/series.mbox", "--tree", root + "/Series/base",
      "--b4-review", repo.path,
    ])
    let dir = repo.path + "/.git/b4-review/" + head
    let identity = try String(contentsOfFile: dir + "/identity.txt", encoding: .utf8)
    #expect(identity == from + "\n")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    let patches = files.filter { $0.count == 8 && $0.hasSuffix(".txt") && $0.first == "0" }
    #expect(!patches.isEmpty)
    for name in patches {
      let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      // A summary line, a blank line, then (after the note) the whole diff quoted.
      #expect(!lines[0].isEmpty && !lines[0].hasPrefix(">"))
      #expect(lines[1].isEmpty)
      let diff = try #require(lines.firstIndex { $0.hasPrefix("> diff --git ") })
      #expect(!lines[..<diff].contains { $0.hasPrefix(">") })
    }
  }
}

/// The subject a reply to `subject` must have.
enum ReplyMessageSubject {
  static func expected(_ subject: String) -> String {
    var s = Substring(subject)
    while s.lowercased().hasPrefix("re:") { s = s.dropFirst(3).drop { $0 == " " } }
    return "Re: " + s
  }
}
