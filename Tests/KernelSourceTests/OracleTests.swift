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
    guard let make = Tools.which("make") else {
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
