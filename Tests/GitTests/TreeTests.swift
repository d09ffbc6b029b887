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
