import Diagnostics
import TestSupport
import Testing

@testable import KernelSource

/// One line per write: "[target] old → new by api (validated) via … if …".
func summary(_ t: CTransition?) -> [String] {
  guard let t else { return ["<absent>"] }
  return t.writes.map { w in
    var s = w.description
    if let r = s.range(of: " at ") { s = String(s[..<r.lowerBound]) }
    if !w.conditions.isEmpty { s += " if " + w.conditions.joined(separator: " && ") }
    return s
  }
}

@Suite struct TransitionTests {
  static let baseTree = FolderTree(root: Paths.seriesBase)
  static let regs = KernelConfig(enabled: [
    "DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_REGS", "ARM64_MODULE_PLTS", "FUNCTION_GRAPH_TRACER",
  ])

  func base(_ config: KernelConfig = regs) throws -> TransitionExtractor {
    let path = "arch/arm64/kernel/ftrace.c"
    let text = try #require(Self.baseTree.contents(of: path))
    return TransitionExtractor(text: text, file: path, config: config, tree: Self.baseTree)
  }

  @Test func seriesBaseInitNopWritesMovAtIPMinus4() throws {
    let x = try base()
    let t = try #require(x.transition("ftrace_init_nop"))
    #expect(t.writes.count == 1)
    let w = try #require(t.writes.first)
    #expect(w.target == OffsetExpr(.recordIP, offset: -4))
    #expect(w.old == .nop)
    #expect(w.new == .moveRegister(destination: "x9", source: "x30", is64Bit: true))
    #expect(w.api == .ftraceModifyCode && w.validate)
    #expect(w.underlying == .patchTextNosync)
    #expect(w.location == SourceLocation(file: "arch/arm64/kernel/ftrace.c", line: 154))
    #expect(t.diagnostics.isEmpty, "\(t.diagnostics)")
  }

  @Test func seriesBaseMakeCallAndMakeNop() throws {
    let x = try base()
    #expect(summary(x.transition("ftrace_make_call")) == [
      "[rec->ip] NOP → BL addr (from rec->ip) by ftrace_modify_code (validated)"
    ])
    let call = try #require(x.transition("ftrace_make_call"))
    #expect(call.paths.contains {
      $0.outcome == .failed("EINVAL") && $0.conditions == ["!ftrace_find_callable_addr(rec, NULL, &addr)"]
    })
    #expect(summary(x.transition("ftrace_make_nop")) == [
      "[rec->ip] BL addr (from rec->ip) → NOP by ftrace_modify_code (validated)"
    ])
    #expect(summary(x.transition("ftrace_modify_call")) == [
      "[rec->ip] BL old_addr (from rec->ip) → BL addr (from rec->ip) by ftrace_modify_code (validated)"
    ])
    #expect(summary(x.transition("ftrace_update_ftrace_func")) == [
      "[ftrace_call] 0x0 → BL func (from ftrace_call) by ftrace_modify_code"
    ])
    let adjust = try #require(x.transition("ftrace_call_adjust"))
    #expect(adjust.location.file == "arch/arm64/include/asm/ftrace.h")
    #expect(adjust.paths.map(\.returnedAddress) == [OffsetExpr(.patchEntry, offset: 4)])
    #expect(adjust.conditions.first?.hasPrefix("IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_REGS) is true") == true)
    #expect(x.transition("arch_ftrace_update_code")?.writes.isEmpty == true)
  }

  @Test func seriesBaseWithoutRegsHasNoInitNop() throws {
    let x = try base(KernelConfig(enabled: ["DYNAMIC_FTRACE"]))
    #expect(x.transition("ftrace_init_nop") == nil)
    #expect(x.transition("ftrace_modify_call") == nil)
    #expect(x.transition("ftrace_make_call") != nil)
    let adjust = try #require(x.transition("ftrace_call_adjust"))
    #expect(adjust.paths.map(\.returnedAddress) == [OffsetExpr(.patchEntry)])
  }

  @Test func unknownShapesSayCouldNotModel() {
    let (text, m) = Markers.extract(
      """
      static int ftrace_modify_code(unsigned long pc, u32 old, u32 new, bool validate)
      {
      	return aarch64_insn_patch_text_nosync((void *)pc, new);
      }
      int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
      {
      	unsigned long pc = rec->ip;
      	int i;
      	for (i = 0; i < 2; i++)
      ⟪1⟫		ftrace_modify_code(pc + 4 * i, 0, aarch64_insn_gen_nop(), false);
      ⟪2⟫	return ftrace_modify_code(pc, 0, aarch64_insn_gen_hint(AARCH64_INSN_HINT_BTIC), true);
      }
      """)
    let x = TransitionExtractor(text: text, file: "f.c", config: KernelConfig())
    let t = x.transition("ftrace_make_call")
    let ids = t?.diagnostics.map(\.id) ?? []
    #expect(ids.allSatisfy { $0 == KernelSourceMessage.couldNotModel })
    let lines = t?.diagnostics.map(\.location.line) ?? []
    #expect(lines == [m["1"]?.line.advanced(by: -1), m["2"]?.line].compactMap { $0 })
    #expect(t?.writes.first?.new == .unknown("aarch64_insn_gen_hint(AARCH64_INSN_HINT_BTIC)"))
    #expect(t?.writes.first?.underlying == .patchTextNosync)
  }
}

@Test func debugDump() throws {
  let tree = FolderTree(root: Paths.seriesBase)
  let x = TransitionExtractor(text: tree.contents(of: "arch/arm64/kernel/ftrace.c") ?? "", file: "f.c", config: TransitionTests.regs, tree: tree)
  for p in x.transition("ftrace_make_call")?.paths ?? [] { print("PATH", p.conditions, p.outcome, p.writes.count) }
}
