import PatchsiteCLI
import Testing

@Test func unknownSubcommandIsUsageError() {
  #expect(Patchsite.run(["no-such-command"]) == ExitStatus.badInput)
}

@Test func helpExitsZero() {
  #expect(Patchsite.run(["--help"]) == 0)
}

/// The root help names only options that exist.
@Test func rootHelpSaysWhatIsTrue() {
  let help = Patchsite.helpMessage()
  #expect(!help.contains("--fail-on"))
  #expect(help.contains("1 something was found"))
}
