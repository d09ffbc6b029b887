import Foundation
import TestSupport
import Testing

@testable import AArch64

/// The source scanned in pieces (in parallel, for large files) gives exactly what one scan
/// gives: the blanked bytes, the statements and the line starts, or the same first error.
struct SourceScanTests {
  func scan(_ text: String, pieces: Int) -> Result<SourceText, AssemblyError> {
    do throws(AssemblyError) {
      return .success(try SourceText(file: "s.s", text: Array(text.utf8), pieces: pieces))
    } catch {
      return .failure(error)
    }
  }

  /// Compares the one-piece scan with scans in several pieces; returns how many of those
  /// really ran in pieces.
  @discardableResult
  func expectSame(
    _ text: String, _ label: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) -> Int {
    let whole = scan(text, pieces: 1)
    var piecewise = 0
    for pieces in [2, 3, 4, 7, 16] {
      switch (whole, scan(text, pieces: pieces)) {
      case (.success(let a), .success(let b)):
        if b.scannedPieces > 1 { piecewise += 1 }
        #expect(
          a.bytes == b.bytes, "\(label), \(pieces) pieces: bytes", sourceLocation: sourceLocation)
        #expect(
          a.statements == b.statements, "\(label), \(pieces) pieces: statements",
          sourceLocation: sourceLocation)
      case (.failure(let a), .failure(let b)):
        #expect(
          a == b, "\(label), \(pieces) pieces: \(b) instead of \(a)", sourceLocation: sourceLocation
        )
      case (let a, let b):
        Issue.record(
          "\(label), \(pieces) pieces: \(b) instead of \(a)", sourceLocation: sourceLocation)
      }
    }
    return piecewise
  }

  /// Random lines of code, labels, `;`-separated statements, strings with comment markers in
  /// them, `//` and `#` comments, and `/* */` comments spanning lines (so that cuts fall inside
  /// them and the pieces after must be undone).
  @Test func randomSourcesAgree() {
    let seed = UInt64(ProcessInfo.processInfo.environment["SCAN_SEED"] ?? "") ?? 0x5ca9
    var rng = SeededGenerator(seed: seed)
    let pieces = [
      "\tadd\tx0, x1, #1", "lab:", "1:\tb\t1b", "\tnop; nop", "\t.ascii\t\"a // b /* c\"",
      "// a comment", "# 1 \"file.S\"", "\tmov\tx1, x2 // trailing", "/* one line */ nop",
      "/* starts here", "still in it \"", "ends */ ret", "", "   ", "\t.quad\t1, 2 /* x */, 3",
      "x = 4", "\t.string\t\"\\\"q\\\\\"",
    ]
    var piecewise = 0
    for round in 0..<40 {
      var lines: [String] = []
      for _ in 0..<Int.random(in: 1..<80, using: &rng) {
        lines.append(pieces[Int.random(in: 0..<pieces.count, using: &rng)])
      }
      if round % 2 == 0 { lines.removeAll { $0.contains("/*") || $0.contains("\"") } }
      piecewise += expectSame(lines.joined(separator: "\n") + "\n", "seed \(seed) round \(round)")
      expectSame(
        lines.joined(separator: "\r\n"), "seed \(seed) round \(round), CRLF, no final newline")
    }
    // Both paths ran: pieces that were kept, and pieces undone after an error.
    #expect(piecewise > 0)
  }

  @Test func errorsAgree() {
    let body = (0..<50).map { "\tadd\tx\($0 % 30), x1, #\($0)" }
    // An unterminated comment in the middle (it runs over every later cut).
    var a = body
    a[25] = "/* never closed"
    expectSame(a.joined(separator: "\n"), "open comment")
    // An unterminated string late in the file, after a comment that spans a cut.
    var b = body
    b[10] = "/* spans"
    b[30] = "*/"
    b[45] = "\t.ascii\t\"open"
    expectSame(b.joined(separator: "\n"), "open string")
  }

  /// Large enough for the default (parallel) scan; equal to the one-piece scan.
  @Test func defaultScanOfALargeFileAgrees() throws {
    var gen = ProgramGenerator(seed: 0x5ca9)
    var text = ""
    while text.utf8.count < SourceText.piecewiseThreshold + 1000 {
      text += "/* block\n comment */\n" + gen.program(statements: 500)
    }
    let piecewise = try SourceText(file: "s.s", text: Array(text.utf8))
    let whole = try SourceText(file: "s.s", text: Array(text.utf8), pieces: 1)
    #expect(piecewise.bytes == whole.bytes)
    #expect(piecewise.statements == whole.statements)
    #expect(piecewise.scannedPieces == Parallel.workers)
  }

  /// Numeric labels of up to five digits with a value below 65536 carry their value; longer or
  /// larger ones, and names that only start with a digit, stay plain labels, and all of them
  /// resolve as before (`Nb`/`Nf` to the nearest definition).
  @Test func numericLabelsCarryTheirValue() throws {
    let text = "0:\n99: 100:\n00042:\n65535:\n65536:\n123456:\nx1:\n"
    let source = try SourceText(file: "s.s", text: Array(text.utf8), pieces: 1)
    let found = source.statements.map { ($0.kind, $0.wordLength) }
    let want: [(Statement.Kind, UInt16)] = [
      (.numericLabel, 0), (.numericLabel, 99), (.numericLabel, 100), (.numericLabel, 42),
      (.numericLabel, 65535), (.label, 0), (.label, 0), (.label, 0),
    ]
    #expect(found.count == want.count)
    for (f, w) in zip(found, want) { #expect(f == w) }

    var lines: [String] = []
    for n in [7, 99, 100, 42, 65535, 65536, 123456] {
      lines += ["\(n):", "\tb\t\(n)b", "\tb\t\(n)f", "\(n):", "\tnop"]
    }
    let object = try Assembler.assemble(lines.joined(separator: "\n") + "\n", file: "n.s")
    // Each group: `N:` then `b Nb` at +0 (to itself), `b Nf` at +4 (to the second `N:` at +8).
    let words = object.sections[0].items.compactMap(\.word)
    #expect(words.count == 21)
    for g in 0..<7 {
      #expect(words[3 * g] == 0x1400_0000, "group \(g): b \u{2026}b")
      #expect(words[3 * g + 1] == 0x1400_0001, "group \(g): b \u{2026}f")
      #expect(words[3 * g + 2] == 0xD503_201F, "group \(g): nop")
    }
  }

  /// The byte classes written out in the source are the ones their predicates give.
  @Test func byteClassTableIsTheComputedOne() {
    #expect(ByteClass.table == ByteClass.computed)
    #expect(ByteClass.table.count == 256)
  }

  /// Columns come from the bytes (no table of line starts): after tabs, `;`, labels and
  /// blanked comments, and on the first line.
  @Test func itemColumnsAreFoundFromTheBytes() throws {
    let text = "  nop\n\tb 1f ; 1: add x0, x1, x2\n/* c */ ret\nmov x1, x2\n"
    let object = try Assembler.assemble(text, file: "c.s")
    let places = object.sections[0].items.map { ($0.source.line, $0.source.column) }
    #expect(places.count == 5)
    let want = [(1, 3), (2, 2), (2, 12), (3, 9), (4, 1)]
    for (p, w) in zip(places, want) { #expect(p == w) }
    #expect(throws: AssemblyError.self) {
      try Assembler.assemble("nop\n /* x */ add x0, x1, #99999\n")
    }
    do {
      _ = try Assembler.assemble("nop\n /* x */ add x0, x1, #99999\n", file: "c.s")
    } catch {
      #expect(error.location.line == 2)
      #expect(error.location.column == 22)  // the `#`
    }
  }
}
