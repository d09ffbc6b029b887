import Foundation
import KernelSource
import TestSupport
import Testing

@testable import Analysis

/// The shared corpus's kernel files (test input only, never copied), combined per era with the
/// few lines the corpus lacks, written here from DOMAIN.md §4 (flags, `ftrace_call_adjust`).
enum Corpus {
  static let root: String? = {
    for c in [Tools.packageRoot() + "/../shared/corpus", "/work/shared/corpus"]
    where FileManager.default.fileExists(atPath: c + "/kernel") {
      return c
    }
    print("skipped: no shared corpus beside the checkout (../shared/corpus)")
    return nil
  }()

  static func file(_ era: String, _ path: String) -> String? {
    guard let root else { return nil }
    let text = FileManager.default.contents(atPath: "\(root)/kernel/\(era)/\(path)").map {
      String(decoding: $0, as: UTF8.self)
    }
    if text == nil { print("skipped: corpus file \(era)/\(path) is missing") }
    return text
  }

  /// DOMAIN.md §4.4: `=4,2` and 8-byte function alignment under CALL_OPS; BTI flags.
  static let callOpsMakefile = """
    ifeq ($(CONFIG_ARM64_BTI_KERNEL),y)
    KBUILD_CFLAGS += -mbranch-protection=pac-ret+leaf+bti
    endif
    ifeq ($(CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS),y)
      CC_FLAGS_FTRACE := -fpatchable-function-entry=4,2
      KBUILD_CFLAGS += -falign-functions=8
    else
      CC_FLAGS_FTRACE := -fpatchable-function-entry=2
    endif
    """

  /// DOMAIN.md §4.2: with REGS the record is the second NOP (`addr + 4`).
  static let regsHeader = """
    #ifndef __ASSEMBLY__
    static inline unsigned long ftrace_call_adjust(unsigned long addr)
    {
    	if (IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_REGS))
    		return addr + AARCH64_INSN_SIZE;
    	return addr;
    }
    #endif
    """

  static func layout(_ files: [String: String], _ options: [String], bti: Bool) -> Layout {
    var config = Kconfig.defaultBase
    for o in options { config = config.setting(o, .yes) }
    config = config.setting("ARM64_BTI_KERNEL", bti ? .yes : .no)
    let sources = FtraceSources.read(tree: InMemoryTree(files), config: config)
    return LayoutBuilder(
      sources: sources, source: "corpus",
      configuration: LayoutConfiguration(name: options.joined(separator: " "), options: options)
    )
    .build()
  }
}

@Suite struct CorpusLayoutTests {
  /// v5.19 ftrace.c, v6.1 Makefile, v5.x entry-ftrace.S: the WITH_REGS callsite.
  @Test(arguments: [false, true])
  func withRegsEra(_ bti: Bool) throws {
    guard let c = Corpus.file("3eefdf9d1e40-v5.19-with-regs", "arch/arm64/kernel/ftrace.c"),
      let mk = Corpus.file("002c6ca75289-v6.1-with-regs", "arch/arm64/Makefile"),
      let entry = Corpus.file("1136fa0c07de-v5.x-with-regs", "arch/arm64/kernel/entry-ftrace.S")
    else { return }
    let l = Corpus.layout(
      [
        "arch/arm64/kernel/ftrace.c": c, "arch/arm64/Makefile": mk,
        "arch/arm64/kernel/entry-ftrace.S": entry,
        "arch/arm64/include/asm/ftrace.h": Corpus.regsHeader,
      ],
      [
        "DYNAMIC_FTRACE_WITH_REGS", "ARM64_MODULE_PLTS", "ARM64_PTR_AUTH_KERNEL",
        "CC_HAS_BRANCH_PROT_PAC_RET_BTI",
      ], bti: bti)
    let b = bti ? 4 : 0
    #expect(l.state("compiled")?.words.map(\.text) == (bti ? ["bti c"] : []) + ["nop", "nop"])
    #expect(l.recordOffset == b + 4)
    #expect(l.state("init")?.word(at: b)?.text == "mov x9, x30")
    #expect(l.state("near")?.word(at: b + 4)?.text.hasPrefix("bl ") == true)
    #expect(l.state("disabled")?.word(at: b + 4)?.text == "nop")
    #expect(l.diagnostics.isEmpty, "\(l.diagnostics)")
    print(
      "corpus with-regs (BTI \(bti)): far =", l.state("far")?.word(at: b + 4)?.text ?? "-",
      "diagnostics:", l.diagnostics.map(\.message))
    #expect(
      l.trampolines.contains { $0.name == "ftrace_regs_caller" || $0.name == "ftrace_caller" })
  }

  /// v6.4 ftrace.c and entry-ftrace.S (direct calls on CALL_OPS).
  @Test(arguments: [false, true])
  func directCallsEra(_ bti: Bool) throws {
    guard let c = Corpus.file("2aa6ac03516d-v6.4-direct-calls", "arch/arm64/kernel/ftrace.c"),
      let entry = Corpus.file("2aa6ac03516d-v6.4-direct-calls", "arch/arm64/kernel/entry-ftrace.S")
    else { return }
    let l = Corpus.layout(
      [
        "arch/arm64/kernel/ftrace.c": c, "arch/arm64/Makefile": Corpus.callOpsMakefile,
        "arch/arm64/kernel/entry-ftrace.S": entry,
      ],
      [
        "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS",
        "DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "ARM64_MODULE_PLTS",
      ], bti: bti)
    let b = bti ? 4 : 0
    #expect(l.recordOffset == b + 4)
    let initS = try #require(l.state("init"))
    #expect(initS.word(at: -8)?.kind == .literal)
    #expect(initS.word(at: -8)?.symbol == "ftrace_nop_ops")
    #expect(initS.address(-8) % 8 == 0)
    #expect(initS.word(at: b)?.text == "mov x9, x30")
    #expect(l.state("near")?.word(at: b + 4)?.text.hasSuffix("<ftrace_caller>") == true)
    #expect(l.state("direct-near")?.word(at: b + 4)?.symbol == "<direct trampoline>")
    #expect(l.state("direct-far")?.word(at: b + 4)?.text.hasSuffix("<ftrace_caller>") == true)
    #expect(l.state("far")?.word(at: b + 4)?.symbol == "<module ftrace PLT>")
    let stub = l.trampolines.first { $0.name == "ftrace_stub_direct_tramp" }
    print(
      "corpus v6.4 (BTI \(bti)): trampolines",
      l.trampolines.map { "\($0.name)=\($0.firstText ?? "?")" },
      "diagnostics:", l.diagnostics.map(\.message))
    if bti, stub?.firstWord != nil { #expect(stub?.landingPad == "bti c") }
  }

  /// The recent ftrace.c with the CALL_OPS flags.
  @Test func recentEra() throws {
    guard let c = Corpus.file("0c3beacf681e-recent", "arch/arm64/kernel/ftrace.c") else { return }
    let l = Corpus.layout(
      ["arch/arm64/kernel/ftrace.c": c, "arch/arm64/Makefile": Corpus.callOpsMakefile],
      ["DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS", "ARM64_MODULE_PLTS"], bti: true)
    #expect(l.recordOffset == 8)
    #expect(l.state("near")?.word(at: -8)?.symbol == "<callsite ops>")
    #expect(l.state("list")?.word(at: -8)?.symbol == "ftrace_list_ops")
    #expect(l.state("disabled")?.word(at: -8)?.symbol == "ftrace_nop_ops")
    print("corpus recent: diagnostics:", l.diagnostics.map(\.message))
  }
}
