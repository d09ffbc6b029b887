import Diagnostics

/// A hunk line with the old- and new-file line numbers the hunk header gives it.
public struct NumberedLine: Hashable, Sendable {
  public let line: HunkLine
  /// The 1-based old-file line (nil for an added line).
  public let oldLine: Int?
  /// The 1-based new-file line (nil for a removed line).
  public let newLine: Int?
}

extension Hunk {
  /// The body with old/new line numbers counted from the header's starts, the way a reviewer
  /// reads `@@ -oldStart +newStart @@` (not where an offset application put it).
  public var numberedLines: [NumberedLine] {
    var old = oldLines == 0 ? oldStart + 1 : oldStart
    var new = newLines == 0 ? newStart + 1 : newStart
    var out: [NumberedLine] = []
    out.reserveCapacity(lines.count)
    for l in lines {
      switch l.kind {
      case .context:
        out.append(NumberedLine(line: l, oldLine: old, newLine: new))
        old += 1
        new += 1
      case .removed:
        out.append(NumberedLine(line: l, oldLine: old, newLine: nil))
        old += 1
      case .added:
        out.append(NumberedLine(line: l, oldLine: nil, newLine: new))
        new += 1
      }
    }
    return out
  }
}

extension FilePatch {
  /// The added line that becomes line `newLine` of the new file, if this patch added it.
  public func addedLine(atNewLine newLine: Int) -> HunkLine? {
    for h in hunks where h.newStart <= newLine {
      if let n = h.numberedLines.first(where: { $0.newLine == newLine && $0.line.kind == .added }) {
        return n.line
      }
    }
    return nil
  }

  /// Where in the patch (file and line) the new file's line `newLine` was added; nil if this
  /// patch did not add that line. A finding about the post-image can point back into the mail.
  public func location(ofNewLine newLine: Int) -> SourceLocation? {
    addedLine(atNewLine: newLine).map { SourceLocation(file: source, line: $0.line) }
  }
}
