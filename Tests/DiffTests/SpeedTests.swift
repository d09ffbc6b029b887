import TestSupport
import Testing

@testable import Diff

/// A rough speed figure (debug build): parse, print and apply a few megabytes of patches.
@Suite struct SpeedTests {
  @Test func parsePrintApplyThroughput() throws {
    let old = (1...20_000).map { "\tint line_\($0) = \($0 * 7);\n" }
    var new = old
    // One change every 40 lines, each in its own 7-line hunk (written directly: an LCS over
    // 20k lines would dominate the test).
    var one = "diff --git a/big.c b/big.c\n--- a/big.c\n+++ b/big.c\n"
    for k in stride(from: 5, to: old.count - 3, by: 40) {
      new[k] = "\tint changed_\(k);\n"
      one += "@@ -\(k - 2),7 +\(k - 2),7 @@ section\n"
      for c in (k - 3)..<k { one += " " + old[c] }
      one += "-" + old[k] + "+" + new[k]
      for c in (k + 1)...(k + 3) { one += " " + old[c] }
    }
    let text = String(repeating: one, count: 40)
    let start = ContinuousClock.now
    let (diff, diagnostics) = DiffParser.parse(text, file: "big")
    let parsed = ContinuousClock.now
    let printed = diff.print()
    let done = ContinuousClock.now
    let result = try diff.files[0].apply(to: old.joined())
    let applied = ContinuousClock.now
    #expect(diagnostics.isEmpty && diff.files.count == 40)
    #expect(printed.utf8.count == text.utf8.count && result == new.joined())
    let mb = Double(text.utf8.count) / 1_000_000
    func rate(_ d: Duration) -> String {
      let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
      return String(Int(mb / s)) + " MB/s"
    }
    Swift.print(
      "speed: \(Int(mb * 10) / 10) MB, \(diff.files.count * diff.files[0].hunks.count) hunks; "
        + "parse \(parsed - start) (\(rate(parsed - start))), print \(done - parsed), "
        + "apply one 20k-line file \(applied - done)")
    #expect(parsed - start < .seconds(30))
  }
}
