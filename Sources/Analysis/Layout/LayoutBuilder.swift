import AArch64
import Diagnostics
import Foundation
import KernelSource

/// Rebuilds the callsite of one tree in one configuration: the compiled state from the flags,
/// then the extracted C transitions applied in order, each word built as an `Instruction` and
/// encoded at its assumed address.
public struct LayoutBuilder: Sendable {
  public var sources: FtraceSources
  public var placement: Placement
  public var version: Int?
  public var source: String
  public var configuration: LayoutConfiguration

  public init(
    sources: FtraceSources, placement: Placement = Placement(), version: Int? = nil,
    source: String, configuration: LayoutConfiguration
  ) {
    self.sources = sources
    self.placement = placement
    self.version = version
    self.source = source
    self.configuration = configuration
  }

  /// The options shown for a configuration: the ftrace, BTI, alignment and PLT ones.
  public static func shownOptions(_ config: KernelConfig) -> [LayoutConfiguration.ShownOption] {
    config.values.keys.filter { n in
      // Byte comparisons: Foundation's `contains` goes through CFString for every option.
      let u = Array(n.utf8)
      return u.hasInfix("FTRACE") || u.hasInfix("BTI") || u.hasInfix("FUNCTION_ALIGNMENT")
        || u.hasInfix("MODULE_PLTS") || n == "MODULES" || u.hasInfix("PTR_AUTH")
    }.sorted().map { .init(name: $0, value: config[$0]?.description ?? "") }
  }

  public func build() -> Layout {
    var b = Run(builder: self)
    b.run()
    return b.layout
  }
}

/// What a scenario sets for one application of a transition.
struct CallArguments {
  /// The trampoline `addr` names: a symbol (`ftrace_caller`) or a placeholder
  /// (`<direct trampoline>`); `FTRACE_ADDR` is `ftrace_caller`.
  var target: String
  var oldTarget: String?
  /// The ops the core finds for the site; nil when several share it.
  var uniqueOps: String?
}

/// One build: the layout being filled and the symbols placed so far.
struct Run {
  let builder: LayoutBuilder
  var layout: Layout
  let symbols: SymbolSpace
  var compiled: CompiledCallsite?
  var config: KernelConfig { builder.sources.config }
  var transitions: [String: CTransition] { builder.sources.transitions }

  init(builder: LayoutBuilder) {
    self.builder = builder
    var configuration = builder.configuration
    configuration.shown = LayoutBuilder.shownOptions(builder.sources.config)
    layout = Layout(version: builder.version, source: builder.source, configuration: configuration)
    layout.build = BuildFacts(
      flags: builder.sources.flags, config: builder.sources.config,
      defaulted: builder.sources.defaulted.flatMap(\.subjects))
    symbols = SymbolSpace(firstFree: builder.placement.data + 0x1000)
    for (n, a) in builder.placement.fixedSymbols { symbols.define(n, a) }
  }

  mutating func diagnose(
    _ id: MessageID, _ severity: Severity, _ location: SourceLocation?, _ message: String
  ) {
    let d = Diagnostic(id, severity, at: location ?? SourceLocation(file: builder.source), message)
    if !layout.diagnostics.contains(d) { layout.diagnostics.append(d) }
  }

  mutating func assume(_ kind: Assumption.Kind, _ text: String, at: SourceLocation? = nil) {
    layout.assume(Assumption(kind, text, at: at))
  }

  mutating func run() {
    for a in builder.placement.description { assume(.address, a) }
    for d in builder.sources.diagnostics where d.severity >= .warning {
      diagnose(d.id, d.severity, d.location, d.message)
    }
    for m in builder.sources.missingFiles { assume(.source, "\(m) is not in the tree: not read") }
    for p in builder.sources.partialFiles.sorted() {
      assume(.source, "\(p) is known only from the hunks: what they do not show is not read")
    }
    for d in builder.sources.defaulted {
      layout.assume(Assumption(.source, "era default: \(d.text)", subjects: d.subjects))
    }
    placeTrampolines()
    defer { noteUnknownSymbols() }
    guard let flags = builder.sources.flags else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, nil,
        "could not model the compiled callsite: no Makefile read for this configuration")
      return
    }
    let start: CompiledStart?
    if let pe = flags.patchableEntryValue {
      start = patchableStart(flags, pe)
    } else if let pg = flags.profiling {
      start = mcountStart(flags, pg)
    } else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, nil,
        "could not model the compiled callsite: neither -fpatchable-function-entry nor -pg in the "
          + "Makefiles read for this configuration")
      return
    }
    guard let start else { return }
    let compiledState = start.state
    layout.states.append(relabel(compiledState))
    layout.recordOffset = recordOffset(entry: start.recordEntry, compiledState)
    guard layout.recordOffset != nil else { return }
    let concurrent = transitions["arch_ftrace_update_code"] != nil
    if concurrent {
      assume(
        .model,
        "arch_ftrace_update_code is defined in ftrace.c: runtime writes happen without "
          + "stop_machine while other CPUs may run the function")
    } else {
      assume(
        .model, "no arch_ftrace_update_code: the generic code runs the writes under stop_machine")
    }
    // init
    var initState = compiledState
    initState.id = .initialized
    if let t = transitions["ftrace_init_nop"] {
      let (s, tr) = apply(
        t, to: compiledState, id: .initialized, CallArguments(target: "FTRACE_ADDR"),
        api: .initTime, concurrent: false)
      initState = s
      layout.transitions.append(tr)
    } else if layout.mcount != nil, let t = transitions["ftrace_make_nop"] {
      // The generic ftrace_init_nop: ftrace_make_nop(mod, rec, MCOUNT_ADDR) on every record,
      // at boot for the core kernel (mod is NULL) and at load for a module.
      assume(
        .model,
        "no ftrace_init_nop in this configuration: the core's default calls ftrace_make_nop "
          + "with addr = MCOUNT_ADDR (_mcount) on each record at boot")
      let (s, tr) = apply(
        t, to: compiledState, id: .initialized, CallArguments(target: "MCOUNT_ADDR"),
        api: .initTime, concurrent: false)
      initState = s
      layout.transitions.append(tr)
    } else {
      assume(
        .model,
        "no ftrace_init_nop in this configuration: the compiled callsite is the disabled one")
    }
    initState.note =
      layout.mcount != nil && transitions["ftrace_init_nop"] == nil
      ? "ftrace_make_nop with addr = MCOUNT_ADDR (boot)" : "ftrace_init_nop (boot or module load)"
    layout.states.append(relabel(initState))
    guard let makeCall = transitions["ftrace_make_call"] else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, builder.sources.transitions.first?.value.location,
        "could not model the enabled states: no ftrace_make_call in this configuration")
      return
    }
    let hasOps = makeCall.writes.contains { $0.api == .writeLiteralU64 }
    var (near, nearT) = apply(
      makeCall, to: initState, id: .near,
      CallArguments(target: "FTRACE_ADDR", uniqueOps: "<callsite ops>"), api: nil,
      concurrent: concurrent)
    near.note = "ftrace_make_call, addr = FTRACE_ADDR, in BL range"
    layout.states.append(relabel(near))
    layout.transitions.append(nearT)
    if let t = transitions["ftrace_make_nop"] {
      var (s, tr) = apply(
        t, to: near, id: .disabled, CallArguments(target: "FTRACE_ADDR"), api: nil,
        concurrent: concurrent)
      s.note = "ftrace_make_nop from near"
      layout.states.append(relabel(s))
      layout.transitions.append(tr)
    }
    if hasOps {
      var (s, tr) = apply(
        makeCall, to: initState, id: .list, CallArguments(target: "FTRACE_ADDR"), api: nil,
        concurrent: concurrent)
      s.note = "ftrace_make_call with several ops on the site: the literal holds ftrace_list_ops"
      layout.states.append(relabel(s))
      layout.transitions.append(tr)
    }
    // far: the traced function in a module
    var moduleInit = initState
    moduleInit.placement = .module
    moduleInit.functionAddress =
      builder.placement.moduleFunctionArea + UInt64(start.symbolFromAreaStart)
    var (far, farT) = apply(
      makeCall, to: moduleInit, id: .far,
      CallArguments(target: "FTRACE_ADDR", uniqueOps: "<callsite ops>"), api: nil,
      concurrent: concurrent)
    far.note = "ftrace_make_call, traced function in a module out of BL range of ftrace_caller"
    layout.states.append(relabel(far))
    layout.transitions.append(farT)
    // Direct calls, and designs that reach a trampoline of their own through a literal (one
    // that holds the call's target), get a trampoline in and out of BL range.
    let direct = config.isEnabled("DYNAMIC_FTRACE_WITH_DIRECT_CALLS")
    let targetParameter = parameter(.target, of: makeCall)
    let ownTrampoline = makeCall.writes.contains { w in
      guard case .literal(let v) = w.new, let p = targetParameter else { return false }
      return v.mentions(p)
    }
    if direct || ownTrampoline {
      if !direct {
        assume(
          .model,
          "ftrace_make_call writes a literal when its target is out of BL range: states "
            + "tramp-near/tramp-far call a trampoline in and out of range")
      }
      // The call slot the edge trampolines are measured from: rec->ip in the core function.
      let callSlot = layout.recordOffset.map { initState.address($0) }
      if let callSlot {
        let (edge, beyond) = DirectTrampoline.edges(from: callSlot)
        symbols.define(DirectTrampoline.edgeName, edge)
        symbols.define(DirectTrampoline.beyondName, beyond)
        assume(
          .address,
          "two more direct trampolines at the edge of BL's range from the call slot at 0x"
            + "\(Words.hex(callSlot)): 0x\(Words.hex(edge)) (+128 MiB - 4, the last address BL "
            + "reaches) and 0x\(Words.hex(beyond)) (+128 MiB, the first it does not)")
      }
      do throws(AssemblyError) {
        layout.directObject = try DirectTrampoline.object(builder.placement, callSlot: callSlot)
        assume(
          .model,
          "the direct trampolines are Patchsite's model (\(DirectTrampoline.nearSymbol), "
            + "\(DirectTrampoline.farSymbol)): BTI C, a frame record for the caller {X29, "
            + "X9} and one for the traced function {X29, X30}, a call to the tracer, then MOV X30, "
            + "X9 and RET to the traced function, as BPF trampolines do")
      } catch {
        diagnose(
          LayoutMessage.couldNotModel, .note, error.location,
          "could not assemble the model direct trampoline: \(error.message)")
      }
      var pairs: [(StateID, String, String)] =
        direct
        ? [
          (.directNear, "<direct trampoline>", "in BL range"),
          (.directFar, "<far direct trampoline>", "out of BL range"),
        ]
        : [
          (.trampolineNear, "<direct trampoline>", "in BL range"),
          (.trampolineFar, "<far direct trampoline>", "out of BL range"),
        ]
      if callSlot != nil {
        pairs += [
          (
            direct ? .directEdge : .trampolineEdge, DirectTrampoline.edgeName,
            "at +128 MiB - 4 from the call slot, the last address BL reaches"
          ),
          (
            direct ? .directBeyond : .trampolineBeyond, DirectTrampoline.beyondName,
            "at +128 MiB from the call slot, the first address BL does not reach"
          ),
        ]
      }
      for (id, tramp, range) in pairs {
        var (s, tr) = apply(
          makeCall, to: initState, id: id, CallArguments(target: tramp, uniqueOps: "<direct ops>"),
          api: nil, concurrent: concurrent)
        s.note = "ftrace_make_call, addr = a trampoline \(range)"
        layout.states.append(relabel(s))
        layout.transitions.append(tr)
      }
    }
    regsStates(
      near: near, moduleInit: moduleInit, makeCall: makeCall, concurrent: concurrent)
    modifyCall(from: near, concurrent: concurrent)
    checkLiterals()
  }

  /// WITH_REGS kernels have a second trampoline, `ftrace_regs_caller` (`FTRACE_REGS_ADDR`),
  /// for ops that ask for every register: `regs` is a near site swung to it by
  /// `ftrace_modify_call` (enabled by `ftrace_make_call` when there is none), `regs-far` a
  /// module function enabled through the module's ftrace PLT entry for it.
  mutating func regsStates(
    near: LayoutState, moduleInit: LayoutState, makeCall: CTransition, concurrent: Bool
  ) {
    let regs = "ftrace_regs_caller"
    guard layout.trampolines.contains(where: { $0.name == regs }) else { return }
    let modify = transitions["ftrace_modify_call"]
    var (s, tr) = apply(
      modify ?? makeCall, to: modify == nil ? (layout.state(.initialized) ?? near) : near,
      id: .regs,
      CallArguments(target: regs, oldTarget: "FTRACE_ADDR", uniqueOps: "<callsite ops>"),
      api: nil, concurrent: concurrent)
    s.note =
      (modify == nil ? "ftrace_make_call" : "ftrace_modify_call from near")
      + ", addr = FTRACE_REGS_ADDR (an ops that saves every register), in BL range"
    layout.states.append(relabel(s))
    layout.transitions.append(tr)
    var (f, fr) = apply(
      makeCall, to: moduleInit, id: .regsFar,
      CallArguments(target: regs, uniqueOps: "<callsite ops>"), api: nil, concurrent: concurrent)
    f.note =
      "ftrace_make_call, addr = FTRACE_REGS_ADDR, traced function in a module out of BL range"
    layout.states.append(relabel(f))
    layout.transitions.append(fr)
  }

  /// The compiled state and where its record lies.
  struct CompiledStart {
    var state: LayoutState
    /// The offset of the record the compiler emits (`__patchable_function_entries` or
    /// `__mcount_loc`) from the symbol: what `ftrace_call_adjust` is given.
    var recordEntry: Int
    /// The symbol's offset from the start of the area the placement aligns.
    var symbolFromAreaStart: Int
  }

  /// The words the compiler leaves for ftrace to write: the patchable NOPs (and the BTI among
  /// them), or the `bl _mcount` of `-pg`.
  var patchArea: Range<Int>? {
    if let c = compiled { return (-4 * c.before)..<(4 * (c.total - c.before) + (c.bti ? 4 : 0)) }
    if let m = layout.mcount { return m.callOffset..<(m.callOffset + 4) }
    return nil
  }

  /// The compiled state `-fpatchable-function-entry=N,M` gives.
  mutating func patchableStart(
    _ flags: FtraceBuildFlags, _ pe: FtraceBuildFlags.PatchableEntry
  ) -> CompiledStart? {
    guard pe.total <= 64 else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, pe.origin,
        "could not model -fpatchable-function-entry=\(pe.total),\(pe.before) at \(pe.origin): more "
          + "than 64 NOPs")
      return nil
    }
    let bti = flags.branchProtection?.bti ?? false
    if flags.branchProtection == nil {
      assume(.compiler, "no -mbranch-protection flag: no BTI landing pads")
    }
    let c = CompiledCallsite(
      total: pe.total, before: pe.before, bti: bti, alignment: flags.functionAlignment?.bytes)
    compiled = c
    layout.patchEntryOffset = c.patchEntryOffset
    if let a = flags.functionAlignment {
      assume(
        .alignment,
        "function alignment \(a.bytes) from \(a.source.rawValue) at \(a.origin)"
          + (a.note.map { ": \($0)" } ?? ""), at: a.origin)
    } else {
      assume(
        .alignment,
        "no function alignment flag: GCC's default (.p2align 4,,11) only guarantees 4-byte "
          + "alignment; the patch area is placed 16-byte aligned")
    }
    if let m = c.symbolModulo8, m != 0 {
      diagnose(
        LayoutMessage.symbolAlignment, .note, pe.origin,
        "GCC puts .p2align \(c.areaAlignment == 8 ? 3 : c.areaAlignment.trailingZeroBitCount) "
          + "before the \(c.before) pre-entry NOPs, so the function symbol is \(m) mod 8")
    }
    let state = LayoutState(
      id: .compiled, words: c.words, placement: .core,
      functionAddress: builder.placement.coreFunctionArea + UInt64(c.symbolFromAreaStart),
      note: "-fpatchable-function-entry=\(pe.total),\(pe.before)\(bti ? " with BTI" : "") "
        + "(\(pe.origin))")
    return CompiledStart(
      state: state, recordEntry: c.patchEntryOffset, symbolFromAreaStart: c.symbolFromAreaStart)
  }

  /// The compiled state `-pg` gives: the representative function's prologue and its
  /// `bl _mcount` (see ``McountCallsite``).
  mutating func mcountStart(
    _ flags: FtraceBuildFlags, _ pg: FtraceBuildFlags.Profiling
  ) -> CompiledStart? {
    let m = McountCallsite(protection: flags.branchProtection)
    layout.mcount = m
    layout.patchEntryOffset = m.callOffset
    if pg.defaulted {
      assume(
        .compiler,
        "the top-level Makefile is not in the tree and arch/arm64/Makefile leaves "
          + "CC_FLAGS_FTRACE unset: -pg, the top-level default for CONFIG_FUNCTION_TRACER",
        at: pg.origin)
    }
    assume(
      .compiler,
      "-pg (\(pg.origin)): the representative traced function saves no register but the frame "
        + "record -pg forces; GCC emits \(m.prologue.map(\.text).joined(separator: "; ")); "
        + "bl _mcount, and recordmcount records the BL")
    if m.stripsReturnAddress {
      assume(
        .compiler,
        "XPACLRI before MOV X0, X30 as GCC 11 and later emit it (aarch64-linux-gnu-gcc 12 "
          + "checked); older GCC passes the return address unstripped and leaves it out")
    }
    if flags.branchProtection == nil {
      assume(.compiler, "no -mbranch-protection flag: no landing pad or PAC at the entry")
    }
    let function = builder.placement.coreFunctionArea
    let mcount = symbols.address(of: "_mcount")
    let words: [LayoutWord]
    do throws(EncodingError) {
      words = try m.words(function: function, mcount: mcount)
    } catch {
      diagnose(
        LayoutMessage.couldNotModel, .warning, pg.origin,
        "could not encode bl _mcount from 0x\(Words.hex(function &+ UInt64(m.callOffset))) to "
          + "0x\(Words.hex(mcount)): \(error.operand): \(error.message)")
      return nil
    }
    let state = LayoutState(
      id: .compiled, words: words, placement: .core, functionAddress: function,
      note: "-pg (\(pg.defaulted ? "top-level default" : pg.origin.description))"
        + (m.entry == .none ? "" : " with \(m.entry.rawValue) at the entry"))
    return CompiledStart(state: state, recordEntry: m.callOffset, symbolFromAreaStart: 0)
  }

  /// The name `t`'s parameter with `role` has in the file.
  func parameter(_ role: ParameterRole, of t: CTransition) -> String? {
    guard let roles = ParameterRole.signatures[t.function],
      let k = roles.firstIndex(of: role), k < t.parameters.count
    else { return nil }
    return t.parameters[k]
  }

  /// Names placed because no file defined them, said once each.
  mutating func noteUnknownSymbols() {
    for (n, a) in symbols.placedUnknown {
      assume(.address, "\(n) is not defined in the files read: placed at 0x\(Words.hex(a))")
    }
  }

  /// `ftrace_modify_call` from `near` to the state `ftrace_make_call` gives directly (a direct
  /// trampoline, or the list ops): the two pictures must agree.
  mutating func modifyCall(from near: LayoutState, concurrent: Bool) {
    guard let mc = transitions["ftrace_modify_call"] else { return }
    let direct = config.isEnabled("DYNAMIC_FTRACE_WITH_DIRECT_CALLS")
    let to: StateID = direct ? .directNear : .list
    guard let expected = layout.state(to) else { return }
    let scenario =
      direct
      ? CallArguments(
        target: "<direct trampoline>", oldTarget: "FTRACE_ADDR", uniqueOps: "<direct ops>")
      : CallArguments(target: "FTRACE_ADDR", oldTarget: "FTRACE_ADDR")
    let (s, tr) = apply(mc, to: near, id: to, scenario, api: nil, concurrent: concurrent)
    layout.transitions.append(tr)
    let got = s.words.map { "\($0.offset):\($0.word)" }
    let want = expected.words.map { "\($0.offset):\($0.word)" }
    if got != want {
      let differ = s.words.filter { expected.word(at: $0.offset)?.word != $0.word }.map(\.offset)
      diagnose(
        LayoutMessage.modifyCallDisagrees, .warning, mc.location,
        "ftrace_modify_call from near does not give the \(to) state ftrace_make_call gives: "
          + "they differ at \(differ.map { "func\(sign($0))" }.joined(separator: ", ")) "
          + "(\(mc.location))")
    }
  }

  /// `rec->ip` from the extracted `ftrace_call_adjust` applied to the record at `entry` (an
  /// offset from the symbol), or the generic identity.
  mutating func recordOffset(entry offset: Int, _ s: LayoutState) -> Int? {
    guard let t = transitions["ftrace_call_adjust"] else {
      assume(
        .model,
        "no ftrace_call_adjust: rec->ip is the "
          + (layout.mcount != nil ? "__mcount_loc" : "__patchable_function_entries")
          + " address")
      return offset
    }
    var env = environment(s, CallArguments(target: "FTRACE_ADDR"), for: t)
    let entry = s.address(offset)
    if let p = parameter(.patchEntry, of: t) { env.parameters[p] = Int64(bitPattern: entry) }
    guard let path = choosePath(t, env) else { return nil }
    guard case .returned(let e) = path.outcome, let v = CEvaluator.evaluate(e, in: env) else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, t.location,
        "could not model ftrace_call_adjust's result at \(t.location)")
      return nil
    }
    if v == 0 {
      diagnose(
        LayoutMessage.recordDropped, .warning, t.location,
        "ftrace_call_adjust returns 0 for this layout (the record is dropped: \"Misaligned "
          + "patch-site\")")
      return nil
    }
    return Int(Int64(bitPattern: UInt64(bitPattern: v) &- s.functionAddress))
  }

  // MARK: evaluation

  /// What the scenario knows when `t` runs on `state`.
  func environment(_ state: LayoutState, _ scenario: CallArguments, for t: CTransition)
    -> ScenarioEnvironment
  {
    var env = ScenarioEnvironment(
      config: config, constants: builder.sources.constants, symbols: symbols,
      placement: builder.placement)
    env.module = state.placement == .module
    env.recordParameter = parameter(.record, of: t)
    if let r = layout.recordOffset { env.recordIP = state.address(r) }
    env.uniqueOps = scenario.uniqueOps.map { symbols.address(of: $0) }
    for w in state.words { env.memory[state.address(w.offset)] = w.word }
    func bind(_ role: ParameterRole, _ name: String?) {
      guard let p = parameter(role, of: t), let name else { return }
      env.parameters[p] = Int64(bitPattern: target(name))
    }
    bind(.target, scenario.target)
    bind(.oldTarget, scenario.oldTarget ?? scenario.target)
    if let m = parameter(.module, of: t) {
      // ftrace_make_nop and ftrace_init_nop are given the module at load time only; at run
      // time (and for core kernel text) the kernel passes NULL.
      env.parameters[m] =
        t.function == "ftrace_init_nop" && env.module ? ScenarioEnvironment.moduleStruct : 0
    }
    return env
  }

  /// The symbol a scenario's target name stands for: `FTRACE_ADDR` is `ftrace_caller`,
  /// `MCOUNT_ADDR` is `_mcount` (arm64's definitions in every era).
  func scenarioName(_ name: String) -> String {
    switch name {
    case "FTRACE_ADDR": "ftrace_caller"
    case "MCOUNT_ADDR": "_mcount"
    default: name
    }
  }

  /// The address a scenario's target name stands for.
  func target(_ name: String) -> UInt64 { symbols.address(of: scenarioName(name)) }

  /// The first path of `t` that does not fail and whose conditions all hold in `env`.
  mutating func choosePath(_ t: CTransition, _ env: ScenarioEnvironment) -> CPath? {
    var fallback: (CPath, CExpr)?
    for p in t.paths {
      if case .failed = p.outcome { continue }
      let values = p.conditions.map { CEvaluator.truth($0, in: env) }
      if values.contains(false) { continue }
      if let k = values.firstIndex(where: { $0 == nil }) {
        if fallback == nil { fallback = (p, p.conditions[k]) }
        continue
      }
      return p
    }
    if let (p, c) = fallback {
      diagnose(
        LayoutMessage.couldNotModel, .warning, t.location,
        "could not model the condition `\(c)` in \(t.function) at \(t.location); took the first "
          + "path it allows")
      return p
    }
    diagnose(
      LayoutMessage.couldNotModel, .warning, t.location,
      "could not model \(t.function) at \(t.location): no successful path fits this scenario")
    return nil
  }

  /// The offset from the function symbol of `e` in `state`.
  func offset(of e: OffsetExpr, in state: LayoutState, _ env: ScenarioEnvironment) -> Int? {
    var address: UInt64
    switch e.base {
    case .recordIP:
      guard let r = layout.recordOffset else { return nil }
      address = state.address(r + e.offset)
    case .patchEntry:
      guard let p = layout.patchEntryOffset else { return nil }
      address = state.address(p + e.offset)
    case .expression(let x):
      guard let v = CEvaluator.evaluate(x, in: env) else { return nil }
      address = UInt64(bitPattern: v) &+ UInt64(bitPattern: Int64(e.offset))
    case .symbol:
      return nil
    }
    if let a = e.alignDown, a > 0 { address -= address % UInt64(a) }
    let o = Int64(bitPattern: address &- state.functionAddress)
    // Further than a patch area could reach: not the callsite.
    guard abs(o) < 1 << 20 else { return nil }
    return Int(o)
  }

  // MARK: words

  struct Generated {
    var value: UInt64
    var width: Int
    var text: String
    var symbol: String?
  }

  /// The word (or literal) a generator produces at `offset` of `state`, or nil (said why).
  mutating func generate(
    _ g: GenExpr, at offset: Int, in state: LayoutState, _ env: ScenarioEnvironment,
    location: SourceLocation
  ) -> Generated? {
    let pc = state.address(offset)
    func encoded(_ i: Instruction, symbol: String? = nil) -> Generated? {
      do throws(EncodingError) {
        let w = try A64.encode(i)
        return Generated(
          value: UInt64(w), width: 4, text: Words.text(w, at: pc, symbols: symbols.names),
          symbol: symbol)
      } catch {
        diagnose(
          LayoutMessage.couldNotModel, .warning, location,
          "could not encode \(g) at func\(sign(offset)): \(error.operand): \(error.message) "
            + "(\(location))")
        return nil
      }
    }
    func resolve(_ e: CExpr) -> UInt64? {
      guard let v = CEvaluator.evaluate(e, in: env) else {
        diagnose(
          LayoutMessage.couldNotModel, .warning, location,
          "could not model the value `\(e)` at \(location) in this scenario")
        return nil
      }
      return UInt64(bitPattern: v)
    }
    func pcRelative(_ target: UInt64, _ width: BranchOffset.Width) throws(EncodingError)
      -> BranchOffset
    {
      let from = width == .adrp21 ? pc & ~0xfff : pc
      let to = width == .adrp21 ? target & ~0xfff : target
      return try BranchOffset(Int64(bitPattern: to &- from), width)
    }
    switch g {
    case .nop: return encoded(.hint(.nop))
    case .raw(let v):
      return Generated(value: UInt64(v), width: 4, text: "0x\(Words.hex(UInt64(v), digits: 8))")
    case .hint(let h): return encoded(.hint(h))
    case .branchRegister(let k, let r): return encoded(.branchRegister(k, r))
    case .moveRegister(let d, let s):
      // MOV is ORR with the zero register, or ADD #0 when SP is involved (as the kernel's
      // generator and GNU as choose).
      if d.name == .sp || s.name == .sp {
        return encoded(
          .addSubImmediate(
            AddSubImmediate(subtract: false, setFlags: false, rd: d, rn: s, imm12: 0)))
      }
      let zr = Register(.zr, d.width)
      return encoded(.logicalShifted(LogicalShifted(op: .orr, rd: d, rn: zr, rm: s)))
    case .branch(_, let to, let link):
      guard let target = resolve(to) else { return nil }
      let name = symbols.names[target]
      do throws(EncodingError) {
        return encoded(.branch(link: link, try pcRelative(target, .imm26)), symbol: name)
      } catch {
        diagnose(
          LayoutMessage.branchOutOfRange, .warning, location,
          "\(link ? "bl" : "b") from 0x\(Words.hex(pc)) to \(name ?? "0x" + Words.hex(target)) "
            + "at 0x\(Words.hex(target)) is out of range (\(error.operand): \(error.message)): "
            + "aarch64_insn_gen_branch_imm returns AARCH64_BREAK_FAULT (\(location))")
        return Generated(
          value: UInt64(Words.breakFault), width: 4, text: "brk #0x100", symbol: nil)
      }
    case .loadLiteral(_, let lit, let r):
      guard let lo = self.offset(of: lit, in: state, env) else {
        diagnose(
          LayoutMessage.couldNotModel, .warning, location,
          "could not model the literal address \(lit) at \(location)")
        return nil
      }
      do throws(EncodingError) {
        return encoded(.loadLiteral(.ldr, r, try pcRelative(state.address(lo), .imm19)))
      } catch {
        diagnose(
          LayoutMessage.couldNotModel, .warning, location,
          "could not encode LDR \(r) at func\(sign(offset)): \(error.operand): \(error.message)")
        return nil
      }
    case .adr(_, let to, let r, let page):
      guard let target = resolve(to) else { return nil }
      do throws(EncodingError) {
        return encoded(
          .pcRelative(r, try pcRelative(target, page ? .adrp21 : .adr21)),
          symbol: symbols.names[target])
      } catch {
        diagnose(
          LayoutMessage.couldNotModel, .warning, location,
          "could not encode \(page ? "ADRP" : "ADR") \(r) at func\(sign(offset)): "
            + "\(error.operand): \(error.message)")
        return nil
      }
    case .literal(let e):
      guard let v = resolve(e) else { return nil }
      let name = symbols.names[v]
      return Generated(
        value: v, width: 8, text: ".quad \(name ?? "0x" + Words.hex(v))", symbol: name)
    case .unknown(let e):
      diagnose(
        LayoutMessage.couldNotModel, .warning, location,
        "could not model the word `\(e)` at \(location)")
      return nil
    }
  }

  /// Applies the path of `t` that fits `scenario` to `state`.
  mutating func apply(
    _ t: CTransition, to state: LayoutState, id: StateID, _ scenario: CallArguments,
    api forced: WriteAPI?, concurrent: Bool
  ) -> (LayoutState, LayoutTransition) {
    var out = state
    out.id = id
    let env = environment(state, scenario, for: t)
    let path = choosePath(t, env)
    var writes: [LayoutWrite] = []
    for w in path?.writes ?? [] {
      // Each write sees the words the earlier ones left.
      var now = env
      for word in out.words { now.memory[out.address(word.offset)] = word.word }
      guard let o = offset(of: w.target, in: out, now) else {
        if case .symbol(let s) = w.target.base {
          assume(
            .model, "\(t.function) also patches \(s) (\(w.location)): not part of the callsite")
        } else {
          diagnose(
            LayoutMessage.couldNotModel, .warning, w.location,
            "could not model the write target \(w.target) at \(w.location)")
        }
        continue
      }
      guard let g = generate(w.new, at: o, in: out, now, location: w.location) else { continue }
      let api: WriteAPI =
        forced
        ?? {
          switch w.underlying ?? w.api {
          case .writeLiteralU64: .writeLiteralU64
          case .patchText: .patchText
          default: .patchTextNosync
          }
        }()
      let function = (w.underlying ?? w.api).rawValue
      let old = value(out, at: o, width: g.width)
      if let area = patchArea, !area.contains(o) || !area.contains(o + g.width - 4) {
        let whose =
          o < 0
          ? "that word belongs to the previous function"
          : "that word is the function's own code, not a word the compiler left for ftrace"
        diagnose(
          LayoutMessage.writeOutsidePatchArea, .warning, w.location,
          "\(t.function) writes \(g.text) at func\(sign(o)), outside the compiled patch area "
            + "func\(sign(area.lowerBound))..func\(sign(area.upperBound)): \(whose) "
            + "(\(w.location))")
      } else if w.validate, let expected = w.old,
        let e = generate(expected, at: o, in: out, now, location: w.location), e.value != old
      {
        diagnose(
          LayoutMessage.validationMismatch, .warning, w.location,
          "\(t.function) expects \(e.text) at func\(sign(o)) but the \(state.name) state holds "
            + "\(Words.text(UInt32(truncatingIfNeeded: old), at: out.address(o))): the kernel's "
            + "validation fails there and ftrace reports a bug (\(w.location))")
      }
      if case .branch = w.new, let got = g.symbol, got != scenarioName(scenario.target) {
        let through = w.via.isEmpty ? "" : " through \(w.via.joined(separator: " → "))"
        assume(
          .model,
          "\(t.function) (\(w.location)) does not branch to \(scenarioName(scenario.target)) from "
            + "func\(sign(o)) in the \(id) state: the path it takes\(through) branches to \(got)")
      }
      put(&out, g, at: o)
      writes.append(
        LayoutWrite(
          offset: o, old: old, new: g.value, width: g.width, api: api, function: function,
          text: g.text, location: w.location))
    }
    out.symbols = symbols.addresses
    let tr = LayoutTransition(
      from: state.id, to: id, function: t.function, writes: writes,
      concurrent: concurrent, location: t.location)
    return (out, tr)
  }

  func sign(_ o: Int) -> String { o == 0 ? "" : o > 0 ? "+\(o)" : "\(o)" }

  func value(_ s: LayoutState, at o: Int, width: Int) -> UInt64 {
    let lo = UInt64(s.word(at: o)?.word ?? 0)
    guard width == 8 else { return lo }
    return lo | UInt64(s.word(at: o + 4)?.word ?? 0) << 32
  }

  mutating func put(_ s: inout LayoutState, _ g: Generated, at o: Int) {
    if g.width == 8 {
      let name = g.symbol ?? "0x" + Words.hex(g.value)
      s.set(
        LayoutWord(
          offset: o, word: UInt32(truncatingIfNeeded: g.value), kind: .literal,
          text: ".quad \(name) (low)", symbol: g.symbol))
      s.set(
        LayoutWord(
          offset: o + 4, word: UInt32(truncatingIfNeeded: g.value >> 32), kind: .literal,
          text: ".quad \(name) (high)", symbol: g.symbol))
    } else {
      let w = UInt32(truncatingIfNeeded: g.value)
      s.set(
        LayoutWord(
          offset: o, word: w, kind: .insn,
          text: Words.text(w, at: s.address(o), symbols: symbols.names),
          symbol: g.symbol))
    }
  }

  /// Texts with symbol names for every instruction word, and the names the state knows.
  func relabel(_ s: LayoutState) -> LayoutState {
    var s = s
    for k in s.words.indices where s.words[k].kind == .insn {
      s.words[k].text = Words.text(
        s.words[k].word, at: s.address(s.words[k].offset), symbols: symbols.names)
    }
    s.symbols = symbols.addresses
    return s
  }

  /// 64-bit literals must be naturally aligned for a single-copy atomic store.
  mutating func checkLiterals() {
    var seen = Set<Int>()
    for t in layout.transitions {
      for w in t.writes where w.width == 8 && !seen.contains(w.offset) {
        seen.insert(w.offset)
        guard let s = layout.state(t.to) else { continue }
        let a = s.address(w.offset)
        if a % 8 != 0 {
          diagnose(
            LayoutMessage.literalMisaligned, .warning, w.location,
            "the 64-bit literal \(t.function) writes at func\(sign(w.offset)) (0x\(Words.hex(a))) "
              + "is not 8-byte aligned under GCC's placement (patch area \(compiled?.areaAlignment ?? 4)-byte aligned, "
              + "function symbol \(compiled?.symbolModulo8.map { "\($0) mod 8" } ?? "not aligned")): the store is not single-copy atomic"
          )
        } else if (compiled?.areaAlignment ?? 4) < 8 {
          diagnose(
            LayoutMessage.literalAlignmentAssumed, .warning, w.location,
            "the 64-bit literal at func\(sign(w.offset)) is 8-byte aligned only under the assumed "
              + "placement: the flags do not align functions to 8 bytes")
        }
      }
    }
  }

  // MARK: trampolines

  /// Assembles `lines` (of `entry-ftrace.S`) linked at `base`; nil, said why, when it fails.
  mutating func assemble(_ lines: [AsmLine], at base: UInt64, what: String) -> AssembledObject? {
    let text = lines.map(\.text).joined(separator: "\n")
    do throws(AssemblyError) {
      return try LinkedTrampolines.shared.object(text, at: base).get()
    } catch {
      let line = error.location.line
      let origin = line >= 1 && line <= lines.count ? lines[line - 1].origin : error.location
      diagnose(
        LayoutMessage.couldNotModel, .note, origin,
        "could not assemble \(what) (\(error.message) at \(origin)): listed without its words")
      return nil
    }
  }

  mutating func placeTrampolines() {
    guard let entry = builder.sources.entry else { return }
    var assembled: AssembledObject?
    if builder.sources.partialFiles.contains(FtraceSources.entryPath) {
      // Known from hunks only: each trampoline the hunks show whole is assembled on its own,
      // one after the other; the file's layout between them is not known.
      var next = builder.placement.entryText
      for sym in entry.symbols where sym.kind != .inner && sym.end != nil {
        let body = entry.body(of: sym.name)
        guard let o = assemble(body, at: next, what: sym.name), let sec = o.section(".text")
        else { continue }
        // Each trampoline gets a section of its own, so the object holds them all.
        var own = o
        let name = ".text.\(sym.name)"
        for k in own.sections.indices where own.sections[k].name == ".text" {
          own.sections[k].name = name
        }
        for k in own.symbols.indices where own.symbols[k].section == ".text" {
          own.symbols[k].section = name
        }
        var all = assembled ?? AssembledObject(sections: [], symbols: [])
        all.sections += own.sections
        all.symbols += own.symbols
        assembled = all
        next = (next + UInt64(sec.size) + 0xff) & ~0xff
      }
      assume(
        .address,
        "entry-ftrace.S is known only from the hunks: each trampoline they show whole is placed "
          + "on its own from 0x\(Words.hex(builder.placement.entryText)), 256-byte aligned")
    } else {
      assembled = assemble(
        entry.lines, at: builder.placement.entryText, what: FtraceSources.entryPath)
    }
    layout.entryObject = assembled
    // Names the file declares without words, and a missing ftrace_caller, are placed after
    // everything assembled, so they never alias real code.
    var free = builder.placement.entryText + 0x1000
    for sec in assembled?.sections ?? [] {
      free = max(free, (sec.base + UInt64(sec.size) + 0xfff) & ~0xfff)
    }
    var k: UInt64 = 0
    for sym in entry.symbols {
      var t = Trampoline(name: sym.name, kind: sym.kind.rawValue, location: sym.location)
      if let o = assembled, let s = o.symbols.first(where: { $0.name == sym.name }),
        let secName = s.section, let sec = o.section(secName)
      {
        let addr = sec.base &+ UInt64(bitPattern: s.offset)
        t.address = addr
        if let item = sec.items.first(where: { Int64($0.offset) == s.offset }), let w = item.word {
          t.firstWord = w
          t.firstText = Words.text(w, at: addr)
          if case .hint(let h)? = A64.decode(w).instruction {
            let pads: [Hint: String] = [
              .bti: "bti", .btiC: "bti c", .btiJ: "bti j", .btiJC: "bti jc",
            ]
            t.landingPad = pads[h]
          }
        }
        symbols.define(sym.name, addr)
      } else {
        let addr = free + 0x100 * k
        k += 1
        t.address = addr
        symbols.define(sym.name, addr)
        assume(.address, "\(sym.name) placed at 0x\(Words.hex(addr)) (its words are unavailable)")
      }
      layout.trampolines.append(t)
    }
    if symbols.addresses["ftrace_caller"] == nil {
      let addr = assembled == nil ? builder.placement.entryText : free + 0x100 * k
      symbols.define("ftrace_caller", addr)
      assume(.address, "ftrace_caller is not in entry-ftrace.S: placed at 0x\(Words.hex(addr))")
    }
  }
}

extension CExpr {
  /// Whether the identifier `name` occurs in the expression.
  func mentions(_ name: String) -> Bool {
    var found = false
    visit { if case .identifier(let n) = $0, n == name { found = true } }
    return found
  }
}

extension [UInt8] {
  /// Whether `infix`'s UTF-8 bytes occur in these bytes.
  fileprivate func hasInfix(_ infix: StaticString) -> Bool {
    infix.withUTF8Buffer { p in
      guard p.count <= count else { return false }
      var i = 0
      while i + p.count <= count {
        if self[i] == p[0], self[i..<(i + p.count)].elementsEqual(p) { return true }
        i += 1
      }
      return false
    }
  }
}

/// Trampolines assembled and linked, kept by their text and base: the configurations of one
/// tree, and the trees of a history whose `entry-ftrace.S` reads the same, assemble the same
/// lines at the same address.
final class LinkedTrampolines: @unchecked Sendable {
  static let shared = LinkedTrampolines()
  struct Key: Hashable {
    var text: String
    var base: UInt64
  }
  private let lock = NSLock()
  private var kept: [Key: Result<AssembledObject, AssemblyError>] = [:]
  private let capacity: Int

  init(capacity: Int = 64) { self.capacity = capacity }

  /// `text` assembled as `entry-ftrace.S` and linked with `.text` at `base`, or why not.
  func object(_ text: String, at base: UInt64) -> Result<AssembledObject, AssemblyError> {
    let key = Key(text: text, base: base)
    lock.lock()
    let found = kept[key]
    lock.unlock()
    if let found { return found }
    let made = Result { () throws(AssemblyError) -> AssembledObject in
      try Assembler.assemble(text, file: FtraceSources.entryPath)
        .link(bases: [".text": base], allowUndefined: true)
    }
    lock.lock()
    defer { lock.unlock() }
    if kept.count >= capacity { kept.removeAll(keepingCapacity: true) }
    kept[key] = made
    return made
  }
}
