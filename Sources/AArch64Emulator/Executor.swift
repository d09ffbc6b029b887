import AArch64

/// Why the run loop stopped, internally (a fault or the return to the sentinel).
enum Stop: Error {
  case fault(Fault)
  case returned
}

/// The dummy page the TLB pointers start on (never matched: its page number is impossible).
/// Its op cache is allocated here, once (global initialisation is thread-safe), so executors on
/// several threads only ever read it.
let dummyPage: Page = {
  let p = Page(permissions: [], guarded: false)
  _ = p.opCache()
  return p
}()

/// The interpreter's working state for one `run`: the machine's fields moved into locals
/// with the register file behind a pointer and one-entry TLBs for code, loads and stores.
/// Nothing here allocates per step; handlers live in `Execute+<Class>.swift`.
struct Executor {
  var r: UnsafeMutablePointer<UInt64>
  var pc: UInt64
  /// N=8, Z=4, C=2, V=1.
  var nzcv: UInt8
  var btype: UInt8
  var memory: Memory
  var system: SystemRegisters
  var options: Machine.Options
  var monitor: ExclusiveMonitor
  var events: [SystemEvent]
  var steps: Int = 0

  // Code TLB: `codeBase` is the page base; a PC matches only if it is in the page and aligned.
  var codeBase: UInt64 = 1
  var codeOps: UnsafeMutablePointer<Op>
  var codeBytes: UnsafeMutableRawPointer
  var codeFetched: UnsafeMutablePointer<UInt64>
  var codeGuarded = false
  // Load TLB (readable page) and store TLB (writable, non-executable, unique page).
  var loadPage: UInt64 = .max
  var loadBytes: UnsafeMutableRawPointer
  var storePage: UInt64 = .max
  var storeBytes: UnsafeMutableRawPointer
  /// SCTLR.A: every access must be aligned.
  var strict: Bool
  /// Return sentinel.
  let sentinel: UInt64

  init(machine m: inout Machine, registers: UnsafeMutablePointer<UInt64>) {
    r = registers
    pc = m.pc
    nzcv = m.nzcv
    btype = m.btype
    memory = Memory()
    swap(&memory, &m.memory)
    system = m.system
    options = m.options
    monitor = m.monitor
    events = []
    swap(&events, &m.events)
    codeOps = dummyPage.opCache()
    codeBytes = dummyPage.bytes
    codeFetched = dummyPage.fetched
    loadBytes = dummyPage.bytes
    storeBytes = dummyPage.bytes
    strict = m.system.sctlrEL1 & SystemRegisters.SCTLR.a != 0
    sentinel = Machine.returnAddress
  }

  /// Moves the state back into the machine.
  mutating func finish(into m: inout Machine) {
    m.pc = pc
    m.nzcv = nzcv
    m.btype = btype
    swap(&memory, &m.memory)
    m.system = system
    m.monitor = monitor
    swap(&events, &m.events)
    m.steps += steps
  }

  @inline(__always) func x(_ s: UInt8) -> UInt64 { r[Int(s)] }
  @inline(__always) func w(_ s: UInt8) -> UInt32 { UInt32(truncatingIfNeeded: r[Int(s)]) }
  @inline(__always) func set(_ s: UInt8, _ v: UInt64) { r[Int(s)] = v }
  @inline(__always) func setW(_ s: UInt8, _ v: UInt32) { r[Int(s)] = UInt64(v) }

  // MARK: The loop

  /// Runs until `limit` instructions have completed in this call, a fault, or the return.
  mutating func run<O: MachineObserver>(limit: Int, observer: inout O) -> Stop? {
    if O.self == NoObserver.self { return runUnobserved(limit: limit) }
    return runObserved(limit: limit, observer: &observer)
  }

  /// The loop with hooks: one op at a time through `execute`, the observer told of each step.
  mutating func runObserved<O: MachineObserver>(limit: Int, observer: inout O) -> Stop? {
    let record = options.recordFetches
    while steps < limit {
      if pc & 0xFFFF_FFFF_FFFF_F003 != codeBase {
        do { try fillCode() } catch { return error }
      }
      let idx = Int(truncatingIfNeeded: (pc & 0xfff) >> 2)
      var op = codeOps[idx]
      if op.kind == .undecoded { op = decodeSlot(idx) }
      if record { codeFetched[idx >> 6] |= 1 << UInt64(idx & 63) }
      let bt = btype
      if bt != 0 {
        btype = 0
        if codeGuarded && !landingPadAccepts(op, bt) {
          return .fault(
            Fault(
              .branchTarget(
                btype: bt, word: codeBytes.load(fromByteOffset: idx << 2, as: UInt32.self)), pc: pc)
          )
        }
      }
      if O.self != NoObserver.self {
        observer.fetch(
          pc: pc,
          word: UInt32(littleEndian: codeBytes.load(fromByteOffset: idx << 2, as: UInt32.self)),
          btype: bt)
      }
      do {
        try execute(op, &observer)
      } catch {
        return .fault(error)
      }
      steps += 1
      if O.self != NoObserver.self {
        observer.retire(
          pc: pc, registers: UnsafeBufferPointer(start: r, count: Slot.count), nzcv: nzcv)
      }
    }
    return nil
  }

  /// Executes one op: updates registers, memory and `pc`.
  @inline(__always)
  mutating func execute<O: MachineObserver>(_ op: Op, _ obs: inout O) throws(Fault) {
    switch op.kind {
    case .undecoded, .decodeFault, .pageEnd: throw decodeFault(op)
    case .b:
      pc = pc &+ op.imm; if O.self != NoObserver.self { branched(.direct, op, obs: &obs) }; return
    case .bl:
      r[30] = pc &+ 4
      let from = pc
      pc = pc &+ op.imm
      if O.self != NoObserver.self {
        obs.branch(BranchEvent(kind: .call, from: from, to: pc, taken: true, btype: 0))
      }
      return
    case .bcond: try execBcond(op, &obs); return
    case .cbz, .cbnz: execCbz(op, &obs); return
    case .tbz, .tbnz: execTbz(op, &obs); return
    case .br, .blr, .ret: try execBranchRegister(op, &obs); return
    case .branchAuth: try execBranchAuth(op, &obs); return
    case .nop: break
    case .hint: try execHint(op)
    case .barrier: execBarrier(op)
    case .clrex: monitor.valid = false
    case .msrImm: execMsrImm(op)
    case .sys: execSys(op)
    case .mrs: try execMrs(op)
    case .msr: try execMsr(op)
    case .brk: throw Fault(.breakpoint(UInt16(truncatingIfNeeded: op.imm)), pc: pc)
    case .pacData: try execPacData(op)
    case .adr: r[Int(op.a)] = (op.f & Op.flag3 != 0 ? pc & ~0xfff : pc) &+ op.imm
    case .addImm, .addImmX, .addImmW, .addsImmX, .addsImmW: execAddImm(op)
    case .logImm, .andImm, .orrImmX, .eorImmX: execLogImm(op)
    case .movz: r[Int(op.a)] = op.imm
    case .movn:
      r[Int(op.a)] = op.f & Op.sf != 0 ? ~op.imm : UInt64(~UInt32(truncatingIfNeeded: op.imm))
    case .movk: r[Int(op.a)] = (r[Int(op.a)] & op.imm2) | op.imm
    case .bitfield: execBitfield(op)
    case .extr: execExtr(op)
    case .logShift, .andLslX, .andLsrX, .andAsrX, .andShiftX, .orrLslX, .orrLsrX, .orrAsrX,
      .orrShiftX, .eorLslX, .eorLsrX, .eorAsrX, .eorShiftX:
      execLogShift(op)
    case .addShift, .addLslX, .addLsrX, .addAsrX, .addShiftW, .addsLslX, .addsShiftX,
      .addsShiftW:
      execAddShift(op)
    case .addExt, .addUxtX, .addSxtX: execAddExt(op)
    case .adc: execAdc(op)
    case .ccmp: execCcmp(op)
    case .csel: execCsel(op)
    case .mul: execMul(op)
    case .dp2: execDp2(op)
    case .dp1: execDp1(op)
    case .ldrLit: try execLdrLit(op, &obs)
    case .ldst, .ldrX, .ldrW, .strX, .strW, .ldrImm, .strImm, .ldrRegX, .strRegX, .ldrReg,
      .strReg:
      try execLdst(op, &obs)
    case .ldstPair, .ldpX, .stpX, .ldp, .stp: try execLdstPair(op, &obs)
    case .exclusive: try execExclusive(op, &obs)
    case .acqRel: try execAcqRel(op, &obs)
    case .atomic: try execAtomic(op, &obs)
    case .cas: try execCas(op, &obs)
    case .casp: try execCasp(op, &obs)
    }
    pc &+= 4
  }

  mutating func branched<O: MachineObserver>(_ kind: BranchKind, _ op: Op, obs: inout O) {
    obs.branch(BranchEvent(kind: kind, from: pc &- op.imm, to: pc, taken: true, btype: 0))
  }

  // MARK: Fetch

  /// Loads the code TLB for `pc`, or throws the fetch fault (or `.returned`).
  mutating func fillCode() throws(Stop) {
    if pc == sentinel { throw .returned }
    if pc & 3 != 0 { throw .fault(Fault(.alignment(.fetch, address: pc, size: 4), pc: pc)) }
    if !PointerAuth.isCanonical(pc) {
      throw .fault(
        Fault(
          PointerAuth.isAuthFailure(pc)
            ? .pointerAuthentication(address: pc) : .unmapped(.fetch, address: pc), pc: pc))
    }
    guard let i = memory.index[pc >> 12] else {
      throw .fault(Fault(.unmapped(.fetch, address: pc), pc: pc))
    }
    let page = memory.uniquePage(i)
    guard page.permissions.contains(.execute) else {
      throw .fault(Fault(.permission(.fetch, address: pc), pc: pc))
    }
    if page.opsUnrecorded && options.recordFetches { page.forgetOps() }
    loadPage = .max
    storePage = .max
    codeBase = pc & ~0xfff
    codeOps = page.opCache()
    codeBytes = page.bytes
    codeFetched = page.fetched
    codeGuarded = page.guarded
  }

  /// Decodes the word in slot `idx` of the code page, caches the op and records the fetch
  /// (see `Page.ops`: a decoded slot stands for a recorded fetch).
  mutating func decodeSlot(_ idx: Int) -> Op {
    let word = UInt32(littleEndian: codeBytes.load(fromByteOffset: idx << 2, as: UInt32.self))
    let op = Lowering.lower(word)
    codeOps[idx] = op
    if options.recordFetches {
      codeFetched[idx >> 6] |= 1 << UInt64(idx & 63)
    } else if let i = memory.index[codeBase >> 12] {
      // (No reference to the page is kept: a second one would make a store to it copy it.)
      memory.pages[i].opsUnrecorded = true
    }
    return op
  }

  /// The fault a `.decodeFault` op stands for.
  func decodeFault(_ op: Op) -> Fault {
    let word = UInt32(
      littleEndian: codeBytes.load(fromByteOffset: Int(pc & 0xfff), as: UInt32.self))
    return Fault(Lowering.faultReason(word), pc: pc)
  }

  // MARK: BTI

  /// DOMAIN.md §2: is `op` a landing pad for `btype` (1, 2 or 3)?
  func landingPadAccepts(_ op: Op, _ btype: UInt8) -> Bool {
    switch op.kind {
    case .brk: return true
    case .decodeFault:
      // HLT raises its own exception.
      return op.g == Lowering.FaultClass.hlt.rawValue
    case .hint, .nop:
      let hint = op.h
      switch hint {
      case 32: return false
      case 34: return btype != 3
      case 36: return btype != 2
      case 38: return true
      case 25, 27: return btype != 3 || !system.btRestrictsPACIxSP
      default: return false
      }
    default: return false
    }
  }
}

/// The single-threaded exclusive monitor: set by a load-exclusive, checked and cleared by a
/// store-exclusive, cleared by CLREX.
public struct ExclusiveMonitor: Sendable, Hashable {
  public var valid = false
  public var address: UInt64 = 0
  public var size = 0
  public init(valid: Bool = false, address: UInt64 = 0, size: Int = 0) {
    self.valid = valid
    self.address = address
    self.size = size
  }
}

/// A modelled system effect the trace records: barriers, cache and TLB maintenance, MSR writes.
public struct SystemEvent: Sendable, Hashable, CustomStringConvertible {
  public enum Kind: Sendable, Hashable {
    case barrier(Barrier)
    /// `DC`/`IC`/`TLBI`/`AT` or a generic `SYS`, with the register operand's value.
    case maintenance(SystemInstruction, operand: UInt64)
    case hint(Hint)
  }
  public var pc: UInt64
  public var kind: Kind
  public var step: Int

  public var description: String {
    switch kind {
    case .barrier(let b): "\(hex(pc)) \(A64.print(.barrier(b)))"
    case .maintenance(let s, let v): "\(hex(pc)) \(A64.print(.system(s))) [\(hex(v))]"
    case .hint(let h): "\(hex(pc)) \(A64.print(.hint(h)))"
    }
  }
}
