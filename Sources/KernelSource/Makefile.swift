import Diagnostics

/// One piece of an expanded make value: its text and the Makefile line it came from.
public struct MakePiece: Hashable, Sendable {
  public var text: String
  public var origin: SourceLocation
}

/// A word of an expanded variable (a compiler flag) and the Makefile line that produced it.
public struct MakeWord: Hashable, Sendable, CustomStringConvertible {
  public var text: String
  public var origin: SourceLocation
  public var description: String { "\(text) (\(origin))" }
}

/// A make variable: recursively expanded (`=`) keeps its text unexpanded; simple (`:=`) keeps
/// the expansion. Appends (`+=`) add segments, each with its own origin.
public struct MakeVariable: Hashable, Sendable {
  public enum Flavor: Hashable, Sendable {
    case recursive
    case simple
  }
  public var flavor: Flavor
  /// For recursive variables: unexpanded text segments; for simple ones: expanded pieces.
  public var segments: [MakePiece]
}

/// The variables a Makefile leaves behind, with the assumptions made while evaluating it.
public struct MakeVariables: Sendable {
  public var variables: [String: MakeVariable] = [:]
  public var config: KernelConfig
  /// Stated assumptions, such as "the compiler supports -mbranch-protection=none".
  public var assumptions: [Diagnostic] = []
  public var diagnostics: [Diagnostic] = []

  public init(config: KernelConfig) { self.config = config }

  /// Whether `name` is defined by the Makefile (config options do not count).
  public func isDefined(_ name: String) -> Bool { variables[name] != nil }

  /// The fully expanded value of `name` as one string (words separated by single spaces).
  public func value(_ name: String) -> String {
    words(name).map(\.text).joined(separator: " ")
  }

  /// The words of `name`'s expansion, each with the Makefile line it came from.
  public func words(_ name: String) -> [MakeWord] { expansion(name).words }

  /// The words of `name`'s expansion with the assumptions and diagnostics made while
  /// expanding it (recursive variables run their `$(call cc-option,…)` probes only now).
  public func expansion(_ name: String) -> (
    words: [MakeWord], assumptions: [Diagnostic], diagnostics: [Diagnostic]
  ) {
    var ctx = ExpansionContext()
    let w = MakeExpander.words(of: expandVariable(name, &ctx, depth: 0))
    return (w, ctx.assumptions, ctx.diagnostics)
  }

  func expandVariable(_ name: String, _ ctx: inout ExpansionContext, depth: Int) -> [MakePiece] {
    if let v = variables[name] {
      switch v.flavor {
      case .simple: return v.segments
      case .recursive:
        let at = v.segments.first?.origin ?? SourceLocation(file: "<make>")
        // make stops on a variable that references itself; the evaluation says so and goes
        // on with the variable empty.
        if ctx.expanding.contains(name) {
          if ctx.reportedRecursion.insert(name).inserted {
            ctx.diagnostics.append(
              Diagnostic(
                KernelSourceMessage.syntax, .error, at: at,
                "recursive variable '\(name)' references itself (eventually): make stops here; "
                  + "read as empty"))
          }
          return []
        }
        guard depth < 32 else {
          ctx.diagnostics.append(
            Diagnostic(
              KernelSourceMessage.couldNotModel, .warning, at: at,
              "variables nested deeper than 32 at '\(name)': read as empty"))
          return []
        }
        ctx.expanding.append(name)
        defer { ctx.expanding.removeLast() }
        var out: [MakePiece] = []
        for (i, seg) in v.segments.enumerated() {
          if i > 0 { out.append(MakePiece(text: " ", origin: seg.origin)) }
          var e = MakeExpander(vars: self, origin: seg.origin, depth: depth + 1)
          out += e.expand(seg.text, &ctx)
        }
        return out
      }
    }
    if name.hasPrefix("CONFIG_") {
      let v = config.makeValue(name)
      return v.isEmpty ? [] : [MakePiece(text: v, origin: SourceLocation(file: "<config>"))]
    }
    return []
  }
}

struct ExpansionContext {
  /// References expanded so far; a runaway expansion (`a = $(b)$(b)`, `b = $(c)$(c)` …)
  /// stops at ``ExpansionContext/budget`` with a diagnostic instead of exhausting memory.
  var references = 0
  static let budget = 100_000
  var arguments: [[[MakePiece]]] = []
  var assumptions: [Diagnostic] = []
  var diagnostics: [Diagnostic] = []
  /// The recursive variables being expanded, innermost last.
  var expanding: [String] = []
  var reportedRecursion: Set<String> = []
}

/// Expands `$(…)` references and the handful of make and Kbuild functions the arm64
/// Makefiles use.
///
/// Assumption (stated in every result): the compiler, assembler and linker support every
/// option probed with `cc-option`, `as-option`, `ld-option` and `try-run`, so
/// `$(call cc-option,A,B)` is `A`.
struct MakeExpander {
  var vars: MakeVariables
  var origin: SourceLocation
  var depth: Int

  static func words(of pieces: [MakePiece]) -> [MakeWord] {
    var out: [MakeWord] = []
    var current = ""
    var currentOrigin: SourceLocation?
    for p in pieces {
      for c in p.text {
        if c == " " || c == "\t" || c == "\n" {
          if let o = currentOrigin, !current.isEmpty {
            out.append(MakeWord(text: current, origin: o))
          }
          current = ""
          currentOrigin = nil
        } else {
          if currentOrigin == nil { currentOrigin = p.origin }
          current.append(c)
        }
      }
    }
    if let o = currentOrigin, !current.isEmpty { out.append(MakeWord(text: current, origin: o)) }
    return out
  }

  static func join(_ pieces: [MakePiece]) -> String { pieces.map(\.text).joined() }

  mutating func expand(_ text: String, _ ctx: inout ExpansionContext) -> [MakePiece] {
    var out: [MakePiece] = []
    var literal = ""
    let chars = Array(text)
    var i = 0
    var progress = LoopProgress()
    func flush(_ out: inout [MakePiece], _ literal: inout String, _ origin: SourceLocation) {
      if !literal.isEmpty { out.append(MakePiece(text: literal, origin: origin)) }
      literal = ""
    }
    while i < chars.count, progress.advanced(to: i) {
      let c = chars[i]
      guard c == "$", i + 1 < chars.count else {
        literal.append(c)
        i += 1
        continue
      }
      let n = chars[i + 1]
      if n == "$" {
        literal.append("$")
        i += 2
        continue
      }
      if n == "(" || n == "{" {
        let close: Character = n == "(" ? ")" : "}"
        var j = i + 2
        var level = 0
        while j < chars.count {
          if chars[j] == n { level += 1 }
          if chars[j] == close {
            if level == 0 { break }
            level -= 1
          }
          j += 1
        }
        let inner = String(chars[min(i + 2, chars.count)..<min(j, chars.count)])
        flush(&out, &literal, origin)
        out += reference(inner, &ctx)
        i = j + 1
        continue
      }
      // $X: a one-character variable name, or $1 inside a call.
      flush(&out, &literal, origin)
      out += reference(String(n), &ctx)
      i += 2
    }
    flush(&out, &literal, origin)
    return out
  }

  /// Splits a function's argument text at top-level commas.
  static func splitArguments(_ text: String) -> [String] {
    var out: [String] = []
    var current = ""
    var level = 0
    for c in text {
      if c == "(" || c == "{" { level += 1 }
      if c == ")" || c == "}" { level -= 1 }
      if c == ",", level == 0 {
        out.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    out.append(current)
    return out
  }

  private func assume(_ ctx: inout ExpansionContext, _ message: String) {
    ctx.assumptions.append(
      Diagnostic(KernelSourceMessage.assumption, .note, at: origin, message))
  }

  mutating func reference(_ inner: String, _ ctx: inout ExpansionContext) -> [MakePiece] {
    guard depth < 48 else { return [] }
    ctx.references += 1
    if ctx.references == ExpansionContext.budget {
      ctx.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .error, at: origin,
          "could not model the expansion at \(origin): it grows without bound"))
    }
    guard ctx.references < ExpansionContext.budget else { return [] }
    // A function call: the name ends at the first space or comma.
    var name = ""
    var rest = Substring(inner)
    while let c = rest.first, c != " ", c != "\t", c != "," {
      name.append(c)
      rest = rest.dropFirst()
    }
    let argText = String(rest.drop { $0 == " " || $0 == "\t" || $0 == "," })
    if let n = Int(name), rest.isEmpty {
      guard let values = ctx.arguments.last, n >= 1, n <= values.count else { return [] }
      return values[n - 1]
    }
    func arg(_ s: String, _ ctx: inout ExpansionContext) -> [MakePiece] {
      var e = MakeExpander(vars: vars, origin: origin, depth: depth + 1)
      return e.expand(s, &ctx)
    }
    func stripped(_ p: [MakePiece]) -> [MakePiece] {
      let t = MakeExpander.join(p).trimmed
      return t.isEmpty ? [] : [MakePiece(text: t, origin: p.first?.origin ?? origin)]
    }
    let args = MakeExpander.splitArguments(argText)
    switch name {
    case "call" where !rest.isEmpty:
      let callee = args.first?.trimmed ?? ""
      let callArgs = Array(args.dropFirst())
      return kbuildFunction(callee, callArgs, &ctx)
        ?? {
          let values = callArgs.map { arg($0, &ctx) }
          ctx.arguments.append(values)
          defer { ctx.arguments.removeLast() }
          return vars.expandVariable(callee, &ctx, depth: depth + 1)
        }()
    case "cc-option", "cc-disable-warning", "ld-option", "as-option", "try-run", "cc-ifversion",
      "as-instr", "cc-option-yn", "success", "failure":
      if rest.isEmpty { break }
      return kbuildFunction(name, args, &ctx) ?? []
    case "if" where !rest.isEmpty:
      let cond = MakeExpander.join(arg(args.first ?? "", &ctx)).trimmed
      if !cond.isEmpty { return args.count > 1 ? arg(args[1], &ctx) : [] }
      return args.count > 2 ? arg(args[2...].joined(separator: ","), &ctx) : []
    case "strip" where !rest.isEmpty:
      return stripped(arg(argText, &ctx))
    case "subst" where args.count == 3:
      let from = MakeExpander.join(arg(args[0], &ctx))
      let to = MakeExpander.join(arg(args[1], &ctx))
      let text = MakeExpander.join(arg(args[2], &ctx))
      let r = from.isEmpty ? text : text.replacingAll(from, with: to)
      return [MakePiece(text: r, origin: origin)]
    case "filter" where args.count == 2, "filter-out" where args.count == 2:
      let pats = Set(MakeExpander.words(of: arg(args[0], &ctx)).map(\.text))
      let ws = MakeExpander.words(of: arg(args[1], &ctx))
      let keep = ws.filter { pats.contains($0.text) == (name == "filter") }
      return keep.flatMap {
        [MakePiece(text: $0.text, origin: $0.origin), MakePiece(text: " ", origin: $0.origin)]
      }
    case "findstring" where args.count == 2:
      let needle = MakeExpander.join(arg(args[0], &ctx))
      let hay = MakeExpander.join(arg(args[1], &ctx))
      return hay.contains(needle) ? [MakePiece(text: needle, origin: origin)] : []
    case "warning", "info", "error", "eval", "shell", "wildcard", "realpath", "abspath":
      if rest.isEmpty { break }
      if name == "shell" || name == "wildcard" {
        ctx.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .remark, at: origin,
            "could not model $(\(name) …) at \(origin): taken as empty"))
      }
      return []
    case "addprefix" where args.count == 2, "addsuffix" where args.count == 2:
      let fix = MakeExpander.join(arg(args[0], &ctx)).trimmed
      return MakeExpander.words(of: arg(args[1], &ctx)).map {
        MakePiece(
          text: (name == "addprefix" ? fix + $0.text : $0.text + fix) + " ", origin: $0.origin)
      }
    default: break
    }
    // A variable reference; the name itself may contain references: $(branch-prot-flags-$(X)).
    let varName = MakeExpander.join(arg(inner, &ctx)).trimmed
    return vars.expandVariable(varName, &ctx, depth: depth + 1)
  }

  /// The Kbuild probe helpers, under the stated assumption that every probed option is
  /// supported. Returns nil for names that are not Kbuild helpers.
  mutating func kbuildFunction(
    _ name: String, _ args: [String], _ ctx: inout ExpansionContext
  ) -> [MakePiece]? {
    func arg(_ i: Int, _ ctx: inout ExpansionContext) -> [MakePiece] {
      guard i < args.count else { return [] }
      var e = MakeExpander(vars: vars, origin: origin, depth: depth + 1)
      let p = e.expand(args[i], &ctx)
      let t = MakeExpander.join(p).trimmed
      return t.isEmpty ? [] : [MakePiece(text: t, origin: origin)]
    }
    switch name {
    case "cc-option", "ld-option", "as-option", "as-instr", "cc-option-yn":
      let a = arg(name == "as-instr" ? 1 : 0, &ctx)
      let shown = MakeExpander.join(a)
      assume(
        &ctx, "assumed the toolchain supports \(shown.isEmpty ? "the probe" : shown) (\(name))")
      if name == "cc-option-yn" { return [MakePiece(text: "y", origin: origin)] }
      return a
    case "cc-disable-warning":
      let w = MakeExpander.join(arg(0, &ctx))
      assume(&ctx, "assumed the compiler knows -W\(w) (cc-disable-warning)")
      return w.isEmpty ? [] : [MakePiece(text: "-Wno-\(w)", origin: origin)]
    case "try-run":
      assume(&ctx, "assumed the try-run probe succeeds")
      return arg(1, &ctx)
    case "success":
      assume(&ctx, "assumed $(success,…) holds")
      return [MakePiece(text: "y", origin: origin)]
    case "failure":
      assume(&ctx, "assumed $(failure,…) does not hold")
      return [MakePiece(text: "n", origin: origin)]
    case "cc-ifversion":
      ctx.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .warning, at: origin,
          "could not model $(call cc-ifversion, …) at \(origin): the compiler version is unknown"))
      return []
    default: return nil
    }
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    let t = Array(target.utf8)
    guard let first = t.first else { return self }
    let u = Array(utf8)
    guard u.contains(first) else { return self }
    var out: [UInt8] = []
    out.reserveCapacity(u.count)
    var i = 0
    var changed = false
    while i < u.count {
      if u[i] == first, i + t.count <= u.count, u[i..<(i + t.count)].elementsEqual(t) {
        out += replacement.utf8
        i += t.count
        changed = true
      } else {
        out.append(u[i])
        i += 1
      }
    }
    return changed ? String(decoding: out, as: UTF8.self) : self
  }
}

/// A small make evaluator for the arm64 Makefile shapes.
///
/// Handles `ifeq`/`ifneq` (paren and quote forms), `ifdef`/`ifndef`, `else`, `else ifeq …`,
/// `endif`, `:=`/`::=`/`=`/`+=`/`?=` (with `override`/`export` prefixes), variable names built
/// from references (`branch-prot-flags-$(CONFIG_X) :=`), `define`/`endef` (skipped), rules and
/// their recipes (skipped), line continuations and comments. Config options are visible as
/// `$(CONFIG_X)`. See ``MakeExpander`` for the functions and the probe assumption.
public enum MakefileFlags {
  /// Evaluates `text`. `fragmentStarts` are the lines after unknown ones in a file known only
  /// from hunks: conditionals do not reach across them.
  public static func evaluate(
    text: String, file: String, config: KernelConfig,
    into previous: MakeVariables? = nil, fragmentStarts: Set<Int> = []
  ) -> MakeVariables {
    var vars = previous ?? MakeVariables(config: config)
    let raw = splitLines(text)
    // Logical lines: join continuations, keep the first physical line number.
    var logical: [(text: String, line: Int, recipe: Bool)] = []
    var idx = 0
    var progress = LoopProgress()
    while idx < raw.count, progress.advanced(to: idx) {
      let first = idx
      var line = raw[idx]
      let recipe = line.hasPrefix("\t")
      while line.hasSuffix("\\"), idx + 1 < raw.count {
        line = String(line.dropLast()) + " " + raw[idx + 1].trimmed
        idx += 1
      }
      logical.append((line, first + 1, recipe))
      idx += 1
    }

    struct Frame {
      var parentActive: Bool
      var active: Bool
      var taken: Bool
      var line: Int
    }
    var stack: [Frame] = []
    var inRule = false
    var inDefine = false
    func active() -> Bool { stack.last.map { $0.parentActive && $0.active } ?? true }

    for (text, lineNo, recipe) in logical {
      let loc = SourceLocation(file: file, line: lineNo)
      if fragmentStarts.contains(lineNo) {
        stack.removeAll()
        inRule = false
        inDefine = false
      }
      if inDefine {
        if text.trimmed.hasPrefix("endef") { inDefine = false }
        continue
      }
      if recipe && inRule { continue }
      let line = stripComment(text).trimmed
      if line.isEmpty {
        continue
      }
      let (word, after) = firstWord(line)
      switch word {
      case "ifeq", "ifneq", "ifdef", "ifndef":
        let parent = active()
        let cond = parent ? evaluateCondition(word, after, &vars, loc) : false
        stack.append(Frame(parentActive: parent, active: cond, taken: cond, line: lineNo))
        inRule = false
        continue
      case "else":
        guard var top = stack.popLast() else {
          if !fragmentStarts.isEmpty { continue }
          vars.diagnostics.append(
            Diagnostic(KernelSourceMessage.syntax, .error, at: loc, "else without ifeq/ifdef"))
          continue
        }
        let (w2, a2) = firstWord(after)
        if ["ifeq", "ifneq", "ifdef", "ifndef"].contains(w2) {
          let cond =
            !top.taken && top.parentActive ? evaluateCondition(w2, a2, &vars, loc) : false
          top.active = cond
          top.taken = top.taken || cond
        } else {
          top.active = !top.taken
          top.taken = true
        }
        stack.append(top)
        continue
      case "endif":
        if stack.popLast() == nil, fragmentStarts.isEmpty {
          vars.diagnostics.append(
            Diagnostic(KernelSourceMessage.syntax, .error, at: loc, "endif without ifeq/ifdef"))
        }
        continue
      case "define":
        inDefine = true
        continue
      default: break
      }
      guard active() else { continue }
      if ["include", "-include", "sinclude", "vpath", "unexport"].contains(word) { continue }
      var body = line
      var (w, a) = (word, after)
      while w == "override" || w == "export" {
        body = a
        (w, a) = firstWord(a)
      }
      if let (name, op, value) = parseAssignment(body) {
        inRule = false
        assign(name: name, op: op, value: value, &vars, loc)
      } else if body.hasPrefix("$(") && body.hasSuffix(")") && !containsTopLevelColon(body) {
        var ctx = ExpansionContext()
        var e = MakeExpander(vars: vars, origin: loc, depth: 0)
        _ = e.expand(body, &ctx)
        vars.diagnostics += ctx.diagnostics
      } else if containsTopLevelColon(body) {
        inRule = true
      } else if word == "export" {
        continue
      } else {
        vars.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .remark, at: loc,
            "could not model Makefile line at \(loc): \(line)"))
      }
    }
    if let open = stack.last, fragmentStarts.isEmpty {
      vars.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.conditional, .error, at: SourceLocation(file: file, line: open.line),
          "conditional opened here is never closed with endif"))
    }
    return vars
  }

  /// `line` up to its first `#` that no backslash escapes. Read as UTF-8 bytes: both are
  /// ASCII, and a multi-byte character never holds an ASCII byte.
  static func stripComment(_ line: String) -> String {
    var line = line
    return line.withUTF8 { b -> String? in
      var prev = UInt8(ascii: " ")
      for (i, c) in b.enumerated() {
        if c == UInt8(ascii: "#") && prev != UInt8(ascii: "\\") {
          return String(decoding: UnsafeBufferPointer(rebasing: b[..<i]), as: UTF8.self)
        }
        prev = c
      }
      return nil
    } ?? line
  }

  static func firstWord(_ s: String) -> (String, String) {
    let t = s.trimmed
    guard let sp = t.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "(" }) else {
      return (t, "")
    }
    return (String(t[..<sp]), String(t[sp...]).trimmed)
  }

  static func containsTopLevelColon(_ s: String) -> Bool {
    var level = 0
    for c in s.utf8 {
      switch c {
      case UInt8(ascii: "("), UInt8(ascii: "{"): level += 1
      case UInt8(ascii: ")"), UInt8(ascii: "}"): level -= 1
      case UInt8(ascii: ":") where level == 0: return true
      default: break
      }
    }
    return false
  }

  /// `name op value` where op is one of `:=`, `::=`, `+=`, `?=`, `=`; the name may contain
  /// `$(…)` references but no top-level spaces.
  static func parseAssignment(_ s: String) -> (String, String, String)? {
    var s = s
    return s.withUTF8 { b -> (String, String, String)? in
      var i = 0
      var level = 0
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "(") || c == UInt8(ascii: "{") { level += 1 }
        if c == UInt8(ascii: ")") || c == UInt8(ascii: "}") { level -= 1 }
        if level == 0,
          c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "=")
            || c == UInt8(ascii: ":") || c == UInt8(ascii: "+") || c == UInt8(ascii: "?")
        {
          break
        }
        i += 1
      }
      guard i > 0 else { return nil }
      let name = String(decoding: UnsafeBufferPointer(rebasing: b[..<i]), as: UTF8.self)
      while i < b.count, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "\t") { i += 1 }
      let rest = UnsafeBufferPointer(rebasing: b[i...])
      for op in ["::=", ":=", "+=", "?=", "="] where rest.starts(with: op.utf8) {
        let value = UnsafeBufferPointer(rebasing: rest[(rest.startIndex + op.utf8.count)...])
        return (name, op, String(decoding: value, as: UTF8.self).trimmed)
      }
      return nil
    }
  }

  static func assign(
    name rawName: String, op: String, value: String, _ vars: inout MakeVariables,
    _ loc: SourceLocation
  ) {
    var ctx = ExpansionContext()
    var nameExpander = MakeExpander(vars: vars, origin: loc, depth: 0)
    let name = MakeExpander.join(nameExpander.expand(rawName, &ctx)).trimmed
    defer {
      vars.assumptions += ctx.assumptions
      vars.diagnostics += ctx.diagnostics
    }
    if name.isEmpty { return }
    func expanded(_ ctx: inout ExpansionContext) -> [MakePiece] {
      var e = MakeExpander(vars: vars, origin: loc, depth: 0)
      return e.expand(value, &ctx)
    }
    switch op {
    case ":=", "::=":
      vars.variables[name] = MakeVariable(flavor: .simple, segments: expanded(&ctx))
    case "=":
      vars.variables[name] = MakeVariable(
        flavor: .recursive, segments: [MakePiece(text: value, origin: loc)])
    case "?=":
      if vars.variables[name] == nil {
        vars.variables[name] = MakeVariable(
          flavor: .recursive, segments: [MakePiece(text: value, origin: loc)])
      }
    default:  // +=
      if var v = vars.variables[name] {
        switch v.flavor {
        case .recursive: v.segments.append(MakePiece(text: value, origin: loc))
        case .simple:
          let add = expanded(&ctx)
          if !v.segments.isEmpty { v.segments.append(MakePiece(text: " ", origin: loc)) }
          v.segments += add
        }
        vars.variables[name] = v
      } else {
        vars.variables[name] = MakeVariable(
          flavor: .recursive, segments: [MakePiece(text: value, origin: loc)])
      }
    }
  }

  static func evaluateCondition(
    _ kind: String, _ text: String, _ vars: inout MakeVariables, _ loc: SourceLocation
  ) -> Bool {
    var ctx = ExpansionContext()
    defer {
      vars.assumptions += ctx.assumptions
      vars.diagnostics += ctx.diagnostics
    }
    func expand(_ s: String) -> String {
      var e = MakeExpander(vars: vars, origin: loc, depth: 0)
      return MakeExpander.join(e.expand(s, &ctx)).trimmed
    }
    if kind == "ifdef" || kind == "ifndef" {
      let name = expand(text)
      let defined =
        vars.isDefined(name) || (name.hasPrefix("CONFIG_") && !vars.config.makeValue(name).isEmpty)
      // `ifdef` tests for a non-empty value.
      let nonEmpty = defined && !vars.value(name).isEmpty
      return kind == "ifdef" ? nonEmpty : !nonEmpty
    }
    var a = ""
    var b = ""
    let t = text.trimmed
    if t.hasPrefix("(") && t.hasSuffix(")") {
      let inner = String(t.dropFirst().dropLast())
      let parts = MakeExpander.splitArguments(inner)
      guard parts.count == 2 else {
        vars.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.syntax, .error, at: loc, "\(kind) needs two arguments: \(t)"))
        return false
      }
      a = parts[0]
      b = parts[1]
    } else {
      // 'a' 'b' or "a" "b"
      var quoted: [String] = []
      var rest = Substring(t)
      while let q = rest.first, q == "\"" || q == "'" {
        rest = rest.dropFirst()
        guard let end = rest.firstIndex(of: q) else { break }
        quoted.append(String(rest[..<end]))
        rest = rest[rest.index(after: end)...].drop { $0 == " " || $0 == "\t" }
      }
      guard quoted.count == 2 else {
        vars.diagnostics.append(
          Diagnostic(KernelSourceMessage.syntax, .error, at: loc, "cannot read \(kind) \(t)"))
        return false
      }
      a = quoted[0]
      b = quoted[1]
    }
    let equal = expand(a) == expand(b)
    return kind == "ifeq" ? equal : !equal
  }
}
