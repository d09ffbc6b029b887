import Foundation
import TestSupport
import Testing

@testable import Git

/// A walk over a repository with a commit-graph gives what reading each commit gives: from one
/// graph file, from a chain of layers, with commits the graph does not list yet, and with a
/// damaged file (which is not used).
@Suite struct CommitGraphTests {
  /// WalkTests' history, plus an octopus merge of three branches (parents past the second
  /// live in the graph's EDGE chunk).
  static func history() throws -> ScratchRepository {
    let (repo, _) = try WalkTests.history()
    let base = try repo.revParse("HEAD")
    for b in ["o1", "o2", "o3"] {
      try repo.git(["checkout", "-q", "-b", b, base])
      try repo.write("\(b).txt", "\(b)\n")
      try repo.commit("branch \(b)")
    }
    try repo.git(["checkout", "-q", "main"])
    let date = "@1900000000 +0000"
    try repo.git(
      [
        "-c", "user.name=Mia Merger", "-c", "user.email=mia@example.org", "merge", "-q",
        "--no-ff", "-m", "octopus", "o1", "o2", "o3",
      ], environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
    return repo
  }

  /// Every commit the graph lists reads as git has it, and every walk matches libgit2's.
  func expectSameAsObjects(_ repo: ScratchRepository, graphed: Int) throws {
    let git = try Repository.open(path: repo.path)
    let graph = CommitGraph.open(objects: repo.path + "/.git/objects")
    #expect((graph?.count ?? 0) == graphed)
    for id in try repo.lines(["-c", "core.commitGraph=false", "rev-list", "--all"]) {
      let oid = try #require(ObjectID(hex: id))
      guard let graph, let p = graph.position(of: oid) else { continue }
      let (link, time) = graph.commit(at: p)
      #expect(link == (try git.links(of: [oid])).first, "\(id)")
      #expect(
        String(time)
          == (try repo.git(["-c", "core.commitGraph=false", "log", "-1", "--format=%ct", id]))
          .trimmed, "\(id)")
    }
    // git itself stops at a damaged graph: it is asked without one.
    let root = try repo.git(["-c", "core.commitGraph=false", "rev-parse", "HEAD~3^{/main 1}"])
      .trimmed
    for range in ["HEAD", "\(root)..HEAD", "main~2..o2", "o1...o3"] {
      let own = try git.walkLinks(range)
      let theirs = try git.links(of: git.walk(range))
      #expect(
        Repository.oldestFirst(own).map(\.id) == Repository.oldestFirst(theirs).map(\.id),
        "\(range)")
    }
  }

  @Test func oneFileALayeredChainAndCommitsMadeAfter() throws {
    let repo = try Self.history()
    defer { repo.remove() }
    let all = try repo.lines(["rev-list", "--all"]).count
    try repo.git(["commit-graph", "write", "--reachable"])
    try expectSameAsObjects(repo, graphed: all)
    // A commit made after the graph: read from the objects, the rest from the graph.
    try repo.write("late", "late\n")
    try repo.commit("after the graph")
    try expectSameAsObjects(repo, graphed: all)
    // Split into layers: the new commit lands in a layer of its own over the first file.
    try repo.git(["commit-graph", "write", "--reachable", "--split=no-merge"])
    let chain = try String(
      contentsOfFile: repo.path + "/.git/objects/info/commit-graphs/commit-graph-chain",
      encoding: .utf8)
    #expect(chain.split(separator: "\n").count >= 2)
    try expectSameAsObjects(repo, graphed: all + 1)
  }

  @Test func aDamagedGraphIsNotUsed() throws {
    let repo = try Self.history()
    defer { repo.remove() }
    try repo.git(["commit-graph", "write", "--reachable"])
    let path = repo.path + "/.git/objects/info/commit-graph"
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    try FileManager.default.setAttributes(
      [.posixPermissions: 0o644], ofItemAtPath: path)
    // Cut short, then with a parent position past the end: neither is read.
    for damaged in [Array(bytes.prefix(bytes.count / 2)), Self.badParent(bytes)] {
      try Data(damaged).write(to: URL(fileURLWithPath: path))
      #expect(CommitGraph.open(objects: repo.path + "/.git/objects") == nil)
      try expectSameAsObjects(repo, graphed: 0)
    }
  }

  /// `graph` with its first commit's first parent set to a position no layer has.
  static func badParent(_ graph: [UInt8]) -> [UInt8] {
    var g = graph
    let chunks = Int(g[6])
    for k in 0..<chunks {
      let e = 8 + 12 * k
      guard g[e..<(e + 4)].elementsEqual(Array("CDAT".utf8)) else { continue }
      let offset = g[(e + 4)..<(e + 12)].reduce(0) { $0 << 8 | Int($1) }
      for (i, b) in [0x00, 0xff, 0xff, 0xf0].enumerated() { g[offset + 20 + i] = UInt8(b) }
    }
    return g
  }
}

extension String {
  fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
