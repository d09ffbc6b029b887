import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import Diff

/// The real mails in `/work/shared/corpus` (not part of the project; skipped when absent): every
/// body round-trips and parses without an error diagnostic.
@Suite struct CorpusTests {
  static let directory = "/work/shared/corpus"

  struct Message: Sendable, CustomStringConvertible {
    var mbox: String
    var index: Int
    var body: String
    var bodyLine: Int
    var description: String { "\(mbox)#\(index)" }
  }

  /// Splits an mbox naively on `From ` lines and cuts each message at its first blank line.
  static func messages() -> [Message] {
    let names =
      ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { $0.hasSuffix(".mbox") }.sorted()
    var out: [Message] = []
    for name in names {
      guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
        continue
      }
      let lines = String(decoding: data, as: UTF8.self).split(
        separator: "\n", omittingEmptySubsequences: false)
      var starts = lines.indices.filter { lines[$0].hasPrefix("From ") }
      starts.append(lines.count)
      for k in 0..<(starts.count - 1) {
        let msg = lines[starts[k]..<starts[k + 1]]
        guard let blank = msg.firstIndex(where: { $0.isEmpty }) else { continue }
        let body = msg[(blank + 1)...].joined(separator: "\n")
        out.append(Message(mbox: name, index: k, body: body, bodyLine: blank + 2))
      }
    }
    return out
  }

  @Test func everyBodyRoundTripsWithoutErrors() {
    let messages = Self.messages()
    var files = 0
    var hunks = 0
    var withPatches = 0
    for m in messages {
      let (diff, diagnostics) = DiffParser.parse(m.body, file: m.mbox, firstLine: m.bodyLine)
      #expect(bytes(diff.print()) == bytes(m.body), "\(m)")
      let errors = diagnostics.filter { $0.severity == .error }
      #expect(errors.isEmpty, "\(m): \(errors)")
      #expect(diff.files.allSatisfy { f in f.hunks.allSatisfy { $0.countsMatch } }, "\(m)")
      files += diff.files.count
      hunks += diff.files.reduce(0) { $0 + $1.hunks.count }
      if !diff.files.isEmpty { withPatches += 1 }
      for d in diagnostics { Swift.print("corpus diagnostic: \(d)") }
    }
    Swift.print(
      "corpus: \(messages.count) messages, \(withPatches) with patches, \(files) file patches, "
        + "\(hunks) hunks")
    if FileManager.default.fileExists(atPath: Self.directory) {
      #expect(messages.count > 0 && files > 0)
    }
  }

  /// `git apply --numstat` is the oracle: for every body it reads, it finds the same files with
  /// the same added/removed counts.
  @Test func numstatAgreesWithGit() throws {
    guard let git = Tools.oracle("git") else { return }
    let dir = try Tools.makeTemporaryDirectory("diff-numstat")
    defer { Tools.removeTemporaryDirectory(dir) }
    var compared = 0
    for m in Self.messages() {
      let (diff, _) = DiffParser.parse(m.body, file: m.mbox)
      let out = try Tools.run(git, ["apply", "--numstat", "-"], stdin: Data(m.body.utf8), cwd: dir)
      guard out.status == 0 else {
        #expect(diff.files.isEmpty, "\(m): git refused: \(out.stderr)")
        continue
      }
      let theirs = out.stdout.split(separator: "\n").map(String.init)
      let ours = diff.files.map { "\($0.added)\t\($0.removed)\t\($0.path)" }
      #expect(ours == theirs, "\(m)")
      compared += 1
    }
    Swift.print("corpus: numstat compared with git on \(compared) bodies")
  }

  /// Every corpus file patch applied to the same file of every corpus kernel tree that has it:
  /// ours and `git apply` agree on whether it applies and on the result.
  @Test func applyAgreesWithGitOnKernelTrees() throws {
    guard let git = Tools.oracle("git") else { return }
    let kernel = Self.directory + "/kernel"
    let trees = ((try? FileManager.default.contentsOfDirectory(atPath: kernel)) ?? []).sorted()
    let dir = try Tools.makeTemporaryDirectory("diff-kernel")
    defer { Tools.removeTemporaryDirectory(dir) }
    var pairs = 0
    var appliedBoth = 0
    var withOffset = 0
    for m in Self.messages() {
      let (diff, _) = DiffParser.parse(m.body, file: m.mbox)
      for f in diff.files where !f.isNew {
        guard let old = f.oldPath else { continue }
        for tree in trees {
          guard let data = FileManager.default.contents(atPath: "\(kernel)/\(tree)/\(old)") else {
            continue
          }
          let original = String(decoding: data, as: UTF8.self)
          let work = "\(dir)/\(pairs)"
          try writeTree([old: original], to: work)
          let single = f.print()
          let out = try Tools.run(git, ["apply", "-"], stdin: Data(single.utf8), cwd: work)
          let ours = Result { () throws(ApplyError) in try f.applyReporting(to: original) }
          switch (out.status == 0, ours) {
          case (true, .success(let app)):
            let theirs = f.isDeleted ? nil : readTree(work)[f.path]
            #expect(app.content.map(bytes) == theirs.map(bytes), "\(m) \(f.path) on \(tree)")
            appliedBoth += 1
            if app.placements.contains(where: { $0.offset != 0 }) { withOffset += 1 }
          case (false, .failure): break
          case (true, .failure(let e)):
            Issue.record("\(m) \(f.path) on \(tree): git applies, we do not: \(e)")
          case (false, .success):
            Issue.record("\(m) \(f.path) on \(tree): we apply, git does not: \(out.stderr)")
          }
          pairs += 1
        }
      }
    }
    Swift.print(
      "corpus: apply compared with git on \(pairs) (file patch, tree) pairs; both applied "
        + "\(appliedBoth), \(withOffset) of them at an offset")
  }

  /// Real kernel files at several versions: the diff from version A to B (written by
  /// `git diff --no-index`) applied to every version C of the file, by ours and by `git apply`.
  /// Both must agree on whether it applies, and on the result (offsets included).
  @Test func crossVersionApplyAgreesWithGit() throws {
    guard let git = Tools.oracle("git") else { return }
    let kernel = Self.directory + "/kernel"
    let trees = ((try? FileManager.default.contentsOfDirectory(atPath: kernel)) ?? []).sorted()
    var versions: [String: [String]] = [:]
    for tree in trees {
      for (path, content) in readTree("\(kernel)/\(tree)") {
        if !(versions[path]?.contains(content) ?? false) {
          versions[path, default: []].append(content)
        }
      }
    }
    let dir = try Tools.makeTemporaryDirectory("diff-versions")
    defer { Tools.removeTemporaryDirectory(dir) }
    var runs = 0
    var appliedBoth = 0
    var withOffset = 0
    var refusedBoth = 0
    for (path, contents) in versions.sorted(by: { $0.key < $1.key }) where contents.count > 1 {
      for a in contents.indices {
        for b in contents.indices where a != b {
          try writeTree(["x": contents[a], "y": contents[b]], to: dir)
          let d = try Tools.run(git, ["diff", "--no-index", "x", "y"], cwd: dir)
          let patch = d.stdout.replacingOccurrences(
            of: "diff --git a/x b/y\n", with: "diff --git a/f b/f\n"
          )
          .replacingOccurrences(of: "\n--- a/x\n", with: "\n--- a/f\n")
          .replacingOccurrences(of: "\n+++ b/y\n", with: "\n+++ b/f\n")
          let (diff, diagnostics) = DiffParser.parse(patch, file: path)
          #expect(diagnostics.isEmpty && bytes(diff.print()) == bytes(patch))
          guard let f = diff.files.first else { continue }
          #expect(f.path == "f")
          // Targets: every version, and version A moved about (lines added at the top, lines
          // dropped from the top, a block added in the middle) so hunks land at offsets.
          let lines = contents[a].split(separator: "\n", omittingEmptySubsequences: false)
          let mid = lines.count / 2
          let targets =
            contents + [
              "/* one */\n/* two */\n/* three */\n" + contents[a],
              lines.dropFirst(12).joined(separator: "\n"),
              (lines[..<mid] + ["", "/* inserted */", "static int inserted;"] + lines[mid...])
                .joined(separator: "\n"),
            ]
          for c in targets.indices {
            try writeTree(["f": targets[c]], to: dir)
            let out = try Tools.run(git, ["apply", "-"], stdin: Data(patch.utf8), cwd: dir)
            let ours = Result { () throws(ApplyError) in try f.applyReporting(to: targets[c]) }
            runs += 1
            switch (out.status == 0, ours) {
            case (true, .success(let app)):
              let theirs = readTree(dir)["f"]
              #expect(app.content.map(bytes) == theirs.map(bytes), "\(path) \(a)->\(b) on \(c)")
              appliedBoth += 1
              if app.placements.contains(where: { $0.offset != 0 }) { withOffset += 1 }
            case (false, .failure): refusedBoth += 1
            case (true, .failure(let e)):
              Issue.record("\(path) \(a)->\(b) on \(c): git applies, we do not: \(e)")
            case (false, .success):
              Issue.record("\(path) \(a)->\(b) on \(c): we apply, git does not: \(out.stderr)")
            }
          }
        }
      }
    }
    Swift.print(
      "corpus: cross-version apply compared with git in \(runs) runs: both applied "
        + "\(appliedBoth) (\(withOffset) at an offset), both refused \(refusedBoth)")
  }

  /// Each patch mail's file patches end at its signature, which lands in the trailer.
  @Test func signaturesLandInTheTrailer() {
    for m in Self.messages() {
      let (diff, _) = DiffParser.parse(m.body, file: m.mbox)
      guard !diff.files.isEmpty, m.body.contains("\n-- \n") else { continue }
      #expect(diff.trailer.contains { $0.text == "-- " }, "\(m)")
    }
  }
}
