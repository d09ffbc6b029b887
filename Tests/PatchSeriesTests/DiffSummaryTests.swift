import Diagnostics
import Diff
import Foundation
import Mail
import TestSupport
import Testing

@testable import PatchSeries

private let root = Tools.packageRoot()

/// What the series view shows of a list of file changes, as text to compare.
private func describe(_ files: [FileChange]) -> String {
  files.map { f in
    let hunks = f.hunks.map {
      "@\($0.line) -\($0.oldStart),\($0.oldLines) +\($0.newStart),\($0.newLines) \($0.kind)"
    }
    return "\(f.path) <- \(f.oldPath ?? "-") \(f.status) +\(f.added) -\(f.removed) \(f.kind) "
      + hunks.joined(separator: " ")
  }.joined(separator: "\n")
}

/// The fast reader's answer for `text`, nil when it gives the body to the parser.
private func fast(_ text: String, firstLine: Int = 1) -> [FileChange]? {
  var t = text
  return t.withUTF8 { DiffSummary.files(in: $0, inputLine: { firstLine + $0 - 1 }) }
}

/// The parser's summaries and diagnostics for `text`.
private func parsed(_ text: String, firstLine: Int = 1) -> ([FileChange], [Diagnostic]) {
  let (diff, problems) = DiffParser.parse(text, file: "t", firstLine: firstLine)
  return (PatchFiles.summaries(of: diff), problems)
}

/// When the fast reader answers, it says what the parser says, and the parser finds nothing
/// wrong. Returns whether it answered.
@discardableResult
private func agrees(_ text: String, _ comment: Comment? = nil) -> Bool {
  guard let files = fast(text, firstLine: 7) else { return false }
  let (expected, problems) = parsed(text, firstLine: 7)
  #expect(describe(files) == describe(expected), comment)
  #expect(problems.isEmpty, comment)
  return true
}

/// A `git format-patch` body: a commit message, `---`, a diffstat, file patches, a signature.
private struct PatchWriter {
  var rng: SeededGenerator

  mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }

  mutating func hunk() -> String {
    var lines: [String] = []
    var old = 0
    var new = 0
    for k in 0..<int(1...40) {
      switch (k + int(0...9)) % 7 {
      case 0:
        lines.append("-\tremoved \(k);")
        old += 1
      case 1, 2:
        lines.append("+\tadded \(k);")
        new += 1
      default:
        lines.append(" \tcontext \(k);")
        old += 1
        new += 1
      }
    }
    let start = int(1...900)
    let oldCount = old == 1 && int(0...1) == 0 ? "" : ",\(old)"
    let newCount = new == 1 && int(0...1) == 0 ? "" : ",\(new)"
    return "@@ -\(start)\(oldCount) +\(start)\(newCount) @@ static int f(void)\n"
      + lines.joined(separator: "\n")
  }

  mutating func file() -> String {
    let path = ["arch/arm64/kernel/ftrace.c", "arch/arm64/Makefile", "kernel/x.c", "a b/c.S"][
      int(0...3)]
    var header = "diff --git a/\(path) b/\(path)\n"
    var old = "a/\(path)"
    var new = "b/\(path)"
    switch int(0...5) {
    case 0:
      header += "new file mode 100644\n"
      old = "/dev/null"
    case 1:
      header += "deleted file mode 100644\n"
      new = "/dev/null"
    default: break
    }
    header += "index 0123abc..4567def" + (int(0...1) == 0 ? " 100644" : "") + "\n"
    header += "--- \(old)\n+++ \(new)\n"
    return header + (0..<int(1...3)).map { _ in hunk() }.joined(separator: "\n")
  }

  mutating func body() -> String {
    var text = "Subject line words\n\nSome explanation.\n\nSigned-off-by: A <a@x>\n---\n"
    text += " x | 2 +-\n 1 file changed\n\n"
    text += (0..<int(0...3)).map { _ in file() }.joined(separator: "\n")
    return text + (int(0...1) == 0 ? "\n-- \n2.43.0\n" : "\n")
  }
}

/// Ways a body can leave the shape the fast reader knows; after each one it must either give
/// the body to the parser or still agree with it.
private let mutations: [(String, @Sendable (String) -> String)] = [
  ("count one short", { $0.replacingOccurrences(of: "@@ -1", with: "@@ -2,999 +1") }),
  ("no newline marker", { $0 + "\\ No newline at end of file\n" }),
  ("empty context line", { $0.replacingOccurrences(of: "\n \tcontext 3;", with: "\n") }),
  ("dash dash line", { $0.replacingOccurrences(of: "-\tremoved", with: "--\tremoved") }),
  ("signature inside", { $0.replacingOccurrences(of: " \tcontext 5;", with: "-- ") }),
  ("extra hunk line", { $0.replacingOccurrences(of: "\n-- \n2.43", with: "\n+over\n-- \n2.43") }),
  (
    "rename",
    {
      $0.replacingOccurrences(
        of: "index 0123abc", with: "similarity index 90%\nrename from x\nrename to y\nindex 0123abc"
      )
    }
  ),
  (
    "binary",
    { $0.replacingOccurrences(of: "--- a/", with: "Binary files a/x and b/x differ\n--- a/") }
  ),
  ("quoted path", { $0.replacingOccurrences(of: "+++ b/", with: "+++ \"b/") }),
  ("CRLF", { $0.replacingOccurrences(of: "\n", with: "\r\n") }),
  ("stray then hunk", { $0 + "stray text\n@@ -1 +1 @@\n-a\n+b\n" }),
  ("plain diff", { "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n" + $0 }),
  (
    "tab after name",
    {
      $0.replacingOccurrences(
        of: "--- a/arch/arm64/Makefile", with: "--- a/arch/arm64/Makefile\t2024")
    }
  ),
  (
    "trailing space",
    { $0.replacingOccurrences(of: "+++ b/kernel/x.c", with: "+++ b/kernel/x.c  ") }
  ),
  ("bad index", { $0.replacingOccurrences(of: "index 0123abc..", with: "index 0123xyz..") }),
  (
    "mode change",
    {
      $0.replacingOccurrences(
        of: "index 0123abc", with: "old mode 100644\nnew mode 100755\nindex 0123abc")
    }
  ),
  ("no hunks", { $0.replacingOccurrences(of: "@@ -", with: "@@ x") }),
  ("truncated", { String($0.prefix($0.count * 2 / 3)) }),
  ("hunk at end", { $0 + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n a\n" }),
]

@Test func theFastReaderAgreesWithTheParserOnGeneratedPatches() {
  var writer = PatchWriter(rng: SeededGenerator(seed: 2026))
  var answered = 0
  var total = 0
  for n in 0..<400 {
    let body = writer.body()
    total += 1
    if agrees(body, "patch \(n)") { answered += 1 }
    for (name, mutate) in mutations {
      agrees(mutate(body), "patch \(n), \(name)")
    }
  }
  // The unmutated patches are the shape the fast reader is for.
  #expect(answered == total, "answered \(answered) of \(total)")
}

@Test func theFastReaderAgreesOnEveryExampleAndCorpusMessage() throws {
  var inputs = try FileManager.default.contentsOfDirectory(atPath: root + "/Series")
    .map { root + "/Series/\($0)/series.mbox" }.filter {
      FileManager.default.fileExists(atPath: $0)
    }
  let corpus = "/work/shared/corpus"
  if let names = try? FileManager.default.contentsOfDirectory(atPath: corpus) {
    inputs += names.filter { $0.hasSuffix(".mbox") }.map { corpus + "/" + $0 }
  }
  var answered = 0
  var bodies = 0
  for input in inputs {
    for m in try MailInput.load(path: input).messages {
      bodies += 1
      if agrees(m.body, "\(m.location)") { answered += 1 }
    }
  }
  #expect(bodies > 0)
  #expect(answered > 0)
}

@Test func aBodyWithoutADiffHasNoFiles() {
  #expect(fast("Just text.\n\n> quoted\n--- not a file\n")?.isEmpty == true)
  #expect(fast("")?.isEmpty == true)
}

@Test func hunkLinesAreInputLines() throws {
  let body = "T\n\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
  let files = try #require(fast(body, firstLine: 40))
  #expect(files.first?.hunks.first?.line == 46)
  #expect(files.first?.path == "x")
  #expect(files.first?.status == .modified)
}

@Test func hunkKindsFromBytesAreKindsFromText() {
  let parts = [
    "arch", "arm64", "kernel", "ftrace.c", "entry.S", "x.h", "Makefile", "Kbuild", "Kconfig.debug",
    "Makefile.lib", "rules.mk", "", "naïve.c", "a.S\u{301}", "boot",
  ]
  var rng = SeededGenerator(seed: 3)
  for n in 0..<3000 {
    var path = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
      parts.randomElement(using: &rng) ?? ""
    }.joined(separator: "/")
    if Bool.random(using: &rng) { path = "arch/arm64/" + path }
    if Int.random(in: 0...5, using: &rng) == 0 { path += "/" }
    #expect(HunkKind.classify(path: path) == HunkKind.classifyText(path: path), "\(n): \(path)")
  }
}

/// Hunks of very short lines (empty ones, `--`, a lone `-`), some counts off by one and some
/// lines no hunk lines: the reader either agrees with the parser or gives up, and it answers
/// for every well-formed hunk.
@Test func shortHunkLinesAgreeWithTheParser() {
  var rng = SeededGenerator(seed: 77)
  let shapes = [
    "", " ", "+", "-", " a", "+b", "-c", "--", "-- ", " xy", "+xyz", "-xyzw", "+0123456",
  ]
  var wellFormed = 0
  var answered = 0
  for n in 0..<3000 {
    var lines: [String] = []
    var old = 0
    var new = 0
    var clean = true
    for _ in 0..<Int.random(in: 0...30, using: &rng) {
      let l = shapes.randomElement(using: &rng) ?? " "
      switch l.first {
      case " ": (old, new) = (old + 1, new + 1)
      case "+": new += 1
      case "-" where !l.hasPrefix("--"): old += 1
      default: clean = false
      }
      lines.append(l)
    }
    let skew = Int.random(in: 0...5, using: &rng)
    if skew == 0 { old += 1 } else if skew == 1 { new = max(0, new - 1) }
    let pad = String(repeating: "x", count: Int.random(in: 0...9, using: &rng))
    let body =
      "T\(pad)\n---\ndiff --git a/f b/f\nindex 1..2\n--- a/f\n+++ b/f\n"
      + "@@ -1,\(old) +1,\(new) @@\n" + lines.map { $0 + "\n" }.joined()
      + (Bool.random(using: &rng) ? "-- \n2.43.0\n" : "")
    let expectAnswer = clean && skew > 1 && old + new > 0
    if expectAnswer { wellFormed += 1 }
    if agrees(body, "short hunk \(n)"), expectAnswer { answered += 1 }
  }
  #expect(wellFormed > 100)
  #expect(answered == wellFormed)
}

/// Sharing equal strings keeps each spelling's bytes: canonically equivalent forms of the
/// same name are not merged into one.
@Test func theStringPoolSharesOnlyIdenticalBytes() {
  var pool = StringPool()
  var first = "Jos\u{E9} <jose@example.org>"  // precomposed
  var second = "Jose\u{301} <jose@example.org>"  // e and a combining acute accent
  var third = "Jos\u{E9} <jose@example.org>"
  #expect(first == second)  // String's own equality
  pool.share(&first)
  pool.share(&second)
  pool.share(&third)
  #expect(Array(second.utf8) == Array("Jose\u{301} <jose@example.org>".utf8))
  #expect(Array(third.utf8) == Array(first.utf8))
  var none: String? = nil
  pool.share(&none)
  #expect(none == nil)
}
