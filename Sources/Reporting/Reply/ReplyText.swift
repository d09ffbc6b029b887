import Analysis

/// The prose of a reply: paragraphs wrapped at 72 columns, evidence as a short indented
/// block, and a finding said as a reviewer would say it (a question where it rests on
/// assumptions).
enum ReplyText {
  static let width = 72

  /// Wraps `text` at `width` columns: words go on a line while they fit; a word longer than a
  /// line is cut. The first line starts with `first`, the others with `rest`.
  static func wrap(_ text: String, first: String = "", rest: String = "", width: Int = width)
    -> [String]
  {
    var out: [String] = []
    var line = first
    var empty = true
    for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
      var w = Substring(word)
      if !empty {
        if line.count + 1 + w.count <= width {
          line += " " + w
          continue
        }
        out.append(line)
        line = rest
      }
      // A word longer than a whole line is cut.
      while line.count + w.count > width, width - line.count > 0 {
        let room = width - line.count
        out.append(line + w.prefix(room))
        line = rest
        w = w.dropFirst(room)
      }
      line += w
      empty = false
    }
    if !empty { out.append(line) }
    return out
  }

  /// The finding's message as the first sentence of a comment: `state far: X` becomes
  /// `In state far, X.`, with a capital and a full stop.
  static func sentence(_ message: String) -> String {
    var s = message
    if s.hasPrefix("state "), let colon = s.firstIndex(of: ":") {
      let state = s[s.index(s.startIndex, offsetBy: 6)..<colon]
      if !state.contains(" ") {
        s = "In state \(state)," + s[s.index(after: colon)...]
      }
    }
    if let f = s.first, f.isLowercase { s = f.uppercased() + s.dropFirst() }
    if let l = s.last, !".?!".contains(l) { s += "." }
    return s
  }

  /// The lines of evidence a reply keeps: all of a short block; the first line and the last
  /// four of a long one, with `[...]` for the cut.
  static func evidence(_ b: Evidence.Block) -> [String] {
    var lines = b.lines.map { l -> (lead: String, text: String, note: String) in
      var lead = ""
      if let a = l.address { lead += Words.hex(a) + "  " }
      if let w = l.word { lead += Words.hex(UInt64(w), digits: 8) + "  " }
      return (lead, l.text, l.note)
    }
    var cut = false
    if lines.count > 6 {
      lines = [lines[0]] + lines.suffix(4)
      cut = true
    }
    var out = wrap(
      b.heading.hasSuffix(":") ? b.heading : b.heading + ":", first: "  ", rest: "    ")
    for (k, l) in lines.enumerated() {
      if cut && k == 1 { out.append("    [...]") }
      let main = "    " + l.lead + l.text
      let whole = main + (l.note.isEmpty ? "" : "    " + l.note)
      if whole.count <= width {
        out.append(whole)
        continue
      }
      if main.count <= width {
        out.append(main)
      } else {
        // Address and word on their line, the disassembly under them.
        if !l.lead.isEmpty { out.append("    " + String(l.lead.dropLast(2))) }
        out += wrap(l.text, first: "        ", rest: "        ")
      }
      if !l.note.isEmpty { out += wrap(l.note, first: "        ", rest: "        ") }
    }
    return out
  }
}
