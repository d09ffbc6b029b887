import AArch64
import AArch64Emulator

/// What happened when a scenario ran: every instruction fetched with the BTYPE it was
/// fetched under, every branch, and how the run ended.
public struct ScenarioRun: Sendable {
  public struct Step: Sendable, Hashable {
    public var pc: UInt64
    public var word: UInt32
    public var btype: UInt8
  }

  public var scenario: Scenario
  public var steps: [Step]
  public var branches: [BranchEvent]
  public var result: RunResult
  /// The machine where the run stopped.
  public var machine: Machine
  /// Reliable walks taken at the tracer's probe point (`NOP` after its frame record), one
  /// per time the tracer ran.
  public var tracerWalks: [Unwinder.Walk]
  /// The frame records on the stack where the tracer runs, newest first: the chain from X29,
  /// as the bytes lie (at most 8 records, stopping at an unmapped or misaligned one).
  public var tracerRecords: [[FrameRecord]]
  /// The walk an interrupt would get at each instruction of the callsite and the trampolines
  /// (not the caller, the tracer or the stubs Patchsite models), before it executes.
  public var interruptWalks: [InterruptWalk]
  /// X30 each time the run reached the scenario's `signPoint`: what the callsite and its
  /// trampoline handed back before the function signs it.
  public var bodyEntryLRs: [UInt64] = []

  /// The fault the run stopped at, if any.
  public var fault: Fault? {
    if case .fault(let f) = result.stop { return f }
    return nil
  }

  /// The step budget of a scenario: a callsite and a trampoline run a few hundred.
  public static let budget = 20_000
}

/// One frame record as it lies on the stack: its address, the saved X29 and the saved X30.
public struct FrameRecord: Sendable, Hashable {
  public var address: UInt64
  public var fp: UInt64
  public var lr: UInt64
}

/// The unwinder's walk from an interrupt at `pc`, and where the caller's return address was
/// then.
public struct InterruptWalk: Sendable {
  public var pc: UInt64
  public var walk: Unwinder.Walk
  /// The registers that held the return address into the traced function's caller.
  public var holders: [Int]
  /// Whether the walk reported the return into the caller.
  public var reportsCaller: Bool
}

private struct Recorder: MachineObserver {
  var steps: [ScenarioRun.Step] = []
  var branches: [BranchEvent] = []
  mutating func fetch(pc: UInt64, word: UInt32, btype: UInt8) {
    steps.append(ScenarioRun.Step(pc: pc, word: word, btype: btype))
  }
  mutating func branch(_ event: BranchEvent) { branches.append(event) }
}

extension Scenario {
  /// Runs the scenario from the caller until it returns, faults or runs out of budget. The
  /// run stops at the tracer's probe point each time it gets there, to take the reliable walk
  /// a tracer calling `stack_trace_save_tsk_reliable` would get.
  public func run(budget: Int = ScenarioRun.budget) -> ScenarioRun {
    var m = machine
    var recorder = Recorder()
    var walks: [Unwinder.Walk] = []
    var chains: [[FrameRecord]] = []
    let probe = tracer.address + 12
    let unwinder = self.unwinder
    var left = budget
    var result = RunResult(steps: 0, stop: .stepLimit)
    var total = 0
    var interrupts: [InterruptWalk] = []
    let skip = modelled.map { $0.address..<($0.address + max($0.size, 4)) }
    let back = returnIntoCaller
    var bodyLRs: [UInt64] = []
    while left > 0 {
      if m.pc == signPoint { bodyLRs.append(m.x(30)) }
      if m.memory.isMapped(m.pc) && !skip.contains(where: { $0.contains(m.pc) }) {
        let w = unwinder.walk(m)
        var holders: [Int] = []
        for n in 0...30 where m.x(n) == back { holders.append(n) }
        interrupts.append(
          InterruptWalk(
            pc: m.pc, walk: w, holders: holders, reportsCaller: w.pcs.contains(back)))
      }
      let r = m.run(maxSteps: 1, observer: &recorder)
      total += r.steps
      left -= max(1, r.steps)
      result = RunResult(steps: total, stop: r.stop)
      if case .stepLimit = r.stop {
        if m.pc == probe {
          walks.append(
            unwinder.walk(
              pc: m.pc, fp: m.x(29), source: .caller, memory: m.memory, reliable: true))
          var chain: [FrameRecord] = []
          var fp = m.x(29)
          while chain.count < 8, fp & 7 == 0, let saved = m.memory.quad(at: fp),
            let lr = m.memory.quad(at: fp &+ 8)
          {
            chain.append(FrameRecord(address: fp, fp: saved, lr: lr))
            if saved == 0 { break }
            fp = saved
          }
          chains.append(chain)
        }
        continue
      }
      break
    }
    return ScenarioRun(
      scenario: self, steps: recorder.steps, branches: recorder.branches, result: result,
      machine: m, tracerWalks: walks, tracerRecords: chains, interruptWalks: interrupts,
      bodyEntryLRs: bodyLRs)
  }

  /// `pc` as bytes from the function symbol (negative before it).
  public func offset(of pc: UInt64) -> Int {
    Int(Int64(bitPattern: pc &- function.address))
  }

  /// The symbol `pc` lies in (with its size), else the address.
  public func name(_ pc: UInt64) -> String {
    if let l = symbols.lookup(pc) { return l.description }
    return "0x" + Words.hex(pc)
  }

  /// The kernel's unwinder over this scenario's symbols and task stack.
  public var unwinder: Unwinder {
    Unwinder(symbols: symbols, stacks: [stack], finalRecord: finalRecord)
  }
}
