import Diagnostics
import Foundation
import Mail
import PatchSeries
import TestSupport
import Testing

@testable import Pipeline

@Suite struct ArchiveScanTests {
  /// The series of the fixture archive a scan must find, whatever order it reads it in.
  static func expectFixtureSeries(_ r: ScanResult) {
    #expect(
      r.series.map(\.subject) == [
        "[PATCH] arm64: ftrace: an encoded patch", "[PATCH 0/2] arm64: ftrace: scan fixture",
      ])
    let fixture = r.series.last
    #expect(fixture?.messageID == "c1@example.org")
    #expect(fixture?.versions.map(\.version) == [1, 2])
    #expect(fixture?.versions.map(\.messageID) == ["c1@example.org", "c2@example.org"])
    #expect(fixture?.versions.map(\.patches) == [2, 1])
    #expect(
      fixture?.versions.map(\.watchedFiles) == [
        ["arch/arm64/kernel/entry-ftrace.S"], ["arch/arm64/lib/insn.c"],
      ])
    // The replies to v1's first patch (the second answers the first) came along.
    let replies = fixture?.versions.first?.replies
    #expect(replies == ["r1@example.org", "r2@example.org"])
    #expect(r.series.first?.versions.first?.watchedFiles == ["arch/arm64/kernel/ftrace.c"])
    // Kept: the encoded patch, v1's cover, patches and the two replies, v2's cover and patch.
    #expect(r.kept == 8)
  }

  @Test func mboxMixingSeriesUnrelatedPatchesAndReplies() throws {
    let dir = try Tools.makeTemporaryDirectory("patchsite-scan")
    defer { Tools.removeTemporaryDirectory(dir) }
    let path = dir + "/list.mbox"
    try Data(ScanArchive.mbox.utf8).write(to: URL(fileURLWithPath: path))
    // Small chunks: messages are cut across reads.
    var request = ScanRequest(archives: [path])
    request.chunkSize = 97
    let r = try ArchiveScan.run(request)
    Self.expectFixtureSeries(r)
    #expect(r.messages == ScanArchive.messages.count + 1)
    #expect(r.bytes == ScanArchive.mbox.utf8.count)
    // The damaged messages are skipped with a diagnostic, never a crash.
    let ids = Set(r.diagnostics.map(\.id.rawValue))
    #expect(ids.contains("mail.truncated"), "\(ids)")
    #expect(ids.contains("mail.bad-base64") || ids.contains("mail.no-headers"), "\(ids)")
  }

  /// A reply that comes before the reply it answers (archives are not always in order) is
  /// still kept: a further round of the second pass finds it.
  @Test func aReplyBeforeWhatItAnswersIsKept() throws {
    let dir = try Tools.makeTemporaryDirectory("patchsite-scan")
    defer { Tools.removeTemporaryDirectory(dir) }
    var messages = ScanArchive.messages
    let r1 = try #require(messages.firstIndex { $0.id == "r1@example.org" })
    let r2 = try #require(messages.firstIndex { $0.id == "r2@example.org" })
    messages.swapAt(r1, r2)
    let mbox = messages.map { "From mboxrd@z Thu Jan  1 00:00:00 1970\n" + $0.text + "\n" }.joined()
    let path = dir + "/reordered.mbox"
    try Data(mbox.utf8).write(to: URL(fileURLWithPath: path))
    let r = try ArchiveScan.run(ScanRequest(archives: [path]))
    #expect(r.kept == 8)
  }

  @Test func aBloomFilterNeverForgets() {
    var f = BloomFilter(bits: 1 << 12)
    let words = (0..<300).map { "m\($0)@example.org" }
    for w in words { f.insert(w) }
    #expect(words.allSatisfy { f.contains($0) })
    let strangers = (0..<1000).filter { f.contains("x\($0)@example.net") }.count
    #expect(strangers < 100)
    f.removeAll()
    #expect(!f.contains(words[0]))
  }

  @Test func maildirGivesTheSameSeries() throws {
    let dir = try Tools.makeTemporaryDirectory("patchsite-scan")
    defer { Tools.removeTemporaryDirectory(dir) }
    try ScanArchive.writeMaildir(dir + "/md")
    let r = try ArchiveScan.run(ScanRequest(archives: [dir + "/md"]))
    Self.expectFixtureSeries(r)
    #expect(r.messages == ScanArchive.messages.count - 1, "the file that is no mail is skipped")
    #expect(r.diagnostics.contains { $0.id.rawValue == "mail.not-mail" })
  }

  /// A public-inbox v2 epoch: one commit per message, the message as the blob `m`; a deletion
  /// (`d`) in between is passed over.
  @Test func publicInboxRepository() throws {
    let repo = try ScratchRepository()
    defer { repo.remove() }
    for (k, m) in ScanArchive.messages.enumerated() {
      try repo.write("m", m.text)
      try repo.commit(m.id ?? "no id \(k)")
      if k == 4 {
        try repo.git(["rm", "-q", "m"])
        try repo.write("d", "n1@example.org\n")
        try repo.commit("delete")
        try repo.git(["rm", "-q", "d"])
      }
    }
    let r = try ArchiveScan.run(ScanRequest(archives: [repo.path]))
    Self.expectFixtureSeries(r)
    #expect(r.messages == ScanArchive.messages.count - 1, "the blob that is no mail is skipped")
    #expect(r.diagnostics.contains { $0.id.rawValue == "mail.not-mail" })
    // Messages are named by the repository and commit they came from.
    let first = r.series.first?.versions.first?.location?.file
    #expect(first?.hasPrefix(repo.path + "@") == true)
    // An inbox folder holding git/0.git is read through its epochs.
    let inbox = repo.root + "/inbox"
    try FileManager.default.createDirectory(
      atPath: inbox + "/git", withIntermediateDirectories: true)
    try repo.git(["clone", "-q", "--bare", repo.path, inbox + "/git/0.git"], cwd: repo.root)
    let viaInbox = try ArchiveScan.run(ScanRequest(archives: [inbox]))
    Self.expectFixtureSeries(viaInbox)
  }

  @Test func aRepositoryWithoutMessagesIsUnsupported() throws {
    let repo = try ScratchRepository()
    defer { repo.remove() }
    try repo.write("a/b", "not a message\n")
    try repo.commit("v1-style")
    #expect {
      try ArchiveScan.run(ScanRequest(archives: [repo.path]))
    } throws: { e in
      (e as? InputError).map { $0.reason.hasPrefix("unsupported:") } ?? false
    }
  }

  @Test func sinceSkipsOlderMessages() throws {
    let dir = try Tools.makeTemporaryDirectory("patchsite-scan")
    defer { Tools.removeTemporaryDirectory(dir) }
    let path = dir + "/list.mbox"
    try Data(ScanArchive.mbox.utf8).write(to: URL(fileURLWithPath: path))
    let since = MailDate(
      year: 2024, month: 4, day: 1, hour: 0, minute: 0, second: 0, offsetMinutes: 0)
    let r = try ArchiveScan.run(ScanRequest(archives: [path], since: since))
    #expect(r.series.map(\.subject) == ["[PATCH v2 0/1] arm64: ftrace: scan fixture"])
    #expect(r.series.first?.versions.map(\.version) == [2])
    // Nine dated messages before April (the one without headers has no date).
    #expect(r.skipped == 9)
  }

  @Test func stdinAndMissingArchivesAreInputErrors() {
    #expect(throws: InputError.self) { try ArchiveScan.run(ScanRequest(archives: ["-"])) }
    #expect(throws: InputError.self) {
      try ArchiveScan.run(ScanRequest(archives: ["/nonexistent/list.mbox"]))
    }
  }

  /// Paths that shape the callsite, and a body's diff headers read from bytes.
  @Test func watchedPaths() {
    for p in [
      "arch/arm64/Makefile", "arch/arm64/Kconfig", "arch/arm64/kernel/entry-ftrace.S",
      "arch/arm64/kernel/ftrace.c", "arch/arm64/include/asm/ftrace.h", "arch/arm64/lib/insn.c",
      "arch/arm64/kernel/insn.c", "arch/arm64/include/asm/insn-def.h",
      "arch/arm64/kernel/patching.c", "arch/arm64/kernel/module-plts.c",
      "arch/arm64/kernel/stacktrace.c",
    ] {
      #expect(PatchSitePaths.isWatched(p), "\(p)")
    }
    for p in [
      "arch/arm64/boot/dts/Makefile", "arch/arm64/mm/fault.c", "kernel/trace/ftrace.c",
      "arch/x86/kernel/ftrace.c", "Makefile",
    ] {
      #expect(!PatchSitePaths.isWatched(p), "\(p)")
    }
    let body = """
      Text about arch/arm64/kernel/ftrace.c in prose is not a header.
      > +++ b/arch/arm64/Makefile
      diff --git a/arch/arm64/kernel/module-plts.c b/arch/arm64/kernel/module-plts.c
      --- a/arch/arm64/kernel/module-plts.c\t2024-01-01
      +++ b/arch/arm64/kernel/module-plts.c\r
      diff --git a/drivers/x.c b/drivers/x.c
      --- /dev/null
      +++ b/arch/arm64/kernel/stacktrace.c
      """
    #expect(
      PatchSitePaths.touched(inBody: Array(body.utf8)) == [
        "arch/arm64/kernel/module-plts.c", "arch/arm64/kernel/stacktrace.c",
      ])
    #expect(PatchSitePaths.touched(inBody: Array("arm64 6 4/ arch/arm6".utf8)).isEmpty)
  }
}
