import Foundation
import TestSupport

@testable import KernelSource

/// Paths of the project's own files and of the shared corpus (test input only).
enum Paths {
  static let root = Tools.packageRoot()
  static let fixtures = root + "/Tests/KernelSourceTests/Fixtures"
  static let seriesBase = root + "/Series/base"

  /// `/work/shared/corpus` in the dev box, `../shared/corpus` beside a CI checkout.
  static let corpus: String? = {
    for candidate in [root + "/../shared/corpus", "/work/shared/corpus"]
    where FileManager.default.fileExists(atPath: candidate + "/kernel") {
      return candidate
    }
    return nil
  }()

  /// The 1-based line of `Series/base/<file>` whose text contains `needle` (0 when none does),
  /// so tests about the base tree do not pin its line numbers.
  static func baseLine(_ needle: String, in file: String) -> Int {
    let lines = (read(seriesBase + "/" + file) ?? "").split(
      separator: "\n", omittingEmptySubsequences: false)
    return (lines.firstIndex { $0.contains(needle) } ?? -1) + 1
  }

  static func read(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  /// A corpus kernel file, or nil with a printed reason (the test then skips its checks).
  static func corpusFile(_ era: String, _ path: String) -> String? {
    guard let corpus else {
      print("skipped: no shared corpus beside the checkout (../shared/corpus)")
      return nil
    }
    let text = read("\(corpus)/kernel/\(era)/\(path)")
    if text == nil { print("skipped: corpus file \(era)/\(path) is missing") }
    return text
  }
}

/// A tree over a folder on disk.
struct FolderTree: KernelTree {
  var root: String
  func contents(of path: String) -> String? { Paths.read(root + "/" + path) }
}
