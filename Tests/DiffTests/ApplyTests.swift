import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import Diff

@Suite struct ApplyTests {
  /// Random old/new texts from a small vocabulary (repeats, empty lines, CRLF, tricky prefixes),
  /// sometimes missing, sometimes without a final newline.
  static func randomPair(_ rng: inout SeededGenerator) -> (String?, String?) {
    let vocab = [
      "a", "b", "c", "", "- ", "-", "+", "@@ x", "\\ y", "int x;", "\tret\r", "caf\u{e9}", "}",
    ]
    func text() -> String {
      var s = ""
      for _ in 0..<Int.random(in: 0...14, using: &rng) {
        s += vocab[Int.random(in: 0..<vocab.count, using: &rng)] + "\n"
      }
      if Bool.random(using: &rng), !s.isEmpty { s.removeLast() }
      return s
    }
    let old = text()
    var lines = DiffMaker.lines(old).map { $0.text }
    for _ in 0..<Int.random(in: 0...4, using: &rng) {
      let k = Int.random(in: 0...lines.count, using: &rng)
      if Bool.random(using: &rng), k < lines.count {
        lines.remove(at: k)
      } else {
        lines.insert(vocab[Int.random(in: 0..<vocab.count, using: &rng)], at: k)
      }
    }
    var new = lines.map { $0 + "\n" }.joined()
    if Bool.random(using: &rng), !new.isEmpty { new.removeLast() }
    switch Int.random(in: 0..<12, using: &rng) {
    case 0: return (nil, new)
    case 1: return (old, nil)
    default: return (old, new)
    }
  }

  @Test func generatedPatchesApply() throws {
    let seed: UInt64 = 0xA991_0001
    var rng = SeededGenerator(seed: seed)
    for round in 0..<400 {
      let (old, new) = Self.randomPair(&rng)
      let text = DiffMaker.patch(
        path: "f", old: old, new: new, context: Int.random(in: 0...3, using: &rng))
      let (diff, _) = DiffParser.parse(text, file: "gen")
      let f = try #require(diff.files.first)
      do {
        let result = try f.apply(to: old)
        #expect(result.map(bytes) == new.map(bytes), "seed \(seed) round \(round)\n\(text)")
      } catch {
        Issue.record("seed \(seed) round \(round): \(error)\n\(text)")
      }
    }
  }

  /// `git diff --no-index` writes the patches; ours must read them cleanly, print them back and
  /// apply them to give git's new file.
  @Test func gitWrittenPatchesApply() throws {
    guard let git = Tools.oracle("git") else { return }
    let seed: UInt64 = 0xA991_0003
    var rng = SeededGenerator(seed: seed)
    let dir = try Tools.makeTemporaryDirectory("diff-gen")
    defer { Tools.removeTemporaryDirectory(dir) }
    for round in 0..<40 {
      let (old, new) = Self.randomPair(&rng)
      let oldName = old == nil ? "/dev/null" : "old.txt"
      let newName = new == nil ? "/dev/null" : "new.txt"
      if let old { try Data(old.utf8).write(to: URL(fileURLWithPath: dir + "/old.txt")) }
      if let new { try Data(new.utf8).write(to: URL(fileURLWithPath: dir + "/new.txt")) }
      let unified = "-U\(Int.random(in: 0...4, using: &rng))"
      let out = try Tools.run(git, ["diff", "--no-index", unified, oldName, newName], cwd: dir)
      try? FileManager.default.removeItem(atPath: dir + "/old.txt")
      try? FileManager.default.removeItem(atPath: dir + "/new.txt")
      let (diff, diagnostics) = DiffParser.parse(out.stdout, file: "git")
      #expect(diagnostics.isEmpty, "seed \(seed) round \(round)\n\(out.stdout)")
      #expect(bytes(diff.print()) == bytes(out.stdout))
      guard let f = diff.files.first else {
        #expect(old == new, "seed \(seed) round \(round)")
        continue
      }
      #expect(f.isNew == (old == nil) && f.isDeleted == (new == nil))
      do {
        let result = try f.apply(to: old)
        #expect(result.map(bytes) == new.map(bytes), "seed \(seed) round \(round)\n\(out.stdout)")
      } catch {
        Issue.record("seed \(seed) round \(round): \(error)\n\(out.stdout)")
      }
    }
  }

  /// Differential against `git apply` on moved targets: files of unique lines, a patch from
  /// `git diff`, and a target with lines added or dropped at the top, in the middle or at the
  /// end. Both must apply with the same result, or both refuse (anchors included).
  @Test func offsetsAndAnchorsAgreeWithGit() throws {
    guard let git = Tools.oracle("git") else { return }
    let seed: UInt64 = 0xA991_0005
    var rng = SeededGenerator(seed: seed)
    let dir = try Tools.makeTemporaryDirectory("diff-anchor")
    defer { Tools.removeTemporaryDirectory(dir) }
    var tally = [0, 0, 0]  // applied with offset 0, applied at an offset, refused
    for round in 0..<80 {
      let n = Int.random(in: 4...30, using: &rng)
      let old = (1...n).map { "line \($0)" }
      var new = old
      for _ in 0..<Int.random(in: 1...3, using: &rng) {
        let k = Int.random(in: 0..<new.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: new[k] = "changed \(round) \(k)"
        case 1: new.insert("added \(round) \(k)", at: k)
        default: if new.count > 1 { new.remove(at: k) }
        }
      }
      var target = old
      let moves = Int.random(in: 1...3, using: &rng)
      switch Int.random(in: 0..<5, using: &rng) {
      case 0: target.insert(contentsOf: (1...moves).map { "top \($0)" }, at: 0)
      case 1: target.removeFirst(min(moves, target.count - 1))
      case 2: target.append(contentsOf: (1...moves).map { "end \($0)" })
      case 3: target.insert(contentsOf: (1...moves).map { "mid \($0)" }, at: target.count / 2)
      default: break
      }
      let join = { (l: [String]) in l.map { $0 + "\n" }.joined() }
      try writeTree(["x": join(old), "y": join(new)], to: dir)
      let context = "-U\(Int.random(in: 1...3, using: &rng))"
      let d = try Tools.run(git, ["diff", "--no-index", context, "x", "y"], cwd: dir)
      let patch = d.stdout.replacingOccurrences(of: "a/x", with: "a/f")
        .replacingOccurrences(of: "b/y", with: "b/f")
      guard let f = DiffParser.parse(patch, file: "p").0.files.first else { continue }
      try writeTree(["f": join(target)], to: dir)
      let out = try Tools.run(git, ["apply", "-"], stdin: Data(patch.utf8), cwd: dir)
      let ours = Result { () throws(ApplyError) in try f.applyReporting(to: join(target)) }
      switch (out.status == 0, ours) {
      case (true, .success(let app)):
        let theirs = readTree(dir)["f"]
        #expect(app.content == theirs, "seed \(seed) round \(round)\n\(patch)")
        tally[app.placements.allSatisfy { $0.offset == 0 } ? 0 : 1] += 1
      case (false, .failure): tally[2] += 1
      case (true, .failure(let e)):
        Issue.record("seed \(seed) round \(round): git applies, we do not: \(e)\n\(patch)")
      case (false, .success):
        Issue.record("seed \(seed) round \(round): we apply, git does not\n\(patch)")
      }
    }
    Swift.print(
      "apply vs git: \(tally[0]) in place, \(tally[1]) at an offset, \(tally[2]) refused by both")
    #expect(tally.allSatisfy { $0 > 0 })
  }

  /// Lines unique in the file, then shifted by lines added above: every hunk applies at the same
  /// offset, and the placements say so.
  @Test func offsetApplication() throws {
    let seed: UInt64 = 0xA991_0002
    var rng = SeededGenerator(seed: seed)
    for round in 0..<100 {
      let count = Int.random(in: 20...60, using: &rng)
      let old = (1...count).map { "line \($0)\n" }
      var new = old
      for k in stride(from: count - 1, through: 0, by: -Int.random(in: 7...15, using: &rng)) {
        new[k] = "changed \(k)\n"
      }
      let patch = DiffMaker.patch(path: "f", old: old.joined(), new: new.joined())
      let shift = Int.random(in: -5...8, using: &rng)
      let prefix = shift > 0 ? (1...shift).map { "extra \($0)\n" } : []
      let drop = shift < 0 ? -shift : 0
      // Shifting down by dropping lines only works when the first hunk does not need them.
      let diff = DiffParser.parse(patch, file: "p").0
      let f = try #require(diff.files.first)
      let firstOld = f.hunks.first?.oldStart ?? 1
      let usable = drop < firstOld - 1
      guard usable else { continue }
      let target = (prefix + old.dropFirst(drop)).joined()
      let expected = (prefix + new.dropFirst(drop)).joined()
      let app = try f.applyReporting(to: target)
      #expect(app.content == expected, "seed \(seed) round \(round)")
      #expect(
        app.placements.allSatisfy { $0.offset == shift },
        "seed \(seed) round \(round) shift \(shift)")
    }
  }

  @Test func offsetIsReported() throws {
    let old = (1...10).map { "l\($0)\n" }.joined()
    let new = old.replacingOccurrences(of: "l5\n", with: "five\n")
    let patch = DiffMaker.patch(path: "f", old: old, new: new)
    let f = try #require(DiffParser.parse(patch, file: "p").0.files.first)
    let app = try f.applyReporting(to: "top\ntop2\n" + old)
    #expect(app.content == "top\ntop2\n" + new)
    #expect(app.placements == [HunkPlacement(hunkIndex: 0, expectedLine: 2, appliedLine: 4)])
    #expect(app.placements.first?.offset == 2)
  }

  /// When the hunk's text occurs twice away from its place, the nearer one wins.
  @Test func nearestOffsetWins() throws {
    let patch = "--- a/f\n+++ b/f\n@@ -5,3 +5,3 @@\n k\n-v\n+w\n k\n"
    let f = try #require(DiffParser.parse(patch, file: "p").0.files.first)
    let target = ["x", "k", "v", "k", "x", "x", "x", "x", "k", "v", "k"].map { $0 + "\n" }.joined()
    let app = try f.applyReporting(to: target)
    #expect(app.placements.first?.appliedLine == 2 && app.placements.first?.offset == -3)
    #expect(app.content?.hasPrefix("x\nk\nw\nk\n") == true)
    // On a tie the later place wins.
    let tie = try f.applyReporting(to: "k\nv\nk\nx\nx\nx\nx\nx\nk\nv\nk\n")
    #expect(tie.placements.first?.offset == 4)
  }

  @Test func insertionPastTheEnd() throws {
    let patch = "--- a/f\n+++ b/f\n@@ -9,0 +10 @@\n+new\n"
    let f = try #require(DiffParser.parse(patch, file: "p").0.files.first)
    #expect(try f.apply(to: (1...9).map { "\($0)\n" }.joined())?.hasSuffix("9\nnew\n") == true)
    do {
      _ = try f.apply(to: "1\n2\n")
      Issue.record("applied")
    } catch {
      guard case .hunkDoesNotApply(let m) = error.code else { return }
      #expect(m.expectedAt == 10 && m.expected == nil && m.found == nil)
      #expect(error.reason.contains("insertion point, line 10"))
    }
  }

  @Test func preciseFailure() throws {
    let text = Fixtures.text("several-files.diff")
    let diff = DiffParser.parse(text, file: "several-files.diff").0
    var tree = Fixtures.base
    // Damage the line the second hunk of patchsite.c removes.
    let path = "arch/demo/kernel/patchsite.c"
    tree[path] = tree[path]?.replacingOccurrences(
      of: "\treturn site_write(s, 0xd503201f, call);", with: "\treturn site_write(s, NOP, call);")
    do {
      _ = try diff.apply(to: tree)
      Issue.record("applied")
    } catch {
      #expect(error.id == "apply.hunk-failed")
      #expect(error.path == path)
      #expect(error.location == SourceLocation(file: "several-files.diff", line: 24))
      guard case .hunkDoesNotApply(let m) = error.code else {
        Issue.record("wrong code \(error.code)")
        return
      }
      #expect(m.hunkIndex == 1 && m.header.hasPrefix("@@ -32,7 +32,7 @@") && m.patchLine == 24)
      #expect(m.expectedAt == 32 && m.differsAt == 35)
      #expect(m.expected == "\treturn site_write(s, 0xd503201f, call);")
      #expect(m.found == "\treturn site_write(s, NOP, call);")
      #expect(error.description.contains("hunk #2"))
    }
  }

  @Test func failureAtEndOfFileAndNewline() throws {
    let f = try #require(Fixtures.parse("no-newline-both.diff").0.files.first)
    do {
      _ = try f.apply(to: "line one\nline two\nno newline here\n")
      Issue.record("applied")
    } catch {
      guard case .hunkDoesNotApply(let m) = error.code else { return }
      #expect(m.differsAt == 3 && m.expected == "no newline here" && !m.expectedHasNewline)
      #expect(m.found == "no newline here" && m.foundHasNewline)
    }
    do {
      _ = try f.apply(to: "line one\nline two\n")
      Issue.record("applied")
    } catch {
      guard case .hunkDoesNotApply(let m) = error.code else { return }
      #expect(m.differsAt == 3 && m.found == nil)
    }
  }

  @Test func kindsOfFilePatch() throws {
    let base = Fixtures.base
    func apply(_ name: String) throws -> [String: String] {
      try Fixtures.parse(name).0.apply(to: base)
    }
    let renamed = try apply("rename-100.diff")
    #expect(renamed["arch/demo/old-name.h"] == nil)
    #expect(renamed["arch/demo/new-name.h"] == base["arch/demo/old-name.h"])
    let moved = try apply("rename-with-changes.diff")
    #expect(moved["arch/demo/moved.h"] == nil)
    #expect(moved["arch/demo/include/moved.h"]?.contains("body C changed") == true)
    let copied = try apply("copy.diff")
    #expect(copied["arch/demo/moved.h"] == base["arch/demo/moved.h"])
    #expect(copied["arch/demo/copied.h"] == (base["arch/demo/moved.h"] ?? "") + "body f\n")
    #expect(try apply("mode-change.diff") == base)
    #expect(try apply("new-file.diff")["arch/demo/new.c"] == "brand new\nfile here\n")
    #expect(try apply("deleted-file.diff")["arch/demo/doomed.c"] == nil)
    #expect(
      try apply("no-newline-new.diff")["arch/demo/kernel/notes.txt"]
        == "first note\nsecond note\nthird note")
    #expect(try apply("crlf-content.diff")["crlf.txt"] == "alpha\r\nBETA\r\ngamma\r\n")
    let mail = try apply("format-patch-mail.txt")
    #expect(mail["arch/demo/mail.txt"] == "added by the mail\n")
  }

  @Test func refusals() throws {
    let base = Fixtures.base
    for name in ["binary-marker.diff", "git-binary-patch.diff"] {
      #expect {
        try Fixtures.parse(name).0.apply(to: base)
      } throws: { ($0 as? ApplyError)?.code == .binaryUnsupported }
    }
    let bad = try #require(Fixtures.parse("bad-hunk-header.diff").0.files.first)
    #expect {
      try bad.apply(to: base["arch/demo/kernel/notes.txt"])
    } throws: { ($0 as? ApplyError)?.code == .malformedPatch(line: 5) }
    let new = try #require(Fixtures.parse("new-file.diff").0.files.first)
    #expect { try new.apply(to: "already\n") } throws: { ($0 as? ApplyError)?.code == .fileExists }
    let edit = try #require(Fixtures.parse("plain-edit.diff").0.files.first)
    #expect { try edit.apply(to: nil) } throws: { ($0 as? ApplyError)?.code == .fileMissing }
    let del = try #require(Fixtures.parse("deleted-file.diff").0.files.first)
    #expect {
      try del.apply(to: "doomed line 1\ndoomed line 2\nsurvivor\n")
    } throws: { ($0 as? ApplyError)?.code == .deletedFileNotEmpty(remainingLines: 1) }
  }

  /// `git apply` is the oracle: on every fixture, ours and git's agree on whether the patch
  /// applies and on the resulting tree. Deliberate differences: binary patches (refused here),
  /// over-long hunks (git drops the lines past the count; we keep them and report the mismatch)
  /// and garbage between hunks (git stops reading the file patch there).
  @Test(arguments: Fixtures.names) func agreesWithGitApply(name: String) throws {
    guard let git = Tools.oracle("git") else { return }
    let text = Fixtures.text(name)
    let diff = DiffParser.parse(text, file: name).0
    let dir = try Tools.makeTemporaryDirectory("diff-apply")
    defer { Tools.removeTemporaryDirectory(dir) }
    try writeTree(Fixtures.base, to: dir)
    let blob = Fixtures.directory + "/base/arch/demo/blob.bin"
    try FileManager.default.copyItem(atPath: blob, toPath: dir + "/arch/demo/blob.bin")
    _ = try Tools.run(git, ["init", "-q", "."], cwd: dir)
    let out = try Tools.run(git, ["apply", "-"], stdin: Data(text.utf8), cwd: dir)
    let ours = Result { () throws(ApplyError) in try diff.apply(to: Fixtures.base) }
    switch (out.status == 0, ours) {
    case (true, .success(let tree)):
      var theirs = readTree(dir)
      theirs["arch/demo/blob.bin"] = nil
      if name == "hunk-count-mismatch-long.diff" {
        #expect(
          tree["arch/demo/kernel/notes.txt"]?.hasSuffix("fifth note, added by hand\n") == true)
      } else {
        #expect(tree.mapValues(bytes) == theirs.mapValues(bytes), "\(name)")
      }
    case (true, .failure(let e)):
      #expect(e.code == .binaryUnsupported, "\(name): \(e)")
    case (false, .success):
      // Damaged patches that we read to their real end (recounting) while git gives up.
      #expect(
        ["garbage.diff", "hunk-count-mismatch-short.diff"].contains(name),
        "\(name): git: \(out.stderr)")
    case (false, .failure):
      // Both refuse: damaged patches, a patch whose lines all gained a CR, a binary marker.
      #expect(
        !Fixtures.clean.contains(name) || ["crlf-patch.diff", "binary-marker.diff"].contains(name),
        "\(name)")
    }
  }
}

@Suite struct ApplyRobustnessTests {
  /// Mutated patches applied to mutated files: never a crash, only results or `ApplyError`s,
  /// and a far-away header line costs no time.
  @Test func mutatedPatchesNeverCrash() {
    let seed: UInt64 = 0xA991_0004
    var rng = SeededGenerator(seed: seed)
    let texts = Fixtures.names.map { bytes(Fixtures.text($0)) }
    let contents = Array(Fixtures.base.values).sorted()
    var applied = 0
    var refused = 0
    for _ in 0..<800 {
      var b = texts[Int.random(in: 0..<texts.count, using: &rng)]
      for _ in 0..<Int.random(in: 0...3, using: &rng) where !b.isEmpty {
        let i = Int.random(in: 0..<b.count, using: &rng)
        b[i] = [0x0A, 0x20, 0x2B, 0x2D, 0x30, 0x39, 0x40][Int.random(in: 0..<7, using: &rng)]
      }
      let diff = DiffParser.parse(bytes: b, file: "m").0
      for f in diff.files {
        let original = contents[Int.random(in: 0..<contents.count, using: &rng)]
        do {
          _ = try f.apply(to: Bool.random(using: &rng) ? original : nil)
          applied += 1
        } catch {
          refused += 1
          #expect(!error.description.isEmpty)
        }
      }
    }
    #expect(applied > 0 && refused > 0, "seed \(seed)")
  }

  @Test func farHeaderFailsFast() throws {
    let patch = "--- a/f\n+++ b/f\n@@ -999999990,2 +999999990,2 @@\n a\n-b\n+c\n a\n"
    let f = try #require(DiffParser.parse(patch, file: "p").0.files.first)
    let start = ContinuousClock.now
    #expect(throws: ApplyError.self) { try f.apply(to: "x\ny\n") }
    #expect(ContinuousClock.now - start < .seconds(1))
    // The same hunk with a far header but matching text elsewhere applies at an offset.
    let app = try f.applyReporting(to: "q\na\nb\na\n")
    #expect(app.content == "q\na\nc\na\n" && app.placements.first?.appliedLine == 2)
  }
}
