import Diagnostics
import TestSupport
import Testing

@testable import KernelSource

@Suite struct AsmTests {
  static let baseTree = FolderTree(root: Paths.seriesBase)

  func run(_ config: KernelConfig, bti: Bool? = nil) throws -> AsmSource {
    let path = "arch/arm64/kernel/entry-ftrace.S"
    let text = try #require(Self.baseTree.contents(of: path))
    return AsmPreprocessor(config: config, bti: bti).run(
      text: text, file: path, tree: Self.baseTree)
  }

  @Test func seriesBaseRegsCallerExpandsMacroWithAllRegs() throws {
    let out = try run(KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_REGS", "FUNCTION_GRAPH_TRACER"]))
    let body = out.body(of: "ftrace_regs_caller").map(\.text)
    #expect(
      body.prefix(5) == [
        ".globl ftrace_regs_caller", ".balign 4", "ftrace_regs_caller:",
        "bti c", "sub sp, sp, #(336 + 16)",
      ])
    // `spill 28, 29` addresses the pt_regs slot as S_X0 + 8 * 28.
    #expect(body.contains("stp x28, x29, [sp, #(0 + 8 * 28)]"))
    #expect(!body.contains("str x29, [sp, #232]"))
    #expect(body.last == ".size ftrace_regs_caller, . - ftrace_regs_caller")
    let caller = out.body(of: "ftrace_caller").map(\.text)
    #expect(caller.contains("str x29, [sp, #232]"))
    #expect(!caller.contains("stp x28, x29, [sp, #(0 + 8 * 28)]"))
    // ldr_l becomes adrp + ldr :lo12:
    let common = out.body(of: "ftrace_common").map(\.text)
    #expect(common.contains("adrp x2, function_trace_op"))
    #expect(common.contains("ldr x2, [x2, :lo12:function_trace_op]"))
    #expect(common.contains("sub x0, x30, #4"))
    #expect(common.contains("ret x9"))
    #expect(out.symbol(named: "ftrace_call")?.kind == .inner)
    #expect(out.symbol(named: "ftrace_call")?.global == true)
    #expect(out.symbol(named: "ftrace_graph_call") != nil)
    #expect(out.symbol(named: "ftrace_common")?.kind == .code)
    #expect(out.symbol(named: "ftrace_stub")?.kind == .function)
    #expect(out.missingIncludes.contains("asm/asm-offsets.h"))
    #expect(out.assumptions.contains { $0.message.hasPrefix("assumed PT_REGS_SIZE = 336") })
    #expect(out.diagnostics.filter { $0.severity >= .warning }.isEmpty, "\(out.diagnostics)")
    // Origins point into the real file: the line of the macro that holds the `sub`.
    let sub = try #require(out.body(of: "ftrace_regs_caller").first { $0.text.hasPrefix("sub sp") })
    let path = "arch/arm64/kernel/entry-ftrace.S"
    #expect(
      sub.origin
        == SourceLocation(file: path, line: Paths.baseLine("sub\tsp, sp, #(PT_REGS_SIZE", in: path))
    )
  }

  @Test func symFuncStartGetsBTIOnlyWhenBTIIsOn() throws {
    let on = try run(KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_REGS", "ARM64_BTI_KERNEL"]))
    #expect(
      on.body(of: "ftrace_stub").map(\.text) == [
        ".globl ftrace_stub", ".balign 4", ".type ftrace_stub, %function", "ftrace_stub:", "bti c",
        "ret", ".type ftrace_stub, %function", ".size ftrace_stub, . - ftrace_stub",
      ])
    let off = try run(KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_REGS"]))
    #expect(!off.body(of: "ftrace_stub").map(\.text).contains("bti c"))
    // SYM_CODE_START never adds one: the explicit `bti c` in the file is the only one.
    #expect(on.body(of: "ftrace_caller").filter { $0.text == "bti c" }.count == 1)
  }

  @Test func withoutFtraceOptionOnlyTheStubRemains() throws {
    let out = try run(KernelConfig())
    #expect(out.symbols.map(\.name) == ["ftrace_stub"])
  }

  @Test func macroDefaultsConditionalsReptAndDiagnostics() {
    let (text, markers) = Markers.extract(
      """
      .macro pad n=2, reg:req
      .rept \\n
      mov \\reg, xzr
      .endr
      .endm
      SYM_CODE_START_LOCAL(t)
      pad reg=x1
      pad 1, x2
      .if PT_REGS_SIZE > 300
      nop // big
      .else
      brk #1
      .endif
      1: b 1b
      .Lx: b .Lx
      SYM_CODE_END(t)
      ⟪1⟫.if 1
      """)
    let out = AsmPreprocessor(config: KernelConfig()).run(text: text, file: "t.S", tree: nil)
    #expect(
      out.body(of: "t").map(\.text) == [
        ".balign 4", "t:", "mov x1, xzr", "mov x1, xzr", "mov x2, xzr", "nop", "1: b 1b",
        ".Lx: b .Lx", ".size t, . - t",
      ])
    let d = out.diagnostics.first { $0.id == KernelSourceMessage.conditional }
    #expect(d?.location.line == markers["1"]?.line)
  }

  @Test func corpusV64DirectCallsEntry() throws {
    let era = "2aa6ac03516d-v6.4-direct-calls"
    guard let text = Paths.corpusFile(era, "arch/arm64/kernel/entry-ftrace.S") else { return }
    let config = KernelConfig(enabled: [
      "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS",
      "DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "FUNCTION_GRAPH_TRACER", "ARM64_BTI_KERNEL",
    ])
    let out = AsmPreprocessor(config: config).run(
      text: text, file: "arch/arm64/kernel/entry-ftrace.S", tree: nil)
    let caller = out.body(of: "ftrace_caller").map(\.text)
    #expect(caller.prefix(4) == [".globl ftrace_caller", ".balign 4", "ftrace_caller:", "bti c"])
    #expect(caller.contains("bic x11, x30, 0x7"))
    #expect(caller.contains("ldr x11, [x11, #-(4 * 4)]"))
    #expect(caller.contains("ldr x17, [x11, #184]"))
    #expect(caller.contains("sub sp, sp, #(112 + 32)"))
    #expect(caller.contains("stp x29, x9, [sp, #112 + 16]"))
    #expect(caller.contains("br x17"))
    #expect(!caller.contains { $0.hasPrefix("adrp") })  // the CALL_OPS path has no ldr_l
    #expect(out.symbol(named: "ftrace_caller_direct")?.kind == .inner)
    #expect(out.symbol(named: "ftrace_stub_direct_tramp")?.kind == .code)
    #expect(out.body(of: "ftrace_stub_direct_tramp").map(\.text).contains("ret x10"))
    #expect(out.symbol(named: "ftrace_stub")?.kind == .function)
    #expect(out.body(of: "ftrace_stub").map(\.text).contains("bti c"))
    #expect(out.symbol(named: "_mcount") == nil)
    #expect(out.assumptions.contains { $0.message.hasPrefix("assumed FTRACE_OPS_DIRECT_CALL") })
    // Without ARGS: the mcount era's macros run.
    let mcount = AsmPreprocessor(config: KernelConfig(enabled: ["FUNCTION_GRAPH_TRACER"])).run(
      text: text, file: "entry-ftrace.S", tree: nil)
    let graph = mcount.body(of: "ftrace_graph_caller").map(\.text)
    #expect(graph.contains("ldr x0, [x29, #8]"))
    #expect(graph.contains("sub x0, x0, #4"))
    #expect(graph.contains("ldp x29, x30, [sp], #16"))
    #expect(mcount.symbol(named: "_mcount")?.kind == .function)
  }

  @Test func corpusV5RegsEntry() throws {
    let era = "1136fa0c07de-v5.x-with-regs"
    guard let text = Paths.corpusFile(era, "arch/arm64/kernel/entry-ftrace.S") else { return }
    let config = KernelConfig(enabled: [
      "DYNAMIC_FTRACE_WITH_REGS", "FUNCTION_GRAPH_TRACER", "ARM64_BTI_KERNEL",
    ])
    let out = AsmPreprocessor(config: config).run(text: text, file: "entry-ftrace.S", tree: nil)
    let regs = out.body(of: "ftrace_regs_caller").map(\.text)
    #expect(regs.contains("bti c"))
    #expect(regs.contains("stp x10, x11, [sp, #80]"))
    #expect(out.symbol(named: "ftrace_common") != nil)
    #expect(out.diagnostics.filter { $0.severity >= .warning }.isEmpty, "\(out.diagnostics)")
  }
}

@Suite struct AsmLinkageTests {
  @Test func oldEntryEndprocAliasesIrpAndBudget() {
    let text = """
      ENTRY(old_style)
      \tret
      ENDPROC(old_style)
      SYM_FUNC_START_LOCAL(helper)
      .irp r, x0, x1
      \tstr\t\\r, [sp]
      .endr
      SYM_FUNC_END(helper)
      SYM_FUNC_ALIAS(helper_alias, helper)
      .set SIZE, 2 * 8
      .ifdef SIZE
      \tadd sp, sp, #SIZE
      .endif
      .macro cat a, b
      \tb \\a\\()_\\b
      .endm
      cat ftrace, stub
      adr_l x0, some_sym
      str_l x1, some_var, x2
      """
    let out = AsmPreprocessor(config: KernelConfig(enabled: ["ARM64_BTI_KERNEL"])).run(
      text: text, file: "l.S", tree: nil)
    #expect(
      out.body(of: "old_style").map(\.text) == [
        ".globl old_style", ".balign 4", ".type old_style, %function", "old_style:", "ret",
        ".type old_style, %function", ".size old_style, . - old_style",
      ])
    #expect(
      out.body(of: "helper").map(\.text) == [
        ".balign 4", ".type helper, %function", "helper:", "bti c", "str x0, [sp]",
        "str x1, [sp]", ".type helper, %function", ".size helper, . - helper",
      ])
    #expect(out.symbol(named: "helper")?.global == false)
    #expect(out.symbol(named: "helper_alias")?.target == "helper")
    let rest = out.lines.filter { $0.symbol == nil }.map(\.text)
    #expect(rest.contains("add sp, sp, #SIZE"))
    #expect(rest.contains("b ftrace_stub"))
    #expect(rest.contains("add x0, x0, :lo12:some_sym"))
    #expect(rest.contains("str x1, [x2, :lo12:some_var]"))
    #expect(out.diagnostics.isEmpty, "\(out.diagnostics)")
  }

  @Test func linkageLandingPadMacrosFollowBTI() {
    let text = """
      SYM_CODE_START(guarded)
      #ifdef BTI_C
      \tBTI_C
      #endif
      \tret
      SYM_CODE_END(guarded)
      SYM_CODE_START(bare)
      \tBTI_C
      \tret
      SYM_CODE_END(bare)
      """
    func words(_ name: String, bti: Bool) -> [String] {
      let out = AsmPreprocessor(config: KernelConfig(), bti: bti).run(
        text: text, file: "p.S", tree: nil)
      return out.body(of: name).map(\.text).filter { !$0.hasPrefix(".") && !$0.hasSuffix(":") }
    }
    #expect(words("guarded", bti: true) == ["bti c", "ret"])
    #expect(words("bare", bti: true) == ["bti c", "ret"])
    #expect(words("guarded", bti: false) == ["ret"])
    #expect(words("bare", bti: false) == ["ret"])
  }

  @Test func nestedReptStopsAtTheBudget() {
    let text = ".rept 4096\n.rept 4096\nnop\n.endr\n.endr\n"
    let out = AsmPreprocessor(config: KernelConfig()).run(text: text, file: "b.S", tree: nil)
    #expect(out.lines.count == 200_000)
    #expect(out.diagnostics.contains { $0.id == KernelSourceMessage.couldNotModel })
  }
}

@Suite struct MakefileShapeTests {
  @Test func assignmentsConditionalsAndFunctions() {
    let (text, m) = Markers.extract(
      """
      A = $(B) one   # comment
      B := two
      C ?= three
      C ?= four
      D := $(A)
      ifdef CONFIG_X
      E := x-on
      else ifneq "$(CONFIG_Y)" ""
      E := y-on
      else
      E := none
      endif
      ifndef UNSET
      F := $(if $(CONFIG_X),yes,no) $(subst a,b,banana) $(strip   s  )
      endif
      G := $(call cc-option,-ffoo,-fbar) \\
           $(cc-disable-warning,psabi)
      mymacro = pre-$(1)-$(2)
      H := $(call mymacro,a,b)
      ⟪1⟫else
      ⟪2⟫ifeq ($(CONFIG_X),y)
      """)
    let vars = MakefileFlags.evaluate(
      text: text, file: "M", config: KernelConfig(["Y": .string("v")]))
    #expect(vars.value("A") == "two one")
    #expect(vars.value("C") == "three")
    #expect(vars.value("D") == "two one")
    #expect(vars.value("E") == "y-on")
    #expect(vars.value("F") == "no bbnbnb s")
    #expect(vars.value("G") == "-ffoo -Wno-psabi")
    #expect(vars.value("H") == "pre-a-b")
    #expect(vars.words("G").first?.origin.line == 16)
    #expect(
      vars.diagnostics.map(\.location.line) == [m["1"]?.line, m["2"]?.line].compactMap { $0 })
    let withX = MakefileFlags.evaluate(text: text, file: "M", config: KernelConfig(enabled: ["X"]))
    #expect(withX.value("E") == "x-on")
    #expect(withX.value("F").hasPrefix("yes "))
  }
}

@Test func offsetsAreCppMacrosNotPastedNames() {
  let text = ".macro save n\nstr x\\n, [sp, #S_X\\n]\n.endm\nsave 10\nstr x1, [sp, #S_X1]\n"
  let out = AsmPreprocessor(config: KernelConfig()).run(text: text, file: "p.S", tree: nil)
  // As with the real asm-offsets.h, a name pasted inside a GNU as macro is not substituted.
  #expect(out.lines.map(\.text) == ["str x10, [sp, #S_X10]", "str x1, [sp, #8]"])
}

@Test func undefinedCppMacroCallsAreReported() {
  let (text, m) = Markers.extract("nop\n⟪1⟫ALTERNATIVE(nop, isb, ARM64_HAS_X)\nret\n")
  let out = AsmPreprocessor(config: KernelConfig()).run(text: text, file: "a.S", tree: nil)
  #expect(out.lines.map(\.text) == ["nop", "ALTERNATIVE(nop, isb, ARM64_HAS_X)", "ret"])
  #expect(out.diagnostics.map(\.id) == [KernelSourceMessage.unknownMacro])
  #expect(out.diagnostics.first?.location.line == m["1"]?.line)
}
