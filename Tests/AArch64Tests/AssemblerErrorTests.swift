import AArch64
import Diagnostics
import TestSupport
import Testing

/// Assembler errors carry the exact `file:line:column` (marked `⟪1⟫` in the input), a stable id
/// and a reason.
struct AssemblerErrorTests {
  struct Case: CustomStringConvertible, Sendable {
    var source: String
    var id: MessageID
    var message: String
    var description: String { source }
  }

  static let cases: [Case] = [
    Case(
      source: "\tnop\n\t⟪1⟫foo\tx0, x1\n", id: "asm.unknown-mnemonic",
      message: "unknown mnemonic 'foo'"),
    Case(source: "\t⟪1⟫.foo\t1\n", id: "asm.unsupported", message: "unsupported: directive .foo"),
    Case(
      source: "start:\n\t⟪1⟫.macro m\n", id: "asm.unsupported",
      message: "unsupported: directive .macro"),
    Case(
      source: "\t⟪1⟫.ltorg\n", id: "asm.unsupported",
      message: "unsupported: directive .ltorg (literal pools; use adrp/ldr)"),
    Case(
      source: "\tldr\tx0, ⟪1⟫=sym\n", id: "asm.unsupported",
      message: "unsupported: ldr =value (literal pools)"),
    Case(
      source: "\tadd\tx0, x0, ⟪1⟫:got_lo12:sym\n", id: "asm.unsupported",
      message: "unsupported: relocation operator :got_lo12:"),
    Case(source: "\tmov\tx0, #1 +⟪1⟫\n", id: "asm.expression", message: "missing operand"),
    Case(source: "\tmov\tx0, #⟪1⟫(1\n", id: "asm.expression", message: "missing ')'"),
    Case(source: "\t.word\t1 ⟪1⟫/ 0\n", id: "asm.expression", message: "division by zero"),
    Case(
      source: "\tb.ne\t⟪1⟫1b\n1:\n", id: "asm.undefined-symbol",
      message: "undefined local label '1b'"),
    Case(
      source: "1:\tb\t⟪1⟫1f\n", id: "asm.undefined-symbol", message: "undefined local label '1f'"),
    Case(
      source: "a:\tnop\n⟪1⟫a:\tnop\n", id: "asm.redefined-symbol",
      message: "symbol 'a' is already defined"),
    Case(source: "\t.ascii\t⟪1⟫\"abc\n", id: "asm.syntax", message: "unterminated string"),
    Case(
      source: "\tnop\n  ⟪1⟫/* open\n\tnop\n", id: "asm.syntax", message: "unterminated /* comment"),
    Case(
      source: "\t.align\t⟪1⟫40\n", id: "asm.expression",
      message: "alignment 2^40 out of range [0, 28]"),
    Case(
      source: "\t.balign\t⟪1⟫3\n", id: "asm.expression", message: "alignment 3 is not a power of 2"),
    Case(
      source: "\t.byte\t⟪1⟫256\n", id: "asm.encoding",
      message: "value 256 does not fit in 1 byte (.byte)"),
    Case(
      source: "\t.short\t⟪1⟫-32769\n", id: "asm.encoding",
      message: "value -32769 does not fit in 2 bytes (.short)"),
    Case(
      source: "\t.byte\t⟪1⟫sym\n", id: "asm.unsupported", message: "unsupported: symbol in .byte"),
    Case(
      source: "\tb\t⟪1⟫0x10\n", id: "asm.unsupported",
      message: "unsupported: absolute address as a target (write a label or .+offset)"),
    Case(
      source: "\tmov\tx0, x1, ⟪1⟫x2\n", id: "asm.operands", message: "mov takes 2 operands, got 3"),
    Case(
      source: "\t.pushsection .data ; .popsection ; ⟪1⟫.popsection\n", id: "asm.syntax",
      message: ".popsection without .pushsection"),
    Case(
      source: "\t.quad\ta ⟪1⟫- b\n", id: "asm.expression",
      message: "cannot subtract symbols from different sections or undefined symbols"),
    Case(
      source: "\t.data\nd:\t.text\n\t.word\t⟪1⟫. - d\n", id: "asm.expression",
      message: "difference with a location in another section"),
    Case(
      source: "\tmov\tx0, #sym ⟪1⟫* 2\n", id: "asm.expression",
      message: "operator needs absolute operands, not symbols"),
    Case(
      source: "\t.equ\tN, 1\n\t.space\t⟪1⟫-N\n", id: "asm.expression",
      message: ".space size -1 out of range [0, 2^28]"),
    Case(
      source: "\tldr\tx0, [x1, ⟪1⟫:lo12:sym]!\n", id: "asm.unsupported",
      message: "unsupported: :lo12: in this instruction (needs an unsigned-offset load/store)"),
    Case(source: "\tadd\tx0, x1, ⟪1⟫#4096 + 1\n", id: "asm.encoding", message: ""),
    Case(
      source: "\ttbz\tw0, #1, ⟪1⟫.+0x8000\n", id: "asm.encoding",
      message: "imm14: offset 0x8000 out of range [-0x8000, 0x8000) for imm14"),
    Case(
      source: "\t.text\n\tb\t⟪1⟫.+0x8000000\n", id: "asm.encoding",
      message: "imm26: offset 0x8000000 out of range [-0x8000000, 0x8000000) for imm26"),
    Case(
      source: "\tmov\tx0, ⟪1⟫0x1ffffffffffffffff\n", id: "asm.expression",
      message: "number too large"),
  ]

  @Test(arguments: cases)
  func errorIsLocated(_ c: Case) {
    let (text, markers) = Markers.extract(c.source)
    guard let m = markers["1"] else {
      Issue.record("no marker")
      return
    }
    do {
      let o = try Assembler.assemble(text, file: "bad.s")
      Issue.record("assembled without error: \(o.sections.map { $0.items.map(\.text) })")
    } catch {
      #expect(error.location == SourceLocation(file: "bad.s", line: m.line, column: m.column))
      #expect(error.id == c.id)
      if !c.message.isEmpty {
        #expect(error.message == c.message)
      }
      #expect(error.inputError.description.hasPrefix("bad.s:\(m.line):\(m.column): "))
    }
  }

  @Test func encodingErrorsCarryTheEncoderError() throws {
    do {
      _ = try Assembler.assemble("\tcbz\tx0, .+0x100000\n", file: "e.s")
      Issue.record("expected an error")
    } catch {
      #expect(error.encoding?.code == .outOfRange)
      #expect(error.encoding?.operand == "imm19")
      #expect(
        error.description
          == "e.s:1:10: imm19: offset 0x100000 out of range [-0x100000, 0x100000) for imm19")
    }
  }

  /// Random damage never crashes the assembler: every outcome is an object or a located error.
  @Test func randomDamageIsDiagnosed() throws {
    let base = try AssemblerGNUTests.fixture("relocations.s")
    let seed: UInt64 = 0xbad5_eed
    var rng = SeededGenerator(seed: seed)
    let bytes = Array(base.utf8)
    let alphabet = Array("[](),:#!.-+*/<>|&~=;\"'\\ \n\tx0w1b1f:lo12:".utf8)
    for round in 0..<300 {
      var b = bytes
      for _ in 0..<Int.random(in: 1...6, using: &rng) {
        let at = Int.random(in: 0..<b.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: b[at] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
        case 1: b.remove(at: at)
        default: b.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)], at: at)
        }
      }
      do {
        _ = try Assembler.assemble(bytes: b, file: "d.s")
      } catch {
        let lines = b.split(separator: 10, omittingEmptySubsequences: false).count
        #expect(
          error.location.line >= 1 && error.location.line <= lines && error.location.column >= 1,
          "seed \(seed) round \(round): \(error)")
      }
    }
  }
}
