import AArch64
import AArch64Emulator
import Diagnostics

public typealias EmulatorSymbol = AArch64Emulator.Symbol

/// One state of a layout placed in an address space, ready to run: a caller that calls the
/// traced function, the function (the state's words, then a small body with a frame record),
/// the trampolines of `entry-ftrace.S`, the direct trampolines, the module's ftrace PLT, the
/// ops structures and a tracer they point at, on a task stack that ends in the final frame
/// record. Text pages are guarded when the configuration has BTI.
///
/// Everything placed here that the layout does not say is an assumption, listed in
/// `assumptions` and cited by the findings that rest on it.
public struct Scenario: Sendable {
  public var state: LayoutState
  public var bti: Bool
  /// The machine, stopped at the caller's first instruction.
  public var machine: Machine
  public var symbols: SymbolTable
  /// The traced function's symbol (its size runs to the end of the modelled body).
  public var function: EmulatorSymbol
  /// The first byte of the patch area (the first pre-entry word, or the symbol).
  public var patchStart: UInt64
  /// One past the last word of the state.
  public var patchEnd: UInt64
  public var caller: EmulatorSymbol
  public var tracer: EmulatorSymbol
  /// The address of the `BL func` in the caller, and the return address it leaves.
  public var callSite: UInt64
  public var stack: Unwinder.Stack
  public var finalRecord: UInt64
  /// Code the scenario models rather than takes from the series (stubs for symbols the
  /// files leave undefined, the tracer, the caller).
  public var modelled: [EmulatorSymbol]
  /// Where the function signs its return address: its own PACIASP/PACIBSP in the state's
  /// words, else the body after the patch-site. What reaches it in X30 is what the callsite
  /// handed back.
  public var signPoint: UInt64 = 0
  public var assumptions: [String]

  public var returnIntoCaller: UInt64 { callSite + 4 }
}

/// Where a scenario's own pieces go. Every address is an assumption like `Placement`'s.
public struct ScenarioPlacement: Sendable, Hashable {
  /// The tracer, stubs for undefined symbols: core text, within BL range of entry-ftrace.S.
  public var helpers: UInt64 = 0xffff_8000_8003_0000
  /// Data slots for undefined data symbols.
  public var helperData: UInt64 = 0xffff_8000_8210_0000
  public var stackTop: UInt64 = 0xffff_8000_9000_0000
  public var stackSize: UInt64 = 0x4000
  public init() {}
}

/// Why a scenario could not be built.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

extension Scenario {
  static let page: UInt64 = 0x1000

  /// Builds the scenario of `state` in `layout`.
  public static func build(
    _ layout: Layout, _ state: LayoutState, placement: Placement = Placement(),
    own: ScenarioPlacement = ScenarioPlacement()
  ) throws(ScenarioError) -> Scenario {
    var b = ScenarioBuilder(layout: layout, state: state, placement: placement, own: own)
    return try b.build()
  }
}

struct ScenarioBuilder {
  var layout: Layout
  var state: LayoutState
  var placement: Placement
  var own: ScenarioPlacement
  var machine = Machine()
  var table = SymbolTable()
  var modelled: [EmulatorSymbol] = []
  var assumptions: [String] = []
  var bti: Bool { layout.configuration.bti == true }

  init(layout: Layout, state: LayoutState, placement: Placement, own: ScenarioPlacement) {
    self.layout = layout
    self.state = state
    self.placement = placement
    self.own = own
  }

  /// Maps every page of [address, address + size) not mapped yet.
  mutating func ensure(_ address: UInt64, _ size: UInt64, _ permissions: Permissions)
    throws(ScenarioError)
  {
    var p = address & ~(Scenario.page - 1)
    let end = (address &+ size &+ Scenario.page - 1) & ~(Scenario.page - 1)
    while p < end {
      if !machine.memory.isMapped(p) {
        do throws(MemoryError) {
          try machine.map(
            address: p, size: Scenario.page, permissions: permissions,
            guarded: bti && permissions.contains(.execute))
        } catch {
          throw ScenarioError("cannot map 0x\(Words.hex(p)): \(error)")
        }
      }
      p &+= Scenario.page
    }
  }

  mutating func put(_ words: [UInt32], at address: UInt64) throws(ScenarioError) {
    try ensure(address, UInt64(words.count * 4), .readExecute)
    do throws(MemoryError) {
      try machine.write(words: words, at: address)
    } catch {
      throw ScenarioError("cannot write at 0x\(Words.hex(address)): \(error)")
    }
  }

  mutating func putQuad(_ value: UInt64, at address: UInt64) throws(ScenarioError) {
    try ensure(address, 8, .readWrite)
    do throws(MemoryError) {
      try machine.memory.write(quad: value, at: address)
    } catch {
      throw ScenarioError("cannot write at 0x\(Words.hex(address)): \(error)")
    }
  }

  /// Assembles `source` with `.text` at `address` (names in `symbols` resolved) and loads it.
  mutating func assemble(_ source: String, at address: UInt64, symbols: [String: UInt64] = [:])
    throws(ScenarioError) -> AssembledObject
  {
    let object: AssembledObject
    do throws(AssemblyError) {
      object = try Assembler.assemble(source, file: "<scenario>")
        .link(bases: [".text": address], symbols: symbols)
    } catch {
      throw ScenarioError("cannot assemble the scenario's own code: \(error)")
    }
    try load(object)
    return object
  }

  mutating func load(_ object: AssembledObject) throws(ScenarioError) {
    for s in object.sections where s.size > 0 {
      try ensure(s.base, UInt64(s.size), s.executable ? .readExecute : .readWrite)
      do throws(MemoryError) {
        try machine.memory.write(bytes: s.bytes, at: s.base)
      } catch {
        throw ScenarioError("cannot load \(s.name): \(error)")
      }
    }
    for s in SymbolTable(object: object).symbols { table.add(s) }
  }

  mutating func model(_ name: String, _ address: UInt64, _ size: UInt64) -> EmulatorSymbol {
    let s = EmulatorSymbol(name: name, address: address, size: size, isCode: true)
    table.add(s)
    modelled.append(s)
    return s
  }

  mutating func build() throws(ScenarioError) -> Scenario {
    guard let first = state.words.first, let last = state.words.last else {
      throw ScenarioError("state \(state.name) has no words")
    }
    let patchStart = state.address(first.offset)
    let patchEnd = state.address(last.offset + 4)
    let funcAddress = state.functionAddress

    // The helpers: a tracer that builds a frame record, and a stub for every symbol the
    // trampolines leave undefined.
    var next = own.helpers
    let tracerSource = """
      \tbti c
      \tstp x29, x30, [sp, #-16]!
      \tmov x29, sp
      \tnop
      \tldp x29, x30, [sp], #16
      \tret
      """
    _ = try assemble(tracerSource, at: next)
    let tracer = model("patchsite_tracer", next, 24)
    next += 0x40
    assumptions.append(
      "every ops' func is a tracer of Patchsite's (patchsite_tracer: BTI C, a frame record, RET)")

    // The trampolines, relinked against stubs for what they leave undefined.
    var entry = layout.entryObject
    if var object = entry {
      var undefined: [String: Bool] = [:]  // name -> called (CALL26/JUMP26)
      for s in object.sections {
        for r in s.relocations where !r.sectionRelative {
          let called = r.type == .call26 || r.type == .jump26
          undefined[r.symbol] = (undefined[r.symbol] ?? false) || called
        }
      }
      var externals: [String: UInt64] = [:]
      var dataNext = own.helperData
      for (name, called) in undefined.sorted(by: { $0.key < $1.key }) {
        if let known = state.symbols[name] {
          externals[name] = known
        } else if called {
          _ = try assemble("\tbti c\n\tret\n", at: next)
          externals[name] = next
          _ = model(name, next, 8)
          next += 0x10
        } else {
          // A data symbol: a slot that holds the list ops, as the kernel's
          // `function_trace_op` does while several tracers are on.
          try putQuad(placement.data + 0x100, at: dataNext)
          externals[name] = dataNext
          table.add(EmulatorSymbol(name: name, address: dataNext, size: 8, isCode: false))
          dataNext += 0x10
        }
      }
      if !undefined.isEmpty {
        assumptions.append(
          "symbols entry-ftrace.S does not define are stubs: functions return at once (BTI C; "
            + "RET), data holds &ftrace_list_ops ("
            + undefined.keys.sorted().joined(separator: ", ") + ")")
      }
      var bases: [String: UInt64] = [:]
      for s in object.sections { bases[s.name] = s.base }
      do throws(AssemblyError) {
        object = try object.link(bases: bases, symbols: externals, allowUndefined: true)
      } catch {
        throw ScenarioError("cannot link entry-ftrace.S against the stubs: \(error)")
      }
      entry = object
      try load(object)
    }
    var modelDirect: AssembledObject?
    if layout.directObject == nil {
      do throws(AssemblyError) {
        modelDirect = try DirectTrampoline.object(placement)
      } catch {
        throw ScenarioError("cannot assemble the model direct trampolines: \(error)")
      }
    }
    if var direct = layout.directObject ?? modelDirect {
      // The edge trampolines overlap: only the one this state calls is loaded.
      var skip: Set<String> = [DirectTrampoline.edgeSection, DirectTrampoline.beyondSection]
      switch state.id {
      case .directEdge, .trampolineEdge: skip.remove(DirectTrampoline.edgeSection)
      case .directBeyond, .trampolineBeyond: skip.remove(DirectTrampoline.beyondSection)
      default: break
      }
      direct.sections.removeAll { skip.contains($0.name) }
      direct.symbols.removeAll { $0.section.map(skip.contains) ?? false }
      var bases: [String: UInt64] = [:]
      for s in direct.sections { bases[s.name] = s.base }
      do throws(AssemblyError) {
        direct = try direct.link(
          bases: bases, symbols: [DirectTrampoline.tracerSymbol: tracer.address],
          allowUndefined: true)
      } catch {
        throw ScenarioError("cannot link the model direct trampolines: \(error)")
      }
      try load(direct)
    }

    // The ops: func = the tracer; the direct ops' direct_call = the trampoline of the state.
    let directCall: UInt64
    switch state.id {
    case .directFar, .trampolineFar: directCall = placement.farTrampoline
    case .directEdge, .trampolineEdge:
      directCall = state.symbols[DirectTrampoline.edgeName] ?? placement.nearTrampoline
    case .directBeyond, .trampolineBeyond:
      directCall = state.symbols[DirectTrampoline.beyondName] ?? placement.farTrampoline
    default: directCall = placement.nearTrampoline
    }
    for (name, address) in placement.fixedSymbols where address >= placement.data {
      try putQuad(tracer.address, at: address)
      if name == "<direct ops>" { try putQuad(directCall, at: address + 184) }
      table.add(EmulatorSymbol(name: name, address: address, size: 0x100, isCode: false))
    }

    // The module's ftrace PLT: ADRP/ADD/BR X16 to ftrace_caller.
    if state.placement == .module || state.symbols["<module ftrace PLT>"] != nil,
      let target = table.symbol(named: "ftrace_caller")?.address
        ?? state.symbols["ftrace_caller"]
    {
      _ = try assemble(
        "\tadrp x16, target\n\tadd x16, x16, :lo12:target\n\tbr x16\n", at: placement.modulePLT,
        symbols: ["target": target])
      _ = model("<module ftrace PLT>", placement.modulePLT, 12)
      // WITH_REGS modules have a second entry, for ftrace_regs_caller (FTRACE_REGS_PLT_IDX).
      if let regs = table.symbol(named: "ftrace_regs_caller")?.address
        ?? state.symbols["ftrace_regs_caller"]
      {
        let entry = placement.modulePLT + UInt64(ScenarioEnvironment.pltEntrySize)
        _ = try assemble(
          "\tadrp x16, target\n\tadd x16, x16, :lo12:target\n\tbr x16\n", at: entry,
          symbols: ["target": regs])
        _ = model("<module ftrace regs PLT>", entry, 12)
      }
    }

    // The function: the words of the state, then a body with a frame record.
    // The function before it, ending where the patch area starts: kallsyms names a PC in
    // the pre-entry words after it.
    let prev = model("patchsite_previous_function", patchStart - 0x40, 0x40)
    try put(Array(repeating: Words.ret, count: Int(prev.size / 4)), at: prev.address)
    for w in state.words {
      try put([w.word], at: state.address(w.offset))
    }
    // With pac-ret the body signs the return address first, as the compiler emits it after
    // the patchable NOPs, and authenticates it before returning: a trampoline that hands back
    // another or a signed LR makes the AUT fail. A state that signs in its own words gets
    // the matching AUT only.
    let ownSign = state.words.first {
      $0.offset >= 0 && $0.kind == .insn && Words.isPACSign($0.word)
    }
    let pacRet = layout.build?.flags?.branchProtection?.pacRet == true
    let sign = pacRet && ownSign == nil ? "\tpaciasp\n" : ""
    let auth =
      ownSign.map { $0.word == Words.pacibsp ? "\tautibsp\n" : "\tautiasp\n" }
      ?? (pacRet ? "\tautiasp\n" : "")
    // A -pg callsite built the frame record (and signed) in its own words: the body only
    // undoes them, as GCC ends the representative function.
    let bodySource =
      layout.mcount?.epilogue
      ?? (sign + "\tstp x29, x30, [sp, #-16]!\n\tmov x29, sp\n\tldp x29, x30, [sp], #16\n"
        + auth + "\tret\n")
    let bodySize = UInt64(
      try assemble(bodySource, at: patchEnd).section(".text")?.bytes.count ?? 16)
    let function = EmulatorSymbol(
      name: "patchsite_traced_function", address: funcAddress,
      size: patchEnd + bodySize - funcAddress)
    table.add(function)
    if !sign.isEmpty && layout.mcount == nil {
      assumptions.append(
        "with pac-ret (\(layout.build?.flags?.branchProtection?.raw ?? "")) the body starts with "
          + "PACIASP after the patch-site and ends with AUTIASP; RET")
    }

    // The caller, after the body.
    let callerAddress = (patchEnd + bodySize + 0x3f) & ~0x3f
    let callerSource = """
      \tbti c
      \tstp x29, x30, [sp, #-16]!
      \tmov x29, sp
      \tbl func
      \tldp x29, x30, [sp], #16
      \tret
      """
    _ = try assemble(callerSource, at: callerAddress, symbols: ["func": funcAddress])
    let caller = model("patchsite_caller", callerAddress, 24)
    // The task's first function, as ret_from_fork is: no frame record of its own (X29 is the
    // final record), it calls the caller and leaves through X28.
    let entryAddress = callerAddress + 0x40
    _ = try assemble(
      "\tbl caller\n\tret x28\n", at: entryAddress, symbols: ["caller": callerAddress])
    _ = model("patchsite_task_entry", entryAddress, 8)

    // The task stack, ending in the final metadata record.
    let top = own.stackTop
    try ensure(top - own.stackSize, own.stackSize, .readWrite)
    let finalRecord = top - 0x20
    try putQuad(0, at: finalRecord)
    try putQuad(0, at: finalRecord + 8)
    try putQuad(1, at: finalRecord + 16)
    machine.sp = finalRecord - 0x10
    machine.setX(29, finalRecord)
    machine.setX(30, Machine.returnAddress)
    machine.setX(28, Machine.returnAddress)
    machine.pc = entryAddress

    assumptions.append(
      (layout.mcount != nil
        ? "the traced function's body after bl _mcount restores its frame record and returns; "
        : "the traced function's body after the patch-site builds a frame record and returns; ")
        + "its caller (patchsite_caller) calls it with BL from 0x\(Words.hex(callerAddress + 12))")
    if bti { assumptions.append("text pages are guarded (BTI on), SCTLR_EL1.BT0/BT1 set") }
    return Scenario(
      state: state, bti: bti, machine: machine, symbols: table, function: function,
      patchStart: patchStart, patchEnd: patchEnd, caller: caller, tracer: tracer,
      callSite: callerAddress + 12,
      stack: Unwinder.Stack(name: "task", low: top - own.stackSize, high: top),
      finalRecord: finalRecord, modelled: modelled,
      signPoint: ownSign.map { state.address($0.offset) } ?? patchEnd, assumptions: assumptions)
  }
}
