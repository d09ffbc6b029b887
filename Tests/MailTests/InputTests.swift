import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import Mail

@Suite struct InputTests {
  @Test func maildirReadsCurThenNew() throws {
    let dir = Fixture.path("maildir")
    let c = try MailInput.load(path: dir)
    #expect(c.messages.map(\.subject) == ["seen message", "new message"])
    #expect(c.diagnostics.isEmpty)
    // A From line in a maildir file's body never splits it.
    #expect(c.messages[1].body.contains("\nFrom 1234abcd Mon Sep 17 00:00:00 2001"))
    #expect(c.messages[1].location.file.hasSuffix("maildir/new/1677900001.2_1.host"))
    #expect(c.messages[1].location.line == 1)
  }

  @Test func patchFolderInNameOrder() throws {
    let c = try MailInput.load(path: Fixture.path("patches") + "/")
    #expect(
      c.messages.map(\.subject) == [
        "[PATCH 0/2] two steps", "[PATCH 1/2] step 1", "[PATCH 2/2] step 2",
      ])
    #expect(c.messages.map(\.location.line) == [2, 2, 2])
    #expect(c.messages[1].location.file.hasSuffix("patches/0001-step-1.patch"))
    #expect(c.messages[2].body.contains("-2\n+3\n-- \n2.39.2\n"))
    #expect(c.diagnostics.isEmpty)
  }

  @Test func singleMessageFile() throws {
    let c = try MailInput.load(path: Fixture.path("single.eml"))
    #expect(c.messages.count == 1)
    #expect(c.messages.first?.raw.fromLine == nil)
  }

  @Test func missingPathCannotBeRead() {
    let path = Fixture.path("no-such-file.mbox")
    #expect(
      throws: InputError(
        "mail.cannot-read", at: SourceLocation(file: path), "cannot read: No such file or directory"
      )
    ) {
      try MailInput.load(path: path)
    }
  }

  @Test func proseIsNotMail() throws {
    let path = Fixture.path("not-mail.txt")
    do {
      _ = try MailInput.load(path: path)
      Issue.record("prose was read as mail")
    } catch {
      #expect(error.id == "mail.not-mail")
      #expect(error.location == SourceLocation(file: path, line: 1))
    }
  }

  @Test func binaryAndEmptyAreNotMail() {
    var rng = SeededGenerator(seed: 42)
    let binary =
      [0x7F, 0x45, 0x4C, 0x46] + (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
    for bytes in [
      binary, [], Array("\n\n".utf8), Array("Note: a header-looking line\nand prose\n".utf8),
    ] {
      #expect(throws: InputError.self) { try MailInput.parse(bytes: bytes, name: "x") }
      do { _ = try MailInput.parse(bytes: bytes, name: "x") } catch {
        #expect(error.id == "mail.not-mail")
      }
    }
  }

  @Test func directoryWithoutMail() throws {
    let dir = try Tools.makeTemporaryDirectory("mail-empty")
    defer { Tools.removeTemporaryDirectory(dir) }
    do {
      _ = try MailInput.load(path: dir)
      Issue.record("an empty directory was read")
    } catch {
      #expect(error.id == "mail.not-mail")
    }
  }

  /// `-` reads fd 0: the test points fd 0 at a fixture for the call, then restores it.
  @Test func stdinDash() throws {
    let saved = dup(0)
    let fd = open(Fixture.path("mboxrd.mbox"), O_RDONLY)
    #expect(saved >= 0 && fd >= 0)
    dup2(fd, 0)
    close(fd)
    let result = Result { () throws(InputError) in try MailInput.load(path: "-") }
    dup2(saved, 0)
    close(saved)
    let c = try result.get()
    #expect(c.messages.count == 2)
    #expect(
      c.messages.map(\.location) == [
        SourceLocation(file: "<stdin>", line: 2), SourceLocation(file: "<stdin>", line: 29),
      ])
  }

  @Test func textBeforeFirstSeparatorIsReportedNotKept() throws {
    let c = try Fixture.parse("junk line\n\nFrom a@b Mon Jan  2 03:04:05 2023\nSubject: s\n\nb\n")
    #expect(c.messages.map(\.subject) == ["s"])
    #expect(c.messages.map(\.location.line) == [4])
    #expect(c.diagnostics.map(\.id) == ["mail.not-mail"])
    #expect(c.diagnostics.map(\.location.line) == [1])
  }

  @Test func messageWithoutHeadersInAnMboxIsKept() throws {
    let c = try Fixture.parse(
      "From a@b Mon Jan  2 03:04:05 2023\nSubject: s\n\nb\n\nFrom a@b Mon Jan  2 03:04:05 2023\n\njust text\n"
    )
    #expect(c.messages.count == 2)
    #expect(c.messages[1].body == "just text\n")
    #expect(c.diagnostics.map(\.id) == ["mail.no-headers"])
  }

  /// Random damage never crashes the reader and never loses a separator-delimited message.
  @Test func fuzzedInputsNeverCrash() throws {
    let seeds: [UInt64] = Array(1...40)
    let base = Fixture.mailFiles.map { Fixture.bytes($0) }
    for seed in seeds {
      var rng = SeededGenerator(seed: seed)
      var bytes = base[Int(seed) % base.count]
      for _ in 0..<Int.random(in: 1...20, using: &rng) where !bytes.isEmpty {
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
        case 1: bytes.remove(at: at)
        case 2: bytes.insert(contentsOf: Array("\n--b1\n=?utf-8?b?".utf8), at: at)
        default: bytes.removeSubrange(at..<min(bytes.count, at + 40))
        }
      }
      do {
        let c = try MailInput.parse(bytes: bytes, name: "fuzz")
        let eager = try MailInput.parse(bytes: bytes, name: "fuzz", bodies: .eager)
        #expect(c.diagnostics == eager.diagnostics, "seed \(seed)")
        #expect(c.messages.map(\.body) == eager.messages.map(\.body), "seed \(seed)")
        for m in c.messages { _ = (m.body, m.parts, m.date, m.from, m.references) }
        _ = MailThreads.build(c.messages)
      } catch {
        #expect(error.id == "mail.not-mail", "seed \(seed)")
      }
      // Damaged input still reads the same whole, byte by byte and in random chunks. The
      // values are compared, not their descriptions: a dictionary's order depends on where
      // its storage was allocated (ASan's allocator showed it).
      let failure = DripFeed.verify(bytes, seed: seed) {
        chunks -> Result<MailCollection, InputError> in
        var r = MailReader(name: "fuzz")
        for c in chunks { r.feed(c) }
        return Result { () throws(InputError) in try r.finish() }
      }
      #expect(failure == nil, "seed \(seed)")
    }
  }
}

/// Inputs built to make a careless reader quadratic; each must finish at once.
@Suite struct PathologicalInputTests {
  @Test func manyStrayHeaderLines() throws {
    var text = "From: a@b\n"
    for _ in 0..<20_000 { text += "stray line without a colon\n" }
    text += "Subject: found\n\nbody\n"
    let c = try Fixture.parse(text)
    #expect(c.messages.first?.subject == "found")
    #expect(c.diagnostics.count == 20_000)
    #expect(c.diagnostics.allSatisfy { $0.id == "mail.bad-header" })
    #expect(c.diagnostics.last?.location.line == 20_001)
  }

  @Test func subjectWithManyBracketGroups() {
    let subject = String(repeating: "[x] ", count: 20_000) + "title"
    let s = PatchSubject.parse(subject)
    #expect(s.tags.count == 20_000)
    #expect(s.title == "title")
  }

  @Test func deepMultipartNesting() throws {
    var text = "From: a@b\nContent-Type: multipart/mixed; boundary=b0\n\n"
    for k in 0..<100 { text += "--b\(k)\nContent-Type: multipart/mixed; boundary=b\(k + 1)\n\n" }
    text += "--b100\nContent-Type: text/plain\n\ndeep\n"
    let c = try Fixture.parse(text)
    #expect(c.diagnostics.contains { $0.id == "mail.mime-depth" })
    #expect(c.messages.count == 1)
  }

  @Test func longLineWithoutNewline() throws {
    let text = "From: a@b\nSubject: s\n\n" + String(repeating: "x", count: 2_000_000)
    let c = try Fixture.parse(text)
    #expect(c.messages.first?.body.utf8.count == 2_000_000)
  }
}

@Suite struct SingleMessageInputTests {
  /// A file that does not start with a separator is one message: a `From ` line in its body
  /// (after a blank line, in asctime form) does not split it.
  @Test func singleMessageIsNeverSplit() throws {
    let text =
      "\n\nFrom: a@b\nSubject: s\n\nquoted:\n\nFrom x@y Mon Jan  2 03:04:05 2023\nSubject: t\n\nb\n"
    for feed in [[Array(text.utf8)], Array(text.utf8).map { [$0] }] {
      var r = MailReader(name: "one.eml")
      for c in feed { r.feed(c) }
      let c = try r.finish()
      #expect(c.messages.count == 1)
      #expect(c.messages.first?.location.line == 3)
      #expect(
        c.messages.first?.body.contains("From x@y Mon Jan  2 03:04:05 2023\nSubject: t") == true)
      #expect(c.diagnostics.isEmpty)
    }
  }
}
