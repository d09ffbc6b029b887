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

  public static let makefiles = ["Makefile", "arch/arm64/Makefile"]
  public static let entryPath = "arch/arm64/kernel/entry-ftrace.S"
  public static let ftracePath = "arch/arm64/kernel/ftrace.c"

  /// Reads the Makefiles (top-level first, when present), `entry-ftrace.S` and `ftrace.c`.
  public static func read(tree: any KernelTree, config: KernelConfig) -> FtraceSources {
    var diagnostics: [Diagnostic] = []
    var missing: [String] = []
    var vars: MakeVariables?
    for path in makefiles {
      guard let text = tree.contents(of: path) else {
        missing.append(path)
        continue
      }
      vars = MakefileFlags.evaluate(text: text, file: path, config: config, into: vars)
    }
    var flags: FtraceBuildFlags?
    if let vars {
      let f = FtraceBuildFlags(from: vars, config: config)
      diagnostics += vars.diagnostics + f.diagnostics + f.assumptions
      flags = f
    }
    var entry: AsmSource?
    if let text = tree.contents(of: entryPath) {
      let a = AsmPreprocessor(config: config).run(text: text, file: entryPath, tree: tree)
      diagnostics += a.diagnostics + a.assumptions
      entry = a
    } else {
      missing.append(entryPath)
    }
    var transitions: [String: CTransition] = [:]
    var constants: [String: Int64] = [:]
    if let text = tree.contents(of: ftracePath) {
      let x = TransitionExtractor(text: text, file: ftracePath, config: config, tree: tree)
      diagnostics += x.diagnostics
      transitions = x.transitions()
      constants = x.constants
      for n in FtraceFunctions.names { diagnostics += transitions[n]?.diagnostics ?? [] }
    } else {
      missing.append(ftracePath)
    }
    return FtraceSources(
      config: config, flags: flags, entry: entry, transitions: transitions,
      constants: constants, diagnostics: diagnostics, missingFiles: missing)
  }
}
