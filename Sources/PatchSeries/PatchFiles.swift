import Diff

/// Summaries of the files a diff changes, with every hunk classified.
public enum PatchFiles {
  /// One `FileChange` per file patch of `diff`, in order.
  public static func summaries(of diff: UnifiedDiff) -> [FileChange] {
    diff.files.map(summary)
  }

  /// The summary of one file patch.
  public static func summary(of file: FilePatch) -> FileChange {
    let path = file.path
    let kind = HunkKind.classify(path: path)
    let status: FileChange.Status
    if file.isBinary {
      status = .binary
    } else if file.isNew {
      status = .added
    } else if file.isDeleted {
      status = .deleted
    } else if file.isRename {
      status = .renamed
    } else if file.isCopy {
      status = .copied
    } else {
      status = .modified
    }
    let hunks = file.hunks.map {
      HunkSummary(
        oldStart: $0.oldStart, oldLines: $0.oldLines, newStart: $0.newStart,
        newLines: $0.newLines, kind: kind, line: $0.line)
    }
    let oldPath = (file.isRename || file.isCopy) ? file.oldPath : nil
    return FileChange(
      path: path, oldPath: oldPath, status: status, added: file.added, removed: file.removed,
      kind: kind, hunks: hunks)
  }
}

/// `[1, 2, 3, 5]` → `"1-3, 5"`: how a list of patch numbers is said in messages.
public func describeRanges(_ numbers: [Int]) -> String {
  let n = numbers.sorted()
  var parts: [String] = []
  var i = 0
  while i < n.count {
    var j = i
    while j + 1 < n.count, n[j + 1] == n[j] + 1 { j += 1 }
    parts.append(i == j ? "\(n[i])" : "\(n[i])-\(n[j])")
    i = j + 1
  }
  return parts.joined(separator: ", ")
}
