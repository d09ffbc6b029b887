import Diagnostics
import TestSupport
import Testing

@testable import Diff

/// Diagnostics land where the `⟪1⟫` marker in the fixture says.
@Suite struct DiagnosticTests {
  struct Case: Sendable, CustomStringConvertible {
    var fixture: String
    var id: MessageID
    var description: String { fixture }
  }

  static let cases = [
    Case(fixture: "hunk-count-mismatch-short.diff", id: "diff.hunk-count-mismatch"),
    Case(fixture: "hunk-count-mismatch-long.diff", id: "diff.hunk-count-mismatch"),
    Case(fixture: "truncated.diff", id: "diff.truncated"),
    Case(fixture: "bad-hunk-header.diff", id: "diff.bad-hunk-header"),
    Case(fixture: "garbage.diff", id: "diff.garbage"),
  ]

  @Test(arguments: cases) func diagnosticAtMarker(c: Case) throws {
    let (text, markers) = Fixtures.load(c.fixture)
    let marker = try #require(markers["1"])
    let (_, diagnostics) = DiffParser.parse(text, file: c.fixture, firstLine: 1)
    #expect(diagnostics.map(\.id) == [c.id])
    #expect(diagnostics.first?.location == SourceLocation(file: c.fixture, line: marker.line))
  }

  @Test func shortHunkKeepsWhatItReadAndTheNextFile() throws {
    let (diff, _) = Fixtures.parse("hunk-count-mismatch-short.diff")
    #expect(diff.files.count == 2)
    let h = try #require(diff.files.first?.hunks.first)
    #expect(h.lines.count == 6 && h.actualOldLines == 5 && h.actualNewLines == 5)
    #expect(diff.files.last?.hunks.first?.countsMatch == true)
  }

  @Test func longHunkKeepsTheExtraLineButNotTheSignature() throws {
    let (diff, _) = Fixtures.parse("hunk-count-mismatch-long.diff")
    let h = try #require(diff.files.first?.hunks.first)
    #expect(h.lines.map(\.kind).suffix(2) == [.added, .added] && h.actualNewLines == 5)
    #expect(diff.trailer.map(\.text) == ["-- ", "2.39.5", ""])
    #expect(diff.preamble.count == 2)
  }

  @Test func truncatedHunkKeepsThePartialLine() throws {
    let (diff, diagnostics) = Fixtures.parse("truncated.diff")
    let h = try #require(diff.files.first?.hunks.first)
    #expect(h.lines.last?.text == "\tif (s-" && h.lines.last?.ending == LineEnding.none)
    #expect(diagnostics.first?.message.contains("-25,7 +25,7") == true)
  }

  @Test func badHunkHeaderKeepsTheBodyAsText() throws {
    let (diff, _) = Fixtures.parse("bad-hunk-header.diff")
    let f = try #require(diff.files.first)
    #expect(f.hunks.isEmpty && f.malformedHunkLines == [5])
    #expect(f.headers.filter { $0.kind == .unrecognized }.count == 5)
  }

  @Test func garbageBetweenHunksStaysWithTheFirst() throws {
    let (diff, _) = Fixtures.parse("garbage.diff")
    let f = try #require(diff.files.first)
    #expect(f.hunks.count == 2)
    #expect(f.hunks[0].trailing.map(\.line) == [10])
    #expect(f.hunks.allSatisfy { $0.countsMatch })
  }

  @Test func shortHunkAtTheEndOfAReplyIsAMismatchNotTruncation() {
    let text = """
      diff --git a/x b/x
      --- a/x
      +++ b/x
      ⟪1⟫@@ -1,4 +1,4 @@
       a
      -b
      +c

      Thanks,
      Ada

      """
    let (clean, markers) = Markers.extract(text)
    let (diff, diagnostics) = DiffParser.parse(clean, file: "reply")
    #expect(diagnostics.map(\.id) == ["diff.hunk-count-mismatch"])
    #expect(diagnostics.first?.location.line == markers["1"]?.line)
    // The blank line before the prose is handed back to the trailer.
    #expect(diff.trailer.map(\.text) == ["", "Thanks,", "Ada"])
  }

  /// A hunk one removed line short before format-patch's signature: the signature is not read
  /// as the missing `-` line.
  @Test func shortHunkBeforeTheSignature() {
    let text = """
      diff --git a/x b/x
      --- a/x
      +++ b/x
      ⟪1⟫@@ -1,3 +1,2 @@
       a
       b
      --\u{20}
      2.39.5

      """
    let (clean, markers) = Markers.extract(text)
    let (diff, diagnostics) = DiffParser.parse(clean, file: "mail")
    #expect(diagnostics.map(\.id) == ["diff.hunk-count-mismatch"])
    #expect(diagnostics.first?.location.line == markers["1"]?.line)
    #expect(diff.trailer.map(\.text) == ["-- ", "2.39.5"])
    #expect(diff.print() == clean)
  }

  @Test func missingPlusLine() {
    let text = "diff --git a/x b/x\n--- a/x\nnot plus\n"
    let (diff, diagnostics) = DiffParser.parse(text, file: "f")
    #expect(diagnostics.map(\.id) == ["diff.bad-file-header"])
    #expect(diff.print() == text)
    let cut = "diff --git a/x b/x\n--- a/x\n"
    #expect(DiffParser.parse(cut, file: "f").1.map(\.id) == ["diff.truncated"])
  }

  /// Content lines that look like a plain diff's `---`/`+++` pair, when the counts want them.
  @Test func dashDashContentLines() throws {
    let text = """
      --- a/q.sql
      +++ b/q.sql
      @@ -1,2 +1,2 @@
       select 1;
      --- old comment
      +++ new comment
      @@ -9 +9 @@
      -x
      +y

      """
    let (diff, diagnostics) = DiffParser.parse(text, file: "q")
    #expect(diagnostics.isEmpty && diff.files.count == 1)
    let f = try #require(diff.files.first)
    #expect(
      f.hunks.count == 2
        && f.hunks[0].lines.map(\.text) == ["select 1;", "-- old comment", "++ new comment"])
  }

  @Test func fileHeadersWithoutHunks() {
    let cut = "--- a/x\n+++ b/x\n"
    let (diff, diagnostics) = DiffParser.parse(cut, file: "f")
    #expect(diff.files.count == 1 && diagnostics.map(\.id) == ["diff.truncated"])
    let prose = "diff --git a/x b/x\n--- a/x\n+++ b/x\nno hunks here\n"
    #expect(DiffParser.parse(prose, file: "f").1.map(\.id) == ["diff.missing-hunks"])
    #expect(DiffParser.parse(prose, file: "f").0.print() == prose)
  }

  @Test func indexWithoutHunksIsTruncated() {
    let text = "diff --git a/x b/x\nindex 1234567..89abcde 100644\n"
    #expect(DiffParser.parse(text, file: "f").1.map(\.id) == ["diff.truncated"])
    let emptyNew = "diff --git a/x b/x\nnew file mode 100644\nindex 0000000..e69de29\n"
    #expect(DiffParser.parse(emptyNew, file: "f").1.isEmpty)
  }

  @Test func truncatedBinaryPatch() {
    let text =
      "diff --git a/b b/b\nindex 1234567..89abcde 100644\nGIT binary patch\nliteral 3\nKcmZQz\n"
    let (_, diagnostics) = DiffParser.parse(text, file: "f")
    #expect(diagnostics.map(\.id) == ["diff.truncated"])
    #expect(diagnostics.first?.location.line == 3)
  }
}
