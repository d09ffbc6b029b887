import Foundation
import TestSupport
import Testing

@testable import AArch64

/// Assembling without a listing (`listing: false`, what `asm --format bin` and `none` use)
/// keeps each section's bytes instead of an item per statement. Everything else must be what
/// the items give: the bytes, before and after linking, the relocations, the symbols and the
/// first error, whether the second pass runs in one piece, in chunks, or falls back to items.
struct ImageModeTests {
  typealias Outcome = Result<AssembledObject, AssemblyError>

  func assemble(_ text: String, chunks: Int, listing: Bool, sizes: [Int]? = nil) -> Outcome {
    do throws(AssemblyError) {
      return .success(
        try Assembler.assembleCountingChunks(
          bytes: Array(text.utf8), file: "i.s", fastPath: true, chunks: chunks, listing: listing,
          imageSizes: sizes
        ).object)
    } catch {
      return .failure(error)
    }
  }

  func link(_ o: AssembledObject, externals: [String: UInt64]) -> Outcome {
    do throws(AssemblyError) {
      return .success(
        try o.link(bases: [".text": 0x40_0000], symbols: externals, allowUndefined: true))
    } catch {
      return .failure(error)
    }
  }

  /// Items and image agree on `a` and `b` (same sections, bytes, relocations, symbols).
  func expectSameContents(
    _ a: AssembledObject, _ b: AssembledObject, _ label: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    #expect(
      a.sections.map(\.name) == b.sections.map(\.name), "\(label): sections",
      sourceLocation: sourceLocation)
    for (x, y) in zip(a.sections, b.sections) {
      #expect(
        x.bytes == y.bytes, "\(label): bytes of \(x.name)", sourceLocation: sourceLocation)
      #expect(x.size == y.size, "\(label): size of \(x.name)", sourceLocation: sourceLocation)
      #expect(x.base == y.base, "\(label): base of \(x.name)", sourceLocation: sourceLocation)
      #expect(
        x.relocations == y.relocations, "\(label): relocations of \(x.name)",
        sourceLocation: sourceLocation)
      #expect(
        y.items.isEmpty, "\(label): no items without a listing", sourceLocation: sourceLocation)
      #expect(y.image != nil, "\(label): an image", sourceLocation: sourceLocation)
    }
    #expect(
      Set(a.symbols) == Set(b.symbols), "\(label): symbols", sourceLocation: sourceLocation)
  }

  func expectSame(
    _ text: String, _ label: String, externals: [String: UInt64] = [:],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let reference = assemble(text, chunks: 1, listing: true)
    for pieces in [1, 2, 3, 5] {
      let what = "\(label), \(pieces) chunks"
      switch (reference, assemble(text, chunks: pieces, listing: false)) {
      case (.success(let a), .success(let b)):
        expectSameContents(a, b, what, sourceLocation: sourceLocation)
        switch (link(a, externals: externals), link(b, externals: externals)) {
        case (.success(let la), .success(let lb)):
          expectSameContents(la, lb, what + ", linked", sourceLocation: sourceLocation)
        case (.failure(let ea), .failure(let eb)):
          #expect(ea == eb, "\(what): link error", sourceLocation: sourceLocation)
        case (let la, let lb):
          Issue.record("\(what): linked \(lb) against \(la)", sourceLocation: sourceLocation)
        }
      case (.failure(let a), .failure(let b)):
        #expect(a == b, "\(what): \(b) instead of \(a)", sourceLocation: sourceLocation)
      case (let a, let b):
        Issue.record("\(what): \(b) instead of \(a)", sourceLocation: sourceLocation)
      }
    }
  }

  /// Seeded generated programs: every instruction class, labels, externals, data, alignment.
  @Test func generatedProgramsAgree() throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["ASM_SEED"] ?? "") ?? 0x1a6e
    var gen = ProgramGenerator(seed: seed)
    for round in 0..<6 {
      let text = gen.program(statements: 300)
      expectSame(text, "seed \(seed) round \(round)")
      // The chunks really wrote into the images (no fallback to one piece or to items).
      let run = try Assembler.assembleCountingChunks(
        bytes: Array(text.utf8), file: "i.s", fastPath: true, chunks: 3, listing: false)
      #expect(run.chunksRun == 3, "seed \(seed) round \(round)")
      #expect(run.object.sections.allSatisfy { $0.image != nil }, "seed \(seed) round \(round)")
    }
  }

  @Test(arguments: AssemblerGNUTests.fixtures)
  func fixturesAgree(_ name: String) throws {
    expectSame(try AssemblerGNUTests.fixture(name), name)
  }

  /// Data of every size, strings, `.space` with a fill, `.balign` with zeros and NOPs, `.inst`,
  /// several sections, data relocations resolved by the link (and one out of range).
  @Test func dataSectionsAndLinkAgree() {
    var text = "\t.text\nstart:\n"
    for k in 0..<40 {
      text += "\tadd\tx\(k % 29), x1, #\(k)\n\t.inst\t0xd503201f\n"
      if k % 3 == 0 { text += "\t.byte\t1, 2\n\t.balign\t8\n" }
      if k % 4 == 0 { text += "\t.section\t.rodata\n\t.quad\tstart, ext\(k % 3)\n\t.previous\n" }
      if k % 5 == 0 {
        text += "\t.data\n\t.ascii\t\"ab\"\n\t.asciz\t\"c\"\n\t.space\t5, 0xaa\n\t.text\n"
      }
      if k % 7 == 0 { text += "\t.section\t.rodata\n\t.word\tfar - .\n\t.hword\t3\n\t.previous\n" }
      text += "\tbl\text\(k % 3)\n\tadrp\tx0, ext2\n\tldr\tx1, [x0, :lo12:ext2]\n"
    }
    let near: [String: UInt64] = ["ext0": 0x40_1000, "ext1": 0x50_0000, "ext2": 0x7000]
    expectSame(text, "data", externals: near.merging(["far": 0x40_2000]) { a, _ in a })
    // `far - .` far away: the 32-bit PREL does not fit; both modes say so in the same words.
    let far = near.merging(["far": 1 << 40]) { a, _ in a }
    expectSame(text, "far", externals: far)
    if case .success(let o) = assemble(text, chunks: 1, listing: false) {
      guard case .failure(let e) = link(o, externals: far) else {
        Issue.record("far: linked")
        return
      }
      #expect(e.message.contains("PREL32"), "\(e)")
    } else {
      Issue.record("far: did not assemble")
    }
  }

  /// The second pass placing things where the first did not (here: sizes made wrong on
  /// purpose) does not give a wrong image: the pass runs again with items, as with a listing.
  @Test func wrongSizesFallBackToItems() throws {
    let text = (0..<100).map { "\tadd\tx\($0 % 29), x1, #\($0)" }.joined(separator: "\n") + "\n"
    for sizes in [[396], [404], [0]] {
      for pieces in [1, 3] {
        let run = try Assembler.assembleCountingChunks(
          bytes: Array(text.utf8), file: "i.s", fastPath: true, chunks: pieces, listing: false,
          imageSizes: sizes)
        let reference = try Assembler.assemble(text, file: "i.s")
        #expect(run.object.sections[0].image == nil, "sizes \(sizes): items instead")
        #expect(run.object.sections[0].bytes == reference.sections[0].bytes)
      }
    }
  }

  /// The first error in source order, the same as with a listing.
  @Test func errorsAgree() {
    var lines = (0..<200).map { "\tadd\tx\($0 % 30), x1, #\($0)" }
    lines[150] = "\tadd\tx1, x2, #99999"
    lines[40] = "\t.quad\t1, , 2"
    expectSame(lines.joined(separator: "\n") + "\n", "errors")
    expectSame("\tb\tnowhere\n\t.space\t-1\n", "space")
  }

  /// A relocation that points outside an image is refused (not written out of bounds).
  @Test func relocationOutsideTheImage() throws {
    let o = try Assembler.assemble(bytes: Array("\tbl\text\n".utf8), file: "i.s", listing: false)
    var bad = o
    bad.sections[0].relocations[0].offset = 2
    #expect(throws: AssemblyError.self) {
      _ = try bad.link(bases: [".text": 0], symbols: ["ext": 0x100])
    }
    let linked = try o.link(bases: [".text": 0], symbols: ["ext": 0x100])
    #expect(linked.sections[0].bytes == [0x40, 0x00, 0x00, 0x94])  // bl #0x100
  }
}
