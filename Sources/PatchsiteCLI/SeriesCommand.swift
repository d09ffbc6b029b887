import ArgumentParser
import Diagnostics
import PatchSeries

/// `patchsite series`: how the input was assembled into series versions.
struct SeriesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "series",
    abstract: "Show the series versions, patches, files and hunk kinds found in the input.",
    discussion: """
      INPUT is an mbox (a `b4 am` download or a list thread with replies), a maildir, a folder \
      of .patch files, a single message, or '-' for stdin. With --repo, INPUT may also be a \
      revision range (A..B, A...B, or one commit); its commits form one version.

      Each version lists its cover letter, its patches in order (with trailers, including ones \
      given in replies), the files each patch changes with +/- counts, and every hunk \
      classified as arm64-asm, arm64-c, build or other. With a base (--tree DIR, or --repo PATH \
      with --base REV or the series' base-commit:), every patch is applied in turn and a file \
      that does not apply is reported with the hunk and the first differing line.

      Exit status: 0 when everything was read and applied, 1 when a patch does not apply or \
      something was reported as an error, 2 when the input cannot be read.

      Examples:
        patchsite series thread.mbox
        patchsite series Series/with-args/series.mbox --tree Series/base --format json
        patchsite series --repo ~/linux v6.3..v6.4 --paths arch/arm64
      """
  )

  @Argument(help: "Mbox, maildir, folder of .patch files, message, '-', or a range with --repo.")
  var inputs: [String]

  @Option(help: "A git repository (for revision ranges and --base).")
  var repo: String?

  @Option(help: "The revision the series applies to (needs --repo).")
  var base: String?

  @Option(help: "A folder to use as the base tree instead of a git revision.")
  var tree: String?

  @Option(parsing: .upToNextOption, help: "Limit git ranges to these paths.")
  var paths: [String] = []

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Option(name: .shortAndLong, help: "Write the output to this file instead of stdout.")
  var output: String?

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  func run() throws {
    let source = SeriesSource(inputs: inputs, repo: repo, base: base, tree: tree, paths: paths)
    let set = try source.load()
    let text =
      switch format {
      case .text: SeriesOutput.text(set)
      case .json: SeriesOutput.json(set).rendered()
      }
    try Output.write(text, to: output)
    let failed =
      set.versions.contains { $0.patches.contains { $0.applies == false } }
      || set.diagnostics.contains { $0.severity == .error }
    if failed { throw ExitCode(ExitStatus.findings) }
  }
}
