import ArgumentParser
import Diagnostics
import Foundation
import Git
import KernelSource
import Pipeline
import Reporting

enum AuditFormat: String, ExpressibleByArgument, CaseIterable {
  case text, markdown, json, sarif
}

/// `patchsite audit`: the callsite through a range of history, commit by commit.
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Rebuild and review the callsite at every commit of a range that shapes it.",
    discussion: """
      Walks RANGE of the repository (`v6.1..v6.6`, `A...B`, or one revision for its whole \
      history), following first parents unless --all-parents. A commit is kept when the object \
      ID of a watched path differs from its parent's (compared in the trees, before any diff); \
      by default the paths that shape the arm64 callsite: arch/arm64/Makefile, Kconfig, \
      kernel/entry-ftrace.S, kernel/ftrace.c, include/asm/ftrace.h, the insn* files, \
      kernel/patching.c, kernel/module-plts.c and kernel/stacktrace.c. --paths replaces the \
      list (a folder, a file, or a pattern with `*` in its last part).

      Each kept commit's tree is rebuilt in every configuration (as `patchsite layout --repo \
      PATH --base COMMIT` would) and reviewed with every check; a tree whose files have the same \
      blobs as one already rebuilt is not rebuilt again. The work is spread over --jobs workers, \
      each with its own repository handle: with two or more, trees are rebuilt while the walk \
      goes on, as soon as it finds a commit that changes a watched path. Any number of jobs \
      gives the same report.

      The report is a timeline: per commit, the callsite's words per state when they change, \
      the findings it introduced and fixed, how many it carried; then the findings open at the \
      tip, each with the commit that introduced it. A commit whose tree cannot be modelled is \
      reported with the reason, and the audit goes on.

      Examples:
        patchsite audit --repo ~/linux v6.1..v6.6
        patchsite audit --repo ~/linux v6.2..v6.4 --format json -o audit.json --html audit.html
        patchsite audit --repo . HEAD~200..HEAD --paths arch/arm64/kernel/ftrace.c

      Exit status: 0, or 1 when a finding open at the tip reaches --fail-on (default never); \
      2 for bad input (not a repository, a bad range).
      """)

  @Option(help: ArgumentHelp("The repository to audit.", valueName: "PATH"))
  var repo: String

  @Argument(help: "The range: A..B, A...B, or one revision (its whole history).")
  var range: String

  @Option(
    parsing: .upToNextOption,
    help: ArgumentHelp("Watched paths instead of the default list.", valueName: "SPEC"))
  var paths: [String] = []

  @Option(help: "Workers (each with its own repository handle); the cores by default.")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Follow every parent of a merge, not only the first.")
  var allParents = false

  @Option(
    parsing: .upToNextOption, help: "Assumed configuration values, NAME=VALUE (y, n, m, numbers).")
  var config: [String] = []

  @Option(help: "Output format: text, markdown, json or sarif.")
  var format: AuditFormat = .text

  @Option(name: .shortAndLong, help: "Write the report to this file instead of stdout.")
  var output: String?

  @Option(
    help: ArgumentHelp(
      "Also write the timeline as one self-contained HTML page (a drawing of the callsite per "
        + "state, the findings with their evidence).", valueName: "FILE"))
  var html: String?

  @Option(help: "The lowest severity open at the tip that makes the exit status 1.")
  var failOn: ReviewCommand.FailOn = .never

  @Flag(help: "No progress bar (it is never shown when standard error is not a terminal).")
  var quiet = false

  @Flag(help: "Print the time each phase took to standard error (walk, signatures, rebuilds).")
  var timings = false

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
  }

  func run() throws {
    let request = AuditRequest(
      repository: repo, range: range, paths: paths, jobs: jobs, allParents: allParents,
      overrides: try LayoutCommand.parse(config: config))
    let bar = !quiet && Console.stderrIsTerminal ? AuditProgress(label: "audit") : nil
    let report: AuditReport
    do throws(GitError) {
      var progress: (@Sendable (Int, Int) -> Void)?
      if let bar { progress = { done, total in bar.show(done, total) } }
      report = try AuditPipeline.audit(request, progress: progress)
    } catch {
      bar?.finish()
      throw error.inputError(at: SourceLocation(file: repo))
    }
    bar?.finish()
    if timings {
      for p in report.phases {
        Console.error(
          "timing: \(p.name): \(String(format: "%.3f", p.seconds)) s, "
            + "\(String(format: "%.3f", p.cpu)) s of CPU")
      }
    }
    let text =
      switch format {
      case .text: AuditRendering.text(report, color: output == nil && Console.colorful)
      case .markdown: AuditRendering.markdown(report)
      case .json: AuditRendering.json(report).rendered()
      case .sarif: AuditRendering.sarif(report).rendered()
      }
    try Output.write(text, to: output)
    if let html { try Output.write(AuditHTML.render(report), to: html) }
    let threshold: Severity? =
      switch failOn {
      case .error: .error
      case .warning: .warning
      case .never: nil
      }
    if let t = threshold, report.open.contains(where: { $0.finding.severity >= t }) {
      throw ExitCode(ExitStatus.findings)
    }
  }
}

/// A one-line progress bar on standard error, redrawn in place.
final class AuditProgress: @unchecked Sendable {
  private let lock = NSLock()
  private let label: String
  private var last = -1

  init(label: String) { self.label = label }

  func show(_ done: Int, _ total: Int) {
    lock.lock()
    defer { lock.unlock() }
    let width = 30
    let filled = total > 0 ? done * width / total : width
    guard filled != last || done == total else { return }
    last = filled
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    Console.error("\r\(label) [\(bar)] \(done)/\(total) trees", terminator: "")
  }

  func finish() {
    lock.lock()
    defer { lock.unlock() }
    if last >= 0 { Console.error("") }
  }
}
