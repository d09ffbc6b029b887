import Foundation
import Git
import TestSupport
import Testing

/// Seeded random histories: every commit's diff must be byte-identical to git's, and applying
/// git's own patch in memory must rebuild the commit's tree.
@Suite struct RandomHistoryTests {
  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func randomEditsRenamesAndDeletesMatchGit(seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    let s = try ScratchRepository()
    defer { s.remove() }
    var files: [String: [String]] = [:]
    func word() -> String {
      ["alpha", "beta", "gamma", "delta", "ret", "x0", "{", "}", "nop", "bti c", "\t"]
        .randomElement(using: &rng) ?? "nop"
    }
    func line() -> String {
      (0..<Int.random(in: 1...5, using: &rng)).map { _ in word() }.joined(separator: " ")
    }
    func save(_ name: String) throws {
      let crlf = name.hasSuffix(".bat")
      try s.write(name, (files[name] ?? []).map { $0 + (crlf ? "\r\n" : "\n") }.joined())
    }
    for i in 0..<6 {
      let name = ["src/f\(i).c", "lib/g\(i).S", "doc/r\(i).bat"][i % 3]
      files[name] = (0..<Int.random(in: 5...40, using: &rng)).map { _ in line() }
      try save(name)
    }
    try s.commit("seed \(seed): root")
    for step in 0..<10 {
      let names = files.keys.sorted()
      for _ in 0..<Int.random(in: 1...3, using: &rng) {
        guard let name = names.randomElement(using: &rng), var lines = files[name] else { continue }
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<5:  // edit a few lines
          for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = Int.random(in: 0...lines.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: lines.insert(line(), at: at)
            case 1: if at < lines.count { lines.remove(at: at) }
            default: if at < lines.count { lines[at] = line() }
            }
          }
          files[name] = lines
          try save(name)
        case 5..<8:  // rename with a varying amount of editing
          let target = "moved/\(step)-" + (name.split(separator: "/").last.map(String.init) ?? "x")
          guard files[target] == nil else { continue }
          let edits = Int.random(in: 0...(lines.count / 2 + 1), using: &rng)
          for _ in 0..<edits where !lines.isEmpty {
            lines[Int.random(in: 0..<lines.count, using: &rng)] = line()
          }
          files[name] = nil
          try FileManager.default.removeItem(atPath: s.path + "/" + name)
          files[target] = lines
          try save(target)
        case 8:  // delete
          files[name] = nil
          try FileManager.default.removeItem(atPath: s.path + "/" + name)
        default:  // add a new file
          let added = "new/n\(step)-\(Int.random(in: 0..<100, using: &rng)).c"
          files[added] = (0..<Int.random(in: 1...20, using: &rng)).map { _ in line() }
          try save(added)
        }
      }
      try s.commit("seed \(seed): step \(step)", allowEmpty: true)
    }
    let repo = try Repository.open(path: s.path)
    let ids = try s.lines(["rev-list", "--reverse", "HEAD"])
    #expect(try repo.commits(in: "HEAD~10..HEAD").map(\.id.description) == Array(ids.dropFirst()))
    var similarities: [String] = []
    for id in ids {
      let commit = try repo.commit(try #require(ObjectID(hex: id)))
      let expected = try s.git(["diff-tree", "-p", "-M", "--root", "--no-commit-id", id])
      let actual = try repo.diff(of: commit)
      similarities += expected.split(separator: "\n").filter { $0.hasPrefix("similarity index") }
        .map(String.init)
      #expect(actual == expected, "seed \(seed), \(commit.summary)")
      guard let parent = commit.parents.first, !expected.isEmpty else { continue }
      let image = try repo.applyPatch(expected, to: parent.description)
      #expect(image.treeID == commit.treeID, "seed \(seed), \(commit.summary): apply")
    }
    // Every seed produces renames (52% to 95% similar); the test is worthless without them.
    #expect(!similarities.isEmpty, "seed \(seed)")
  }
}

/// Seeded random branch-and-merge graphs: `commits(in:)` must list exactly what
/// `git rev-list --reverse --topo-order` lists, in the same order.
@Suite struct RandomGraphTests {
  @Test(arguments: [11, 12, 13] as [UInt64])
  func rangeOrderMatchesGitOnRandomGraphs(seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    let s = try ScratchRepository()
    defer { s.remove() }
    try s.write("f", "root\n")
    try s.commit("root")
    var branches = ["main"]
    for step in 0..<30 {
      if let branch = branches.randomElement(using: &rng) {
        try s.git(["checkout", "-q", branch])
      }
      switch Int.random(in: 0..<8, using: &rng) {
      case 0:
        let name = "b\(step)"
        try s.git(["checkout", "-q", "-b", name])
        branches.append(name)
        try s.write("f\(step)", "\(step)\n")
        try s.commit("c\(step) on \(name)")
      case 1, 2:
        let current = try s.git(["rev-parse", "--abbrev-ref", "HEAD"])
          .trimmingCharacters(in: .whitespacesAndNewlines)
        if let other = branches.filter({ $0 != current }).randomElement(using: &rng) {
          // Fails harmlessly ("Already up to date") when `other` is already merged.
          _ = try? s.merge(other, message: "merge \(other) into \(current) at \(step)")
        }
      default:
        try s.write("f\(step)", "\(step)\n")
        try s.commit("c\(step)")
      }
    }
    let merges = try s.git(["rev-list", "--merges", "--count", "--all"])
    #expect((Int(merges.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 2, "seed \(seed)")
    let repo = try Repository.open(path: s.path)
    let ends = branches + ["main~2", "main~5"]
    for _ in 0..<6 {
      guard let a = ends.randomElement(using: &rng), let b = ends.randomElement(using: &rng)
      else { continue }
      for range in ["\(a)..\(b)", "\(a)...\(b)"] {
        guard let expected = try? s.lines(["rev-list", "--reverse", "--topo-order", range])
        else { continue }
        #expect(
          try repo.commits(in: range).map(\.id.description) == expected, "seed \(seed): \(range)")
        // The light walk gives the same commits in the same order, with their trees.
        let links = try repo.links(in: range)
        #expect(links.map(\.id.description) == expected, "seed \(seed): \(range) links")
        #expect(
          try links.map(\.treeID) == repo.commits(in: range).map(\.treeID), "seed \(seed)")
      }
    }
    // One revision: its whole history.
    let whole = try s.lines(["rev-list", "--reverse", "--topo-order", "main"])
    #expect(try repo.links(in: "main").map(\.id.description) == whole, "seed \(seed): main")
  }
}
