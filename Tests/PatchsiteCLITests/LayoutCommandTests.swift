import Foundation
import TestSupport
import Testing

@testable import PatchsiteCLI

private let root = Tools.packageRoot()

/// `patchsite ARGS`, with what it wrote to `-o`.
private func run(_ args: [String]) throws -> (Int32, String) { try runCapturing(args) }

/// The JSON units of `patchsite layout … --format json`.
private func units(_ example: String, tree: Bool = true) throws -> [[String: Any]] {
  var args = ["layout", root + "/Series/\(example)/series.mbox", "--format", "json"]
  if tree { args += ["--tree", root + "/Series/base"] }
  let (status, text) = try run(args)
  #expect(status == 0)
  let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
  return try #require(object?["units"] as? [[String: Any]])
}

private func unit(
  _ us: [[String: Any]], version: Int, bti: Bool, prose: Bool = false
) -> [String: Any]? {
  us.first { u in
    let name = u["configName"] as? String ?? ""
    return u["version"] as? Int == version
      && (prose ? name == "prose" : name.hasSuffix(bti ? " ARM64_BTI_KERNEL" : "!ARM64_BTI_KERNEL"))
  }
}

private func state(_ u: [String: Any]?, _ name: String) -> [[String: Any]]? {
  let states = u?["states"] as? [[String: Any]]
  return states?.first { $0["name"] as? String == name }?["words"] as? [[String: Any]]
}

private func word(_ words: [[String: Any]]?, _ offset: Int) -> (text: String, kind: String)? {
  guard let w = words?.first(where: { $0["offset"] as? Int == offset }) else { return nil }
  return (w["text"] as? String ?? "", w["kind"] as? String ?? "")
}

private func diagnostics(_ u: [String: Any]?) -> [String] {
  (u?["diagnostics"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
}

@Suite struct LayoutCommandTests {
  @Test(arguments: ["with-args", "call-ops", "direct-calls", "literal-call", "in-function-literal"])
  func snapshotOfEveryExample(_ example: String) throws {
    let (status, text) = try run([
      "layout", root + "/Series/\(example)/series.mbox", "--tree", root + "/Series/base",
      "--format", "json",
    ])
    #expect(status == 0)
    let portable = text.replacingOccurrences(of: root + "/", with: "")
    #expect(Snapshot.check(portable, named: "layout-\(example)", extension: "json") == nil)
  }

  @Test func withArgs() throws {
    let us = try units("with-args")
    for bti in [false, true] {
      let u = unit(us, version: 2, bti: bti)
      let b = bti ? 4 : 0
      #expect(word(state(u, "init"), b)?.text == "mov x9, x30")
      #expect(word(state(u, "init"), b + 4)?.text == "nop")
      #expect(word(state(u, "near"), b + 4)?.text.hasSuffix("<ftrace_caller>") == true)
      #expect(word(state(u, "near"), b + 4)?.text.hasPrefix("bl ") == true)
      #expect(bti == (word(state(u, "compiled"), 0)?.text == "bti c"))
      #expect(diagnostics(u).isEmpty, "\(diagnostics(u))")
    }
    // v1 kept the REGS-only ftrace_call_adjust: rec->ip lands on the first NOP, so
    // ftrace_init_nop writes the MOV in front of the function (or over the BTI).
    #expect(
      diagnostics(unit(us, version: 1, bti: false)).contains("layout.write-outside-patch-area"))
    #expect(diagnostics(unit(us, version: 1, bti: true)).contains("layout.validation-mismatch"))
  }

  @Test func callOpsWithBTI() throws {
    let us = try units("call-ops")
    let u = try #require(unit(us, version: 1, bti: true))
    let initWords = state(u, "init")
    #expect(word(initWords, -8)?.kind == "literal")
    #expect(word(initWords, -8)?.text == ".quad ftrace_nop_ops (low)")
    #expect(word(initWords, -4)?.kind == "literal")
    #expect(word(initWords, 0)?.text == "bti c")
    #expect(word(initWords, 4)?.text == "mov x9, x30")
    #expect(word(state(u, "near"), 8)?.text.hasSuffix("<ftrace_caller>") == true)
    // The literal's address is 8-aligned.
    let w = try #require(initWords?.first { $0["offset"] as? Int == -8 })
    let address = try #require(UInt64(w["address"] as? String ?? "", radix: 16))
    #expect(address % 8 == 0)
    #expect(u["recordOffset"] as? Int == 8)
    // make_call writes the literal before the BL.
    let near = (u["transitions"] as? [[String: Any]])?.first { $0["to"] as? String == "near" }
    let writes = near?["writes"] as? [[String: Any]] ?? []
    #expect(writes.map { $0["width"] as? Int } == [8, 4])
    #expect(writes.map { $0["api"] as? String } == ["write_literal_u64", "patch_text_nosync"])
    #expect(!diagnostics(u).contains("layout.literal-misaligned"))
    // ftrace_modify_call from near reaches the same list state as ftrace_make_call, and (the
    // base tree being a WITH_REGS one) the regs state of ftrace_regs_caller.
    let modifies = (u["transitions"] as? [[String: Any]] ?? []).filter {
      $0["function"] as? String == "ftrace_modify_call"
    }
    #expect(modifies.allSatisfy { $0["from"] as? String == "near" })
    #expect(Set(modifies.compactMap { $0["to"] as? String }) == ["list", "regs"])
    #expect(!diagnostics(u).contains("layout.fact"))
    // Without BTI the BL slot is func+4.
    #expect(unit(us, version: 1, bti: false)?["recordOffset"] as? Int == 4)
  }

  @Test func directCalls() throws {
    let us = try units("direct-calls")
    for v in [1, 2] {
      let u = unit(us, version: v, bti: true)
      #expect(word(state(u, "direct-near"), 8)?.text.hasSuffix("<<direct trampoline>>") == true)
      // Out of range: ftrace_find_callable_addr substitutes FTRACE_ADDR.
      #expect(word(state(u, "direct-far"), 8)?.text.hasSuffix("<ftrace_caller>") == true)
      #expect(word(state(u, "direct-far"), -8)?.text == ".quad <direct ops> (low)")
      let trampolines = u?["trampolines"] as? [[String: Any]] ?? []
      let stub = trampolines.first { $0["name"] as? String == "ftrace_stub_direct_tramp" }
      #expect(stub?["landingPad"] as? String == "bti c")
    }
  }

  @Test func literalCallMisalignedLiteral() throws {
    let us = try units("literal-call")
    let u = unit(us, version: 2, bti: true)
    // GCC's real placement: .p2align 3 before the five NOPs, so f is 4 mod 8.
    let compiled = state(u, "compiled")
    #expect(compiled?.first?["offset"] as? Int == -20)
    let f = try #require(
      (u?["states"] as? [[String: Any]])?.first?["functionAddress"] as? String)
    #expect(UInt64(f, radix: 16).map { $0 % 8 } == 4)
    // The literal the patch computes at f-16 (its listing) is not 8-aligned there.
    let prose = try #require(unit(us, version: 2, bti: true, prose: true))
    #expect(word(state(prose, "listing-1"), -16)?.kind == "literal")
    #expect(diagnostics(prose).contains("layout.literal-misaligned"))
    // The C, followed through its helpers, agrees with its listing: literal at f-16, stub at
    // f-8 — and so the literal it writes at run time is misaligned too.
    let initWords = state(u, "init")
    #expect(word(initWords, -16)?.text == ".quad ftrace_dummy_tramp (low)")
    #expect(word(initWords, -20)?.text == "nop")
    #expect(word(initWords, -8)?.text.hasPrefix("ldr x16, ") == true)
    #expect(word(initWords, -4)?.text == "br x16")
    #expect(word(state(u, "tramp-far"), 8)?.text.hasPrefix("bl ") == true)
    #expect(word(state(u, "tramp-far"), -16)?.text == ".quad <far direct trampoline> (low)")
    #expect(diagnostics(u).contains("layout.literal-misaligned"))
  }

  @Test func inFunctionLiteralFromProse() throws {
    let us = try units("in-function-literal")
    let u = try #require(us.first { $0["configName"] as? String == "prose" })
    let names = (u["states"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
    #expect(names.map { $0.prefix(1) } == ["a", "b", "c", "d"])
    let b = state(u, names[1])
    #expect(word(b, 0)?.text == "bti c")
    #expect(word(b, 4)?.text.hasSuffix("<func_body>") == true)
    #expect(word(b, 8)?.text == ".quad ftrace_dummy_tramp (low)")
    #expect(word(b, 8)?.kind == "literal")
    #expect(word(b, 24)?.text == "blr x16")
    #expect(word(state(u, names[3]), 24)?.text.hasSuffix("<custom_trampoline>") == true)
  }

  @Test func treeAloneAndStateFilter() throws {
    let (status, text) = try run([
      "layout", "--tree", root + "/Series/base", "--config", "ARM64_BTI_KERNEL=n",
      "--state", "near",
    ])
    #expect(status == 0)
    #expect(text.contains("state near"))
    #expect(!text.contains("state init"))
    #expect(text.contains("assumptions:"))
  }

  @Test func handWrittenFile() throws {
    let dir = try Tools.makeTemporaryDirectory()
    defer { Tools.removeTemporaryDirectory(dir) }
    try Data("state enabled\n0: mov x9, x30\n4: bl ftrace_caller\n".utf8).write(
      to: URL(fileURLWithPath: dir + "/l.txt"))
    let (status, text) = try run(["layout", "--layout", dir + "/l.txt", "--format", "json"])
    #expect(status == 0)
    #expect(text.contains("\"kind\": \"insn\""))
    try Data("state enabled\n0: frob\n".utf8).write(to: URL(fileURLWithPath: dir + "/bad.txt"))
    #expect(Patchsite.run(["layout", "--layout", dir + "/bad.txt"]) == 2)
  }

  /// The exit contract: a version whose patch does not apply to the base is "something found".
  @Test func aPatchThatDoesNotApplyExitsOne() throws {
    let dir = try Tools.makeTemporaryDirectory()
    defer { Tools.removeTemporaryDirectory(dir) }
    _ = try Tools.run("/bin/cp", ["-R", root + "/Series/base/.", dir])
    let path = dir + "/arch/arm64/kernel/ftrace.c"
    let text = try String(contentsOfFile: path, encoding: .utf8)
    try text.replacingOccurrences(of: "ftrace_regs_caller: one BL replaced", with: "another")
      .write(toFile: path, atomically: true, encoding: .utf8)
    let (status, out) = try run([
      "layout", root + "/Series/with-args/series.mbox", "--tree", dir, "--format", "json",
    ])
    #expect(status == 1)
    #expect(out.contains("\"layout.partial-post-image\""))
    #expect(
      try run(["layout", root + "/Series/with-args/series.mbox", "--tree", root + "/Series/base"]).0
        == 0)
  }

  @Test func badInputExitsTwo() {
    #expect(Patchsite.run(["layout", root + "/Series/nope.mbox"]) == 2)
    #expect(Patchsite.run(["layout", "--tree", root + "/Series/base", "--config", "NOVALUE"]) == 2)
    #expect(Patchsite.run(["layout"]) == 2)
  }

  @Test func helpTeachesWithExamples() throws {
    let help = LayoutCommand.helpMessage()
    #expect(help.contains("Examples:"))
    #expect(help.contains("patchsite layout Series/call-ops/series.mbox --tree Series/base"))
    #expect(help.contains("--layout FILE"))
    #expect(Patchsite.run(["layout", "--help"]) == 0)
  }
}

@Test func textTableOfCallOps() throws {
  let (status, text) = try run([
    "layout", root + "/Series/call-ops/series.mbox", "--tree", root + "/Series/base",
  ])
  #expect(status == 0)
  #expect(text.contains("    pre func-8 "))
  let portable = text.replacingOccurrences(of: root + "/", with: "")
  #expect(Snapshot.check(portable, named: "layout-call-ops", extension: "txt") == nil)
}

/// The semantic range-diff: v2 of with-args fixes where v1 put the MOV X9, X30.
@Test func withArgsV2ComparedWithV1() throws {
  let (status, text) = try run([
    "layout", root + "/Series/with-args/series.mbox", "--tree", root + "/Series/base",
  ])
  #expect(status == 0)
  // With BTI, v1's init wrote MOV X9, X30 over the BTI at func+0.
  #expect(text.contains("rec->ip (the BL slot) moved from func+4 to func+8"))
  #expect(text.contains("func+0    aa1e03e9 mov x9, x30  ->  d503245f bti c"))
  // Without BTI, v1 wrote it below the function symbol.
  #expect(text.contains("rec->ip (the BL slot) moved from func+0 to func+4"))
  #expect(text.contains("func-4    aa1e03e9 mov x9, x30  ->  (no word)"))
}

/// direct-calls v2 changes only the jump in ftrace_caller_direct; the range-diff says so.
@Test func directCallsV2ComparedWithV1() throws {
  let (status, text) = try run([
    "layout", root + "/Series/direct-calls/series.mbox", "--tree", root + "/Series/base",
  ])
  #expect(status == 0)
  #expect(text.contains("trampoline ftrace_caller_direct starts with br x17 instead of br x10"))
}
