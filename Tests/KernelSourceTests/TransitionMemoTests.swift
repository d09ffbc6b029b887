import TestSupport
import Testing

@testable import KernelSource

/// A kept transition is given only when everything its run could read is the same; whatever
/// the memo gives must be what a fresh run gives.
@Suite struct TransitionMemoTests {
  static let path = "arch/arm64/kernel/ftrace.c"
  static let tree = FolderTree(root: Paths.seriesBase)
  static let config = KernelConfig(enabled: [
    "DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_REGS", "ARM64_MODULE_PLTS", "FUNCTION_GRAPH_TRACER",
  ])

  func extractor(_ edit: (String) -> String = { $0 }, config: KernelConfig = config) throws
    -> TransitionExtractor
  {
    let text = try #require(Self.tree.contents(of: Self.path))
    return TransitionExtractor(text: edit(text), file: Self.path, config: config, tree: Self.tree)
  }

  /// Runs every ftrace function through `memo` and checks each against a fresh run; gives how
  /// many of them the memo reused.
  func reusedCount(_ memo: TransitionMemo, _ x: TransitionExtractor) -> Int {
    let before = memo.reused
    for n in FtraceFunctions.names {
      let kept = memo.transition(n, of: x)
      #expect(kept == x.transition(n), "\(n)")
    }
    return memo.reused - before
  }

  @Test func aDefinitionNoRunReadsKeepsEveryTransition() throws {
    let memo = TransitionMemo()
    let x = try extractor()
    let present = FtraceFunctions.names.filter { x.functions[$0] != nil }.count
    #expect(present > 3)
    #expect(reusedCount(memo, x) == 0)
    #expect(reusedCount(memo, x) == FtraceFunctions.names.count)
    let later = try extractor { $0 + "static const int __maybe_unused unread = 1;\n" }
    #expect(reusedCount(memo, later) == FtraceFunctions.names.count)
  }

  @Test func aChangedHelperIsRunAgainWhereverItIsReached() throws {
    let memo = TransitionMemo()
    _ = reusedCount(memo, try extractor())
    let narrower = try extractor {
      $0.replacingOccurrences(
        of: "offset >= -SZ_128M && offset < SZ_128M", with: "offset >= -SZ_1M && offset < SZ_1M")
    }
    let reaching = FtraceFunctions.names.filter {
      TransitionMemo.reachable(from: $0, in: narrower)["ftrace_find_callable_addr"] != nil
    }
    #expect(reaching.contains("ftrace_make_call"))
    #expect(reusedCount(memo, narrower) == FtraceFunctions.names.count - reaching.count)
  }

  /// A new local function named like a call the file used to leave external is inlined from
  /// then on: every run that could reach the name is made again.
  @Test func aNewHelperUnderAnOutsideNameIsAChange() throws {
    let memo = TransitionMemo()
    let x = try extractor()
    _ = reusedCount(memo, x)
    let later = try extractor {
      $0 + "static struct plt_entry *get_ftrace_plt(struct module *mod, unsigned long a)\n"
        + "{\n\treturn NULL;\n}\n"
    }
    #expect(later.transition("ftrace_make_call") != x.transition("ftrace_make_call"))
    let reused = reusedCount(memo, later)
    #expect(reused < FtraceFunctions.names.count)
    #expect(memo.transition("ftrace_make_call", of: later) == later.transition("ftrace_make_call"))
  }

  @Test func onlyTheOptionsARunConsultedMatterAndAKeptRunStillNotesThem() throws {
    let memo = TransitionMemo()
    _ = reusedCount(memo, try extractor())
    let unrelated = try extractor(config: Self.config.setting("UNRELATED_OPTION", .yes))
    #expect(reusedCount(memo, unrelated) == FtraceFunctions.names.count)
    let noPLTs = try extractor(config: Self.config.setting("ARM64_MODULE_PLTS", .no))
    #expect(reusedCount(memo, noPLTs) < FtraceFunctions.names.count)
    // A kept run tells the enclosing reads what it looked up, as the run itself did.
    let reads = ConfigReads()
    var noting = try extractor()
    noting.config = noting.config.noting(into: reads)
    let before = memo.reused
    _ = memo.transition("ftrace_make_call", of: noting)
    #expect(memo.reused == before + 1)
    #expect(reads.consulted?["ARM64_MODULE_PLTS"] != nil)
  }
}
