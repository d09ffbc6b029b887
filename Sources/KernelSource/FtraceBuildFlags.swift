import Diagnostics

/// `-mbranch-protection=` (or the older `-msign-return-address=`) as the compiler reads it.
public struct BranchProtection: Hashable, Sendable, CustomStringConvertible {
  public var bti: Bool
  public var pacRet: Bool
  /// pac-ret also on leaf functions (`+leaf`, or `-msign-return-address=all`).
  public var leaf: Bool
  /// The B key (`+b-key`).
  public var bKey: Bool
  /// The option text as written, such as `pac-ret+leaf+bti`.
  public var raw: String
  public var origin: SourceLocation

  public static func parse(_ value: String, origin: SourceLocation) -> BranchProtection {
    var p = BranchProtection(
      bti: false, pacRet: false, leaf: false, bKey: false, raw: value, origin: origin)
    for part in value.split(separator: "+") {
      switch part {
      case "standard":
        p.bti = true
        p.pacRet = true
      case "pac-ret": p.pacRet = true
      case "leaf": p.leaf = true
      case "b-key": p.bKey = true
      case "bti": p.bti = true
      default: break  // "none" and unknown parts leave everything off
      }
    }
    return p
  }

  public var description: String { "\(raw) (bti: \(bti), pac-ret: \(pacRet), leaf: \(leaf))" }
}

/// How the minimum function alignment is requested.
public enum AlignmentSource: String, Hashable, Sendable {
  /// `-falign-functions=N`: GCC before 14 ignores it for functions it thinks are cold.
  case alignFunctions = "-falign-functions"
  /// `-fmin-function-alignment=N` (GCC 14+): applies to every function.
  case minFunctionAlignment = "-fmin-function-alignment"
  /// `CONFIG_FUNCTION_ALIGNMENT` / `FUNCTION_ALIGNMENT_<N>B` from Kconfig, with no flag seen in
  /// the Makefiles read (the top-level Makefile turns it into one of the two flags).
  case kconfig = "CONFIG_FUNCTION_ALIGNMENT"
}

/// A function alignment in bytes, how it is requested, and where.
public struct FunctionAlignment: Hashable, Sendable {
  public var bytes: Int
  public var source: AlignmentSource
  public var origin: SourceLocation
  /// What a reviewer should know about this source (the GCC < 14 cold-function caveat).
  public var note: String?
}

/// The flags that decide the arm64 ftrace callsite, pulled from evaluated Makefile variables.
public struct FtraceBuildFlags: Hashable, Sendable {
  /// `-fpatchable-function-entry=N[,M]`: N NOPs in all, M of them before the symbol.
  public var patchableEntry: (total: Int, before: Int)? {
    patchableEntryValue.map { ($0.total, $0.before) }
  }
  public var patchableEntryValue: PatchableEntry?
  public var functionAlignment: FunctionAlignment?
  public var branchProtection: BranchProtection?
  /// Where `-DCC_USING_PATCHABLE_FUNCTION_ENTRY` was added, if it was.
  public var usingPatchableFunctionEntry: SourceLocation?
  /// `-pg`: the compiler calls `_mcount` from every traced function (the mcount era). Only
  /// decides the callsite when no `-fpatchable-function-entry` is given.
  public var profiling: Profiling?
  /// Every flag word considered, with its variable and origin.
  public var flags: [MakeWord]
  public var diagnostics: [Diagnostic]
  /// The stated assumptions (each probed compiler option taken as supported).
  public var assumptions: [Diagnostic]

  /// Where `-pg` comes from: a flag in the Makefiles read, or the top-level Makefile's default
  /// for `CONFIG_FUNCTION_TRACER` when the tree has no top-level Makefile to read.
  public struct Profiling: Hashable, Sendable {
    public var origin: SourceLocation
    /// True when no Makefile read gave it: the top-level default was taken.
    public var defaulted: Bool

    public init(origin: SourceLocation, defaulted: Bool) {
      self.origin = origin
      self.defaulted = defaulted
    }
  }

  /// Whether the callsite is the `-pg`/mcount one: `-pg` and no patchable entry.
  public var isMcount: Bool { patchableEntryValue == nil && profiling != nil }

  public struct PatchableEntry: Hashable, Sendable {
    public var total: Int
    public var before: Int
    public var origin: SourceLocation
  }

  /// The variables searched, in order: later ones win for options given twice.
  public static let variableNames = [
    "KBUILD_CPPFLAGS", "KBUILD_CFLAGS", "KBUILD_AFLAGS", "CC_FLAGS_FTRACE",
  ]

  public static func == (a: FtraceBuildFlags, b: FtraceBuildFlags) -> Bool {
    a.patchableEntryValue == b.patchableEntryValue && a.functionAlignment == b.functionAlignment
      && a.branchProtection == b.branchProtection
      && a.usingPatchableFunctionEntry == b.usingPatchableFunctionEntry && a.flags == b.flags
      && a.profiling == b.profiling
  }

  public func hash(into h: inout Hasher) {
    h.combine(patchableEntryValue)
    h.combine(functionAlignment)
    h.combine(branchProtection)
    h.combine(flags)
    h.combine(profiling)
  }

  /// Reads the flags from `vars`; `config` supplies Kconfig-driven function alignment.
  public init(from vars: MakeVariables, config: KernelConfig? = nil) {
    let config = config ?? vars.config
    flags = []
    diagnostics = []
    assumptions = vars.assumptions
    for name in Self.variableNames {
      let e = vars.expansion(name)
      flags += e.words
      for a in e.assumptions where !assumptions.contains(a) { assumptions.append(a) }
      for d in e.diagnostics where !diagnostics.contains(d) { diagnostics.append(d) }
    }
    for w in flags {
      let t = w.text
      if let v = t.value(after: "-fpatchable-function-entry=") {
        let parts = v.split(separator: ",", omittingEmptySubsequences: false)
        if let n = Int(parts[0]), parts.count <= 2,
          let m = parts.count == 2 ? Int(parts[1]) : 0, m <= n, n >= 0, m >= 0
        {
          patchableEntryValue = PatchableEntry(total: n, before: m, origin: w.origin)
        } else {
          diagnostics.append(
            Diagnostic(
              KernelSourceMessage.couldNotModel, .warning, at: w.origin,
              "could not model \(t) at \(w.origin)"))
        }
      } else if let v = t.value(after: "-falign-functions="), let n = Int(v) {
        // -fmin-function-alignment wins over -falign-functions when both are given.
        if functionAlignment?.source != .minFunctionAlignment {
          functionAlignment = FunctionAlignment(
            bytes: n, source: .alignFunctions, origin: w.origin,
            note:
              "GCC before 14 ignores -falign-functions for functions it considers cold; "
              + "-fmin-function-alignment (GCC 14) or Clang is needed for a guarantee")
        }
      } else if let v = t.value(after: "-fmin-function-alignment="), let n = Int(v) {
        functionAlignment = FunctionAlignment(
          bytes: n, source: .minFunctionAlignment, origin: w.origin, note: nil)
      } else if let v = t.value(after: "-mbranch-protection=") {
        branchProtection = BranchProtection.parse(v, origin: w.origin)
      } else if let v = t.value(after: "-msign-return-address=") {
        var p = BranchProtection.parse(v == "none" ? "none" : "pac-ret", origin: w.origin)
        p.leaf = v == "all"
        p.raw = t
        branchProtection = p
      } else if t == "-DCC_USING_PATCHABLE_FUNCTION_ENTRY" {
        usingPatchableFunctionEntry = w.origin
      } else if t == "-pg" {
        profiling = Profiling(origin: w.origin, defaulted: false)
      }
    }
    if functionAlignment == nil {
      let configLocation = SourceLocation(file: "<config>")
      if let n = config.integer("FUNCTION_ALIGNMENT"), n > 0 {
        functionAlignment = FunctionAlignment(
          bytes: n, source: .kconfig, origin: configLocation,
          note: "from CONFIG_FUNCTION_ALIGNMENT; the flag that enforces it is not in the files read"
        )
      } else {
        for n in [64, 32, 16, 8, 4] where config.isEnabled("FUNCTION_ALIGNMENT_\(n)B") {
          functionAlignment = FunctionAlignment(
            bytes: n, source: .kconfig, origin: configLocation,
            note: "from CONFIG_FUNCTION_ALIGNMENT_\(n)B; the flag that enforces it is not in the "
              + "files read")
          break
        }
      }
    }
  }
}

extension String {
  func value(after prefix: String) -> String? {
    hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
  }
}
