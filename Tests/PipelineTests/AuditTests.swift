import Analysis
import Foundation
import Git
import PatchSeries
import TestSupport
import Testing

@testable import Pipeline

/// `AuditPipeline` on a history built in the test: the teaching tree (WITH_REGS), unrelated
/// commits, a commit that drops the trampolines' landing pads and one that puts them back, then
/// the WITH_ARGS design. The introduced/fixed attribution and the era change are checked.
@Suite struct AuditTests {
  static let root = Tools.packageRoot()

  /// The files a version of an example series leaves in its post-image, over the base.
  static func postImage(_ example: String, version: Int) throws -> [String: String] {
    let set = try SeriesInputs(
      inputs: [root + "/Series/\(example)/series.mbox"], tree: root + "/Series/base"
    ).load()
    let v = try #require(set.versions.first { $0.version == version })
    let post = try #require(v.patches.last { $0.postImage != nil }?.postImage as? OverlayTree)
    var out: [String: String] = [:]
    for (path, text) in post.changes { if let text { out[path] = text } }
    return out
  }

  static func baseFiles() throws -> [String: String] {
    var out: [String: String] = [:]
    let base = root + "/Series/base"
    guard let walker = FileManager.default.enumerator(atPath: base) else { return out }
    for case let p as String in walker where p.hasPrefix("arch/") {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: base + "/" + p, isDirectory: &isDir),
        !isDir.boolValue
      {
        out[p] = try String(contentsOfFile: base + "/" + p, encoding: .utf8)
      }
    }
    return out
  }

  struct History {
    var repo: ScratchRepository
    var base: String
    var dropPads: String
    var restorePads: String
    var withArgs: String
    var unrelated: [String]
  }

  static func history() throws -> History {
    let repo = try ScratchRepository()
    let base = try baseFiles()
    for (p, t) in base { try repo.write(p, t) }
    try repo.write("README", "a kernel\n")
    let c0 = try repo.commit("base: the teaching tree")
    try repo.write("README", "a kernel, documented\n")
    let u1 = try repo.commit("docs: say what it is")
    let broken = try postImage("broken-no-landing-pad", version: 1)
    for (p, t) in broken { try repo.write(p, t) }
    let c2 = try repo.commit("arm64: ftrace: drop the landing pads")
    try repo.write("drivers/thing.c", "int thing;\n")
    let u3 = try repo.commit("drivers: add a thing")
    for p in broken.keys { try repo.write(p, try #require(base[p])) }
    let c4 = try repo.commit("arm64: ftrace: put the landing pads back")
    for (p, t) in try postImage("with-args", version: 2) { try repo.write(p, t) }
    let c5 = try repo.commit("arm64: ftrace: move to WITH_ARGS")
    return History(
      repo: repo, base: c0, dropPads: c2, restorePads: c4, withArgs: c5, unrelated: [u1, u3])
  }

  @Test func theTimelineAttributesWhatEachCommitBroughtAndFixed() throws {
    let h = try Self.history()
    defer { h.repo.remove() }
    let r = try AuditPipeline.audit(
      AuditRequest(repository: h.repo.path, range: "\(h.base)..HEAD", jobs: 2))
    #expect(r.walked == 5)
    #expect(r.commits.map(\.commit.id) == [h.dropPads, h.restorePads, h.withArgs])
    let drop = try #require(r.commits.first)
    let pad = drop.introduced.filter { $0.finding.check.id == "bti.landing-pad" }
    #expect(!pad.isEmpty && pad.allSatisfy { $0.finding.severity == .error })
    #expect(pad.allSatisfy { $0.introducedBy?.id == h.dropPads })
    let restore = r.commits[1]
    let fixed = restore.fixed.filter { $0.finding.check.id == "bti.landing-pad" }
    #expect(fixed.count == pad.count)
    #expect(fixed.allSatisfy { $0.introducedBy?.id == h.dropPads })
    #expect(restore.introduced.allSatisfy { $0.finding.severity != .error })
    // The era change shows in the signatures; nothing open at the tip is an error.
    let args = r.commits[2]
    #expect(args.layoutChanged)
    #expect(r.open.allSatisfy { $0.finding.severity != .error })
    #expect(r.rebuilt >= 3)
  }

  @Test func pathsNarrowTheCommitsAndOneJobGivesTheSameTimeline() throws {
    let h = try Self.history()
    defer { h.repo.remove() }
    let one = try AuditPipeline.audit(
      AuditRequest(
        repository: h.repo.path, range: "\(h.base)..HEAD",
        paths: ["arch/arm64/kernel/entry-ftrace.S"], jobs: 1))
    #expect(one.commits.map(\.commit.id) == [h.dropPads, h.restorePads, h.withArgs])
    let readme = try AuditPipeline.audit(
      AuditRequest(repository: h.repo.path, range: "\(h.base)..HEAD", paths: ["README"], jobs: 1))
    #expect(readme.commits.map(\.commit.id) == [h.unrelated[0]])
    let two = try AuditPipeline.audit(
      AuditRequest(repository: h.repo.path, range: "\(h.base)..HEAD", jobs: 2))
    let full = try AuditPipeline.audit(
      AuditRequest(repository: h.repo.path, range: "\(h.base)..HEAD", jobs: 1))
    #expect(Self.outline(two) == Self.outline(full))
  }

  /// What a timeline says, for comparing audits made with different numbers of jobs: workers
  /// that start during the walk must not change a word of it.
  static func outline(_ r: AuditReport) -> [String] {
    ["rebuilt \(r.rebuilt) reused \(r.reused) walked \(r.walked)"]
      + r.commits.map { c in
        "\(c.commit.id) +\(c.introduced.map(\.finding.fingerprint)) "
          + "-\(c.fixed.map(\.finding.fingerprint)) =\(c.carried) \(c.layoutChanged)"
      }
      + r.open.map { "open \($0.finding.fingerprint) \($0.introducedBy?.id.description ?? "base")" }
  }

  /// A side branch that drops the pads, merged: first parents see the merge bring the error;
  /// --all-parents sees the side commit bring it.
  @Test func mergesFollowFirstParentsUnlessAskedForAll() throws {
    let repo = try ScratchRepository()
    defer { repo.remove() }
    let base = try Self.baseFiles()
    for (p, t) in base { try repo.write(p, t) }
    let c0 = try repo.commit("base")
    try repo.git(["checkout", "-q", "-b", "side"])
    for (p, t) in try Self.postImage("broken-no-landing-pad", version: 1) { try repo.write(p, t) }
    let side = try repo.commit("arm64: ftrace: drop the landing pads")
    try repo.git(["checkout", "-q", "main"])
    try repo.write("README", "main line\n")
    try repo.commit("docs")
    let merge = try repo.merge("side", message: "Merge branch 'side'")
    let first = try AuditPipeline.audit(
      AuditRequest(repository: repo.path, range: "\(c0)..HEAD", jobs: 1))
    #expect(first.commits.map(\.commit.id) == [merge])
    #expect(
      first.commits.first?.introduced.contains { $0.finding.check.id == "bti.landing-pad" } == true)
    let all = try AuditPipeline.audit(
      AuditRequest(repository: repo.path, range: "\(c0)..HEAD", jobs: 1, allParents: true))
    let ids = all.commits.map(\.commit.id)
    #expect(ids.contains(side) && ids.contains(merge))
    let bySide = all.commits.first { $0.commit.id == side }
    #expect(bySide?.introduced.contains { $0.finding.check.id == "bti.landing-pad" } == true)
    // Early workers rebuild the side commit before the walk knows it is off the first-parent
    // line: it must not show, nor count.
    for jobs in [2, 3] {
      let early = try AuditPipeline.audit(
        AuditRequest(repository: repo.path, range: "\(c0)..HEAD", jobs: jobs))
      #expect(Self.outline(early) == Self.outline(first), "jobs \(jobs)")
      let earlyAll = try AuditPipeline.audit(
        AuditRequest(repository: repo.path, range: "\(c0)..HEAD", jobs: jobs, allParents: true))
      #expect(Self.outline(earlyAll) == Self.outline(all), "jobs \(jobs), all parents")
    }
  }

  @Test func aBadRangeIsAGitError() throws {
    let h = try Self.history()
    defer { h.repo.remove() }
    #expect(throws: (any Error).self) {
      try AuditPipeline.audit(AuditRequest(repository: h.repo.path, range: "nope..HEAD"))
    }
    // Workers started before the walk are let go when it fails (the test would hang).
    #expect(throws: (any Error).self) {
      try AuditPipeline.audit(
        AuditRequest(repository: h.repo.path, range: "HEAD..nope", jobs: 3))
    }
  }
}

/// The watch decides as `git log -- PATHS` does, from object IDs alone: exact files, folders
/// watched whole, prefixes (`insn*`) gaining, losing and renaming a match, and changes beside
/// the watched paths that do not count.
@Test func theWatchAgreesWithGitLogOnPaths() throws {
  let repo = try ScratchRepository()
  defer { repo.remove() }
  try repo.write("arch/arm64/Makefile", "A := 1\n")
  try repo.write("arch/arm64/kernel/insn.c", "int insn;\n")
  try repo.write("arch/arm64/kernel/other.c", "int other;\n")
  try repo.write("arch/arm64/boot/dts/x.dts", "/ {};\n")
  try repo.write("README", "r\n")
  let base = try repo.commit("base")
  let steps: [(String, () throws -> Void)] = [
    ("unwatched sibling", { try repo.write("arch/arm64/kernel/other.c", "int other2;\n") }),
    ("new prefix match", { try repo.write("arch/arm64/lib/insn-new.c", "int n;\n") }),
    ("device tree", { try repo.write("arch/arm64/boot/dts/x.dts", "/ { a; };\n") }),
    (
      "rename within the prefix",
      {
        try repo.git(["mv", "arch/arm64/kernel/insn.c", "arch/arm64/kernel/insn2.c"])
      }
    ),
    ("makefile", { try repo.write("arch/arm64/Makefile", "A := 2\n") }),
    ("folder watched whole", { try repo.write("arch/arm64/mm/deep/f.c", "int f;\n") }),
    ("readme", { try repo.write("README", "r2\n") }),
    ("delete a match", { try repo.git(["rm", "-q", "arch/arm64/kernel/insn2.c"]) }),
    ("prefix outside the folder", { try repo.write("arch/arm64/insn.c", "int top;\n") }),
  ]
  for (message, change) in steps {
    try change()
    try repo.commit(message)
  }
  let paths = [
    "arch/arm64/Makefile", "arch/arm64/kernel/insn*", "arch/arm64/lib/insn*", "arch/arm64/mm",
  ]
  let expected = try repo.lines(["log", "--format=%H", "\(base)..HEAD", "--"] + paths).reversed()
  let git = try Repository.open(path: repo.path)
  let signer = WatchSigner(Watch(paths: paths), git)
  let links = Repository.oldestFirst(try git.links(of: git.walk("\(base)..HEAD")))
  var found: [String] = []
  for l in links {
    let parent = try #require(l.parents.first)
    if try signer.signature(l.treeID) != signer.signature(git.commit(parent).treeID) {
      found.append(l.id.description)
    }
  }
  #expect(found == Array(expected))
  #expect(found.count == 5)
}
