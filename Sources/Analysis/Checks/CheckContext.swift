import AArch64
import AArch64Emulator
import Diagnostics

/// What every check sees: the layout, and each of its states run in a scenario.
public struct CheckContext: Sendable {
  public var layout: Layout
  /// One run per state that could be placed.
  public var runs: [ScenarioRun]
  /// States that could not be placed, and why.
  public var unplaced: [(StateID, ScenarioError)]

  public init(layout: Layout, runs: [ScenarioRun], unplaced: [(StateID, ScenarioError)] = []) {
    self.layout = layout
    self.runs = runs
    self.unplaced = unplaced
  }

  /// The assumptions of the layout that say where things are placed, for findings that rest
  /// on the placement.
  public var placementAssumptions: [String] {
    layout.assumptions.filter { $0.kind == .address }.map(\.text)
  }

  /// The text of `w` at `pc`, with the target's name from the scenario's symbols.
  static func text(_ w: UInt32, at pc: UInt64, _ symbols: SymbolTable) -> String {
    var bytes: [UInt8] = []
    A64.print(A64.decode(w), pc: pc, into: &bytes)
    for k in bytes.indices where bytes[k] == 0x09 { bytes[k] = 0x20 }
    var s = String(decoding: bytes, as: UTF8.self)
    if let t = Words.branchTarget(A64.decode(w), pc: pc), let l = symbols.lookup(t) {
      s += " <\(l.symbol.name)\(l.offset == 0 ? "" : "+0x" + String(l.offset, radix: 16))>"
    }
    return s
  }

  /// An evidence line for the word at `pc` in `run`'s memory.
  static func line(_ run: ScenarioRun, _ pc: UInt64, note: String = "") -> EvidenceLine {
    let w = run.scenario.machine.memory.word(at: pc)
    return EvidenceLine(
      address: pc, word: w, text: w.map { text($0, at: pc, run.scenario.symbols) } ?? "(unmapped)",
      note: note)
  }

  /// The heading of a run's evidence block.
  static func heading(_ run: ScenarioRun) -> String {
    "emulated: state \(run.scenario.state.name), "
      + (run.scenario.bti ? "BTI on, guarded pages" : "BTI off")
      + (run.scenario.state.placement == .module ? ", traced function in a module" : "")
  }

  /// The last `count` instructions the run fetched, as evidence lines.
  static func tail(_ run: ScenarioRun, _ count: Int) -> [EvidenceLine] {
    run.steps.suffix(count).map { line(run, $0.pc) }
  }
}

/// The review of one layout: every check run over every state.
public struct LayoutReview: Sendable {
  public var layout: Layout
  public var findings: [Finding]
  /// What could not be reviewed (a state that could not be placed, a run that stopped in
  /// code Patchsite only models).
  public var diagnostics: [Diagnostic]
  public var scenarios: Int
  public var instructions: Int

  /// Places every state, runs it, and runs every implemented check.
  public static func review(_ layout: Layout, placement: Placement = Placement()) -> LayoutReview {
    var runs: [ScenarioRun] = []
    var unplaced: [(StateID, ScenarioError)] = []
    var diagnostics: [Diagnostic] = []
    for state in layout.states where !state.words.isEmpty {
      do throws(ScenarioError) {
        let s = try Scenario.build(layout, state, placement: placement)
        runs.append(s.run())
      } catch {
        unplaced.append((state.id, error))
        diagnostics.append(
          Diagnostic(
            ReviewMessage.scenario, .note, at: SourceLocation(file: layout.source),
            "state \(state.name) could not be placed: \(error)"))
      }
    }
    let context = CheckContext(layout: layout, runs: runs, unplaced: unplaced)
    var findings: [Finding] = []
    for (_, run) in CheckCatalogue.runners { findings += run(context) }
    findings = findings.map { conditional($0, on: layout) }
    for r in runs {
      guard let f = r.fault, !FaultClassifier.isFinding(f, in: r) else { continue }
      diagnostics.append(
        Diagnostic(
          ReviewMessage.notModelled, .note, at: SourceLocation(file: layout.source),
          "state \(r.scenario.state.name): the run stopped in code Patchsite does not have "
            + "(\(f)); what follows that point is not checked"))
    }
    return LayoutReview(
      layout: layout, findings: findings, diagnostics: diagnostics, scenarios: runs.count,
      instructions: runs.reduce(0) { $0 + $1.steps.count })
  }
}

/// A finding that rests on an era default (a flag or an ftrace.c function the hunks do not
/// show) cites it, and an error becomes a warning: the result holds only if the default does.
func conditional(_ f: Finding, on layout: Layout) -> Finding {
  let defaults = layout.assumptions.filter(\.isEraDefault).filter { d in
    d.subjects.contains { subject in
      switch subject {
      case "-mbranch-protection": f.check.category == .bti || f.check.category == .config
      case "function alignment": f.check.category == .alignment
      default: f.check.category != .size
      }
    }
  }
  guard !defaults.isEmpty else { return f }
  var out = f
  for d in defaults where !out.assumptions.contains(d.text) { out.assumptions.append(d.text) }
  for d in defaults where !out.conditions.contains(d.text) { out.conditions.append(d.text) }
  if out.severity == .error {
    out.severity = .warning
    out.message +=
      " (conditional: it rests on what the era's defaults say for "
      + Set(defaults.flatMap(\.subjects)).sorted().joined(separator: ", ") + ")"
  }
  return out
}

/// IDs of the review's own diagnostics.
public enum ReviewMessage {
  public static let scenario: MessageID = "review.scenario"
  public static let notModelled: MessageID = "review.not-modelled"
}

/// Which faults are the series' problem and which come from what the scenario could not
/// model (a branch to a symbol the files name but do not define).
enum FaultClassifier {
  static func isFinding(_ f: Fault, in run: ScenarioRun) -> Bool {
    // A fault on a word of the patch-site itself is the series' (the words are its own).
    if f.pc >= run.scenario.patchStart && f.pc < run.scenario.patchEnd { return true }
    switch f.reason {
    case .branchTarget, .breakpoint, .pointerAuthentication: return true
    case .unmapped(.fetch, let address):
      // A branch to a symbol the state knows but the scenario has no code for is a gap of the
      // model; a branch to nothing known is the series'.
      return !run.scenario.state.symbols.values.contains(address)
    default: return false
    }
  }
}
