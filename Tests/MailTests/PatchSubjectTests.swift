import Foundation
import TestSupport
import Testing

@testable import Mail

@Suite struct PatchSubjectTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var subject: String
    var reply = false
    var patch = true
    var rfc = false
    var resend = false
    var version = 1
    var index: Int? = nil
    var total: Int? = nil
    var title: String
    var tags: [String]? = nil
    var testDescription: String { subject }
  }

  static let cases: [Case] = [
    Case(
      subject: "[PATCH bpf-next v2 3/4] bpf: arm64: add trampoline", version: 2, index: 3, total: 4,
      title: "bpf: arm64: add trampoline", tags: ["PATCH", "bpf-next", "v2", "3/4"]),
    Case(
      subject: "[RFC PATCH -next v2 3/4] arm64/ftrace: x", rfc: true, version: 2, index: 3,
      total: 4,
      title: "arm64/ftrace: x", tags: ["RFC", "PATCH", "-next", "v2", "3/4"]),
    Case(
      subject: "[PATCH v6 0/5] arm64/ftrace: direct calls", version: 6, index: 0, total: 5,
      title: "arm64/ftrace: direct calls"),
    Case(subject: "[PATCHv2] arm64: one", version: 2, title: "arm64: one", tags: ["PATCHv2"]),
    Case(
      subject: "[PATCH RESEND v3 1/2] a: b", resend: true, version: 3, index: 1, total: 2,
      title: "a: b"),
    Case(subject: "[PATCH] x", title: "x", tags: ["PATCH"]),
    Case(
      subject: "Re: [PATCH v2 1/8] arm64: y", reply: true, version: 2, index: 1, total: 8,
      title: "arm64: y"),
    Case(
      subject: "[PATCH 1/2] [RFC] x", rfc: true, index: 1, total: 2, title: "x",
      tags: ["PATCH", "1/2", "RFC"]),
    Case(
      subject: "RE: Re: [PATCH V3 03/10] z", reply: true, version: 3, index: 3, total: 10,
      title: "z"),
    Case(subject: "AW: [PATCH] de", reply: true, title: "de"),
    Case(subject: "Aw: Fwd: [PATCH] de", reply: true, title: "de"),
    Case(
      subject: "Fwd: [PATCH v4 2/3] fw", reply: true, version: 4, index: 2, total: 3, title: "fw"),
    Case(subject: "Re[2]: [PATCH] counted", reply: true, title: "counted"),
    Case(subject: "[RFC] arm64: not a patch", patch: false, rfc: true, title: "arm64: not a patch"),
    Case(
      subject: "[GIT PULL] arm64 fixes", patch: false, title: "arm64 fixes", tags: ["GIT", "PULL"]),
    Case(subject: "arm64: plain subject", patch: false, title: "arm64: plain subject", tags: []),
    Case(
      subject: "Re: arm64: reply to plain", reply: true, patch: false,
      title: "arm64: reply to plain"),
    Case(subject: "[PATCH net-next v12 00/15] big", version: 12, index: 0, total: 15, title: "big"),
    Case(
      subject: "[PATCH 6.1.y] stable backport", title: "stable backport", tags: ["PATCH", "6.1.y"]),
    Case(subject: "[PATCH for-next] f", title: "f"),
    Case(
      subject: "  [PATCH  v2  2/2]   spaced   ", version: 2, index: 2, total: 2, title: "spaced"),
    Case(subject: "[PATCH RFC v5 4/7] r", rfc: true, version: 5, index: 4, total: 7, title: "r"),
    Case(subject: "[RFCv2 PATCH 1/1] r", rfc: true, version: 2, index: 1, total: 1, title: "r"),
    Case(subject: "[PATCH-v3 2/2] dash", version: 3, index: 2, total: 2, title: "dash"),
    Case(subject: "[PATCH] Revert \"arm64: x\"", title: "Revert \"arm64: x\""),
    Case(
      subject: "[PATCH] arm64: handle [bracketed] words", title: "arm64: handle [bracketed] words"),
    Case(subject: "[PATCH v2 1/2", patch: false, title: "[PATCH v2 1/2", tags: []),
    Case(subject: "", patch: false, title: "", tags: []),
    Case(subject: "[External] Re: [PATCH v2] tagged", reply: true, version: 2, title: "tagged"),
  ]

  @Test(arguments: cases)
  func parses(_ c: Case) {
    let s = PatchSubject.parse(c.subject)
    #expect(s.isReply == c.reply)
    #expect(s.isPatch == c.patch)
    #expect(s.isRFC == c.rfc)
    #expect(s.isResend == c.resend)
    #expect(s.version == c.version)
    #expect(s.index == c.index)
    #expect(s.total == c.total)
    #expect(s.title == c.title)
    #expect(PatchSubject.title(of: c.subject) == c.title)
    var numbers = s
    numbers.tags = []
    numbers.title = ""
    #expect(PatchSubject.numbers(of: c.subject) == numbers)
    #expect(s.isCover == (c.index == 0))
    if let tags = c.tags { #expect(s.tags == tags) }
  }
}

extension PatchSubjectTests {
  /// `git mailinfo` cleans subjects the way `git am` does (drops `Re:` and bracket groups);
  /// our `title` must agree wherever the reply prefix is one git knows (`Re:`).
  @Test func titleMatchesGitMailinfo() throws {
    guard let git = Tools.oracle("git") else { return }
    var compared = 0
    for c in PatchSubjectTests.cases
    where !["AW:", "Aw:", "Fwd:", "Re["].contains(where: { c.subject.contains($0) }) {
      let mail = "From: A <a@b>\nSubject: \(c.subject)\n\nbody\n"
      let r = try Tools.run(git, ["mailinfo", "/dev/null", "/dev/null"], stdin: Data(mail.utf8))
      let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("Subject: ") }
      let theirs = line.map { String($0.dropFirst("Subject: ".count)) } ?? ""
      #expect(PatchSubject.parse(c.subject).title == theirs, "\(c.subject)")
      compared += 1
    }
    #expect(compared > 20)
  }
}
