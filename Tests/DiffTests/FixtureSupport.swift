import Diagnostics
import Diff
import Foundation
import TestSupport

/// Loads the hand-made fixtures in `Tests/DiffTests/Fixtures`.
enum Fixtures {
  static let directory = Tools.packageRoot() + "/Tests/DiffTests/Fixtures"

  /// Every fixture's file name (`*.diff`, `*.txt` at the top level).
  static let names: [String] = {
    let all = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return all.filter { $0.hasSuffix(".diff") || $0.hasSuffix(".txt") }.sorted()
  }()

  /// The fixture's text with `⟪n⟫` markers removed, and the markers' positions.
  static func load(_ name: String) -> (text: String, markers: [String: Markers.Position]) {
    let data = FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
    return Markers.extract(String(decoding: data, as: UTF8.self))
  }

  static func text(_ name: String) -> String { load(name).text }

  static func parse(_ name: String) -> (UnifiedDiff, [Diagnostic]) {
    DiffParser.parse(text(name), file: name)
  }

  /// The files the fixtures were made from, path → content.
  static let base: [String: String] = {
    let root = directory + "/base"
    var tree: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let rel = enumerator?.nextObject() as? String {
      if rel.hasSuffix(".bin") { continue }
      var isDir: ObjCBool = false
      let full = root + "/" + rel
      if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
        let data = FileManager.default.contents(atPath: full)
      {
        tree[rel] = String(decoding: data, as: UTF8.self)
      }
    }
    // Names with spaces and non-ASCII stay out of the checkout.
    tree["arch/demo/caf\u{e9} menu.txt"] = "x\n"
    tree["arch/demo/with space.txt"] = "y\n"
    return tree
  }()

  /// Fixtures that parse without any diagnostic.
  static let clean = [
    "bare-context.diff", "binary-marker.diff", "copy.diff", "crlf-content.diff", "crlf-patch.diff",
    "deleted-file.diff", "format-patch-mail.txt", "git-binary-patch.diff", "mode-change.diff",
    "new-file.diff", "no-counts.diff", "no-newline-both.diff", "no-newline-new.diff",
    "no-newline-old.diff", "plain-diff-u.diff", "plain-edit.diff", "quoted-paths.diff",
    "rename-100.diff", "rename-with-changes.diff", "several-files.diff",
    "signature-after-removal.txt",
  ]
}

/// Bytes, so that canonically equivalent but different strings do not compare equal.
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Writes `tree` under `dir`.
func writeTree(_ tree: [String: String], to dir: String) throws {
  for (path, content) in tree {
    let full = dir + "/" + path
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(content.utf8).write(to: URL(fileURLWithPath: full))
  }
}

/// Reads every regular file under `dir` (skipping `.git`).
func readTree(_ dir: String) -> [String: String] {
  var tree: [String: String] = [:]
  let enumerator = FileManager.default.enumerator(atPath: dir)
  while let rel = enumerator?.nextObject() as? String {
    if rel == ".git" || rel.hasPrefix(".git/") { continue }
    var isDir: ObjCBool = false
    let full = dir + "/" + rel
    if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
      let data = FileManager.default.contents(atPath: full)
    {
      tree[rel] = String(decoding: data, as: UTF8.self)
    }
  }
  return tree
}
