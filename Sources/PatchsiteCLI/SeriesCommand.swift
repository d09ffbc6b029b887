import ArgumentParser

/// `patchsite series`: how the input was assembled into series versions.
struct SeriesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "series",
    abstract: "Show the series versions, patches, files and hunk kinds found in the input."
  )

  @Argument(help: "An mbox, maildir, folder of .patch files, single message, or '-' for stdin.")
  var input: String

  func run() throws {
    throw CleanExit.message("unsupported: series assembly is not built yet")
  }
}
