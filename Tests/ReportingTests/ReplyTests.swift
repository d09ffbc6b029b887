import Diagnostics
import Foundation
import Mail
import TestSupport
import Testing

@testable import Pipeline
@testable import Reporting

/// One message, read with the project's own reader.
private func message(_ text: String) throws -> Message {
  let mail = try MailInput.parse(bytes: Array(text.utf8), name: "fixture.eml")
  return try #require(mail.messages.first)
}

private let emptyReport = ReviewReport(series: nil, units: [], comparisons: [], diagnostics: [])

private let reviewer = Mailbox(name: "Ida Reviewer", address: "ida@example.org")

private func envelope() -> ReplyMessage.Envelope {
  ReplyMessage.Envelope(
    from: reviewer, date: ReplyDates.utc(epoch: 1_700_000_000), messageID: "fresh.1@example.org")
}

private func reply(to m: Message) throws -> ReplyMessage {
  try ReplyMessage.compose(
    ReplyPlan.make(for: m, report: emptyReport), envelope: envelope(), signOff: false,
    templates: TemplateSet.standard(environment: nil))
}

/// The header block of a rendered message, as lines.
private func headerLines(_ rendered: String) -> [Substring] {
  let head = rendered.components(separatedBy: "\n\n").first ?? ""
  return head.split(separator: "\n")
}

@Suite struct ReplyTests {
  static let plain = """
    From: Kim Author <kim@example.net>
    To: Lee List <list@example.org>
    Cc: Max Maintainer <max@example.com>, Ida Reviewer <ida@example.org>
    Subject: Re: [PATCH v2 1/2] arm64: ftrace: keep the literal aligned
    Date: Tue, 05 Mar 2024 10:00:00 +0100
    Message-ID: <m3@example.net>
    In-Reply-To: <m2@example.net>
    References: <m1@example.net> <m2@example.net>

    Some text.

    """

  @Test func threadingHeadersAndRecipients() throws {
    let r = try reply(to: message(Self.plain))
    let m = try message(r.rendered)
    #expect(m.subject == "Re: [PATCH v2 1/2] arm64: ftrace: keep the literal aligned")
    #expect(m.inReplyTo == "m3@example.net")
    #expect(m.references == ["m1@example.net", "m2@example.net", "m3@example.net"])
    #expect(m.messageID == "fresh.1@example.org")
    #expect(m.to.map(\.address) == ["kim@example.net"])
    // The reviewer does not Cc themself.
    #expect(m.cc.map(\.address) == ["list@example.org", "max@example.com"])
    #expect(m.header("Content-Type") == "text/plain; charset=utf-8")
    #expect(m.header("MIME-Version") == "1.0")
    #expect(m.header("Date") == "Tue, 14 Nov 2023 22:13:20 +0000")
    #expect(m.body.hasPrefix("On Tue, Mar 05, 2024 at 10:00:00AM +0100, Kim Author wrote:\n"))
  }

  @Test func subjectNeverGetsASecondRe() {
    #expect(ReplyMessage.replySubject("[PATCH] x") == "Re: [PATCH] x")
    #expect(ReplyMessage.replySubject("Re: [PATCH] x") == "Re: [PATCH] x")
    #expect(ReplyMessage.replySubject("RE: re:  Re: x") == "Re: x")
    #expect(ReplyMessage.replySubject("AW: Re: x") == "Re: x")
  }

  /// CR and LF reach a header value through RFC 2047 (a decoded name or subject may hold
  /// them): they must never start a header of their own.
  @Test func headerInjectionThroughNameAndSubject() throws {
    let evil = """
      From: =?UTF-8?Q?Eve=0D=0ABcc:_victim@example.com=0D=0A?= <eve@example.net>
      To: list@example.org
      Subject: =?UTF-8?Q?fix=0D=0ABcc:_all@example.com=0AX-Evil:_1?=
      Date: Tue, 05 Mar 2024 10:00:00 +0100
      Message-ID: <evil@example.net>

      Body.

      """
    let m = try message(evil)
    // The reader decodes the CR/LF: the test is real.
    #expect(m.subject?.contains("\n") == true || m.subject?.contains("\r") == true)
    let r = try reply(to: m)
    let lines = headerLines(r.rendered)
    for l in lines {
      #expect(l.first == " " || l.first == "\t" || l.contains(": "), "not a header line: \(l)")
      #expect(!l.hasPrefix("Bcc") && !l.hasPrefix("X-Evil"), "injected: \(l)")
      #expect(!l.contains("\r"))
    }
    let back = try message(r.rendered)
    #expect(back.headers(named: "Bcc").isEmpty)
    #expect(back.headers(named: "X-Evil").isEmpty)
    #expect(back.subject == "Re: fix Bcc: all@example.com X-Evil: 1")
    #expect(back.to.first?.name == "Eve Bcc: victim@example.com")
    #expect(back.to.first?.address == "eve@example.net")
  }

  @Test func nonASCIIHeaderValuesAreEncodedWords() throws {
    let m = try message(
      """
      From: =?UTF-8?B?SsO2cmcgUsO2ZGVs?= <joerg@example.net>
      To: list@example.org
      Subject: =?UTF-8?Q?arm64:_ftrace:_=C3=BCber_alles_?=
      Date: Tue, 05 Mar 2024 10:00:00 +0100
      Message-ID: <u@example.net>

      Body.

      """)
    let r = try reply(to: m)
    #expect(r.rendered.split(separator: "\n\n")[0].utf8.allSatisfy { $0 < 0x80 })
    let back = try message(r.rendered)
    #expect(back.subject == "Re: arm64: ftrace: über alles")
    #expect(back.to.first?.name == "Jörg Rödel")
  }

  @Test func longHeadersFoldAndEncodedWordsStayShort() {
    let long = String(repeating: "ü", count: 60)
    let words = MailHeaderWriter.encodedWords(long).split(separator: " ")
    #expect(words.count > 1)
    for w in words { #expect(w.count <= 75) }
    let field = MailHeaderWriter.field("Subject", MailHeaderWriter.text(long))
    for l in field.split(separator: "\n") { #expect(l.count <= 78) }
  }

  @Test func wrappingKeepsSeventyTwoColumns() {
    let text = String(repeating: "word ", count: 40) + String(repeating: "x", count: 100)
    for l in ReplyText.wrap(text) { #expect(l.count <= 72) }
    #expect(ReplyText.sentence("state far: a BL") == "In state far, a BL.")
    #expect(ReplyText.sentence("the literal is off") == "The literal is off.")
  }

  @Test func reviewedByOnlyWithoutAnError() throws {
    let m = try message(Self.plain)
    let plan = ReplyPlan.make(for: m, report: emptyReport)
    var patchPlan = plan
    patchPlan.label = "v2 1/2"
    let clean = ReplyComposer.model(patchPlan, reviewer: reviewer, signOff: true)
    #expect(clean.reviewedBy == "Ida Reviewer <ida@example.org>")
    #expect(clean.signOff == "Ida Reviewer")
    // A message that is not a patch (a reply) gets no tag at all.
    #expect(ReplyComposer.model(plan, reviewer: reviewer, signOff: false).reviewedBy == nil)
  }

  // MARK: Templates

  @Test func aUserTemplateRendersAReplyAndAReport() throws {
    let dir = try Tools.makeTemporaryDirectory("templates")
    defer { Tools.removeTemporaryDirectory(dir) }
    try """
    {{% CONTENT_TYPE: TEXT }}
    Dear {{author}},
    {{#sections}}{{#quote}}{{.}}
    {{/quote}}{{/sections}}{{> sig}}
    """.write(toFile: dir + "/mine.mustache", atomically: true, encoding: .utf8)
    try "{{% CONTENT_TYPE: TEXT }}\n-- <{{messageId}}> & more\n".write(
      toFile: dir + "/sig.mustache", atomically: true, encoding: .utf8)
    let t = try TemplateSet.standard(explicit: dir, environment: nil)
    let plan = ReplyPlan.make(for: try message(Self.plain), report: emptyReport)
    let r = try ReplyMessage.compose(
      plan, envelope: envelope(), signOff: false, templates: t, template: "mine")
    // No HTML escaping in the template nor in its partial.
    #expect(r.body == "Dear Kim Author <kim@example.net>,\n-- <m3@example.net> & more\n")
    // The folder overrides by name; the others still come from Templates/.
    #expect(t.has("reply") && t.has("review-text"))
    #expect(t.files["mine"] == dir + "/mine.mustache")
  }

  @Test func aMissingTemplateNamesTheFile() throws {
    let dir = try Tools.makeTemporaryDirectory("templates")
    defer { Tools.removeTemporaryDirectory(dir) }
    let t = try TemplateSet.load(path: [dir])
    #expect(throws: InputError.self) { try t.render("nowhere", 0) }
    do {
      _ = try t.render("nowhere", 0)
    } catch {
      #expect(error.location.file == dir + "/nowhere.mustache")
      #expect(error.description.contains("no template `nowhere`"))
    }
    // A partial that is nowhere: the file and line that name it.
    try "{{% CONTENT_TYPE: TEXT }}\nline\n{{> absent}}\n".write(
      toFile: dir + "/uses.mustache", atomically: true, encoding: .utf8)
    do {
      _ = try TemplateSet.load(path: [dir])
      Issue.record("a missing partial loaded")
    } catch {
      #expect(error.location == SourceLocation(file: dir + "/uses.mustache", line: 3))
      #expect(error.reason.contains("`absent`"))
    }
  }

  @Test func aBrokenTemplateNamesTheFileAndLine() throws {
    let dir = try Tools.makeTemporaryDirectory("templates")
    defer { Tools.removeTemporaryDirectory(dir) }
    try "{{% CONTENT_TYPE: TEXT }}\nfine\n{{#open}}\nnever closed\n".write(
      toFile: dir + "/broken.mustache", atomically: true, encoding: .utf8)
    do {
      _ = try TemplateSet.load(path: [dir])
      Issue.record("a broken template loaded")
    } catch {
      #expect(error.location.file == dir + "/broken.mustache")
      #expect(error.location.line >= 3)
      #expect(error.id == "template.broken")
    }
    try "no pragma\n".write(toFile: dir + "/broken.mustache", atomically: true, encoding: .utf8)
    do {
      _ = try TemplateSet.load(path: [dir])
      Issue.record("a template without the pragma loaded")
    } catch {
      #expect(error.location == SourceLocation(file: dir + "/broken.mustache", line: 1))
      #expect(error.reason.contains("CONTENT_TYPE: TEXT"))
    }
  }

  @Test func everyShippedTemplateStartsWithThePragma() throws {
    let t = try TemplateSet.standard(environment: nil)
    #expect(t.files.count >= 6)
    for (_, file) in t.files {
      let text = try String(contentsOfFile: file, encoding: .utf8)
      #expect(text.hasPrefix(TemplateSet.pragma + "\n"), "\(file)")
    }
  }
}
