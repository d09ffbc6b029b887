import Diagnostics
import TestSupport
import Testing

@testable import KernelSource

/// One line per write: "[target] old → new by api (validated) via … if …".
///
/// The writes of the paths that complete; writes on only some paths carry those paths'
/// conditions, so a transition with a helper that branches lists a write once per way.
func summary(_ t: CTransition?) -> [String] {
  guard let t else { return ["<absent>"] }
  return t.writes.map { w in
    var s = w.description
    if let r = s.range(of: " at ") { s = String(s[..<r.lowerBound]) }
    if !w.conditions.isEmpty {
      s += " if " + w.conditions.map(\.description).joined(separator: " && ")
    }
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
    #expect(w.new == .moveRegister(destination: .x(9), source: .x(30)))
    #expect(w.api == .ftraceModifyCode && w.validate)
    #expect(w.underlying == .patchTextNosync)
    let path = "arch/arm64/kernel/ftrace.c"
    #expect(
      w.location
        == SourceLocation(
          file: path, line: Paths.baseLine("return ftrace_modify_code(slot0", in: path)))
    #expect(t.diagnostics.isEmpty, "\(t.diagnostics)")
  }

  /// The BL targets a transition's completed paths write, as C text.
  static func branchTargets(_ t: CTransition?) -> Set<String> {
    var out = Set<String>()
    for p in t?.paths ?? [] {
      if case .failed = p.outcome { continue }
      for w in p.writes {
        for g in [w.old, w.new] {
          if case .branch(_, let to, _)? = g { out.insert(to.description) }
        }
      }
    }
    return out
  }

  @Test func seriesBaseMakeCallAndMakeNop() throws {
    let x = try base()
    let call = try #require(x.transition("ftrace_make_call"))
    // ftrace_find_callable_addr is followed: in range the BL goes to addr; out of range, for a
    // module, to the module's PLT entry for the trampoline, which it writes back into addr.
    let plt = "&__module_text_address(rec->ip)->arch.ftrace_trampolines[FTRACE_PLT_IDX]"
    let regsPLT = "&__module_text_address(rec->ip)->arch.ftrace_trampolines[FTRACE_REGS_PLT_IDX]"
    #expect(Self.branchTargets(call) == ["addr", plt, regsPLT])
    let inRange = try #require(
      call.paths.first { p in
        p.writes.contains {
          if case .branch(_, .identifier("addr"), true) = $0.new { true } else { false }
        }
      })
    #expect(
      inRange.conditions.map(\.description) == [
        "(long)addr - (long)rec->ip >= -SZ_128M", "(long)addr - (long)rec->ip < SZ_128M",
      ])
    #expect(call.paths.contains { $0.outcome == .failed("EINVAL") })
    #expect(call.writes.allSatisfy { $0.old == .nop && $0.validate })
    let nop = try #require(x.transition("ftrace_make_nop"))
    // make_nop may be given the module (at load time): its PLT is then found from `mod`.
    #expect(
      Self.branchTargets(nop) == [
        "addr", plt, regsPLT, "&mod->arch.ftrace_trampolines[FTRACE_PLT_IDX]",
        "&mod->arch.ftrace_trampolines[FTRACE_REGS_PLT_IDX]",
      ])
    #expect(nop.writes.allSatisfy { $0.new == .nop && $0.validate })
    let modify = try #require(x.transition("ftrace_modify_call"))
    #expect(
      modify.paths.contains { p in
        p.writes.map(\.description).contains {
          $0.hasPrefix("[rec->ip] BL old_addr (from rec->ip) → BL addr (from rec->ip)")
        }
      })
    #expect(
      summary(x.transition("ftrace_update_ftrace_func")) == [
        "[ftrace_call] 0x0 → BL func (from ftrace_call) by ftrace_modify_code"
      ])
    let adjust = try #require(x.transition("ftrace_call_adjust"))
    #expect(adjust.location.file == "arch/arm64/include/asm/ftrace.h")
    #expect(adjust.paths.map(\.returnedAddress) == [OffsetExpr(.patchEntry, offset: 4)])
    #expect(
      adjust.conditions.contains {
        $0.hasPrefix("IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_REGS) is true")
      })
    let header = "arch/arm64/include/asm/ftrace.h"
    #expect(
      adjust.conditions.prefix(2) == [
        "#ifndef __ASM_FTRACE_H at \(header):\(Paths.baseLine("#ifndef __ASM_FTRACE_H", in: header))",
        "#ifndef __ASSEMBLY__ at \(header):\(Paths.baseLine("#ifndef __ASSEMBLY__", in: header))",
      ])
    #expect(x.transition("arch_ftrace_update_code")?.writes.isEmpty == true)
    for n in FtraceFunctions.names { #expect(x.transition(n)?.diagnostics.isEmpty ?? true, "\(n)") }
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
      #define SLOT_OFFSET (2 * AARCH64_INSN_SIZE)
      int ftrace_make_nop(struct module *mod, struct dyn_ftrace *rec, unsigned long addr)
      {
      	return ftrace_modify_code(rec->ip - SLOT_OFFSET, 0, aarch64_insn_gen_nop(), false);
      }
      int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
      {
      	unsigned long pc = rec->ip;
      	int i;
      	for (i = 0; i < 2; i++)
      ⟪1⟫		ftrace_modify_code(pc + 4 * i, 0, aarch64_insn_gen_nop(), false);
      ⟪2⟫	return ftrace_modify_code(pc, 0, aarch64_insn_gen_movewide(AARCH64_INSN_REG_16, 0, 0, AARCH64_INSN_VARIANT_64BIT, AARCH64_INSN_MOVEWIDE_ZERO), true);
      }
      """)
    let x = TransitionExtractor(text: text, file: "f.c", config: KernelConfig())
    let t = x.transition("ftrace_make_call")
    let ids = t?.diagnostics.map(\.id) ?? []
    #expect(ids.allSatisfy { $0 == KernelSourceMessage.couldNotModel })
    let lines = t?.diagnostics.map(\.location.line) ?? []
    #expect(lines == [m["1"]?.line.advanced(by: -1), m["2"]?.line].compactMap { $0 })
    #expect(
      t?.writes.first?.new.description
        == "?(aarch64_insn_gen_movewide(AARCH64_INSN_REG_16, 0, 0, AARCH64_INSN_VARIANT_64BIT, "
        + "AARCH64_INSN_MOVEWIDE_ZERO))")
    #expect(t?.writes.first?.underlying == .patchTextNosync)
    #expect(
      x.transition("ftrace_make_nop")?.writes.first?.target == OffsetExpr(.recordIP, offset: -8))
  }

  /// The interpreter's shortcut for expressions that cannot fork: values as the general
  /// evaluation builds them, and nothing for calls, assignments, `&&`, `||` and `?:`.
  @Test func expressionsThatCannotForkAreValuedWithoutPaths() throws {
    let interpreter = Interpreter(extractor: try base())
    let st = State(frames: [
      ["pc": .value(.recordIP), "x": .value(.int(3))], ["y": .value(.int(7))],
    ])
    func value(_ text: String) -> SymValue? { interpreter.pureValue(CExpr.parse(text), st) }
    #expect(value("y") == .value(.int(7)))
    #expect(value("x") == .value(.identifier("x")))  // only the innermost frame is seen
    #expect(
      value("rec->ip - 4") == .value(.binary(.subtract, .recordIP, .number(4, spelling: "4"))))
    #expect(value("(unsigned long)y") == .value(.cast("unsigned long", .int(7))))
    #expect(value("&y") == .reference(frame: 1, name: "y"))
    #expect(value("&z") == .value(.unary(.addressOf, .identifier("z"))))
    #expect(value("!0") == .value(.int(1)))
    #expect(value("sizeof(u32)") == .value(.int(4)))
    for impure in ["f(y)", "y = 2", "a && b", "a || b", "a ? b : c", "p[g()]", "-h()"] {
      #expect(value(impure) == nil, "\(impure)")
    }
  }
}

@Suite struct CorpusTransitionTests {
  static let file = "arch/arm64/kernel/ftrace.c"

  func extractor(_ era: String, _ options: [String]) -> TransitionExtractor? {
    guard let text = Paths.corpusFile(era, Self.file) else { return nil }
    return TransitionExtractor(text: text, file: Self.file, config: KernelConfig(enabled: options))
  }

  @Test func v519WithRegs() throws {
    guard
      let x = extractor(
        "3eefdf9d1e40-v5.19-with-regs",
        ["DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_REGS", "ARM64_MODULE_PLTS"])
    else { return }
    #expect(
      summary(x.transition("ftrace_init_nop")) == [
        "[rec->ip - 4] NOP → MOV x9, x30 by ftrace_modify_code (validated)"
      ])
    // The range check is inline in this era: in range a BL to addr, out of range (a module)
    // a BL to the module's PLT.
    let call = try #require(x.transition("ftrace_make_call"))
    #expect(
      call.writes.contains { w in
        if case .branch(_, .identifier("addr"), true) = w.new {
          return w.conditions.map(\.description).contains("offset < -SZ_128M || offset >= SZ_128M")
            == false
        }
        return false
      })
    #expect(
      call.paths.filter { if case .failed = $0.outcome { false } else { true } }
        .allSatisfy { $0.writes.count == 1 })
    // Out of range: the BL goes to the module PLT; make_nop then skips validation (old = 0).
    let nop = try #require(x.transition("ftrace_make_nop"))
    #expect(nop.writes.contains { $0.old == .raw(0) && $0.new == .nop && !$0.validate })
    #expect(
      nop.writes.contains {
        $0.old == .branch(from: OffsetExpr(.recordIP), to: .identifier("addr"), link: true)
          && $0.validate
      })
    #expect(nop.paths.contains { $0.outcome == .failed("EINVAL") })
    #expect(x.transition("ftrace_rec_update_ops") == nil)
    #expect(x.transition("ftrace_call_adjust") == nil)  // in asm/ftrace.h in this era
    #expect(
      summary(x.transition("ftrace_update_ftrace_func")) == [
        "[ftrace_call] 0x0 → BL func (from ftrace_call) by ftrace_modify_code"
      ])
    for n in FtraceFunctions.names { #expect(x.transition(n)?.diagnostics.isEmpty ?? true, "\(n)") }
  }

  static let callOps = [
    "DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS", "MODULES",
    "ARM64_MODULE_PLTS",
  ]

  @Test(arguments: ["0c3beacf681e-recent", "2aa6ac03516d-v6.4-direct-calls"])
  func callOpsEra(_ era: String) throws {
    guard let x = extractor(era, Self.callOps + ["ARM64_BTI_KERNEL"]) else { return }
    let literal = "[ALIGN_DOWN(rec->ip - 12, 8)]"
    func lines(_ name: String) -> [String] {
      summary(x.transition(name)).map {
        $0.replacingOccurrences(of: " by aarch64_insn_write_literal_u64", with: "")
      }
    }
    // make_call: the ops literal first, then NOP → BL. The ops arm64_rec_get_ops gives depend
    // on the record: the callsite's own ops when one ops traces it, else ftrace_list_ops.
    let call = lines("ftrace_make_call")
    #expect(call.contains { $0.hasPrefix("\(literal) .quad ftrace_find_unique_ops(rec) via ") })
    #expect(call.contains { $0.hasPrefix("\(literal) .quad &ftrace_list_ops via ") })
    let firstLiteral = try #require(call.firstIndex { $0.hasPrefix(literal) })
    let firstBL = try #require(call.firstIndex { $0.hasPrefix("[rec->ip] NOP → BL ") })
    #expect(firstLiteral < firstBL)
    // make_nop: &ftrace_nop_ops first, then BL → NOP.
    let nop = lines("ftrace_make_nop")
    #expect(
      nop.first
        == "\(literal) .quad &ftrace_nop_ops via ftrace_rec_set_nop_ops → ftrace_rec_set_ops")
    #expect(nop.dropFirst().allSatisfy { $0.hasPrefix("[rec->ip] BL ") && $0.contains("→ NOP") })
    #expect(
      lines("ftrace_init_nop") == [
        "\(literal) .quad &ftrace_nop_ops via ftrace_rec_set_nop_ops → ftrace_rec_set_ops",
        "[rec->ip - 4] NOP → MOV x9, x30 by ftrace_modify_code (validated)",
      ])
    // No global BL to patch with CALL_OPS.
    #expect(x.transition("ftrace_update_ftrace_func")?.writes.isEmpty == true)
    // ftrace_call_adjust: record + 16 after a BTI, + 12 without, 0 when misaligned.
    let adjust = try #require(x.transition("ftrace_call_adjust"))
    #expect(
      Set(adjust.paths.compactMap(\.returnedAddress)) == [
        OffsetExpr(.patchEntry, offset: 16), OffsetExpr(.patchEntry, offset: 12),
      ])
    #expect(adjust.paths.contains { $0.outcome == .returned(.int(0)) })
    let literalWrite = try #require(x.transition("ftrace_rec_set_ops")?.writes.first)
    #expect(literalWrite.target == OffsetExpr(.recordIP, offset: -12, alignDown: 8))
    #expect(literalWrite.api == .writeLiteralU64)
    for n in FtraceFunctions.names { #expect(x.transition(n)?.diagnostics.isEmpty ?? true, "\(n)") }
    // Without CALL_OPS the same file has no literal writes and a fixed +4 adjustment.
    guard let args = extractor(era, ["DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_ARGS", "MODULES"])
    else { return }
    // A direct trampoline out of range is reached through FTRACE_ADDR (and, from a module,
    // through its PLT).
    let targets = TransitionTests.branchTargets(args.transition("ftrace_make_call"))
    #expect(targets.isSuperset(of: ["addr", "FTRACE_ADDR"]))
    #expect(
      targets.subtracting(["addr", "FTRACE_ADDR"]).allSatisfy { $0.contains("ftrace_trampolines") })
    #expect(
      args.transition("ftrace_call_adjust")?.paths.compactMap(\.returnedAddress) == [
        OffsetExpr(.patchEntry, offset: 4)
      ])
    #expect(args.transition("ftrace_update_ftrace_func")?.writes.count == 1)
    // The mcount fallback (no ARGS): at module load the BL may point at any PLT, so make_nop
    // writes the NOP without validation when `mod` is set.
    guard let mcount = extractor(era, ["DYNAMIC_FTRACE", "MODULES", "ARM64_MODULE_PLTS"]) else {
      return
    }
    let mcountNop = try #require(mcount.transition("ftrace_make_nop"))
    let unvalidated = mcountNop.writes.filter { $0.api == .patchTextNosync && $0.new == .nop }
    #expect(unvalidated.map(\.conditions) == [[CExpr.identifier("mod")]])
    #expect(mcount.transition("ftrace_init_nop") == nil)
    #expect(
      mcount.transition("ftrace_call_adjust")?.paths.compactMap(\.returnedAddress) == [
        OffsetExpr(.patchEntry)
      ])
  }
}

@Test func seriesBaseReadsAsOneWhole() {
  let config = TransitionTests.regs.setting("ARM64_BTI_KERNEL", .yes)
    .setting("ARM64_PTR_AUTH_KERNEL", .yes).setting("CC_HAS_BRANCH_PROT_PAC_RET_BTI", .yes)
  let s = FtraceSources.read(tree: FolderTree(root: Paths.seriesBase), config: config)
  #expect(s.missingFiles == ["Makefile"])
  #expect(s.flags?.patchableEntry?.total == 2)
  #expect(s.flags?.branchProtection?.bti == true)
  #expect(s.entry?.symbol(named: "ftrace_regs_caller")?.kind == .code)
  #expect(s.transitions["ftrace_init_nop"]?.writes.count == 1)
  #expect(s.transitions["ftrace_rec_update_ops"] == nil)
  #expect(!s.diagnostics.contains { $0.severity >= .warning }, "\(s.diagnostics)")
}

@Test func literalProposalShapeIsModelled() throws {
  let text = try #require(Paths.read(Paths.fixtures + "/literal-ftrace.c"))
  let x = TransitionExtractor(text: text, file: "literal-ftrace.c", config: KernelConfig())
  let initNop = try #require(x.transition("ftrace_init_nop"))
  #expect(initNop.diagnostics.isEmpty, "\(initNop.diagnostics)")
  #expect(
    summary(initNop) == [
      "[rec->ip - 20] .quad &ftrace_dummy_tramp by aarch64_insn_write_literal_u64 via ftrace_init_literal",
      "[rec->ip - 12] NOP → LDR x16, [rec->ip - 20] (from rec->ip - 12) by ftrace_modify_code (validated) via ftrace_init_literal",
      "[rec->ip - 8] NOP → BR x16 by ftrace_modify_code (validated) via ftrace_init_literal",
      "[rec->ip - 4] NOP → MOV x9, x30 by ftrace_modify_code (validated)",
    ])
  let call = try #require(x.transition("ftrace_make_call"))
  #expect(
    summary(call) == [
      "[rec->ip] NOP → BL addr (from rec->ip) by ftrace_modify_code (validated) if reachable_by_bl(addr, rec->ip)",
      "[rec->ip] NOP → BL rec->ip - LITERAL_CALL_OFFSET (from rec->ip) by ftrace_modify_code (validated) if !reachable_by_bl(addr, rec->ip)",
    ])
  #expect(x.transition("ftrace_update_landing_pad")?.writes.first?.new == .hint(.btiJ))
  #expect(
    x.transition("ftrace_make_adr")?.writes.first?.new
      == .adr(
        from: OffsetExpr(.recordIP), to: .identifier("ftrace_caller"), register: .x(17), page: true)
  )
}
