import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.16: instructions before the function symbol that run. kallsyms keeps no
/// sizes, so a PC there resolves to the previous function at a large offset: backtraces,
/// kprobes and RELIABLE_STACKTRACE see the wrong function.
enum PreEntryExecutedCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      let s = r.scenario
      var pcs: [UInt64] = []
      for step in r.steps where step.pc >= s.patchStart && step.pc < s.function.address {
        if !pcs.contains(step.pc) { pcs.append(step.pc) }
      }
      guard let first = pcs.first else { continue }
      let lines = pcs.map { pc -> EvidenceLine in
        let resolved = s.symbols.kallsyms(pc).map { "kallsyms: \($0)" } ?? "no symbol"
        return CheckContext.line(r, pc, note: resolved)
      }
      let offset = s.offset(of: first)
      out.append(
        Finding(
          CheckCatalogue.preEntryExecuted,
          message: "state \(s.state.name) executes \(pcs.count) instruction"
            + "\(pcs.count == 1 ? "" : "s") before the function symbol, from "
            + "func\(signed(offset))",
          explanation: "kallsyms keeps no symbol sizes: a PC below the symbol is reported as "
            + "the previous function at a large offset. A backtrace, kprobes' blacklist and a "
            + "reliable unwinder then name the wrong function.",
          state: s.state.id, offset: offset, assumptions: s.assumptions,
          evidence: Evidence(
            blocks: [.init(CheckContext.heading(r), lines)],
            facts: [("first", "0x" + Words.hex(first)), ("count", "\(pcs.count)")]),
          location: c.location(ofCodeAt: first, in: s)))
    }
    return Dedupe.byMessageShape(out)
  }
}

/// DOMAIN.md §6.20: the reliable walk a tracer gets (`stack_trace_save_tsk_reliable` from the
/// ops' func) must name the tracer, the trampolines, the traced function and its caller, each
/// once and under its own symbol.
enum WalkCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      let s = r.scenario
      for walk in r.tracerWalks {
        let named = walk.frames.map { s.symbols.describe($0.pc) }
        var problems: [String] = []
        let inFunction = walk.frames.contains {
          $0.pc >= s.function.address && $0.pc < s.function.address + s.function.size
        }
        let caller = walk.frames.contains { $0.pc == s.returnIntoCaller }
        let preEntry = walk.frames.filter { $0.pc >= s.patchStart && $0.pc < s.function.address }
        if !inFunction { problems.append("the traced function is missing") }
        if !caller { problems.append("its caller is missing") }
        for f in preEntry {
          problems.append(
            "0x\(Words.hex(f.pc)), in the traced function's patch area, is named "
              + (s.symbols.kallsyms(f.pc).map { "\($0)" } ?? "nothing"))
        }
        var seen: Set<UInt64> = []
        for f in walk.frames where !seen.insert(f.pc).inserted {
          problems.append("\(s.name(f.pc)) is reported twice")
        }
        let failed = walk.failure
        guard !problems.isEmpty || failed != nil else { continue }
        let expected = [
          "patchsite_tracer", "(the trampolines)", "patchsite_traced_function",
          "patchsite_caller",
        ]
        var lines = [EvidenceLine(text: "expected: " + expected.joined(separator: " <- "))]
        lines += named.map { EvidenceLine(text: $0) }
        if let failed { lines.append(EvidenceLine(text: "[stopped: \(failed)]")) }
        let message: String
        let severity: Severity
        if problems.isEmpty, let failed {
          // A reliable walk that refuses is safe; it only costs livepatch its transition.
          severity = .warning
          message = "state \(s.state.name): the reliable walk from the tracer fails (\(failed))"
        } else {
          severity = .error
          message =
            "state \(s.state.name): the reliable walk from the tracer is wrong: "
            + problems.joined(separator: "; ")
        }
        out.append(
          Finding(
            CheckCatalogue.walk, severity: severity, message: message,
            explanation: "A tracer that asks for a reliable stack trace must get every function "
              + "the task will return to, under its own name, or an error. Livepatch relies on "
              + "it to know that no task is inside a function it replaces.",
            state: s.state.id, assumptions: s.assumptions,
            evidence: Evidence(
              blocks: [.init(CheckContext.heading(r) + ", reliable walk at the tracer", lines)]),
            location: nil))
      }
    }
    return Dedupe.byMessageShape(out)
  }
}

/// DOMAIN.md §6.20, from interrupts: the unwinder's walk from an interrupt at each
/// instruction of the callsite and the trampolines must name the interrupted function under
/// its own symbol and report no frame twice.
enum InterruptWalkCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      let s = r.scenario
      var misnamed: [InterruptWalk] = []
      var repeated: [InterruptWalk] = []
      for iw in r.interruptWalks {
        if let first = iw.walk.frames.first, first.pc >= s.patchStart,
          first.pc < s.function.address
        {
          misnamed.append(iw)
        }
        if Set(iw.walk.pcs).count != iw.walk.pcs.count { repeated.append(iw) }
      }
      if let first = misnamed.first {
        out.append(
          Finding(
            CheckCatalogue.walk,
            message: "state \(s.state.name): an interrupt at \(misnamed.count) instruction"
              + "\(misnamed.count == 1 ? "" : "s") of the patch area is reported in "
              + (s.symbols.kallsyms(first.pc).map { $0.symbol.name } ?? "no function")
              + ", not in the traced function",
            explanation: "The unwinder names the interrupted PC by kallsyms, which has no "
              + "sizes: a PC below the function symbol belongs to the previous function.",
            state: s.state.id,
            offset: s.offset(of: first.pc),
            assumptions: s.assumptions,
            evidence: Evidence(
              blocks: [
                .init(
                  CheckContext.heading(r) + ", walk from an interrupt at 0x\(Words.hex(first.pc))",
                  [CheckContext.line(r, first.pc, note: "interrupted here")]
                    + first.walk.frames.map { EvidenceLine(text: s.symbols.describe($0.pc)) })
              ]),
            location: c.location(ofCodeAt: first.pc, in: s)))
      }
      if let first = repeated.first {
        out.append(
          Finding(
            CheckCatalogue.walk,
            message: "state \(s.state.name): an interrupt at \(s.name(first.pc)) "
              + "gives a walk that reports a frame twice",
            explanation: "A frame record that repeats the interrupted PC makes a backtrace show "
              + "one function twice; reliable-stacktrace.rst counts that as an error.",
            state: s.state.id, assumptions: s.assumptions,
            evidence: Evidence(
              blocks: [
                .init(
                  CheckContext.heading(r) + ", walk from an interrupt",
                  first.walk.frames.map { EvidenceLine(text: s.symbols.describe($0.pc)) })
              ]),
            location: c.location(ofCodeAt: first.pc, in: s)))
      }
    }
    return Dedupe.byMessageShape(out)
  }
}

/// DOMAIN.md §6.18: the instructions during which the traced function's caller appears in no
/// frame record, only in a register (X30, then X9): an interrupt there gives a walk without
/// it. Every callsite of this family has such a window; its length is what a design changes.
enum ReturnAddressWindowCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      let s = r.scenario
      // Only the instructions ftrace adds: the trampolines, PLTs and direct trampolines the
      // callsite leads to (the function's own words and prologue have the window of any
      // function entry).
      let window = r.interruptWalks.filter {
        !$0.reportsCaller && !$0.holders.isEmpty
          && !($0.pc >= s.patchStart && $0.pc < s.function.address + s.function.size)
      }
      guard let first = window.first, let last = window.last else { continue }
      let registers = Array(Set(window.flatMap(\.holders))).sorted().map { "x\($0)" }
      let lines = window.prefix(12).map { iw in
        CheckContext.line(
          r, iw.pc, note: "caller only in " + iw.holders.map { "x\($0)" }.joined(separator: ", "))
      }
      out.append(
        Finding(
          CheckCatalogue.returnAddressWindow,
          message: "state \(s.state.name): for \(window.count) instruction"
            + "\(window.count == 1 ? "" : "s") after the callsite's BL, from "
            + "\(s.name(first.pc)) to \(s.name(last.pc)), the caller's return address is only in "
            + registers.joined(separator: "/"),
          explanation: "An interrupt in this window unwinds without the traced function's "
            + "caller. arch_stack_walk_reliable stops at the exception boundary, so this is "
            + "safe for livepatch, but every other backtrace taken there misses a frame.",
          state: s.state.id, assumptions: s.assumptions,
          evidence: Evidence(
            blocks: [.init(CheckContext.heading(r), lines)],
            facts: [
              ("instructions", "\(window.count)"), ("registers", registers.joined(separator: ",")),
            ]),
          location: c.location(ofCodeAt: first.pc, in: s)))
    }
    return Dedupe.byMessageShape(out)
  }
}
