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
    guard let git = Tools.which("git") else { return }
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

  /// Each patch mail's file patches end at its signature, which lands in the trailer.
  @Test func signaturesLandInTheTrailer() {
    for m in Self.messages() {
      let (diff, _) = DiffParser.parse(m.body, file: m.mbox)
      guard !diff.files.isEmpty, m.body.contains("\n-- \n") else { continue }
      #expect(diff.trailer.contains { $0.text == "-- " }, "\(m)")
    }
  }
}
