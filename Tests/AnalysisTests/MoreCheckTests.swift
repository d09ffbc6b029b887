import AArch64
import AArch64Emulator
import Analysis
import Diagnostics
import Testing

/// The BTI-edge, unwind, size, alignment and short-form checks: each fires on a small bad
/// layout and stays quiet on a good one. The layouts are hand-written (LayoutFile) with a small
/// `entry-ftrace.S` of the test's own, as in CheckTests.
private let entryText = CheckFixtures.entryText
private let F = CheckFixtures.function
private func at(_ offset: Int) -> String { CheckFixtures.at(offset) }

/// CheckTests' trampoline, then `pac_tramp`, which starts with PACIASP.
private let entry =
  CheckFixtures.trampoline + """

    \t.globl pac_tramp
    pac_tramp:
    \tpaciasp
    \tautiasp
    \tret
    \t.size pac_tramp, . - pac_tramp
    """

private func layout(
  _ text: String, bti: Bool = true, name: String = "test", assumptions: [Assumption] = [],
  diagnostics: [Diagnostic] = []
) throws -> Layout {
  var l = try LayoutFile.parse(text, file: "test.layout")
  l.configuration = LayoutConfiguration(name: name, bti: bti)
  let object = try Assembler.assemble(entry, file: "entry-ftrace.S")
    .link(bases: [".text": entryText], symbols: ["ops": Placement().data + 0x200])
  l.entryObject = object
  for a in assumptions { l.assume(a) }
  l.diagnostics += diagnostics
  return l
}

private func findings(_ l: Layout, _ id: String) -> [Finding] {
  LayoutReview.review(l).findings.filter { $0.check.id == id }
}

private let goodNear = """
  state near
  0: bti c
  4: mov x9, x30
  8: bl ftrace_caller
  """

/// `pac_tramp`'s address, as the assembler lays it out after ftrace_caller.
private func pacTramp() throws -> UInt64 {
  let o = try Assembler.assemble(entry, file: "entry-ftrace.S")
  let s = try #require(o.symbols.first { $0.name == "pac_tramp" })
  return entryText &+ UInt64(bitPattern: s.offset)
}

/// The far state of a literal design: the callsite loads `target` and branches to it with
/// BR `reg`, without a BL (so X30 still holds the caller's return address).
private func viaLiteral(_ target: UInt64, _ reg: String) -> String {
  """
  symbol tramp = 0x\(String(target, radix: 16))
  state far
  -8: .quad tramp
  0: bti c
  4: mov x9, x30
  8: ldr \(reg), \(at(-8))
  12: br \(reg)
  """
}

@Suite struct MoreCheckTests {
  @Test func trampolinePadCatchesABR10IntoBTICWithBTIOff() throws {
    // With BTI off nothing faults, but the same kernel with BTI would: a warning that says so.
    let bad = try findings(layout(viaLiteral(entryText, "x10"), bti: false), "bti.trampoline-pad")
    let f = try #require(bad.first)
    #expect(f.severity == .warning)
    #expect(f.message.contains("BTYPE 3") && f.message.contains("BTI is off"), "\(f.message)")
    // Through X16 it is BTYPE 1, which `bti c` accepts.
    #expect(
      try findings(layout(viaLiteral(entryText, "x16"), bti: false), "bti.trampoline-pad")
        .isEmpty)
  }

  @Test func trampolinePadReadsBranchesNoRunTakes() throws {
    // The pre-entry LDR/BR never runs (the callsite BLs to ftrace_caller): read from the words,
    // with BTI on, it is an error.
    let text = """
      symbol tramp = 0x\(String(entryText, radix: 16))
      state near
      -16: .quad tramp
      -8: ldr x10, \(at(-16))
      -4: br x10
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      """
    let f = try #require(try findings(layout(text), "bti.trampoline-pad").first)
    #expect(f.severity == .error)
    #expect(f.offset == -4)
    let good = text.replacingOccurrences(of: "x10", with: "x17")
    #expect(try findings(layout(good), "bti.trampoline-pad").isEmpty)
    #expect(try findings(layout(goodNear), "bti.trampoline-pad").isEmpty)
  }

  @Test func retAsJumpFlagsARetIntoAnotherEntryAndABRNotThroughX16() throws {
    let ret = """
      symbol tramp = 0x\(String(entryText, radix: 16))
      state far
      -8: .quad tramp
      0: bti c
      4: mov x9, x30
      8: ldr x12, \(at(-8))
      12: ret x12
      """
    let r = try #require(try findings(layout(ret, bti: false), "bti.ret-as-jump").first)
    #expect(r.message.contains("ret x12") && r.severity == .warning, "\(r.message)")
    let br = try findings(layout(viaLiteral(entryText, "x10"), bti: false), "bti.ret-as-jump")
    #expect(br.contains { $0.message.contains("br x10") })
    #expect(
      try findings(layout(viaLiteral(entryText, "x17"), bti: false), "bti.ret-as-jump").isEmpty)
    // The trampoline's own RET X10 back to the traced function's caller is a return.
    #expect(try findings(layout(goodNear), "bti.ret-as-jump").isEmpty)
  }

  @Test func paciaspPadFiresOnABTYPE3BranchOntoPACIASP() throws {
    let pacTramp = try pacTramp()
    let bad = try findings(layout(viaLiteral(pacTramp, "x10")), "bti.paciasp-pad")
    let f = try #require(bad.first)
    #expect(f.severity == .error && f.message.contains("paciasp"), "\(f.message)")
    // The emulator faults there too (bti.landing-pad); no trampoline-pad twice over.
    #expect(try findings(layout(viaLiteral(pacTramp, "x10")), "bti.trampoline-pad").isEmpty)
    let off = try findings(layout(viaLiteral(pacTramp, "x10"), bti: false), "bti.paciasp-pad")
    #expect(off.first?.severity == .warning)
    // BR X16 is BTYPE 1: PACIASP accepts it.
    #expect(try findings(layout(viaLiteral(pacTramp, "x16")), "bti.paciasp-pad").isEmpty)
  }

  @Test func unsymbolizedTextCountsThePreEntryBytesOnce() throws {
    let text = """
      state near
      -8: nop
      -4: nop
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      state disabled
      -8: nop
      -4: nop
      0: bti c
      4: mov x9, x30
      8: nop
      """
    let all = try findings(layout(text), "unwind.unsymbolized-text")
    #expect(all.count == 1)
    let f = try #require(all.first)
    #expect(f.message.contains("8 bytes"), "\(f.message)")
    #expect(f.message.contains("patchsite_previous_function+0x"), "\(f.message)")
    #expect(try findings(layout(goodNear), "unwind.unsymbolized-text").isEmpty)
  }

  @Test func bytesPerFunctionIsANoteForTwoNOPsAndAWarningForSeven() throws {
    let two = """
      state compiled
      0: bti c
      4: nop
      8: nop
      """
    let note = try #require(try findings(layout(two), "size.bytes-per-function").first)
    #expect(note.severity == .note && note.message.contains("8 bytes"), "\(note.message)")
    let seven = """
      state compiled
      -20: nop
      -16: nop
      -12: nop
      -8: nop
      -4: nop
      0: bti c
      4: nop
      8: nop
      """
    let warn = try #require(try findings(layout(seven), "size.bytes-per-function").first)
    #expect(warn.severity == .warning)
    #expect(
      warn.message.contains("28 bytes") && warn.message.contains("20 more"), "\(warn.message)")
    // Sketches and hand-written layouts are not what a tree builds.
    #expect(try findings(layout(seven, name: "hand-written"), "size.bytes-per-function").isEmpty)
  }

  @Test func functionFlagsWarnsWhenTheLiteralRestsOnFalignFunctions() throws {
    let text = """
      symbol ftrace_nop_ops = 0xffff800082000000
      state init
      -8: .quad ftrace_nop_ops
      0: bti c
      4: mov x9, x30
      8: nop
      """
    let flags = Assumption(
      .alignment, "function alignment 8 from -falign-functions at arch/arm64/Makefile:49")
    let f = try #require(
      try findings(layout(text, assumptions: [flags]), "alignment.function-flags").first)
    #expect(f.severity == .warning && f.message.contains("-fmin-function-alignment=8"))
    let diagnosed = try layout(
      text,
      diagnostics: [
        Diagnostic(
          LayoutMessage.literalAlignmentAssumed, .warning, at: SourceLocation(file: "x"),
          "the 64-bit literal at func-8 is 8-byte aligned only under the assumed placement")
      ])
    #expect(!findings(diagnosed, "alignment.function-flags").isEmpty)
    // No literal, or nothing assumed: quiet.
    #expect(try findings(layout(text), "alignment.function-flags").isEmpty)
    #expect(
      try findings(layout(goodNear, assumptions: [flags]), "alignment.function-flags").isEmpty)
  }

  @Test func shortFormChecksWhatEachPCRelativeWordPointsAt() throws {
    let good = """
      symbol ftrace_nop_ops = 0xffff800082000000
      state near
      -16: .quad ftrace_nop_ops
      -8: ldr x16, \(at(-16))
      -4: cbz x16, \(at(4))
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      """
    #expect(try findings(layout(good), "range.short-form").isEmpty)
    // An LDR literal onto an instruction, a CBZ into nothing known.
    let bad = good.replacingOccurrences(of: "ldr x16, \(at(-16))", with: "ldr x16, \(at(0))")
      .replacingOccurrences(of: "cbz x16, \(at(4))", with: "cbz x16, \(at(0x80000))")
    let all = try findings(layout(bad), "range.short-form")
    #expect(all.contains { $0.message.contains("not a literal") }, "\(all.map(\.message))")
    #expect(all.contains { $0.message.contains("outside the patch area") })
    #expect(all.allSatisfy { $0.severity == .error })
    // The builder's encoding failure of a short form is reported as it is.
    let failed = try layout(
      good,
      diagnostics: [
        Diagnostic(
          LayoutMessage.couldNotModel, .warning, at: SourceLocation(file: "ftrace.c", line: 3),
          "could not encode LDR x16 at func-8: imm19: out of range")
      ])
    #expect(findings(failed, "range.short-form").contains { $0.message.contains("imm19") })
  }

  @Test func theNewChecksRun() {
    for id in [
      "bti.trampoline-pad", "bti.ret-as-jump", "bti.paciasp-pad", "unwind.unsymbolized-text",
      "size.bytes-per-function", "alignment.function-flags", "range.short-form",
    ] {
      let info = CheckCatalogue.info(id)
      #expect(info.map(CheckCatalogue.isImplemented) == true, "\(id)")
    }
  }
}
