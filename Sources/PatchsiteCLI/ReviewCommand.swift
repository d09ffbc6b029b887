import Analysis
import ArgumentParser
import Diagnostics
import Foundation
import KernelSource
import PatchSeries
import Pipeline
import Reporting

/// The formats of `patchsite review`: the report formats of the other commands, plus a page
/// (`markdown`), a code-scanning log (`sarif`) and b4's check protocol (`b4`).
enum ReviewFormat: String, ExpressibleByArgument, CaseIterable {
  case text, markdown, json, sarif, b4
}

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

      The text and markdown reports are rendered with the mustache templates of Templates/ \
      (review-text, review-markdown and their partials); --templates DIR, or \
      PATCHSITE_TEMPLATES, names a folder whose templates replace those of the same name.

      Formats. text: for a terminal (colour when stdout is a terminal and NO_COLOR is \
      unset). markdown: a page for a web site, an issue or a pull request (a summary table, a \
      section per unit with a table of its findings, each finding's evidence and assumptions, \
      the version comparison, the diagnostics). json: the patchsite-review/1 contract in the \
      README. sarif: a SARIF 2.1.0 log for code scanning (every check of the catalogue a rule, \
      every finding a result at its file and line, else at the message it came from, its \
      evidence a code flow, its fingerprint under partialFingerprints "patchsite/v1"). b4: \
      b4's check protocol (b4 0.15+), a JSON array of one {"tool": "patchsite", "status", \
      "summary", "details"}: status fail on an error-level finding, warn on a warning or a \
      patch that does not apply, pass otherwise, and pass when the message changes no arm64 \
      code and no build file.

      With --format b4, INPUT is usually `-`: b4 pipes one message (a patch) to the command. \
      When neither --repo nor --tree is given and the current directory is a git repository \
      (b4 runs checks at the top of the kernel checkout), it is used as --repo . (the \
      message's base-commit, else the commit its index lines point at); otherwise only the \
      hunks are reviewed. To use it, in the kernel checkout:
        git config b4.review-perpatch-check-cmd 'patchsite review - --format b4'

      Exit status: 0 when no finding reaches --fail-on (default error), 1 when one does or a \
      patch does not apply, 2 for bad input. With --format b4 the status is 0 whatever was \
      found (b4 reads the statuses in the output) and 2 for bad input.

      Examples:
        patchsite review Series/call-ops/series.mbox --tree Series/base
        patchsite review Series/literal-call/series.mbox --format json -o review.json
        patchsite review Series/direct-calls/series.mbox --fail-on warning
        patchsite review Series/call-ops/series.mbox --format markdown -o review.md
        patchsite review Series/call-ops/series.mbox --format sarif -o review.sarif
        patchsite review - --format b4 < patch.eml
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

  @Option(help: "Output format: text, markdown, json, sarif or b4.")
  var format: ReviewFormat = .text

  @Option(name: .shortAndLong, help: "Write the output to this file instead of stdout.")
  var output: String?

  @Option(
    help: ArgumentHelp(
      "A folder of templates that overrides Templates/ for text and markdown.",
      valueName: "DIR"))
  var templates: String?

  enum FailOn: String, ExpressibleByArgument, CaseIterable { case error, warning, never }

  func validate() throws {
    if listChecks && ![.text, .json].contains(format) {
      throw ValidationError("--list-checks prints text or json, not \(format.rawValue)")
    }
  }

  func run() throws {
    if listChecks {
      try Output.write(Self.catalogue(json: format == .json), to: output)
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
      report = ReviewPipeline.review(set: try source.load(), overrides: overrides)
    }
    let text =
      switch format {
      case .text:
        try ReviewRendering.text(
          report, color: output == nil && Console.colorful,
          templates: TemplateSet.standard(explicit: templates))
      case .markdown:
        try ReviewMarkdown.render(report, templates: TemplateSet.standard(explicit: templates))
      case .json: ReviewRendering.json(report).rendered()
      case .sarif: ReviewSARIF.render(report).rendered()
      case .b4: ReviewB4.render(report).rendered()
      }
    try Output.write(text, to: output)
    // b4 reads the statuses in the output; a non-zero exit would read as the check failing
    // to run.
    if format == .b4 { return }
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

  /// The inputs, with the current directory as `--repo .` for `--format b4` reading a message
  /// on stdin when no base was given and the directory is a git repository (b4 runs its
  /// checks at the top of the checkout).
  var source: SeriesInputs {
    var s = input.source
    if format == .b4, input.inputs == ["-"], s.repo == nil, s.tree == nil,
      FileManager.default.fileExists(atPath: ".git")
    {
      s.repo = "."
    }
    return s
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
