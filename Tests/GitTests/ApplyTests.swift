import Foundation
import Git
import TestSupport
import Testing

@Suite struct ApplyTests {
  /// Every file below `.git/objects`, to prove nothing was written.
  static func objectFiles(_ history: History) -> [String] {
    let dir = history.path + "/.git/objects"
    return (FileManager.default.subpaths(atPath: dir) ?? []).sorted()
  }

  @Test func applyingEachCommitsMailRebuildsItsTreeAndMatchesGitApply() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let before = Self.objectFiles(history)
    let scratch = history.scratch.root + "/apply"
    try history.scratch.git(["clone", "-q", history.path, scratch])
    for id in try history.scratch.lines(["rev-list", "--no-merges", "--all"]) {
      let commit = try repo.commit(try #require(ObjectID(hex: id)))
      guard let parent = commit.parents.first else { continue }
      let mail = try history.scratch.git(["format-patch", "--stdout", "-1", id])
      let image = try repo.applyPatch(mail, to: parent.description)
      // The post-image is exactly the commit's tree (what `git apply --cached` + write-tree give).
      #expect(image.treeID == commit.treeID, "\(commit.summary)")
      #expect(image.baseTreeID == (try repo.commit(parent).treeID))
      // And `git apply` in a scratch clone gives the same files.
      try history.scratch.git(["checkout", "-q", "-f", parent.description], cwd: scratch)
      try history.scratch.git(["clean", "-q", "-fdx"], cwd: scratch)
      try history.scratch.git(["apply", "-"], cwd: scratch, stdin: mail)
      let changed = try history.scratch.lines([
        "diff-tree", "-r", "-M", "--name-only", "--no-commit-id", parent.description, id,
      ])
      for path in Set(changed + image.changedPaths) {
        let onDisk = FileManager.default.contents(atPath: scratch + "/" + path).map { [UInt8]($0) }
        #expect(image.contents(of: path) == onDisk, "\(commit.summary): \(path)")
      }
      #expect(Set(image.changedPaths).isSuperset(of: changed), "\(commit.summary)")
    }
    #expect(Self.objectFiles(history) == before, "applying wrote objects to disk")
  }

  @Test func aSeriesAppliesPatchAfterPatch() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let ids = try history.scratch.lines(["rev-list", "--reverse", "main~5..main~2"])
    #expect(ids.count == 3)
    var image = try repo.applyPatch(
      try history.scratch.git(["format-patch", "--stdout", "-1", ids[0]]), to: "main~5")
    for id in ids.dropFirst() {
      image = try repo.applyPatch(
        try history.scratch.git(["format-patch", "--stdout", "-1", id]), to: image)
    }
    #expect(image.treeID == (try repo.tree(of: "main~2")))
    #expect(try image.listFiles() == repo.listFiles(in: "main~2"))
    #expect(try image.listFiles(under: "lib") == ["lib/b.c"])
    // The last patch renamed nothing; its own diff is what git shows for that commit.
    let imageDiff = try image.diff()
    let commitDiff = try repo.diff(of: repo.revParseCommit("main~2"))
    #expect(imageDiff == commitDiff)
  }

  @Test func renamesReportBothNames() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let patch = try history.scratch.git(["diff", "-M", "v1", "light"])
    let image = try repo.applyPatch(patch, to: "v1")
    #expect(image.changedPaths == ["lib/b.c", "src/b.c"])
    #expect(image.contents(of: "src/b.c") == nil)
    #expect(image.contents(of: "lib/b.c") == (try repo.blob(at: "lib/b.c", in: "light")))
    #expect(image.treeID == (try repo.tree(of: "light")))
  }

  @Test func aHunkThatDoesNotApplyNamesTheFile() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    // A patch made for HEAD's src/a.c, applied to the root commit where the context differs.
    let patch = try history.scratch.git(["diff", "HEAD~1", "HEAD", "--", "src/a.c"])
    // git agrees that it does not apply.
    let check = try Tools.run(
      "git", ["apply", "--check", "--cached", "-"], stdin: Data(patch.utf8), cwd: history.path,
      environment: history.scratch.environment)
    #expect(check.status != 0)
    #expect(check.stderr.contains("src/a.c"))
    do {
      _ = try repo.applyPatch(patch, to: "main~5")
      Issue.record("a stale patch applied")
    } catch {
      #expect(error.code == .applyFailed)
      #expect(error.operation == "git_apply_to_tree")
      #expect(error.path == "src/a.c")
      #expect(error.description.contains("src/a.c"))
      #expect(error.inputError().id == "git.apply-failed")
      #expect(error.message.hasPrefix("hunk at line "))
    }
  }

  @Test func patchesForMissingOrExistingFilesFailWithTheFile() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    // Modifies src/zz.c, which does not exist.
    let modify = try history.scratch.git(["diff", "HEAD~1", "HEAD", "--", "src/a.c"])
      .replacingOccurrences(of: "src/a.c", with: "src/zz.c")
    let modifyResult = Result { () throws(GitError) in try repo.applyPatch(modify, to: "HEAD~1") }
    guard case .failure(let error) = modifyResult else {
      Issue.record("applied a patch to a missing file")
      return
    }
    #expect(error.description.contains("src/zz.c"), "\(error)")
    #expect(error.path == "src/zz.c")
    // Creates docs/more.txt, which already exists on topic.
    let create = try history.scratch.git(["diff", "topic~1", "topic", "--", "docs/more.txt"])
    let createResult = Result { () throws(GitError) in try repo.applyPatch(create, to: "topic") }
    guard case .failure(let error2) = createResult else {
      Issue.record("created a file that exists")
      return
    }
    #expect(error2.description.contains("docs/more.txt"), "\(error2)")
    #expect(error2.code == .applyFailed)
  }

  @Test func aDeletionOfDifferentContentFails() throws {
    let s = try ScratchRepository()
    defer { s.remove() }
    try s.write("f", "a\nb\nc\n")
    try s.commit("three lines")
    let repo = try Repository.open(path: s.path)
    let patch = """
      diff --git a/f b/f
      deleted file mode 100644
      index 422c2b7..0000000
      --- a/f
      +++ /dev/null
      @@ -1,2 +0,0 @@
      -a
      -b

      """
    let check = try Tools.run(
      "git", ["apply", "--check", "--cached", "-"], stdin: Data(patch.utf8), cwd: s.path,
      environment: s.environment)
    #expect(check.status != 0)
    let result = Result { () throws(GitError) in try repo.applyPatch(patch, to: "HEAD") }
    guard case .failure(let error) = result else {
      Issue.record("deleted a file whose content differs")
      return
    }
    #expect(error.path == "f")
    #expect(error.message == "removal patch leaves file contents")
  }

  @Test func emptyTextIsAnEmptyPatch() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let image = try repo.applyPatch("", to: "HEAD")
    #expect(image.treeID == (try repo.tree(of: "HEAD")))
    #expect(image.changedPaths.isEmpty)
  }

  @Test func textThatIsNotAPatchIsRejected() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let broken =
      "diff --git a/README b/README\nindex 1..2 100644\n--- a/README\n+++ b/README\n@@ -1,2 +1,2 @@ garbage\n-x\n"
    do {
      _ = try repo.applyPatch(broken, to: "HEAD")
      Issue.record("a broken patch applied")
    } catch {
      #expect(error.code == .invalidPatch, "\(error)")
      #expect(error.operation == "git_diff_from_buffer")
    }
    // Text without any diff (a cover letter) is not a patch either.
    do {
      _ = try repo.applyPatch("Subject: [PATCH 0/3] cover\n\nJust some words.\n", to: "HEAD")
      Issue.record("a cover letter applied")
    } catch {
      #expect(error.code == .invalidPatch)
      #expect(error.message == "no patch found")
    }
  }
}
