import Foundation
import Git
import TestSupport
import Testing

@Suite struct DiffTests {
  /// `git diff-tree -p -M --root` for one commit (first parent for merges), without the id line.
  static func gitDiff(
    _ history: History, _ id: String, _ paths: [String] = [], extra: [String] = []
  )
    throws -> String
  {
    let parentArgs =
      try history.scratch.lines(["rev-list", "--parents", "-n1", id]).first?
      .split(separator: " ").dropFirst().first.map { [String($0)] } ?? []
    return try history.scratch.git(
      ["diff-tree", "-p", "-M", "--root", "--no-commit-id"] + extra + parentArgs + [id, "--"]
        + paths)
  }

  @Test func everyCommitsDiffMatchesGitDiffTree() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let ids = try history.scratch.lines(["rev-list", "--all"])
    #expect(ids.count == 8)
    for id in ids {
      let commit = try repo.commit(try #require(ObjectID(hex: id)))
      let expected = try Self.gitDiff(history, id)
      #expect(!expected.isEmpty)
      let ours = try repo.diff(of: commit)
      #expect(ours == expected, "\(commit.summary)")
      let full = try Self.gitDiff(history, id, extra: ["--full-index"])
      let oursFull = try repo.diff(of: commit, abbrev: 40)
      #expect(oursFull == full, "\(commit.summary) full index")
    }
  }

  @Test func theDiffsCoverRenamesModesBinariesAndMissingNewlines() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let rename = try repo.diff(of: repo.revParseCommit("light"))
    #expect(rename.contains("similarity index 93%\nrename from src/b.c\nrename to lib/b.c\n"))
    let assorted = try repo.diff(of: repo.revParseCommit("main~2"))
    #expect(assorted.contains("diff --git a/README b/README\nold mode 100644\nnew mode 100755\n"))
    #expect(
      assorted.contains("deleted file mode 100755\n")
        || assorted.contains("deleted file mode 100644\n"))
    #expect(assorted.contains("Binary files a/bin.dat and b/bin.dat differ\n"))
    #expect(assorted.contains("\\ No newline at end of file\n"))
    let root = try repo.diff(of: repo.revParseCommit("main~5"))
    #expect(root.contains("new file mode 100644\nindex 0000000.."))
  }

  @Test func pathspecsLimitTheDiffLikeGit() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let pathspecs: [[String]] = [
      ["src"], ["src/a.c"], ["docs/"], ["lib/b.c"], ["src/b.c"], ["*.c"], ["README", "bin.dat"],
      ["nothing/here"],
    ]
    for paths in pathspecs {
      for id in try history.scratch.lines(["rev-list", "--all"]) {
        let commit = try repo.commit(try #require(ObjectID(hex: id)))
        let expected = try Self.gitDiff(history, id, paths)
        let actual = try repo.diff(of: commit, paths: paths)
        #expect(actual == expected, "\(commit.summary) \(paths)")
      }
    }
  }

  @Test func commitDiffsWalkLikeGitLogWithPaths() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let walked = try repo.commitDiffs(in: "v1..main", paths: ["docs"])
    let expected = try history.scratch.lines([
      "log", "--reverse", "--topo-order", "--format=%H", "v1..main", "--", "docs",
    ])
    #expect(walked.map(\.commit.id.description) == expected)
    for item in walked {
      #expect(item.patch == (try Self.gitDiff(history, item.commit.id.description, ["docs"])))
    }
    // The merge is left out, as git leaves out a merge that matches one parent under `paths`.
    #expect(!walked.contains { $0.commit.isMerge })
    // Without paths every commit is kept, the merge included.
    let all = try repo.commitDiffs(in: "v1..main")
    #expect(all.count == 6)
  }

  @Test func formatPatchMatchesGitFormatPatchWithoutStat() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    var binaryCommits = 0
    for id in try history.scratch.lines(["rev-list", "--no-merges", "--all"]) {
      let commit = try repo.commit(try #require(ObjectID(hex: id)))
      let expected = try history.scratch.git([
        "format-patch", "--stdout", "-1", "--no-stat", "--signature=patchsite", id,
      ])
      let actual = try repo.formatPatch(of: commit, signature: "patchsite")
      if expected.contains("GIT binary patch") {
        // The zlib bytes differ; everything else must not, and the patch must rebuild the tree.
        binaryCommits += 1
        #expect(Self.dropBinaryData(actual) == Self.dropBinaryData(expected), "\(commit.summary)")
        if let parent = commit.parents.first {
          let image = try repo.applyPatch(actual, toTree: repo.commit(parent).treeID)
          #expect(image.treeID == commit.treeID, "\(commit.summary)")
        }
      } else {
        #expect(actual == expected, "\(commit.summary)")
      }
      #expect(actual.hasPrefix("From \(id) Mon Sep 17 00:00:00 2001\n"))
    }
    #expect(binaryCommits == 2)
    let merge = try repo.revParseCommit("HEAD~1")
    #expect(merge.isMerge)
    #expect(throws: GitError.self) { _ = try repo.formatPatch(of: merge) }
  }

  @Test(arguments: [
    "Short subject",
    "This is a very long subject line that goes on and on past the seventy-eight column limit of mail",
    "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwordthatcannotbreak and more words after it to wrap again and again and again",
    "arm64: ftrace: fix the patch-site\twith a tab and    many   spaces that should be kept as they are by git",
  ])
  func formatPatchFoldsSubjectsAndQuotesNamesLikeGit(subject: String) throws {
    let s = try ScratchRepository()
    defer { s.remove() }
    try s.write("f", "one\n")
    try s.commit(subject + "\n\nBody.\n", author: "Ada A. Author")
    try s.write("f", "one\ntwo\n")
    try s.commit(subject + "\n", author: "Plain Name")
    let repo = try Repository.open(path: s.path)
    for rev in ["HEAD", "HEAD~1"] {
      let expected = try s.git([
        "format-patch", "--stdout", "-1", "--no-stat", "--no-signature", rev,
      ])
      let actual = try repo.formatPatch(of: repo.revParseCommit(rev))
      #expect(actual == expected)
    }
  }

  /// The mail with the lines of `GIT binary patch` blocks other than their headers removed.
  static func dropBinaryData(_ mail: String) -> String {
    var out: [Substring] = []
    var inBinary = false
    for line in mail.split(separator: "\n", omittingEmptySubsequences: false) {
      if line == "GIT binary patch" { inBinary = true }
      if line.hasPrefix("diff --git ") || line == "-- " { inBinary = false }
      if inBinary && !(line.hasPrefix("literal ") || line.hasPrefix("delta "))
        && line != "GIT binary patch"
      {
        continue
      }
      out.append(line)
    }
    return out.joined(separator: "\n")
  }
}
