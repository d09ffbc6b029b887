import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import PatchSeries
@testable import Reporting

/// Two passes with a tiny memory budget (`SpillBudget`): the per-message state, the Message-ID
/// index and the diagnostics go to temporary files almost at once, and the report must still
/// be the one-pass report byte for byte, replies that come late or answer other replies
/// included.
@Suite struct SeriesSpillTests {
  static func twoPass(_ path: String, budget: SpillBudget) throws(InputError) -> (
    [UInt8], spilled: Bool
  ) {
    let stream = try SeriesAssembler.stream(path: path, spillingBeyond: budget)
    var out: [UInt8] = []
    try SeriesReport.writeJSON(stream, chunk: 256) { (bytes) throws(InputError) in out += bytes }
    return (out, stream.spilled)
  }

  /// An archive of `series` series, each a cover letter and three patches, and replies: some
  /// right after their version, some at the end of the file (to the first patch of the first
  /// series, to a cover), chains of replies to replies, a reply found only by its References,
  /// a reply before the message it answers, a patch without a cover, a duplicate patch and
  /// an orphan.
  static func archive(series: Int) -> String {
    var text = ""
    var n = 0
    func mail(
      _ subject: String, id: String, inReplyTo: String? = nil, references: [String] = [],
      body: String
    ) {
      n += 1
      text += "From x@y Mon Jan  1 00:00:00 2024\n"
      text += "From: Dev \(n % 7) <dev\(n % 7)@example.org>\n"
      text += "Date: Mon, 1 Jan 2024 00:\(10 + n % 50):00 +0000\n"
      text += "Subject: \(subject)\nMessage-ID: <\(id)>\n"
      if let r = inReplyTo { text += "In-Reply-To: <\(r)>\n" }
      if !references.isEmpty {
        text += "References: " + references.map { "<\($0)>" }.joined(separator: " ") + "\n"
      }
      text += "\n" + body + "\n\n"
    }
    func diff(_ k: Int) -> String {
      """
      ---
       arch/arm64/kernel/ftrace\(k).c | 1 +
      diff --git a/arch/arm64/kernel/ftrace\(k).c b/arch/arm64/kernel/ftrace\(k).c
      --- a/arch/arm64/kernel/ftrace\(k).c
      +++ b/arch/arm64/kernel/ftrace\(k).c
      @@ -1,2 +1,3 @@
       a
      +b
       c
      """
    }
    // A reply that comes before the message it answers.
    mail(
      "Re: [PATCH 2/3] arm64: series 1 part 2", id: "early@x", inReplyTo: "s1-p2@x",
      body: "Acked-by: E <e@x>")
    for s in 1...series {
      let v = s % 3 == 0 ? "v2 " : ""
      let cover = "s\(s)-c@x"
      let withCover = s % 5 != 4
      if withCover {
        mail(
          "[PATCH \(v)0/3] arm64: series \(s)", id: cover,
          body: "cover \(s)\nbase-commit: 0123456789abcdef0123456789abcdef0123456\(s % 10)")
      }
      for k in 1...3 {
        mail(
          "[PATCH \(v)\(k)/3] arm64: series \(s) part \(k)", id: "s\(s)-p\(k)@x",
          inReplyTo: withCover ? cover : (k > 1 ? "s\(s)-p1@x" : nil),
          references: withCover ? [cover] : [],
          body: "part \(k)\n\nSigned-off-by: A <a@x>\n" + diff(k))
      }
      if s % 4 == 1 {
        // A duplicate patch.
        mail(
          "[PATCH \(v)2/3] arm64: series \(s) part 2 again", id: "s\(s)-p2b@x", inReplyTo: cover,
          references: [cover], body: "again\n" + diff(2))
      }
      mail(
        "Re: [PATCH \(v)1/3] arm64: series \(s) part 1", id: "s\(s)-r1@x", inReplyTo: "s\(s)-p1@x",
        references: [cover, "s\(s)-p1@x"], body: "> part 1\nReviewed-by: R\(s % 3) <r@x>")
      // A chain: a reply to the reply, then one to that found by its References only.
      mail(
        "Re: [PATCH \(v)1/3] arm64: series \(s) part 1", id: "s\(s)-r2@x", inReplyTo: "s\(s)-r1@x",
        references: [cover, "s\(s)-p1@x", "s\(s)-r1@x"], body: "Tested-by: T <t@x>")
      mail(
        "Re: [PATCH \(v)1/3] arm64: series \(s) part 1", id: "s\(s)-r3@x",
        references: [cover, "s\(s)-p1@x", "s\(s)-r1@x", "s\(s)-r2@x"], body: "Acked-by: C <c@x>")
    }
    // Late replies: to the first patch and the cover of the first series, a chain under them,
    // one whose patch never came, and an orphan.
    mail(
      "Re: [PATCH 1/3] arm64: series 1 part 1", id: "late1@x", inReplyTo: "s1-p1@x",
      body: "Reviewed-by: Late <l@x>")
    mail(
      "Re: [PATCH 1/3] arm64: series 1 part 1", id: "late2@x", inReplyTo: "late1@x",
      references: ["s1-c@x", "s1-p1@x", "late1@x"], body: "Tested-by: Later <l2@x>")
    mail(
      "Re: [PATCH 0/3] arm64: series 1", id: "late3@x", inReplyTo: "s1-c@x",
      body: "Acked-by: Cover <c@x>")
    mail(
      "Re: [PATCH 0/3] arm64: series 1", id: "late4@x", inReplyTo: "late3@x",
      body: "Reviewed-by: Chain <ch@x>")
    mail(
      "Re: [PATCH 3/3] arm64: series 2 part 3", id: "late5@x", inReplyTo: "s2-p3@x",
      references: ["s2-c@x", "s2-p3@x"], body: "Reviewed-by: Three <t3@x>")
    mail(
      "Re: [PATCH v9 2/2] arm64: gone", id: "late6@x", inReplyTo: "gone@x",
      body: "Reviewed-by: G <g@x>")
    mail("Re: nothing", id: "late7@x", inReplyTo: "absent@x", body: "an orphan")
    return text
  }

  @Test func aTinyBudgetGivesTheSameReport() throws {
    let dir = try Tools.makeTemporaryDirectory("series-spill")
    defer { Tools.removeTemporaryDirectory(dir) }
    let path = dir + "/archive.mbox"
    try Self.archive(series: 60).write(toFile: path, atomically: true, encoding: .utf8)
    let one = SeriesReport.json(try SeriesAssembler.read(path: path, keeping: .summaries))
      .renderedBytes()
    let report = String(decoding: one, as: UTF8.self)
    // The cases are there: the late reviews reached the first patch, the chain and the reply
    // found by References too, and the early one its patch.
    for needle in [
      "Late <l@x>", "Later <l2@x>", "Chain <ch@x>", "Cover <c@x>", "Three <t3@x>",
      "C <c@x>", "E <e@x>", "series.duplicate-patch", "series.orphan-reply", "late6@x",
    ] {
      #expect(report.contains(needle), "\(needle)")
    }
    let (whole, spilledWhole) = try Self.twoPass(path, budget: .standard)
    #expect(whole == one)
    #expect(!spilledWhole)
    for budget in [
      SpillBudget(bytes: 64, pageBytes: 16), SpillBudget(bytes: 512, pageBytes: 64),
      SpillBudget(bytes: 4096, pageBytes: 256),
    ] {
      let (bytes, spilled) = try Self.twoPass(path, budget: budget)
      #expect(spilled, "\(budget)")
      #expect(bytes == one, "\(budget)")
    }
  }

  @Test func theIDIndexKeepsTheFirstMessageOfEachKeyAcrossGrowingAndSpilling() {
    // Sized for 10 keys, given 5,000 (so it doubles several times), in 64-byte pages of which
    // it keeps two.
    var index = PagedIDIndex(SpillBudget(bytes: 128, pageBytes: 64), expected: 10)
    let keys = (0..<5000).map { ($0 &* 0x1E37_79B9_7F4A_7C15) ^ ($0 << 7) }
    for (k, key) in keys.enumerated() { #expect(index.insert(key, k) == nil) }
    // Again: each gives the first message.
    for (k, key) in keys.enumerated() where k % 7 == 0 { #expect(index.insert(key, k + 9000) == k) }
    for (k, key) in keys.enumerated() { #expect(index.first(key) == k) }
    #expect(index.first(12345) == nil || keys.contains(12345))
    #expect(index.count == 5000)
    #expect(index.failure == nil)
  }

  @Test func aTemporaryFileThatCannotBeMadeIsAnError() throws {
    let dir = try Tools.makeTemporaryDirectory("series-spill-fail")
    defer { Tools.removeTemporaryDirectory(dir) }
    let path = dir + "/archive.mbox"
    try Self.archive(series: 10).write(toFile: path, atomically: true, encoding: .utf8)
    let budget = SpillBudget(bytes: 64, pageBytes: 16, folder: dir + "/absent")
    do {
      _ = try Self.twoPass(path, budget: budget)
      Issue.record("a budget that spills into a missing folder read as if it fitted")
    } catch {
      #expect(error.id == "series.spill")
    }
  }

  @Test func pagedRecordsReadBackWhatWasWritten() {
    let store = PagedRecords<Int>(SpillBudget(bytes: 48, pageBytes: 16))
    for k in 0..<1000 { store.append(k * 7) }
    store.grow(by: 24)
    for k in stride(from: 999, through: 0, by: -3) { store[k] += 1 }
    #expect(store.spilled)
    #expect(store.count == 1024)
    for k in 0..<1000 { #expect(store[k] == k * 7 + (k % 3 == 0 ? 1 : 0), "\(k)") }
    for k in 1000..<1024 { #expect(store[k] == 0) }
    var some: [Int] = []
    store.copy(from: 5, count: 20, into: &some)
    #expect(some == (5..<25).map { $0 * 7 + ($0 % 3 == 0 ? 1 : 0) })
    #expect(store.failure == nil)
  }
}
