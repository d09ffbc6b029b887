/// An independent unified-diff writer for tests: LCS edit script, hunks with `context` lines,
/// git's header conventions (`,1` omitted, `-0,0` for an empty side), `\ No newline` markers.
enum DiffMaker {
  struct Line: Equatable {
    var text: String
    var newline: Bool
  }

  static func lines(_ s: String) -> [Line] {
    var out: [Line] = []
    var current = ""
    for u in s.unicodeScalars {
      if u == "\n" {
        out.append(Line(text: current, newline: true))
        current = ""
      } else {
        current.unicodeScalars.append(u)
      }
    }
    if !current.isEmpty { out.append(Line(text: current, newline: false)) }
    return out
  }

  enum Op { case keep, remove, add }

  static func script(_ a: [Line], _ b: [Line]) -> [(Op, Line)] {
    let n = a.count
    let m = b.count
    var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
      for j in stride(from: m - 1, through: 0, by: -1) {
        lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
      }
    }
    var out: [(Op, Line)] = []
    var i = 0
    var j = 0
    while i < n || j < m {
      if i < n, j < m, a[i] == b[j] {
        out.append((.keep, a[i]))
        i += 1
        j += 1
      } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
        out.append((.remove, a[i]))
        i += 1
      } else {
        out.append((.add, b[j]))
        j += 1
      }
    }
    return out
  }

  /// The hunks (no file header) turning `old` into `new`; empty when they are equal.
  static func hunks(old: String, new: String, context: Int = 3) -> String {
    let ops = script(lines(old), lines(new))
    let changed = ops.indices.filter { ops[$0].0 != .keep }
    guard !changed.isEmpty else { return "" }
    // Group changes whose context overlaps.
    var groups: [(Int, Int)] = []
    for c in changed {
      let lo = max(0, c - context)
      let hi = min(ops.count - 1, c + context)
      if let last = groups.last, lo <= last.1 + 1 {
        groups[groups.count - 1].1 = hi
      } else {
        groups.append((lo, hi))
      }
    }
    var out = ""
    for (lo, hi) in groups {
      var oldStart = 0
      var newStart = 0
      for k in 0..<lo {
        if ops[k].0 != .add { oldStart += 1 }
        if ops[k].0 != .remove { newStart += 1 }
      }
      let body = ops[lo...hi]
      let oldCount = body.filter { $0.0 != .add }.count
      let newCount = body.filter { $0.0 != .remove }.count
      func range(_ start: Int, _ count: Int) -> String {
        let s = count == 0 ? start : start + 1
        return count == 1 ? "\(s)" : "\(s),\(count)"
      }
      out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
      for (op, line) in body {
        out += (op == .keep ? " " : op == .remove ? "-" : "+") + line.text + "\n"
        if !line.newline { out += "\\ No newline at end of file\n" }
      }
    }
    return out
  }

  /// A git-style patch of one file.
  static func patch(path: String, old: String?, new: String?, context: Int = 3) -> String {
    var out = "diff --git a/\(path) b/\(path)\n"
    if old == nil { out += "new file mode 100644\n" }
    if new == nil { out += "deleted file mode 100644\n" }
    let body = hunks(old: old ?? "", new: new ?? "", context: context)
    if body.isEmpty { return out }
    out += "--- " + (old == nil ? "/dev/null" : "a/\(path)") + "\n"
    out += "+++ " + (new == nil ? "/dev/null" : "b/\(path)") + "\n"
    return out + body
  }
}
