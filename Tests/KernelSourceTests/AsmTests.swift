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
    #expect(body.prefix(5) == [".globl ftrace_regs_caller", ".balign 4", "ftrace_regs_caller:",
      "bti c", "sub sp, sp, #(336 + 16)"])
    #expect(body.contains("stp x28, x29, [sp, #224]"))
    #expect(!body.contains("str x29, [sp, #232]"))
    #expect(body.last == ".size ftrace_regs_caller, . - ftrace_regs_caller")
    let caller = out.body(of: "ftrace_caller").map(\.text)
    #expect(caller.contains("str x29, [sp, #232]"))
    #expect(!caller.contains("stp x28, x29, [sp, #224]"))
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
    // Origins point into the real file: the macro's first line is line 24.
    let sub = try #require(out.body(of: "ftrace_regs_caller").first { $0.text.hasPrefix("sub sp") })
    #expect(sub.origin == SourceLocation(file: "arch/arm64/kernel/entry-ftrace.S", line: 24))
  }

  @Test func symFuncStartGetsBTIOnlyWhenBTIIsOn() throws {
    let on = try run(KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_REGS", "ARM64_BTI_KERNEL"]))
    #expect(on.body(of: "ftrace_stub").map(\.text) == [
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
    #expect(out.body(of: "t").map(\.text) == [
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
