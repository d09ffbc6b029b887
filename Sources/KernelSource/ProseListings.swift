import Diagnostics

/// One line of an assembly listing found in a mail body.
public struct ListingLine: Hashable, Sendable {
  /// The line without quote marks and outer blanks.
  public var text: String
  /// The first word when it is an A64 mnemonic or a data directive, lowercased (`nop`, `bl`,
  /// `.quad`); nil for labels, comments and ellipses.
  public var mnemonic: String?
  /// A label the line defines (`func:`, `__before_func:`, `.Lx:`, `1:`).
  public var label: String?
  /// An offset or address prefix as written (`<+8>`, `func+0x8`, `addr+08`, `ffff8000…`).
  public var offset: String?
  /// The raw instruction word objdump prints after the address (`d503201f`), if present.
  public var rawWord: String?
  /// The instruction part (without offset, label and trailing comment), as written.
  public var instruction: String?
  /// The trailing (or only) comment.
  public var comment: String?
  /// The line of the mail body (1-based, `firstLine` for the first body line).
  public var line: Int
  /// When the comment makes the line conditional on the function's alignment ("extra NOP if
  /// func is 8-byte aligned", "only when func is not 8-byte aligned"): the function symbol's
  /// address modulo 8 for which the line is there.
  public var onlyWhenFunctionModulo8: Int? {
    comment.flatMap(ProseListings.alignmentCondition)
  }
}

/// An assembly listing in a mail body, with the heading that introduces it.
public struct Listing: Hashable, Sendable {
  /// The prose line just before the listing ("When disabled, patch it to:"), if any.
  public var heading: String?
  /// `a`…`h` when the heading is lettered (`(b) disabled:`, `c) …`), else nil.
  public var letter: String?
  /// State words found in the heading, in order: `compiled`, `init`, `disabled`, `enabled`,
  /// `near`, `far`, `direct`, `list`.
  public var states: [String]
  public var lines: [ListingLine]
  /// Inside `> ` quotes (someone else's listing being answered).
  public var quoted: Bool
  public var quoteDepth: Int
  public var location: SourceLocation

  /// The letter, or the state words joined by `-`, or nil: the name a candidate layout gets.
  public var label: String? { letter ?? (states.isEmpty ? nil : states.joined(separator: "-")) }
}

/// Finds assembly listings in mail bodies, so the states a reply sketches become candidate
/// layouts.
public enum ProseListings {
  /// Mnemonics recognised as the start of an instruction line (plus `b.<cond>`).
  public static let mnemonics: Set<String> = [
    "nop", "b", "bl", "br", "blr", "ret", "reta", "mov", "movz", "movk", "movn", "ldr", "ldrb",
    "ldrh", "ldrsw", "ldur", "ldp", "str", "strb", "strh", "stur", "stp", "add", "adds", "sub",
    "subs", "adr", "adrp", "bti", "paciasp", "pacibsp", "autiasp", "autibsp", "xpaclri", "hint",
    "cbz", "cbnz", "tbz", "tbnz", "bic", "orr", "and", "ands", "eor", "brk", "isb", "dsb", "dmb",
    "svc", "hvc", "smc", "mrs", "msr", "cmp", "cmn", "csel", "cset", "tst", "lsl", "lsr", "asr",
    "neg", "mul", "udf", "hlt", "eret", "blraa", "braa", "retaa", "retab",
  ]
  public static let directives: Set<String> = [
    ".quad", ".word", ".long", ".inst", ".xword", ".8byte", ".4byte", ".align", ".balign",
    ".p2align", ".byte", ".hword", ".short",
  ]
  /// Line starts that continue a unified diff.
  static let diffPrefixes = [
    " ", "+", "-", "@@", "\\", "diff ", "index ", "new file", "deleted file", "similarity",
    "rename ", "old mode", "new mode",
  ]
  static let stateWords = [
    "compiled", "init", "disabled", "enabled", "near", "far", "direct", "list",
  ]

  /// The `-fpatchable-function-entry=N[,M]` a message states (outside quotes and diffs), as
  /// `(N, M)`; nil when it states none, or several that disagree.
  /// Lines longer than this are never listing lines, headings or flag statements: passed
  /// over whole (a stated limit, so a 100 MB line costs its split and nothing more).
  public static let maxLineBytes = 4_096

  public static func statedPatchableEntry(in body: String) -> (total: Int, before: Int)? {
    var found: [(Int, Int)] = []
    for raw in splitLines(body) where raw.utf8.count <= maxLineBytes {
      let (depth, line) = unquote(raw)
      guard depth == 0, !line.hasPrefix("+"), !line.hasPrefix("-") else { continue }
      let key = "-fpatchable-function-entry="
      for piece in pieces(of: line, after: key) {
        let digits = piece.prefix { $0.isNumber || $0 == "," }
        let parts = digits.split(separator: ",", omittingEmptySubsequences: false)
        if let n = parts.first.flatMap({ Int($0) }) {
          let m = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
          if !found.contains(where: { $0 == (n, m) }) { found.append((n, m)) }
        }
      }
    }
    return found.count == 1 ? found[0] : nil
  }

  /// The texts following each occurrence of `key` in `line`.
  static func pieces(of line: String, after key: String) -> [Substring] {
    var out: [Substring] = []
    var rest = Substring(line)
    while let start = rest.firstIndex(of: key.first ?? " ") {
      if rest[start...].hasPrefix(key) {
        let after = rest.index(start, offsetBy: key.count)
        out.append(rest[after...])
        rest = rest[after...]
      } else {
        rest = rest[rest.index(after: start)...]
      }
    }
    return out
  }

  /// "if func is 8-byte aligned" → 0, "when func is not 8-byte aligned" → 4: the alignment a
  /// comment makes its line depend on; nil when it does not.
  static func alignmentCondition(_ comment: String) -> Int? {
    let c = comment.lowercased()
    guard ["if ", "when ", "only ", "unless "].contains(where: { c.contains($0) }) else {
      return nil
    }
    let eight = [
      "8-byte aligned", "8 byte aligned", "8-bytes aligned", "8 bytes aligned",
      "aligned to 8", "8-byte-aligned", "64-bit aligned",
    ]
    guard eight.contains(where: { c.contains($0) }) else { return nil }
    let negated = ["not ", "isn't", "n't ", "unless ", "mis"].contains { c.contains($0) }
    return negated ? 4 : 0
  }

  public static func extract(body: String, file: String, firstLine: Int = 1) -> [Listing] {
    let lines = splitLines(body)
    var out: [Listing] = []
    var current: Listing?
    var lastProse: (text: String, depth: Int, line: Int)?
    var diffDepth: Int?
    var progress = LoopProgress()
    var i = 0
    while i < lines.count, progress.advanced(to: i) {
      let lineNo = firstLine + i
      // A line longer than any listing or heading (a pasted blob, a mangled body) is prose
      // that ends a listing, and is not read further: the reader stays linear and quick.
      if lines[i].utf8.count > maxLineBytes {
        if let c = current { finish(c, &out) }
        current = nil
        lastProse = nil
        i += 1
        continue
      }
      let (depth, content) = unquote(lines[i])
      i += 1
      // Patches (and quoted patches) are not sketches: skip diff text.
      if let d = diffDepth, d == depth {
        if content.isEmpty || Self.diffPrefixes.contains(where: { content.hasPrefix($0) }) {
          continue
        }
        diffDepth = nil
      }
      if content.hasPrefix("diff --git ") || content.hasPrefix("@@ -") {
        if let c = current { finish(c, &out) }
        current = nil
        diffDepth = depth
        continue
      }
      let trimmed = content.trimmed
      if trimmed.isEmpty {
        if let c = current { finish(c, &out) }
        current = nil
        continue
      }
      let indented = content.hasPrefix("\t") || content.hasPrefix("  ")
      if let parsed = parseLine(trimmed, indented: indented, line: lineNo),
        current != nil || parsed.mnemonic != nil || parsed.label != nil || parsed.offset != nil
      {
        if var c = current, c.quoteDepth == depth {
          c.lines.append(parsed)
          current = c
        } else {
          if let c = current { finish(c, &out) }
          let heading = lastProse.flatMap { p in
            p.depth == depth && lineNo - p.line <= 3 ? lastSentence(p.text) : nil
          }
          current = Listing(
            heading: heading, letter: heading.flatMap(letter(of:)),
            states: heading.map(states(in:)) ?? [], lines: [parsed], quoted: depth > 0,
            quoteDepth: depth, location: SourceLocation(file: file, line: lineNo))
        }
        continue
      }
      if let c = current { finish(c, &out) }
      current = nil
      // Prose lines of one paragraph join; the heading is its last sentence.
      if let p = lastProse, p.depth == depth, p.line == lineNo - 1 {
        lastProse = (p.text + " " + trimmed, depth, lineNo)
      } else {
        lastProse = (trimmed, depth, lineNo)
      }
    }
    if let c = current { finish(c, &out) }
    return out
  }

  /// Keeps a listing only when at least one of its lines is an instruction or directive.
  static func finish(_ l: Listing, _ out: inout [Listing]) {
    if l.lines.contains(where: { $0.mnemonic != nil }) { out.append(l) }
  }

  /// Removes `>` quote marks (`> > text`, `>> text`) and returns the depth and the rest.
  static func unquote(_ line: String) -> (Int, String) {
    var depth = 0
    var rest = Substring(line)
    while true {
      let afterSpace = rest.drop { $0 == " " }
      guard afterSpace.first == ">", rest.count - afterSpace.count <= 1 || depth > 0 else { break }
      depth += 1
      rest = afterSpace.dropFirst()
      if rest.first == " " { rest = rest.dropFirst() }
    }
    return (depth, String(rest))
  }

  /// The last sentence of a paragraph (text after the last `. ` that is not at the end).
  static func lastSentence(_ text: String) -> String {
    let chars = Array(text)
    var start = 0
    var i = 0
    while i + 1 < chars.count {
      if chars[i] == ".", chars[i + 1] == " ", i + 2 < chars.count, chars[i + 2].isUppercase {
        start = i + 2
      }
      i += 1
    }
    return String(chars[start...])
  }

  /// `(b) …`, `b) …`, `b. …`, `b: …` at the start, or `(c)` / ` c)` later in the heading.
  static func letter(of heading: String) -> String? {
    let h = Array(heading.trimmed.lowercased())
    guard !h.isEmpty else { return nil }
    func isLetter(_ c: Character) -> Bool { ("a"..."h").contains(c) }
    func endsWord(_ i: Int) -> Bool { i >= h.count || h[i] == " " || h[i] == "\t" || h[i] == ":" }
    if h.count >= 2, isLetter(h[0]), [")", ".", ":"].contains(h[1]), endsWord(2) {
      return String(h[0])
    }
    for i in 0..<h.count where isLetter(h[i]) {
      let before = i == 0 ? " " : h[i - 1]
      if before == "(", i + 1 < h.count, h[i + 1] == ")" { return String(h[i]) }
      if before == " " || before == "\t", i + 1 < h.count, h[i + 1] == ")", endsWord(i + 2) {
        return String(h[i])
      }
    }
    return nil
  }

  static func states(in heading: String) -> [String] {
    let words = heading.lowercased().split { !$0.isLetter }.map(String.init)
    var out: [String] = []
    for w in words {
      let base =
        w.hasPrefix("disabl")
        ? "disabled"
        : w.hasPrefix("enabl")
          ? "enabled"
          : w.hasPrefix("compil") ? "compiled" : w
      if stateWords.contains(base), !out.contains(base) { out.append(base) }
    }
    return out
  }

  /// Reads one listing line; nil when it does not look like assembly.
  static func parseLine(_ t: String, indented: Bool, line: Int) -> ListingLine? {
    var rest = Substring(t)
    var result = ListingLine(
      text: t, mnemonic: nil, label: nil, offset: nil, rawWord: nil, instruction: nil, comment: nil,
      line: line)
    // Comment-only and ellipsis lines continue a listing.
    for marker in ["//", "/*", ";"] where rest.hasPrefix(marker) {
      guard indented else { return nil }
      result.comment = String(rest)
      return result
    }
    if rest == "..." || rest == ".." || rest == "[...]" || rest == "[..]" {
      return indented ? result : nil
    }
    // Trailing comment.
    if let start = commentStart(rest) {
      result.comment = String(rest[start...]).trimmed
      rest = rest[..<start]
    }
    // Offset prefixes: "<+8>:", "<func+8>:", "func+0x8:", "addr+08:", "ffff800008000000:".
    let words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
    var k = 0
    if let w = words.first, w.hasSuffix(":") || (w.hasPrefix("<") && w.hasSuffix(">")) {
      let core = w.hasSuffix(":") ? w.dropLast() : w
      if isOffset(String(core)) {
        result.offset = String(core)
        k = 1
        if k < words.count, words[k] == ":" { k += 1 }
      }
    }
    // A label.
    if k < words.count, words[k].hasSuffix(":"), words[k].count > 1 {
      let name = words[k].dropLast()
      if name.allSatisfy({ $0.isIdentifierBody || $0 == "." || $0 == "$" }) {
        result.label = String(name)
        k += 1
      }
    }
    // objdump prints the raw word between the address and the mnemonic.
    if result.offset != nil, k < words.count, words[k].count == 8,
      words[k].allSatisfy(\.isHexDigit)
    {
      result.rawWord = String(words[k])
      k += 1
    }
    guard k < words.count else {
      return result.label != nil || result.offset != nil ? result : nil
    }
    // Mnemonics are written all lower or all upper case; "Add" is prose ("ftrace: Add …").
    let word = String(words[k])
    guard word == word.lowercased() || word == word.uppercased() else { return nil }
    let first = word.lowercased()
    let isMnemonic =
      mnemonics.contains(first) || directives.contains(first)
      || (first.hasPrefix("b.") && first.count <= 5)
    guard isMnemonic else { return nil }
    // Plain prose such as "b is the branch" must not pass: instruction lines are indented or
    // carry a label/offset, and a lone short word must be followed by operand-like text.
    guard indented || result.offset != nil || result.label != nil else { return nil }
    guard looksLikeOperands(words[(k + 1)...].joined(separator: " ")) else { return nil }
    result.mnemonic = first
    result.instruction = words[k...].joined(separator: " ")
    return result
  }

  /// Operands are short comma-separated items (`x9, x30`, `[sp, #16]!`, `<tramp>`); prose such
  /// as "and then we patch the call" has several words in one item.
  static func looksLikeOperands(_ s: String) -> Bool {
    var stripped = ""
    var angle = 0
    for c in s {
      if c == "<" { angle += 1 }
      if angle == 0 { stripped.append(c) }
      if c == ">" { angle = max(0, angle - 1) }
    }
    for part in stripped.split(separator: ",") {
      let words = part.split(whereSeparator: { $0 == " " || $0 == "\t" })
      if words.count > 2 { return false }
    }
    return true
  }

  /// Where a `//` or `/*` comment starts in `s`, if it has one.
  static func commentStart(_ s: Substring) -> Substring.Index? {
    var i = s.startIndex
    while i < s.endIndex {
      let n = s.index(after: i)
      if s[i] == "/", n < s.endIndex, s[n] == "/" || s[n] == "*" { return i }
      i = n
    }
    return nil
  }

  static func isOffset(_ s: String) -> Bool {
    var t = Substring(s)
    if t.hasPrefix("<") && t.hasSuffix(">") { t = t.dropFirst().dropLast() }
    if t.isEmpty { return false }
    if let plus = t.firstIndex(where: { $0 == "+" || $0 == "-" }) {
      let num = t[t.index(after: plus)...]
      let base = t[..<plus]
      let isNumber =
        !num.isEmpty
        && (num.hasPrefix("0x")
          ? num.dropFirst(2).allSatisfy(\.isHexDigit) && num.count > 2
          : num.allSatisfy(\.isNumber))
      return isNumber && base.allSatisfy { $0.isIdentifierBody || $0 == "." }
    }
    let hex = t.hasPrefix("0x") ? t.dropFirst(2) : t
    return hex.count >= 8 && hex.allSatisfy(\.isHexDigit)
  }
}
