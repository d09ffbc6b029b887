import AArch64
import Foundation
import TestSupport
import Testing

/// `AssembledObject.link` against GNU ld placing the same sections and symbols, and its exact
/// range errors.
struct AssemblerLinkTests {
  static let externals: [String: UInt64] = [
    "ext_call": 0x0410_0000, "ext_jump": 0x03f0_0000, "ext_cond": 0x0400_8000,
    "ext_tst": 0x0400_1000, "ext_lit": 0x0404_0000, "ext_adr": 0x0408_0000,
    "ext_page": 0x1234_5678, "ext_b": 0x0050_0123, "ext_h": 0x0050_0246, "ext_w": 0x0050_0448,
    "ext_x": 0x0050_0ff8, "ext_abs": 0xffff_8000_1234_5678, "ext_abs32": 0x7fff_fff0,
    "ext_rel": 0x0400_0800, "ext_rel64": 0x0001_0000_0000, "ext_abs16": 0x1234,
    "ext_rel16": 0x0400_0900, "wfunc": 0x0400_2000,
  ]

  @Test(.oracles(GNUAssembler.tools + ["aarch64-linux-gnu-ld"]))
  func linkMatchesGNULd() throws {
    let text = try AssemblerGNUTests.fixture("relocations.s")
    let object = try Assembler.assemble(text, file: "relocations.s")
    let bases: [String: UInt64] = [".text": 0x0400_0000, ".data": 0x0500_0000]
    let linked = try object.link(bases: bases, symbols: Self.externals)
    #expect(linked.sections.allSatisfy { $0.relocations.isEmpty })

    let dir = try Tools.makeTemporaryDirectory("asm-ld")
    defer { Tools.removeTemporaryDirectory(dir) }
    try text.write(toFile: "\(dir)/t.s", atomically: true, encoding: .utf8)
    let a = try Tools.run(AArch64Oracles.gnuAs, ["-o", "\(dir)/t.o", "\(dir)/t.s"])
    #expect(a.status == 0, "\(a.stderr)")
    var args = ["-o", "\(dir)/t", "-e", "0", "-Ttext=0x4000000", "-Tdata=0x5000000"]
    for (k, v) in Self.externals.sorted(by: { $0.key < $1.key }) {
      args += ["--defsym", "\(k)=0x\(String(v, radix: 16))"]
    }
    args.append("\(dir)/t.o")
    let l = try Tools.run("aarch64-linux-gnu-ld", args)
    #expect(l.status == 0, "\(l.stderr)")
    for name in [".text", ".data"] {
      let c = try Tools.run(
        AArch64Oracles.objcopy, ["-O", "binary", "-j", name, "\(dir)/t", "\(dir)/s.bin"])
      #expect(c.status == 0)
      let theirs = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/s.bin")))
      let mine = linked.section(name)?.bytes ?? []
      #expect(mine == theirs, "\(name) differs after link")
      if mine != theirs, let s = linked.section(name) {
        for item in s.items where item.size == 4 {
          let o = item.offset
          let t = o + 4 <= theirs.count ? Array(theirs[o..<(o + 4)]) : []
          if Array(mine[o..<(o + 4)]) != t { Issue.record("\(item.source) \(item.text)") }
        }
      }
    }
  }

  func object(_ text: String) throws -> AssembledObject {
    try Assembler.assemble(text, file: "l.s")
  }

  @Test func branchRangeErrorsAreExact() throws {
    let o = try object("\tnop\n\tbl\tfar\n")
    // [-128 MiB, 128 MiB): +128 MiB - 4 from the BL at 4 is the last reachable target.
    let ok = try o.link(bases: [".text": 0], symbols: ["far": 0x0800_0000])
    #expect(ok.sections[0].items[1].word == 0x95ff_ffff)
    do {
      _ = try o.link(bases: [".text": 0], symbols: ["far": 0x0800_0004])
      Issue.record("expected a range error")
    } catch {
      #expect(error.id == "asm.link-range")
      #expect(error.location.description == "l.s:2:5")
      #expect(error.encoding?.code == .outOfRange)
      #expect(
        error.description
          == "l.s:2:5: R_AARCH64_CALL26 against far: imm26: offset 0x8000000 out of range "
          + "[-0x8000000, 0x8000000) for imm26")
    }
  }

  @Test func conditionalAndTestBranchRanges() throws {
    let o = try object("\tb.eq\tx\n\ttbz\tw0, #1, y\n\tadr\tx0, z\n")
    let base: UInt64 = 0x20_0000
    // The far edges: b.eq +1 MiB - 4, tbz -32 KiB, adr -1 MiB.
    _ = try o.link(
      bases: [".text": base],
      symbols: ["x": base + 0xffffc, "y": base + 4 - 0x8000, "z": base + 8 - 0x100000])
    #expect(throws: AssemblyError.self) {
      _ = try o.link(bases: [".text": 0x1000], symbols: ["x": 0x1000 + 0x100000, "y": 0, "z": 0])
    }
    #expect(throws: AssemblyError.self) {
      _ = try o.link(
        bases: [".text": 0x1000], symbols: ["x": 0x1000, "y": 0x1004 + 0x8000, "z": 0])
    }
    do {
      _ = try o.link(bases: [".text": 0], symbols: ["x": 2, "y": 4, "z": 8])
      Issue.record("expected a misaligned error")
    } catch {
      #expect(error.encoding?.code == .misaligned)
      #expect(error.location.line == 1)
    }
  }

  @Test func adrpPagesAndLo12() throws {
    let o = try object("\tadrp\tx0, s\n\tadd\tx0, x0, :lo12:s\n\tldr\tx1, [x0, :lo12:s]\n")
    let l = try o.link(
      bases: [".text": 0xffff_8000_1000_0ffc], symbols: ["s": 0xffff_8000_1234_5678])
    let words = l.sections[0].items.compactMap(\.word)
    // ADRP at page 0x…10000000 to page 0x…12345000: 0x2345 pages.
    #expect(
      A64.print(A64.decode(words[0]), pc: 0xffff_8000_1000_0ffc) == "adrp\tx0, ffff800012345000")
    #expect(A64.print(A64.decode(words[1])) == "add\tx0, x0, #0x678")
    #expect(throws: AssemblyError.self) {  // 0x67c is not a multiple of 8
      _ = try o.link(bases: [".text": 0], symbols: ["s": 0x1234_567c])
    }
  }

  @Test func undefinedSymbolsFailOrStayPending() throws {
    let o = try object("\tbl\tmissing\n\tb\t1f\n1:\tret\n")
    do {
      _ = try o.link(bases: [:])
      Issue.record("expected an undefined-symbol error")
    } catch {
      #expect(error.id == "asm.undefined-symbol")
      #expect(error.location.description == "l.s:1:5")
    }
    let partial = try o.link(bases: [".text": 0x100], allowUndefined: true)
    #expect(partial.sections[0].relocations.map(\.symbol) == ["missing"])
    #expect(partial.sections[0].base == 0x100)
  }

  /// `.word d - .` with `d` in another section is PREL32 against that section, as in GNU as.
  @Test func crossSectionDifferenceLinks() throws {
    let o = try object("\t.data\n\t.word 0\nd:\t.text\n\tnop\n\t.word\td - .\n")
    let r = try #require(o.section(".text")?.relocations.first)
    #expect(r.type == .prel32 && r.symbol == ".data" && r.sectionRelative && r.addend == 4)
    let l = try o.link(bases: [".text": 0x1000, ".data": 0x2000])
    // d = 0x2004, the field is at 0x1004: 0x1000.
    #expect(l.section(".text")?.bytes.suffix(4) == [0x00, 0x10, 0x00, 0x00])
  }

  @Test func dataRelocationRanges() throws {
    let o = try object("\t.data\n\t.word\ts\n\t.short\tt - .\n")
    let l = try o.link(bases: [".data": 0x1000], symbols: ["s": 0xffff_ffff, "t": 0x1004 + 0x7fff])
    #expect(l.section(".data")?.bytes == [0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
    do {
      _ = try o.link(bases: [".data": 0x1000], symbols: ["s": 0x1_0000_0000, "t": 0])
      Issue.record("expected a range error")
    } catch {
      #expect(error.location.description == "l.s:2:8")
      #expect(error.encoding?.code == .outOfRange)
    }
  }

  @Test func ldst128OnTheLinkStep() throws {
    // FP/SIMD loads are outside the instruction model: build `ldr q0, [x1]` by hand.
    var o = try object("\t.inst\t0x3dc00020\n")
    o.sections[0].relocations.append(
      Relocation(
        offset: 0, type: .ldst128AbsLo12NC, symbol: "q", addend: 0,
        source: o.sections[0].items[0].source))
    let l = try o.link(bases: [:], symbols: ["q": 0x1230])
    let expected: UInt32 = 0x3dc0_0020 | (0x23 << 10)
    #expect(l.sections[0].items[0].word == expected)
    #expect(throws: AssemblyError.self) { _ = try o.link(bases: [:], symbols: ["q": 0x1238]) }
  }
}
