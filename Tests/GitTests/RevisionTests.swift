import Foundation
import Git
import TestSupport
import Testing

@Suite struct RevisionTests {
  @Test func revParseMatchesGit() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let head = try history.scratch.revParse("HEAD")
    let specs = [
      "HEAD", "HEAD~1", "HEAD~1^2", "HEAD~2", "main", "topic", "v1", "v1^{commit}", "light",
      "v1~1", "HEAD^{tree}", "HEAD:src/a.c", "topic^", String(head.prefix(7)),
      String(head.prefix(12)),
    ]
    for spec in specs {
      #expect(try repo.revParse(spec).description == history.scratch.revParse(spec), "\(spec)")
    }
  }

  @Test func revParseCommitPeelsTags() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    // The annotated tag names a tag object; the commit is behind it.
    #expect(try repo.revParse("v1") != repo.revParseCommit("v1").id)
    #expect(try repo.revParseCommit("v1").id.description == history.scratch.revParse("v1^{commit}"))
    #expect(throws: GitError.self) { _ = try repo.revParseCommit("HEAD^{tree}") }
  }

  @Test func unknownRevisionsAreNotFound() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    for spec in ["nosuchbranch", "HEAD~40", "0123456789abcdef0123456789abcdef01234567"] {
      do {
        _ = try repo.revParse(spec)
        Issue.record("\(spec) resolved")
      } catch {
        #expect(error.code == .notFound, "\(spec): \(error)")
        #expect(error.operation == "git_revparse_single")
      }
    }
    #expect(throws: GitError.self) { _ = try repo.revParse("HEAD\0~1") }
  }

  @Test func anAmbiguousShortHashIsReportedAsAmbiguous() throws {
    let s = try ScratchRepository()
    defer { s.remove() }
    // 600 fixed blobs: among their ids some share a 4-digit prefix (libgit2's shortest).
    for i in 0..<600 { try s.write("blobs/\(i)", "blob \(i)\n") }
    try s.commit("many blobs")
    let ids = try s.lines(["ls-tree", "-r", "--format=%(objectname)", "HEAD"])
    var seen: [Substring: Int] = [:]
    for id in ids { seen[id.prefix(4), default: 0] += 1 }
    let prefix = try #require(seen.filter { $0.value > 1 }.keys.sorted().first)
    let git = try Tools.run(
      "git", ["rev-parse", String(prefix)], cwd: s.path, environment: s.environment)
    #expect(git.status != 0)
    let repo = try Repository.open(path: s.path)
    do {
      _ = try repo.revParse(String(prefix))
      Issue.record("\(prefix) resolved")
    } catch {
      #expect(error.code == .ambiguous, "\(error)")
      #expect(error.inputError().id == "git.ambiguous")
    }
    #expect(GitLibrary.libgit2Version.split(separator: ".").count == 3)
  }

  @Test func rangesMatchGitRevList() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let ranges: [String] = [
      "v1..main", "main~1..main", "light..topic", "topic..main", "main...topic", "light...topic",
      "topic...light", "v1..", "..topic", "HEAD~3..HEAD", "main..main",
    ]
    for range in ranges {
      let expected = try history.scratch.lines(["rev-list", "--reverse", "--topo-order", range])
      let actual = try repo.commits(in: range).map(\.id.description)
      #expect(actual == expected, "\(range)")
    }
  }

  @Test func symmetricRangesWithSeveralOrNoMergeBasesMatchGit() throws {
    let s = try ScratchRepository()
    defer { s.remove() }
    try s.write("f", "0\n")
    try s.commit("base")
    try s.git(["branch", "side"])
    try s.write("a", "a1\n")
    try s.commit("a1")
    try s.git(["checkout", "-q", "side"])
    try s.write("b", "b1\n")
    try s.commit("b1")
    // Criss-cross: each side merges the other's first commit, so A...B has two merge bases.
    try s.git(["tag", "b1"])
    try s.git(["checkout", "-q", "main"])
    try s.git(["tag", "a1"])
    try s.merge("b1", message: "merge b1 into main")
    try s.write("a", "a2\n")
    try s.commit("a2")
    try s.git(["checkout", "-q", "side"])
    try s.merge("a1", message: "merge a1 into side")
    try s.write("b", "b2\n")
    try s.commit("b2")
    try s.git(["checkout", "-q", "--orphan", "lonely"])
    try s.git(["rm", "-q", "-rf", "."])
    try s.write("z", "z\n")
    try s.commit("unrelated root")
    try s.commit("unrelated child", allowEmpty: true)
    #expect(try s.lines(["merge-base", "--all", "main", "side"]).count == 2)
    let repo = try Repository.open(path: s.path)
    for range in ["main...side", "side...main", "main..side", "main...lonely", "lonely..main"] {
      let expected = try s.lines(["rev-list", "--reverse", "--topo-order", range])
      let actual = try repo.commits(in: range).map(\.id.description)
      #expect(actual == expected, "\(range)")
    }
  }

  @Test func rangeOrderPutsParentsFirst() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let commits = try repo.commits(in: "main~5..main")
    #expect(
      commits.count
        == Int(try history.scratch.git(["rev-list", "--count", "main~5..main"]).dropLast()))
    var seen = Set<ObjectID>()
    let inRange = Set(commits.map(\.id))
    for c in commits {
      for p in c.parents where inRange.contains(p) { #expect(seen.contains(p)) }
      seen.insert(c.id)
    }
  }

  @Test func aSingleRevisionIsJustThatCommit() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    for spec in ["HEAD~1", "v1", "light", "topic"] {
      let commits = try repo.commits(in: spec)
      #expect(commits.map(\.id.description) == [try history.scratch.revParse(spec + "^{commit}")])
    }
    #expect(throws: GitError.self) { _ = try repo.commits(in: "HEAD^{tree}") }
    #expect(throws: GitError.self) { _ = try repo.commits(in: "nosuch..main") }
  }

  @Test func commitMetadataMatchesGitLog() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let format = ["%H", "%P", "%T", "%s", "%an", "%ae", "%at", "%aI", "%cn", "%ce", "%ct", "%cI"]
      .joined(separator: "%x00")
    for id in try history.scratch.lines(["rev-list", "--all"]) {
      let fields = try history.scratch.git(["log", "-1", "--format=" + format, id])
        .dropLast().split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
      try #require(fields.count == 12)
      let c = try repo.commit(try #require(ObjectID(hex: id)))
      #expect(c.id.description == fields[0])
      #expect(c.parents.map(\.description).joined(separator: " ") == fields[1])
      #expect(c.treeID.description == fields[2])
      #expect(c.summary == fields[3])
      #expect(c.author.name == fields[4])
      #expect(c.author.email == fields[5])
      #expect(String(c.author.time) == fields[6])
      #expect(c.author.iso8601 == fields[7])
      #expect(c.committer.name == fields[8])
      #expect(c.committer.email == fields[9])
      #expect(String(c.committer.time) == fields[10])
      #expect(c.committer.iso8601 == fields[11])
      let raw = try history.scratch.git(["log", "-1", "--format=%B", id])
      // %B adds one newline after the message.
      #expect(c.message + "\n" == raw, "\(c.summary)")
      #expect(
        c.body == (try history.scratch.git(["log", "-1", "--format=%b", id])).dropLast(),
        "\(c.summary)")
      #expect(c.isMerge == (c.parents.count == 2))
    }
    let c2 = try repo.revParseCommit("v1")
    #expect(c2.author.offsetMinutes == -330)
    #expect(c2.author.iso8601.hasSuffix("-05:30"))
    #expect(
      c2.author.rfc2822
        == (try history.scratch.git(["log", "-1", "--format=%aD", "v1"])).dropLast())
  }

  @Test func signatureDatesBeforeTheEpochAndAtDayEdges() {
    let s = Signature(name: "n", email: "e", time: -1, offsetMinutes: 0)
    #expect(s.iso8601 == "1969-12-31T23:59:59+00:00")
    #expect(s.rfc2822 == "Wed, 31 Dec 1969 23:59:59 +0000")
    let leap = Signature(name: "n", email: "e", time: 951_825_600, offsetMinutes: 780)
    #expect(leap.iso8601 == "2000-03-01T01:00:00+13:00")
    #expect(leap.rfc2822 == "Wed, 1 Mar 2000 01:00:00 +1300")
  }

  @Test func repositoryIsUsableFromConcurrentTasks() async throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let expected = try repo.commitDiffs(in: "HEAD~4..HEAD")
    try await withThrowingTaskGroup(of: [CommitDiff].self) { group in
      for _ in 0..<8 { group.addTask { try repo.commitDiffs(in: "HEAD~4..HEAD") } }
      for try await result in group { #expect(result == expected) }
    }
  }
}
