import Analysis
import Diagnostics

/// Renders layouts as text tables or as the fixed JSON contract.
public enum LayoutReport {
  static func hex8(_ v: UInt64) -> String { Words.hex(v, digits: 8) }

  public static func json(_ units: [Layout]) -> JSON {
    .object([("units", .array(units.map(unit)))])
  }

  static func unit(_ l: Layout) -> JSON {
    .object([
      ("version", .optional(l.version)),
      ("source", .string(l.source)),
      ("configName", .string(l.configName)),
      ("config", .object(l.configuration.shown.map { ($0.name, .string($0.value)) })),
      ("recordOffset", .optional(l.recordOffset)),
      ("patchEntryOffset", .optional(l.patchEntryOffset)),
      (
        "states",
        .array(
          l.states.map { s in
            .object([
              ("name", .string(s.name)),
              ("placement", .string(s.placement.rawValue)),
              ("functionAddress", .string(Words.hex(s.functionAddress))),
              ("note", .string(s.note)),
              (
                "words",
                .array(
                  s.words.map { w in
                    .object([
                      ("offset", .int(w.offset)),
                      ("address", .string(Words.hex(s.address(w.offset)))),
                      ("word", .string(hex8(UInt64(w.word)))),
                      ("text", .string(w.text)),
                      ("kind", .string(w.kind.rawValue)),
                      ("symbol", .optional(w.symbol)),
                      ("preEntry", .bool(w.offset < 0)),
                    ])
                  })
              ),
            ])
          })
      ),
      (
        "transitions",
        .array(
          l.transitions.map { t in
            .object([
              ("from", .string(t.from.description)),
              ("to", .string(t.to.description)),
              ("function", .string(t.function)),
              ("concurrent", .bool(t.concurrent)),
              (
                "writes",
                .array(
                  t.writes.map { w in
                    .object([
                      ("offset", .int(w.offset)),
                      ("old", .string(Words.hex(w.old, digits: w.width * 2))),
                      ("new", .string(Words.hex(w.new, digits: w.width * 2))),
                      ("width", .int(w.width)),
                      ("api", .string(w.api.rawValue)),
                      ("function", .string(w.function)),
                      ("text", .string(w.text)),
                      ("location", .optional(w.location?.description)),
                    ])
                  })
              ),
            ])
          })
      ),
      (
        "trampolines",
        .array(
          l.trampolines.map { t in
            .object([
              ("name", .string(t.name)),
              ("kind", .string(t.kind)),
              ("location", .string(t.location.description)),
              ("address", .optional(t.address.map { Words.hex($0) })),
              ("firstWord", .optional(t.firstWord.map { hex8(UInt64($0)) })),
              ("firstText", .optional(t.firstText)),
              ("landingPad", .optional(t.landingPad)),
            ])
          })
      ),
      ("assumptions", .array(l.assumptions.map { .string($0.text) })),
      ("changesSincePrevious", l.changes.map(changes) ?? .null),
      ("diagnostics", .array(l.diagnostics.map(JSON.diagnostic))),
    ])
  }

  static func changes(_ c: LayoutChanges) -> JSON {
    func word(_ w: LayoutWord?) -> JSON {
      guard let w else { return .null }
      return .object([
        ("word", .string(hex8(UInt64(w.word)))), ("text", .string(w.text)),
        ("kind", .string(w.kind.rawValue)),
      ])
    }
    return .object([
      ("since", .int(c.since)),
      ("summary", .array(c.summary.map(JSON.string))),
      (
        "states",
        .array(
          c.states.map { st in
            .object([
              ("name", .string(st.name)), ("presence", .string(st.presence.rawValue)),
              (
                "words",
                .array(
                  st.words.map { w in
                    .object([
                      ("offset", .int(w.offset)), ("old", word(w.old)), ("new", word(w.new)),
                    ])
                  })
              ),
            ])
          })
      ),
    ])
  }

  /// The range-diff as text, under the unit it belongs to.
  static func changesText(_ c: LayoutChanges) -> String {
    var out = "\n  changes since v\(c.since):\n"
    if c.isEmpty { return out + "    none: every state has the same words\n" }
    for line in c.summary { out += "    - \(line)\n" }
    for st in c.states {
      switch st.presence {
      case .added: out += "    state \(st.name): new in this version\n"
      case .removed: out += "    state \(st.name): gone in this version\n"
      case .both:
        out += "    state \(st.name):\n"
        for w in st.words {
          let old = w.old.map { "\(hex8(UInt64($0.word))) \($0.text)" } ?? "(no word)"
          let new = w.new.map { "\(hex8(UInt64($0.word))) \($0.text)" } ?? "(no word)"
          out += "      \(Layout.offsetName(w.offset).padding(9)) \(old)  ->  \(new)\n"
        }
      }
    }
    return out
  }

  public static func text(_ units: [Layout]) -> String {
    var out = ""
    for l in units {
      out += "== \(l.version.map { "v\($0) " } ?? "")\(l.source) [\(l.configName)]\n"
      if let r = l.recordOffset { out += "rec->ip = func\(r >= 0 ? "+" : "")\(r)\n" }
      for s in l.states {
        out +=
          "\n  state \(s.name) (\(s.placement.rawValue), func at 0x\(Words.hex(s.functionAddress)))"
        out += s.note.isEmpty ? "\n" : ": \(s.note)\n"
        for w in s.words {
          let off = w.offset >= 0 ? "+\(w.offset)" : "\(w.offset)"
          let pre = w.offset < 0 ? "pre" : "   "
          out +=
            "    \(pre) func\(off.padding(4)) \(Words.hex(s.address(w.offset)))  \(hex8(UInt64(w.word)))  \(w.kind.rawValue.padding(7)) \(w.text)\n"
        }
      }
      if !l.transitions.isEmpty { out += "\n  transitions:\n" }
      for t in l.transitions {
        out +=
          "    \(t.from) -> \(t.to) by \(t.function)\(t.concurrent ? " (other CPUs may run the function)" : " (nothing runs it)")\n"
        for (k, w) in t.writes.enumerated() {
          let off = w.offset >= 0 ? "+\(w.offset)" : "\(w.offset)"
          out +=
            "      \(k + 1). func\(off): \(Words.hex(w.old, digits: w.width * 2)) -> \(Words.hex(w.new, digits: w.width * 2)) (\(w.width) bytes, \(w.api.rawValue)) \(w.text)\n"
        }
      }
      if !l.trampolines.isEmpty { out += "\n  trampolines:\n" }
      for t in l.trampolines {
        let first =
          t.firstWord.map { "\(hex8(UInt64($0))) \(t.firstText ?? "")" } ?? "words unavailable"
        out +=
          "    \(t.name) (\(t.kind), \(t.location)): \(first)\(t.landingPad.map { " — landing pad \($0)" } ?? "")\n"
      }
      if let c = l.changes { out += changesText(c) }
      if !l.assumptions.isEmpty { out += "\n  assumptions:\n" }
      for a in l.assumptions { out += "    - \(a.text)\n" }
      if !l.diagnostics.isEmpty { out += "\n  diagnostics:\n" }
      for d in l.diagnostics {
        out += "    \(d.location): \(d.severity.rawValue): \(d.message) [\(d.id)]\n"
      }
      out += "\n"
    }
    return out
  }
}

extension String {
  /// The string padded with spaces to `n` characters (unchanged when longer).
  func padding(_ n: Int) -> String {
    count >= n ? self : self + String(repeating: " ", count: n - count)
  }
}
