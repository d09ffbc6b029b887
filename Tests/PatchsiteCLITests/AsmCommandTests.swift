import AArch64
import Foundation
import TestSupport
import Testing

@testable import PatchsiteCLI
@testable import Reporting

/// The listing of `text` assembled and linked at `base`.
private func listing(_ text: String, base: UInt64, format: AsmListing.Format) throws -> String {
  AsmListing.listing(
    try AsmCommand.assembleAndLink(
      bytes: Array(text.utf8), file: "t.s", base: base, listing: true),
    format: format)
}

/// The linked image of `text`, `.text` at `base` (assembled without a listing, as `--format
/// bin` does).
private func image(_ text: String, base: UInt64) throws -> [UInt8] {
  try AsmListing.image(
    try AsmCommand.assembleAndLink(
      bytes: Array(text.utf8), file: "t.s", base: base, listing: false),
    file: "t.s")
}

/// `patchsite asm` and `patchsite disasm`: output contract, exit codes, help.
struct AsmCommandTests {
  static let source = """
    \t.text
    \t.globl\tftrace_caller
    ftrace_caller:
    \tbti\tc
    \tmov\tx9, x30
    \tbl\tftrace_stub + 8
    1:\tb.ne\t1b
    \tadrp\tx0, .Lop
    \tldr\tx0, [x0, :lo12:.Lop]
    \t.p2align 3
    .Lop:\t.quad\tfunction_trace_op
    \t.word\t0x12345678

    """

  func json(_ text: String, base: UInt64 = 0) throws -> [[String: Any]] {
    let out = try listing(text, base: base, format: .json)
    let value = try JSONSerialization.jsonObject(with: Data(out.utf8))
    return try #require(value as? [[String: Any]])
  }

  @Test func jsonFollowsTheContract() throws {
    let rows = try json(Self.source, base: 0xffff_8000_1000_0000)
    #expect(rows.count == 8)
    for row in rows {
      #expect(Set(row.keys) == ["address", "word", "text", "relocation"])
      #expect(row["address"] is Int || row["address"] is UInt64 || row["address"] is NSNumber)
      if let w = row["word"] as? String {
        #expect(w.count == 8 && w.allSatisfy { "0123456789abcdef".contains($0) })
      } else {
        #expect(row["word"] is NSNull)
      }
    }
    #expect(rows[0]["word"] as? String == "d503245f")
    #expect(rows[0]["text"] as? String == "bti\tc")
    let bl = try #require(rows[2]["relocation"] as? [String: Any])
    #expect(bl["type"] as? String == "R_AARCH64_CALL26")
    #expect(bl["symbol"] as? String == "ftrace_stub")
    #expect(bl["addend"] as? Int == 8)
    #expect(rows[3]["text"] as? String == "b.ne\tffff80001000000c")
    #expect(rows[3]["relocation"] is NSNull)
    // ADRP/LDR of a local label resolve once .text is placed: the page and #0x18.
    #expect(rows[4]["text"] as? String == "adrp\tx0, ffff800010000000")
    #expect(rows[5]["text"] as? String == "ldr\tx0, [x0, #24]")
    // Data has no word.
    #expect(rows[6]["word"] is NSNull)
    #expect((rows[6]["address"] as? NSNumber)?.uint64Value == 0xffff_8000_1000_0018)
    let q = try #require(rows[6]["relocation"] as? [String: Any])
    #expect(q["type"] as? String == "R_AARCH64_ABS64")
    #expect(q["symbol"] as? String == "function_trace_op")
    #expect(rows[7]["text"] as? String == ".word 0x12345678")
  }

  @Test func textListing() throws {
    let out = try listing("\tnop\n\tbl\tfoo\n\t.quad\t1\n", base: 0x1000, format: .text)
    #expect(
      out == """
        0000000000001000  d503201f  nop
        0000000000001004  94000000  bl\t1004\t// R_AARCH64_CALL26 foo
        0000000000001008  0100000000000000  .quad 1

        """)
  }

  /// `--format bin`: every section at its linked address, zeros between, pending fields zero;
  /// the words are the ones the JSON listing shows.
  @Test func binaryImage() throws {
    let text = "\tbti\tc\n\tbl\tfoo\n\tnop\n\t.section\t.rodata\n\t.quad\t0x1122334455667788\n"
    let bytes = try image(text, base: 0x1000)
    #expect(
      bytes == [
        0x5f, 0x24, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x94, 0x1f, 0x20, 0x03, 0xd5, 0, 0, 0, 0,
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
      ])
    let whole = try image(Self.source, base: 0xffff_8000_1000_0000)
    let words = try json(Self.source, base: 0xffff_8000_1000_0000).compactMap {
      ($0["word"] as? String).flatMap { UInt32($0, radix: 16) }
    }
    for (k, w) in words.enumerated() {
      let at = 4 * k
      #expect(
        UInt32(whole[at]) | UInt32(whole[at + 1]) << 8 | UInt32(whole[at + 2]) << 16
          | UInt32(whole[at + 3]) << 24 == w)
    }
    #expect(try image("", base: 0).isEmpty)
    // Words and data items side by side in one section, written in place in item order.
    let mixed = try image(
      "\tnop\n\t.byte 1, 2, 3\n\t.p2align 2\n\tret\n\t.word 0x11223344\n\tbl far\n", base: 0)
    #expect(
      mixed == [
        0x1f, 0x20, 0x03, 0xd5, 0x01, 0x02, 0x03, 0x00, 0xc0, 0x03, 0x5f, 0xd6, 0x44, 0x33, 0x22,
        0x11, 0x00, 0x00, 0x00, 0x94,
      ])
  }

  /// Listing in batches (on several threads when there are several cores) gives the bytes one
  /// sequential pass over all items gives, relocations and JSON separators included.
  @Test func batchedListingEqualsOnePass() throws {
    var lines = ""
    for k in 0..<20_000 {
      switch k % 5 {
      case 0: lines += "\tbl\tfunc\(k % 7)\n"
      case 1: lines += "\tadrp\tx0, sym\(k % 3)+\(k)\n"
      case 2: lines += "\t.quad\tother - \(k)\n"
      case 3: lines += "1:\tb.ne\t1b\n"
      default: lines += "\tadd\tx\(k % 31), x1, #\(k % 4096)\n"
      }
    }
    let linked = try AsmCommand.assembleAndLink(
      bytes: Array(lines.utf8), file: "t.s", base: 0x4000, listing: true)
    let section = try #require(linked.sections.first { $0.name == ".text" })
    let pending = section.relocations.sorted { $0.offset < $1.offset }
    for format in [AsmListing.Format.text, .json] {
      var batched: [UInt8] = []
      AsmListing.list(linked, format: format) { batched.append(contentsOf: $0) }
      var cache = DisassemblyCache()
      var one = ByteOutput()
      if format == .json { one.append("[") }
      AsmListing.listItems(
        section.items[...], of: section, relocations: pending, from: 0, format: format,
        first: true, cache: &cache, into: &one)
      if format == .json { one.append("\n]\n") }
      #expect(batched == one.bytes, "\(format)")
    }
    #expect(
      JSONSerialization.isValidJSONObject(
        try JSONSerialization.jsonObject(
          with: Data(try listing(lines, base: 0, format: .json).utf8))))
  }

  @Test func badInputIsLocated() {
    do {
      _ = try AsmCommand.assembleAndLink(
        bytes: Array("\tnop\n\tb.zz\t.+8\n".utf8), file: "t.s", base: 0, listing: true)
      Issue.record("expected an error")
    } catch {
      #expect(error.location.description == "t.s:2:2")
      #expect(error.description.hasPrefix("t.s:2:2: "))
    }
  }

  @Test func exitCodes() throws {
    let dir = try Tools.makeTemporaryDirectory("asm-cli")
    defer { Tools.removeTemporaryDirectory(dir) }
    try "\tnop\n\t.foo\n".write(toFile: "\(dir)/bad.s", atomically: true, encoding: .utf8)
    try "\tnop\n".write(toFile: "\(dir)/good.s", atomically: true, encoding: .utf8)
    #expect(Patchsite.run(["asm", "\(dir)/bad.s", "--format", "none"]) == 2)
    #expect(Patchsite.run(["asm", "\(dir)/good.s", "--format", "none"]) == 0)
    #expect(Patchsite.run(["asm", "\(dir)/missing.s"]) == 2)
    #expect(Patchsite.run(["asm", "\(dir)/good.s", "--at", "zz"]) == 2)
    #expect(Patchsite.run(["disasm", "xyz"]) == 2)
    #expect(Patchsite.run(["disasm"]) == 2)
    #expect(Patchsite.run(["asm", "--help"]) == 0)
    #expect(Patchsite.run(["disasm", "--help"]) == 0)
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(dir)/odd.bin"))
    #expect(Patchsite.run(["disasm", "--file", "\(dir)/odd.bin"]) == 2)
  }

  @Test func disasmWords() throws {
    let words = try DisasmCommand.parse(["d503201f", "0x94000010", "0XD65F03C0"])
    #expect(words == [0xd503_201f, 0x9400_0010, 0xd65f_03c0])
    let out = Disassembly.lines(words[...], base: 0x1000)
    #expect(out == "d503201f  nop\n94000010  bl\t1044\nd65f03c0  ret\n")
    do {
      _ = try DisasmCommand.parse(["d503201f", "123456789"])
      Issue.record("expected an error")
    } catch {
      #expect(error.location.description == "<arguments>:1:10")
    }
  }

  /// The disassembly cache only memoises words whose text does not depend on the PC.
  @Test func disassemblyCacheIsExact() {
    let seed: UInt64 = 0xcac4e
    var rng = SeededGenerator(seed: seed)
    var cache = DisassemblyCache()
    for _ in 0..<200_000 {
      // Half random words, half words from the PC-relative classes.
      var w = UInt32.random(in: 0...UInt32.max, using: &rng)
      if Bool.random(using: &rng) {
        let classes: [UInt32] = [
          0x1400_0000, 0x9400_0000, 0x5400_0000, 0x3400_0000, 0x3600_0000, 0x1000_0000, 0x9000_0000,
          0x1800_0000, 0x5800_0000, 0x9800_0000, 0xd800_0000,
        ]
        w = classes[Int.random(in: 0..<classes.count, using: &rng)] | (w & 0x00ff_ffff)
      }
      let pc = UInt64.random(in: 0...0xffff_ffff_fffc, using: &rng) & ~3
      let direct = A64.print(A64.decode(w), pc: pc)
      if !DisassemblyCache.isPCRelative(w) {
        #expect(direct == A64.print(A64.decode(w), pc: 0), "seed \(seed): \(String(w, radix: 16))")
      }
      #expect(cache.text(w, pc: pc) == direct, "seed \(seed): \(String(w, radix: 16))")
    }
  }

  @Test(.oracles(AArch64Oracles.gnuAs, AArch64Oracles.objdump))
  func disasmFileMatchesObjdump() throws {
    var rng = SeededGenerator(seed: 0xd15a_5e11)
    var words: [UInt32] = []
    for _ in 0..<2000 {
      // Mostly instructions of the covered classes, some random words.
      let w = UInt32.random(in: 0...UInt32.max, using: &rng)
      words.append(w)
    }
    let dir = try Tools.makeTemporaryDirectory("disasm")
    defer { Tools.removeTemporaryDirectory(dir) }
    var data = Data()
    for w in words { withUnsafeBytes(of: w.littleEndian) { data.append(contentsOf: $0) } }
    try data.write(to: URL(fileURLWithPath: "\(dir)/w.bin"))
    let fromFile = try DisasmCommand.words(file: "\(dir)/w.bin")
    #expect(fromFile == words)
    let ours = Disassembly.lines(fromFile[...], base: 0x40_0000).split(separator: "\n")
    let theirs = try AArch64Oracles.objdumpWords(words, vma: 0x40_0000)
    #expect(ours.count == words.count)
    // Same words in the same eight-digit form; texts agree wherever the word is modelled.
    var agree = 0
    for (k, line) in ours.enumerated() {
      #expect(line.prefix(10) == Substring(String(format: "%08x  ", words[k])))
      if k < theirs.count, String(line.dropFirst(10)) == theirs[k] { agree += 1 }
    }
    #expect(agree > 0)
  }
}
