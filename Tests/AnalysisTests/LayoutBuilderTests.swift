import AArch64
import Diagnostics
import Foundation
import KernelSource
import TestSupport
import Testing

@testable import Analysis

/// A folder on disk as a kernel tree.
struct FolderTree: KernelTree {
  var root: String
  func contents(of path: String) -> String? {
    FileManager.default.contents(atPath: root + "/" + path).map {
      String(decoding: $0, as: UTF8.self)
    }
  }
}

enum Fixture {
  static let root = Tools.packageRoot()
  static let base = FolderTree(root: root + "/Series/base")
  static let regs = Kconfig.defaultBase.setting("DYNAMIC_FTRACE_WITH_REGS", .yes)

  static func layout(_ tree: any KernelTree, _ config: KernelConfig) -> Layout {
    LayoutBuilder(
      sources: FtraceSources.read(tree: tree, config: config), source: "test",
      configuration: LayoutConfiguration(name: "test")
    ).build()
  }

  static func text(_ s: LayoutState?, _ offset: Int) -> String? { s?.word(at: offset)?.text }
}

@Suite struct LayoutBuilderTests {
  @Test func seriesBaseWithRegsAndBTI() throws {
    let l = Fixture.layout(Fixture.base, Fixture.regs.setting("ARM64_BTI_KERNEL", .yes))
    let compiled = try #require(l.state("compiled"))
    #expect(compiled.words.map(\.text) == ["bti c", "nop", "nop"])
    #expect(l.patchEntryOffset == 4)
    #expect(l.recordOffset == 8)
    #expect(Fixture.text(l.state("init"), 4) == "mov x9, x30")
    #expect(Fixture.text(l.state("near"), 8)?.hasSuffix("<ftrace_caller>") == true)
    #expect(Fixture.text(l.state("disabled"), 8) == "nop")
    #expect(l.state("far")?.placement == .module)
    #expect(Fixture.text(l.state("far"), 8)?.hasSuffix("<<module ftrace PLT>>") == true)
    let initT = try #require(l.transitions.first { $0.to == .initialized })
    #expect(!initT.concurrent)
    #expect(initT.writes.map(\.api) == [.initTime])
    let near = try #require(l.transitions.first { $0.to == .near })
    #expect(near.writes.count == 1 && near.writes[0].offset == 8 && near.writes[0].width == 4)
    #expect(near.writes[0].old == UInt64(Words.nop))
    #expect(near.writes[0].api == .patchTextNosync)
    #expect(!l.diagnostics.contains { $0.severity >= .warning }, "\(l.diagnostics)")
  }

  @Test func seriesBaseWithRegsWithoutBTI() throws {
    let l = Fixture.layout(Fixture.base, Fixture.regs.setting("ARM64_BTI_KERNEL", .no))
    #expect(l.recordOffset == 4)
    #expect(l.state("init")?.words.map(\.text) == ["mov x9, x30", "nop"])
    let near = try #require(l.state("near"))
    // BL encoded with the project's encoder at the assumed addresses.
    let bl = try #require(near.word(at: 4))
    let target = try #require(Words.branchTarget(A64.decode(bl.word), pc: near.address(4)))
    #expect(l.trampolines.contains { $0.name == "ftrace_caller" && $0.address == target })
    #expect(l.assumptions.contains { $0.kind == .address && $0.text.contains("core kernel text") })
  }

  /// Without WITH_REGS the fixture's Makefile sets no CC_FLAGS_FTRACE: the top-level default
  /// `-pg` is taken and the mcount callsite rebuilt (issue 13; it used to be refused).
  @Test func theMcountFallbackIsTheTopLevelPgDefault() throws {
    let l = Fixture.layout(Fixture.base, Kconfig.defaultBase)
    #expect(l.build?.flags?.profiling?.defaulted == true)
    let compiled = try #require(l.state(.compiled))
    #expect(compiled.words.last?.text.hasSuffix("<_mcount>") == true)
    #expect(l.recordOffset == compiled.words.last?.offset)
    #expect(l.state(.initialized)?.words.last?.word == Words.nop)
    #expect(l.assumptions.contains { $0.text.contains("top-level default") })
  }

  @Test func trampolinesAreAssembledWithTheirLandingPads() throws {
    let l = Fixture.layout(Fixture.base, Fixture.regs.setting("ARM64_BTI_KERNEL", .yes))
    let stub = try #require(l.trampolines.first { $0.name == "ftrace_stub" })
    #expect(stub.kind == "func")
    #expect(stub.landingPad == "bti c")  // SYM_FUNC_START emits bti c with BTI on
    #expect(l.trampolines.allSatisfy { $0.firstWord != nil })
  }

  /// Conditions of extracted paths are evaluated against the scenario: the record, the target,
  /// the module, the configuration.
  @Test func scenarioAnswersTheConditions() {
    let symbols = SymbolSpace(firstFree: 0x1000)
    symbols.define("ftrace_caller", 0xffff_8000_8001_0000)
    var env = ScenarioEnvironment(
      config: KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_DIRECT_CALLS"]), constants: [:],
      symbols: symbols, placement: Placement())
    env.module = true
    env.recordParameter = "rec"
    env.recordIP = 0xffff_8000_0020_0008
    env.parameters = ["addr": Int64(bitPattern: 0xffff_8000_1000_0000), "mod": 0]
    func holds(_ text: String) -> Bool? { CEvaluator.truth(CExpr.parse(text), in: env) }
    let inRange = "(long)addr - (long)rec->ip >= -SZ_128M && (long)addr - (long)rec->ip < SZ_128M"
    #expect(holds(inRange) == false)
    #expect(holds("!(" + inRange + ")") == true)
    #expect(
      holds(
        "IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS) && addr != FTRACE_ADDR && addr != FTRACE_REGS_ADDR"
      ) == true)
    #expect(holds("WARN_ON(!__module_text_address(rec->ip))") == false)
    #expect(holds("mod") == false)
    #expect(holds("something_else(rec)") == nil)
    #expect(holds("__module_text_address(rec->ip) && something_else(rec)") == nil)
    #expect(holds("!__module_text_address(rec->ip) && something_else(rec)") == false)
    // `&mod->arch.ftrace_trampolines[1]`: the module's second PLT entry, 12 bytes in.
    #expect(
      CEvaluator.evaluate(
        CExpr.parse("&__module_text_address(rec->ip)->arch.ftrace_trampolines[1]"), in: env)
        == Int64(bitPattern: Placement().modulePLT) + 12)
    // A word in memory read through a cast pointer.
    env.memory[0xffff_8000_0020_0000] = 0xd503_245f
    env.parameters["entry"] = Int64(bitPattern: 0xffff_8000_0020_0000)
    #expect(holds("aarch64_insn_is_bti(le32_to_cpu(*(__le32 *)entry))") == true)
  }
}

@Suite struct LayoutFileTests {
  @Test func handWrittenCallOpsLayout() throws {
    let l = try LayoutFile.parse(
      """
      # CALL_OPS, BTI
      state enabled
      symbol my_ops = 0xffff800082000400
      -8: .quad my_ops
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      state far module
      8: bl <module ftrace PLT>
      """, file: "l.txt")
    let s = try #require(l.state("enabled"))
    #expect(s.words.map(\.kind) == [.literal, .literal, .insn, .insn, .insn])
    #expect(s.words.map(\.word).prefix(2) == [0x8200_0400, 0xffff_8000])
    #expect(s.word(at: 8)?.text.hasSuffix("<ftrace_caller>") == true)
    #expect(l.state("far")?.placement == .module)
    #expect(l.assumptions.contains { $0.text.contains("my_ops") })
  }

  @Test(arguments: [
    ("state\n", 1, "expected `state NAME"),
    ("0: nop\n", 1, "before the first"),
    ("state a\n3: nop\n", 2, "multiple of 4"),
    ("state a\n0: frob x1\n", 2, "cannot read"),
    ("state a\n0: .quad nowhere\n", 2, "unknown symbol"),
    ("state a\nnonsense\n", 2, "expected `OFFSET"),
    ("state a\n0x8000000000000000: nop\n", 2, "within ±1 MiB"),
    ("state a\n-0x8000000000000000: nop\n", 2, "multiple of 4"),
  ])
  func badInputNamesTheLine(_ text: String, _ line: Int, _ reason: String) {
    do {
      _ = try LayoutFile.parse(text, file: "bad.txt")
      Issue.record("no error for \(text)")
    } catch {
      #expect(error.location == SourceLocation(file: "bad.txt", line: line))
      #expect(error.reason.contains(reason), "\(error.reason)")
    }
  }

  @Test func randomBytesNeverCrash() {
    var g = SeededGenerator(seed: 0x1a70)
    for _ in 0..<300 {
      let n = Int.random(in: 0..<200, using: &g)
      let alphabet = Array("state symbol=0x-8: .quad bl nop ftrace_caller\n#<>,x9")
      let s = String((0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
      _ = try? LayoutFile.parse(s, file: "r.txt")
    }
  }
}

@Suite struct ProseLayoutTests {
  @Test func letteredListingsBecomeStatesWithLabelsResolved() throws {
    let body = """
      The states:

      a) compiled:

      \tfunc:
      \t\tbti\tc
      \t\tnop
      \t\tnop

      b) enabled, trampoline out of BL range:

      \tfunc:
      \t\tbti\tc
      \t\tb\tliteral_call
      \tliteral:
      \t\t.quad\t<custom trampoline>
      \tliteral_call:
      \t\tldr\tx16, literal
      \t\tbr\tx16
      """
    let listings = ProseListings.extract(body: body, file: "m.eml")
    let l = try #require(ProseLayouts.layout(from: listings, source: "reply"))
    #expect(l.states.count == 2)
    #expect(l.states.first?.name == "a-compiled")
    #expect(l.states.last?.name.hasPrefix("b-enabled") == true)
    let b = try #require(l.states.last)
    #expect(b.word(at: 4)?.text.hasSuffix("<literal_call>") == true)
    #expect(b.word(at: 8)?.kind == .literal)
    #expect(b.word(at: 16)?.text.hasPrefix("ldr x16") == true)
    // "out of BL range" in the heading: the custom trampoline is placed far.
    let far = Placement().farTrampoline
    #expect(b.word(at: 8)?.word == UInt32(truncatingIfNeeded: far))
    #expect(l.assumptions.contains { $0.text.contains("custom_trampoline") })
  }
}

/// Helpers that compute addresses are followed like any local function: their results are
/// offsets from `rec->ip`, whatever the configuration makes of them.
@Suite struct AddressHelperTests {
  @Test func helpersFollowedToRecordOffsets() throws {
    let text = """
      static unsigned long ftrace_func_entry(const struct dyn_ftrace *rec)
      {
      	unsigned long entry = rec->ip - 2 * AARCH64_INSN_SIZE;

      	if (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL))
      		entry -= AARCH64_INSN_SIZE;
      	return entry;
      }
      static unsigned long ftrace_literal(const struct dyn_ftrace *rec)
      {
      	return ftrace_func_entry(rec) - 16;
      }
      int ftrace_init_nop(struct module *mod, struct dyn_ftrace *rec)
      {
      	unsigned long stub = ftrace_literal(rec) + 8;

      	aarch64_insn_write_literal_u64((void *)ftrace_literal(rec), 0);
      	return aarch64_insn_patch_text_nosync((void *)(stub + AARCH64_INSN_SIZE),
      					      aarch64_insn_gen_nop());
      }
      """
    for bti in [false, true] {
      let config = KernelConfig(enabled: bti ? ["ARM64_BTI_KERNEL"] : [])
      let x = TransitionExtractor(text: text, file: "f.c", config: config)
      let t = try #require(x.transition("ftrace_init_nop"))
      #expect(
        t.writes.map(\.target) == [
          OffsetExpr(.recordIP, offset: bti ? -28 : -24),
          OffsetExpr(.recordIP, offset: bti ? -16 : -12),
        ])
      #expect(t.diagnostics.isEmpty, "\(t.diagnostics)")
    }
  }
}

/// Mutated copies of the example base (lines dropped, duplicated, swapped, bytes flipped) never
/// crash the readers or the builder; what is not modelled is said.
@Suite struct LayoutRobustnessTests {
  static let paths = [
    "arch/arm64/kernel/ftrace.c", "arch/arm64/include/asm/ftrace.h", "arch/arm64/Makefile",
    "arch/arm64/kernel/entry-ftrace.S",
  ]

  @Test func mutatedTreesNeverCrash() {
    let seed: UInt64 = 0x5eed_1a70
    var g = SeededGenerator(seed: seed)
    var files: [String: String] = [:]
    for p in Self.paths { files[p] = Fixture.base.contents(of: p) ?? "" }
    let config = Fixture.regs.setting("ARM64_BTI_KERNEL", .yes)
    var diagnosed = 0
    for round in 0..<60 {
      var tree = files
      let path = Self.paths[Int.random(in: 0..<Self.paths.count, using: &g)]
      var lines = (tree[path] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
        .map(String.init)
      for _ in 0..<Int.random(in: 1...6, using: &g) where !lines.isEmpty {
        let k = Int.random(in: 0..<lines.count, using: &g)
        switch Int.random(in: 0..<4, using: &g) {
        case 0: lines.remove(at: k)
        case 1: lines.insert(lines[k], at: k)
        case 2: lines.swapAt(k, Int.random(in: 0..<lines.count, using: &g))
        default:
          var b = Array(lines[k].utf8)
          if !b.isEmpty {
            b[Int.random(in: 0..<b.count, using: &g)] = UInt8.random(in: 32...126, using: &g)
          }
          lines[k] = String(decoding: b, as: UTF8.self)
        }
      }
      tree[path] = lines.joined(separator: "\n")
      let l = Fixture.layout(InMemoryTree(tree), config)
      if !l.diagnostics.isEmpty { diagnosed += 1 }
      #expect(l.states.allSatisfy { !$0.words.isEmpty }, "seed \(seed) round \(round)")
    }
    #expect(diagnosed > 0, "seed \(seed): no mutation was ever reported")
  }

  @Test func hugeArithmeticDoesNotTrap() {
    let env = ConstantEnvironment(names: ["addr": 0])
    func value(_ text: String) -> Int64? { CEvaluator.evaluate(CExpr.parse(text), in: env) }
    // C's unsigned long arithmetic wraps; Patchsite's does too, and never traps.
    #expect(value("addr + 99999999999 * 99999999999") == 99_999_999_999 &* 99_999_999_999)
    #expect(value("addr + 9223372036854775807 + 1") == Int64.min)
    #expect(value("1 / (addr - addr)") == nil)
    #expect(value(String(repeating: "(", count: 500) + "addr") == nil)
    #expect(value("addr - -4") == 4)
    #expect(value(String(repeating: "!", count: 5000) + "addr") == nil)
  }
}

@Suite struct ProseResolutionTests {
  static let body = """
    With -fpatchable-function-entry=7,5 each function starts as:

    \tliteral:
    \t\t.quad\tdummy_tramp
    \tliteral_call:
    \t\tldr\tx16, literal
    \t\tbr\tx16
    \t\tnop\t\t\t// only when func is not 8-byte aligned
    \tfunc:
    \t\tbti\tc
    \t\tmov\tx9, x30
    \t\tbl\ttramp
    """

  /// A listing's short name is the series' symbol (`dummy_tramp` → `ftrace_dummy_tramp`); a
  /// one-word placeholder (`tramp`) is not.
  @Test func namesAreLookedUpInTheSeries() throws {
    let known: [String: UInt64] = [
      "ftrace_dummy_tramp": 0xffff_8000_8001_0100,
      "ftrace_stub_direct_tramp": 0xffff_8000_8001_0200,
    ]
    let l = try #require(
      ProseLayouts.layout(
        from: ProseListings.extract(body: Self.body, file: "m"), source: "m", knownSymbols: known,
        statedEntry: ProseListings.statedPatchableEntry(in: Self.body)))
    let s = try #require(l.states.first)
    let literal = try #require(s.words.first { $0.kind == .literal })
    #expect(literal.word == 0x8001_0100)
    #expect(
      l.assumptions.contains { $0.text.contains("dummy_tramp is the series' ftrace_dummy_tramp") })
    let bl = try #require(s.words.last)
    #expect(bl.text.hasSuffix("<tramp>"))
    #expect(
      Words.branchTarget(A64.decode(bl.word), pc: s.address(bl.offset))
        == Placement().nearTrampoline)
  }

  /// The conditional NOP gives one picture per alignment; the message's =7,5 (five pre-entry
  /// words) keeps the one where the NOP is there.
  @Test func conditionalLinesGiveAlternativesCheckedAgainstTheFlags() throws {
    #expect(
      ProseListings.statedPatchableEntry(in: Self.body).map { [$0.total, $0.before] } == [7, 5])
    let listings = ProseListings.extract(body: Self.body, file: "m")
    #expect(listings.first?.lines.compactMap(\.onlyWhenFunctionModulo8) == [4])
    let l = try #require(
      ProseLayouts.layout(
        from: listings, source: "m", statedEntry: ProseListings.statedPatchableEntry(in: Self.body))
    )
    #expect(l.states.map(\.name) == ["listing-1-func4mod8"])
    let s = try #require(l.states.first)
    #expect(s.functionAddress % 8 == 4)
    #expect(s.words.filter { $0.offset < 0 }.count == 5)
    #expect(s.address(-20) % 8 == 0)
    #expect(l.diagnostics.map(\.id) == [LayoutMessage.listingDisagreesWithFlags])
    // Stated =7,3: neither alternative has three pre-entry words; both are shown, and said.
    let other = Self.body.replacingOccurrences(of: "=7,5", with: "=7,3")
    let m = try #require(
      ProseLayouts.layout(
        from: ProseListings.extract(body: other, file: "m"), source: "m",
        statedEntry: ProseListings.statedPatchableEntry(in: other)))
    #expect(m.states.map(\.name) == ["listing-1-func0mod8", "listing-1-func4mod8"])
    #expect(
      m.diagnostics.first?.message.contains("does not agree with -fpatchable-function-entry=7,3")
        == true)
  }
}
