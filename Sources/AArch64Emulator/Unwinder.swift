/// The arm64 frame-record unwinder as the kernel implements it (arch/arm64/kernel/stacktrace.c,
/// the `kunwind_*` code; DOMAIN.md §5):
///
/// - the first frame is the PC, then the walk follows `{fp, lr}` records at FP — the LR
///   register is *not* consumed, so a function interrupted before it stores its record loses
///   its caller;
/// - FP must be 8-byte aligned and the 16-byte record must lie on a known stack; each record
///   consumed raises the stack's low bound past it (records must move up the stack, which also
///   stops loops), and leaving a stack destroys it;
/// - a `{0, 0}` record is a metadata record: type FINAL (1) at the task's final record ends the
///   walk successfully, type PT_REGS (2) is an exception boundary (the walk continues from the
///   saved `pt_regs` PC and x29);
/// - return addresses are PAC-stripped, and `return_to_handler` is replaced by the graph
///   tracer's saved return address.
///
/// `reliable` mode is `arch_stack_walk_reliable`: it fails at an exception boundary and on any
/// error, and (as `reliable-stacktrace.rst` requires) on a PC that is not in kernel text.
public struct Unwinder: Sendable {
  /// A stack the walk may read records from: [low, high).
  public struct Stack: Sendable, Hashable {
    public var name: String
    public var low: UInt64
    public var high: UInt64
    public init(name: String, low: UInt64, high: UInt64) {
      self.name = name
      self.low = low
      self.high = high
    }
  }

  /// Where the walk started (kernel `KUNWIND_SOURCE_*`).
  public enum Source: String, Sendable, Hashable {
    /// From a frame record.
    case frame
    /// From the current task's caller.
    case caller = "C"
    /// From a blocked task's saved context.
    case task = "T"
    /// From exception registers (`pt_regs`): an exception boundary.
    case regsPC = "P"
  }

  /// One reported frame.
  public struct Frame: Sendable, Hashable {
    public var pc: UInt64
    /// The FP used to reach the next frame.
    public var fp: UInt64
    public var source: Source
    /// The PC was recovered from the graph tracer's return stack (printed `(F)`).
    public var recoveredFromGraph: Bool
  }

  /// Why a walk stopped early.
  public enum Failure: Sendable, Hashable, CustomStringConvertible {
    case misalignedFP(UInt64)
    /// The record at FP is not (entirely) on a stack the walk may still use.
    case recordNotOnStack(UInt64)
    /// A FINAL metadata record that is not the task's final record.
    case unexpectedFinalRecord(UInt64)
    /// A `{0, 0}` record whose type is neither FINAL nor PT_REGS.
    case badMetadataType(UInt64, type: UInt64)
    /// `return_to_handler` with no matching graph-return entry.
    case unrecoverableReturnAddress(pc: UInt64, fp: UInt64)
    /// Reliable mode: reached an exception boundary (`KUNWIND_SOURCE_REGS_PC`).
    case exceptionBoundary(pc: UInt64)
    /// Reliable mode: a PC outside kernel text.
    case unknownReturnAddress(UInt64)
    /// The frame limit was reached.
    case tooManyFrames

    public var description: String {
      switch self {
      case .misalignedFP(let fp): "frame pointer \(hex(fp)) is not 8-byte aligned"
      case .recordNotOnStack(let fp): "frame record at \(hex(fp)) is not on a usable stack"
      case .unexpectedFinalRecord(let fp): "final metadata record at \(hex(fp)) is not the task's"
      case .badMetadataType(let fp, let t): "metadata record at \(hex(fp)) has type \(t)"
      case .unrecoverableReturnAddress(let pc, let fp):
        "return_to_handler at \(hex(pc)) (fp \(hex(fp))) has no graph-return entry"
      case .exceptionBoundary(let pc): "exception boundary at \(hex(pc)): the LR may have been live"
      case .unknownReturnAddress(let pc): "return address \(hex(pc)) is not in kernel text"
      case .tooManyFrames: "too many frames"
      }
    }
  }

  /// The walk: the frames reported, and how it ended (nil = the final record, success).
  public struct Walk: Sendable, Hashable {
    public var frames: [Frame]
    public var failure: Failure?
    /// True for a reliable walk that succeeded.
    public var isReliable: Bool { failure == nil }
    public var pcs: [UInt64] { frames.map(\.pc) }

    /// One line per frame, kernel `dump_backtrace` style: ` func+0x10/0x40 (P)`.
    public func render(symbols: SymbolTable) -> String {
      var out = frames.map { f -> String in
        var info = f.source == .frame ? "" : f.source.rawValue
        if f.recoveredFromGraph { info += "F" }
        return " \(symbols.describe(f.pc))" + (info.isEmpty ? "" : " (\(info))")
      }
      if let failure { out.append(" [stopped: \(failure)]") }
      return out.joined(separator: "\n")
    }
  }

  /// Layout of `struct pt_regs` for PT_REGS metadata records: offsets from the embedded
  /// `stackframe` (the metadata record) back to `pc` and `regs[29]`, and the struct's size.
  /// Defaults follow the v6.13+ layout (regs[31], sp, pc, pstate, orig_x0, syscallno, pmr,
  /// sdei_ttbr1, stackframe at 0x128, size 0x150).
  public struct PtRegsLayout: Sendable, Hashable {
    public var stackframeOffset: UInt64 = 0x128
    public var pcOffset: UInt64 = 0x100
    public var x29Offset: UInt64 = 29 * 8
    public var size: UInt64 = 0x150
    public init() {}
  }

  public var symbols: SymbolTable
  public var stacks: [Stack]
  /// The task's final frame record (`&task_pt_regs(tsk)->stackframe`); nil accepts any FINAL
  /// metadata record.
  public var finalRecord: UInt64?
  /// `return_to_handler`'s address, if the graph tracer is modelled.
  public var returnToHandler: UInt64?
  /// The graph tracer's return stack: (fp the entry is keyed by, original return address).
  public var graphReturns: [(fp: UInt64, returnAddress: UInt64)] = []
  public var ptRegs = PtRegsLayout()
  public var maxFrames = 256

  public init(symbols: SymbolTable, stacks: [Stack], finalRecord: UInt64? = nil) {
    self.symbols = symbols
    self.stacks = stacks
    self.finalRecord = finalRecord
  }

  /// `arch_stack_walk` from exception registers (an interrupt at `machine`'s PC): first frame
  /// `pc`, then the records from `x29`.
  public func walk(_ machine: Machine) -> Walk {
    walk(
      pc: machine.pc, fp: machine.x(29), source: .regsPC, memory: machine.memory, reliable: false)
  }

  /// The walk from an explicit start.
  public func walk(
    pc: UInt64, fp: UInt64, source: Source, memory: Memory, reliable: Bool
  ) -> Walk {
    var state = State(pc: pc, fp: fp, source: source, stacks: stacks)
    var frames: [Frame] = []
    var graphIndex = graphReturns.count
    func recover(_ s: inout State) -> Failure? {
      guard let rth = returnToHandler, s.pc == rth else { return nil }
      // ftrace_graph_ret_addr: the newest remaining entry keyed by this fp.
      guard
        let i = graphReturns[..<graphIndex].lastIndex(where: { $0.fp == s.fp })
      else { return .unrecoverableReturnAddress(pc: s.pc, fp: s.fp) }
      graphIndex = i
      s.pc = graphReturns[i].returnAddress
      s.fromGraph = true
      return nil
    }
    if let f = recover(&state) { return Walk(frames: frames, failure: f) }
    while true {
      // consume_state
      if reliable {
        if state.source == .regsPC {
          return Walk(frames: frames, failure: .exceptionBoundary(pc: state.pc))
        }
        if symbols.kallsyms(state.pc) == nil {
          return Walk(frames: frames, failure: .unknownReturnAddress(state.pc))
        }
      }
      frames.append(
        Frame(pc: state.pc, fp: state.fp, source: state.source, recoveredFromGraph: state.fromGraph)
      )
      if frames.count >= maxFrames { return Walk(frames: frames, failure: .tooManyFrames) }
      // kunwind_next
      state.fromGraph = false
      switch next(&state, memory) {
      case .end: return Walk(frames: frames, failure: nil)
      case .failure(let f): return Walk(frames: frames, failure: f)
      case .ok:
        state.pc = PointerAuth.strip(state.pc)
        if let f = recover(&state) { return Walk(frames: frames, failure: f) }
      }
    }
  }

  struct State {
    var pc: UInt64
    var fp: UInt64
    var source: Source
    var stacks: [Stack]
    /// Index of the stack currently being unwound (its `low` rises as records are consumed).
    var current: Int?
    var fromGraph = false
  }

  enum Step {
    case ok, end
    case failure(Failure)
  }

  /// unwind_find_stack: the stack holding [sp, sp + size), current stack first.
  func findStack(_ s: State, _ sp: UInt64, _ size: UInt64) -> Int? {
    let order = (s.current.map { [$0] } ?? []) + s.stacks.indices.filter { $0 != s.current }
    for i in order {
      let st = s.stacks[i]
      if st.low < st.high && sp >= st.low && sp < st.high && st.high - sp >= size { return i }
    }
    return nil
  }

  /// unwind_consume_stack: leaving a stack destroys it; the new low bound is past the record.
  func consume(_ s: inout State, _ i: Int, _ sp: UInt64, _ size: UInt64) {
    if let c = s.current, c != i {
      s.stacks[c].low = 0
      s.stacks[c].high = 0
    }
    s.current = i
    s.stacks[i].low = sp &+ size
  }

  func next(_ s: inout State, _ memory: Memory) -> Step {
    let fp = s.fp
    if fp & 7 != 0 { return .failure(.misalignedFP(fp)) }
    guard let info = findStack(s, fp, 16) else { return .failure(.recordNotOnStack(fp)) }
    let newFP = memory.quad(at: fp) ?? 0
    let newPC = memory.quad(at: fp &+ 8) ?? 0
    if newFP == 0 && newPC == 0 {
      // kunwind_next_frame_record_meta
      guard findStack(s, fp, 24) != nil else { return .failure(.recordNotOnStack(fp)) }
      let type = memory.quad(at: fp &+ 16) ?? 0
      switch type {
      case 1:
        if finalRecord == nil || finalRecord == fp { return .end }
        return .failure(.unexpectedFinalRecord(fp))
      case 2:
        let regs = fp &- ptRegs.stackframeOffset
        guard let i = findStack(s, regs, ptRegs.size) else {
          return .failure(.recordNotOnStack(regs))
        }
        consume(&s, i, regs, ptRegs.size)
        s.pc = memory.quad(at: regs &+ ptRegs.pcOffset) ?? 0
        s.fp = memory.quad(at: regs &+ ptRegs.x29Offset) ?? 0
        s.source = .regsPC
        return .ok
      default:
        return .failure(.badMetadataType(fp, type: type))
      }
    }
    consume(&s, info, fp, 16)
    s.fp = newFP
    s.pc = newPC
    s.source = .frame
    return .ok
  }
}
