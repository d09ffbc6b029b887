import Diagnostics

/// What a check is about (the eight categories).
public enum CheckCategory: String, Sendable, Hashable, CaseIterable {
  case range, bti, unwind
  case livePatch = "live-patch"
  case alignment, abi, config, size
}

/// One check of the catalogue: a stable ID, a category, a default severity and a title.
public struct CheckInfo: Sendable, Hashable {
  /// Stable: `bti.landing-pad`. Reports, SARIF rules and `--fail-on` use it.
  public var id: String
  public var category: CheckCategory
  /// The severity a finding gets when it rests on nothing assumed.
  public var severity: Severity
  /// One line: what the check detects.
  public var title: String
  /// The entry of `DOMAIN.md` §6 the check implements (1…25).
  public var catalogueNumber: Int

  public init(
    _ id: String, _ category: CheckCategory, _ severity: Severity, _ title: String, number: Int
  ) {
    self.id = id
    self.category = category
    self.severity = severity
    self.title = title
    self.catalogueNumber = number
  }
}

/// One line of evidence: a word at an address and what was seen there.
public struct EvidenceLine: Sendable, Hashable {
  public var address: UInt64?
  public var word: UInt32?
  /// Disassembly or a value.
  public var text: String
  /// What the emulator or the rule saw (`BTYPE 3: Branch Target exception`).
  public var note: String

  public init(address: UInt64? = nil, word: UInt32? = nil, text: String, note: String = "") {
    self.address = address
    self.word = word
    self.text = text
    self.note = note
  }
}

/// The evidence that settles a finding: a heading per block of lines (`emulated: state
/// direct-far, BTI on, guarded pages`), and facts by name for JSON readers.
public struct Evidence: Sendable, Hashable {
  public struct Block: Sendable, Hashable {
    public var heading: String
    public var lines: [EvidenceLine]
    public init(_ heading: String, _ lines: [EvidenceLine]) {
      self.heading = heading
      self.lines = lines
    }
  }
  public var blocks: [Block]
  /// Named values (`"btype": "3"`, `"offset": "0x8000000"`), in order.
  public var facts: [(String, String)]

  public init(blocks: [Block] = [], facts: [(String, String)] = []) {
    self.blocks = blocks
    self.facts = facts
  }

  public static func == (a: Evidence, b: Evidence) -> Bool {
    a.blocks == b.blocks && a.facts.map(\.0) == b.facts.map(\.0)
      && a.facts.map(\.1) == b.facts.map(\.1)
  }

  public func hash(into h: inout Hasher) {
    h.combine(blocks)
    for (k, v) in facts {
      h.combine(k)
      h.combine(v)
    }
  }
}

/// A problem a check found in one layout, with everything a reviewer needs to settle it.
public struct Finding: Sendable, Hashable {
  public var check: CheckInfo
  /// The severity of this finding: the check's, or lower when it rests on an assumption.
  public var severity: Severity
  /// One line, specific to this finding (`ftrace_caller enters the direct trampoline with
  /// \`ret x12\``).
  public var message: String
  /// A short explanation a reviewer would sign.
  public var explanation: String
  public var state: StateID?
  public var transition: (from: StateID, to: StateID)?
  /// Bytes from the function symbol (negative before it).
  public var offset: Int?
  /// What the finding rests on that the files do not say.
  public var assumptions: [String]
  /// The assumptions the result depends on (an era default, an assumed compiler, an alignment
  /// no flag guarantees), as opposed to how the scenario was built: when there are any, the
  /// finding holds only if they do, and a reply asks rather than states.
  public var conditions: [String] = []
  public var evidence: Evidence
  /// Where in the post-image (or message) the problem is.
  public var location: SourceLocation?

  public init(
    _ check: CheckInfo, severity: Severity? = nil, message: String, explanation: String = "",
    state: StateID? = nil, transition: (from: StateID, to: StateID)? = nil, offset: Int? = nil,
    assumptions: [String] = [], evidence: Evidence = Evidence(), location: SourceLocation? = nil
  ) {
    self.check = check
    self.severity = severity ?? check.severity
    self.message = message
    self.explanation = explanation
    self.state = state
    self.transition = transition
    self.offset = offset
    self.assumptions = assumptions
    self.evidence = evidence
    self.location = location
  }

  /// The finding with every assumption it states as a condition of its result.
  var restingOnItsAssumptions: Finding {
    var f = self
    f.conditions = assumptions
    return f
  }

  public static func == (a: Finding, b: Finding) -> Bool {
    a.check == b.check && a.severity == b.severity && a.message == b.message
      && a.explanation == b.explanation && a.state == b.state
      && a.transition?.from == b.transition?.from && a.transition?.to == b.transition?.to
      && a.offset == b.offset && a.assumptions == b.assumptions && a.evidence == b.evidence
      && a.location == b.location
  }

  public func hash(into h: inout Hasher) {
    h.combine(check)
    h.combine(severity)
    h.combine(message)
    h.combine(state)
    h.combine(transition?.from)
    h.combine(transition?.to)
    h.combine(offset)
    h.combine(location)
  }

  /// What identifies the finding across versions of a series: the check, the state or
  /// transition, and the message with addresses left out (they move between versions).
  public var fingerprint: String {
    var parts = [check.id]
    if let s = state { parts.append("state=\(s)") }
    if let t = transition { parts.append("transition=\(t.from)->\(t.to)") }
    parts.append(Finding.withoutAddresses(message))
    return parts.joined(separator: "|")
  }

  /// `message` with hex numbers of 8 or more digits replaced by `ADDR`.
  static func withoutAddresses(_ s: String) -> String {
    // On the UTF-8 bytes: a hex digit is ASCII, and every other byte is copied as it is.
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count)
    var run = 0
    func flush() {
      if run >= 8 {
        out.removeLast(run)
        out.append(contentsOf: [0x41, 0x44, 0x44, 0x52])  // "ADDR"
      }
      run = 0
    }
    for b in s.utf8 {
      let hex =
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
      if hex {
        run += 1
      } else {
        flush()
      }
      out.append(b)
    }
    flush()
    return String(decoding: out, as: UTF8.self)
  }
}
