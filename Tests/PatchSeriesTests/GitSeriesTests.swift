import Foundation
import Git
import Mail
import PatchSeries
import TestSupport
import Testing

private let root = Tools.packageRoot()

/// A throw-away repository holding `Series/base` as its first commit (tagged `base`).
private struct BaseRepo {
  let dir: String

  init() throws {
    dir = try Tools.makeTemporaryDirectory("patchsite-git")
    _ = try Tools.run("/bin/cp", ["-R", root + "/Series/base/.", dir])
    try git("init", "-q")
    try git("add", "-A")
    try git("commit", "-qm", "base")
    try git("tag", "base")
  }

  func git(_ args: String...) throws {
    let out = try Tools.run(
      "git", ["-c", "user.name=T", "-c", "user.email=t@example.org"] + args, cwd: dir,
      environment: [
        "GIT_AUTHOR_DATE": "2024-01-02T03:04:05+0100",
        "GIT_COMMITTER_DATE": "2024-01-02T03:04:05+0100",
      ])
    if out.status != 0 { throw CLIFailure(text: out.stderr) }
  }

  func output(_ args: String...) throws -> String {
    try Tools.run("git", args, cwd: dir).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func write(_ path: String, _ text: String) throws {
    try text.write(toFile: dir + "/" + path, atomically: true, encoding: .utf8)
  }

  func remove() { Tools.removeTemporaryDirectory(dir) }
}

private struct CLIFailure: Error { var text: String }

@Test func aGitRangeIsOneVersion() throws {
  let repo = try BaseRepo()
  defer { repo.remove() }
  try repo.write("arch/arm64/Makefile", "CC_FLAGS_FTRACE := -fpatchable-function-entry=4,2\n")
  try repo.git(
    "commit", "-qam",
    "arm64: ftrace: four NOPs\n\nAcked-by: X <x@example.org>\nSigned-off-by: T <t@example.org>")
  try FileManager.default.createDirectory(
    atPath: repo.dir + "/kernel", withIntermediateDirectories: true)
  try repo.write("kernel/notes.txt", "hello\n")
  try repo.git("add", "-A")
  try repo.git("commit", "-qm", "notes")

  let r = try Repository.open(path: repo.dir)
  let set = try GitSeries.assemble(repository: r, range: "base..HEAD")
  #expect(set.versions.count == 1)
  let v = try #require(set.versions.first)
  #expect(v.origin == .git)
  #expect(v.patches.count == 2)
  let ids = try repo.output("rev-list", "--reverse", "base..HEAD").split(separator: "\n").map(
    String.init)
  #expect(v.patches.map { $0.commit ?? "" } == ids)
  #expect(v.baseCommit == (try repo.output("rev-parse", "base")))
  let p1 = v.patches[0]
  #expect(p1.message.subject == "arm64: ftrace: four NOPs")
  #expect(p1.message.date == "2024-01-02T03:04:05+01:00")
  #expect(p1.trailers.map(\.name) == ["Acked-by", "Signed-off-by"])
  #expect(p1.files.map(\.path) == ["arch/arm64/Makefile"])
  #expect(p1.files.first?.kind == .build)
  #expect(v.patches[1].files.first?.status == .added)
  #expect(
    p1.postImage?.contents(of: "arch/arm64/Makefile")
      == "CC_FLAGS_FTRACE := -fpatchable-function-entry=4,2\n")

  // Limited to a path, the second commit has no files left.
  let limited = try GitSeries.assemble(repository: r, range: "base..HEAD", paths: ["arch/arm64"])
  #expect(limited.versions.first?.patches.map(\.files.count) == [1, 0])
}

@Test func aMailSeriesAppliesToAGitBase() throws {
  let repo = try BaseRepo()
  defer { repo.remove() }
  let r = try Repository.open(path: repo.dir)
  let mail = try MailInput.load(path: root + "/Series/with-args/series.mbox")
  var set = SeriesAssembler.assemble(mail.messages)
  BaseApplier.apply(&set, base: try GitTree(repository: r, rev: "base"))
  #expect(set.versions.flatMap(\.patches).allSatisfy { $0.applies == true })
  let header = set.versions[1].patches[2].postImage?.contents(of: "arch/arm64/include/asm/ftrace.h")
  #expect(header?.contains("#define NR_FTRACE_PLTS\t\t1") == true)
}

/// `scripts/series-base-repo` makes the commit every example's `base-commit:` names, and each
/// example applies to it found that way, with no --base.
@Test func theExamplesNameTheCommitTheBaseScriptMakes() throws {
  let dir = try Tools.makeTemporaryDirectory("series-base")
  defer { Tools.removeTemporaryDirectory(dir) }
  let made = try Tools.run(root + "/scripts/series-base-repo", [dir + "/repo"])
  #expect(made.status == 0, "\(made.stderr)")
  let head = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  let r = try Repository.open(path: dir + "/repo")
  for example in ["with-args", "call-ops", "direct-calls", "literal-call"] {
    let mail = try MailInput.load(path: root + "/Series/\(example)/series.mbox")
    var set = SeriesAssembler.assemble(mail.messages)
    for v in set.versions {
      #expect(v.baseCommit == head, "\(example) v\(v.version)")
    }
    let base = try #require(set.versions.first?.baseCommit)
    BaseApplier.apply(&set, base: try GitTree(repository: r, rev: base))
    let patches = set.versions.flatMap(\.patches)
    #expect(!patches.isEmpty && patches.allSatisfy { $0.applies == true }, "\(example)")
  }
}
