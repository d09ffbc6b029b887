import PatchsiteCLI
import Testing

@Test func unknownSubcommandIsUsageError() {
  #expect(Patchsite.run(["no-such-command"]) == ExitStatus.badInput)
}

@Test func helpExitsZero() {
  #expect(Patchsite.run(["--help"]) == 0)
}
