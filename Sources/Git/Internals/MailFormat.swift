/// The text of `git format-patch` mails, written in Swift so the headers are git's (libgit2's
/// `git_email_create_from_commit` writes `-05-30` for a `-0530` zone).
enum MailFormat {
  /// The mail for `commit` with diff text `patch`, as `git format-patch --stdout --no-stat`.
  static func formatPatch(_ commit: Commit, patch: String, signature: String?) -> String {
    var out = "From \(commit.id) Mon Sep 17 00:00:00 2001\n"
    out += "From: \(quotedName(commit.author.name)) <\(commit.author.email)>\n"
    out += "Date: \(commit.author.rfc2822)\n"
    out += wrap(commit.summary, after: "Subject: [PATCH] ") + "\n"
    out += "\n"
    let body = commit.body
    if !body.isEmpty { out += body.hasSuffix("\n") ? body : body + "\n" }
    out += "\n"
    out += patch
    if let signature { out += "-- \n\(signature)\n\n" }
    return out
  }

  /// The name, in double quotes (with `"` and `\` escaped) when it holds a character that is
  /// special in RFC 5322 addresses, as git's `add_rfc822_quoted`.
  static func quotedName(_ name: String) -> String {
    let specials = Set("()<>[]:;@\\,.\"")
    guard name.contains(where: { specials.contains($0) }) else { return name }
    var out = "\""
    for c in name {
      if c == "\"" || c == "\\" { out.append("\\") }
      out.append(c)
    }
    return out + "\""
  }

  /// `prefix + text` folded at 78 columns with one-space continuation lines: git's
  /// `strbuf_add_wrapped_text(text, -len(prefix), 1, 78)` (in `utf8.c`), which `pp_email_subject`
  /// uses for the Subject header. Widths count Unicode scalars (git counts display columns).
  static func wrap(_ text: String, after prefix: String, width: Int = 78) -> String {
    let chars = Array(text.unicodeScalars)
    var out = prefix
    func isSpace(_ c: Unicode.Scalar) -> Bool {
      c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}"
    }
    var pos = 0
    var bol = 0
    var w = prefix.unicodeScalars.count
    var indent = -w
    // `space`: where the pending word's leading blank is (nil at a line start).
    var space: Int? = 0
    var progress = 0
    while progress <= chars.count * 4 + 8 {
      progress += 1
      let c: Unicode.Scalar? = pos < chars.count ? chars[pos] : nil
      if c == nil || isSpace(c ?? " ") {
        if w <= width || space == nil {
          var start = bol
          if c == nil && pos == start { return out }
          if let space {
            start = space
          } else {
            out += String(repeating: " ", count: max(indent, 0))
          }
          out.unicodeScalars.append(contentsOf: chars[start..<pos])
          guard let c else { return out }
          space = pos
          if c == "\t" {
            w |= 0x07
          } else if c == "\n" {
            // A newline inside a summary cannot happen (libgit2 folds them); end the line.
            out += "\n"
            pos += 1
            bol = pos
            space = nil
            w = 1
            indent = 1
            continue
          }
          w += 1
          pos += 1
        } else {
          out += "\n"
          let s = space ?? bol
          pos = s < chars.count && isSpace(chars[s]) ? s + 1 : s
          bol = pos
          space = nil
          w = 1
          indent = 1
        }
        continue
      }
      w += 1
      pos += 1
    }
    return out
  }
}
