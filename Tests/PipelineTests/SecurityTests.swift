import Foundation
import PatchSeries
import Pipeline
import TestSupport
import Testing

/// Input never leads Patchsite outside what it was given: paths in patches or trees that
/// climb out (`..`, absolute paths, symbolic links) read nothing, and no input is run.
@Suite struct SecurityTests {
  /// A tree folder beside a secret file, and links from inside the tree to both.
  static func layout() throws -> (root: String, tree: String) {
    let root = try Tools.makeTemporaryDirectory()
    let tree = root + "/tree"
    try FileManager.default.createDirectory(
      atPath: tree + "/arch/arm64", withIntermediateDirectories: true)
    try "TOP-SECRET\n".write(toFile: root + "/secret.txt", atomically: true, encoding: .utf8)
    try "inside\n".write(toFile: tree + "/arch/arm64/Makefile", atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(
      atPath: tree + "/arch/arm64/Kconfig", withDestinationPath: root + "/secret.txt")
    try FileManager.default.createSymbolicLink(
      atPath: tree + "/arch/up", withDestinationPath: "..")
    try FileManager.default.createSymbolicLink(
      atPath: tree + "/arch/arm64/Makefile.link", withDestinationPath: "Makefile")
    return (root, tree)
  }

  @Test func aTreeReadsNothingOutsideItsRoot() throws {
    let (root, tree) = try Self.layout()
    defer { Tools.removeTemporaryDirectory(root) }
    let t = try DirectoryTree(root: tree)
    #expect(t.contents(of: "arch/arm64/Makefile") == "inside\n")
    // A link that stays inside is followed.
    #expect(t.contents(of: "arch/arm64/Makefile.link") == "inside\n")
    for path in [
      "../secret.txt", "arch/../../secret.txt", "/etc/passwd", root + "/secret.txt",
      "arch/arm64/Kconfig",  // a link to the secret
      "arch/up/../secret.txt", "arch/up/up/secret.txt", "..", "arch/arm64/..",
      "arch/arm64/Makefile\u{0}",
    ] {
      #expect(t.contents(of: path) == nil, "read outside the tree: \(path)")
    }
  }

  /// A series whose patch names a file outside the tree: the review neither reads nor writes
  /// it.
  @Test func aPatchThatClimbsOutOfTheTreeTouchesNothing() throws {
    let (root, tree) = try Self.layout()
    defer { Tools.removeTemporaryDirectory(root) }
    let mbox = """
      From a@b Mon Jan  1 00:00:00 2024
      From: Eve <eve@example.org>
      Subject: [PATCH] arm64: escape
      Message-ID: <e1@example.org>

      ---
      diff --git a/../secret.txt b/../secret.txt
      --- a/../secret.txt
      +++ b/../secret.txt
      @@ -1 +1 @@
      -TOP-SECRET
      +overwritten

      """
    try mbox.write(toFile: root + "/escape.mbox", atomically: true, encoding: .utf8)
    let set = try SeriesInputs(inputs: [root + "/escape.mbox"], tree: tree).load()
    #expect(!set.versions.isEmpty)
    #expect(try String(contentsOfFile: root + "/secret.txt", encoding: .utf8) == "TOP-SECRET\n")
  }

  /// No source file of the tool starts a process or hands text to a shell: input is data.
  @Test func noSourceRunsAProcess() throws {
    let sources = Tools.packageRoot() + "/Sources"
    let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String } ?? []
    var offenders: [String] = []
    for f in files where f.hasSuffix(".swift") && !f.hasPrefix("TestSupport/") {
      let text = try String(contentsOfFile: sources + "/" + f, encoding: .utf8)
      for word in ["Process(", "posix_spawn", "popen(", "execv", "system(\"", "/bin/sh"]
      where text.contains(word) {
        offenders.append("\(f): \(word)")
      }
    }
    #expect(offenders.isEmpty, "\(offenders)")
    #expect(files.count > 100)
  }
}
