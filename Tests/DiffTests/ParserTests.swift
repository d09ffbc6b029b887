import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import Diff

@Suite struct ParserTests {
  @Test(arguments: Fixtures.clean) func cleanFixturesHaveNoDiagnostics(name: String) {
    let (diff, diagnostics) = Fixtures.parse(name)
    #expect(diagnostics == [], "\(name)")
    #expect(!diff.files.isEmpty, "\(name)")
    #expect(diff.files.allSatisfy { $0.hunks.allSatisfy { $0.countsMatch } })
  }

  @Test func plainEdit() throws {
    let (diff, _) = Fixtures.parse("plain-edit.diff")
    #expect(diff.preamble.isEmpty && diff.trailer.isEmpty)
    let f = try #require(diff.files.first)
    #expect(diff.files.count == 1)
    #expect(f.oldPath == "arch/demo/kernel/patchsite.c")
    #expect(f.newPath == "arch/demo/kernel/patchsite.c")
    #expect(f.path == "arch/demo/kernel/patchsite.c")
    #expect(!f.isNew && !f.isDeleted && !f.isRename && !f.isBinary)
    #expect(f.added == 1 && f.removed == 1)
    #expect(f.headers.map(\.line) == [1, 2, 3, 4])
    guard case .index(let old, let new, let mode) = f.headers[1].kind else {
      Issue.record("no index header")
      return
    }
    #expect((old, new, mode) == ("648642d", "2414be6", "100644"))
    let h = try #require(f.hunks.first)
    #expect((h.oldStart, h.oldLines, h.newStart, h.newLines) == (25, 7, 25, 7))
    #expect(h.oldCountWritten && h.newCountWritten)
    #expect(h.section == "static int site_write(struct site *s, u32 old, u32 new)")
    #expect(h.line == 5)
    #expect(h.lines.map(\.line) == Array(6...13))
    #expect(
      h.lines.map(\.kind) == [
        .context, .context, .context, .removed, .added, .context, .context, .context,
      ])
    #expect(h.lines[3].text == "\t\treturn -EBUSY;")
    #expect(f.removedLines.map(\.text) == ["\t\treturn -EBUSY;"])
    #expect(f.addedLines.map(\.text) == ["\t\treturn -EAGAIN;"])
    #expect(h.leadingContext == 3 && h.trailingContext == 3)
  }

  @Test func severalFiles() {
    let (diff, _) = Fixtures.parse("several-files.diff")
    #expect(
      diff.files.map(\.path) == ["arch/demo/kernel/notes.txt", "arch/demo/kernel/patchsite.c"])
    #expect(diff.files.map(\.hunks.count) == [1, 2])
    #expect(diff.files[1].hunks.map(\.added) == [1, 1])
    #expect(diff.added == 4 && diff.removed == 3)
  }

  @Test func newFile() throws {
    let f = try #require(Fixtures.parse("new-file.diff").0.files.first)
    #expect(f.isNew && !f.isDeleted)
    #expect(f.oldPath == nil && f.newPath == "arch/demo/new.c" && f.path == "arch/demo/new.c")
    #expect(f.newMode == "100644")
    #expect(
      f.hunks.first.map { ($0.oldStart, $0.oldLines, $0.newStart, $0.newLines) } ?? (9, 9, 9, 9)
        == (0, 0, 1, 2))
  }

  @Test func deletedFile() throws {
    let f = try #require(Fixtures.parse("deleted-file.diff").0.files.first)
    #expect(f.isDeleted && !f.isNew)
    #expect(f.oldPath == "arch/demo/doomed.c" && f.newPath == nil && f.path == "arch/demo/doomed.c")
    #expect(f.oldMode == "100644" && f.removed == 2 && f.added == 0)
  }

  @Test func renameWithoutChanges() throws {
    let f = try #require(Fixtures.parse("rename-100.diff").0.files.first)
    #expect(f.isRename && f.similarity == 100 && f.hunks.isEmpty)
    #expect(f.oldPath == "arch/demo/old-name.h" && f.newPath == "arch/demo/new-name.h")
    #expect(f.headers.map(\.kind).contains(.renameFrom("arch/demo/old-name.h")))
  }

  @Test func renameWithChanges() throws {
    let f = try #require(Fixtures.parse("rename-with-changes.diff").0.files.first)
    #expect(f.isRename && f.hunks.count == 1 && f.similarity.map { $0 < 100 } == true)
    #expect(f.oldPath == "arch/demo/moved.h" && f.newPath == "arch/demo/include/moved.h")
  }

  @Test func copy() throws {
    let f = try #require(Fixtures.parse("copy.diff").0.files.first)
    #expect(f.isCopy && !f.isRename && f.similarity == 86)
    #expect(f.oldPath == "arch/demo/moved.h" && f.newPath == "arch/demo/copied.h")
  }

  @Test func modeChangeOnly() throws {
    let f = try #require(Fixtures.parse("mode-change.diff").0.files.first)
    #expect(f.hunks.isEmpty && f.oldMode == "100644" && f.newMode == "100755")
    #expect(f.path == "arch/demo/run.sh")
  }

  @Test func binaryMarker() throws {
    let f = try #require(Fixtures.parse("binary-marker.diff").0.files.first)
    #expect(f.isBinary && f.binaryPatch == nil && f.hunks.isEmpty)
    #expect(
      f.headers.last?.kind
        == .binaryFilesDiffer(oldPath: "arch/demo/blob.bin", newPath: "arch/demo/blob.bin"))
  }

  @Test func gitBinaryPatch() throws {
    let f = try #require(Fixtures.parse("git-binary-patch.diff").0.files.first)
    #expect(f.isBinary)
    let block = try #require(f.binaryPatch)
    #expect(block.first?.kind == .gitBinaryPatch)
    // literal, data, blank; twice.
    #expect(block.count == 7)
    #expect(block[1].text == "literal 11" && block[3].text.isEmpty)
  }

  @Test func noNewlineMarkers() throws {
    let old = try #require(Fixtures.parse("no-newline-old.diff").0.files.first?.hunks.first)
    #expect(old.lines.filter(\.hasNoNewline).map(\.kind) == [.removed])
    let new = try #require(Fixtures.parse("no-newline-new.diff").0.files.first?.hunks.first)
    #expect(new.lines.filter(\.hasNoNewline).map(\.kind) == [.added])
    let both = try #require(Fixtures.parse("no-newline-both.diff").0.files.first?.hunks.first)
    let marked = try #require(both.lines.last)
    #expect(marked.kind == .context && marked.hasNoNewline)
    #expect(marked.noNewline?.text == "\\ No newline at end of file")
    #expect(marked.noNewline?.line == 10)
  }

  @Test func crlfPatch() throws {
    let (diff, _) = Fixtures.parse("crlf-patch.diff")
    let f = try #require(diff.files.first)
    #expect(f.path == "arch/demo/kernel/patchsite.c")
    #expect(f.headers.allSatisfy { $0.ending == .crlf })
    let h = try #require(f.hunks.first)
    #expect(h.section == "static int site_write(struct site *s, u32 old, u32 new)")
    #expect(h.lines.allSatisfy { $0.ending == .crlf && !$0.text.hasSuffix("\r") })
  }

  @Test func formatPatchMail() throws {
    let (diff, _) = Fixtures.parse("format-patch-mail.txt")
    #expect(diff.preamble.count == 11)
    #expect(diff.preamble.contains { $0.text == "---" })
    #expect(
      diff.files.map(\.path) == [
        "arch/demo/kernel/notes.txt", "arch/demo/kernel/patchsite.c", "arch/demo/mail.txt",
      ])
    #expect(diff.files[2].isNew)
    #expect(diff.trailer.map(\.text) == ["-- ", "2.39.5", ""])
    #expect(diff.trailer.first?.line == 41)
    #expect(diff.files.allSatisfy { $0.trailing.isEmpty })
  }

  @Test func signatureAfterARemovedLine() throws {
    let (diff, diagnostics) = Fixtures.parse("signature-after-removal.txt")
    #expect(diagnostics.isEmpty)
    let h = try #require(diff.files.first?.hunks.first)
    #expect(h.lines.last?.text == "third note" && h.lines.last?.kind == .removed)
    #expect(diff.trailer.map(\.text) == ["-- ", "2.39.5", "", ""])
  }

  @Test func hunkHeadersWithoutCounts() throws {
    let (diff, _) = Fixtures.parse("no-counts.diff")
    let a = try #require(diff.files.first?.hunks.first)
    #expect((a.oldStart, a.oldLines, a.newStart, a.newLines) == (1, 1, 1, 1))
    #expect(!a.oldCountWritten && !a.newCountWritten && a.section == nil)
    let b = try #require(diff.files.last?.hunks.first)
    #expect((b.oldLines, b.newLines, b.oldCountWritten, b.newCountWritten) == (1, 2, false, true))
    #expect(b.section == "header")
  }

  @Test func bareContextLine() throws {
    let h = try #require(Fixtures.parse("bare-context.diff").0.files.first?.hunks.first)
    #expect(h.lines.first?.isBare == true && h.lines.first?.kind == .context)
    #expect(h.countsMatch)
  }

  @Test func plainDiffU() throws {
    let f = try #require(Fixtures.parse("plain-diff-u.diff").0.files.first)
    #expect(f.headers.count == 2 && f.path == "list.txt")
    #expect(f.hunks.first?.newLines == 5)
  }

  @Test func quotedPaths() {
    let (diff, _) = Fixtures.parse("quoted-paths.diff")
    #expect(diff.files.map(\.path) == ["arch/demo/caf\u{e9} menu.txt", "arch/demo/with space.txt"])
    #expect(
      diff.files.first?.headers.first?.kind
        == .diffGit(
          oldPath: "arch/demo/caf\u{e9} menu.txt", newPath: "arch/demo/caf\u{e9} menu.txt"))
    #expect(
      diff.files.last?.headers.first?.kind
        == .diffGit(oldPath: "arch/demo/with space.txt", newPath: "arch/demo/with space.txt"))
  }

  @Test func bodyWithoutDiff() {
    let text = "Hello,\n\nthis mail has no patch.\n--- \n+++ not a diff\n-- \nsig\n"
    let (diff, diagnostics) = DiffParser.parse(text, file: "m")
    #expect(diff.files.isEmpty && diagnostics.isEmpty)
    #expect(diff.preamble.count == 7 && diff.print() == text)
  }

  @Test func firstLineOffsetsEveryLocation() throws {
    let (diff, _) = DiffParser.parse(Fixtures.text("plain-edit.diff"), file: "m", firstLine: 101)
    let f = try #require(diff.files.first)
    #expect(f.line == 101 && f.hunks.first?.line == 105 && f.hunks.first?.lines.first?.line == 106)
  }

  @Test func strictThrowsTheFirstProblem() {
    #expect(throws: InputError.self) {
      try DiffParser.parseStrict(Fixtures.text("truncated.diff"), file: "t")
    }
    do {
      _ = try DiffParser.parseStrict(Fixtures.text("garbage.diff"), file: "g")
      Issue.record("no error")
    } catch {
      #expect(error.id == "diff.garbage" && error.location.line == 10)
    }
    #expect((try? DiffParser.parseStrict(Fixtures.text("plain-edit.diff"), file: "p")) != nil)
  }

  @Test func builtHunkWritesGitStyleHeader() {
    let h = Hunk(
      oldStart: 3, oldLines: 1, newStart: 3, newLines: 2, section: "f()",
      lines: [HunkLine(.removed, "a"), HunkLine(.added, "b"), HunkLine(.added, "c")])
    #expect(h.headerText == "@@ -3 +3,2 @@ f()")
    #expect(h.print() == "@@ -3 +3,2 @@ f()\n-a\n+b\n+c\n")
    #expect(h.countsMatch)
  }
}

/// `git apply --numstat` is the oracle for paths and counts on every fixture git reads.
@Suite struct NumstatOracleTests {
  @Test(arguments: Fixtures.names) func numstatAgreesWithGit(name: String) throws {
    guard let git = Tools.oracle("git") else { return }
    let dir = try Tools.makeTemporaryDirectory("diff-numstat")
    defer { Tools.removeTemporaryDirectory(dir) }
    let text = Fixtures.text(name)
    let out = try Tools.run(git, ["apply", "--numstat", "-"], stdin: Data(text.utf8), cwd: dir)
    guard out.status == 0 else { return }
    let theirs = out.stdout.split(separator: "\n").map { line -> String in
      let parts = line.split(separator: "\t", maxSplits: 2)
      guard parts.count == 3 else { return String(line) }
      let path = PathParsing.unquote(parts[2])?.name ?? String(parts[2])
      return "\(parts[0])\t\(parts[1])\t\(path)"
    }
    let diff = DiffParser.parse(text, file: name).0
    let ours = diff.files.map {
      $0.isBinary ? "-\t-\t\($0.path)" : "\($0.added)\t\($0.removed)\t\($0.path)"
    }
    if name == "hunk-count-mismatch-long.diff" {
      // git stops at the count; we keep the extra line.
      #expect(
        ours == ["2\t0\tarch/demo/kernel/notes.txt"]
          && theirs == ["1\t0\tarch/demo/kernel/notes.txt"])
    } else {
      #expect(ours == theirs, "\(name)")
    }
  }
}

@Suite struct StrayTextTests {
  @Test func proseBetweenFilePatchesStaysWithTheFirst() throws {
    let text = """
      Here is what I mean:

      --- a/x.c
      +++ b/x.c
      @@ -1 +1 @@
      -a
      +b

      and for y, try:

      diff --git a/y.c b/y.c
      --- a/y.c
      +++ b/y.c
      @@ -2,0 +3 @@
      +c

      Thanks

      """
    let (diff, diagnostics) = DiffParser.parse(text, file: "reply")
    #expect(diagnostics.isEmpty)
    #expect(diff.files.map(\.path) == ["x.c", "y.c"])
    #expect(diff.files[0].trailing.map(\.text) == ["", "and for y, try:", ""])
    #expect(diff.files[0].trailing.first?.line == 8)
    #expect(diff.trailer.map(\.text) == ["", "Thanks"])
    #expect(diff.preamble.count == 2)
    #expect(diff.print() == text)
  }

  @Test func garbageInsideTheHeaderBlock() throws {
    let text = """
      diff --git a/x b/x
      index 1234567..89abcde 100644
      ⟪1⟫stray words
      --- a/x
      +++ b/x
      @@ -1 +1 @@
      -a
      +b

      """
    let (clean, markers) = Markers.extract(text)
    let (diff, diagnostics) = DiffParser.parse(clean, file: "g")
    #expect(diagnostics.map(\.id) == ["diff.garbage"])
    #expect(diagnostics.first?.location.line == markers["1"]?.line)
    let f = try #require(diff.files.first)
    #expect(f.headers.map(\.kind).contains(.unrecognized) && f.hunks.count == 1)
    #expect(f.path == "x" && diff.print() == clean)
  }

  @Test func noNewlineMarkerWithoutALineIsStray() {
    let text = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n\\ No newline at end of file\n-a\n+b\n"
    let (diff, diagnostics) = DiffParser.parse(text, file: "n")
    #expect(diagnostics.map(\.id).contains("diff.hunk-count-mismatch"))
    #expect(diff.print() == text)
  }
}

@Suite struct LineNumberTests {
  @Test func numberedLinesFollowTheHeader() throws {
    let f = try #require(Fixtures.parse("several-files.diff").0.files.last)
    let h = try #require(f.hunks.last)
    let numbered = h.numberedLines
    #expect(numbered.map(\.oldLine) == [32, 33, 34, 35, nil, 36, 37, 38])
    #expect(numbered.map(\.newLine) == [32, 33, 34, nil, 35, 36, 37, 38])
    #expect(f.addedLine(atNewLine: 35)?.text == "\treturn site_write(s, 0xd503233f, call);")
    #expect(f.location(ofNewLine: 35) == SourceLocation(file: "several-files.diff", line: 29))
    #expect(f.addedLine(atNewLine: 34) == nil && f.addedLine(atNewLine: 1) == nil)
  }

  @Test func newFileNumbersFromOne() throws {
    let f = try #require(Fixtures.parse("new-file.diff").0.files.first)
    #expect(f.hunks.first?.numberedLines.map(\.newLine) == [1, 2])
    #expect(f.addedLine(atNewLine: 2)?.text == "file here")
  }

  /// Numbering agrees with the applied result on generated patches: the added line at new line
  /// n is line n of the result.
  @Test func addedLinesAreWhereApplyPutsThem() throws {
    let seed: UInt64 = 0x1111_0001
    var rng = SeededGenerator(seed: seed)
    for round in 0..<200 {
      let (old, new) = ApplyTests.randomPair(&rng)
      guard let new else { continue }
      let text = DiffMaker.patch(path: "f", old: old, new: new)
      guard let f = DiffParser.parse(text, file: "g").0.files.first else { continue }
      let result = DiffMaker.lines(try f.apply(to: old) ?? "")
      for h in f.hunks {
        for n in h.numberedLines where n.line.kind == .added {
          let k = try #require(n.newLine)
          // A `\r` before the newline is the line's ending in the patch, text in the file.
          let text = n.line.text + (n.line.ending == .crlf ? "\r" : "")
          #expect(result[k - 1].text == text, "seed \(seed) round \(round)")
        }
      }
    }
  }
}
