import Diagnostics
import TestSupport
import Testing

@testable import Mail

@Suite struct MessageTests {
  func one(_ file: String) throws -> (Message, [Diagnostic]) {
    let c = try MailInput.load(path: Fixture.path(file))
    let m = try #require(c.messages.first)
    #expect(c.messages.count == 1)
    return (m, c.diagnostics)
  }

  @Test func mboxrdUnquotesOneLevel() throws {
    let c = try MailInput.load(path: Fixture.path("mboxrd.mbox"))
    #expect(c.messages.count == 2)
    #expect(c.diagnostics.isEmpty)
    let body = try #require(c.messages.first).body
    #expect(body.contains("\nFrom here on, the body quotes a separator once.\n"))
    #expect(body.contains("\n>From here, twice (mboxrd removes one).\n"))
    #expect(body.contains("\n>>From three becomes two.\n"))
    // The exact bytes are kept, still quoted.
    #expect(c.messages[0].raw.bytes.count > body.utf8.count)
  }

  @Test func mboxoUnquotesOnlySingleQuote() throws {
    let rd = try MailInput.load(path: Fixture.path("mboxo.mbox"), quoting: .mboxo)
    let body = try #require(rd.messages.first).body
    #expect(body.contains("\nFrom here on, the body quotes a separator once.\n"))
    #expect(body.contains("\n>>From stays as written in mboxo.\n"))
  }

  @Test func headersAndConvenience() throws {
    let c = try MailInput.load(path: Fixture.path("mboxrd.mbox"))
    let m = c.messages[1]
    #expect(m.location == SourceLocation(file: Fixture.path("mboxrd.mbox"), line: 29))
    #expect(m.subject == "[PATCH v2 2/2] arm64: ftrace: second step")
    #expect(m.from == Mailbox(name: "Ada Example", address: "ada@example.org"))
    #expect(m.date?.iso8601 == "2023-01-23T17:45:21+00:00")
    #expect(m.messageID == "20230123174520.2-ada@example.org")
    #expect(m.inReplyTo == "20230123174520.1-ada@example.org")
    #expect(m.references == ["20230123174520.1-ada@example.org"])
    #expect(m.header("message-id") == "<20230123174520.2-ada@example.org>")
    #expect(m.header("X-Absent") == nil)
    #expect(m.bodyStartLine == 36)
    #expect(m.inputLine(forBodyLine: 1) == 36)
    #expect(m.inputLine(forBodyLine: 5) == 40)
    #expect(m.patchSubject.index == 2)
    #expect(m.body.hasPrefix("Second.\n"))
    // The blank line the mbox writer adds after each message is not part of the body.
    #expect(m.body.hasSuffix("+y\n"))
  }

  @Test func singleMessageAddressesAndFolding() throws {
    let (m, diags) = try one("single.eml")
    #expect(diags.isEmpty)
    #expect(m.location.line == 1)
    #expect(m.from == Mailbox(name: "Dan, the Reviewer", address: "dan@example.org"))
    #expect(m.from?.description == "\"Dan, the Reviewer\" <dan@example.org>")
    #expect(m.to.map(\.address) == ["ada@example.org", "list@example.org"])
    #expect(m.cc == [Mailbox(name: "Erin", address: "erin@example.org")])
    #expect(m.date?.iso8601 == "2023-01-24T09:03:01+01:00")
    #expect(
      m.references == ["20230123174520.0-ada@example.org", "20230123174520.1-ada@example.org"])
    #expect(m.bodyStartLine == 12)
  }

  @Test func foldedHeaders() throws {
    let (m, diags) = try one("folded-headers.eml")
    #expect(diags.isEmpty)
    #expect(
      m.subject
        == "[PATCH bpf-next v3 2/5] bpf: a subject\tfolded with a tab and  folded with spaces")
    let subject = try #require(m.headers.first { $0.isNamed("subject") })
    #expect(
      subject.rawValue
        == " [PATCH bpf-next v3 2/5] bpf: a subject\n\tfolded with a tab and\n  folded with spaces")
    #expect(subject.line == 2)
    #expect(m.messageID == "folded@example.org")
    #expect(m.references == ["r1@example.org", "r2@example.org", "r3@example.org"])
    #expect(m.headers(named: "received").count == 2)
    #expect(m.headers(named: "RECEIVED").first?.hasPrefix("from a by b") == true)
    #expect(m.headers.map(\.line) == [1, 2, 5, 7, 9, 10, 11, 12])
  }

  @Test func encodedWords() throws {
    let (m, diags) = try one("encoded-words.eml")
    #expect(diags.isEmpty)
    #expect(m.from?.name == "Jörg Müller")
    #expect(m.subject == "[PATCH] arm64: café au lait and more")
    #expect(m.header("X-Latin1") == "André plain déjà")
    #expect(m.header("X-Split-UTF8") == "éé")
    #expect(m.header("X-Windows") == "€uro “quoted”")
    #expect(m.header("X-Latin9") == "€")
    #expect(m.header("X-Ascii") == "plain text")
  }

  @Test func badEncodedWordIsReportedAndKept() throws {
    let text = "From: a@b\nSubject: =?utf-8?b?!!!?= ok\nX-Other: =?utf-8?q?fine?=\n\nbody\n"
    let c = try Fixture.parse(text)
    #expect(c.messages.first?.subject == "=?utf-8?b?!!!?= ok")
    #expect(c.messages.first?.header("X-Other") == "fine")
    #expect(c.diagnostics.map(\.id) == ["mail.bad-encoded-word"])
    #expect(c.diagnostics.first?.location.line == 2)
  }

  @Test func quotedPrintable() throws {
    let (m, diags) = try one("quoted-printable.eml")
    #expect(diags.isEmpty)
    #expect(m.from?.name == "Jörg Müller")
    #expect(
      m.body
        == "Grüße, this line is long and gets a soft line break right here and continues.\n"
        + "An equals sign: 1+1=2.\n\nSigned-off-by: Jörg Müller <joerg@example.org>\n")
    #expect(m.date?.iso8601 == "2023-02-02T10:00:00+00:00")
    #expect(m.parts.first?.transferEncoding == "quoted-printable")
    #expect(m.decodeBody().segments.first?.mapping == .softBreaks)
    // The first body line has a soft break: text line 2 is input line bodyStart + 2.
    #expect(m.inputLine(forBodyLine: 1) == m.bodyStartLine)
    #expect(m.inputLine(forBodyLine: 2) == m.bodyStartLine + 2)
    #expect(m.inputLine(forBodyLine: 3) == m.bodyStartLine + 3)
  }

  @Test func base64Body() throws {
    let (m, diags) = try one("base64.eml")
    #expect(diags.isEmpty)
    #expect(m.body == "Hello, world!\nSecond line with ä.\n")
    #expect(m.date?.iso8601 == "2023-03-01T12:00:00-05:00")
    #expect(m.decodeBody().inputLine(forTextLine: 2) == 9)
  }

  @Test func base64ToleratesLineBreaksAndReportsJunk() throws {
    let good = "From: a@b\nContent-Transfer-Encoding: base64\n\nSGVs\r\n bG8K\n"
    #expect(try Fixture.parse(good).messages.first?.body == "Hello\n")
    let bad = "From: a@b\nContent-Transfer-Encoding: base64\n\nSGVs*bG8K\nSGVsbA\n"
    let c = try Fixture.parse(bad)
    #expect(c.diagnostics.map(\.id) == ["mail.bad-base64"])
    #expect(c.diagnostics.first?.location.line == 4)
    #expect(c.messages.first?.body.hasPrefix("Hello\n") == true)
  }

  @Test func nestedMultipartWithPatchAttachment() throws {
    let (m, diags) = try one("nested-multipart.eml")
    #expect(diags.isEmpty)
    #expect(
      m.parts.map(\.contentType) == [
        "text/plain", "text/html", "text/x-patch", "application/octet-stream",
      ])
    #expect(m.parts.map(\.isBodyText) == [true, false, true, false])
    #expect(m.parts[2].filename == "0001-fix.patch")
    #expect(m.parts[2].disposition == "attachment")
    #expect(m.parts[3].content == .bytes([0, 1, 2, 3]))
    #expect(
      m.body
        == "The patch is attached.\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n"
    )
    #expect(m.inputLine(forBodyLine: 2) == 27)
    #expect(m.patchSubject.isRFC && m.patchSubject.isPatch)
    let decoded = m.decodeBody()
    // Line 2 of the body is the first line of the attachment, input line 27.
    #expect(decoded.inputLine(forTextLine: 1) == 15)
    #expect(decoded.inputLine(forTextLine: 2) == 27)
    #expect(decoded.inputLine(forTextLine: 4) == 29)
  }

  @Test func unknownCharsetFallsBackToLatin1() throws {
    let (m, diags) = try one("unknown-charset.eml")
    #expect(m.subject == "café")
    #expect(m.body == "café\n")
    #expect(diags.map(\.id) == ["mail.unknown-charset", "mail.unknown-charset"])
    #expect(diags.map(\.location.line) == [2, 4])
  }

  @Test func brokenBoundaryKeepsTheParts() throws {
    let (m, diags) = try one("broken-boundary.eml")
    #expect(diags.map(\.id) == ["mail.mime-boundary"])
    #expect(diags.first?.location.line == 10)
    #expect(m.parts.map(\.contentType) == ["text/plain", "text/x-diff"])
    #expect(m.body.hasPrefix("First part.\ndiff --git a/y b/y\n"))
  }

  @Test func truncatedMessageIsReportedAndKept() throws {
    let c = try MailInput.load(path: Fixture.path("truncated.mbox"))
    #expect(c.messages.count == 2)
    #expect(c.messages.map(\.subject) == ["complete", "cut in the hea"])
    #expect(c.diagnostics.map(\.id) == ["mail.truncated"])
    #expect(
      c.diagnostics.first?.location
        == SourceLocation(file: Fixture.path("truncated.mbox"), line: 10))
  }

  @Test func noTrailingNewline() throws {
    let c = try MailInput.load(path: Fixture.path("no-trailing-newline.mbox"))
    #expect(c.messages.map(\.body) == ["body one\n", "last line has no newline"])
    #expect(c.diagnostics.isEmpty)
  }

  @Test func crlfGivesTheSameMessages() throws {
    for file in Fixture.mailFiles {
      let lf = try MailInput.parse(bytes: Fixture.bytes(file), name: file)
      let crlf = try MailInput.parse(bytes: Fixture.crlf(Fixture.bytes(file)), name: file)
      #expect(lf.messages.map(\.body) == crlf.messages.map(\.body), "\(file)")
      #expect(
        lf.messages.map(\.headers)
          == crlf.messages.map {
            $0.headers.map { h in
              var h = h
              h.rawValue = h.rawValue.replacingOccurrences("\r\n", "\n")
              return h
            }
          }, "\(file)")
      #expect(lf.diagnostics.map(\.id) == crlf.diagnostics.map(\.id), "\(file)")
    }
  }

  @Test func lazyBodiesDecodeToTheSameText() throws {
    for file in Fixture.mailFiles {
      let eager = try MailInput.parse(bytes: Fixture.bytes(file), name: file, bodies: .eager)
      let lazy = try MailInput.parse(bytes: Fixture.bytes(file), name: file, bodies: .lazy)
      let checked = try MailInput.parse(bytes: Fixture.bytes(file), name: file)
      #expect(eager.messages.map(\.body) == lazy.messages.map(\.body), "\(file)")
      #expect(eager.messages.map(\.body) == checked.messages.map(\.body), "\(file)")
      #expect(eager.messages.map(\.parts) == checked.messages.map(\.parts), "\(file)")
      #expect(lazy.messages.allSatisfy { !$0.isBodyDecoded })
      #expect(eager.messages.allSatisfy { $0.isBodyDecoded })
      // `.checked` leaves only bodies that cannot be damaged for later, so it reports
      // exactly what `.eager` reports.
      #expect(eager.diagnostics == checked.diagnostics, "\(file)")
      // The lazy collection lacks the body diagnostics; decoding gives them back.
      let later = lazy.diagnostics + lazy.messages.flatMap { $0.decodeBody().diagnostics }
      #expect(Set(later) == Set(eager.diagnostics), "\(file)")
    }
  }

  /// Diagnostics name the input line, checked with markers in the input.
  @Test func diagnosticLinesFollowMarkers() throws {
    let (text, markers) = Markers.extract(
      """
      From a@b Mon Jan  2 03:04:05 2023
      From: A <a@b>
      Subject: one

      body

      From a@b Mon Jan  2 03:04:05 2023
      From: A <a@b>
      ⟪bad⟫this line is not a header
      Subject: =?utf-8?q?ok?= ⟪word⟫=?utf-8?b?@@@?=
      Content-Type: multipart/mixed; boundary=zz

      --zz
      Content-Type: text/plain; ⟪cs⟫charset=klingon

      text
      ⟪bnd⟫--zz
      Content-Transfer-Encoding: base64

      ⟪b64⟫QUJD!
      """)
    let c = try Fixture.parse(text)
    #expect(c.messages.count == 2)
    let byID = Dictionary(grouping: c.diagnostics, by: \.id)
    #expect(byID["mail.bad-header"]?.first?.location.line == markers["bad"]?.line)
    #expect(byID["mail.bad-encoded-word"]?.first?.location.line == markers["word"]?.line)
    #expect(byID["mail.unknown-charset"]?.first?.location.line == markers["cs"]?.line)
    #expect(byID["mail.mime-boundary"]?.first?.location.line == markers["bnd"]?.line)
    #expect(byID["mail.bad-base64"]?.first?.location.line == markers["b64"]?.line)
    #expect(c.diagnostics.count == 5)
  }

  @Test func headerBlockWithoutBlankLine() throws {
    let c = try Fixture.parse("From: a@b\nSubject: s\nthis is body text\nmore\n")
    #expect(c.messages.first?.body == "this is body text\nmore\n")
    #expect(c.messages.first?.bodyStartLine == 3)
    #expect(c.diagnostics.map(\.id) == ["mail.bad-header"])
  }

  @Test func dates() {
    let cases: [(String, String?)] = [
      ("Mon, 23 Jan 2023 17:45:20 +0000", "2023-01-23T17:45:20+00:00"),
      ("Mon,  9 Jan 2023 13:58:20 +0000", "2023-01-09T13:58:20+00:00"),
      ("23 Jan 2023 17:45 -0800", "2023-01-23T17:45:00-08:00"),
      ("Tue, 1 Feb 94 10:00:00 EST", "1994-02-01T10:00:00-05:00"),
      ("Tue, 1 Feb 05 10:00:00 PDT", "2005-02-01T10:00:00-07:00"),
      ("Thu, 01 Jan 1970 00:00:00 GMT", "1970-01-01T00:00:00+00:00"),
      ("Wed, 22 Mar 2023 10:01:02 +0100 (CET)", "2023-03-22T10:01:02+01:00"),
      ("Thu Jan  1 00:00:00 1970", "1970-01-01T00:00:00+00:00"),
      ("Sat, 4 Mar 2023 08:00:00.123 +0530", "2023-03-04T08:00:00+05:30"),
      ("1 Jan 100 00:00:00 +0000", "2000-01-01T00:00:00+00:00"),
      ("23-Jan-2023 17:45:20 -0500", "2023-01-23T17:45:20-05:00"),
      ("2023-01-23T17:45:20Z", "2023-01-23T17:45:20+00:00"),
      ("2023-01-23 17:45:20.5 +05:30", "2023-01-23T17:45:20+05:30"),
      ("2023-13-23T17:45:20Z", nil),
      ("not a date", nil), ("", nil), ("32 Jan 2023 10:00:00 +0000", nil),
    ]
    for (text, iso) in cases {
      #expect(MailDate.parse(text)?.iso8601 == iso, "\(text)")
    }
    #expect(MailDate.parse("Thu, 01 Jan 1970 01:00:00 +0100")?.epochSeconds == 0)
    #expect(MailDate.parse("Mon, 23 Jan 2023 17:45:20 +0000")?.epochSeconds == 1_674_495_920)
  }

  @Test func mailboxes() {
    #expect(Mailbox.parse("a@b") == Mailbox(name: nil, address: "a@b"))
    #expect(Mailbox.parse("a@b (Ann B)") == Mailbox(name: "Ann B", address: "a@b"))
    #expect(
      Mailbox.parse("\"B, \\\"Q\\\" A\" <q@x>") == Mailbox(name: "B, \"Q\" A", address: "q@x"))
    #expect(Mailbox.parse("   ") == nil)
    #expect(
      Mailbox.parseList("A <a@x>, \"B, C\" <b@x>,, d@x (D, E)").map(\.address) == [
        "a@x", "b@x", "d@x",
      ])
  }

  @Test func contentTypeParameters() {
    let p = HeaderParameters.parse(
      "Text/X-Patch; charset=\"utf-8\"; name*0*=utf-8''caf%C3%A9; name*1=\".patch\"; format=flowed")
    #expect(p.token == "text/x-patch")
    #expect(p.parameters["charset"] == "utf-8")
    #expect(p.parameters["name"] == "café.patch")
    #expect(p.parameters["format"] == "flowed")
  }

  @Test func charsets() {
    #expect(Charset(label: "UTF8") == .utf8)
    #expect(Charset(label: "latin1") == .latin1)
    #expect(Charset(label: "ISO_8859-15") == .latin9)
    #expect(Charset(label: "cp1252") == .windows1252)
    #expect(Charset(label: "utf-8*en") == .utf8)
    #expect(Charset(label: "koi8-r") == nil)
    #expect(Charset.windows1252.decode([0x80, 0x81, 0x9F, 0x41]) == "€\u{81}ŸA")
    #expect(Charset.latin9.decode([0xA4, 0xBD, 0xE9]) == "€œé")
    #expect(Charset.latin1.decode([0xA4, 0xE9]) == "¤é")
    #expect(Charset.usASCII.decode([0xC3, 0xA9]) == "é")
  }
}

@Suite struct HeaderParametersTests {
  static let values = [
    "text/plain", "Text/Plain; charset=\"UTF-8\"", "text/plain;charset=us-ascii;format=flowed",
    "multipart/mixed; boundary=\"----=_Part_1; not a param\"", "attachment; filename=a.patch ",
    "text/x-patch; name=\"0001-x y.patch\"; charset=utf-8", "inline", "", "  ; x=1",
    "text/plain; charset=\"unterminated", "text/plain; =novalue; a=", "TEXT/HTML ; A = B",
  ]

  /// The one-pass parser and the general one agree wherever the one-pass parser answers.
  @Test(arguments: values)
  func fastAndGeneralAgree(_ value: String) {
    let general = HeaderParameters.generalParse(value)
    let parsed = HeaderParameters.parse(value)
    #expect(parsed.token == general.token)
    #expect(
      parsed.parameters.filter { !$0.key.isEmpty } == general.parameters.filter { !$0.key.isEmpty })
  }

  @Test func boundaryWithSemicolonInQuotes() {
    let p = HeaderParameters.parse("multipart/mixed; boundary=\"a;b\"; x=y")
    #expect(p.parameters == ["boundary": "a;b", "x": "y"])
  }
}

@Suite struct AddressDecodingTests {
  @Test func encodedNameWithCommaStaysOneMailbox() throws {
    let c = try Fixture.parse(
      "From: =?utf-8?q?Doe=2C_J=C3=B6hn?= <j@x>\nTo: =?utf-8?q?A=2C_B?= <a@x>, c@x\n\nb\n")
    let m = try #require(c.messages.first)
    #expect(m.from == Mailbox(name: "Doe, Jöhn", address: "j@x"))
    #expect(m.to == [Mailbox(name: "A, B", address: "a@x"), Mailbox(name: nil, address: "c@x")])
    #expect(m.header("To") == "A, B <a@x>, c@x")
  }

  @Test func plainReplacement() {
    #expect("a\r\n\r\nb".replacingOccurrences("\r\n", "") == "ab")
    #expect("xx".replacingOccurrences("x", "xy") == "xyxy")
    #expect("abc".replacingOccurrences("", "z") == "abc")
  }

  @Test func hugeNumbersInDatesAreRejected() {
    #expect(MailDate.parse("1 Jan 999999999999999999 00:00:00 +0000") == nil)
    #expect(MailDate.parse("99999999999999999999 Jan 2023 00:00:00 +0000") == nil)
    #expect(MailDate.parse("1 Jan 2023 99999999999999999999:00:00 +0000") == nil)
  }
}

@Suite struct HeadersOnlyTests {
  @Test func headersOnlyFileIsAValidMessage() throws {
    let c = try Fixture.parse("From: a@b\nSubject: only headers\n", name: "h.eml")
    #expect(c.messages.first?.body == "")
    #expect(c.diagnostics.isEmpty)
  }

  @Test func headersCutMidLineAreTruncated() throws {
    let c = try Fixture.parse("From: a@b\nSubject: only hea", name: "h.eml")
    #expect(c.messages.first?.subject == "only hea")
    #expect(c.diagnostics.map(\.id) == ["mail.truncated"])
    #expect(c.diagnostics.first?.location.line == 2)
  }
}

@Suite struct CheckedDecodingTests {
  @Test func onlyDamageableBodiesAreDecodedWhileReading() throws {
    let decoded: [String: Bool] = [
      "mboxrd.mbox": false, "single.eml": false, "folded-headers.eml": false,
      "quoted-printable.eml": true, "base64.eml": true, "nested-multipart.eml": true,
      "unknown-charset.eml": true, "broken-boundary.eml": true,
    ]
    for (file, expected) in decoded {
      let c = try MailInput.load(path: Fixture.path(file))
      #expect(c.messages.allSatisfy { $0.isBodyDecoded == expected }, "\(file)")
    }
  }

  @Test func plainTestMatchesTheDecoder() throws {
    let types = [
      "text/plain", "TEXT/PLAIN; charset=UTF-8", "text/plain; charset=\"klingon\"",
      "text/plain; charset=utf-8; charset=klingon", "text/plain; format=flowed; charset=latin1",
      "text/plain; charset*=utf-8''x", "textplain", "text/x-patch; name=\"a;b\"; charset=ascii",
      "multipart/mixed; boundary=x", "application/octet-stream", "text/plain; charset=",
    ]
    for t in types {
      for cte in ["", "Content-Transfer-Encoding: 8bit\n", "Content-Transfer-Encoding: base64\n"] {
        let text = "From: a@b\nContent-Type: \(t)\n\(cte)\nbody\n"
        let eager = try MailInput.parse(bytes: Array(text.utf8), name: "t", bodies: .eager)
        let checked = try MailInput.parse(bytes: Array(text.utf8), name: "t")
        #expect(eager.diagnostics == checked.diagnostics, "\(t) \(cte)")
        #expect(eager.messages.map(\.body) == checked.messages.map(\.body), "\(t) \(cte)")
      }
    }
  }

  @Test func decodeBodyOnceKeepsTheBody() throws {
    var m = try #require(try MailInput.load(path: Fixture.path("single.eml")).messages.first)
    let before = m.body
    m.decodeBodyOnce()
    #expect(m.isBodyDecoded)
    #expect(m.body == before)
  }
}
