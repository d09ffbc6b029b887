import Analysis
import ArgumentParser
import Diagnostics
import Foundation
import KernelSource
import PatchSeries
import Pipeline
import Reporting

/// `patchsite review`: every layout a series proposes, placed, emulated and checked.
struct ReviewCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "review",
    abstract:
      "Check the arm64 ftrace callsite a series proposes: range, BTI, unwind, live-patching.",
    discussion: """
      Every layout `patchsite layout` rebuilds (each version under each configuration, and the \
      listings sketched in messages) is placed in an address space state by state: a caller, \
      the traced function, the trampolines assembled from entry-ftrace.S, module PLTs, the ops \
      and a tracer, with text pages guarded when BTI is on. Each state runs in Patchsite's \
      AArch64 emulator, a reliable stack walk is taken where the tracer runs, and the checks \
      (--list-checks) read the words, the transitions, the runs and the walks. Every finding \
      comes with its evidence (words, disassembly, what the emulator saw) and the assumptions \
      it rests on.

      For consecutive versions, the findings introduced, fixed and unchanged are listed.

      Formats: text (a terminal; colour when stdout is a terminal and NO_COLOR is unset) and \
      json (the patchsite-review/1 contract in the README).

      Exit status: 0 when no finding reaches --fail-on (default error), 1 when one does or a \
      patch does not apply, 2 for bad input.

      Examples:
        patchsite review Series/call-ops/series.mbox --tree Series/base
        patchsite review Series/literal-call/series.mbox --format json -o review.json
        patchsite review Series/direct-calls/series.mbox --fail-on warning
        patchsite review --list-checks
      """
  )

  @OptionGroup var input: InputOptions

  @Option(
    parsing: .upToNextOption, help: "Assumed configuration values, NAME=VALUE (y, n, m, numbers).")
  var config: [String] = []

  @Option(help: "The lowest severity that makes the exit status 1: error, warning or never.")
  var failOn: FailOn = .error

  @Flag(help: "List every check: ID, category, default severity, title, and whether it runs.")
  var listChecks = false

  @OptionGroup var output: OutputOptions

  enum FailOn: String, ExpressibleByArgument, CaseIterable { case error, warning, never }

  func run() throws {
    if listChecks {
      try output.write(Self.catalogue(json: output.format == .json))
      return
    }
    let overrides = try LayoutCommand.parse(config: config)
    let report: ReviewReport
    if input.inputs.isEmpty {
      guard let tree = input.tree else {
        throw ValidationError("give INPUT, or --tree DIR, or --list-checks")
      }
      report = ReviewPipeline.review(
        tree: KernelTreeOf(try DirectoryTree(root: tree)), source: tree, overrides: overrides)
    } else {
      report = ReviewPipeline.review(set: try input.source.load(), overrides: overrides)
    }
    let text =
      switch output.format {
      case .text: ReviewRendering.text(report, color: output.output == nil && Console.colorful)
      case .json: ReviewRendering.json(report).rendered()
      }
    try output.write(text)
    let threshold: Severity? =
      switch failOn {
      case .error: .error
      case .warning: .warning
      case .never: nil
      }
    let failing = threshold.map { t in report.findings.contains { $0.finding.severity >= t } }
    if failing == true || Outcome.somethingFound(series: report.series) {
      throw ExitCode(ExitStatus.findings)
    }
  }

  static func catalogue(json: Bool) -> String {
    if json {
      return JSON.array(
        CheckCatalogue.all.map { c in
          .object([
            ("id", .string(c.id)), ("category", .string(c.category.rawValue)),
            ("severity", .string(c.severity.rawValue)), ("title", .string(c.title)),
            ("implemented", .bool(CheckCatalogue.isImplemented(c))),
          ])
        }
      ).rendered()
    }
    var out = ""
    for c in CheckCatalogue.all {
      let id = c.id.padding(toLength: 34, withPad: " ", startingAt: 0)
      let sev = c.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
      out += "\(id) \(c.category.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) "
      out += "\(sev) \(c.title)"
      if !CheckCatalogue.isImplemented(c) { out += " (not yet implemented)" }
      out += "\n"
    }
    return out
  }
}
