import Foundation
import TestSupport
import Testing

@testable import Analysis

/// The compiled callsite predicted from the flags against what `aarch64-linux-gnu-gcc` emits.
///
/// A 4-byte top-level asm word precedes the traced function, so the function alignment (or
/// its absence) shows in the function's address.
@Suite struct CompiledOracleTests {
  struct Flags: CustomStringConvertible, Sendable {
    var total: Int
    var before: Int
    var protection: String
    var align8: Bool
    var bti: Bool { protection.contains("bti") || protection == "standard" }
    var description: String {
      "=\(total),\(before) -mbranch-protection=\(protection)\(align8 ? " -falign-functions=8" : "")"
    }
  }

  static let cases: [Flags] = {
    var out: [Flags] = []
    for (n, m) in [(2, 0), (4, 2), (7, 5)] {
      for p in ["none", "bti", "standard", "pac-ret+leaf+bti"] {
        for a in [false, true] { out.append(Flags(total: n, before: m, protection: p, align8: a)) }
      }
    }
    return out
  }()

  /// What objdump shows: the function's address, its words by address, and the
  /// `__patchable_function_entries` target.
  struct Emitted {
    var function: UInt64
    var words: [UInt64: UInt32]
    var entry: UInt64
  }

  static func compile(_ f: Flags) throws -> Emitted? {
    guard let gcc = Tools.oracle("aarch64-linux-gnu-gcc"),
      let objdump = Tools.oracle("aarch64-linux-gnu-objdump")
    else {
      print("skipped: aarch64-linux-gnu-gcc or objdump not installed")
      return nil
    }
    let dir = try Tools.makeTemporaryDirectory()
    defer { Tools.removeTemporaryDirectory(dir) }
    let src = """
      asm(".text\\n.globl pad4\\npad4:\\n\\t.inst 0xd503201f\\n");
      int g;
      void f(void) { g = 1; }
      """
    try Data(src.utf8).write(to: URL(fileURLWithPath: dir + "/t.c"))
    var args = [
      "-O2", "-fno-toplevel-reorder", "-c", dir + "/t.c", "-o", dir + "/t.o",
      "-fpatchable-function-entry=\(f.total),\(f.before)", "-mbranch-protection=\(f.protection)",
    ]
    if f.align8 { args.append("-falign-functions=8") }
    let cc = try Tools.run(gcc, args)
    #expect(cc.status == 0, "\(cc.stderr)")
    let dis = try Tools.run(objdump, ["-d", dir + "/t.o"]).stdout
    let rel = try Tools.run(objdump, ["-r", "-j", "__patchable_function_entries", dir + "/t.o"])
      .stdout
    var words: [UInt64: UInt32] = [:]
    var function: UInt64?
    for line in dis.split(separator: "\n") {
      let t = line.trimmingCharacters(in: .whitespaces)
      if t.hasSuffix("<f>:"), let a = UInt64(t.split(separator: " ")[0], radix: 16) {
        function = a
      }
      let parts = t.split(separator: "\t")
      if parts.count >= 2, parts[0].hasSuffix(":"),
        let a = UInt64(parts[0].dropLast(), radix: 16),
        let w = UInt32(parts[1].trimmingCharacters(in: .whitespaces), radix: 16)
      {
        words[a] = w
      }
    }
    // "0000000000000000 R_AARCH64_ABS64   .text+0x0000000000000004"
    var entry: UInt64?
    for line in rel.split(separator: "\n") where line.contains("R_AARCH64_ABS64") {
      let target = line.split(separator: " ").last.map(String.init) ?? ""
      if target == ".text" {
        entry = 0
      } else if let plus = target.firstIndex(of: "+") {
        entry = UInt64(target[target.index(after: plus)...].dropFirst(2), radix: 16)
      }
    }
    guard let function, let entry else {
      Issue.record("could not read objdump output for \(f):\n\(dis)\n\(rel)")
      return nil
    }
    return Emitted(function: function, words: words, entry: entry)
  }

  @Test(arguments: cases)
  func predictedEqualsEmitted(_ f: Flags) throws {
    guard let e = try Self.compile(f) else { return }
    let c = CompiledCallsite(
      total: f.total, before: f.before, bti: f.bti, alignment: f.align8 ? 8 : nil)
    // Every predicted word, pre-entry ones included, at its offset from the symbol.
    for w in c.words {
      let a = UInt64(Int64(e.function) + Int64(w.offset))
      #expect(
        e.words[a] == w.word,
        "\(f): word at f\(w.offset) is \(e.words[a].map { String($0, radix: 16) } ?? "absent")")
    }
    // The word after the patch area is the body, not another NOP or BTI.
    let end = UInt64(Int64(e.function) + Int64((c.words.last?.offset ?? 0) + 4))
    #expect(e.words[end] != Words.nop, "\(f): more NOPs than predicted")
    // Before the first pre-entry NOP: the pad word or alignment fill, not part of the area.
    #expect(Int64(e.entry) - Int64(e.function) == Int64(c.patchEntryOffset), "\(f)")
    // Alignment: with -falign-functions=8 the patch area starts 8-aligned, so the symbol is
    // 4*M mod 8 (4 for =7,5); without it, GCC's default only lands on 4 after our pad.
    if let m = c.symbolModulo8 {
      #expect(Int(e.function % 8) == m, "\(f): function at \(e.function)")
      #expect((Int64(e.function) - Int64(c.symbolFromAreaStart)) % 8 == 0)
    }
  }

  @Test func oddPreEntryCountPutsTheSymbolAtFourModEight() throws {
    let c = CompiledCallsite(total: 7, before: 5, bti: true, alignment: 8)
    #expect(c.symbolModulo8 == 4)
    #expect(c.patchEntryOffset == -20)
    guard let e = try Self.compile(Flags(total: 7, before: 5, protection: "bti", align8: true))
    else { return }
    #expect(e.function == 0x1c)  // pad at 0, .p2align 3 → 8, five NOPs, f at 0x1c
    #expect(e.function % 8 == 4)
  }
}
