import TestSupport
import Testing

@testable import Mail

/// The messages of `chunks` fed to one splitter in turn.
private func splitInChunks(_ chunks: [[UInt8]]) -> [RawMessage] {
  var s = MboxSplitter()
  var out: [RawMessage] = []
  for c in chunks {
    s.feed(c)
    out += s.takeReady()
  }
  return out + s.finish()
}

@Suite struct MboxSplitterTests {
  @Test(arguments: Fixture.mailFiles)
  func dripFedSplitterAgrees(file: String) throws {
    let bytes = Fixture.bytes(file)
    #expect(!bytes.isEmpty)
    for (variant, input) in [("lf", bytes), ("crlf", Fixture.crlf(bytes))] {
      for seed: UInt64 in [1, 0x5eed, 99] {
        let failure = DripFeed.verify(input, seed: seed) { splitInChunks($0) }
        #expect(failure == nil, "\(file) \(variant) seed \(seed): \(String(describing: failure))")
      }
      #expect(splitInChunks([input]) == MboxSplitter.split(input))
    }
  }

  @Test(arguments: Fixture.mailFiles)
  func dripFedReaderAgrees(file: String) throws {
    let bytes = Fixture.bytes(file)
    let failure = try DripFeed.verify(bytes, seed: 7) { chunks -> MailCollection in
      var r = MailReader(name: file)
      for c in chunks { r.feed(c) }
      return try r.finish()
    }
    #expect(failure == nil, "\(file): \(String(describing: failure))")
    var r = MailReader(name: file)
    r.feed(bytes)
    #expect(try r.finish() == MailInput.parse(bytes: bytes, name: file))
  }

  /// Separator line plus bytes of every message give the input back, byte for byte.
  @Test(arguments: Fixture.mailFiles)
  func roundTrip(file: String) {
    for input in [Fixture.bytes(file), Fixture.crlf(Fixture.bytes(file))] {
      let raws = MboxSplitter.split(input)
      let joined = raws.flatMap { ($0.fromLine ?? []) + $0.bytes }
      #expect(joined == input, "\(file)")
    }
  }

  @Test func messageCountsAndStartLines() {
    let counts: [String: [Int]] = [
      "mboxrd.mbox": [2, 29], "mboxo.mbox": [2, 29], "no-trailing-newline.mbox": [2, 9],
      "from-in-body.mbox": [2, 12], "truncated.mbox": [2, 9], "single.eml": [1],
    ]
    for (file, lines) in counts {
      let raws = MboxSplitter.split(Fixture.bytes(file))
      #expect(raws.count == lines[0], "\(file)")
      #expect(
        raws.map(\.startLine) == (file == "single.eml" ? [1] : [2] + lines.dropFirst()), "\(file)")
    }
  }

  @Test func separatorNeedsBlankLineOrExactAsctime() {
    let text = """
      From a@b Mon Jan  2 03:04:05 2023
      Subject: one

      body
      From the point of view of 10:30 in 2023, this is prose.
      From x@y Tue Jan  3 03:04:05 2023
      Subject: two, with no blank line before its separator

      body
      From 5 o'clock 12:00 2023 is no separator after a non-blank line

      From someone 12:00 2023 is loose enough after a blank line
      Subject: three

      """
    let raws = MboxSplitter.split(Array(text.utf8))
    #expect(raws.map(\.startLine) == [2, 7, 13])
    #expect(
      raws.map { $0.separator ?? "" }.last
        == "From someone 12:00 2023 is loose enough after a blank line")
  }

  @Test func fileNotStartingWithFromIsOneMessage() {
    let raws = MboxSplitter.split(Fixture.bytes("single.eml"))
    #expect(raws.count == 1)
    #expect(raws.first?.fromLine == nil)
    #expect(raws.first.map { Array($0.bytes) } == Fixture.bytes("single.eml"))
  }

  @Test func quotedFromIsNotedAndLinesKeepTheirNumbers() {
    let raws = MboxSplitter.split(Fixture.bytes("mboxrd.mbox"))
    #expect(raws.map(\.hasQuotedFrom) == [true, false])
  }

  @Test func unquotingStyles() {
    let text = Array(">From a\n>>From b\nFrom c\n>>>From d\n> From e\n>Fromage\n".utf8)[...]
    #expect(
      String(decoding: FromQuoting.mboxrd.unquote(text), as: UTF8.self)
        == "From a\n>From b\nFrom c\n>>From d\n> From e\n>Fromage\n")
    #expect(
      String(decoding: FromQuoting.mboxo.unquote(text), as: UTF8.self)
        == "From a\n>>From b\nFrom c\n>>>From d\n> From e\n>Fromage\n")
    #expect(FromQuoting.none.unquote(text) == text)
  }

  @Test func emptyAndBlankInputsGiveNoMessages() {
    #expect(MboxSplitter.split([UInt8]()).isEmpty)
    #expect(MboxSplitter.split(Array("\n\n  \n".utf8)).isEmpty)
    var s = MboxSplitter()
    s.feed([UInt8]())
    #expect(s.finish().isEmpty)
  }

  @Test func separatorAtEndOfInputGivesAnEmptyMessage() {
    let raws = MboxSplitter.split(
      Array(
        "From a@b Mon Jan  2 03:04:05 2023\nSubject: x\n\nb\n\nFrom a@b Mon Jan  2 03:04:05 2023"
          .utf8))
    #expect(raws.count == 2)
    #expect(raws.last?.bytes == [])
  }
}

@Suite struct FromQuotingTests {
  @Test func quoteThenUnquoteIsIdentityForMboxrd() {
    var rng = SeededGenerator(seed: 77)
    let atoms = ["From ", ">", "From", "x", "\n", "\r\n", " ", ">From ", "F"]
    for _ in 0..<500 {
      var text = ""
      for _ in 0..<Int.random(in: 0...30, using: &rng) {
        text += atoms[Int.random(in: 0..<atoms.count, using: &rng)]
      }
      let bytes = Array(text.utf8)
      let quoted = FromQuoting.mboxrd.quote(bytes)
      #expect(Array(FromQuoting.mboxrd.unquote(quoted[...])) == bytes, "\(text.debugDescription)")
      // A quoted body never holds a line starting `From `.
      #expect(
        !String(decoding: quoted, as: UTF8.self).split(separator: "\n").contains {
          $0.hasPrefix("From ")
        })
    }
  }

  @Test func quotingStyles() {
    let text = Array("From a\n>From b\nx From c\n".utf8)
    #expect(
      String(decoding: FromQuoting.mboxrd.quote(text), as: UTF8.self)
        == ">From a\n>>From b\nx From c\n")
    #expect(
      String(decoding: FromQuoting.mboxo.quote(text), as: UTF8.self)
        == ">From a\n>From b\nx From c\n")
    #expect(FromQuoting.none.quote(text) == text)
  }

  /// Writing messages as mboxrd and reading them back gives the same messages.
  @Test func writeThenRead() throws {
    let originals = try MailInput.load(path: Fixture.path("mboxrd.mbox")).messages
    var mbox: [UInt8] = []
    for m in originals {
      let content = Array(FromQuoting.mboxrd.unquote(m.raw.bytes))
      mbox +=
        Array("From mboxrd@z Thu Jan  1 00:00:00 1970\n".utf8) + FromQuoting.mboxrd.quote(content)
    }
    let again = try MailInput.parse(bytes: mbox, name: "again")
    #expect(again.messages.map(\.body) == originals.map(\.body))
    #expect(again.messages.map(\.headers) == originals.map(\.headers))
  }
}

@Suite struct MailReaderStreamingTests {
  /// Taking messages as they complete, then finishing, gives what one whole read gives.
  @Test(arguments: Fixture.mailFiles)
  func takeMessagesThenFinish(file: String) throws {
    let bytes = Fixture.bytes(file)
    let whole = try MailInput.parse(bytes: bytes, name: file)
    func run(_ chunks: [[UInt8]]) throws -> MailCollection {
      var r = MailReader(name: file)
      var got = MailCollection()
      for c in chunks {
        r.feed(c)
        let part = r.takeMessages()
        got.messages += part.messages
        got.diagnostics += part.diagnostics
      }
      let rest = try r.finish()
      got.messages += rest.messages
      got.diagnostics += rest.diagnostics
      return got
    }
    let failure = try DripFeed.verify(bytes, seed: 11, feed: run)
    #expect(failure == nil, "\(file)")
    #expect(try run([bytes]) == whole)
    var r = MailReader(name: file)
    for b in bytes { r.feed([b]) }
    var n = r.takeMessages().messages.count
    n += try r.finish().messages.count
    #expect(n == whole.messages.count)
  }
}

/// The splitter jumps between the `F`s of an mbox; these tests hold it to a plain reading that
/// looks at every line in turn, on the fixtures and on random inputs built from the lines that
/// matter (separators strict and loose, quoted `From `, blank and CR-only lines, `From:`).
@Suite struct MboxSplitterLineByLineTests {
  /// Every line looked at in order: what the splitter did before it learned to jump.
  static func lineByLine(_ input: [UInt8]) -> [RawMessage] {
    var out: [RawMessage] = []
    var isMbox: Bool? = nil
    var prevBlank = true
    var start = 0
    var startLine = 1
    var from: [UInt8]? = nil
    var quoted = false
    func cut(upTo end: Int) {
      let bytes = input[start..<end]
      if from == nil, bytes.allSatisfy({ $0 <= 0x20 }) { return }
      out.append(
        RawMessage(fromLine: from, bytes: Array(bytes), startLine: startLine, hasQuotedFrom: quoted)
      )
      from = nil
      quoted = false
    }
    var ls = 0
    var line = 1
    while ls < input.count {
      let le = input[ls...].firstIndex(of: 0x0A) ?? input.count
      let next = le < input.count ? le + 1 : le
      let text = Array(input[ls..<le])
      let blank = text.isEmpty || text == [0x0D]
      let separator = input.withUnsafeBufferPointer {
        FromLine.isSeparator($0, from: ls, to: le, strict: !prevBlank)
      }
      if isMbox == nil, !blank {
        isMbox = separator
        if !separator {
          start = ls
          startLine = line
          break
        }
      }
      if isMbox == true, separator {
        cut(upTo: ls)
        from = Array(input[ls..<next])
        start = next
        startLine = line + 1
        quoted = false
        prevBlank = false
      } else {
        let depth = text.prefix { $0 == UInt8(ascii: ">") }.count
        if depth > 0, text.dropFirst(depth).starts(with: Array("From ".utf8)) { quoted = true }
        prevBlank = blank
      }
      ls = next
      line += 1
    }
    if isMbox == nil { return [] }
    cut(upTo: input.count)
    return out
  }

  @Test(arguments: Fixture.mailFiles)
  func fixturesAgree(file: String) {
    for input in [Fixture.bytes(file), Fixture.crlf(Fixture.bytes(file))] {
      let expected = Self.lineByLine(input)
      #expect(MboxSplitter.split(input) == expected, "\(file)")
      #expect(
        splitInChunks(DripFeed.randomChunks(input, seed: 3, maxChunk: 700)) == expected, "\(file)")
    }
  }

  @Test func randomInputsAgree() {
    let lines = [
      "From a@b Mon Jan  2 03:04:05 2023", "From a@b Mon Jan  2 03:04:05 2023\r",
      "From someone 12:00 2023 loose", "From: A <a@b>", "From", "F", "Fixes: 1234",
      ">From quoted", ">>From deeper", "> From not", "x>From mid-line", "text with F in it",
      "", "\r", " ", "body", "-> From arrow", ">", ">>",
    ]
    var rng = SeededGenerator(seed: 2026)
    for round in 0..<400 {
      var text = ""
      for _ in 0..<Int.random(in: 0...40, using: &rng) {
        text += (lines.randomElement(using: &rng) ?? "") + "\n"
      }
      if Bool.random(using: &rng) { text += lines.randomElement(using: &rng) ?? "" }
      let input = Array(text.utf8)
      let expected = Self.lineByLine(input)
      #expect(MboxSplitter.split(input) == expected, "round \(round): \(text.debugDescription)")
      let chunks = DripFeed.randomChunks(input, seed: UInt64(round), maxChunk: 24)
      #expect(
        splitInChunks(chunks) == expected, "round \(round) in chunks: \(text.debugDescription)")
      #expect(splitInChunks(input.map { [$0] }) == expected, "round \(round) byte by byte")
    }
  }
}
