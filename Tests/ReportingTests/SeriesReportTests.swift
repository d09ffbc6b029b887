import Diagnostics
import PatchSeries
import TestSupport
import Testing

@testable import Reporting

private let root = Tools.packageRoot()

/// `series --format json` is written a version at a time (`SeriesReport.writeJSON`): whatever
/// the size of its pieces, they join into the bytes of the whole report rendered at once.
@Test(arguments: ["with-args", "call-ops", "in-function-literal", "broken-unsafe-swap"])
func seriesJSONWrittenInPiecesIsTheWholeReport(example: String) throws {
  let set = try SeriesAssembler.read(
    path: root + "/Series/\(example)/series.mbox", keeping: .summaries)
  let whole = SeriesReport.json(set).renderedBytes()
  for chunk in [1, 100, 1 << 20] {
    var pieces: [[UInt8]] = []
    SeriesReport.writeJSON(set, chunk: chunk) { pieces.append($0) }
    #expect(pieces.joined().elementsEqual(whole), "chunk \(chunk)")
    #expect(!pieces.contains { $0.isEmpty })
    if chunk == 1 { #expect(pieces.count == set.versions.count + 1) }
  }
}

/// An empty set, and one with only a diagnostic: the empty arrays are
/// written `[]` as the renderer writes them.
@Test func seriesJSONWrittenInPiecesWhenEmpty() {
  let diagnostic = Diagnostic(
    "series.orphan-reply", .note, at: SourceLocation(file: "a.mbox", line: 3), "a reply")
  for set in [SeriesSet(), SeriesSet(diagnostics: [diagnostic])] {
    var pieces: [[UInt8]] = []
    SeriesReport.writeJSON(set) { pieces.append($0) }
    #expect(Array(pieces.joined()) == SeriesReport.json(set).renderedBytes())
  }
}
