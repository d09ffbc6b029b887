/// What changed in the callsite from one series version to the next: the semantic range-diff a
/// reviewer writes by hand ("v2 moved the literal from func-8 to func-16").
public struct LayoutChanges: Hashable, Sendable {
  /// The version compared against.
  public var since: Int
  /// Plain sentences about the whole layout: record offset, patch area, literal positions.
  public var summary: [String]
  /// Per state, the words that differ.
  public var states: [StateChanges]

  public var isEmpty: Bool { summary.isEmpty && states.isEmpty }

  public init(since: Int, summary: [String] = [], states: [StateChanges] = []) {
    self.since = since
    self.summary = summary
    self.states = states
  }
}

/// The words of one state that differ between two versions.
public struct StateChanges: Hashable, Sendable {
  public enum Presence: String, Hashable, Sendable {
    /// The state exists in both versions.
    case both
    /// Only the newer version has it.
    case added
    /// Only the older version had it.
    case removed
  }

  public var name: String
  public var presence: Presence
  public var words: [WordChange]

  public init(name: String, presence: Presence, words: [WordChange] = []) {
    self.name = name
    self.presence = presence
    self.words = words
  }
}

/// One offset whose word differs (nil = no word there in that version).
public struct WordChange: Hashable, Sendable {
  public var offset: Int
  public var old: LayoutWord?
  public var new: LayoutWord?

  public init(offset: Int, old: LayoutWord?, new: LayoutWord?) {
    self.offset = offset
    self.old = old
    self.new = new
  }
}

extension Layout {
  /// How this layout differs from `older` (a previous version under the same configuration).
  ///
  /// Words are compared by offset from the function symbol, as instruction words and literal
  /// halves; since both versions are placed at the same assumed addresses, a branch to the same
  /// target has the same word. Transitions are not compared; the states they lead to are.
  public func changes(since older: Layout) -> LayoutChanges {
    var out = LayoutChanges(since: older.version ?? 0)
    func at(_ o: Int?) -> String { o.map(Layout.offsetName) ?? "nowhere" }
    if recordOffset != older.recordOffset {
      out.summary.append(
        "rec->ip (the BL slot) moved from \(at(older.recordOffset)) to \(at(recordOffset))")
    }
    if patchEntryOffset != older.patchEntryOffset {
      out.summary.append(
        "the __patchable_function_entries record moved from \(at(older.patchEntryOffset)) "
          + "to \(at(patchEntryOffset))")
    }
    if let a = older.state("compiled"), let b = state("compiled") {
      let (pa, pb) = (
        a.words.filter { $0.offset < 0 }.count, b.words.filter { $0.offset < 0 }.count
      )
      let (ea, eb) = (a.words.count - pa, b.words.count - pb)
      if pa != pb || ea != eb {
        out.summary.append(
          "the compiled patch area changed from \(pa) pre-entry + \(ea) entry words to "
            + "\(pb) + \(eb)")
      }
    }
    let oldLiterals = Layout.literalOffsets(older)
    let newLiterals = Layout.literalOffsets(self)
    if oldLiterals != newLiterals {
      let o = oldLiterals.map(Layout.offsetName).joined(separator: ", ")
      let n = newLiterals.map(Layout.offsetName).joined(separator: ", ")
      switch (oldLiterals.isEmpty, newLiterals.isEmpty) {
      case (true, false): out.summary.append("a 64-bit literal appears at \(n)")
      case (false, true): out.summary.append("the 64-bit literal at \(o) is gone")
      default: out.summary.append("the 64-bit literal moved from \(o) to \(n)")
      }
    }
    for t in trampolines {
      guard let o = older.trampolines.first(where: { $0.name == t.name }) else {
        out.summary.append("trampoline \(t.name) is new")
        continue
      }
      if o.firstWord != t.firstWord {
        out.summary.append(
          "trampoline \(t.name) starts with \(t.firstText ?? "an unknown word") instead of "
            + "\(o.firstText ?? "an unknown word")")
      }
    }
    for o in older.trampolines where !trampolines.contains(where: { $0.name == o.name }) {
      out.summary.append("trampoline \(o.name) is gone")
    }
    let names = older.states.map(\.name) + states.map(\.name).filter { older.state($0) == nil }
    for name in names {
      switch (older.state(name), state(name)) {
      case (let a?, let b?):
        let offsets = Set(a.words.map(\.offset)).union(b.words.map(\.offset)).sorted()
        let words = offsets.compactMap { o -> WordChange? in
          let (x, y) = (a.word(at: o), b.word(at: o))
          return x?.word == y?.word && x?.kind == y?.kind
            ? nil : WordChange(offset: o, old: x, new: y)
        }
        if !words.isEmpty {
          out.states.append(StateChanges(name: name, presence: .both, words: words))
        }
      case (nil, _?): out.states.append(StateChanges(name: name, presence: .added))
      case (_?, nil): out.states.append(StateChanges(name: name, presence: .removed))
      case (nil, nil): break
      }
    }
    return out
  }

  /// `func-8`, `func+0`, `func+12`.
  public static func offsetName(_ o: Int) -> String { o < 0 ? "func\(o)" : "func+\(o)" }

  /// Offsets of the low halves of 64-bit literals in any state.
  static func literalOffsets(_ l: Layout) -> [Int] {
    var seen = Set<Int>()
    for s in l.states {
      var k = 0
      let lits = s.words.filter { $0.kind == .literal }
      while k < lits.count {
        seen.insert(lits[k].offset)
        // A literal is two consecutive words, low then high.
        k += (k + 1 < lits.count && lits[k + 1].offset == lits[k].offset + 4) ? 2 : 1
      }
    }
    return seen.sorted()
  }
}
