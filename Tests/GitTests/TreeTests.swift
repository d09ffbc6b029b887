import Foundation
import Git
import TestSupport
import Testing

@Suite struct TreeTests {
  @Test func treeOfARevisionMatchesGit() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    for rev in ["HEAD", "v1", "light", "topic", "HEAD~1", "HEAD^{tree}"] {
      #expect(try repo.tree(of: rev).description == history.scratch.revParse(rev + "^{tree}"))
    }
    #expect(throws: GitError.self) { _ = try repo.tree(of: "HEAD:README") }
  }

  @Test func blobsMatchGitCatFile() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    for rev in ["HEAD", "v1", "light", "topic"] {
      for path in try history.scratch.lines(["ls-tree", "-r", "--name-only", rev]) {
        let bytes = try #require(try repo.blob(at: path, in: rev), "\(rev):\(path)")
        let size = try history.scratch.git(["cat-file", "-s", "\(rev):\(path)"])
        #expect(String(bytes.count) + "\n" == size, "\(rev):\(path)")
        if !bytes.contains(0) {
          let text = try history.scratch.git(["cat-file", "blob", "\(rev):\(path)"])
          #expect(String(decoding: bytes, as: UTF8.self) == text, "\(rev):\(path)")
        }
      }
    }
    let binary = try #require(try repo.blob(at: "bin.dat", in: "v1"))
    #expect(binary == (0..<200).map { UInt8(truncatingIfNeeded: $0 * 7) } + [0, 0, 1])
  }

  @Test func missingPathsAreNilAndFoldersAreErrors() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    #expect(try repo.blob(at: "nothing.c", in: "HEAD") == nil)
    #expect(try repo.blob(at: "src/b.c", in: "HEAD") == nil)
    #expect(try repo.blob(at: "src/b.c", in: "v1") != nil)
    #expect(try repo.blob(at: "src/a.c/deeper", in: "HEAD") == nil)
    #expect(try repo.blob(at: "./src/a.c", in: "HEAD") == repo.blob(at: "src/a.c", in: "HEAD"))
    do {
      _ = try repo.blob(at: "src", in: "HEAD")
      Issue.record("a folder read as a blob")
    } catch {
      #expect(error.code == .wrongObjectType)
      #expect(error.path == "src")
    }
    #expect(throws: GitError.self) { _ = try repo.blob(at: "README", in: "nosuchrev") }
  }

  /// A build reads what a checkout holds: links are followed inside the tree, and a link
  /// that leaves it, is absolute or goes round is no file at all.
  @Test func filesFollowSymbolicLinksAsACheckoutDoes() throws {
    let scratch = try ScratchRepository()
    defer { scratch.remove() }
    try scratch.write("arch/arm64/Makefile.real", "KBUILD_CFLAGS += -mbranch-protection=none\n")
    try scratch.write("README", "read me\n")
    let links: [(String, String)] = [
      ("arch/arm64/Makefile", "Makefile.real"), ("arch/arm64/kernel/Makefile", "../Makefile"),
      ("arch/arm64/up", "../../README"), ("arch/arm64/out", "../../../etc/passwd"),
      ("arch/arm64/abs", "/etc/passwd"), ("arch/arm64/loop1", "loop2"),
      ("arch/arm64/loop2", "./loop1"),
    ]
    for (link, target) in links {
      let url = URL(fileURLWithPath: scratch.path).appendingPathComponent(link)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }
    let head = try scratch.commit("links")
    let repo = try Repository.open(path: scratch.path)
    let tree = try repo.tree(of: head)
    let real = try #require(try repo.file(at: "arch/arm64/Makefile.real", inTree: tree))
    #expect(try repo.file(at: "arch/arm64/Makefile", inTree: tree)?.id == real.id)
    #expect(try repo.file(at: "arch/arm64/kernel/Makefile", inTree: tree)?.path == real.path)
    #expect(try repo.file(at: "arch/arm64/up", inTree: tree)?.path == "README")
    for gone in ["arch/arm64/out", "arch/arm64/abs", "arch/arm64/loop1", "nothing"] {
      #expect(try repo.file(at: gone, inTree: tree) == nil, "\(gone)")
    }
    // git cat-file's view is unchanged: the link's own text.
    #expect(try repo.blob(at: "arch/arm64/Makefile", inTree: tree) == Array("Makefile.real".utf8))
    #expect(throws: GitError.self) { _ = try repo.file(at: "arch", inTree: tree) }
  }

  @Test func listFilesMatchesGitLsTree() throws {
    let history = try History.make()
    defer { history.remove() }
    let repo = try Repository.open(path: history.path)
    let prefixes: [String] = [
      "", "src", "src/", "docs", "lib/b.c", "README", "nothing", "src/a.c/x",
    ]
    for prefix in prefixes {
      for rev in ["HEAD", "v1"] {
        let expected = try history.scratch.lines(
          ["ls-tree", "-r", "--name-only", rev] + (prefix.isEmpty ? [] : ["--", prefix]))
        let actual = try repo.listFiles(in: rev, under: prefix)
        #expect(actual == expected, "\(rev) \(prefix)")
      }
    }
  }

}
