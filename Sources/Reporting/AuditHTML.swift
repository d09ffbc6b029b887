import Analysis
import Diagnostics
import Foundation
import Pipeline

/// `patchsite audit --html`: the timeline as one self-contained page (inline style, no script,
/// nothing fetched), a row per commit: when the callsite changed, a drawing of each state's
/// words around the function symbol (pre-entry words, the symbol, the words ftrace writes,
/// coloured by kind); the findings introduced and fixed with their evidence. Prints on paper.
public enum AuditHTML {
  public static func render(_ r: AuditReport) -> String {
    var out = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>Patchsite audit of \(escape(r.range))</title>
      <style>
      \(style)
      </style>
      </head>
      <body>
      <h1>Patchsite audit of <code>\(escape(r.range))</code></h1>
      <p class="meta">\(r.walked) commits walked, \(r.commits.count) touch the callsite; \(r.rebuilt) \
      trees rebuilt, \(r.reused) kept from an identical one. Watched: \
      \(r.paths.map { "<code>\(escape($0))</code>" }.joined(separator: ", ")).</p>
      <p class="legend"><span class="w pre">pre-entry</span> <span class="sym">symbol</span> \
      <span class="w">word</span> <span class="w patched">written by ftrace</span> \
      <span class="w literal">literal</span> <span class="w padding">padding</span></p>
      <table class="timeline">
      <thead><tr><th>commit</th><th>callsite</th><th>findings</th></tr></thead>
      <tbody>

      """
    for c in r.commits { out += row(c) }
    out += "</tbody>\n</table>\n<h2>Open at the tip</h2>\n"
    if r.open.isEmpty {
      out += "<p>Nothing.</p>\n"
    } else {
      out += "<ul class=\"findings\">\n"
      for a in r.open {
        out += "<li>" + finding(a, verb: "") + " <span class=\"origin\">introduced by "
        out += (a.introducedBy.map { "<code>\($0.short)</code>" } ?? "the base") + "</span></li>\n"
      }
      out += "</ul>\n"
    }
    out += "</body>\n</html>\n"
    return out
  }

  static func row(_ c: AuditCommit) -> String {
    var out = "<tr id=\"c\(c.commit.short)\">\n<td class=\"commit\"><code>\(c.commit.short)</code>"
    out += "<br><span class=\"date\">\(escape(String(c.commit.date.prefix(10))))</span>"
    out += "<br>\(escape(c.commit.subject))</td>\n<td class=\"callsite\">"
    if c.layoutChanged, let cfg = c.shown, !cfg.states.isEmpty {
      out += "<div class=\"config\">\(escape(cfg.name))</div>\n"
      for s in cfg.states { out += drawing(s) }
    } else if c.configurations.allSatisfy({ $0.states.isEmpty }) {
      out += "<span class=\"none\">not modelled</span>"
    } else {
      out += "<span class=\"none\">unchanged</span>"
    }
    out += "</td>\n<td>"
    if !c.introduced.isEmpty || !c.fixed.isEmpty {
      out += "<ul class=\"findings\">\n"
      for a in c.introduced { out += "<li>" + finding(a, verb: "introduced") + "</li>\n" }
      for a in c.fixed {
        out += "<li class=\"fixed\">" + finding(a, verb: "fixed")
        out += " <span class=\"origin\">(since "
        out += (a.introducedBy.map { "<code>\($0.short)</code>" } ?? "the base") + ")</span></li>\n"
      }
      out += "</ul>\n"
    }
    if c.carried > 0 { out += "<p class=\"carried\">\(c.carried) carried</p>\n" }
    for p in c.problems { out += "<p class=\"problem\">\(escape(p.message))</p>\n" }
    out += "</td>\n</tr>\n"
    return out
  }

  /// One state: its words in a row, the function symbol marked between the pre-entry words and
  /// the rest.
  static func drawing(_ s: AuditState) -> String {
    var out = "<div class=\"state\"><span class=\"name\">\(escape(s.name))</span>"
    var symbolShown = false
    for w in s.words {
      if !symbolShown && w.offset >= 0 {
        out += "<span class=\"sym\">f:</span>"
        symbolShown = true
      }
      var cls = ["w"]
      if w.offset < 0 { cls.append("pre") }
      if w.kind != "insn" { cls.append(w.kind) }
      if w.patched { cls.append("patched") }
      let title = "func\(w.offset >= 0 ? "+" : "")\(w.offset)"
      out += "<span class=\"\(cls.joined(separator: " "))\" title=\"\(title)\">"
      out += escape(short(w.text)) + "</span>"
    }
    if !symbolShown { out += "<span class=\"sym\">f:</span>" }
    return out + "</div>\n"
  }

  /// A word's text without the address in front of a named target.
  static func short(_ text: String) -> String {
    guard let open = text.firstIndex(of: "<") else { return text }
    let head = text[..<open].split(separator: " ").filter {
      !($0.count >= 8 && $0.allSatisfy(\.isHexDigit))
    }
    let name: String = text[open...].trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
    let words: [String] = head.map { String($0) } + [name]
    return words.joined(separator: " ")
  }

  static func finding(_ a: AuditFinding, verb: String) -> String {
    let f = a.finding
    var out = "<details><summary><span class=\"sev \(f.severity.rawValue)\">"
    out += "\(f.severity.rawValue)</span> <code>\(f.check.id)</code> "
    out += "<span class=\"cfg\">[\(escape(a.configuration))]</span> "
    out += (verb.isEmpty ? "" : "<em>\(verb)</em>: ") + escape(f.message) + "</summary>\n"
    if !f.explanation.isEmpty { out += "<p>\(escape(f.explanation))</p>\n" }
    for b in f.evidence.blocks where !b.lines.isEmpty {
      out += "<pre>\(escape(b.heading))\n"
      for l in b.lines { out += "  " + escape(ReviewRendering.evidenceLine(l)) + "\n" }
      out += "</pre>\n"
    }
    if !f.assumptions.isEmpty {
      out += "<ul class=\"assumed\">"
      for s in f.assumptions { out += "<li>assumed: \(escape(s))</li>" }
      out += "</ul>\n"
    }
    return out + "</details>"
  }

  static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for ch in s {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(ch)
      }
    }
    return out
  }

  static let style = """
    body { font-family: sans-serif; margin: 1.5em; color: #222; background: #fff; }
    code, pre, .w { font-family: monospace; }
    .meta, .legend { font-size: 0.9em; }
    table.timeline { border-collapse: collapse; width: 100%; }
    table.timeline th, table.timeline td { border: 1px solid #ccc; padding: 0.4em;
      vertical-align: top; text-align: left; }
    td.commit { width: 16em; }
    .date { color: #666; font-size: 0.85em; }
    .state { margin: 0.15em 0; white-space: nowrap; }
    .state .name { display: inline-block; width: 7em; color: #555; font-size: 0.85em; }
    .w { display: inline-block; border: 1px solid #888; padding: 0 0.3em; margin-right: 2px;
      font-size: 0.8em; background: #f4f4f4; }
    .w.pre { border-style: dashed; }
    .w.literal { background: #e8dcf5; }
    .w.padding { background: #eee; color: #999; }
    .w.patched { background: #ffe3b3; border-color: #c77700; }
    .w.literal.patched { background: #f5c6e8; }
    .sym { font-weight: bold; margin: 0 0.3em; color: #035; }
    .config { font-size: 0.8em; color: #555; margin-bottom: 0.2em; }
    .none { color: #888; }
    ul.findings { margin: 0; padding-left: 1.2em; }
    .sev { font-weight: bold; text-transform: uppercase; font-size: 0.8em; }
    .sev.error { color: #b00; }
    .sev.warning { color: #a60; }
    .sev.note { color: #357; }
    li.fixed summary { text-decoration: line-through; color: #555; }
    .origin, .carried, .cfg { color: #666; font-size: 0.85em; }
    .problem { color: #a00; font-size: 0.85em; }
    pre { background: #f8f8f8; border: 1px solid #ddd; padding: 0.4em; overflow-x: auto;
      font-size: 0.8em; }
    @media print {
      details { display: block; }
      details > * { display: block; }
      pre { white-space: pre-wrap; }
      .state { white-space: normal; }
    }
    """
}
