import ArgumentParser
import Diagnostics
import Pipeline

/// The formats of a report (`series`, `layout`, `run`). `asm` has listing formats of its own
/// (`bin`, `none`), which mean nothing for a report.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

/// Where a command's report goes, and in which format: `--format`, `-o`.
struct OutputOptions: ParsableArguments {
  @Option(help: "Output format: text or json.")
  var format: ReportFormat = .text

  @Option(name: .shortAndLong, help: "Write the output to this file instead of stdout.")
  var output: String?

  /// Writes `text` to `-o FILE`, or to stdout.
  func write(_ text: String) throws(InputError) { try Output.write(text, to: output) }
}

/// Where a series comes from and what it applies to: the inputs `series` and `layout` (and the
/// commands to come) share.
struct InputOptions: ParsableArguments {
  @Argument(help: "Mbox, maildir, folder of .patch files, message, '-', or a range with --repo.")
  var inputs: [String] = []

  @Option(help: "A git repository (for revision ranges, --base and the series' base-commit).")
  var repo: String?

  @Option(help: "The revision the series applies to (needs --repo).")
  var base: String?

  @Option(help: "A folder to use as the base tree instead of a git revision.")
  var tree: String?

  @Option(parsing: .upToNextOption, help: "Limit git ranges to these paths.")
  var paths: [String] = []

  var source: SeriesInputs {
    SeriesInputs(inputs: inputs, repo: repo, base: base, tree: tree, paths: paths)
  }
}
