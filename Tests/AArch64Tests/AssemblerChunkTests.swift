import Foundation
import TestSupport
import Testing

@testable import AArch64

/// The second pass cut into chunks (run in parallel on large files) gives exactly the object of
/// the pass run in one piece: items, relocations, symbols, and the same first error.
struct AssemblerChunkTests {
  func assemble(_ text: String, chunks: Int) -> Result<AssembledObject, AssemblyError> {
    do throws(AssemblyError) {
      return .success(
        try Assembler.assemble(bytes: Array(text.utf8), file: "c.s", fastPath: true, chunks: chunks)
      )
    } catch {
      return .failure(error)
    }
  }

  func chunksRun(_ text: String, chunks: Int) throws -> Int {
    try Assembler.assembleCountingChunks(
      bytes: Array(text.utf8), file: "c.s", fastPath: true, chunks: chunks
    ).chunksRun
  }

  func expectSame(
    _ text: String, _ label: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let whole = assemble(text, chunks: 1)
    for pieces in [2, 3, 5, 16] {
      let split = assemble(text, chunks: pieces)
      switch (whole, split) {
      case (.success(let a), .success(let b)):
        #expect(a == b, "\(label): \(pieces) chunks differ", sourceLocation: sourceLocation)
      case (.failure(let a), .failure(let b)):
        #expect(
          a == b, "\(label): \(pieces) chunks: \(b) instead of \(a)", sourceLocation: sourceLocation
        )
      default:
        Issue.record("\(label): \(pieces) chunks gave \(split), one piece \(whole)")
      }
    }
  }

  /// Seeded generated programs (labels and numeric labels in both directions across chunk
  /// boundaries, externals, data, alignment).
  @Test func generatedProgramsAgree() throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["ASM_SEED"] ?? "") ?? 0xc4_0c5
    var gen = ProgramGenerator(seed: seed)
    for round in 0..<8 {
      let text = gen.program(statements: 300)
      expectSame(text, "seed \(seed) round \(round)")
      // The chunks really ran (no fallback to one piece).
      #expect(try chunksRun(text, chunks: 3) == 3, "seed \(seed) round \(round)")
    }
  }

  @Test(arguments: AssemblerGNUTests.fixtures)
  func fixturesAgree(_ name: String) throws {
    expectSame(try AssemblerGNUTests.fixture(name), name)
  }

  /// Sections switched and pushed across chunk boundaries, `.type`/`.size` and references to
  /// undefined symbols logged in chunks and applied afterwards.
  @Test func sectionsAndSymbolDirectivesAgree() throws {
    var text = "\t.equ\tK, 16\n"
    for k in 0..<60 {
      text += "\t.globl\tf\(k)\n\t.type\tf\(k), %function\nf\(k):\n"
      text += "\tbl\text\(k % 7)\n\tadd\tx0, x0, #K\n"
      if k % 5 == 0 { text += "\t.pushsection\t.rodata\n\t.quad\tf\(k)\n\t.popsection\n" }
      if k % 9 == 0 { text += "\t.section\t.data\n\t.word\t\(k)\n\t.previous\n" }
      text += "1:\tcbz\tx1, 1b\n\tb\t2f\n2:\tret\n\t.size\tf\(k), . - f\(k)\n"
    }
    expectSame(text, "sections")
    #expect(try chunksRun(text, chunks: 4) == 4)
  }

  /// A constant set twice, or to a label, keeps the pass in one piece (the result is still the
  /// same; this checks the fallback).
  @Test func reassignedConstantsAgree() throws {
    var text = ""
    for k in 0..<40 {
      text += "\t.set\tV, \(k)\n\tmov\tx0, #V\n\t.equ\tL\(k), lab\(k)\n\tadr\tx1, L\(k)\nlab\(k):\n"
    }
    expectSame(text, "reassigned")
    #expect(try chunksRun(text, chunks: 4) == 1)
  }

  /// The first error in source order is the one reported, wherever the chunks fall.
  @Test func firstErrorWins() {
    var lines = (0..<200).map { "\tadd\tx\($0 % 30), x1, #\($0)" }
    lines[150] = "\tadd\tx1, x2, #99999"
    lines[40] = "\tfrobnicate\tx1"
    expectSame(lines.joined(separator: "\n") + "\n", "errors")
  }

  /// An error in the first statements of a chunk has the column the one-piece pass gives (a
  /// chunk finds line starts in its own copy of the bytes, which starts at the newline before
  /// its first line).
  @Test func errorsAtChunkStartsAgree() {
    for bad in [0, 1, 49, 50, 51, 66, 67, 99, 100, 101, 133, 150, 199] {
      var lines = (0..<200).map { "  \tadd\tx\($0 % 30), x1, #\($0)" }
      lines[bad] = "lab\(bad): \tadd\tx1, x2, #99999"
      expectSame(lines.joined(separator: "\n") + "\n", "error at line \(bad + 1)")
    }
  }

  /// The state recorded at a chunk start is the state the one-piece pass has there.
  @Test func checkpointsMatchTheSequentialPass() throws {
    var gen = ProgramGenerator(seed: 0xc0ffee)
    let text = gen.program(statements: 200)
    let source = try SourceText(file: "c.s", text: Array(text.utf8))
    var state = AssemblerState(source: source)
    state.planCheckpoints(pieces: 4)
    try state.run(pass: 1)
    let marks = state.checkpoints
    #expect(marks.count == 4)
    var replay = AssemblerState(source: source)
    try replay.run(pass: 1)
    replay.beginPass2()
    for c in marks.dropFirst() {
      try replay.run(pass: 2, statements: 0..<c.statement)
      #expect(c.matches(replay), "checkpoint at statement \(c.statement)")
      replay = AssemblerState(source: source)
      try replay.run(pass: 1)
      replay.beginPass2()
    }
  }
}
