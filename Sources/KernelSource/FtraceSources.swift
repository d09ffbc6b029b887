import Diagnostics

/// Everything KernelSource reads from one tree for one configuration: the flags, the
/// trampolines and the transitions. A convenience over the individual readers.
public struct FtraceSources: Sendable {
  public var config: KernelConfig
  public var flags: FtraceBuildFlags?
  /// `arch/arm64/kernel/entry-ftrace.S` after cpp-lite and the assembler layer.
  public var entry: AsmSource?
  /// The ftrace functions present in this configuration, by name.
  public var transitions: [String: CTransition]
  /// ftrace.c's integer `#define`s (its own and its headers'), for evaluating its values.
  public var constants: [String: Int64]
  /// Problems and assumptions from every reader, in reading order.
  public var diagnostics: [Diagnostic]
  /// The files the tree did not have.
  public var missingFiles: [String]
  /// What was taken from the era's defaults because the tree (rebuilt from hunks) does not
  /// show it.
  public var defaulted: [DefaultedFact] = []
  /// Files known only in fragments (a tree rebuilt from hunks).
  public var partialFiles: Set<String> = []

  public static let makefiles = ["Makefile", "arch/arm64/Makefile"]
  public static let entryPath = "arch/arm64/kernel/entry-ftrace.S"
  public static let ftracePath = "arch/arm64/kernel/ftrace.c"

  /// Reads the Makefiles (top-level first, when present), `entry-ftrace.S` and `ftrace.c`.
  ///
  /// With `defaults` (a tree rebuilt from a series' hunks), what the tree does not show is
  /// taken from the era's defaults and listed in ``defaulted``: the patchable entry, the BTI
  /// flag, the CALL_OPS alignment, and every `ftrace.c` function not shown whole.
  public static func read(
    tree: any KernelTree, config: KernelConfig, defaults: EraDefaults? = nil
  ) -> FtraceSources {
    var diagnostics: [Diagnostic] = []
    var missing: [String] = []
    let read = readFlags(tree: tree, config: config, defaults: defaults)
    diagnostics += read.diagnostics
    missing += read.missing
    var defaulted = read.defaulted
    let flags = read.flags
    var entry: AsmSource?
    if let text = tree.contents(of: entryPath) {
      let a = memo.entries.value(file: entryPath, text: text, config: config, tree: tree) {
        t, c in AsmPreprocessor(config: c).run(text: text, file: entryPath, tree: t)
      }
      diagnostics += a.diagnostics + a.assumptions
      entry = a
    } else {
      missing.append(entryPath)
    }
    var transitions: [String: CTransition] = [:]
    var constants: [String: Int64] = [:]
    let fallback = defaults.map {
      TransitionExtractor(text: $0.ftrace, file: EraDefaults.ftracePath, config: config)
    }
    if let text = tree.contents(of: ftracePath) ?? (fallback != nil ? "" : nil) {
      let extract = { (t: any KernelTree, c: KernelConfig) -> ExtractedC in
        let x = TransitionExtractor(
          text: text, file: ftracePath, config: c, tree: t, fallback: fallback)
        return ExtractedC(
          transitions: x.transitions(), constants: x.constants, diagnostics: x.diagnostics,
          defaulted: x.defaulted)
      }
      // With the era's defaults behind it the extraction depends on more than the tree: kept
      // only for real trees.
      let x =
        fallback == nil
        ? memo.transitions.value(file: ftracePath, text: text, config: config, tree: tree, extract)
        : extract(tree, config)
      diagnostics += x.diagnostics
      transitions = x.transitions
      constants = x.constants
      for n in FtraceFunctions.names { diagnostics += transitions[n]?.diagnostics ?? [] }
      let used = x.defaulted.filter { FtraceFunctions.names.contains($0) }
      if let defaults, !used.isEmpty {
        defaulted.append(
          DefaultedFact(
            subjects: used,
            text: "\(used.joined(separator: ", ")) as in the \(defaults.era.rawValue) era: the "
              + "hunks do not show \(used.count == 1 ? "it" : "them") whole"))
      }
    } else {
      missing.append(ftracePath)
    }
    var partial = Set<String>()
    for p in makefiles + [entryPath, ftracePath] where !tree.unknownLines(in: p).isEmpty {
      partial.insert(p)
    }
    return FtraceSources(
      config: config, flags: flags, entry: entry, transitions: transitions,
      constants: constants, diagnostics: diagnostics, missingFiles: missing,
      defaulted: defaulted, partialFiles: partial)
  }

  /// One name for the exact texts of `paths` (missing ones included), when the tree names
  /// each: what the memo strips the joined text once for.
  static func versions(of paths: [String], in tree: any KernelTree) -> String? {
    var out: [String] = []
    for p in paths {
      guard let v = tree.version(of: p) else {
        if tree.contents(of: p) == nil {
          out.append("-")
          continue
        }
        return nil
      }
      out.append(v)
    }
    return out.joined(separator: ",")
  }

  /// The flags alone (the Makefiles, with the era's defaults for what hunks do not show): what
  /// a configuration compiles the callsite with, without reading the trampolines or the C.
  public static func readFlags(
    tree: any KernelTree, config: KernelConfig, defaults: EraDefaults? = nil
  ) -> (
    flags: FtraceBuildFlags?, diagnostics: [Diagnostic], missing: [String],
    defaulted: [DefaultedFact]
  ) {
    var defaulted: [DefaultedFact] = []
    // A real tree's Makefiles give the same flags for the same texts and configuration: kept.
    let whole = makefiles.allSatisfy { tree.unknownLines(in: $0).isEmpty }
    let read =
      defaults == nil && whole
      ? memo.flags.value(
        file: "<makefiles>",
        text: makefiles.map { tree.contents(of: $0) ?? "\u{0}" }.joined(separator: "\u{1}"),
        version: Self.versions(of: makefiles, in: tree), config: config, tree: tree,
        comments: .hash
      ) { t, c in evaluateMakefiles(tree: t, config: c) }
      : evaluateMakefiles(tree: tree, config: config)
    let diagnostics = read.diagnostics
    let missing = read.missing
    var flags = read.flags
    if let defaults {
      let d = FtraceBuildFlags(
        from: MakefileFlags.evaluate(
          text: defaults.makefile, file: EraDefaults.makefilePath, config: config),
        config: config)
      var f = flags ?? d
      if flags?.patchableEntryValue == nil, let pe = d.patchableEntryValue {
        f.patchableEntryValue = pe
        defaulted.append(
          DefaultedFact(
            subjects: ["-fpatchable-function-entry"],
            text: "-fpatchable-function-entry=\(pe.total)\(pe.before > 0 ? ",\(pe.before)" : ""), "
              + "the \(defaults.era.rawValue) default: the hunks do not show the flag"))
      }
      if flags?.branchProtection == nil, let bp = d.branchProtection {
        f.branchProtection = bp
        defaulted.append(
          DefaultedFact(
            subjects: ["-mbranch-protection"],
            text: "-mbranch-protection=\(bp.raw) with ARM64_BTI_KERNEL: the hunks do not show "
              + "the flag"))
      }
      if flags?.functionAlignment == nil, let a = d.functionAlignment {
        f.functionAlignment = a
        defaulted.append(
          DefaultedFact(
            subjects: ["function alignment"],
            text: "functions aligned to \(a.bytes) bytes, as CALL_OPS needs: the hunks do not "
              + "show how"))
      }
      flags = f
    }
    return (flags, diagnostics, missing, defaulted)
  }

  /// The top-level Makefile compiles with `CC_FLAGS_FTRACE`, which is `-pg` under
  /// `CONFIG_FUNCTION_TRACER` unless the architecture's Makefile sets it. A tree of the
  /// arch files alone does not have the top-level one: when the arch Makefile read leaves
  /// `CC_FLAGS_FTRACE` unset in this configuration, that default is taken, said as an
  /// assumption. Nil when the top-level Makefile was read (its own lines decide), when the
  /// arch Makefile sets the variable, or when the function tracer is off.
  static func topLevelProfilingDefault(
    tree: any KernelTree, vars: MakeVariables, flags: FtraceBuildFlags, config: KernelConfig
  ) -> Diagnostic? {
    guard tree.contents(of: "Makefile") == nil, config.isEnabled("FUNCTION_TRACER"),
      !vars.isDefined("CC_FLAGS_FTRACE"), flags.patchableEntryValue == nil,
      flags.profiling == nil
    else { return nil }
    return Diagnostic(
      KernelSourceMessage.assumption, .note, at: SourceLocation(file: "Makefile"),
      "the top-level Makefile is not in the tree and arch/arm64/Makefile leaves CC_FLAGS_FTRACE "
        + "unset in this configuration: the top-level default for CONFIG_FUNCTION_TRACER, -pg, "
        + "is taken")
  }
}

/// What the Makefiles give for one configuration, kept by ``FtraceSources/memo``.
struct MakefileRead: Sendable {
  var flags: FtraceBuildFlags?
  var diagnostics: [Diagnostic]
  var missing: [String]
}

extension FtraceSources {
  /// The Makefiles (top-level first, when present) evaluated under `config`, and the flags.
  static func evaluateMakefiles(tree: any KernelTree, config: KernelConfig) -> MakefileRead {
    var diagnostics: [Diagnostic] = []
    var missing: [String] = []
    var vars: MakeVariables?
    for path in makefiles {
      guard let text = tree.contents(of: path) else {
        missing.append(path)
        continue
      }
      vars = MakefileFlags.evaluate(
        text: text, file: path, config: config, into: vars,
        fragmentStarts: tree.fragmentStarts(in: path))
    }
    var flags: FtraceBuildFlags?
    if let vars {
      var f = FtraceBuildFlags(from: vars, config: config)
      diagnostics += vars.diagnostics + f.diagnostics + f.assumptions
      if let d = topLevelProfilingDefault(tree: tree, vars: vars, flags: f, config: config) {
        f.profiling = FtraceBuildFlags.Profiling(origin: d.location, defaulted: true)
        diagnostics.append(d)
      }
      flags = f
    }
    return MakefileRead(flags: flags, diagnostics: diagnostics, missing: missing)
  }
}

/// What the C extraction of `ftrace.c` gives, kept by ``FtraceSources/memo``.
struct ExtractedC: Sendable {
  var transitions: [String: CTransition]
  var constants: [String: Int64]
  var diagnostics: [Diagnostic]
  var defaulted: [String]
}

extension FtraceSources {
  /// The parses of `entry-ftrace.S` and `ftrace.c` kept across trees (see ``ParseMemo``).
  static let memo = (
    entries: ParseMemo<AsmSource>(), transitions: ParseMemo<ExtractedC>(),
    flags: ParseMemo<MakefileRead>()
  )
}

/// Something a layout takes from the era's defaults: the flags or functions it concerns, and
/// what was assumed, in plain words.
public struct DefaultedFact: Hashable, Sendable {
  /// `-fpatchable-function-entry`, `-mbranch-protection`, `function alignment`, or the names of
  /// the `ftrace.c` functions.
  public var subjects: [String]
  public var text: String

  public init(subjects: [String], text: String) {
    self.subjects = subjects
    self.text = text
  }
}
