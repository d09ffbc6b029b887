import AArch64
import Diagnostics
import Foundation

/// An address in the callsite: a base and a byte offset, optionally rounded down.
public struct OffsetExpr: Hashable, Sendable, CustomStringConvertible {
  public enum Base: Hashable, Sendable {
    /// `rec->ip`: the adjusted record (after `ftrace_call_adjust`), the BL slot.
    case recordIP
    /// The unadjusted `__patchable_function_entries` address `ftrace_call_adjust` receives.
    case patchEntry
    /// A kernel symbol: `ftrace_call`, `ftrace_graph_call`.
    case symbol(String)
    /// Anything else, kept as the expression it is (a scenario may still evaluate it).
    case expression(CExpr)
  }
  public var base: Base
  public var offset: Int
  /// `ALIGN_DOWN(base + offset, alignDown)` when set.
  public var alignDown: Int?

  public init(_ base: Base, offset: Int = 0, alignDown: Int? = nil) {
    self.base = base
    self.offset = offset
    self.alignDown = alignDown
  }

  public var description: String {
    let b: String
    switch base {
    case .recordIP: b = "rec->ip"
    case .patchEntry: b = "addr"
    case .symbol(let s): b = s
    case .expression(let e): b = e.description
    }
    let o = offset == 0 ? b : offset > 0 ? "\(b) + \(offset)" : "\(b) - \(-offset)"
    return alignDown.map { "ALIGN_DOWN(\(o), \($0))" } ?? o
  }
}

/// The instruction (or literal) a write puts in place, as the generator call describes it.
/// Registers, hints and branch kinds are the AArch64 model's; targets and literal values stay
/// symbolic (a ``CExpr`` over the function's parameters and the kernel's symbols) until a
/// scenario gives them addresses.
public enum GenExpr: Hashable, Sendable, CustomStringConvertible {
  /// `aarch64_insn_gen_nop()`.
  case nop
  /// `aarch64_insn_gen_branch_imm(pc, target, LINK|NOLINK)`.
  case branch(from: OffsetExpr, to: CExpr, link: Bool)
  /// `aarch64_insn_gen_move_reg(dst, src, variant)`: both registers carry the variant's width.
  case moveRegister(destination: Register, source: Register)
  /// `aarch64_insn_gen_load_literal(pc, literal, reg, is64bit)`: `LDR reg, literal`.
  case loadLiteral(from: OffsetExpr, literal: OffsetExpr, register: Register)
  /// `aarch64_insn_gen_branch_reg(reg, type)`: `BR`, `BLR` or `RET` through `register`.
  case branchRegister(BranchRegisterKind, Register)
  /// `aarch64_insn_gen_hint(op)`; `AARCH64_INSN_HINT_NOP` is ``nop``.
  case hint(Hint)
  /// `aarch64_insn_gen_adr(pc, addr, reg, type)`: `ADR` or (page) `ADRP`.
  case adr(from: OffsetExpr, to: CExpr, register: Register, page: Bool)
  /// A constant word, such as the `0` passed as "old" when not validating.
  case raw(UInt32)
  /// A 64-bit literal value (`aarch64_insn_write_literal_u64`): `&ftrace_nop_ops`.
  case literal(CExpr)
  /// A generator or value not modelled, as written.
  case unknown(CExpr)

  public var description: String {
    switch self {
    case .nop: "NOP"
    case .branch(let from, let to, let link): "\(link ? "BL" : "B") \(to) (from \(from))"
    case .moveRegister(let d, let s): "MOV \(d), \(s)"
    case .loadLiteral(let from, let literal, let r): "LDR \(r), [\(literal)] (from \(from))"
    case .branchRegister(let kind, let r): "\(GenExpr.name(kind)) \(r)"
    case .hint(let h): "HINT #\(h.rawValue)"
    case .adr(let from, let to, let r, let page):
      "\(page ? "ADRP" : "ADR") \(r), \(to) (from \(from))"
    case .raw(let v): "0x" + String(v, radix: 16)
    case .literal(let v): ".quad \(v)"
    case .unknown(let e): "?(\(e))"
    }
  }

  static func name(_ k: BranchRegisterKind) -> String {
    switch k {
    case .br: "BR"
    case .blr: "BLR"
    case .ret: "RET"
    }
  }
}

/// How a write reaches memory.
public enum PatchAPI: String, Hashable, Sendable {
  /// `ftrace_modify_code(pc, old, new, validate)`: optional read-compare, then nosync patch.
  case ftraceModifyCode = "ftrace_modify_code"
  /// `aarch64_insn_patch_text_nosync(addr, insn)`: one word, D/I cache maintenance, no IPI.
  case patchTextNosync = "aarch64_insn_patch_text_nosync"
  /// `aarch64_insn_patch_text(addrs, insns, cnt)`: under stop_machine.
  case patchText = "aarch64_insn_patch_text"
  /// `aarch64_insn_write_literal_u64(addr, val)`: one 64-bit data store.
  case writeLiteralU64 = "aarch64_insn_write_literal_u64"
}

/// One write a transition performs.
public struct CWrite: Hashable, Sendable, CustomStringConvertible {
  public var target: OffsetExpr
  public var old: GenExpr?
  public var new: GenExpr
  public var api: PatchAPI
  /// The primitive the API ends in, when the extractor followed it (`ftrace_modify_code` →
  /// `aarch64_insn_patch_text_nosync`).
  public var underlying: PatchAPI?
  public var validate: Bool
  public var location: SourceLocation
  /// Local helpers the write was reached through, outermost first.
  public var via: [String]
  /// The conditions of the path that performs it (empty: every successful path).
  public var conditions: [CExpr]

  public var description: String {
    let o = old.map { "\($0) → " } ?? ""
    let v = via.isEmpty ? "" : " via \(via.joined(separator: " → "))"
    return
      "[\(target)] \(o)\(new) by \(api.rawValue)\(validate ? " (validated)" : "")\(v) at \(location)"
  }
}

/// One path through a function: what it requires, what it writes, how it ends.
public struct CPath: Hashable, Sendable {
  public enum Outcome: Hashable, Sendable {
    case completed
    /// A negative errno return, by name when it was written as one (`EINVAL`).
    case failed(String)
    case returned(CExpr)
  }
  /// Every condition the path takes, in order, each an atomic test or its negation.
  public var conditions: [CExpr]
  public var writes: [CWrite]
  public var outcome: Outcome
  /// For functions that compute an address (`ftrace_call_adjust`): the address returned.
  public var returnedAddress: OffsetExpr?
}

/// What one ftrace.c function does to the callsite, symbolically.
///
/// Local helpers are followed (inlined) whatever they do: a helper that rewrites a variable
/// through a pointer (`ftrace_find_callable_addr(rec, mod, &addr)`) changes that variable on
/// the paths where it does, and the helper's tests become the path's conditions. Conditions
/// and values are ``CExpr`` trees over the function's parameters (``parameters``), the
/// kernel's symbols and calls the file does not define, ready for a scenario to evaluate.
public struct CTransition: Hashable, Sendable {
  public var function: String
  public var location: SourceLocation
  /// The function's parameters, in order (`rec`, `addr` for `ftrace_make_call`).
  public var parameters: [String]
  /// The writes of the paths that do not fail, in order, each with its path's conditions
  /// (writes shared by every such path have none).
  public var writes: [CWrite]
  public var paths: [CPath]
  /// Configuration decisions taken while reading it: `IS_ENABLED(CONFIG_X) is false at f:l`.
  public var conditions: [String]
  public var diagnostics: [Diagnostic]
}

/// The functions of `arch/arm64/kernel/ftrace.c` (and `asm/ftrace.h`) that decide the callsite.
public enum FtraceFunctions {
  public static let names = [
    "ftrace_init_nop", "ftrace_make_call", "ftrace_make_nop", "ftrace_modify_call",
    "ftrace_update_ftrace_func", "ftrace_call_adjust", "ftrace_find_callable_addr",
    "ftrace_rec_update_ops", "ftrace_rec_set_ops", "ftrace_rec_set_nop_ops",
    "arch_ftrace_update_code",
  ]
}

/// Reads ftrace.c (after cpp-lite over the chosen config) and models its transitions.
public struct TransitionExtractor: Sendable {
  public var functions: [String: CFunction]
  public var config: KernelConfig
  public var file: String
  public var diagnostics: [Diagnostic]
  /// Functions found, in file order.
  public var order: [String]
  /// The cpp conditionals around each kept line (see ``SourceLine/guards``).
  var guards: [SourceLocation: [String]]
  /// The object-like `#define`s with integer values (`FTRACE_PLT_IDX`, `LITERAL_OFFSET`).
  public var constants: [String: Int64]
  /// Each function's body, parsed once.
  let bodies: [String: CStatement]
  /// The functions taken from `fallback` because the file does not show them whole, in order.
  public var defaulted: [String] = []

  /// Preprocesses `text` with cpp-lite over `config` (includes looked up in `tree`), keeps the
  /// C identifiers unexpanded, and finds the functions (also those of included headers, such
  /// as `ftrace_call_adjust` in `asm/ftrace.h`).
  ///
  /// A file known only from hunks (`tree` reports unknown lines) is read fragment by fragment,
  /// and only functions shown whole are kept; `fallback` (the era's defaults) provides the
  /// functions the file does not show, listed in ``defaulted``.
  public init(
    text: String, file: String, config: KernelConfig, tree: (any KernelTree)? = nil,
    fallback: TransitionExtractor? = nil
  ) {
    let pp = Preprocessor(tree: tree, config: config, expandMacrosInOutput: false)
    let pre = pp.run(text: text, file: file)
    var byFile: [String: [CToken]] = [:]
    var fileOrder: [String] = []
    var guards: [SourceLocation: [String]] = [:]
    for l in pre.lines {
      guards[l.origin] = l.guards
      if byFile[l.origin.file] == nil { fileOrder.append(l.origin.file) }
      byFile[l.origin.file, default: []] += CTokenizer.tokenize(l.text, firstLine: l.origin.line)
    }
    var fns: [String: CFunction] = [:]
    var order: [String] = []
    for f in fileOrder {
      let gaps = tree?.unknownLines(in: f) ?? []
      for fragment in Self.fragments(byFile[f] ?? [], gaps) {
        for fn in CFunctionFinder.functions(in: fragment, file: f)
        where gaps.isEmpty || fn.isComplete {
          if fns[fn.name] == nil { order.append(fn.name) }
          fns[fn.name] = fn
        }
      }
    }
    var defaulted: [String] = []
    if let fallback {
      for n in fallback.order where fns[n] == nil {
        guard let fn = fallback.functions[n] else { continue }
        fns[n] = fn
        order.append(n)
        defaulted.append(n)
      }
    }
    self.functions = fns
    self.defaulted = defaulted
    var bodies: [String: CStatement] = [:]
    for (n, f) in fns {
      var p = CParser(tokens: f.body)
      bodies[n] = .block(p.parseBlock())
    }
    self.bodies = bodies
    self.order = order
    self.guards = guards
    self.constants = Self.integerMacros(pre.macros)
    for (k, v) in fallback?.constants ?? [:] where constants[k] == nil { constants[k] = v }
    self.config = config
    self.file = file
    self.diagnostics = pre.diagnostics.filter { $0.severity >= .warning }
  }

  /// `tokens` cut where unknown lines lie between two of them: the fragments a file known
  /// from hunks is read in.
  static func fragments(_ tokens: [CToken], _ gaps: [ClosedRange<Int>]) -> [[CToken]] {
    guard !gaps.isEmpty else { return [tokens] }
    var out: [[CToken]] = [[]]
    var previous: Int?
    for t in tokens {
      if let p = previous, p < t.line,
        gaps.contains(where: { $0.lowerBound > p && $0.lowerBound < t.line })
      {
        out.append([])
      }
      out[out.count - 1].append(t)
      previous = t.line
    }
    return out
  }

  /// The object-like macros whose bodies evaluate to integers, following one another.
  static func integerMacros(_ macros: [String: MacroDefinition]) -> [String: Int64] {
    var out: [String: Int64] = [:]
    var expressions: [String: CExpr] = [:]
    for (n, m) in macros where m.parameters == nil && !m.body.isEmpty {
      expressions[n] = CExprParser.parse(m.body)
    }
    // A few rounds reach macros defined through other macros; cycles stay unknown.
    for _ in 0..<4 {
      let env = ConstantEnvironment(names: out)
      for (n, e) in expressions where out[n] == nil {
        if let v = CEvaluator.evaluate(e, in: env) { out[n] = v }
      }
    }
    return out
  }

  /// What the extractor can evaluate before a scenario: constants, `#define`s, the config.
  var constantEnvironment: ConstantEnvironment {
    ConstantEnvironment(names: constants, config: config)
  }

  /// The transition of `name`, or nil when the function is not in this configuration.
  public func transition(_ name: String) -> CTransition? {
    guard let fn = functions[name] else { return nil }
    var interp = Interpreter(extractor: self)
    var frame: [String: SymValue] = [:]
    for p in fn.parameters { frame[p] = .value(.identifier(p)) }
    if name == "ftrace_call_adjust", let p = fn.parameters.first {
      interp.patchEntryParameter = p
    }
    let ends = interp.run(fn, State(frames: [frame]), via: [])
    var paths: [CPath] = []
    for s in ends {
      let outcome: CPath.Outcome
      var address: OffsetExpr?
      switch s.returned {
      case nil, .writeResult?: outcome = .completed
      case .value(let e)?:
        if let errno = Interpreter.errnoName(e) {
          outcome = .failed(errno)
        } else if let v = CEvaluator.evaluate(e, in: constantEnvironment), v < 0 {
          outcome = .failed(String(v))
        } else if name == "ftrace_call_adjust" || !interp.isIntegerResult(e) {
          outcome = .returned(e)
          let a = interp.address(.value(e))
          if case .expression = a.base {} else { address = a }
        } else {
          outcome = .completed
        }
      case .insn(let g)?: outcome = .returned(.unknown(g.description))
      case .reference(_, let n)?: outcome = .returned(.unary(.addressOf, .identifier(n)))
      }
      paths.append(
        CPath(
          conditions: s.conditions, writes: s.writes, outcome: outcome, returnedAddress: address))
    }
    // Writes of the paths that do not fail; conditions shared by all such paths are dropped.
    let good = paths.filter {
      if case .failed = $0.outcome { return false }
      return true
    }
    var writes: [CWrite] = []
    let common = good.first.map { Set($0.conditions) } ?? []
    let shared = good.dropFirst().reduce(common) { $0.intersection($1.conditions) }
    let keys = good.map { Set($0.writes.map { WriteKey($0) }) }
    let everywhere = keys.dropFirst().reduce(keys.first ?? []) { $0.intersection($1) }
    var seen = Set<WriteKey>()
    for p in good {
      for var w in p.writes {
        let key = WriteKey(w)
        w.conditions = everywhere.contains(key) ? [] : p.conditions.filter { !shared.contains($0) }
        if seen.insert(WriteKey(w, conditions: w.conditions)).inserted { writes.append(w) }
      }
    }
    return CTransition(
      function: name, location: fn.location, parameters: fn.parameters, writes: writes,
      paths: paths, conditions: (guards[fn.location] ?? []) + interp.decisions,
      diagnostics: interp.diagnostics)
  }

  /// A write as the merge compares it: what, where, how (and, for the list, under which
  /// conditions); the helpers it came through do not matter.
  struct WriteKey: Hashable {
    var target: OffsetExpr
    var old: GenExpr?
    var new: GenExpr
    var api: PatchAPI
    var validate: Bool
    var location: SourceLocation
    var conditions: [CExpr]

    init(_ w: CWrite, conditions: [CExpr] = []) {
      target = w.target
      old = w.old
      new = w.new
      api = w.api
      validate = w.validate
      location = w.location
      self.conditions = conditions
    }
  }

  /// The transitions of every ftrace function present, by name.
  public func transitions() -> [String: CTransition] {
    var out: [String: CTransition] = [:]
    for n in FtraceFunctions.names { out[n] = TransitionMemo.shared.transition(n, of: self) }
    return out
  }
}

/// Transitions kept from earlier parses. Along a history, ftrace.c changes a function or two at
/// a time (or gains a definition no transition reads); a function whose own tokens, whose
/// helpers' tokens, the constants and the options its run consulted are all the same as at a
/// kept run gets that run's transition without running the interpreter again.
///
/// What a run can read is known before it runs: the interpreter looks functions up only by the
/// identifiers in the bodies it reaches (calls, and the helpers `isLocalWriter` scans) and by
/// `ftrace_modify_code`; everything else comes from the constants, the configuration and the
/// function's cpp guards. So the names kept are every identifier reachable that way, each with
/// the function it named, or none: a new helper named like one of them is a change too.
final class TransitionMemo: @unchecked Sendable {
  static let shared = TransitionMemo()

  struct Entry {
    var functions: [String: CFunction?]
    var constants: [String: Int64]
    var guards: [String]?
    /// The options the run looked up; nil when it read them all, and `config` must be equal.
    var consulted: [String: ConfigValue?]?
    var config: KernelConfig
    var value: CTransition?

    func holds(for x: TransitionExtractor, _ name: String) -> Bool {
      if let consulted {
        guard consulted.allSatisfy({ x.config.unnoted($0.key) == $0.value }) else { return false }
      } else if config != x.config {
        return false
      }
      guard constants == x.constants else { return false }
      for (n, f) in functions where x.functions[n] != f { return false }
      return x.functions[name].flatMap { x.guards[$0.location] } == guards
    }
  }

  private let lock = NSLock()
  private var entries: [String: [Entry]] = [:]
  private let perFunction: Int
  /// How many transitions were given from a kept run.
  private(set) var reused = 0

  init(perFunction: Int = 8) { self.perFunction = perFunction }

  /// `x.transition(name)`, or the kept one of a run that read the same.
  func transition(_ name: String, of x: TransitionExtractor) -> CTransition? {
    let key = x.file + "\u{0}" + name
    lock.lock()
    let candidates = entries[key] ?? []
    lock.unlock()
    for e in candidates.reversed() where e.holds(for: x, name) {
      x.config.reads?.replay(e.consulted)
      lock.lock()
      reused += 1
      lock.unlock()
      return e.value
    }
    let reads = ConfigReads(within: x.config.reads)
    var noting = x
    noting.config = x.config.noting(into: reads)
    let value = noting.transition(name)
    let entry = Entry(
      functions: Self.reachable(from: name, in: x), constants: x.constants,
      guards: x.functions[name].flatMap { x.guards[$0.location] }, consulted: reads.consulted,
      config: x.config, value: value)
    lock.lock()
    defer { lock.unlock() }
    entries[key, default: []].append(entry)
    if let n = entries[key]?.count, n > perFunction { entries[key]?.removeFirst(n - perFunction) }
    return value
  }

  /// Every identifier a run of `name` can look up as a function, with what `x` has under it.
  static func reachable(from name: String, in x: TransitionExtractor) -> [String: CFunction?] {
    var out: [String: CFunction?] = [:]
    var pending = [name, "ftrace_modify_code"]
    while let n = pending.popLast() {
      guard out.index(forKey: n) == nil else { continue }
      let f = x.functions[n]
      out[n] = .some(f)
      for t in f?.body ?? [] where t.kind == .identifier && out.index(forKey: t.text) == nil {
        pending.append(t.text)
      }
    }
    return out
  }
}
