import AArch64
import Analysis
import ArgumentParser
import Diagnostics
import Foundation
import KernelSource
import PatchSeries
import Pipeline
import Reporting

/// `patchsite layout`: the rebuilt callsite, state by state.
struct LayoutCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layout",
    abstract: "Rebuild the arm64 ftrace callsite a series (or a tree) proposes, state by state.",
    discussion: """
      For every series version applied to a base (--tree DIR, or --repo PATH --base REV), and \
      for every configuration reviewed (the series' own ftrace options on, ARM64_BTI_KERNEL on \
      and off; --config NAME=VALUE adjusts the assumed base configuration), Patchsite reads the \
      post-image: the flags in arch/arm64/Makefile give the compiled callsite \
      (-fpatchable-function-entry=N,M, BTI, function alignment); the functions of \
      arch/arm64/kernel/ftrace.c (ftrace_init_nop, ftrace_make_call, ftrace_make_nop…) are \
      applied in order to give the states init, near, disabled, list, far (the traced function \
      in a module) and direct-near/direct-far (with direct calls). Words that branch are encoded \
      at assumed addresses, all listed under "assumptions". The trampolines of entry-ftrace.S \
      are assembled and listed with their first word.

      Without a base, each version is rebuilt from what its hunks show; what they do not show \
      (a flag, an ftrace.c function not shown whole) comes from the era's defaults and is \
      listed under assumptions ("era default: …").

      Listings sketched in message bodies (covers, commit messages, replies) become candidate \
      layouts too: one state per lettered or named listing ("b) disabled:").

      --layout FILE reads a hand-written layout instead:
        # comment
        state disabled            (a heading; "state NAME module" places it in a module)
        symbol my_tramp = 0xffff800008400000
        -8: .quad ftrace_nop_ops  (a 64-bit literal: two words)
        0: bti c
        4: mov x9, x30
        8: bl ftrace_caller       (offsets in bytes from the function symbol, signed)

      JSON: {units: [{version, source, config, states: [{name, words: [{offset, word, text, \
      kind}]}], transitions: [{from, to, writes: [{offset, old, new, width, api}]}], …}]}.

      Exit status: 0 when every version was rebuilt, 1 when a patch does not apply or an \
      error-level diagnostic was raised, 2 when the input cannot be read.

      Examples:
        patchsite layout Series/call-ops/series.mbox --tree Series/base
        patchsite layout Series/direct-calls/series.mbox --tree Series/base --state direct-far
        patchsite layout --tree ~/linux --config ARM64_BTI_KERNEL=n --format json
        patchsite layout Series/in-function-literal/series.mbox
        patchsite layout --layout my-callsite.txt
      """
  )

  @OptionGroup var input: InputOptions

  @Option(help: "A hand-written layout file (see above).")
  var layout: String?

  @Option(
    parsing: .upToNextOption, help: "Assumed configuration values, NAME=VALUE (y, n, m, numbers).")
  var config: [String] = []

  @Option(help: "Show only this state (and the transitions into it).")
  var state: String?

  @OptionGroup var output: OutputOptions

  func run() throws {
    let overrides = try parseConfig()
    var units: [Layout] = []
    var set: SeriesSet?
    if let layout {
      units.append(try LayoutFile.read(path: layout))
    }
    if input.inputs.isEmpty {
      if let tree = input.tree {
        let t = try DirectoryTree(root: tree)
        units += LayoutPipeline.layouts(
          tree: KernelTreeOf(t), ownOptions: [], overrides: overrides, version: nil,
          source: tree)
      } else if layout == nil {
        throw ValidationError("give INPUT, --tree DIR, or --layout FILE")
      }
    } else {
      let loaded = try input.source.load()
      set = loaded
      units += LayoutPipeline.layouts(set: loaded, overrides: overrides)
    }
    if let state {
      units = units.map { u in
        var u = u
        u.states = u.states.filter { $0.name == state }
        u.transitions = u.transitions.filter { $0.to == StateID(state) }
        return u
      }
    }
    let text =
      switch output.format {
      case .text: LayoutReport.text(units)
      case .json: LayoutReport.json(units).rendered()
      }
    try output.write(text)
    if Outcome.somethingFound(series: set, layouts: units) { throw ExitCode(ExitStatus.findings) }
  }

  func parseConfig() throws(InputError) -> [String: ConfigValue] {
    try Self.parse(config: config)
  }

  /// `NAME=VALUE` options as configuration values.
  static func parse(config: [String]) throws(InputError) -> [String: ConfigValue] {
    var out: [String: ConfigValue] = [:]
    for c in config {
      let parts = c.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, !parts[0].isEmpty else {
        throw InputError(
          "usage.config", at: SourceLocation(file: "--config \(c)"), "expected NAME=VALUE")
      }
      out[KernelConfig.bareName(String(parts[0]))] = ConfigValue(parsing: String(parts[1]))
    }
    return out
  }
}
