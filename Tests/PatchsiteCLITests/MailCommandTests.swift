import Foundation
import Mail
import Reporting
import TestSupport
import Testing

private let root = Tools.packageRoot()

/// `patchsite mail --count` on an mbox file counts it as a stream; the count, the diagnostics
/// and the exit status must be those of reading the whole file at once.
@Suite struct MailCommandTests {
  @Test func aStreamedCountIsTheCountOfTheWholeFile() throws {
    let tests = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let binary = URL(fileURLWithPath: tests).deletingLastPathComponent().path + "/patchsite"
    try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) is missing")
    var paths: [String] = []
    for folder in ["Series", "Tests/MailTests", "Tests/PatchsiteCLITests/BadInput"] {
      let base = root + "/" + folder
      let names = FileManager.default.enumerator(atPath: base)?.allObjects as? [String] ?? []
      paths += names.filter { $0.hasSuffix(".mbox") || $0.hasSuffix(".eml") }.sorted()
        .map { base + "/" + $0 }
    }
    #expect(paths.count >= 15)
    for path in paths {
      let run = try Tools.run(binary, ["mail", "--count", path])
      do {
        let whole = try MailInput.load(path: path, bodies: .lazy)
        #expect(run.stdout == MailReport.count(whole.messages), "\(path)")
        #expect(run.stderr == whole.diagnostics.map { $0.description + "\n" }.joined(), "\(path)")
        let failed = whole.diagnostics.contains { $0.severity == .error }
        #expect(run.status == (failed ? 1 : 0), "\(path)")
      } catch {
        #expect(run.status == 2, "\(path)")
        #expect(run.stderr.contains(error.reason), "\(path)")
      }
    }
  }
}
