import Foundation

/// Golden-file comparison, after swift-argument-parser's `assertSnapshot`.
///
/// The snapshot lives in `Snapshots/<name>.<ext>` beside the test file. A missing file, or
/// `RECORD_SNAPSHOTS=1` in the environment, records the actual text and reports a failure on
/// purpose, so a recorded snapshot is always reviewed before it passes.
public enum Snapshot {
  /// Compares `actual` with the stored snapshot.
  /// - Returns: nil when equal, otherwise a message with a line diff.
  public static func check(
    _ actual: String, named name: String, extension ext: String,
    testFile: String = #filePath
  ) -> String? {
    let dir = URL(fileURLWithPath: testFile).deletingLastPathComponent()
      .appendingPathComponent("Snapshots")
    let url = dir.appendingPathComponent("\(name).\(ext)")
    let actual = normalize(actual)
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    guard !record, let data = try? Data(contentsOf: url),
      let expected = String(data: data, encoding: .utf8)
    else {
      try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      try? Data(actual.utf8).write(to: url)
      return "recorded snapshot \(url.path); check it and run again"
    }
    let exp = normalize(expected)
    if exp == actual { return nil }
    return "snapshot \(url.lastPathComponent) differs:\n" + lineDiff(expected: exp, actual: actual)
  }

  static func normalize(_ s: String) -> String {
    s.replacingOccurrences(of: "\r\n", with: "\n")
  }

  /// A short line diff: the first differing lines with their numbers.
  public static func lineDiff(expected: String, actual: String, limit: Int = 20) -> String {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    for i in 0..<max(e.count, a.count) where out.count < limit {
      let el = i < e.count ? String(e[i]) : nil
      let al = i < a.count ? String(a[i]) : nil
      if el != al {
        out.append("line \(i + 1):")
        if let el { out.append("- \(el)") }
        if let al { out.append("+ \(al)") }
      }
    }
    return out.joined(separator: "\n")
  }
}
