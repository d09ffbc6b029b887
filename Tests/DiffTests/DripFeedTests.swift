import Diagnostics
import TestSupport
import Testing

@testable import Diff

/// The incremental reader gives the same model fed whole, byte by byte and in random chunks, and
/// the same as the one-shot parser.
@Suite struct DripFeedTests {
  struct Production: Equatable, CustomStringConvertible {
    var diff: UnifiedDiff
    var diagnostics: [Diagnostic]
    var description: String { "\(diff.files.count) files, \(diagnostics)" }
  }

  static func feed(_ chunks: [[UInt8]], name: String) -> Production {
    var reader = DiffParser.Incremental(file: name, firstLine: 7)
    for c in chunks { reader.feed(c) }
    let (diff, diagnostics) = reader.finish()
    return Production(diff: diff, diagnostics: diagnostics)
  }

  @Test(arguments: Fixtures.names) func fixture(name: String) {
    let b = bytes(Fixtures.text(name))
    let failure = DripFeed.verify(b, seed: 0xFEED) { Self.feed($0, name: name) }
    #expect(failure == nil, "\(name): \(failure.map { "\($0)" } ?? "")")
    let (diff, diagnostics) = DiffParser.parse(bytes: b, file: name, firstLine: 7)
    #expect(Self.feed([b], name: name) == Production(diff: diff, diagnostics: diagnostics))
  }

  @Test func generatedTexts() {
    let seed: UInt64 = 0xFEED_0002
    var rng = SeededGenerator(seed: seed)
    for round in 0..<200 {
      let b = bytes(RoundTripTests.randomPatchText(&rng))
      let failure = DripFeed.verify(b, seed: seed &+ UInt64(round)) { Self.feed($0, name: "g") }
      #expect(failure == nil, "seed \(seed) round \(round)")
    }
  }

  @Test func crlfSplitAcrossChunks() {
    var reader = DiffParser.Incremental(file: "c")
    reader.feed(Array("a\r".utf8))
    #expect(reader.completeLines == 0)
    reader.feed(Array("\nb".utf8))
    #expect(reader.completeLines == 1)
    let (diff, _) = reader.finish()
    #expect(
      diff.preamble == [
        TextLine("a", ending: .crlf, line: 1), TextLine("b", ending: .none, line: 2),
      ])
  }
}
