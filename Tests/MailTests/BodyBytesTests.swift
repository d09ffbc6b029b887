import Foundation
import TestSupport
import Testing

@testable import Mail

/// Trailers as they were read from `String` lines before the readers went to bytes: the oracle
/// the byte readers are held to.
private enum StringTrailers {
  static func lines(_ body: String) -> [Substring] {
    body.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.last == "\r" ? $0.dropLast() : $0
    }
  }

  static func inPatch(_ body: String) -> [Trailer] {
    let lines = lines(body)
    var end = lines.count
    for (k, l) in lines.enumerated() {
      let diffStart =
        l.hasPrefix("--- ") && k + 1 < lines.count && lines[k + 1].hasPrefix("+++ ")
        || l.hasPrefix("diff --git ") || l.hasPrefix("Index: ")
      if l == "---" || diffStart || l.trimmingASCIISpaces() == "---" {
        end = k
        break
      }
    }
    var last = end - 1
    while last >= 0, lines[last].trimmingASCIISpaces().isEmpty { last -= 1 }
    guard last >= 0 else { return [] }
    var first = last
    while first > 0, !lines[first - 1].trimmingASCIISpaces().isEmpty { first -= 1 }
    var trailers: [Trailer] = []
    var trailerLines = 0
    var knownSeen = false
    var otherLines = 0
    for k in first...last {
      let l = lines[k]
      if let f = l.first, f == " " || f == "\t", !trailers.isEmpty {
        trailers[trailers.count - 1].value += " " + l.trimmingASCIISpaces()
        trailerLines += 1
        continue
      }
      if let t = parseLine(l, line: 1 + k) {
        trailers.append(t)
        trailerLines += 1
        if Trailers.isKnown(t.name) { knownSeen = true }
      } else {
        otherLines += 1
      }
    }
    let total = last - first + 1
    if otherLines == 0 || (knownSeen && trailerLines * 4 >= total) { return trailers }
    return []
  }

  static func inReply(_ body: String) -> [Trailer] {
    var out: [Trailer] = []
    for (k, l) in lines(body).enumerated() {
      if l == "-- " { break }
      guard let f = l.first, f != ">", f != " ", f != "\t" else { continue }
      if let t = parseLine(l, line: 1 + k),
        Trailers.isKnown(t.name) || Bytes.asciiLowercased(t.name).hasSuffix("-by")
      {
        out.append(t)
      }
    }
    return out
  }

  static func parseLine(_ l: Substring, line: Int) -> Trailer? {
    guard let colon = l.firstIndex(of: ":") else { return nil }
    let name = l[..<colon]
    guard let f = name.first, f.isASCII, f.isLetter, name.count <= 64,
      name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    else { return nil }
    let after = l[l.index(after: colon)...]
    guard let a = after.first, a == " " || a == "\t" else { return nil }
    let value = after.trimmingASCIISpaces()
    guard !value.isEmpty else { return nil }
    return Trailer(name: String(name), value: String(value), line: line)
  }
}

/// Lines a body can be made of, trailers, look-alikes and the lines that end a commit message.
private let vocabulary = [
  "", "  ", "\t", "Title of the patch", "Some prose: with a colon.", "Signed-off-by: A <a@x>",
  "Reviewed-by: Bo <bo@x>", "Acked-by: Jos\u{e9} <j@x>", "Frobbed-by: F <f@x>", "Custom-Token: v",
  "Link: https://x.org/1", "https://x.org/not-a-trailer", "Cc: stable@vger.kernel.org # 6.1",
  "  continued value", "\tcontinued with a tab", "[ada: reworded]", "Naïve: not a token",
  "X-9: digits", "9x: starts with a digit", "Reviewed-by:", "Reviewed-by:   ", "Tested-by:\tT <t>",
  "---", " --- ", "--- a/x", "+++ b/x", "--- not a file", "diff --git a/x b/x", "Index: x",
  "-- ", "--", "> Reviewed-by: quoted", "lone\rCR", "Fixes: 0123456789ab (\"x\")",
]

@Test func trailersFromBytesAreTrailersFromText() {
  var rng = SeededGenerator(seed: 13)
  for n in 0..<3000 {
    let count = Int.random(in: 0...12, using: &rng)
    var body = (0..<count).map { _ in vocabulary.randomElement(using: &rng) ?? "" }
      .joined(separator: "\n")
    if Bool.random(using: &rng) { body += "\n" }
    #expect(
      Trailers.inPatch(body: body) == StringTrailers.inPatch(body), "\(n): \(body.debugDescription)"
    )
    #expect(
      Trailers.inReply(body: body) == StringTrailers.inReply(body), "\(n): \(body.debugDescription)"
    )
  }
}

/// Every message of the mbox and message fixtures and of the examples.
private func fixtureMessages() throws -> [Message] {
  let dir = Fixture.directory
  let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
    $0.hasSuffix(".mbox") || $0.hasSuffix(".eml")
  }
  let series = try FileManager.default.contentsOfDirectory(atPath: Tools.packageRoot() + "/Series")
    .map { Tools.packageRoot() + "/Series/\($0)/series.mbox" }
    .filter { FileManager.default.fileExists(atPath: $0) }
  return try (names.map { dir + "/" + $0 } + series).flatMap {
    try MailInput.load(path: $0).messages
  }
}

@Test func trailersFromBytesOfEveryFixture() throws {
  for m in try fixtureMessages() {
    #expect(Trailers.inPatch(body: m.body) == StringTrailers.inPatch(m.body), "\(m.location)")
    #expect(Trailers.inReply(body: m.body) == StringTrailers.inReply(m.body), "\(m.location)")
  }
}

/// A CRLF body (as a caller may hand one over; decoded bodies have LF) is read by lines.
@Test func crlfLinesAreLines() {
  let t = Trailers.inPatch(body: "Title\r\n\r\nSigned-off-by: A <a@x>\r\n---\r\n")
  #expect(t.map(\.value) == ["A <a@x>"])
}

/// The bytes `withBodyUTF8` gives are the body's, and exact ones map lines as `inputLine`.
@Test func bodyBytesAreTheBody() throws {
  var exact = 0
  var decoded = 0
  for m in try fixtureMessages() {
    let (bytes, isExact) = m.withBodyUTF8 { (Array($0), $1) }
    #expect(bytes == Array(m.body.utf8), "\(m.location)")
    if isExact {
      exact += 1
      #expect(m.inputLine(forBodyLine: 3) == m.bodyStartLine + 2)
    } else {
      decoded += 1
    }
  }
  #expect(exact > 0 && decoded > 0)
}

@Test func utf8ValidationIsStringValidation() {
  var rng = SeededGenerator(seed: 7)
  let samples: [[UInt8]] = [
    [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
    [0xF0, 0x90, 0x80, 0x80], [0xE2, 0x82, 0xAC], [0xC3], [0xFF], Array("plain".utf8),
  ]
  var all = samples
  for _ in 0..<5000 {
    all.append(
      (0..<Int.random(in: 0...6, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
  }
  for bytes in all {
    let valid = bytes.withUnsafeBufferPointer { Bytes.isValidUTF8($0) }
    #expect(valid == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
  }
}

@Test func subjectsFromBytesAreSubjectsFromText() {
  let words = [
    "Re:", "RE :", "Aw:", "Fwd:", "Fw:", "Re[2]:", "Re(3):", "Re[x]:", "re", "[PATCH", "[PATCH]",
    "[RFC", "PATCH", "v2", "V3", "PATCHv4", "PATCH-v5", "PATCH_v6", "patchrfcv7", "RFCv8",
    "v12345", "v", "3/4]", "03/10]", "1/2/3]", "123456/2]", "/4]", "bpf-next", "RESEND", "patches",
    "]", "[", ",", "arm64:", "ftrace:", "title", "x", "", "  ", "[PATCH 0/3]", "[PATCH,v2,1/2]",
    "[]", "Sv:", "Antw:",
  ]
  var rng = SeededGenerator(seed: 99)
  for n in 0..<4000 {
    let count = Int.random(in: 0...8, using: &rng)
    let separator = Bool.random(using: &rng) ? " " : ""
    let subject = (0..<count).map { _ in words.randomElement(using: &rng) ?? "" }
      .joined(separator: separator)
    #expect(
      PatchSubject.parse(subject) == PatchSubject.parseText(subject),
      "\(n): \(subject.debugDescription)")
  }
}

@Test func usualDatesAreReadAsEveryDate() {
  var rng = SeededGenerator(seed: 5)
  let weekdays = ["Mon, ", "Tue, ", "sun, ", "Xyz, ", "", "Mon,", "Jan, "]
  let months = ["Jan", "feb", "DEC", "Mar", "Foo", "Sept"]
  var usual = 0
  for n in 0..<4000 {
    let day =
      [String(Int.random(in: 0...33, using: &rng)), "07", "123"].randomElement(using: &rng) ?? ""
    let year = ["2024", "1999", "24", "0999", "99999"].randomElement(using: &rng) ?? ""
    let time = String(
      format: "%02d:%02d:%02d", Int.random(in: 0...25, using: &rng),
      Int.random(in: 0...61, using: &rng), Int.random(in: 0...61, using: &rng))
    let zone =
      ["+0100", "-0500", "+0000", "-0000", "GMT", "+01:00", "+1", "(CET)"].randomElement(
        using: &rng) ?? ""
    let text =
      "\(weekdays.randomElement(using: &rng) ?? "")\(day) \(months.randomElement(using: &rng) ?? "") \(year) \(time) \(zone)"
    var bytes = text
    if let fast = bytes.withUTF8(MailDate.parseUsual) {
      usual += 1
      #expect(fast == MailDate.parseTokens(text), "\(n): \(text)")
    }
    #expect(MailDate.parse(text) == MailDate.parseTokens(text), "\(n): \(text)")
    if let d = MailDate.parse(text) {
      #expect(d.iso8601.utf8.count == 25, "\(text): \(d.iso8601)")
    }
  }
  #expect(usual > 100)
  let odd = MailDate(
    year: 12345, month: 1, day: 2, hour: 3, minute: 4, second: 5, offsetMinutes: -6001)
  #expect(odd.iso8601 == "12345-01-02T03:04:05-100:01")
}

@Test func mailboxesAndIdsFromBytesAreThoseFromText() {
  let pieces = [
    "Ada Reviewer", " <ada@example.org>", "<a@x>", "a@x", "  ", "\t", "<", ">", "Bo,", "Jr.",
    "x@y (Name)", "\"Quoted, Name\"", "\\", "=?UTF-8?q?Zo=C3=AB?=", "Zoë", "<id-1@host>",
    "<id-2@host> <id-3@host>", "< spaced@id >", "<>", "bare@id", "no-at", ",", "@", ";",
  ]
  var rng = SeededGenerator(seed: 21)
  for n in 0..<4000 {
    let value = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
      pieces.randomElement(using: &rng) ?? ""
    }.joined(separator: Bool.random(using: &rng) ? " " : "")
    let fast = Mailbox.parse(value)
    #expect(fast == Mailbox.parseText(value), "\(n): \(value.debugDescription)")
    #expect(
      MessageIDs.all(in: value) == MessageIDs.allText(in: value), "\(n): \(value.debugDescription)")
    if let m = fast {
      let special = m.name.map { $0.contains { ",;:<>@\"()[]\\".contains($0) } } ?? false
      let expected =
        m.name.map { $0.isEmpty } ?? true
        ? m.address
        : special
          ? "\"\(m.name?.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"") ?? "")\" <\(m.address)>"
          : "\(m.name ?? "") <\(m.address)>"
      #expect(m.description == expected, "\(n): \(value.debugDescription)")
    }
  }
}
