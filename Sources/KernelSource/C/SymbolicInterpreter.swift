import AArch64
import Diagnostics

/// A value during symbolic execution.
enum SymValue: Hashable {
  /// An integer or pointer, as an expression over the entry function's parameters, the
  /// kernel's symbols and the calls the file does not define.
  case value(CExpr)
  /// What an `aarch64_insn_gen_*` call returns.
  case insn(GenExpr)
  /// `&local`: a pointer to a variable of an enclosing frame, so a helper can rewrite it.
  case reference(frame: Int, name: String)
  /// What a patch API returns; error checks on it assume success (0).
  case writeResult
}

/// One path being executed: the frames of the inlined calls, what was written, what was
/// assumed, and how the innermost function ended.
struct State {
  var frames: [[String: SymValue]]
  var writes: [CWrite] = []
  var conditions: [CExpr] = []
  var returned: SymValue?
  var done = false

  init(frames: [[String: SymValue]]) { self.frames = frames }

  func lookup(_ name: String) -> SymValue? { frames.last?[name] }

  mutating func set(_ name: String, _ v: SymValue) {
    frames[frames.count - 1][name] = v
  }
}

/// Runs a C function of ftrace.c symbolically: every branch whose condition the configuration
/// and the constants do not decide forks the path, and records the condition.
struct Interpreter {
  let extractor: TransitionExtractor
  var decisions: [String] = []
  var diagnostics: [Diagnostic] = []
  /// `ftrace_call_adjust`'s parameter: the `__patchable_function_entries` address.
  var patchEntryParameter: String?
  static let maxStates = 4096
  static let maxDepth = 6

  init(extractor: TransitionExtractor) { self.extractor = extractor }

  struct Context {
    var fn: CFunction
    var via: [String]
    var depth: Int
  }

  func loc(_ line: Int, _ fn: CFunction) -> SourceLocation {
    SourceLocation(file: fn.location.file, line: line)
  }

  mutating func couldNotModel(_ what: String, _ at: SourceLocation) {
    let d = Diagnostic(
      KernelSourceMessage.couldNotModel, .warning, at: at, "could not model \(what) at \(at)")
    if !diagnostics.contains(d) { diagnostics.append(d) }
  }

  mutating func run(_ fn: CFunction, _ start: State, via: [String]) -> [State] {
    let body = extractor.bodies[fn.name] ?? .empty
    var ctx = Context(fn: fn, via: via, depth: via.count)
    return exec(body, [start], &ctx)
  }

  // MARK: statements

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
            s.set(name, .value(.unknown(name)))
            next.append(s)
            continue
          }
          for (var r, v) in eval(value, s, line, &ctx) {
            r.set(name, v)
            next.append(r)
          }
        }
        states = next
      }
      return states
    case .expression(let e, let line):
      return eval(e, st, line, &ctx).map { $0.0 }
    case .returnStatement(let e, let line):
      guard let e else {
        var s = st
        s.done = true
        return [s]
      }
      return eval(e, st, line, &ctx).map { r, v in
        var s = r
        s.returned = v
        s.done = true
        return s
      }
    case .ifStatement(let cond, let then, let otherwise, let line):
      var out: [State] = []
      for (s, v) in eval(cond, st, line, &ctx) {
        for (b, taken) in branch(s, v) {
          if taken {
            out += exec1(then, b, &ctx)
          } else if let otherwise {
            out += exec1(otherwise, b, &ctx)
          } else {
            out.append(b)
          }
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

  /// The paths a test of `v` gives: one when the constants decide it, else two, each with the
  /// condition (or its negation) recorded.
  func branch(_ s: State, _ v: SymValue) -> [(State, Bool)] {
    if let t = truth(v) { return [(s, t)] }
    let c = expression(v)
    // A test the path already took goes the same way again.
    if s.conditions.contains(c) { return [(s, true)] }
    if s.conditions.contains(c.negated) { return [(s, false)] }
    var a = s
    a.conditions.append(c)
    var b = s
    b.conditions.append(c.negated)
    return [(a, true), (b, false)]
  }

  // MARK: values

  /// What the constants, the `#define`s and the configuration say of `v`: nil when unknown.
  func truth(_ v: SymValue) -> Bool? {
    switch v {
    case .writeResult: false
    case .insn, .reference: true
    case .value(let e): CEvaluator.truth(e, in: extractor.constantEnvironment)
    }
  }

  /// `v` as an expression (for conditions, call arguments and display).
  func expression(_ v: SymValue) -> CExpr {
    switch v {
    case .value(let e): e
    case .insn(let g): .unknown(g.description)
    case .reference(_, let n): .unary(.addressOf, .identifier(n))
    case .writeResult: .int(0)
    }
  }

  /// Whether a returned expression is a plain status (a number, a truth value), not an
  /// address or an object.
  func isIntegerResult(_ e: CExpr) -> Bool {
    CEvaluator.evaluate(e, in: extractor.constantEnvironment) != nil
  }

  /// `EINVAL` for `-EINVAL`.
  static func errnoName(_ e: CExpr) -> String? {
    if case .unary(.minus, .identifier(let n)) = e, n.hasPrefix("E") { return n }
    return nil
  }

  /// Casts that do not change a value as ftrace.c uses it (pointer and `long` casts).
  static func stripCasts(_ e: CExpr) -> CExpr {
    var e = e
    while case .cast(_, let inner) = e { e = inner }
    return e
  }

  /// An address value as base + offset: `rec->ip - 12`, `ALIGN_DOWN(rec->ip - 12, 8)`,
  /// `&ftrace_call`; anything else stays an expression.
  func address(_ v: SymValue) -> OffsetExpr {
    let e = Self.stripCasts(expression(v))
    if case .call("ALIGN_DOWN", let args) = e, args.count == 2,
      let n = CEvaluator.evaluate(args[1], in: extractor.constantEnvironment), n > 0,
      let inner = linear(Self.stripCasts(args[0])), let base = offsetBase(inner.base)
    {
      return OffsetExpr(base, offset: Int(inner.offset), alignDown: Int(n))
    }
    if let l = linear(e), let base = offsetBase(l.base) {
      return OffsetExpr(base, offset: Int(l.offset))
    }
    return OffsetExpr(.expression(e))
  }

  func offsetBase(_ e: CExpr) -> OffsetExpr.Base? {
    if e == .recordIP { return .recordIP }
    if case .identifier(let n) = e {
      if n == patchEntryParameter { return .patchEntry }
      return nil
    }
    if case .unary(.addressOf, .identifier(let n)) = e { return .symbol(n) }
    return nil
  }

  /// `e` as a base expression plus a constant, when it is one.
  func linear(_ e: CExpr) -> (base: CExpr, offset: Int64)? {
    let env = extractor.constantEnvironment
    switch Self.stripCasts(e) {
    case .binary(.add, let a, let b):
      if let k = CEvaluator.evaluate(b, in: env), let l = linear(a) {
        return (l.base, l.offset &+ k)
      }
      if let k = CEvaluator.evaluate(a, in: env), let l = linear(b) {
        return (l.base, l.offset &+ k)
      }
      return nil
    case .binary(.subtract, let a, let b):
      guard let k = CEvaluator.evaluate(b, in: env), let l = linear(a) else { return nil }
      return (l.base, l.offset &- k)
    case let x:
      if CEvaluator.evaluate(x, in: env) != nil { return nil }
      return (x, 0)
    }
  }

  /// `a op b` as a value, folded when both are constants.
  func combine(_ op: CBinaryOperator, _ a: SymValue, _ b: SymValue) -> SymValue {
    .value(.binary(op, expression(a), expression(b)))
  }

  // MARK: expressions

  /// Evaluates `e` in state `st`: calls of local functions are inlined (forking on their
  /// paths), patch APIs record writes, `&&`, `||` and `?:` fork where the constants do not
  /// decide them.
  mutating func eval(
    _ e: CExpr, _ st: State, _ line: Int, _ ctx: inout Context
  ) -> [(State, SymValue)] {
    // Most expressions neither call, assign nor fork: their one value is found without the
    // lists of paths (the cases below, with one state throughout).
    if let v = pureValue(e, st) { return [(st, v)] }
    switch e {
    case .number, .string, .unknown, .sizeof, .identifier:
      return [(st, leafValue(e, st))]
    case .member(let base, let field, let arrow):
      return eval(base, st, line, &ctx).map { s, b in (s, memberValue(b, field, arrow)) }
    case .index(let a, let i):
      var out: [(State, SymValue)] = []
      for (s1, va) in eval(a, st, line, &ctx) {
        for (s2, vi) in eval(i, s1, line, &ctx) { out.append((s2, indexValue(va, vi))) }
      }
      return out
    case .cast(let type, let inner):
      return eval(inner, st, line, &ctx).map { s, v in (s, castValue(type, v)) }
    case .unary(let op, let inner):
      if let r = localReference(op, inner, st) { return [(st, r)] }
      return eval(inner, st, line, &ctx).map { s, v in (s, unaryValue(op, v, in: s)) }
    case .binary(let op, let a, let b) where op == .and || op == .or:
      var out: [(State, SymValue)] = []
      for (s1, va) in eval(a, st, line, &ctx) {
        for (s2, decided) in branch(s1, va) {
          // `a && b` is b where a holds, 0 where it does not; `a || b` the other way round.
          if decided == (op == .and) {
            out += eval(b, s2, line, &ctx).map { s3, vb in
              (s3, truth(vb).map { .value(.int($0 ? 1 : 0)) } ?? vb)
            }
          } else {
            out.append((s2, .value(.int(op == .or ? 1 : 0))))
          }
        }
      }
      return out
    case .binary(let op, let a, let b):
      var out: [(State, SymValue)] = []
      for (s1, va) in eval(a, st, line, &ctx) {
        for (s2, vb) in eval(b, s1, line, &ctx) { out.append((s2, combine(op, va, vb))) }
      }
      return out
    case .ternary(let c, let a, let b):
      var out: [(State, SymValue)] = []
      for (s, v) in eval(c, st, line, &ctx) {
        for (s2, taken) in branch(s, v) { out += eval(taken ? a : b, s2, line, &ctx) }
      }
      return out
    case .assign(let op, let lhs, let rhs):
      return assign(op, lhs, rhs, st, line, &ctx)
    case .call(let name, let args):
      return call(name, args, st, line, &ctx)
    }
  }

  /// The value of `e` in `st` when evaluating it cannot fork the path or change the state
  /// (no call, assignment, `&&`, `||` or `?:` in it): what ``eval(_:_:_:_:)`` gives for it,
  /// without building a list per subexpression. Nil otherwise.
  func pureValue(_ e: CExpr, _ st: State) -> SymValue? {
    switch e {
    case .number, .string, .unknown, .sizeof, .identifier:
      return leafValue(e, st)
    case .member(let base, let field, let arrow):
      return pureValue(base, st).map { memberValue($0, field, arrow) }
    case .index(let a, let i):
      guard let va = pureValue(a, st), let vi = pureValue(i, st) else { return nil }
      return indexValue(va, vi)
    case .cast(let type, let inner):
      return pureValue(inner, st).map { castValue(type, $0) }
    case .unary(let op, let inner):
      if let r = localReference(op, inner, st) { return r }
      return pureValue(inner, st).map { unaryValue(op, $0, in: st) }
    case .binary(let op, let a, let b):
      guard op != .and, op != .or, let va = pureValue(a, st), let vb = pureValue(b, st) else {
        return nil
      }
      return combine(op, va, vb)
    case .ternary, .assign, .call:
      return nil
    }
  }

  // The values ``eval(_:_:_:_:)`` and ``pureValue(_:_:)`` both build, from those of the
  // operands.

  /// A literal, a size, or a name: its value in `st`.
  func leafValue(_ e: CExpr, _ st: State) -> SymValue {
    switch e {
    case .sizeof(let t): CConstants.typeSizes[t].map { .value(.int(Int64($0))) } ?? .value(e)
    case .identifier(let n): st.lookup(n) ?? .value(e)
    default: .value(e)
    }
  }

  func memberValue(_ base: SymValue, _ field: String, _ arrow: Bool) -> SymValue {
    .value(.member(expression(base), field, arrow: arrow))
  }

  func indexValue(_ array: SymValue, _ index: SymValue) -> SymValue {
    .value(.index(expression(array), expression(index)))
  }

  func castValue(_ type: String, _ v: SymValue) -> SymValue {
    if case .value(let x) = v { return .value(.cast(type, x)) }
    return v
  }

  /// `&local`: a pointer to a variable of the current frame.
  func localReference(_ op: CUnaryOperator, _ inner: CExpr, _ st: State) -> SymValue? {
    guard op == .addressOf, case .identifier(let n) = inner, st.lookup(n) != nil else {
      return nil
    }
    return .reference(frame: st.frames.count - 1, name: n)
  }

  /// `op v` once the operand is valued, in the state it was valued in.
  func unaryValue(_ op: CUnaryOperator, _ v: SymValue, in st: State) -> SymValue {
    switch (op, v) {
    case (.dereference, .reference(let f, let n)): st.frames[f][n] ?? .value(.identifier(n))
    case (.not, _): truth(v).map { .value(.int($0 ? 0 : 1)) } ?? .value(expression(v).negated)
    default: .value(.unary(op, expression(v)))
    }
  }

  mutating func assign(
    _ op: String, _ lhs: CExpr, _ rhs: CExpr, _ st: State, _ line: Int, _ ctx: inout Context
  ) -> [(State, SymValue)] {
    eval(rhs, st, line, &ctx).map { s, v in
      var s = s
      func updated(_ old: SymValue) -> SymValue {
        let ops: [String: CBinaryOperator] = [
          "+=": .add, "-=": .subtract, "|=": .bitOr, "&=": .bitAnd, "^=": .bitXor,
          "<<=": .shiftLeft, ">>=": .shiftRight, "*=": .multiply, "/=": .divide,
          "%=": .remainder,
        ]
        guard let o = ops[op] else { return v }
        return combine(o, old, v)
      }
      switch lhs {
      case .identifier(let n):
        let new = updated(s.lookup(n) ?? .value(.identifier(n)))
        s.set(n, new)
        return (s, new)
      case .unary(.dereference, .identifier(let p)):
        if case .reference(let f, let n)? = s.lookup(p) {
          let new = updated(s.frames[f][n] ?? .value(.identifier(n)))
          s.frames[f][n] = new
          return (s, new)
        }
        return (s, v)
      default:
        // Stores into structures and arrays do not touch the callsite.
        return (s, v)
      }
    }
  }

  // MARK: calls

  static let writeAPIs: Set<String> = [
    "ftrace_modify_code", "aarch64_insn_patch_text_nosync", "aarch64_insn_patch_text",
    "aarch64_insn_write_literal_u64",
  ]

  /// Kernel macros that give back their (only) argument, or the truth of it.
  static let passThrough: Set<String> = [
    "likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "le32_to_cpu", "cpu_to_le32",
    "le64_to_cpu", "cpu_to_le64", "READ_ONCE", "function_nocfi", "lm_alias",
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

  /// Evaluates the arguments left to right, forking where they do.
  mutating func arguments(
    _ args: [CExpr], _ st: State, _ line: Int, _ ctx: inout Context
  ) -> [(State, [SymValue])] {
    var partial: [(State, [SymValue])] = [(st, [])]
    for a in args {
      var next: [(State, [SymValue])] = []
      for (s, vs) in partial {
        for (s2, v) in eval(a, s, line, &ctx) { next.append((s2, vs + [v])) }
      }
      partial = next
    }
    return partial
  }

  mutating func call(
    _ name: String, _ args: [CExpr], _ st: State, _ line: Int, _ ctx: inout Context
  ) -> [(State, SymValue)] {
    let at = loc(line, ctx.fn)
    if let test = CEvaluator.configTest(name, args, extractor.config) {
      let option: String
      if case .identifier(let o)? = args.first { option = o } else { option = "?" }
      let d = "\(name)(\(option)) is \(test) at \(at)"
      if !decisions.contains(d) { decisions.append(d) }
      return [(st, .value(.int(test ? 1 : 0)))]
    }
    var out: [(State, SymValue)] = []
    for (s, values) in arguments(args, st, line, &ctx) {
      if Self.passThrough.contains(name), values.count == 1 {
        out.append((s, values[0]))
      } else if Self.writeAPIs.contains(name) {
        out += write(name, args, values, s, at, &ctx)
      } else if name.hasPrefix("aarch64_insn_gen_") {
        out.append((s, .insn(generator(name, args, values, at))))
      } else if let fn = extractor.functions[name], !ctx.via.contains(name), name != ctx.fn.name {
        out += inline(fn, values, s, line, &ctx)
      } else {
        out.append((s, .value(.call(name, values.map(expression)))))
      }
    }
    return out
  }

  /// Runs the local helper `fn` with `values` for its parameters, in a frame of its own.
  mutating func inline(
    _ fn: CFunction, _ values: [SymValue], _ st: State, _ line: Int, _ ctx: inout Context
  ) -> [(State, SymValue)] {
    guard ctx.depth < Self.maxDepth else {
      couldNotModel("\(fn.name) (calls nested too deep)", loc(line, ctx.fn))
      return [(st, .value(.call(fn.name, values.map(expression))))]
    }
    var frame: [String: SymValue] = [:]
    for (i, p) in fn.parameters.enumerated() {
      frame[p] = i < values.count ? values[i] : .value(.unknown(p))
    }
    var callee = st
    callee.frames.append(frame)
    callee.done = false
    callee.returned = nil
    let ends = run(fn, callee, via: ctx.via + [fn.name])
    return ends.map { e in
      var r = e
      r.frames.removeLast()
      r.done = false
      r.returned = nil
      return (r, e.returned ?? .writeResult)
    }
  }

  /// The writes a patch API call makes.
  mutating func write(
    _ name: String, _ args: [CExpr], _ values: [SymValue], _ st: State, _ at: SourceLocation,
    _ ctx: inout Context
  ) -> [(State, SymValue)] {
    func arg(_ i: Int) -> SymValue { i < values.count ? values[i] : .value(.unknown("?")) }
    var s = st
    func make(
      _ target: SymValue, old: SymValue?, new: GenExpr, _ api: PatchAPI, _ validate: Bool
    ) -> CWrite {
      CWrite(
        target: address(target), old: old.map(instruction), new: new, api: api,
        underlying: api == .ftraceModifyCode ? modifyCodePrimitive() : nil, validate: validate,
        location: at, via: ctx.via, conditions: [])
    }
    switch name {
    case "ftrace_modify_code":
      var out: [(State, SymValue)] = []
      for (b, validate) in branch(s, arg(3)) {
        var b = b
        b.writes.append(
          make(arg(0), old: arg(1), new: instruction(arg(2)), .ftraceModifyCode, validate))
        out.append((b, .writeResult))
      }
      return out
    case "aarch64_insn_patch_text_nosync":
      s.writes.append(make(arg(0), old: nil, new: instruction(arg(1)), .patchTextNosync, false))
    case "aarch64_insn_write_literal_u64":
      s.writes.append(
        make(
          arg(0), old: nil, new: .literal(Self.stripCasts(expression(arg(1)))), .writeLiteralU64,
          false))
    default:
      couldNotModel(
        "aarch64_insn_patch_text(\(values.map { expression($0).description }.joined(separator: ", "))) "
          + "(arrays of addresses and words)", at)
      var w = make(
        arg(0), old: nil, new: .unknown(args.count > 1 ? args[1] : .unknown("?")), .patchText,
        false)
      w.target = OffsetExpr(.expression(args.first ?? .unknown("?")))
      s.writes.append(w)
    }
    return [(s, .writeResult)]
  }

  /// What `ftrace_modify_code` ends in, read from its body when the file defines it.
  func modifyCodePrimitive() -> PatchAPI? {
    guard let fn = extractor.functions["ftrace_modify_code"] else { return nil }
    for t in fn.body {
      if let api = PatchAPI(rawValue: t.text), api != .ftraceModifyCode { return api }
    }
    return nil
  }

  func instruction(_ v: SymValue) -> GenExpr {
    switch v {
    case .insn(let g): return g
    case .value(let e):
      if let n = CEvaluator.evaluate(e, in: extractor.constantEnvironment) {
        return .raw(UInt32(truncatingIfNeeded: n))
      }
      return .unknown(e)
    default: return .unknown(expression(v))
    }
  }

  // MARK: generators

  /// `AARCH64_INSN_REG_9` → x9 (or w9), `AARCH64_INSN_REG_LR` → x30, SP and ZR apart.
  static func register(_ e: CExpr, wide: Bool) -> Register? {
    guard case .identifier(let n) = e, n.hasPrefix("AARCH64_INSN_REG_") else { return nil }
    let r = n.dropFirst("AARCH64_INSN_REG_".count)
    let width: Width = wide ? .x : .w
    switch r {
    case "LR": return Register(.r(30), width)
    case "FP": return Register(.r(29), width)
    case "SP": return Register(.sp, width)
    case "ZR": return Register(.zr, width)
    default:
      guard let k = UInt8(r), k <= 30 else { return nil }
      return Register(.r(k), width)
    }
  }

  /// The kernel's `aarch64_insn_hint_cr_op` names.
  static let hints: [String: Hint] = [
    "NOP": .nop, "YIELD": .yield, "WFE": .wfe, "WFI": .wfi, "SEV": .sev, "SEVL": .sevl,
    "XPACLRI": .xpaclri, "PACIA_1716": .pacia1716, "PACIB_1716": .pacib1716,
    "AUTIA_1716": .autia1716, "AUTIB_1716": .autib1716, "PACIAZ": .paciaz, "PACIASP": .paciasp,
    "PACIBZ": .pacibz, "PACIBSP": .pacibsp, "AUTIAZ": .autiaz, "AUTIASP": .autiasp,
    "AUTIBZ": .autibz, "AUTIBSP": .autibsp, "ESB": .esb, "PSB": .psbCSync, "TSB": .tsbCSync,
    "CSDB": .csdb, "CLEARBHB": .clearbhb, "BTI": .bti, "BTIC": .btiC, "BTIJ": .btiJ,
    "BTIJC": .btiJC,
  ]

  mutating func generator(
    _ name: String, _ args: [CExpr], _ values: [SymValue], _ at: SourceLocation
  ) -> GenExpr {
    func v(_ i: Int) -> SymValue { i < values.count ? values[i] : .value(.unknown("?")) }
    func kind(_ i: Int) -> String {
      if i < args.count, case .identifier(let k) = args[i] { return k }
      return ""
    }
    switch name {
    case "aarch64_insn_gen_nop": return .nop
    case "aarch64_insn_gen_branch_imm":
      let k = kind(2)
      guard k == "AARCH64_INSN_BRANCH_LINK" || k == "AARCH64_INSN_BRANCH_NOLINK" else { break }
      return .branch(
        from: address(v(0)), to: Self.stripCasts(expression(v(1))),
        link: k == "AARCH64_INSN_BRANCH_LINK")
    case "aarch64_insn_gen_move_reg":
      let wide = kind(2) == "AARCH64_INSN_VARIANT_64BIT"
      guard args.count == 3, kind(2).hasPrefix("AARCH64_INSN_VARIANT_"),
        let d = Self.register(args[0], wide: wide), let s = Self.register(args[1], wide: wide)
      else { break }
      return .moveRegister(destination: d, source: s)
    case "aarch64_insn_gen_load_literal":
      guard args.count == 4 else { break }
      let wide = truth(v(3)) ?? true
      guard let r = Self.register(args[2], wide: wide) else { break }
      return .loadLiteral(from: address(v(0)), literal: address(v(1)), register: r)
    case "aarch64_insn_gen_branch_reg":
      let kinds: [String: BranchRegisterKind] = [
        "AARCH64_INSN_BRANCH_NOLINK": .br, "AARCH64_INSN_BRANCH_LINK": .blr,
        "AARCH64_INSN_BRANCH_RETURN": .ret,
      ]
      guard args.count == 2, let r = Self.register(args[0], wide: true), let k = kinds[kind(1)]
      else { break }
      return .branchRegister(k, r)
    case "aarch64_insn_gen_hint":
      let k = kind(0)
      guard k.hasPrefix("AARCH64_INSN_HINT_"),
        let h = Self.hints[String(k.dropFirst("AARCH64_INSN_HINT_".count))]
      else { break }
      return h == .nop ? .nop : .hint(h)
    case "aarch64_insn_gen_adr":
      guard args.count == 4, let r = Self.register(args[2], wide: true),
        ["AARCH64_INSN_ADR_TYPE_ADR", "AARCH64_INSN_ADR_TYPE_ADRP"].contains(kind(3))
      else { break }
      return .adr(
        from: address(v(0)), to: Self.stripCasts(expression(v(1))), register: r,
        page: kind(3) == "AARCH64_INSN_ADR_TYPE_ADRP")
    default: break
    }
    let call = CExpr.call(name, args)
    couldNotModel("generator \(call)", at)
    return .unknown(call)
  }
}
