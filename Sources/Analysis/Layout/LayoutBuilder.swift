import AArch64
import Diagnostics
import Foundation
import KernelSource

/// Rebuilds the callsite of one tree in one configuration: the compiled state from the flags,
/// then the extracted C transitions applied in order, each word encoded at its assumed address.
public struct LayoutBuilder: Sendable {
  public var sources: FtraceSources
  public var placement: Placement
  public var version: Int?
  public var source: String
  public var configName: String
  /// The tree, to follow ftrace.c's small address helpers (`ftrace_literal(rec)`).
  public var tree: (any KernelTree)?

  public init(
    sources: FtraceSources, placement: Placement = Placement(), version: Int? = nil,
    source: String, configName: String, tree: (any KernelTree)? = nil
  ) {
    self.sources = sources
    self.tree = tree
    self.placement = placement
    self.version = version
    self.source = source
    self.configName = configName
  }

  /// The options shown for a configuration: the ftrace, BTI, alignment and PLT ones.
  public static func shownOptions(_ config: KernelConfig) -> [(name: String, value: String)] {
    config.values.keys.sorted().filter { n in
      n.contains("FTRACE") || n.contains("BTI") || n.contains("FUNCTION_ALIGNMENT")
        || n.contains("MODULE_PLTS") || n == "MODULES" || n.contains("PTR_AUTH")
    }.map { ($0, config[$0]?.description ?? "") }
  }

  public func build() -> Layout {
    var b = Run(builder: self)
    b.run()
    return b.layout
  }
}

/// One build: the layout being filled and the symbols placed so far.
struct Run {
  let builder: LayoutBuilder
  var layout: Layout
  var symbols: [String: UInt64] = [:]
  var names: [UInt64: String] = [:]
  var nextUnknown: UInt64
  var compiled: CompiledCallsite?
  var helpers: AddressHelpers?
  /// The C function whose locals name addresses in the write being modelled.
  var currentFunction: String?
  var config: KernelConfig { builder.sources.config }
  var transitions: [String: CTransition] { builder.sources.transitions }

  init(builder: LayoutBuilder) {
    self.builder = builder
    layout = Layout(
      version: builder.version, source: builder.source, configName: builder.configName,
      config: LayoutBuilder.shownOptions(builder.sources.config))
    nextUnknown = builder.placement.data + 0x1000
    for (n, a) in builder.placement.fixedSymbols { define(n, a) }
    if let tree = builder.tree, let text = tree.contents(of: FtraceSources.ftracePath) {
      let x = TransitionExtractor(
        text: text, file: FtraceSources.ftracePath, config: builder.sources.config, tree: tree)
      helpers = AddressHelpers(functions: x.functions, config: builder.sources.config)
    }
  }

  mutating func define(_ name: String, _ address: UInt64) {
    symbols[name] = address
    if names[address] == nil { names[address] = name }
  }

  mutating func diagnose(
    _ id: MessageID, _ severity: Severity, _ location: SourceLocation?, _ message: String
  ) {
    let d = Diagnostic(id, severity, at: location ?? SourceLocation(file: builder.source), message)
    if !layout.diagnostics.contains(d) { layout.diagnostics.append(d) }
  }

  mutating func assume(_ text: String) {
    if !layout.assumptions.contains(text) { layout.assumptions.append(text) }
  }

  mutating func run() {
    layout.assumptions += builder.placement.description
    for d in builder.sources.diagnostics where d.severity >= .warning {
      diagnose(d.id, d.severity, d.location, d.message)
    }
    for m in builder.sources.missingFiles { assume("\(m) is not in the tree: not read") }
    placeTrampolines()
    guard let flags = builder.sources.flags, let pe = flags.patchableEntryValue else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, nil,
        "could not model the compiled callsite: no -fpatchable-function-entry in the Makefiles "
          + "read for this configuration (the -pg/mcount callsite is compiler-placed and not "
          + "modelled)")
      return
    }
    guard pe.total <= 64 else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, pe.origin,
        "could not model -fpatchable-function-entry=\(pe.total),\(pe.before) at \(pe.origin): more "
          + "than 64 NOPs")
      return
    }
    let bti = flags.branchProtection?.bti ?? false
    if flags.branchProtection == nil { assume("no -mbranch-protection flag: no BTI landing pads") }
    let c = CompiledCallsite(
      total: pe.total, before: pe.before, bti: bti, alignment: flags.functionAlignment?.bytes)
    compiled = c
    layout.patchEntryOffset = c.patchEntryOffset
    if let a = flags.functionAlignment {
      assume(
        "function alignment \(a.bytes) from \(a.source.rawValue) at \(a.origin)"
          + (a.note.map { ": \($0)" } ?? ""))
    } else {
      assume(
        "no function alignment flag: GCC's default (.p2align 4,,11) only guarantees 4-byte "
          + "alignment; the patch area is placed 16-byte aligned")
    }
    if let m = c.symbolModulo8, m != 0 {
      diagnose(
        LayoutMessage.fact, .note, pe.origin,
        "GCC puts .p2align \(c.areaAlignment == 8 ? 3 : c.areaAlignment.trailingZeroBitCount) "
          + "before the \(c.before) pre-entry NOPs, so the function symbol is \(m) mod 8")
    }
    let compiledState = LayoutState(
      name: "compiled", words: c.words, placement: .core,
      functionAddress: builder.placement.coreFunctionArea + UInt64(c.symbolFromAreaStart),
      note: "-fpatchable-function-entry=\(pe.total),\(pe.before)\(bti ? " with BTI" : "") "
        + "(\(pe.origin))")
    layout.states.append(relabel(compiledState))
    layout.recordOffset = recordOffset(c, compiledState)
    guard let rec = layout.recordOffset else { return }
    _ = rec
    let concurrent = transitions["arch_ftrace_update_code"] != nil
    if concurrent {
      assume(
        "arch_ftrace_update_code is defined in ftrace.c: runtime writes happen without "
          + "stop_machine while other CPUs may run the function")
    } else {
      assume("no arch_ftrace_update_code: the generic code runs the writes under stop_machine")
    }
    // init
    var initState = compiledState
    initState.name = "init"
    if let t = transitions["ftrace_init_nop"] {
      let (s, tr) = apply(
        t, to: compiledState, name: "init", target: "FTRACE_ADDR", ops: "ftrace_nop_ops",
        api: .initTime, concurrent: false)
      initState = s
      layout.transitions.append(tr)
    } else {
      assume("no ftrace_init_nop in this configuration: the compiled callsite is the disabled one")
    }
    initState.note = "ftrace_init_nop (boot or module load)"
    layout.states.append(relabel(initState))
    guard let makeCall = transitions["ftrace_make_call"] else {
      diagnose(
        LayoutMessage.couldNotModel, .warning, builder.sources.transitions.first?.value.location,
        "could not model the enabled states: no ftrace_make_call in this configuration")
      return
    }
    let hasOps = makeCall.writes.contains { $0.api == .writeLiteralU64 }
    var (near, nearT) = apply(
      makeCall, to: initState, name: "near", target: "FTRACE_ADDR", ops: "<callsite ops>",
      api: nil, concurrent: concurrent)
    near.note = "ftrace_make_call, addr = FTRACE_ADDR, in BL range"
    layout.states.append(relabel(near))
    layout.transitions.append(nearT)
    if let t = transitions["ftrace_make_nop"] {
      var (s, tr) = apply(
        t, to: near, name: "disabled", target: "FTRACE_ADDR", ops: "ftrace_nop_ops", api: nil,
        concurrent: concurrent)
      s.note = "ftrace_make_nop from near"
      layout.states.append(relabel(s))
      layout.transitions.append(tr)
    }
    if hasOps {
      var (s, tr) = apply(
        makeCall, to: initState, name: "list", target: "FTRACE_ADDR", ops: "ftrace_list_ops",
        api: nil, concurrent: concurrent)
      s.note = "ftrace_make_call with several ops on the site: the literal holds ftrace_list_ops"
      layout.states.append(relabel(s))
      layout.transitions.append(tr)
    }
    // far: the traced function in a module
    var moduleInit = initState
    moduleInit.placement = .module
    moduleInit.functionAddress =
      builder.placement.moduleFunctionArea + UInt64(c.symbolFromAreaStart)
    moduleInit = rewordBranches(moduleInit)
    var (far, farT) = apply(
      makeCall, to: moduleInit, name: "far", target: "FTRACE_ADDR", ops: "<callsite ops>",
      api: nil, concurrent: concurrent)
    far.note = "ftrace_make_call, traced function in a module out of BL range of ftrace_caller"
    layout.states.append(relabel(far))
    layout.transitions.append(farT)
    // Designs that call a trampoline of their own when it is out of range (a literal written on
    // the out-of-range path) get the same two scenarios as direct calls.
    let rangeLiteral = makeCall.writes.contains { w in
      w.api == .writeLiteralU64
        && w.conditions.contains { $0.contains("128M") || $0.contains("reachable") }
    }
    if config.isEnabled("DYNAMIC_FTRACE_WITH_DIRECT_CALLS") || rangeLiteral {
      let prefix = config.isEnabled("DYNAMIC_FTRACE_WITH_DIRECT_CALLS") ? "direct" : "tramp"
      if prefix == "tramp" {
        assume(
          "ftrace_make_call writes a literal when its target is out of BL range: states "
            + "tramp-near/tramp-far call a trampoline in and out of range")
      }
      for (name, tramp) in [
        ("\(prefix)-near", "<direct trampoline>"), ("\(prefix)-far", "<far direct trampoline>"),
      ] {
        var (s, tr) = apply(
          makeCall, to: initState, name: name, target: tramp, ops: "<direct ops>", api: nil,
          concurrent: concurrent)
        s.note =
          "ftrace_make_call, addr = a trampoline \(name.hasSuffix("-near") ? "in" : "out of") BL range"
        layout.states.append(relabel(s))
        layout.transitions.append(tr)
      }
    }
    modifyCall(from: near, concurrent: concurrent)
    checkLiterals()
  }

  /// `ftrace_modify_call` from `near` to the state `ftrace_make_call` gives directly (a direct
  /// trampoline, or the list ops): the two pictures must agree.
  mutating func modifyCall(from near: LayoutState, concurrent: Bool) {
    guard let mc = transitions["ftrace_modify_call"] else { return }
    let direct = config.isEnabled("DYNAMIC_FTRACE_WITH_DIRECT_CALLS")
    let to = direct ? "direct-near" : "list"
    guard let expected = layout.state(to) else { return }
    let (s, tr) = apply(
      mc, to: near, name: to, target: direct ? "<direct trampoline>" : "FTRACE_ADDR",
      ops: direct ? "<direct ops>" : "ftrace_list_ops", api: nil, concurrent: concurrent,
      oldTarget: "FTRACE_ADDR")
    layout.transitions.append(tr)
    let got = s.words.map { "\($0.offset):\($0.word)" }
    let want = expected.words.map { "\($0.offset):\($0.word)" }
    if got != want {
      let differ = s.words.filter { expected.word(at: $0.offset)?.word != $0.word }.map(\.offset)
      diagnose(
        LayoutMessage.fact, .warning, mc.location,
        "ftrace_modify_call from near does not give the \(to) state ftrace_make_call gives: "
          + "they differ at \(differ.map { "func\(sign($0))" }.joined(separator: ", ")) "
          + "(\(mc.location))")
    }
  }

  /// `rec->ip` from the extracted `ftrace_call_adjust`, or the generic identity.
  mutating func recordOffset(_ c: CompiledCallsite, _ s: LayoutState) -> Int? {
    guard let t = transitions["ftrace_call_adjust"] else {
      assume("no ftrace_call_adjust: rec->ip is the __patchable_function_entries address")
      return c.patchEntryOffset
    }
    let ctx = ScenarioContext(
      config: config, module: false, bti: c.bti,
      entryAligned: s.address(c.patchEntryOffset) % 8 == 0, target: "FTRACE_ADDR",
      branchOffset: nil)
    for p in t.paths {
      let values = p.conditions.map { ctx.evaluate($0) }
      if values.contains(false) { continue }
      if let u = zip(p.conditions, values).first(where: { $0.1 == nil }) {
        diagnose(
          LayoutMessage.couldNotModel, .warning, t.location,
          "could not model the condition `\(u.0)` of ftrace_call_adjust at \(t.location); took "
            + "the first path that does not contradict the layout")
      }
      var returned = p.returnedAddress
      if returned == nil, case .returned(let v) = p.outcome, v != "0",
        let o = AddressArithmetic.evaluate(v, config: config)
      {
        returned = OffsetExpr(.patchEntry, offset: o)
        assume("ftrace_call_adjust returns \(v) (\(t.location)): addr + \(o) in this configuration")
      }
      guard let r = returned else {
        if case .returned(let v) = p.outcome, v == "0" {
          diagnose(
            LayoutMessage.fact, .warning, t.location,
            "ftrace_call_adjust returns 0 for this layout (the record is dropped: \"Misaligned "
              + "patch-site\")")
          return nil
        }
        continue
      }
      guard r.base == .patchEntry, r.alignDown == nil else {
        diagnose(
          LayoutMessage.couldNotModel, .warning, t.location,
          "could not model ftrace_call_adjust's result \(r) at \(t.location)")
        return nil
      }
      return c.patchEntryOffset + r.offset
    }
    diagnose(
      LayoutMessage.couldNotModel, .warning, t.location,
      "could not model ftrace_call_adjust at \(t.location): no path fits the compiled callsite")
    return nil
  }

  // MARK: symbols

  /// The address and name of a value as written in ftrace.c.
  mutating func resolve(_ written: String, bindings: [String: String], state: LayoutState)
    -> (UInt64, String)?
  {
    var s = written.trimmingCharacters(in: .whitespaces)
    if let b = bindings[s] { s = b }
    if s.hasPrefix("&") || s.hasPrefix("*") { s = String(s.dropFirst()) }
    if s.hasPrefix("(unsigned long)") { s = String(s.dropFirst("(unsigned long)".count)) }
    switch s {
    case "FTRACE_ADDR": s = "ftrace_caller"
    case "FTRACE_REGS_ADDR":
      s = symbols["ftrace_regs_caller"] != nil ? "ftrace_regs_caller" : "ftrace_caller"
    default: break
    }
    if s.contains("plt") { s = "<module ftrace PLT>" }
    if s.hasPrefix("rec->ip") {
      let rest = s.dropFirst("rec->ip".count).filter { $0 != " " }
      let off = rest.isEmpty ? 0 : Int(rest) ?? 0
      if rest.isEmpty || Int(rest) != nil, let rec = layout.recordOffset {
        let o = rec + off
        return (state.address(o), o == 0 ? "func" : "func\(o < 0 ? "" : "+")\(o)")
      }
      return nil
    }
    if let a = symbols[s] { return (a, s) }
    if let h = helpers, let r = layout.recordOffset, let v = h.offset(of: s, in: currentFunction) {
      let o = r + v
      assume(
        "\(s) is rec->ip \(v < 0 ? "-" : "+") \(abs(v)) = func\(sign(o)), following ftrace.c's helpers"
      )
      return (state.address(o), "func\(sign(o))")
    }
    let a = nextUnknown
    nextUnknown += 0x100
    define(s, a)
    assume("\(s) is not defined in the files read: placed at 0x\(Words.hex(a))")
    return (a, s)
  }

  /// The address of an `OffsetExpr` in `state`, as an offset from the function symbol.
  mutating func offset(
    of e: OffsetExpr, in state: LayoutState, location: SourceLocation, function: String? = nil
  ) -> Int? {
    let base: Int
    switch e.base {
    case .recordIP:
      guard let r = layout.recordOffset else { return nil }
      base = r
    case .patchEntry:
      guard let p = layout.patchEntryOffset else { return nil }
      base = p
    case .unknown(let text):
      guard let r = layout.recordOffset, let h = helpers,
        let v = h.offset(of: text, in: function)
      else { return nil }
      assume(
        "\(text)\(function.map { " in \($0)" } ?? "") (\(location)) is rec->ip \(v < 0 ? "-" : "+") "
          + "\(abs(v)), following ftrace.c's helpers")
      base = r + v
    case .symbol:
      return nil
    }
    var o = base + e.offset
    if let a = e.alignDown, a > 0 {
      let addr = state.address(o)
      let down = addr - addr % UInt64(a)
      o -= Int(addr - down)
    }
    return o
  }

  // MARK: words

  struct Generated {
    var value: UInt64
    var width: Int
    var text: String
    var symbol: String?
  }

  /// The word (or literal) a generator call produces at `offset` of `state`.
  mutating func generate(
    _ g: GenExpr, at offset: Int, in state: LayoutState, bindings: [String: String],
    location: SourceLocation
  ) -> Generated? {
    let pc = state.address(offset)
    func word(_ text: String, symbol: String? = nil) -> Generated? {
      guard let w = Words.assemble(text, at: pc) else { return nil }
      return Generated(value: UInt64(w), width: 4, text: text, symbol: symbol)
    }
    switch g {
    case .nop: return word("nop")
    case .raw(let v):
      return Generated(value: UInt64(v), width: 4, text: "0x\(Words.hex(UInt64(v), digits: 8))")
    case .moveRegister(let d, let s, let w64):
      return word("mov \(w64 ? d : "w" + d.dropFirst()), \(w64 ? s : "w" + s.dropFirst())")
    case .hint(let h):
      let t: String =
        switch h {
        case "BTIC": "bti c"
        case "BTIJ": "bti j"
        case "BTIJC": "bti jc"
        case "BTI": "bti"
        case "NOP": "nop"
        default: h.lowercased()
        }
      return word(t)
    case .branchRegister(let r, let kind):
      return word("\(kind.lowercased()) \(r)")
    case .branch(_, let to, let link):
      guard let (target, name) = resolve(to, bindings: bindings, state: state) else { return nil }
      let m = link ? "bl" : "b"
      if let g = word("\(m) 0x\(String(target, radix: 16))", symbol: name) {
        return Generated(value: g.value, width: 4, text: "\(m) \(name)", symbol: name)
      }
      diagnose(
        LayoutMessage.branchOutOfRange, .warning, location,
        "\(m) from 0x\(Words.hex(pc)) to \(name) at 0x\(Words.hex(target)) is out of range: "
          + "aarch64_insn_gen_branch_imm returns AARCH64_BREAK_FAULT (\(location))")
      return Generated(value: UInt64(Words.breakFault), width: 4, text: "brk #0x100", symbol: nil)
    case .loadLiteral(_, let lit, let r, let w64):
      guard
        let lo = self.offset(of: lit, in: state, location: location, function: currentFunction)
      else { return nil }
      let reg = w64 ? r : "w" + r.dropFirst()
      return word("ldr \(reg), 0x\(String(state.address(lo), radix: 16))")
    case .adr(_, let to, let r, let page):
      guard let (target, name) = resolve(to, bindings: bindings, state: state) else { return nil }
      guard var g = word("\(page ? "adrp" : "adr") \(r), 0x\(String(target, radix: 16))") else {
        return nil
      }
      g.symbol = name
      return g
    case .literal(let v):
      guard let (a, name) = resolve(v, bindings: bindings, state: state) else { return nil }
      return Generated(value: a, width: 8, text: ".quad \(name)", symbol: name)
    case .unknown:
      return nil
    }
  }

  /// Applies the path of `t` that fits the scenario to `state`.
  mutating func apply(
    _ t: CTransition, to state: LayoutState, name: String, target: String, ops: String,
    api forced: WriteAPI?, concurrent: Bool, oldTarget: String? = nil
  ) -> (LayoutState, LayoutTransition) {
    var out = state
    out.name = name
    var target = target
    var bindings = [
      "addr": target, "old_addr": oldTarget ?? target, "ops": ops, "arm64_rec_get_ops(rec)": ops,
    ]
    let rec = layout.recordOffset ?? 0
    let pc = state.address(rec)
    func distance(_ run: inout Run, _ sym: String) -> Int64? {
      guard let (a, _) = run.resolve(sym, bindings: [:], state: state) else { return nil }
      return Int64(bitPattern: a &- pc)
    }
    func inRange(_ d: Int64?) -> Bool { d.map { $0 >= -(128 << 20) && $0 < (128 << 20) } ?? true }
    // ftrace_find_callable_addr(…, &addr): what the helper may turn addr into.
    if let o = t.outputs.first(where: { $0.variable == "addr" }) {
      if !inRange(distance(&self, target)), o.mayBecome.contains("FTRACE_ADDR"),
        target != "FTRACE_ADDR"
      {
        assume(
          "\(o.function) (\(o.location)) substitutes FTRACE_ADDR for \(target), out of BL range")
        target = "FTRACE_ADDR"
      }
      if !inRange(distance(&self, target)), state.placement == .module,
        let plt = o.mayBecome.first(where: { $0.contains("plt") })
      {
        assume("\(o.function) (\(o.location)) turns addr into \(plt): the module's ftrace PLT")
        target = "<module ftrace PLT>"
      }
      bindings["addr"] = target
    }
    let ctx = ScenarioContext(
      config: config, module: state.placement == .module, bti: compiled?.bti ?? false,
      entryAligned: state.address(layout.patchEntryOffset ?? 0) % 8 == 0,
      target: target == "FTRACE_ADDR" ? "ftrace_caller" : target,
      branchOffset: distance(&self, target))
    let path = choosePath(t, ctx)
    var writes: [LayoutWrite] = []
    for w in path?.writes ?? [] {
      currentFunction = w.via.last ?? t.function
      guard
        let o = offset(of: w.target, in: out, location: w.location, function: currentFunction)
      else {
        if case .symbol(let s) = w.target.base {
          assume("\(t.function) also patches \(s) (\(w.location)): not part of the callsite")
        } else {
          diagnose(
            LayoutMessage.couldNotModel, .warning, w.location,
            "could not model the write target \(w.target) at \(w.location)")
        }
        continue
      }
      guard
        let g = generate(w.new, at: o, in: out, bindings: bindings, location: w.location)
      else {
        diagnose(
          LayoutMessage.couldNotModel, .warning, w.location,
          "could not model \(w.new) at \(w.location)")
        continue
      }
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
      let area = compiled.map { c in
        (-4 * c.before)..<(4 * (c.total - c.before) + (c.bti ? 4 : 0))
      }
      if let area, !area.contains(o) || !area.contains(o + g.width - 4) {
        diagnose(
          LayoutMessage.fact, .warning, w.location,
          "\(t.function) writes \(g.text) at func\(sign(o)), outside the compiled patch area "
            + "func\(sign(area.lowerBound))..func\(sign(area.upperBound)): that word belongs to "
            + "the previous function (\(w.location))")
      } else if w.validate, let expected = w.old,
        let e = generate(expected, at: o, in: out, bindings: bindings, location: w.location),
        e.value != old
      {
        diagnose(
          LayoutMessage.validationMismatch, .warning, w.location,
          "\(t.function) expects \(e.text) at func\(sign(o)) but the \(state.name) state holds "
            + "\(Words.text(UInt32(truncatingIfNeeded: old), at: out.address(o))): the kernel's "
            + "validation fails there and ftrace reports a bug (\(w.location))")
      }
      put(&out, g, at: o)
      writes.append(
        LayoutWrite(
          offset: o, old: old, new: g.value, width: g.width, api: api, function: function,
          text: g.text, location: w.location))
    }
    let tr = LayoutTransition(
      from: state.name, to: name, function: t.function, writes: writes,
      concurrent: concurrent, location: t.location)
    return (out, tr)
  }

  func sign(_ o: Int) -> String { o == 0 ? "" : o > 0 ? "+\(o)" : "\(o)" }

  mutating func choosePath(_ t: CTransition, _ ctx: ScenarioContext) -> CPath? {
    var fallback: (CPath, String)?
    for p in t.paths {
      if case .failed = p.outcome { continue }
      let values = p.conditions.map { ctx.evaluate($0) }
      if values.contains(false) { continue }
      if let u = zip(p.conditions, values).first(where: { $0.1 == nil }) {
        if fallback == nil { fallback = (p, u.0) }
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
          offset: o, word: w, kind: .insn, text: Words.text(w, at: s.address(o), symbols: names),
          symbol: g.symbol))
    }
  }

  /// Texts with symbol names for every instruction word.
  func relabel(_ s: LayoutState) -> LayoutState {
    var s = s
    for k in s.words.indices where s.words[k].kind == .insn {
      s.words[k].text = Words.text(
        s.words[k].word, at: s.address(s.words[k].offset), symbols: names)
    }
    return s
  }

  /// Re-encodes PC-relative words after moving a state to another address (the kernel would
  /// have generated them there): only the compiled NOPs/BTI and MOVs are expected before a call.
  func rewordBranches(_ s: LayoutState) -> LayoutState { s }

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
            LayoutMessage.fact, .warning, w.location,
            "the 64-bit literal at func\(sign(w.offset)) is 8-byte aligned only under the assumed "
              + "placement: the flags do not align functions to 8 bytes")
        }
      }
    }
  }

  // MARK: trampolines

  mutating func placeTrampolines() {
    guard let entry = builder.sources.entry else { return }
    let text = entry.lines.map(\.text).joined(separator: "\n")
    var assembled: AssembledObject?
    do throws(AssemblyError) {
      let o = try Assembler.assemble(text, file: FtraceSources.entryPath)
      assembled = try o.link(bases: [".text": builder.placement.entryText], allowUndefined: true)
    } catch {
      let line = error.location.line
      let origin =
        line >= 1 && line <= entry.lines.count ? entry.lines[line - 1].origin : error.location
      diagnose(
        LayoutMessage.couldNotModel, .note, origin,
        "could not assemble \(FtraceSources.entryPath) (\(error.message) at \(origin)): "
          + "trampoline symbols listed without their words")
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
          let pads: [UInt32: String] = [
            0xd503_241f: "bti", 0xd503_245f: "bti c", 0xd503_249f: "bti j", 0xd503_24df: "bti jc",
          ]
          t.landingPad = pads[w]
        }
        define(sym.name, addr)
      } else {
        let addr = builder.placement.entryText + 0x1000 + 0x100 * k
        k += 1
        t.address = addr
        define(sym.name, addr)
        assume("\(sym.name) placed at 0x\(Words.hex(addr)) (its words are unavailable)")
      }
      layout.trampolines.append(t)
    }
    if symbols["ftrace_caller"] == nil {
      define("ftrace_caller", builder.placement.entryText)
      assume(
        "ftrace_caller is not in entry-ftrace.S: placed at 0x\(Words.hex(builder.placement.entryText))"
      )
    }
  }
}
