import Diagnostics

/// An address in the callsite, relative to the record ftrace keeps for it.
public struct OffsetExpr: Hashable, Sendable, CustomStringConvertible {
  public enum Base: Hashable, Sendable {
    /// `rec->ip`: the adjusted record (after `ftrace_call_adjust`), the BL slot.
    case recordIP
    /// The unadjusted `__patchable_function_entries` address `ftrace_call_adjust` receives.
    case patchEntry
    /// A kernel symbol: `ftrace_call`, `ftrace_graph_call`.
    case symbol(String)
    /// Something not modelled, as written.
    case unknown(String)
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
    case .unknown(let s): b = s
    }
    let o = offset == 0 ? b : offset > 0 ? "\(b) + \(offset)" : "\(b) - \(-offset)"
    return alignDown.map { "ALIGN_DOWN(\(o), \($0))" } ?? o
  }
}

/// The instruction (or literal) a write puts in place, as the generator call describes it.
public enum GenExpr: Hashable, Sendable, CustomStringConvertible {
  /// `aarch64_insn_gen_nop()`.
  case nop
  /// `aarch64_insn_gen_branch_imm(pc, target, LINK|NOLINK)`: `to` is the target as written.
  case branch(from: OffsetExpr, to: String, link: Bool)
  /// `aarch64_insn_gen_move_reg(dst, src, variant)` with registers as `x9`, `x30`.
  case moveRegister(destination: String, source: String, is64Bit: Bool)
  /// `aarch64_insn_gen_load_literal(pc, literal, reg, is64bit)`: `LDR reg, literal`.
  case loadLiteral(from: OffsetExpr, literal: OffsetExpr, register: String, is64Bit: Bool)
  /// `aarch64_insn_gen_branch_reg(reg, type)`: `BR`, `BLR` or `RET` through `register`.
  case branchRegister(register: String, kind: String)
  /// `aarch64_insn_gen_hint(op)`: the hint by its kernel name (`BTIC`, `PACIASP`, …);
  /// `AARCH64_INSN_HINT_NOP` is ``nop``.
  case hint(String)
  /// `aarch64_insn_gen_adr(pc, addr, reg, type)`: `ADR` or (page) `ADRP`.
  case adr(from: OffsetExpr, to: String, register: String, page: Bool)
  /// A constant word, such as the `0` passed as "old" when not validating.
  case raw(UInt32)
  /// A 64-bit literal value (`aarch64_insn_write_literal_u64`), as written: `&ftrace_nop_ops`.
  case literal(String)
  /// A generator or value not modelled, as written.
  case unknown(String)

  public var description: String {
    switch self {
    case .nop: "NOP"
    case .branch(let from, let to, let link): "\(link ? "BL" : "B") \(to) (from \(from))"
    case .moveRegister(let d, let s, let w): "MOV \(w ? d : "w" + d.dropFirst()), \(s)"
    case .loadLiteral(let from, let literal, let r, let w):
      "LDR \(w ? r : "w" + r.dropFirst()), [\(literal)] (from \(from))"
    case .branchRegister(let r, let kind): "\(kind) \(r)"
    case .hint(let h): "HINT \(h)"
    case .adr(let from, let to, let r, let page):
      "\(page ? "ADRP" : "ADR") \(r), \(to) (from \(from))"
    case .raw(let v): "0x" + String(v, radix: 16)
    case .literal(let v): ".quad \(v)"
    case .unknown(let s): "?(\(s))"
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
  public var conditions: [String]

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
    case failed(String)
    case returned(String)
  }
  public var conditions: [String]
  public var writes: [CWrite]
  public var outcome: Outcome
  /// For functions that compute an address (`ftrace_call_adjust`): the address returned.
  public var returnedAddress: OffsetExpr?
}

/// A variable a local helper may rewrite through a pointer (`ftrace_find_callable_addr(rec,
/// mod, &addr)` may turn `addr` into `FTRACE_ADDR` or a module PLT), on the paths where the
/// helper reports success.
public struct COutput: Hashable, Sendable {
  public var variable: String
  public var function: String
  /// The values assigned to it, as written, in order of first appearance.
  public var mayBecome: [String]
  public var location: SourceLocation
}

/// What one ftrace.c function does to the callsite, symbolically.
public struct CTransition: Hashable, Sendable {
  public var function: String
  public var location: SourceLocation
  /// The writes of the paths that do not fail, in order, each with its path's conditions
  /// (writes shared by every such path have none).
  public var writes: [CWrite]
  public var paths: [CPath]
  /// Configuration decisions taken while reading it: `IS_ENABLED(CONFIG_X) is false at f:l`.
  public var conditions: [String]
  public var diagnostics: [Diagnostic]
  /// Variables passed by address to local helpers that may rewrite them.
  public var outputs: [COutput] = []
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
  /// The `#define`s seen (object-like ones with integer values are used as constants).
  var macros: [String: MacroDefinition]

  /// Preprocesses `text` with cpp-lite over `config` (includes looked up in `tree`), keeps the
  /// C identifiers unexpanded, and finds the functions (also those of included headers, such
  /// as `ftrace_call_adjust` in `asm/ftrace.h`).
  public init(text: String, file: String, config: KernelConfig, tree: (any KernelTree)? = nil) {
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
      for fn in CFunctionFinder.functions(in: byFile[f] ?? [], file: f) {
        if fns[fn.name] == nil { order.append(fn.name) }
        fns[fn.name] = fn
      }
    }
    self.functions = fns
    self.order = order
    self.guards = guards
    self.macros = pre.macros
    self.config = config
    self.file = file
    self.diagnostics = pre.diagnostics.filter { $0.severity >= .warning }
  }

  /// The transition of `name`, or nil when the function is not in this configuration.
  public func transition(_ name: String) -> CTransition? {
    guard let fn = functions[name] else { return nil }
    var interp = Interpreter(extractor: self)
    var env: [String: SymValue] = [:]
    for p in fn.parameters {
      env[p] =
        name == "ftrace_call_adjust" && p == fn.parameters.first
        ? .address(OffsetExpr(.patchEntry)) : .opaque(p)
    }
    let start = State(env: env)
    let ends = interp.run(fn, start, via: [], depth: 0)
    var paths: [CPath] = []
    for s in ends {
      let outcome: CPath.Outcome
      var address: OffsetExpr?
      switch s.returned {
      case nil, .writeResult?: outcome = .completed
      case .int(let v)? where v == 0:
        outcome = name == "ftrace_call_adjust" ? .returned("0") : .completed
      case .int(let v)? where v < 0: outcome = .failed(String(v))
      case .opaque(let t)? where t.hasPrefix("-E"): outcome = .failed(String(t.dropFirst()))
      case .address(let a)?:
        outcome = .returned(a.description)
        address = a
      case let v?: outcome = .returned(v.description)
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
    for p in good {
      for var w in p.writes {
        w.conditions =
          good.allSatisfy({ $0.writes.contains { Self.same($0, w) } })
          ? [] : p.conditions.filter { !shared.contains($0) }
        if !writes.contains(where: { Self.same($0, w) && $0.conditions == w.conditions }) {
          writes.append(w)
        }
      }
    }
    return CTransition(
      function: name, location: fn.location, writes: writes, paths: paths,
      conditions: (guards[fn.location] ?? []) + interp.decisions,
      diagnostics: interp.diagnostics, outputs: outputs(of: fn))
  }

  /// For each call `helper(…, &x, …)` to a local function in `fn`, what the helper may store
  /// through that pointer on its successful paths (those not returning false, 0 or an error).
  func outputs(of fn: CFunction) -> [COutput] {
    var out: [COutput] = []
    let t = fn.body
    for i in t.indices where t[i].kind == .identifier && i + 1 < t.count && t[i + 1].text == "(" {
      guard let helper = functions[t[i].text], helper.name != fn.name else { continue }
      // Split the arguments at top-level commas.
      var args: [[CToken]] = [[]]
      var level = 0
      var j = i + 2
      while j < t.count {
        if t[j].text == "(" { level += 1 }
        if t[j].text == ")" {
          if level == 0 { break }
          level -= 1
        }
        if t[j].text == ",", level == 0 {
          args.append([])
        } else {
          args[args.count - 1].append(t[j])
        }
        j += 1
      }
      for (k, a) in args.enumerated() where a.count == 2 && a[0].text == "&" {
        guard k < helper.parameters.count else { continue }
        let p = helper.parameters[k]
        var interp = Interpreter(extractor: self)
        var env: [String: SymValue] = [:]
        for q in helper.parameters { env[q] = .opaque(q) }
        let ends = interp.run(helper, State(env: env), via: [helper.name], depth: 1)
        var values: [String] = []
        for e in ends {
          switch e.returned {
          case .bool(false)?, .int(0)?: continue
          case .int(let v)? where v < 0: continue
          case .opaque(let s)? where s.hasPrefix("-E"): continue
          default: break
          }
          if let v = e.env["*" + p], !values.contains(v.description) {
            values.append(v.description)
          }
        }
        guard !values.isEmpty else { continue }
        let o = COutput(
          variable: a[1].text, function: helper.name, mayBecome: values,
          location: SourceLocation(file: fn.location.file, line: t[i].line))
        if !out.contains(where: { $0.variable == o.variable && $0.function == o.function }) {
          out.append(o)
        }
      }
    }
    return out
  }

  static func same(_ a: CWrite, _ b: CWrite) -> Bool {
    a.target == b.target && a.old == b.old && a.new == b.new && a.api == b.api
      && a.validate == b.validate && a.location == b.location
  }

  /// The transitions of every ftrace function present, by name.
  public func transitions() -> [String: CTransition] {
    var out: [String: CTransition] = [:]
    for n in FtraceFunctions.names { out[n] = transition(n) }
    return out
  }
}

/// A symbolic value during interpretation.
enum SymValue: Hashable, CustomStringConvertible {
  case address(OffsetExpr)
  case insn(GenExpr)
  case int(Int64)
  case bool(Bool)
  /// The result of a patch API call: 0 when it worked; error checks on it assume success.
  case writeResult
  case opaque(String)

  var description: String {
    switch self {
    case .address(let a): a.description
    case .insn(let g): g.description
    case .int(let v): String(v)
    case .bool(let b): b ? "true" : "false"
    case .writeResult: "0"
    case .opaque(let s): s
    }
  }
}

struct State {
  var env: [String: SymValue]
  var writes: [CWrite] = []
  var conditions: [String] = []
  var returned: SymValue?
  var done = false

  init(env: [String: SymValue]) { self.env = env }
}

struct Interpreter {
  let extractor: TransitionExtractor
  var decisions: [String] = []
  var diagnostics: [Diagnostic] = []
  static let maxStates = 256

  init(extractor: TransitionExtractor) { self.extractor = extractor }

  func loc(_ line: Int, _ fn: CFunction) -> SourceLocation {
    SourceLocation(file: fn.location.file, line: line)
  }

  mutating func couldNotModel(_ what: String, _ at: SourceLocation) {
    let d = Diagnostic(
      KernelSourceMessage.couldNotModel, .warning, at: at, "could not model \(what) at \(at)")
    if !diagnostics.contains(d) { diagnostics.append(d) }
  }

  mutating func run(_ fn: CFunction, _ start: State, via: [String], depth: Int) -> [State] {
    var p = CParser(tokens: fn.body)
    let body = CStatement.block(p.parseBlock())
    var ctx = Context(fn: fn, via: via, depth: depth)
    return exec(body, [start], &ctx)
  }

  struct Context {
    var fn: CFunction
    var via: [String]
    var depth: Int
  }

  mutating func exec(_ s: CStatement, _ states: [State], _ ctx: inout Context) -> [State] {
    var out: [State] = []
    for st in states {
      if st.done {
        out.append(st)
        continue
      }
      out += exec1(s, st, &ctx)
      if out.count > Self.maxStates {
        couldNotModel("\(ctx.fn.name): too many paths", ctx.fn.location)
        return Array(out.prefix(Self.maxStates))
      }
    }
    return out
  }

  mutating func exec1(_ s: CStatement, _ st: State, _ ctx: inout Context) -> [State] {
    switch s {
    case .empty: return [st]
    case .block(let stmts):
      var states = [st]
      for x in stmts { states = exec(x, states, &ctx) }
      return states
    case .declaration(let decls, let line):
      var states = [st]
      for (name, value) in decls {
        var next: [State] = []
        for var s in states {
          guard let value else {
            s.env[name] = .opaque(name)
            next.append(s)
            continue
          }
          for (var r, v) in evaluateWithCalls(value, s, line, &ctx) {
            r.env[name] = v
            next.append(r)
          }
        }
        states = next
      }
      return states
    case .expression(let e, let line):
      return evaluateWithCalls(e, st, line, &ctx).map { $0.0 }
    case .returnStatement(let e, let line):
      guard let e else {
        var s = st
        s.done = true
        return [s]
      }
      return evaluateWithCalls(e, st, line, &ctx).map { r, v in
        var s = r
        s.returned = v
        s.done = true
        return s
      }
    case .ifStatement(let cond, let then, let otherwise, let line):
      var out: [State] = []
      for (s, v) in evaluateWithCalls(cond, st, line, &ctx) {
        switch truth(v) {
        case true?:
          out += exec1(then, s, &ctx)
        case false?:
          if let otherwise { out += exec1(otherwise, s, &ctx) } else { out.append(s) }
        case nil:
          var a = s
          a.conditions.append(v.description)
          var b = s
          b.conditions.append(negate(v.description))
          out += exec1(then, a, &ctx)
          if let otherwise { out += exec1(otherwise, b, &ctx) } else { out.append(b) }
        }
      }
      return out
    case .unmodelled(let kind, let tokens, let line):
      let writes = tokens.filter { Self.writeAPIs.contains($0.text) || isLocalWriter($0.text) }
      if !writes.isEmpty {
        couldNotModel("a write inside `\(kind)`", loc(line, ctx.fn))
      }
      return [st]
    }
  }

  func negate(_ c: String) -> String {
    if c.hasPrefix("!"), !c.hasPrefix("!=") {
      let rest = String(c.dropFirst())
      if rest.hasPrefix("("), rest.hasSuffix(")"),
        Self.isAtom(String(rest.dropFirst().dropLast()))
          || Self.wrapsWhole(rest)
      {
        return String(rest.dropFirst().dropLast())
      }
      if Self.isAtom(rest) { return rest }
    }
    return Self.isAtom(c) ? "!\(c)" : "!(\(c))"
  }

  /// A name, or a call `name(…)` whose parentheses span the rest of the text.
  static func isAtom(_ c: String) -> Bool {
    guard let open = c.firstIndex(of: "(") else { return !c.contains(" ") }
    let name = c[..<open]
    guard !name.isEmpty, name.allSatisfy({ $0.isIdentifierBody }) else { return false }
    return wrapsWhole(String(c[open...]))
  }

  /// Whether `c` is `( … )` with the first parenthesis closing at the very end.
  static func wrapsWhole(_ c: String) -> Bool {
    guard c.hasPrefix("("), c.hasSuffix(")") else { return false }
    var level = 0
    for (i, ch) in c.enumerated() {
      if ch == "(" { level += 1 }
      if ch == ")" {
        level -= 1
        if level == 0 && i != c.count - 1 { return false }
      }
    }
    return level == 0
  }

  func truth(_ v: SymValue) -> Bool? {
    switch v {
    case .bool(let b): b
    case .int(let n): n != 0
    case .writeResult: false
    case .address(let a) where a.base == .recordIP || a.base == .patchEntry: nil
    default: nil
    }
  }

  static let writeAPIs: Set<String> = [
    "ftrace_modify_code", "aarch64_insn_patch_text_nosync", "aarch64_insn_patch_text",
    "aarch64_insn_write_literal_u64",
  ]

  /// Whether the local function `name` writes, directly or through other local functions.
  func isLocalWriter(_ name: String, depth: Int = 0) -> Bool {
    guard depth < 5, let fn = extractor.functions[name], !Self.writeAPIs.contains(name) else {
      return false
    }
    for (i, t) in fn.body.enumerated() where t.kind == .identifier {
      guard i + 1 < fn.body.count, fn.body[i + 1].text == "(" else { continue }
      if Self.writeAPIs.contains(t.text) { return true }
      if t.text != name, extractor.functions[t.text] != nil,
        isLocalWriter(t.text, depth: depth + 1)
      {
        return true
      }
    }
    return false
  }

  /// Evaluates `e`; calls to patch APIs and local helpers may write and fork the state.
  mutating func evaluateWithCalls(
    _ e: CExpr, _ st: State, _ line: Int, _ ctx: inout Context
  ) -> [(State, SymValue)] {
    switch e {
    case .assign(let op, let lhs, let rhs, _):
      let name = lhs.text
      return evaluateWithCalls(rhs, st, line, &ctx).map { s, v in
        var s = s
        if op == "=" {
          s.env[name] = v
        } else if op == "+=" || op == "-=" {
          let cur = s.env[name] ?? .opaque(name)
          s.env[name] = arithmetic(op == "+=" ? "+" : "-", cur, v, "\(name) \(op) \(v)")
        } else {
          s.env[name] = .opaque("\(name) \(op) \(v)")
        }
        return (s, s.env[name] ?? v)
      }
    case .call(let name, let args, _)
    where Self.writeAPIs.contains(name) || (isLocalWriter(name) && name != ctx.fn.name):
      return call(name, args, st, line, &ctx)
    case .unary("!", let inner, _):
      return evaluateWithCalls(inner, st, line, &ctx).map { s, v in
        switch v {
        case .bool(let b): (s, .bool(!b))
        case .int(let n): (s, .bool(n == 0))
        case .writeResult: (s, .bool(true))
        default: (s, .opaque(negate(v.description)))
        }
      }
    case .binary(let op, let a, let b, let text) where op == "&&" || op == "||":
      var out: [(State, SymValue)] = []
      for (s1, va) in evaluateWithCalls(a, st, line, &ctx) {
        let ta = truth(va)
        if op == "&&", ta == false {
          out.append((s1, .bool(false)))
          continue
        }
        if op == "||", ta == true {
          out.append((s1, .bool(true)))
          continue
        }
        for (s2, vb) in evaluateWithCalls(b, s1, line, &ctx) {
          let tb = truth(vb)
          if let ta, ta == (op == "&&") {
            out.append((s2, tb.map { .bool($0) } ?? vb))
          } else if let tb {
            // a unknown
            if op == "&&" {
              out.append((s2, tb ? va : .bool(false)))
            } else {
              out.append((s2, tb ? .bool(true) : va))
            }
          } else {
            out.append((s2, .opaque(text)))
          }
        }
      }
      return out
    default:
      return [(st, evaluate(e, st, line, &ctx))]
    }
  }

  mutating func call(
    _ name: String, _ args: [CExpr], _ st: State, _ line: Int, _ ctx: inout Context
  ) -> [(State, SymValue)] {
    // Evaluate arguments (without forking: arguments with writes are not followed).
    let values = args.map { evaluate($0, st, line, &ctx) }
    let at = loc(line, ctx.fn)
    func arg(_ i: Int) -> SymValue { i < values.count ? values[i] : .opaque("?") }
    var s = st
    switch name {
    case "ftrace_modify_code":
      let validate: Bool
      switch truth(arg(3)) {
      case let b?: validate = b
      case nil:
        // Unknown validate: both paths.
        var a = s
        a.conditions.append(arg(3).description)
        a.writes.append(
          write(arg(0), old: arg(1), new: arg(2), .ftraceModifyCode, true, at, ctx))
        var b = s
        b.conditions.append(negate(arg(3).description))
        b.writes.append(
          write(arg(0), old: arg(1), new: arg(2), .ftraceModifyCode, false, at, ctx))
        return [(a, .writeResult), (b, .writeResult)]
      }
      s.writes.append(
        write(arg(0), old: arg(1), new: arg(2), .ftraceModifyCode, validate, at, ctx))
      return [(s, .writeResult)]
    case "aarch64_insn_patch_text_nosync":
      s.writes.append(write(arg(0), old: nil, new: arg(1), .patchTextNosync, false, at, ctx))
      return [(s, .writeResult)]
    case "aarch64_insn_write_literal_u64":
      var w = write(arg(0), old: nil, new: arg(1), .writeLiteralU64, false, at, ctx)
      w.new = .literal(arg(1).description)
      s.writes.append(w)
      return [(s, .writeResult)]
    case "aarch64_insn_patch_text":
      couldNotModel(
        "aarch64_insn_patch_text(\(values.map(\.description).joined(separator: ", "))) "
          + "(arrays of addresses and words)", at)
      var w = write(
        arg(0), old: nil, new: .opaque(args.count > 1 ? args[1].text : "?"),
        .patchText, false, at, ctx)
      w.target = OffsetExpr(.unknown(args.first?.text ?? "?"))
      s.writes.append(w)
      return [(s, .writeResult)]
    default:
      guard let fn = extractor.functions[name], ctx.depth < 4 else {
        couldNotModel("call to \(name)", at)
        return [(s, .opaque(name))]
      }
      // Follow the local helper: bind parameters, run its body, keep its writes.
      var env: [String: SymValue] = [:]
      for (i, p) in fn.parameters.enumerated() {
        env[p] = i < values.count ? values[i] : .opaque(p)
      }
      var callee = State(env: env)
      callee.conditions = s.conditions
      callee.writes = s.writes
      let ends = run(fn, callee, via: ctx.via + [name], depth: ctx.depth + 1)
      return ends.map { e in
        var r = s
        r.writes = e.writes
        r.conditions = e.conditions
        return (r, e.returned ?? .writeResult)
      }
    }
  }

  func write(
    _ target: SymValue, old: SymValue?, new: SymValue, _ api: PatchAPI, _ validate: Bool,
    _ at: SourceLocation, _ ctx: Context
  ) -> CWrite {
    let underlying: PatchAPI? = api == .ftraceModifyCode ? modifyCodePrimitive() : nil
    return CWrite(
      target: offset(target), old: old.map(instruction), new: instruction(new), api: api,
      underlying: underlying, validate: validate, location: at, via: ctx.via, conditions: [])
  }

  /// What `ftrace_modify_code` ends in, read from its body when the file defines it.
  func modifyCodePrimitive() -> PatchAPI? {
    guard let fn = extractor.functions["ftrace_modify_code"] else { return nil }
    for t in fn.body {
      if let api = PatchAPI(rawValue: t.text), api != .ftraceModifyCode { return api }
    }
    return nil
  }

  func offset(_ v: SymValue) -> OffsetExpr {
    switch v {
    case .address(let a): return a
    case .opaque(let t):
      let name = t.hasPrefix("&") ? String(t.dropFirst()) : t
      if name.allSatisfy({ $0.isIdentifierBody }) { return OffsetExpr(.symbol(name)) }
      return OffsetExpr(.unknown(t))
    default: return OffsetExpr(.unknown(v.description))
    }
  }

  func instruction(_ v: SymValue) -> GenExpr {
    switch v {
    case .insn(let g): g
    case .int(let n): .raw(UInt32(truncatingIfNeeded: n))
    default: .unknown(v.description)
    }
  }

  static let constants: [String: Int64] = [
    "AARCH64_INSN_SIZE": 4, "MCOUNT_INSN_SIZE": 4, "SZ_128M": 1 << 27, "NULL": 0,
  ]

  static let registers: [String: String] = {
    var r: [String: String] = [
      "AARCH64_INSN_REG_LR": "x30", "AARCH64_INSN_REG_FP": "x29",
      "AARCH64_INSN_REG_SP": "sp", "AARCH64_INSN_REG_ZR": "xzr",
    ]
    for n in 0...30 { r["AARCH64_INSN_REG_\(n)"] = "x\(n)" }
    return r
  }()

  mutating func arithmetic(_ op: String, _ a: SymValue, _ b: SymValue, _ text: String)
    -> SymValue
  {
    switch (a, b, op) {
    case (.int(let x), .int(let y), "+"): return .int(x &+ y)
    case (.int(let x), .int(let y), "-"): return .int(x &- y)
    case (.int(let x), .int(let y), "*"): return .int(x &* y)
    case (.address(var o), .int(let y), "+"):
      if o.alignDown != nil { return .opaque(text) }
      o.offset += Int(y)
      return .address(o)
    case (.address(var o), .int(let y), "-"):
      if o.alignDown != nil { return .opaque(text) }
      o.offset -= Int(y)
      return .address(o)
    case (.int(let x), .address(var o), "+"):
      o.offset += Int(x)
      return .address(o)
    default: return .opaque(text)
    }
  }

  /// Evaluates without following calls that write.
  mutating func evaluate(_ e: CExpr, _ st: State, _ line: Int, _ ctx: inout Context) -> SymValue {
    switch e {
    case .identifier(let n):
      if let v = st.env[n] { return v }
      if let c = Self.constants[n] { return .int(c) }
      if let m = extractor.macros[n], m.parameters == nil, ctx.depth < 8 {
        // An object-like macro with an integer value (`#define FOO (2 * AARCH64_INSN_SIZE)`).
        ctx.depth += 1
        defer { ctx.depth -= 1 }
        if case .int(let v) = evaluate(CExprParser.parse(m.body), st, line, &ctx) { return .int(v) }
      }
      if n == "true" { return .bool(true) }
      if n == "false" { return .bool(false) }
      return .opaque(n)
    case .number(let v, _): return .int(v)
    case .string(let s): return .opaque(s)
    case .cast(let inner, _): return evaluate(inner, st, line, &ctx)
    case .member(_, let field, let text):
      return field == "ip" ? .address(OffsetExpr(.recordIP)) : .opaque(text)
    case .unary(let op, let inner, let text):
      let v = evaluate(inner, st, line, &ctx)
      switch (op, v) {
      case ("!", .bool(let b)): return .bool(!b)
      case ("!", .int(let n)): return .bool(n == 0)
      case ("!", _): return .opaque(negate(v.description))
      case ("-", .int(let n)): return .int(-n)
      case ("&", .opaque(let t)): return .opaque("&" + t)
      default: return .opaque(text)
      }
    case .binary(let op, let a, let b, let text):
      let va = evaluate(a, st, line, &ctx)
      let vb = evaluate(b, st, line, &ctx)
      switch op {
      case "+", "-", "*": return arithmetic(op, va, vb, text)
      case "&&":
        if truth(va) == false || truth(vb) == false { return .bool(false) }
        if let x = truth(va), let y = truth(vb) { return .bool(x && y) }
        return .opaque(text)
      case "||":
        if truth(va) == true || truth(vb) == true { return .bool(true) }
        if let x = truth(va), let y = truth(vb) { return .bool(x || y) }
        return .opaque(text)
      case "==", "!=", "<", "<=", ">", ">=":
        if case .int(let x) = va, case .int(let y) = vb {
          let r: Bool
          switch op {
          case "==": r = x == y
          case "!=": r = x != y
          case "<": r = x < y
          case "<=": r = x <= y
          case ">": r = x > y
          default: r = x >= y
          }
          return .bool(r)
        }
        return .opaque("\(va) \(op) \(vb)")
      default: return .opaque(text)
      }
    case .call(let name, let args, let text):
      return evaluateCall(name, args, text, st, line, &ctx)
    case .assign(_, _, let rhs, _): return evaluate(rhs, st, line, &ctx)
    case .ternary(_, _, _, let text), .index(_, _, let text): return .opaque(text)
    case .unknown(let t): return .opaque(t)
    }
  }

  mutating func evaluateCall(
    _ name: String, _ args: [CExpr], _ text: String, _ st: State, _ line: Int,
    _ ctx: inout Context
  ) -> SymValue {
    let at = loc(line, ctx.fn)
    func v(_ i: Int, _ me: inout Interpreter) -> SymValue {
      i < args.count ? me.evaluate(args[i], st, line, &ctx) : .opaque("?")
    }
    switch name {
    case "aarch64_insn_gen_nop": return .insn(.nop)
    case "aarch64_insn_gen_branch_imm":
      let pc = offset(v(0, &self))
      let target = v(1, &self)
      let kind = args.count > 2 ? args[2].text : ""
      let toText: String
      switch target {
      case .opaque(let t): toText = t
      default: toText = target.description
      }
      if kind != "AARCH64_INSN_BRANCH_LINK" && kind != "AARCH64_INSN_BRANCH_NOLINK" {
        couldNotModel("branch type \(kind)", at)
      }
      return .insn(.branch(from: pc, to: toText, link: kind == "AARCH64_INSN_BRANCH_LINK"))
    case "aarch64_insn_gen_move_reg":
      guard args.count == 3, let d = Self.registers[args[0].text],
        let s = Self.registers[args[1].text]
      else {
        couldNotModel(text, at)
        return .insn(.unknown(text))
      }
      return .insn(
        .moveRegister(destination: d, source: s, is64Bit: args[2].text.hasSuffix("64BIT")))
    case "aarch64_insn_gen_load_literal":
      guard args.count == 4, let r = Self.registers[args[2].text] else { break }
      let w = truth(v(3, &self)) ?? true
      return .insn(
        .loadLiteral(
          from: offset(v(0, &self)), literal: offset(v(1, &self)), register: r,
          is64Bit: w))
    case "aarch64_insn_gen_branch_reg":
      guard args.count == 2, let r = Self.registers[args[0].text] else { break }
      let kinds = [
        "AARCH64_INSN_BRANCH_NOLINK": "BR", "AARCH64_INSN_BRANCH_LINK": "BLR",
        "AARCH64_INSN_BRANCH_RETURN": "RET",
      ]
      guard let kind = kinds[args[1].text] else { break }
      return .insn(.branchRegister(register: r, kind: kind))
    case "aarch64_insn_gen_hint":
      guard args.count == 1, args[0].text.hasPrefix("AARCH64_INSN_HINT_") else { break }
      let h = String(args[0].text.dropFirst("AARCH64_INSN_HINT_".count))
      return .insn(h == "NOP" ? .nop : .hint(h))
    case "aarch64_insn_gen_adr":
      guard args.count == 4, let r = Self.registers[args[2].text],
        ["AARCH64_INSN_ADR_TYPE_ADR", "AARCH64_INSN_ADR_TYPE_ADRP"].contains(args[3].text)
      else { break }
      let to = v(1, &self)
      let toText: String
      if case .opaque(let t) = to { toText = t } else { toText = to.description }
      return .insn(
        .adr(
          from: offset(v(0, &self)), to: toText, register: r,
          page: args[3].text == "AARCH64_INSN_ADR_TYPE_ADRP"))
    case _ where name.hasPrefix("aarch64_insn_gen_"):
      couldNotModel("generator \(text)", at)
      return .insn(.unknown(text))
    case "ALIGN_DOWN":
      let x = v(0, &self)
      let n = v(1, &self)
      if case .address(var o) = x, case .int(let a) = n, o.alignDown == nil, a > 0 {
        o.alignDown = Int(a)
        return .address(o)
      }
      return .opaque(text)
    case "IS_ENABLED", "IS_BUILTIN", "IS_MODULE", "IS_REACHABLE":
      let option = args.first?.text ?? ""
      let value: Bool
      switch name {
      case "IS_BUILTIN": value = extractor.config.isBuiltin(option)
      case "IS_MODULE": value = extractor.config[option] == .module
      default: value = extractor.config.isEnabled(option)
      }
      let d = "\(name)(\(option)) is \(value) at \(at)"
      if !decisions.contains(d) { decisions.append(d) }
      return .bool(value)
    case "function_nocfi", "le32_to_cpu", "cpu_to_le32", "unlikely", "likely", "READ_ONCE":
      return args.count == 1 ? v(0, &self) : .opaque(text)
    default:
      guard let fn = extractor.functions[name] else { return .opaque(text) }
      if isLocalWriter(fn.name) {
        couldNotModel("\(name)(…) inside an expression (it writes)", at)
        return .opaque(text)
      }
      // A local helper that returns the same constant on every path (a stub such as
      // `static int ftrace_rec_update_ops(…) { return 0; }`) is that constant.
      guard ctx.depth < 4, fn.name != ctx.fn.name else { return .opaque(text) }
      var env: [String: SymValue] = [:]
      for (i, p) in fn.parameters.enumerated() {
        env[p] = .opaque(i < args.count ? args[i].text : p)
      }
      var inner = Interpreter(extractor: extractor)
      let ends = inner.run(fn, State(env: env), via: ctx.via + [name], depth: ctx.depth + 1)
      if let first = ends.first?.returned, ends.allSatisfy({ $0.returned == first }) {
        switch first {
        case .int, .bool: return first
        default: break
        }
      }
      return .opaque(text)
    }
    // A generator whose operands are not the expected shapes.
    couldNotModel("generator \(text)", at)
    return .insn(.unknown(text))
  }
}
