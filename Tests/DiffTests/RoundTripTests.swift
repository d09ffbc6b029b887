import Diagnostics
import TestSupport
import Testing

@testable import Diff

/// The round-trip law `parse(x).print() == x`, byte for byte, on fixtures, generated patches and
/// damaged inputs.
@Suite struct RoundTripTests {
  @Test func fixturesAreThere() {
    #expect(Fixtures.names.count >= 26)
    #expect(Fixtures.clean.allSatisfy { Fixtures.names.contains($0) })
  }

  @Test(arguments: Fixtures.names) func fixturePrintsBack(name: String) {
    let text = Fixtures.text(name)
    let (diff, _) = DiffParser.parse(text, file: name)
    #expect(bytes(diff.print()) == bytes(text), "\(name)")
    #expect(bytes(diff.description) == bytes(text))
    // Printing each file patch and the edges separately gives the same bytes.
    var pieces = diff.preamble.map(\.description).joined()
    pieces += diff.files.map { $0.print() }.joined()
    pieces += diff.trailer.map(\.description).joined()
    #expect(bytes(pieces) == bytes(text))
  }

  /// Every prefix of every fixture (a patch cut anywhere) also prints back.
  @Test(arguments: Fixtures.names) func everyPrefixPrintsBack(name: String) {
    let all = bytes(Fixtures.text(name))
    var failures = 0
    for cut in 0...all.count {
      let (diff, _) = DiffParser.parse(bytes: Array(all[..<cut]), file: name)
      if bytes(diff.print()) != Array(all[..<cut]) { failures += 1 }
    }
    #expect(failures == 0, "\(name)")
  }

  /// A generated text mixing every kind of diff line, endings, markers and damage.
  static func randomPatchText(_ rng: inout SeededGenerator) -> String {
    let pieces = [
      "diff --git a/p/x.c b/p/x.c", "diff --git a/a b b/a b", "index 1234567..89abcde 100644",
      "index 0000000..e69de29", "new file mode 100644", "deleted file mode 100755",
      "old mode 100644", "new mode 100755", "similarity index 90%", "rename from p/y.c",
      "rename to p/z.c", "copy from q", "copy to r", "--- a/p/x.c", "+++ b/p/x.c", "--- /dev/null",
      "+++ /dev/null", "@@ -1,3 +1,3 @@", "@@ -1 +1 @@ f(void)", "@@ -0,0 +1,2 @@",
      "@@ -5,2 +5,0 @@",
      "@@ bad", "@@ -1,x +1 @@", " context", "+added", "-removed", "", " ",
      "\\ No newline at end of file",
      "-- ", "2.39.2", "---", "Binary files a/b and b/b differ", "GIT binary patch", "literal 3",
      "delta 7", "KcmZQz", "prose \u{e9}t\u{e9} \u{1F600}", "\t tabbed", "+++ b", "--- a", "-", "+",
      "@@", "\"quoted\"", "diff --git \"a/q\\303\\251\" \"b/q\\303\\251\"",
    ]
    let endings = ["\n", "\n", "\n", "\r\n", "\r"]
    var out = ""
    let count = Int.random(in: 0...40, using: &rng)
    for _ in 0..<count {
      out += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
      out += endings[Int.random(in: 0..<endings.count, using: &rng)]
    }
    if Bool.random(using: &rng), let last = out.utf8.last, last == 0x0A { out.removeLast() }
    return out
  }

  @Test func generatedTextsPrintBack() {
    let seed: UInt64 = 0xD1FF_0001
    var rng = SeededGenerator(seed: seed)
    for round in 0..<3000 {
      let text = Self.randomPatchText(&rng)
      let (diff, _) = DiffParser.parse(text, file: "gen")
      #expect(
        bytes(diff.print()) == bytes(text), "seed \(seed) round \(round): \(text.debugDescription)")
    }
  }

  /// Random byte mutations of the fixtures (deleted, duplicated, swapped lines; flipped bytes).
  @Test func mutatedFixturesPrintBack() {
    let seed: UInt64 = 0xD1FF_0002
    var rng = SeededGenerator(seed: seed)
    let texts = Fixtures.names.map { bytes(Fixtures.text($0)) }
    for round in 0..<1500 {
      var b = texts[Int.random(in: 0..<texts.count, using: &rng)]
      for _ in 0..<Int.random(in: 1...4, using: &rng) where !b.isEmpty {
        let i = Int.random(in: 0..<b.count, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: b.remove(at: i)
        case 1:
          b.insert(
            [0x0A, 0x0D, 0x20, 0x2B, 0x2D, 0x40, 0x5C][Int.random(in: 0..<7, using: &rng)], at: i)
        case 2: b[i] = UInt8.random(in: 0x20...0x7E, using: &rng)
        default:
          let j = Int.random(in: i..<b.count, using: &rng)
          b.insert(contentsOf: b[i..<j], at: j)
        }
      }
      let (diff, _) = DiffParser.parse(bytes: b, file: "mut")
      #expect(bytes(diff.print()) == b, "seed \(seed) round \(round)")
    }
  }

  /// Well-formed generated patches (from the independent `DiffMaker`) parse without diagnostics
  /// and with the right counts.
  @Test func wellFormedGeneratedPatchesAreClean() {
    let seed: UInt64 = 0xD1FF_0003
    var rng = SeededGenerator(seed: seed)
    for round in 0..<300 {
      let (old, new) = ApplyTests.randomPair(&rng)
      let text = DiffMaker.patch(path: "d/f.txt", old: old, new: new)
      let (diff, diagnostics) = DiffParser.parse(text, file: "gen")
      #expect(diagnostics.isEmpty, "seed \(seed) round \(round)\n\(text)")
      #expect(bytes(diff.print()) == bytes(text))
      #expect(diff.files.count == 1)
      let script = DiffMaker.script(DiffMaker.lines(old ?? ""), DiffMaker.lines(new ?? ""))
      #expect(diff.added == script.filter { $0.0 == .add }.count)
      #expect(diff.removed == script.filter { $0.0 == .remove }.count)
    }
  }
}
