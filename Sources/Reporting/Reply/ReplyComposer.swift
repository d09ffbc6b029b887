import Analysis
import Diagnostics
import Diff
import Mail
import PatchSeries
import Pipeline

/// The findings of a review that concern one message, and where in its body each belongs.
///
/// A finding belongs to the message its unit came from: the patch its location points into
/// (`LocatedFinding.messageID`), else the unit's message (the version's last patch, or its
/// cover letter); a listing's finding belongs to the message that sketched the listing. In a
/// patch, a finding whose post-image line the patch adds (or shows as context) is anchored on
/// that line of the diff; in a sketch, a finding about a state is anchored on the listing of
/// that state. The rest are said after the quoted lines.
public struct ReplyPlan: Sendable {
  public struct Anchored: Sendable {
    /// 0-based line of the answered message's body.
    public var line: Int
    public var findings: [Finding]
  }

  /// The message answered.
  public var message: Message
  /// The patch the message is, when it is one of the series.
  public var patch: SeriesPatch?
  /// `v2 7/10`, or `v6 0/5` for a cover letter.
  public var label: String?
  public var body: [String]
  /// Findings on a line of the body, in body order.
  public var anchored: [Anchored]
  /// Listings sketched in the message (first line, last line), each with its findings.
  public var listings: [(range: ClosedRange<Int>, findings: [Finding])]
  /// Findings tied to no line.
  public var general: [Finding]
  /// Findings of this message the base tree has as well (left out: the series carries them).
  public var carried = 0

  public var findings: [Finding] {
    anchored.flatMap(\.findings) + listings.flatMap(\.findings) + general
  }

  /// The plan for `message` in `report`.
  public static func make(for message: Message, report: ReviewReport) -> ReplyPlan {
    let id = message.messageID
    var body = message.body.split(separator: "\n", omittingEmptySubsequences: false).map(
      String.init)
    if body.last == "" { body.removeLast() }
    var patch: SeriesPatch?
    var label: String?
    for v in report.series?.versions ?? [] {
      if let c = v.cover, c.messageID != nil, c.messageID == id {
        label = "v\(v.version) 0/\(v.total ?? v.patches.count)"
      }
      for p in v.patches where p.message.messageID != nil && p.message.messageID == id {
        patch = p
        label = "v\(v.version) \(p.index)/\(p.total)"
      }
    }
    var plan = ReplyPlan(
      message: message, patch: patch, label: label, body: body, anchored: [], listings: [],
      general: [])
    var seen = Set<String>()
    func fresh(_ f: Finding) -> Bool {
      seen.insert(f.fingerprint + "@" + (f.location?.description ?? "")).inserted
    }
    // One comment per check and line: the same point in another state or configuration (BTI
    // on and off) is one remark, the most severe kept.
    var said = Set<String>()
    func new(_ f: Finding) -> Bool {
      guard let loc = f.location else { return true }
      return said.insert(f.check.id + "@" + loc.description).inserted
    }
    let inputLines = InputLineIndex(message: message, count: body.count)
    var anchors: [Int: [Finding]] = [:]
    let own = "(\(message.location.file):\(message.location.line))"
    for u in report.units {
      if u.layout.configuration.name == "prose" {
        guard u.layout.source.hasSuffix(own) else { continue }
        plan.addListings(u, seen: &seen)
        continue
      }
      let mine = u.findings.filter { id != nil && ($0.messageID ?? u.messageID) == id }
      for lf in mine.sorted(by: { $0.finding.severity > $1.finding.severity }) {
        guard fresh(lf.finding) else { continue }
        if lf.inBase {
          plan.carried += 1
          continue
        }
        guard new(lf.finding) else { continue }
        if let line = plan.bodyLine(of: lf.finding, inputLines: inputLines) {
          anchors[line, default: []].append(lf.finding)
        } else {
          plan.general.append(lf.finding)
        }
      }
    }
    plan.anchored = anchors.keys.sorted().map { Anchored(line: $0, findings: anchors[$0] ?? []) }
    return plan
  }

  /// The body line a finding's post-image location was added (or shown) on in this patch.
  func bodyLine(of f: Finding, inputLines: InputLineIndex) -> Int? {
    guard let loc = f.location, loc.line > 0, let diff = patch?.diff else { return nil }
    for file in diff.files where file.newPath == loc.file {
      for h in file.hunks {
        guard
          let n = h.numberedLines.first(where: {
            $0.newLine == loc.line && $0.line.kind != .removed
          })
        else { continue }
        let text = String(n.line.kind.rawValue) + n.line.text
        if let b = inputLines.bodyLine(forInput: n.line.line), b < body.count, body[b] == text {
          return b
        }
        // Through a transfer encoding the input line is approximate: look for the text.
        return body.firstIndex(of: text)
      }
    }
    return nil
  }

  /// The listings of a sketching unit: each state's listing (its note ends with `(file:N)`,
  /// N the message's first line plus the listing's body line), with the findings about that
  /// state and the transitions from or to it.
  mutating func addListings(_ u: ReviewUnit, seen: inout Set<String>) {
    var byStart: [Int: [StateID]] = [:]
    for s in u.layout.states {
      guard let n = Self.trailingLine(s.note) else { continue }
      let b = n - message.location.line
      guard b >= 0, b < body.count else { continue }
      byStart[b, default: []].append(s.id)
    }
    var placed = Set<Int>()
    for start in byStart.keys.sorted() {
      let states = byStart[start] ?? []
      // The listing's lines above the one its state points at (a literal before `func:`).
      var first = start
      while first > 0, start - first < 4, Self.isListingLine(body[first - 1]) { first -= 1 }
      var end = start
      while end + 1 < body.count, end - start < 11, !Self.isBlank(body[end + 1]) { end += 1 }
      var fs: [Finding] = []
      for (k, lf) in u.findings.enumerated() where !placed.contains(k) {
        let f = lf.finding
        let about =
          f.state.map(states.contains) == true
          || f.transition.map { states.contains($0.from) || states.contains($0.to) } == true
        if about {
          placed.insert(k)
          if seen.insert(f.fingerprint).inserted { fs.append(f) }
        }
      }
      listings.append((first...end, fs))
    }
    for (k, lf) in u.findings.enumerated() where !placed.contains(k) {
      if seen.insert(lf.finding.fingerprint).inserted { general.append(lf.finding) }
    }
  }

  /// `N` of a note ending in `(file:N)`.
  static func trailingLine(_ note: String) -> Int? {
    guard note.hasSuffix(")"), let colon = note.lastIndex(of: ":") else { return nil }
    return Int(note[note.index(after: colon)..<note.index(before: note.endIndex)])
  }

  /// Indented (after any quote marks) and not blank: a line of a listing.
  static func isListingLine(_ line: String) -> Bool {
    let content = line.drop { $0 == ">" }.drop { $0 == " " && line.hasPrefix(">") }
    return !isBlank(line) && (content.first == "\t" || content.hasPrefix("  "))
  }

  /// Blank once quote marks are taken off.
  static func isBlank(_ line: String) -> Bool {
    line.allSatisfy { $0 == ">" || $0 == " " || $0 == "\t" }
  }
}

/// Body line ↔ input line for one message (`Message.inputLine(forBodyLine:)` inverted).
struct InputLineIndex {
  var byInput: [Int: Int] = [:]

  init(message: Message, count: Int) {
    for b in 0..<count {
      let input = message.inputLine(forBodyLine: b + 1)
      if byInput[input] == nil { byInput[input] = b }
    }
  }

  func bodyLine(forInput line: Int) -> Int? { byInput[line] }
}

/// Builds a reply's `ReplyModel` from its plan: which lines to quote, which comments follow
/// them, and how the reply ends.
public enum ReplyComposer {
  /// Lines of context quoted before a line a finding is about.
  static let context = 2

  public static func model(
    _ plan: ReplyPlan, reviewer: Mailbox, signOff: Bool
  ) -> ReplyModel {
    let all = plan.findings
    // Assumptions two findings or more make are said once, at the end.
    var uses: [String: Int] = [:]
    var order: [String] = []
    for f in all {
      var once = Set<String>()
      for a in f.conditions where once.insert(a).inserted {
        if uses[a] == nil { order.append(a) }
        uses[a, default: 0] += 1
      }
    }
    let sharedList = order.filter { (uses[$0] ?? 0) >= 2 }
    let shared = Set(sharedList)
    func comments(_ fs: [Finding]) -> [ReplyModel.Comment] {
      fs.map { comment($0, shared: shared) }
    }
    /// A sketched listing the checks found nothing wrong with gets a word all the same.
    func answer(_ fs: [Finding]) -> [ReplyModel.Comment] {
      guard fs.isEmpty else { return comments(fs) }
      let lines = ReplyText.wrap(
        "I could not find a problem with this one, nor with the transitions to and from it.")
      return [
        ReplyModel.Comment(
          check: "", severity: "", title: "", message: "", explanation: "", state: nil,
          tentative: false, assumptions: [], evidence: [],
          paragraphs: [ReplyModel.Paragraph(lines: lines, first: true)])
      ]
    }

    var sections: [ReplyModel.Section] = []
    var lastQuoted = -1
    var lastFile: Int?
    func quote(_ range: ClosedRange<Int>, _ fs: [Finding]) {
      quote(range, comments(fs))
    }
    func quote(_ range: ClosedRange<Int>, _ cs: [ReplyModel.Comment]) {
      let start = max(range.lowerBound, lastQuoted + 1)
      guard start <= range.upperBound else {
        // Already quoted: the comments go after what was.
        if let k = sections.indices.last {
          let s = sections[k]
          sections[k] = section(s.cut, s.quote, s.comments + cs)
        }
        return
      }
      // The file the lines belong to, quoted once before its first block.
      if let header = plan.body[..<start].lastIndex(where: { $0.hasPrefix("diff --git ") }),
        header > lastQuoted, header != lastFile, header < start
      {
        sections.append(section(!sections.isEmpty, ["> " + plan.body[header]], []))
        lastQuoted = header
        lastFile = header
      }
      let lines = plan.body[start...range.upperBound].map { "> " + $0 }
      sections.append(section(!sections.isEmpty && start > lastQuoted + 1, lines, cs))
      lastQuoted = range.upperBound
    }
    var blocks: [(ClosedRange<Int>, [Finding])] = plan.anchored.map { a in
      var from = a.line
      while from > 0, a.line - from < context, !isBoundary(plan.body[from - 1]) { from -= 1 }
      return (from...a.line, a.findings)
    }
    blocks.sort { $0.0.upperBound < $1.0.upperBound }
    var listings = plan.listings[...]
    for (range, fs) in blocks {
      while let l = listings.first, l.range.upperBound < range.upperBound {
        quote(l.range, answer(l.findings))
        listings = listings.dropFirst()
      }
      quote(range, fs)
    }
    for l in listings { quote(l.range, answer(l.findings)) }
    if !plan.general.isEmpty {
      if sections.isEmpty, let first = plan.body.firstIndex(where: { !ReplyPlan.isBlank($0) }) {
        // Something to answer under: the message's first line.
        quote(first...first, [ReplyModel.Comment]())
      }
      sections.append(section(!sections.isEmpty, [], comments(plan.general)))
    }

    // The blank lines and cut marks between sections.
    for k in sections.indices {
      let s = sections[k]
      let gap = k > 0 && (s.cut || sections[k - 1].hasComments)
      var lead = gap ? [""] : []
      if s.cut { lead += s.hasQuote ? ["[...]", ""] : ["[...]"] }
      sections[k] = ReplyModel.Section(
        cut: s.cut, lead: lead, quote: s.quote, hasQuote: s.hasQuote, comments: s.comments,
        hasComments: s.hasComments)
    }
    let m = plan.message
    let author = m.from
    let name = author?.name ?? author?.address ?? "you"
    var said = "\(name) wrote:"
    if let d = m.date { said = "On \(ReplyDates.attribution(d)), " + said }
    let errors = all.filter { $0.severity == .error }.count
    let noFindings =
      all.isEmpty && plan.listings.isEmpty
      ? ReplyText.wrap(
        plan.listings.isEmpty
          ? "I went through the callsite this leads to, state by state, and found nothing "
            + "to comment on."
          : "I went through each of these layouts, state by state, and found nothing to "
            + "comment on.")
      : []
    return ReplyModel(
      attribution: ReplyText.wrap(said), subject: m.subject ?? "",
      author: author?.description ?? "", messageId: m.messageID ?? "", patch: plan.label,
      sections: sections, hasFindings: !all.isEmpty, errors: errors,
      warnings: all.filter { $0.severity == .warning }.count,
      notes: all.filter { $0.severity < .warning }.count, noFindings: noFindings,
      sharedAssumptions: sharedList.flatMap { ReplyText.wrap($0, first: "  - ", rest: "    ") },
      hasSharedAssumptions: !sharedList.isEmpty,
      // A tag is for a patch or a cover letter, and only when nothing is wrong.
      reviewedBy: errors == 0 && plan.label != nil ? MailHeaderWriter.mailbox(reviewer) : nil,
      signOff: signOff ? (reviewer.name ?? reviewer.address) : nil)
  }

  static func section(_ cut: Bool, _ quote: [String], _ comments: [ReplyModel.Comment])
    -> ReplyModel.Section
  {
    ReplyModel.Section(
      cut: cut, lead: [], quote: quote, hasQuote: !quote.isEmpty, comments: comments,
      hasComments: !comments.isEmpty)
  }

  /// A line context never reaches past: a hunk header, a file header, the end of the log.
  static func isBoundary(_ line: String) -> Bool {
    line.hasPrefix("@@") || line.hasPrefix("diff --git ") || line.hasPrefix("+++ ")
      || line.hasPrefix("--- ") || line == "---"
  }

  /// One finding as a reviewer says it: the point, why it matters, the evidence, and where
  /// it rests on assumptions a question instead of a verdict.
  static func comment(_ f: Finding, shared: Set<String>) -> ReplyModel.Comment {
    // A question where the result rests on something the files do not say (an era default,
    // an assumed compiler); how the scenario was built is the review report's business.
    let tentative = !f.conditions.isEmpty
    let own = f.conditions.filter { !shared.contains($0) }
    var point = ReplyText.sentence(f.message)
    if tentative {
      // "In state far, …" reads on as "…, in state far, …"; a name with a capital stays.
      let lower = f.message.first?.isLowercase == true
      point =
        "Unless I'm misreading this, " + (lower ? point.prefix(1).lowercased() : "")
        + point.dropFirst(lower ? 1 : 0)
    }
    var paragraphs: [[String]] = [ReplyText.wrap(point)]
    if !f.explanation.isEmpty { paragraphs.append(ReplyText.wrap(f.explanation)) }
    let evidence = f.evidence.blocks.prefix(2).flatMap(ReplyText.evidence)
    if !evidence.isEmpty { paragraphs.append(evidence) }
    if tentative {
      if own.isEmpty {
        paragraphs.append(
          ReplyText.wrap(
            "Is that right, or does something I cannot see from here rule it out? (The "
              + "assumptions it rests on are at the end.)"))
      } else {
        var q = ReplyText.wrap(
          own.count == 1
            ? "Is that right? It rests on something I could not check from here:"
            : "Is that right? It rests on things I could not check from here:")
        for a in own { q += ReplyText.wrap(a, first: "  - ", rest: "    ") }
        paragraphs.append(q)
      }
    }
    return ReplyModel.Comment(
      check: f.check.id, severity: f.severity.rawValue, title: f.check.title, message: f.message,
      explanation: f.explanation, state: f.state?.description, tentative: tentative,
      assumptions: own, evidence: evidence,
      paragraphs: paragraphs.enumerated().map { ReplyModel.Paragraph(lines: $1, first: $0 == 0) })
  }
}
