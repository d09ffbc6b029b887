import Foundation
import TestSupport
import Testing

@testable import Mail

/// Runs the reader over the real archives in `/work/shared/corpus` (input only, never copied).
@Suite struct CorpusTests {
  static let directory = "/work/shared/corpus"

  static var files: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { $0.hasSuffix(".mbox") }.sorted()
  }

  /// An independent count of separators: lines matching `^From .* [0-9]{4}$` (the regex the
  /// archives' separators satisfy; bodies there are mboxrd-quoted, so no body line matches).
  static func separatorCount(_ text: String) -> Int {
    let regex = /^From .* [0-9]{4}$/
    return text.split(separator: "\n", omittingEmptySubsequences: false).filter {
      (try? regex.wholeMatch(in: $0)) != nil
    }.count
  }

  @Test func everyCorpusMboxReads() throws {
    let files = CorpusTests.files
    guard !files.isEmpty else { return }  // the corpus is not part of the checkout
    for file in files {
      let path = "\(CorpusTests.directory)/\(file)"
      let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
      let expected = CorpusTests.separatorCount(String(decoding: bytes, as: UTF8.self))
      let c = try MailInput.load(path: path)
      print(
        "corpus \(file): \(c.messages.count) messages, \(expected) separators, \(c.diagnostics.count) diagnostics"
      )
      #expect(c.messages.count == expected, "\(file)")
      #expect(c.messages.allSatisfy { $0.subject != nil && $0.from != nil }, "\(file)")
      #expect(c.diagnostics.isEmpty, "\(file): \(c.diagnostics)")
      // Drip-fed the same.
      let failure = DripFeed.verify(bytes, seed: 3) { chunks -> [RawMessage] in
        var s = MboxSplitter()
        for ch in chunks { s.feed(ch) }
        return s.finish()
      }
      #expect(failure == nil, "\(file)")
      // CRLF line endings give the same messages.
      var crlf: [UInt8] = []
      for b in bytes {
        if b == 0x0A { crlf.append(0x0D) }
        crlf.append(b)
      }
      let c2 = try MailInput.parse(bytes: crlf, name: path)
      #expect(c2.messages.map(\.subject) == c.messages.map(\.subject), "\(file)")
      #expect(c2.messages.map(\.body) == c.messages.map(\.body), "\(file)")
      _ = MailThreads.build(c.messages)
      for m in c.messages {
        _ = PatchSubject.parse(m.subject ?? "")
        _ = Trailers.inPatch(body: m.body)
      }
    }
  }
}
