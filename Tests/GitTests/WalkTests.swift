import Foundation
import TestSupport
import Testing

@testable import Git

/// The single-read walk gives what libgit2's revwalk gives (and git rev-list), range by range,
/// on a history with branches, merges and equal dates.
@Suite struct WalkTests {
  static func history() throws -> (repo: ScratchRepository, tags: [String: String]) {
    let repo = try ScratchRepository()
    var tags: [String: String] = [:]
    try repo.write("f", "0\n")
    tags["root"] = try repo.commit("root")
    for i in 1...6 {
      try repo.write("f", "\(i)\n")
      try repo.commit("main \(i)")
    }
    tags["m6"] = try repo.revParse("HEAD")
    try repo.git(["checkout", "-q", "-b", "side", "HEAD~3"])
    for i in 1...4 {
      try repo.write("g", "\(i)\n")
      try repo.commit("side \(i)")
    }
    tags["side"] = try repo.revParse("HEAD")
    try repo.git(["checkout", "-q", "main"])
    tags["merge"] = try repo.merge("side", message: "Merge side")
    try repo.write("f", "after\n")
    tags["tip"] = try repo.commit("after the merge")
    return (repo, tags)
  }

  @Test func theWalkMatchesLibgit2AndRevList() throws {
    let (repo, t) = try Self.history()
    defer { repo.remove() }
    let git = try Repository.open(path: repo.path)
    let root = try #require(t["root"])
    let m6 = try #require(t["m6"])
    let side = try #require(t["side"])
    let merge = try #require(t["merge"])
    let tip = try #require(t["tip"])
    let ranges = [
      "\(root)..HEAD", "\(m6)..HEAD", "\(side)..HEAD", "\(m6)...\(side)", "HEAD",
      "\(merge)..\(tip)", "HEAD..\(root)", "\(side)..\(m6)",
    ]
    for range in ranges {
      let own = try git.walkLinks(range)
      let theirs = try git.links(of: git.walk(range))
      #expect(Set(own.map(\.id)) == Set(theirs.map(\.id)), "\(range)")
      #expect(
        Repository.oldestFirst(own).map(\.id) == Repository.oldestFirst(theirs).map(\.id),
        "\(range)")
      let revList = try repo.lines(["rev-list", range]).sorted()
      #expect(own.map(\.id.description).sorted() == revList, "\(range)")
    }
  }
}
