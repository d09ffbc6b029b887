import Analysis
import Diagnostics
import Foundation
import Mail

/// Reply drafts in the layout `b4 review` reads from an agent
/// (`.git/b4-review/<HEAD-sha>/`, b4's `misc/agent-reviewer.md`):
///
/// - `identity.txt`: one line, `Name <email>`, the reviewer of every file;
/// - `series.txt`: the note on the cover letter: a summary line, a blank line, the body;
/// - `NNNN.txt` (1-based, four digits) for patch N: the note (summary line, blank line,
///   body) before the first `diff --git`, then the patch's whole diff with every line
///   quoted `> `, and the comments, unquoted, after the lines they are about, between blank
///   lines. b4 wants no diff line left out.
///
/// `<HEAD-sha>` is the tip of the `b4/review/…` branch b4 checked out; b4 takes the folder in
/// when it next saves its tracking commit (which changes HEAD).
public enum B4ReviewFiles {
  /// The files for `replies`, by name (`identity.txt`, `series.txt`, `0007.txt`).
  public static func files(_ replies: [ReplyMessage], reviewer: Mailbox) -> [(String, String)] {
    var out: [(String, String)] = [("identity.txt", MailHeaderWriter.mailbox(reviewer) + "\n")]
    for r in replies {
      let plan = r.plan
      if let p = plan.patch {
        out.append((String(format: "%04d.txt", p.index), patchFile(r)))
      } else if plan.label?.contains(" 0/") == true {
        out.append(("series.txt", note(r) + "\n"))
      }
    }
    return out
  }

  /// Writes the files into `<repo>/.git/b4-review/<sha>/` (`gitDirectory` is the repository's
  /// `.git`).
  public static func write(
    _ files: [(String, String)], gitDirectory: String, head: String
  ) throws(InputError) -> String {
    let dir = gitDirectory + "/b4-review/" + head
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for (name, text) in files {
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
      }
    } catch {
      throw InputError(
        "output.cannot-write", at: SourceLocation(file: dir),
        "cannot write b4 review files: \(error.localizedDescription)")
    }
    return dir
  }

  /// The summary line and the body of a reply's note: what was found, then the comments
  /// tied to no line of the diff.
  static func note(_ r: ReplyMessage) -> String {
    let fs = r.plan.findings
    var checks: [String] = []
    for f in fs where !checks.contains(f.check.id) { checks.append(f.check.id) }
    let e = fs.filter { $0.severity == .error }.count
    let w = fs.filter { $0.severity == .warning }.count
    var summary: String
    if fs.isEmpty {
      summary = "No problem found in the ftrace callsite this patch leads to"
    } else {
      var counts: [String] = []
      if e > 0 { counts.append("\(e) error\(e == 1 ? "" : "s")") }
      if w > 0 { counts.append("\(w) warning\(w == 1 ? "" : "s")") }
      if counts.isEmpty { counts.append("\(fs.count) note\(fs.count == 1 ? "" : "s")") }
      summary =
        counts.joined(separator: ", ") + " in the ftrace callsite: "
        + checks.joined(separator: ", ")
    }
    var body: [String] = []
    for f in r.plan.general {
      let c = ReplyComposer.comment(f, shared: [])
      if !body.isEmpty { body.append("") }
      for (k, p) in c.paragraphs.enumerated() {
        if k > 0 { body.append("") }
        body += p.lines
      }
    }
    return summary + (body.isEmpty ? "" : "\n\n" + body.joined(separator: "\n"))
  }

  /// A patch's file: the note, then the whole diff quoted, comments after their lines.
  static func patchFile(_ r: ReplyMessage) -> String {
    let plan = r.plan
    var out = note(r) + "\n\n"
    guard let start = plan.body.firstIndex(where: { $0.hasPrefix("diff --git ") }) else {
      return out
    }
    // The diff ends at the signature (`-- `) or at the end of the body.
    let end = plan.body[start...].firstIndex(of: "-- ") ?? plan.body.count
    var comments: [Int: [Finding]] = [:]
    for a in plan.anchored { comments[a.line, default: []] += a.findings }
    for i in start..<end {
      out += (plan.body[i].isEmpty ? ">" : "> " + plan.body[i]) + "\n"
      for f in comments[i] ?? [] {
        let c = ReplyComposer.comment(f, shared: [])
        out += "\n"
        for (k, p) in c.paragraphs.enumerated() {
          if k > 0 { out += "\n" }
          out += p.lines.joined(separator: "\n") + "\n"
        }
        out += "\n"
      }
    }
    return out
  }
}
