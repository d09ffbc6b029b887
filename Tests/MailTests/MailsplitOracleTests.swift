import Foundation
import TestSupport
import Testing

@testable import Mail

/// `git mailsplit --mboxrd` as an oracle: it writes each message (separator line included,
/// `>From ` un-quoted) to a file; our split must give the same bytes.
@Suite struct MailsplitOracleTests {
  static let inputs: [String] =
    ["mboxrd.mbox", "no-trailing-newline.mbox", "truncated.mbox"].map(Fixture.path)
    + CorpusTests.files.map { "\(CorpusTests.directory)/\($0)" }

  @Test func splitMatchesGitMailsplit() throws {
    guard let git = Tools.oracle("git") else { return }
    let dir = try Tools.makeTemporaryDirectory("mailsplit")
    defer { Tools.removeTemporaryDirectory(dir) }
    var generated = ParallelReadTests.bigInput(count: 120)
    generated += Array(
      "From x@y Mon Jan  2 03:04:05 2023\nSubject: >From quoting\n\n>From a\n>>From b\n".utf8)
    let generatedPath = "\(dir)/generated.mbox"
    try Data(generated).write(to: URL(fileURLWithPath: generatedPath))
    var compared = 0
    for input in MailsplitOracleTests.inputs + [generatedPath] {
      let out = "\(dir)/out-\(abs(input.hashValue))"
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      let r = try Tools.run(git, ["mailsplit", "--mboxrd", "-o\(out)", input])
      #expect(r.status == 0, "\(r.stderr)")
      let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
      let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: input)))
      let raws = MboxSplitter.split(bytes)
      #expect(raws.count == files.count, "\(input)")
      for (raw, file) in zip(raws, files) {
        let theirs = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(out)/\(file)")))
        let ours = (raw.fromLine ?? []) + Array(FromQuoting.mboxrd.unquote(raw.bytes))
        #expect(ours == theirs, "\(input) message \(file)")
        compared += 1
      }
    }
    print("mailsplit oracle: \(compared) messages compared byte for byte")
    #expect(compared > 150)
  }
}
