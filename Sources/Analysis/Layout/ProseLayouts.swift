import AArch64
import Diagnostics
import Foundation
import KernelSource

/// Candidate layouts from assembly listings in message bodies: one state per listing that
/// has a heading (`b) disabled:` → state `b-disabled`), assembled with the project's assembler
/// so labels (`literal`, `func_body`) resolve as GNU as would. Names the listing does not
/// define are looked up in the series' own code first (`dummy_tramp` is the series'
/// `ftrace_dummy_tramp`), so a listing's words reach the trampoline the series has; the rest
/// (`<custom trampoline>`) get assumed addresses, listed.
///
/// Lines a comment makes conditional on the function's alignment ("extra NOP if func is
/// 8-byte aligned") give one state per alignment, each with only its lines; when the message
/// states `-fpatchable-function-entry=N,M`, the pre-entry words must number M.
public enum ProseLayouts {
  /// The layout sketched in one message, or nil when it has no listing with instructions.
  ///
  /// - Parameters:
  ///   - knownSymbols: the series' own symbols (trampolines placed by its rebuilt layout).
  ///   - statedEntry: the `-fpatchable-function-entry=N,M` the message states.
  public static func layout(
    from listings: [Listing], source: String, version: Int? = nil,
    placement: Placement = Placement(), functionModulo8: Int? = nil,
    knownSymbols: [String: UInt64] = [:], statedEntry: (total: Int, before: Int)? = nil
  ) -> Layout? {
    var layout = Layout(
      version: version, source: source, configuration: LayoutConfiguration(name: "prose"))
    for a in placement.description { layout.assume(Assumption(.address, a)) }
    var used = Set<String>()
    for (n, l) in listings.enumerated() where !l.quoted {
      guard l.lines.contains(where: { $0.mnemonic != nil }) else { continue }
      var name = stateName(l) ?? "listing-\(n + 1)"
      while used.contains(name) { name += "'" }
      used.insert(name)
      let conditional = l.lines.contains { $0.onlyWhenFunctionModulo8 != nil }
      // One alternative per alignment the conditional lines name; all lines otherwise.
      let alternatives: [Int?] = conditional ? [0, 4] : [functionModulo8]
      var kept: [LayoutState] = []
      var rejected: [(Int?, Int)] = []
      for alt in alternatives {
        var variant = l
        if let alt {
          variant.lines = l.lines.filter { $0.onlyWhenFunctionModulo8.map { $0 == alt } ?? true }
        }
        let stateName = conditional ? "\(name)-func\(alt ?? 0)mod8" : name
        guard
          let s = state(
            variant, name: stateName, placement: placement,
            functionModulo8: conditional ? alt : functionModulo8, knownSymbols: knownSymbols,
            layout: &layout)
        else { continue }
        let pre = s.words.filter { $0.offset < 0 }.count
        let labelled = variant.lines.contains { $0.label != nil }
        if let stated = statedEntry, labelled, pre != stated.before {
          rejected.append((alt, pre))
          continue
        }
        kept.append(s)
      }
      if let stated = statedEntry, !rejected.isEmpty {
        let detail = rejected.map { alt, pre in
          (alt.map { "with the function \($0) mod 8: " } ?? "") + "\(pre) pre-entry words"
        }.joined(separator: "; ")
        layout.diagnostics.append(
          Diagnostic(
            LayoutMessage.listingDisagreesWithFlags, .warning, at: l.location,
            "listing \(name) does not agree with -fpatchable-function-entry=\(stated.total),"
              + "\(stated.before) stated in the same message (\(stated.before) pre-entry words): "
              + detail
              + (kept.isEmpty ? "" : "; the alternative that agrees is kept")))
        // With no alternative that agrees, every one is still shown: the reviewer decides.
        if kept.isEmpty {
          for alt in alternatives {
            var variant = l
            if let alt, conditional {
              variant.lines = l.lines.filter {
                $0.onlyWhenFunctionModulo8.map { $0 == alt } ?? true
              }
            }
            if let s = state(
              variant, name: conditional ? "\(name)-func\(alt ?? 0)mod8" : name,
              placement: placement, functionModulo8: conditional ? alt : functionModulo8,
              knownSymbols: knownSymbols, layout: &layout)
            {
              kept.append(s)
            }
          }
        }
      }
      layout.states += kept
    }
    // Only listings that name their state ("b) disabled:") are a sequence of states; bare
    // listings are sketches side by side ("what it is" and "what it should be").
    layout.transitions = sequence(
      layout.states.filter { !$0.name.hasPrefix("listing-") },
      location: listings.first?.location)
    return layout.states.isEmpty ? nil : layout
  }

  /// Sketched states follow each other in the order the message gives them: every word that
  /// differs between two consecutive states is a write, made while other CPUs may run the
  /// function unless the later state's heading says it happens at init (`init`, `boot`,
  /// `load`). Alternatives of one listing (`-func0mod8`, `-func4mod8`) are not a sequence:
  /// each follows the state before it with the same alignment.
  static func sequence(_ states: [LayoutState], location: SourceLocation?) -> [LayoutTransition] {
    func alignment(_ s: LayoutState) -> Substring? {
      s.name.hasSuffix("mod8") ? s.name.suffix(8) : nil
    }
    // Two alternatives of the same alignment belong to different listings: a sequence.
    func follows(_ a: LayoutState, _ b: LayoutState) -> Bool {
      guard let x = alignment(a), let y = alignment(b) else { return true }
      return x == y
    }
    var out: [LayoutTransition] = []
    for (k, to) in states.enumerated() {
      guard let from = states[..<k].last(where: { follows($0, to) }) else { continue }
      var writes: [LayoutWrite] = []
      var skip = Set<Int>()
      for w in to.words where !skip.contains(w.offset) {
        let old = from.word(at: w.offset)
        if w.kind == .literal, let high = to.word(at: w.offset + 4), high.kind == .literal {
          skip.insert(w.offset + 4)
          let oldLow = UInt64(old?.word ?? 0)
          let oldHigh = UInt64(from.word(at: w.offset + 4)?.word ?? 0)
          let new = UInt64(w.word) | UInt64(high.word) << 32
          let before = oldLow | oldHigh << 32
          if before != new {
            writes.append(
              LayoutWrite(
                offset: w.offset, old: before, new: new, width: 8, api: .writeLiteralU64,
                function: "prose", text: w.text.replacingOccurrences(of: " (low)", with: ""),
                location: location))
          }
        } else if old?.word != w.word {
          writes.append(
            LayoutWrite(
              offset: w.offset, old: UInt64(old?.word ?? Words.nop), new: UInt64(w.word),
              width: 4, api: .patchTextNosync, function: "prose", text: w.text,
              location: location))
        }
      }
      guard !writes.isEmpty else { continue }
      let lowered = to.name.lowercased()
      let initTime = ["init", "boot", "load"].contains { lowered.contains($0) }
      out.append(
        LayoutTransition(
          from: from.id, to: to.id, function: "the sketch",
          writes: writes, concurrent: !initTime, location: location))
    }
    return out
  }

  /// The series' symbol a listing's name stands for: the same name, or the one name that ends
  /// in `_` + the listing's (prose drops prefixes: `dummy_tramp` for `ftrace_dummy_tramp`).
  /// A one-word name (`tramp`, `ops`) is a placeholder, not a short name.
  static func seriesSymbol(_ name: String, in known: [String: UInt64]) -> (String, UInt64)? {
    if let a = known[name] { return (name, a) }
    guard name.contains("_") else { return nil }
    let matches = known.filter { $0.key.hasSuffix("_" + name) && !$0.key.hasPrefix("<") }
    guard matches.count == 1, let m = matches.first else { return nil }
    return (m.key, m.value)
  }

  /// Assembler text with blanks collapsed (`.quad\tx` → `.quad x`).
  static func clean(_ s: String) -> String {
    s.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
  }

  static func stateName(_ l: Listing) -> String? {
    let words = l.states.joined(separator: "-")
    switch (l.letter, words.isEmpty) {
    case (let letter?, false): return "\(letter)-\(words)"
    case (let letter?, true): return letter
    case (nil, false): return words
    default: return nil
    }
  }

  /// `<custom trampoline>` → `custom_trampoline`.
  static func identifier(_ s: String) -> String {
    var out = ""
    for c in s {
      if c.isLetter || c.isNumber || c == "_" {
        out.append(c)
      } else if c == " " || c == "-" {
        out.append("_")
      }
    }
    return out
  }

  static func rewrite(_ text: String) -> String {
    var out = ""
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
      out += rest[..<open]
      out += identifier(String(rest[rest.index(after: open)..<close]))
      rest = rest[rest.index(after: close)...]
    }
    return out + rest
  }

  static func state(
    _ l: Listing, name: String, placement: Placement, functionModulo8: Int?,
    knownSymbols: [String: UInt64] = [:], layout: inout Layout
  ) -> LayoutState? {
    var lines: [String] = []
    var lineOf: [Int] = []
    var labels: [String] = []
    for line in l.lines {
      if let label = line.label {
        lines.append(rewrite(label) + ":")
        lineOf.append(line.line)
        labels.append(rewrite(label))
      }
      if line.mnemonic != nil, let i = line.instruction {
        lines.append("\t" + rewrite(i))
        lineOf.append(line.line)
      }
    }
    let file = l.location.file
    let object: AssembledObject
    do throws(AssemblyError) {
      object = try Assembler.assemble(lines.joined(separator: "\n"), file: file)
    } catch {
      let line =
        error.location.line >= 1 && error.location.line <= lineOf.count
        ? lineOf[error.location.line - 1] : l.location.line
      layout.diagnostics.append(
        Diagnostic(
          LayoutMessage.couldNotModel, .warning, at: SourceLocation(file: file, line: line),
          "could not model listing \(name): \(error.message)"))
      return nil
    }
    guard let text = object.sections.first(where: { $0.executable }) ?? object.sections.first
    else { return nil }
    let funcLabel =
      ["func", "f", "function", "foo"].first { labels.contains($0) } ?? labels.first
    // Without a label, the function starts at the first instruction: literal words in front
    // of it are pre-function data (the ops literal of a CALL_OPS sketch).
    let firstInstruction = text.items.first { if case .insn = $0.kind { true } else { false } }
    let funcOffset =
      funcLabel == nil
      ? Int64(firstInstruction?.offset ?? 0)
      : object.symbols.first { $0.name == funcLabel && $0.section == text.name }
        .map(\.offset) ?? 0
    if funcLabel == nil {
      layout.assume(
        Assumption(
          .model,
          "listing \(name) has no label: its first instruction is taken as the function symbol"
            + (funcOffset > 0
              ? ", the \(funcOffset) bytes of data before it as pre-function words" : ""),
          at: l.location))
    }
    let funcAddress = placement.coreFunctionArea + 0x100 + UInt64(functionModulo8 ?? 0)
    if let m = functionModulo8 {
      layout.assume(
        Assumption(
          .alignment,
          "listing \(name): the function symbol is placed \(m) mod 8, as GCC places it for this version's flags"
        ))
    }
    let base = funcAddress &- UInt64(bitPattern: funcOffset)
    // Names the listing does not define get assumed addresses.
    var externals: [String: UInt64] = [:]
    let defined = Set(object.symbols.filter { $0.section != nil }.map(\.name))
    let fixed = Dictionary(placement.fixedSymbols, uniquingKeysWith: { a, _ in a })
    let far = (l.heading ?? "").lowercased().contains("out of")
    for sec in object.sections {
      for r in sec.relocations where !defined.contains(r.symbol) && !r.sectionRelative {
        guard externals[r.symbol] == nil else { continue }
        if let (series, address) = seriesSymbol(r.symbol, in: knownSymbols) {
          externals[r.symbol] = address
          layout.assume(
            Assumption(
              .model,
              "listing \(name): \(r.symbol) is the series' \(series) at 0x\(Words.hex(address))",
              at: l.location))
          continue
        }
        let a: UInt64
        switch r.symbol {
        case "ftrace_caller", "ftrace_regs_caller": a = placement.entryText
        case "custom_trampoline", "tramp", "trampoline", "direct_trampoline":
          a = far ? placement.farTrampoline : placement.nearTrampoline
        // The names a sketch gives the callsite's own ops (`.quad ops`): the model's ops, whose
        // func is the tracer.
        case "ops", "op", "my_ops", "callsite_ops":
          a = fixed["<callsite ops>"] ?? placement.data + 0x200
        default:
          a = fixed[r.symbol] ?? (placement.entryText + 0x800 + UInt64(externals.count) * 0x100)
        }
        externals[r.symbol] = a
        let note =
          "listing \(name): \(r.symbol) is not defined in the listing: assumed at 0x\(Words.hex(a))"
          + (r.symbol == "custom_trampoline"
            ? (far ? " (out of BL range, as the heading says)" : " (in BL range)") : "")
        layout.assume(Assumption(.address, note, at: l.location))
      }
    }
    let linked: AssembledObject
    do throws(AssemblyError) {
      linked = try object.link(bases: [text.name: base], symbols: externals, allowUndefined: true)
    } catch {
      layout.diagnostics.append(
        Diagnostic(
          LayoutMessage.couldNotModel, .warning,
          at: SourceLocation(file: file, line: l.location.line),
          "could not model listing \(name): \(error.message)"))
      return nil
    }
    guard let sec = linked.section(text.name) else { return nil }
    var names: [UInt64: String] = [:]
    for (n, a) in externals { names[a] = n }
    for s in linked.symbols where s.section == text.name {
      names[sec.base &+ UInt64(bitPattern: s.offset)] = s.name
    }
    var words: [LayoutWord] = []
    for item in sec.items {
      let off = Int(Int64(item.offset) - funcOffset)
      switch item.kind {
      case .insn(let w):
        words.append(
          LayoutWord(
            offset: off, word: w, kind: .insn,
            text: Words.text(w, at: base &+ UInt64(item.offset), symbols: names)))
      case .data(let bytes):
        var k = 0
        while k + 4 <= bytes.count {
          let w =
            UInt32(bytes[k]) | UInt32(bytes[k + 1]) << 8 | UInt32(bytes[k + 2]) << 16 | UInt32(
              bytes[k + 3]) << 24
          let half = bytes.count == 8 ? (k == 0 ? " (low)" : " (high)") : ""
          words.append(
            LayoutWord(offset: off + k, word: w, kind: .literal, text: clean(item.text) + half))
          k += 4
        }
      }
      if case .data = item.kind, item.size == 8 {
        let a = funcAddress &+ UInt64(bitPattern: Int64(off))
        let where_ = "func\(off >= 0 ? "+" : "")\(off)"
        if a % 8 != 0 {
          layout.diagnostics.append(
            Diagnostic(
              LayoutMessage.literalMisaligned, .warning,
              at: SourceLocation(file: file, line: l.location.line),
              "listing \(name): the 64-bit literal at \(where_) is not 8-byte aligned when the "
                + "function symbol is \(funcAddress % 8) mod 8"
                + (functionModulo8 != nil ? " (GCC's placement for this version's flags)" : "")))
        } else if functionModulo8 == nil {
          layout.assume(
            Assumption(
              .alignment,
              "listing \(name): the literal at \(where_) is 8-byte aligned only if the function symbol is \((8 - ((off % 8) + 8) % 8) % 8) mod 8",
              at: l.location))
        }
      }
    }
    var known: [String: UInt64] = [:]
    for (a, n) in names { known[n] = a }
    // The names the listing leaves undefined, at their assumed addresses: a run that reaches
    // one has reached code Patchsite does not have, not a wrong address.
    for (n, a) in externals where known[n] == nil { known[n] = a }
    return LayoutState(
      name: name, words: words, placement: .core, functionAddress: funcAddress,
      note: (l.heading ?? "") + " (\(file):\(l.location.line))", symbols: known)
  }
}
