/// A compiler the Kconfig may let build a configuration, with what that compiler is known to
/// get wrong for the callsite. The review asks the Kconfig whether it lets each of these build
/// the configuration under review: a gate that lets a defective compiler through is a finding.
public struct ToolchainProbe: Hashable, Sendable {
  /// What the compiler gets wrong.
  public enum Defect: String, Hashable, Sendable {
    /// With BTI and `-fpatchable-function-entry`, the NOPs are placed in front of the
    /// landing pad, so the word at the symbol is a NOP (GCC PR 92424, fixed in GCC 10.1).
    case nopsBeforeLandingPad
  }

  /// `GCC 9.3`.
  public var name: String
  /// The Kconfig symbols that say which compiler builds (`CC_IS_GCC`, `GCC_VERSION`, …).
  public var values: [String: ConfigValue]
  public var defect: Defect
  /// Where the defect is recorded.
  public var reference: String

  /// The compilers probed, oldest first. Only defects that change the callsite's words are
  /// here: the others (GCC PR 106671's missing pads on direct-only callees) concern every
  /// function, not the patch-site.
  public static let all: [ToolchainProbe] = [
    ToolchainProbe(
      name: "GCC 9.3",
      values: [
        "CC_IS_GCC": .yes, "GCC_VERSION": .int(90300), "CC_IS_CLANG": .no, "CLANG_VERSION": .int(0),
        "AS_IS_GNU": .yes, "AS_IS_LLVM": .no, "LD_IS_BFD": .yes, "LD_IS_LLD": .no,
      ],
      defect: .nopsBeforeLandingPad, reference: "GCC PR 92424 (fixed in GCC 10.1)")
  ]

  /// `base` with this compiler in place of the one it names.
  public func configuration(from base: KernelConfig) -> KernelConfig {
    var c = base
    for (n, v) in values { c[n] = v }
    return c
  }

  /// The compiler a configuration names (`Clang 18.0`, `GCC 12.2`), or nil.
  public static func compiler(of config: KernelConfig) -> String? {
    func version(_ v: Int) -> String { "\(v / 10000).\(v / 100 % 100)" }
    if config.isEnabled("CC_IS_CLANG") {
      return "Clang" + (config.integer("CLANG_VERSION").map { " " + version($0) } ?? "")
    }
    if config.isEnabled("CC_IS_GCC") {
      return "GCC" + (config.integer("GCC_VERSION").map { " " + version($0) } ?? "")
    }
    return nil
  }
}

extension Kconfig {
  /// Whether any entry of the files read selects, depends on or defaults on `symbol`.
  public func mentions(_ symbol: String) -> Bool {
    if entries[symbol] != nil { return true }
    for list in entries.values {
      for e in list {
        if e.selects.contains(where: {
          $0.value == symbol || $0.condition?.symbols.contains(symbol) == true
        }) {
          return true
        }
        if e.dependsOn.contains(where: { $0.value.symbols.contains(symbol) }) { return true }
        if e.defaults.contains(where: { $0.value.symbols.contains(symbol) }) { return true }
      }
    }
    return false
  }
}
