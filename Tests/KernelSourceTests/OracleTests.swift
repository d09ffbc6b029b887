import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import KernelSource

/// Differential tests: GNU make, the C preprocessor and GNU as read the same inputs, and
/// KernelSource must agree with them. Each test skips (with a message) when its tool is absent.
enum Oracle {
  /// Runs GNU make over `makefiles` (in order) with `config` and the Kbuild probe helpers
  /// defined under the same assumption KernelSource states (every probed option is supported),
  /// and returns the words of each variable in `names`.
  static func make(_ makefiles: [String], config: KernelConfig, names: [String]) throws
    -> [String: [String]]?
  {
    guard let make = Tools.oracle("make") else {
      print("skipped: GNU make is not installed")
      return nil
    }
    let dir = try Tools.makeTemporaryDirectory("ks-make")
    defer { Tools.removeTemporaryDirectory(dir) }
    var main = """
      cc-option = $(1)
      ld-option = $(1)
      as-option = $(1)
      cc-disable-warning = -Wno-$(strip $(1))
      try-run = $(2)

      """
    for (k, v) in config.values.sorted(by: { $0.key < $1.key }) where v != .no {
      main += "CONFIG_\(k) := \(v)\n"
    }
    for (i, text) in makefiles.enumerated() {
      try text.write(toFile: "\(dir)/part\(i).mk", atomically: true, encoding: .utf8)
      main += "include \(dir)/part\(i).mk\n"
    }
    main += ".DEFAULT_GOAL := patchsite-nothing\npatchsite-nothing: ; @:\n"
    for n in names { main += "$(info PATCHSITE \(n)=$(\(n)))\n" }
    try main.write(toFile: "\(dir)/main.mk", atomically: true, encoding: .utf8)
    let out = try Tools.run(make, ["-s", "-f", "\(dir)/main.mk"], cwd: dir)
    guard out.status == 0 else {
      Issue.record("make failed: \(out.stderr)")
      return nil
    }
    var result: [String: [String]] = [:]
    for line in out.stdout.split(separator: "\n") where line.hasPrefix("PATCHSITE ") {
      let body = line.dropFirst("PATCHSITE ".count)
      guard let eq = body.firstIndex(of: "=") else { continue }
      result[String(body[..<eq])] = body[body.index(after: eq)...].split(separator: " ").map(
        String.init)
    }
    return result
  }
}

@Suite struct MakeOracleTests {
  static let names = [
    "CC_FLAGS_FTRACE", "KBUILD_CFLAGS", "KBUILD_CPPFLAGS", "KBUILD_AFLAGS", "KBUILD_LDFLAGS",
    "LDFLAGS_vmlinux", "branch-prot-flags-y", "CHECKFLAGS", "UTS_MACHINE", "libs-y",
  ]

  static let configs: [KernelConfig] = [
    KernelConfig(),
    KernelConfig(enabled: [
      "DYNAMIC_FTRACE_WITH_REGS", "ARM64_PTR_AUTH_KERNEL", "ARM64_BTI_KERNEL",
      "CC_HAS_SIGN_RETURN_ADDRESS", "CC_HAS_BRANCH_PROT_PAC_RET_BTI", "RELOCATABLE",
      "SHADOW_CALL_STACK", "KASAN_SW_TAGS",
    ]),
    KernelConfig([
      "DYNAMIC_FTRACE_WITH_ARGS": .yes, "DYNAMIC_FTRACE_WITH_CALL_OPS": .yes,
      "ARM64_PTR_AUTH_KERNEL": .yes, "CC_HAS_BRANCH_PROT_PAC_RET": .yes,
      "FUNCTION_ALIGNMENT": .int(8), "CC_HAS_MIN_FUNCTION_ALIGNMENT": .yes,
      "CPU_BIG_ENDIAN": .yes, "KASAN_GENERIC": .yes, "AS_HAS_ARMV8_5": .yes,
    ]),
  ]

  func check(_ makefiles: [(path: String, text: String)], _ config: KernelConfig) throws {
    guard let expected = try Oracle.make(makefiles.map(\.text), config: config, names: Self.names)
    else { return }
    var vars: MakeVariables?
    for m in makefiles {
      vars = MakefileFlags.evaluate(text: m.text, file: m.path, config: config, into: vars)
    }
    guard let vars else { return }
    #expect(expected["KBUILD_CFLAGS"]?.contains("-mgeneral-regs-only") == true)
    for n in Self.names {
      #expect(vars.words(n).map(\.text) == expected[n] ?? [], "\(n) with \(config)")
    }
  }

  @Test(arguments: configs) func seriesBaseAndFixtureAgreeWithGNUMake(_ config: KernelConfig)
    throws
  {
    let base = try #require(Paths.read(Paths.seriesBase + "/arch/arm64/Makefile"))
    try check([("arch/arm64/Makefile", base)], config)
    let top = try #require(Paths.read(Paths.fixtures + "/callops/Makefile"))
    let arm = try #require(Paths.read(Paths.fixtures + "/callops/arch/arm64/Makefile"))
    try check([("Makefile", top), ("arch/arm64/Makefile", arm)], config)
  }

  @Test(arguments: configs) func corpusV61MakefileAgreesWithGNUMake(_ config: KernelConfig)
    throws
  {
    guard
      let text = Paths.corpusFile("002c6ca75289-v6.1-with-regs", "arch/arm64/Makefile")
    else { return }
    try check([("arch/arm64/Makefile", text)], config)
  }
}

extension Oracle {
  /// Runs the C preprocessor over `file` as cpp-lite saw it: the files cpp-lite included are
  /// copied, the ones it could not find become empty stubs, `CONFIG_*` come as `-D`, and
  /// `IS_ENABLED(CONFIG_X)` in `#if` lines is replaced by its value (the kernel defines it in
  /// a header the tree does not carry). Returns cpp's output tokens.
  static func cpp(
    file: String, text: String, tree: (any KernelTree)?, config: KernelConfig, assembly: Bool,
    seen: PreprocessedFile
  ) throws -> [String]? {
    guard let cpp = Tools.oracle("cpp") else {
      print("skipped: cpp is not installed")
      return nil
    }
    let dir = try Tools.makeTemporaryDirectory("ks-cpp")
    defer { Tools.removeTemporaryDirectory(dir) }
    let fm = FileManager.default
    func write(_ path: String, _ contents: String) throws {
      let url = URL(fileURLWithPath: dir + "/" + path)
      try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try ifEnabledReplaced(contents, config).write(to: url, atomically: true, encoding: .utf8)
    }
    try write(file, text)
    for f in seen.includedFiles where f != file {
      try write(f, tree?.contents(of: f) ?? "")
    }
    for m in seen.missingIncludes { try write("include/" + m.path, "") }
    var args = [
      "-P", "-undef", "-nostdinc", "-I", dir + "/arch/arm64/include", "-I", dir + "/include",
    ]
    if assembly { args += ["-x", "assembler-with-cpp", "-D__ASSEMBLY__=1"] }
    for (k, v) in config.values.sorted(by: { $0.key < $1.key }) {
      switch v {
      case .yes: args.append("-DCONFIG_\(k)=1")
      case .module: args.append("-DCONFIG_\(k)_MODULE=1")
      case .int(let n): args.append("-DCONFIG_\(k)=\(n)")
      case .string(let s): args.append("-DCONFIG_\(k)=\"\(s)\"")
      case .no: break
      }
    }
    let out = try Tools.run(cpp, args + [dir + "/" + file])
    guard out.status == 0 else {
      Issue.record("cpp failed: \(out.stderr)")
      return nil
    }
    return CTokenizer.tokenize(out.stdout).map(\.text)
  }

  static func ifEnabledReplaced(_ text: String, _ config: KernelConfig) -> String {
    splitLines(text).map { line -> String in
      guard line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#"),
        line.contains("IS_ENABLED(")
      else { return line }
      var out = line
      while let r = out.range(of: "IS_ENABLED(") {
        guard let close = out[r.upperBound...].firstIndex(of: ")") else { break }
        let option = String(out[r.upperBound..<close])
        out.replaceSubrange(r.lowerBound...close, with: config.isEnabled(option) ? "1" : "0")
      }
      return out
    }.joined(separator: "\n") + "\n"
  }
}

@Suite struct CppOracleTests {
  static let configs: [KernelConfig] = [
    KernelConfig(),
    KernelConfig(enabled: [
      "DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_REGS", "FUNCTION_GRAPH_TRACER", "ARM64_MODULE_PLTS",
    ]),
    KernelConfig(enabled: [
      "DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS",
      "DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "FUNCTION_GRAPH_TRACER", "MODULES",
    ]),
  ]

  /// Compares cpp-lite with cpp on one file; returns how many tokens were compared.
  @discardableResult
  func check(_ path: String, _ text: String, tree: (any KernelTree)?, _ config: KernelConfig)
    throws -> Int
  {
    let assembly = path.hasSuffix(".S")
    let pp = Preprocessor(
      tree: tree, config: config, defines: assembly ? ["__ASSEMBLY__": "1"] : [:])
    let mine = pp.run(text: text, file: path)
    guard
      let expected = try Oracle.cpp(
        file: path, text: text, tree: tree, config: config, assembly: assembly, seen: mine)
    else { return 0 }
    let got = mine.lines.flatMap { CTokenizer.tokenize($0.text).map(\.text) }
    if got != expected {
      let i =
        Array(zip(got, expected)).firstIndex { $0.0 != $0.1 } ?? min(got.count, expected.count)
      let mineNear = got[i..<min(i + 8, got.count)].joined(separator: " ")
      let cppNear = expected[i..<min(i + 8, expected.count)].joined(separator: " ")
      Issue.record(
        "\(path) with \(config): first difference at token \(i): cpp-lite `\(mineNear)` vs cpp `\(cppNear)`"
      )
    }
    return got.count
  }

  @Test(arguments: configs) func seriesBaseFiles(_ config: KernelConfig) throws {
    let tree = FolderTree(root: Paths.seriesBase)
    var compared = 0
    for path in ["arch/arm64/kernel/ftrace.c", "arch/arm64/kernel/entry-ftrace.S"] {
      compared += try check(path, try #require(tree.contents(of: path)), tree: tree, config)
    }
    #expect(compared > 100 || (Tools.which("cpp") == nil && !Oracles.required))
  }

  @Test(arguments: configs) func corpusFiles(_ config: KernelConfig) throws {
    var compared = 0
    for (era, path) in [
      ("3eefdf9d1e40-v5.19-with-regs", "arch/arm64/kernel/ftrace.c"),
      ("2aa6ac03516d-v6.4-direct-calls", "arch/arm64/kernel/ftrace.c"),
      ("0c3beacf681e-recent", "arch/arm64/kernel/ftrace.c"),
      ("2aa6ac03516d-v6.4-direct-calls", "arch/arm64/kernel/entry-ftrace.S"),
      ("1136fa0c07de-v5.x-with-regs", "arch/arm64/kernel/entry-ftrace.S"),
      ("0604aa87b098-v6.x", "arch/arm64/include/asm/ftrace.h"),
    ] {
      guard let text = Paths.corpusFile(era, path) else { continue }
      compared += try check(path, text, tree: nil, config)
    }
    #expect(
      compared > 1000 || (Tools.which("cpp") == nil && !Oracles.required) || Paths.corpus == nil)
  }
}

@Test func cppOracleOnTheUnitFixtures() throws {
  let text = """
    #include <asm/consts.h>
    #include <asm/consts.h>
    #include <asm/missing.h>
    a = INSN_SIZE; b = TWICE(INSN_SIZE + 1); c = CAT(ftrace_, call); d = STR(x9 + lr);
    #if defined(CONFIG_A) && INSN_SIZE * 2 == 8 || (CONFIG_ALIGN >= 8 ? 1 : 0)
    e = CONFIG_ALIGN << 1;
    #elif IS_ENABLED(CONFIG_B)
    f
    #else
    g
    #endif
    #undef INSN_SIZE
    h = INSN_SIZE;
    i = TWICE(1 +
      2) + CAT(a,
      b) + TWICE
      (3);
    """
  for config in [
    KernelConfig(), KernelConfig(enabled: ["A"]), KernelConfig(["ALIGN": .int(8)]),
    KernelConfig(enabled: ["B"]),
  ] {
    try CppOracleTests().check("arch/arm64/kernel/u.c", text, tree: PreprocessorTests.tree, config)
  }
}

extension Oracle {
  /// `objdump -dr` and the symbol table of `source` assembled by GNU as, normalised.
  static func assemble(_ source: String, in dir: String, name: String) throws -> String? {
    guard let ase = Tools.oracle("aarch64-linux-gnu-as"),
      let objdump = Tools.oracle("aarch64-linux-gnu-objdump")
    else {
      print("skipped: binutils-aarch64-linux-gnu is not installed")
      return nil
    }
    let src = "\(dir)/\(name).s"
    let obj = "\(dir)/\(name).o"
    try source.write(toFile: src, atomically: true, encoding: .utf8)
    let a = try Tools.run(ase, ["-o", obj, src])
    guard a.status == 0 else {
      Issue.record("as failed on \(name): \(a.stderr)")
      return nil
    }
    let d = try Tools.run(objdump, ["-dr", "-t", obj])
    // Drop the header line that names the file.
    return d.stdout.split(separator: "\n").filter { !$0.contains(obj) }.joined(separator: "\n")
  }
}

@Suite struct AsOracleTests {
  /// KernelSource's expansion assembled by GNU as must equal `cpp | as` with the oracle
  /// linkage header: same words, relocations and symbols (names, values, sizes, binding).
  func check(_ path: String, _ text: String, tree: (any KernelTree)?, _ config: KernelConfig)
    throws
  {
    guard let cpp = Tools.oracle("cpp") else {
      print("skipped: cpp is not installed")
      return
    }
    let dir = try Tools.makeTemporaryDirectory("ks-as")
    defer { Tools.removeTemporaryDirectory(dir) }
    let mine = AsmPreprocessor(config: config).run(text: text, file: path, tree: tree)
    let mineText = mine.lines.map(\.text).joined(separator: "\n") + "\n"
    guard let got = try Oracle.assemble(mineText, in: dir, name: "mine") else { return }

    // The oracle: cpp with stub headers (linkage, offsets) and the same config, then as.
    let fm = FileManager.default
    func write(_ p: String, _ contents: String) throws {
      let url = URL(fileURLWithPath: dir + "/" + p)
      try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try contents.write(to: url, atomically: true, encoding: .utf8)
    }
    let linkage = try #require(Paths.read(Paths.fixtures + "/oracle/linkage.h"))
    let offsets = AsmOffsets.defaults.constants.values.sorted { $0.name < $1.name }
      .map { "#define \($0.name) \($0.value)" }.joined(separator: "\n")
    try write("main.S", text)
    try write("include/linux/linkage.h", linkage)
    try write("arch/arm64/include/asm/asm-offsets.h", offsets + "\n")
    let pre = Preprocessor(tree: tree, config: config, defines: ["__ASSEMBLY__": "1"])
      .run(text: text, file: path)
    for f in pre.includedFiles where f != path { try write(f, tree?.contents(of: f) ?? "") }
    for m in pre.missingIncludes where !["linux/linkage.h", "asm/asm-offsets.h"].contains(m.path) {
      try write("include/" + m.path, "")
    }
    var args = [
      "-P", "-undef", "-nostdinc", "-x", "assembler-with-cpp", "-D__ASSEMBLY__=1",
      "-DPATCHSITE_ALIGN=\(mine.lines.isEmpty ? 4 : AsmPreprocessor(config: config).functionAlignment)",
      "-I", dir + "/arch/arm64/include", "-I", dir + "/include",
    ]
    for (k, v) in config.values.sorted(by: { $0.key < $1.key }) where v == .yes {
      args.append("-DCONFIG_\(k)=1")
    }
    let c = try Tools.run(cpp, args + [dir + "/main.S"])
    guard c.status == 0 else {
      Issue.record("cpp failed: \(c.stderr)")
      return
    }
    guard let expected = try Oracle.assemble(c.stdout, in: dir, name: "oracle") else { return }
    #expect(got.contains("<"), "nothing assembled for \(path)")
    if got != expected {
      let diff: String = TestSupport.Snapshot.lineDiff(expected: expected, actual: got)
      Issue.record("\(path) with \(config):\n\(diff)")
    }
  }

  static let configs: [KernelConfig] = [
    KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_REGS", "FUNCTION_GRAPH_TRACER"]),
    KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_REGS", "ARM64_BTI_KERNEL"]),
    KernelConfig(enabled: [
      "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS",
      "DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "FUNCTION_GRAPH_TRACER", "ARM64_BTI_KERNEL",
    ]),
    KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_ARGS", "FUNCTION_GRAPH_TRACER"]),
    KernelConfig(enabled: ["FUNCTION_GRAPH_TRACER", "ARM64_BTI_KERNEL"]),
  ]

  @Test(arguments: configs) func entryFtraceMatchesCppAndAs(_ config: KernelConfig) throws {
    let tree = FolderTree(root: Paths.seriesBase)
    let path = "arch/arm64/kernel/entry-ftrace.S"
    try check(path, try #require(tree.contents(of: path)), tree: tree, config)
    for era in ["2aa6ac03516d-v6.4-direct-calls", "1136fa0c07de-v5.x-with-regs"] {
      guard let text = Paths.corpusFile(era, path) else { continue }
      try check(path, text, tree: nil, config)
    }
  }
}

@Test func asOracleOnMacroShapes() throws {
  let text = """
    #include <linux/linkage.h>
    #include <asm/asm-offsets.h>
    .macro pad n=2, reg:req
    .rept \\n
    mov \\reg, xzr
    .endr
    .endm
    .macro save base, from, to, off
    stp x\\from, x\\to, [\\base, #\\off]
    .endm
    SYM_CODE_START(t)
    pad reg=x1
    pad 1, x2
    save sp, 10, 11, S_X10
    .if PT_REGS_SIZE > 300
    nop
    .else
    brk #1
    .endif
    .irp r, 3, 4
    add x\\r, x\\r, #FREGS_SIZE + 16
    .endr
    ldr_l x2, function_trace_op
    ldr_l x3, function_trace_op, x4
    adr_l x5, ftrace_stub
    1: b 1b
    .Lx: cbnz x0, .Lx
    SYM_CODE_END(t)
    SYM_FUNC_START(f)
    ret
    SYM_FUNC_END(f)
    """
  for config in [KernelConfig(), KernelConfig(enabled: ["ARM64_BTI_KERNEL"])] {
    try AsOracleTests().check("arch/arm64/kernel/m.S", text, tree: nil, config)
  }
}

extension Oracle {
  /// kconfiglib (Debian `python3-kconfiglib`, run by the system Python) over `root` with the
  /// `chosen` values set: every symbol's value as kconfiglib resolves it.
  static func kconfiglib(root: String, chosen: KernelConfig) throws -> [String: String]? {
    let python = "/usr/bin/python3"
    guard FileManager.default.isExecutableFile(atPath: python),
      (try? Tools.run(python, ["-c", "import kconfiglib"]).status) == 0
    else {
      print("skipped: python3-kconfiglib is not installed")
      return nil
    }
    var script = """
      import json, kconfiglib
      k = kconfiglib.Kconfig("Kconfig", warn=False)

      """
    for (name, v) in chosen.values.sorted(by: { $0.key < $1.key }) {
      script += "k.syms['\(name)'].set_value(\(v == .yes ? 2 : v == .module ? 1 : 0))\n"
    }
    script += "print(json.dumps({n: s.str_value for n, s in k.syms.items()}))\n"
    let out = try Tools.run(python, ["-c", script], cwd: root, environment: ["SRCARCH": "arm64"])
    guard out.status == 0, let data = out.stdout.data(using: .utf8),
      let values = try JSONSerialization.jsonObject(with: data) as? [String: String]
    else {
      Issue.record("kconfiglib failed: \(out.stderr)")
      return nil
    }
    return values
  }
}

@Suite struct KconfigOracleTests {
  static let root = Paths.fixtures + "/callops"

  @Test(arguments: [
    ["DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS"], ["DYNAMIC_FTRACE_WITH_ARGS"],
    ["DYNAMIC_FTRACE_WITH_ARGS", "CFI_CLANG"],
  ])
  func resolvedValuesAgreeWithKconfiglib(_ options: [String]) throws {
    let k = Kconfig.load(tree: FolderTree(root: Self.root))
    #expect(k.diagnostics.isEmpty, "\(k.diagnostics)")
    #expect(k.variables["cc-option"] == "y")
    var compared = 0
    for c in k.configurations(for: options, base: KernelConfig()) where c.isValid {
      var chosen = KernelConfig()
      for o in options { chosen[o] = .yes }
      chosen["ARM64_BTI_KERNEL"] = c.config["ARM64_BTI_KERNEL"] ?? .no
      guard let expected = try Oracle.kconfiglib(root: Self.root, chosen: chosen) else { return }
      for name in k.order {
        let mine = c.config[name]?.description ?? "n"
        #expect(mine == (expected[name] ?? "?"), "\(name) in \(c.name)")
      }
      compared += k.order.count
      #expect(expected["FUNCTION_ALIGNMENT"] == (options.contains("CFI_CLANG") ? "4" : "8"))
    }
    #expect(compared >= 2 * 20)
  }

  @Test func rejectedConfigurationIsOneKconfiglibRefuses() throws {
    let k = Kconfig.load(tree: FolderTree(root: Self.root))
    let configs = k.configurations(
      for: ["DYNAMIC_FTRACE_WITH_CALL_OPS", "CFI_CLANG"], base: KernelConfig())
    #expect(configs.allSatisfy { !$0.isValid })
    let chosen = KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_CALL_OPS", "CFI_CLANG"])
    guard let expected = try Oracle.kconfiglib(root: Self.root, chosen: chosen) else { return }
    #expect(expected["DYNAMIC_FTRACE_WITH_CALL_OPS"] == "n")
    #expect(expected["CFI_CLANG"] == "y")
  }
}
