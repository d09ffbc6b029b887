import ArgumentParser
import Diagnostics
import Foundation
import Mail
import PatchSeries
import Pipeline
import Reporting

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

  @OptionGroup var input: InputOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    guard !input.inputs.isEmpty else { throw ValidationError("give at least one INPUT") }
    if output.format == .json, let path = twoPassInput() {
      // A large mbox: the model of every message would not fit; two passes keep only the
      // grouping, reading each version's messages again as it is written.
      let stream = try SeriesAssembler.stream(path: path)
      var out = Output.Stream(to: output.output)
      try SeriesReport.writeJSON(stream) { (bytes) throws(InputError) in try out.write(bytes) }
      try out.finish()
      if stream.hasErrors {
        throw ExitCode(ExitStatus.findings)
      }
      return
    }
    let set = try load()
    switch output.format {
    case .text: try output.write(SeriesReport.text(set))
    case .json:
      // Written a version at a time as it is rendered: the whole report is never held.
      var stream = Output.Stream(to: output.output)
      try SeriesReport.writeJSON(set) { (bytes) throws(InputError) in try stream.write(bytes) }
      try stream.finish()
    }
    let found = Outcome.somethingFound(series: set)
    Self.leaveToExit(set)
    if found { throw ExitCode(ExitStatus.findings) }
  }

  /// Keeps `set` until the process exits instead of freeing it: the model of a large archive
  /// is tens of thousands of strings and arrays, released one by one in about a twentieth of
  /// the run, and the process ends as soon as the report is written.
  private static func leaveToExit(_ set: SeriesSet) {
    _ = Unmanaged.passRetained(Kept(set))
  }

  private final class Kept {
    let set: SeriesSet
    init(_ set: SeriesSet) { self.set = set }
  }

  /// Inputs of at least this many bytes are read in two passes (`PATCHSITE_TWO_PASS_BYTES`
  /// overrides it, for tests).
  static let twoPassBytes = 256 << 20

  /// The input to read in two passes: a single mbox file of `twoPassBytes` or more, with no
  /// base to apply the patches to (which needs every diff).
  private func twoPassInput() -> String? {
    let source = input.source
    guard source.tree == nil, source.repo == nil, input.inputs.count == 1,
      let path = input.inputs.first, path != "-",
      case .mbox(let size)? = try? MailStream.kind(of: path)
    else { return nil }
    let limit =
      ProcessInfo.processInfo.environment["PATCHSITE_TWO_PASS_BYTES"].flatMap { Int($0) }
      ?? Self.twoPassBytes
    return size >= limit ? path : nil
  }

  /// Reads the inputs into series versions and applies them to the base, if any.
  ///
  /// Mail is read as a stream (`SeriesAssembler.read`, through `SeriesInputs.load(keeping:)`):
  /// each message is read once, its body scanned as bytes and dropped, and the set keeps what
  /// the report shows, plus each patch's diff when there is a base to apply it to or to find
  /// (`--tree`, `--repo`).
  private func load() throws -> SeriesSet {
    let source = input.source
    return try source.load(keeping: source.tree == nil && source.repo == nil ? .summaries : .diffs)
  }
}
