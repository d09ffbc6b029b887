import Foundation
import FuzzTargets
import TestSupport
import Testing

/// Replays every input the fuzzers kept (`FuzzRegressions/<target>/`, filled by `make fuzz`)
/// through the entry its target uses: each must run without a trap and keep the target's
/// properties.
@Suite struct FuzzRegressionTests {
  static let folder = Tools.packageRoot() + "/Tests/FuzzTargetsTests/FuzzRegressions"

  /// Every kept input, as `target/file`.
  static let inputs: [String] = {
    let fm = FileManager.default
    var out: [String] = []
    for t in FuzzTargets.all.map(\.name) {
      let names = (try? fm.contentsOfDirectory(atPath: folder + "/" + t)) ?? []
      out += names.filter { !$0.hasPrefix(".") }.sorted().map { t + "/" + $0 }
    }
    return out
  }()

  @Test func everyFolderNamesATarget() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder)
    for n in names where !n.hasPrefix(".") && n != "README.md" {
      #expect(FuzzTargets.target(n) != nil, "FuzzRegressions/\(n) is no fuzz target")
    }
  }

  @Test(arguments: inputs) func replays(input: String) throws {
    let target = try #require(FuzzTargets.target(String(input.prefix { $0 != "/" })))
    let data = try #require(FileManager.default.contents(atPath: Self.folder + "/" + input))
    #expect(target.run(Array(data)) == [], "\(input)")
  }

  /// The seeds every target starts from still pass: the fixtures the readers are tested on.
  @Test(arguments: FuzzTargets.all.map(\.name)) func smallInputs(target name: String) throws {
    let target = try #require(FuzzTargets.target(name))
    for input in ["", "\n", "From x\n", "\u{0}\u{0}\u{0}\u{0}", "@@ -1 +1 @@\n"] {
      #expect(target.run(Array(input.utf8)) == [], "\(name) on \(input.debugDescription)")
    }
  }
}
