import Diagnostics
import Foundation

/// A Kconfig expression: `A && !B`, `GCC_VERSION >= 100100`, `$(cc-option,-mfoo)`.
public indirect enum KconfigExpr: Hashable, Sendable, CustomStringConvertible {
  case symbol(String)
  /// A quoted string or a number written as such.
  case constant(String)
  /// A `$(…)` preprocessor call such as `$(cc-option,…)`; evaluated as true, with an assumption.
  case macro(String)
  case not(KconfigExpr)
  case and(KconfigExpr, KconfigExpr)
  case or(KconfigExpr, KconfigExpr)
  case compare(String, KconfigExpr, KconfigExpr)

  public var description: String {
    switch self {
    case .symbol(let s): s
    case .constant(let s): "\"\(s)\""
    case .macro(let m): "$(\(m))"
    case .not(let e): "!\(e.parenthesised)"
    case .and(let a, let b): "\(a.parenthesised) && \(b.parenthesised)"
    case .or(let a, let b): "\(a.parenthesised) || \(b.parenthesised)"
    case .compare(let op, let a, let b): "\(a) \(op) \(b)"
    }
  }

  var parenthesised: String {
    switch self {
    case .and, .or: "(\(description))"
    default: description
    }
  }

  /// Every symbol the expression mentions.
  public var symbols: [String] {
    switch self {
    case .symbol(let s): [s]
    case .constant, .macro: []
    case .not(let e): e.symbols
    case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b): a.symbols + b.symbols
    }
  }
}

/// A guarded property: `select X if Y`, `default y if Z`, `depends on W`.
public struct KconfigProperty<Value: Hashable & Sendable>: Hashable, Sendable {
  public var value: Value
  public var condition: KconfigExpr?
  public var location: SourceLocation
}

/// One `config`/`menuconfig` entry (a symbol may have several, in different files).
public struct KconfigEntry: Hashable, Sendable {
  public enum SymbolType: String, Hashable, Sendable {
    case bool, tristate, int, hex, string, unknown
  }
  public var name: String
  public var type: SymbolType = .unknown
  public var hasPrompt = false
  public var defaults: [KconfigProperty<KconfigExpr>] = []
  public var selects: [KconfigProperty<String>] = []
  public var implies: [KconfigProperty<String>] = []
  /// `depends on` lines, plus the conditions of enclosing `if` blocks and choices.
  public var dependsOn: [KconfigProperty<KconfigExpr>] = []
  public var location: SourceLocation
  /// The choice this entry belongs to, if any (index into ``Kconfig/choices``).
  public var choice: Int?
}

/// A `choice … endchoice` block.
public struct KconfigChoice: Hashable, Sendable {
  public var members: [String] = []
  public var defaults: [KconfigProperty<String>] = []
  public var location: SourceLocation
}

/// One configuration to review, or one rejected, with the reasons.
public struct ReviewConfiguration: Hashable, Sendable {
  public var name: String
  /// The options turned on for it, in order (the BTI option apart).
  public var options: [String]
  /// Whether the BTI option is on.
  public var bti: Bool
  public var config: KernelConfig
  /// Why the configuration cannot exist (a `depends on` that fails), empty if it can.
  public var rejections: [Diagnostic]
  /// Selected symbols whose own dependencies are unmet (Kconfig warns about these too).
  public var warnings: [Diagnostic]
  /// Options of the assumed base configuration (not the `--config` ones) that the Kconfig turned
  /// off because a `depends on` fails, each with the reason: what `make olddefconfig` does.
  public var switchedOff: [Diagnostic] = []
  public var isValid: Bool { rejections.isEmpty }
}

/// The Kconfig files read, as entries by symbol.
public struct Kconfig: Sendable {
  public private(set) var entries: [String: [KconfigEntry]] = [:]
  public private(set) var order: [String] = []
  public private(set) var choices: [KconfigChoice] = []
  public var diagnostics: [Diagnostic] = []
  /// The path and version of every file ``load(tree:root:)`` read, when the tree named each
  /// (nil otherwise, and after a ``merge(_:)``): equal keys mean equal entries, so the
  /// configurations resolved from them are kept by it.
  public private(set) var sourceKey: String?

  public init() {}

  /// Parses one Kconfig file; call ``merge(_:)`` to combine several.
  /// `fragmentStarts`: the lines after unknown ones in a file known only from hunks; a
  /// fragment may start in the middle of a property continued from the line above.
  public static func parse(text: String, file: String, fragmentStarts: Set<Int> = []) -> Kconfig {
    var parser = KconfigParser(file: file)
    parser.fragmentStarts = fragmentStarts
    parser.parse(text)
    return parser.result
  }

  /// Reads `root` from `tree` and every file it `source`s (paths from the tree's root, with
  /// `$(SRCARCH)` read as `arm64`); a missing file is a `kernel.missing-include` diagnostic.
  public static func load(tree: any KernelTree, root: String = "Kconfig") -> Kconfig {
    var result = Kconfig()
    var queue = [(root, SourceLocation(file: "<kconfig>"))]
    var seen = Set<String>()
    var progress = LoopProgress()
    var index = 0
    var key: [String]? = []
    while index < queue.count, progress.advanced(to: index), seen.count < 1_000 {
      let (path, from) = queue[index]
      index += 1
      guard seen.insert(path).inserted else { continue }
      // A file the tree names by version (a git blob) is parsed once per version: along a
      // history most Kconfig files do not change from one rebuild to the next.
      let version = tree.version(of: path)
      let fragments = tree.fragmentStarts(in: path)
      if let version, fragments.isEmpty { key?.append(path + "\u{0}" + version) }
      if fragments.isEmpty, let version, let k = KconfigParses.shared.get(path, version) {
        result.merge(k)
        queue += k.sources.map { ($0.path.replacingAll("$(SRCARCH)", with: "arm64"), $0.location) }
        continue
      }
      guard let text = tree.contents(of: path) else {
        key?.append(path + "\u{0}-")  // missing: part of what the entries are made from
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.missingInclude, .warning, at: from,
            "Kconfig file \(path) is not in the tree"))
        continue
      }
      let k = parse(text: text, file: path, fragmentStarts: fragments)
      if fragments.isEmpty, let version {
        KconfigParses.shared.put(path, version, k)
      } else {
        key = nil  // a text the tree does not name
      }
      result.merge(k)
      queue += k.sources.map { ($0.path.replacingAll("$(SRCARCH)", with: "arm64"), $0.location) }
    }
    result.diagnostics += result.dependencyCycles()
    result.sourceKey = key.map { $0.joined(separator: "\u{1}") }
    return result
  }

  /// A diagnostic for each loop of `depends on` (`A` depends on `B`, which depends on `A`):
  /// kconfig calls it a recursive dependency and goes on; so does the reader, which resolves
  /// the symbols of a loop as it finds them, and says so.
  public func dependencyCycles() -> [Diagnostic] {
    var state: [String: Int] = [:]  // 1: on the path, 2: done
    var path: [String] = []
    var out: [Diagnostic] = []
    var reported = Set<String>()
    func edges(_ name: String) -> [String] {
      var seen: [String] = []
      for e in entries[name] ?? [] {
        for d in e.dependsOn {
          for s in d.value.symbols where entries[s] != nil && !seen.contains(s) { seen.append(s) }
        }
      }
      return seen
    }
    // Iterative depth-first search: a deep chain of dependencies cannot overflow the stack.
    for start in order where state[start] == nil {
      var stack: [(name: String, next: [String], at: Int)] = [(start, edges(start), 0)]
      state[start] = 1
      path.append(start)
      while let top = stack.last {
        if top.at < top.next.count {
          stack[stack.count - 1].at += 1
          let n = top.next[top.at]
          switch state[n] {
          case nil:
            state[n] = 1
            path.append(n)
            stack.append((n, edges(n), 0))
          case 1?:
            let loop = Array(path[(path.lastIndex(of: n) ?? 0)...])
            if reported.insert(loop.sorted().joined(separator: " ")).inserted,
              let at = entries[n]?.first?.location
            {
              out.append(
                Diagnostic(
                  KernelSourceMessage.syntax, .warning, at: at,
                  "recursive dependency: "
                    + (loop + [n]).joined(separator: " depends on ")))
            }
          default: break
          }
        } else {
          state[top.name] = 2
          path.removeLast()
          stack.removeLast()
        }
      }
    }
    return out
  }

  /// The `source "…"` lines of the files read, in order.
  public private(set) var sources: [(path: String, location: SourceLocation)] = []
  /// Preprocessor variables (`cc-option = y`): read, not evaluated.
  public private(set) var variables: [String: String] = [:]

  /// Adds the entries of `other` (a further Kconfig file) to these.
  public mutating func merge(_ other: Kconfig) {
    sourceKey = nil
    for name in other.order where entries[name] == nil { order.append(name) }
    let offset = choices.count
    for (name, es) in other.entries {
      entries[name, default: []] += es.map { e in
        var e = e
        e.choice = e.choice.map { $0 + offset }
        return e
      }
    }
    choices += other.choices
    diagnostics += other.diagnostics
    sources += other.sources
    variables.merge(other.variables) { $1 }
  }

  mutating func addSource(_ path: String, _ loc: SourceLocation) { sources.append((path, loc)) }
  mutating func setVariable(_ name: String, _ value: String) { variables[name] = value }

  mutating func add(_ entry: KconfigEntry) {
    if entries[entry.name] == nil { order.append(entry.name) }
    entries[entry.name, default: []].append(entry)
  }

  mutating func addChoice(_ choice: KconfigChoice) -> Int {
    choices.append(choice)
    return choices.count - 1
  }

  mutating func updateChoice(_ index: Int, _ body: (inout KconfigChoice) -> Void) {
    if choices.indices.contains(index) { body(&choices[index]) }
  }

  // MARK: Evaluation

  /// Tristate value of `expr` in `config`: 0 (n), 1 (m), 2 (y).
  public func evaluate(_ expr: KconfigExpr, in config: KernelConfig) -> Int {
    switch expr {
    case .symbol(let s):
      switch s {
      case "y": return 2
      case "m": return 1
      case "n": return 0
      default:
        switch config[s] {
        case .yes?: return 2
        case .module?: return 1
        default: return 0
        }
      }
    case .constant(let c): return c == "y" ? 2 : c == "m" ? 1 : 0
    case .macro: return 2
    case .not(let e): return 2 - evaluate(e, in: config)
    case .and(let a, let b): return min(evaluate(a, in: config), evaluate(b, in: config))
    case .or(let a, let b): return max(evaluate(a, in: config), evaluate(b, in: config))
    case .compare(let op, let a, let b):
      let l = scalar(a, config)
      let r = scalar(b, config)
      let result: Bool
      if let li = Int(l), let ri = Int(r) {
        switch op {
        case "=": result = li == ri
        case "!=": result = li != ri
        case "<": result = li < ri
        case "<=": result = li <= ri
        case ">": result = li > ri
        default: result = li >= ri
        }
      } else {
        switch op {
        case "=": result = l == r
        case "!=": result = l != r
        case "<": result = l < r
        case "<=": result = l <= r
        case ">": result = l > r
        default: result = l >= r
        }
      }
      return result ? 2 : 0
    }
  }

  private func scalar(_ e: KconfigExpr, _ config: KernelConfig) -> String {
    switch e {
    case .symbol(let s):
      if ["y", "n", "m"].contains(s) || Int(s) != nil { return s }
      if s.hasPrefix("0x"), let n = Int(s.dropFirst(2), radix: 16) { return String(n) }
      return config[s]?.description ?? "n"
    case .constant(let c): return c
    default: return evaluate(e, in: config) == 2 ? "y" : "n"
    }
  }

  /// The `$(…)` calls in `expr`, for stating them as assumptions.
  static func macros(in expr: KconfigExpr?) -> [String] {
    switch expr {
    case nil, .symbol?, .constant?: []
    case .macro(let m)?: [m]
    case .not(let e)?: macros(in: e)
    case .and(let a, let b)?, .or(let a, let b)?, .compare(_, let a, let b)?:
      macros(in: a) + macros(in: b)
    }
  }

  /// Fills in what Kconfig would derive from `chosen`: defaults of unset symbols, `select`s
  /// (and `imply`s whose target is unset) of enabled symbols, choice defaults. The user's
  /// explicit values win over defaults; selects force `y` as Kconfig does.
  ///
  /// - Returns: the resolved config and the assumptions made (each `$(…)` taken as true).
  public func resolve(_ chosen: KernelConfig) -> (config: KernelConfig, assumptions: [Diagnostic]) {
    var config = chosen
    var assumptions: [Diagnostic] = []
    var assumed = Set<String>()
    func note(_ expr: KconfigExpr?, _ loc: SourceLocation) {
      for m in Self.macros(in: expr) where assumed.insert(m).inserted {
        assumptions.append(
          Diagnostic(
            KernelSourceMessage.assumption, .note, at: loc,
            "assumed $(\(m)) holds (the toolchain supports it)"))
      }
    }
    for _ in 0..<32 {
      var next = chosen
      // Choice defaults, when no member was chosen.
      for choice in choices where !choice.members.contains(where: { chosen.isEnabled($0) }) {
        if let d = choice.defaults.first(where: {
          $0.condition.map { evaluate($0, in: config) > 0 } ?? true
        }) {
          next[d.value] = .yes
        }
      }
      for name in order where chosen[name] == nil {
        guard let es = entries[name] else { continue }
        for e in es {
          let depsOK = e.dependsOn.allSatisfy { evaluate($0.value, in: config) > 0 }
          guard depsOK, next[name] == nil else { continue }
          if e.choice != nil { continue }
          for d in e.defaults where d.condition.map({ evaluate($0, in: config) > 0 }) ?? true {
            note(d.value, d.location)
            note(d.condition, d.location)
            switch e.type {
            case .int, .hex, .string:
              if case .symbol(let s) = d.value, s != "y", s != "n", s != "m" {
                if let n = Int(s) {
                  next[name] = .int(n)
                } else if let v = config[s] {
                  next[name] = v
                }
              } else if case .constant(let c) = d.value {
                next[name] = ConfigValue(parsing: c)
              }
            default:
              let v = evaluate(d.value, in: config)
              next[name] = v == 2 ? .yes : v == 1 ? .module : .no
            }
            break
          }
        }
      }
      // Selects and implies of enabled symbols.
      for name in order {
        guard let es = entries[name], next.isEnabled(name) || config.isEnabled(name) else {
          continue
        }
        for e in es {
          for s in e.selects where s.condition.map({ evaluate($0, in: config) > 0 }) ?? true {
            note(s.condition, s.location)
            if next[s.value] != .yes { next[s.value] = .yes }
          }
          for s in e.implies where chosen[s.value] == nil && next[s.value] == nil {
            if s.condition.map({ evaluate($0, in: config) > 0 }) ?? true { next[s.value] = .yes }
          }
        }
      }
      if next == config { break }
      config = next
    }
    return (config, assumptions)
  }

  /// The failing `depends on` lines of `name` in `config`, as messages.
  public func unmetDependencies(of name: String, in config: KernelConfig) -> [Diagnostic] {
    var out: [Diagnostic] = []
    for e in entries[KernelConfig.bareName(name)] ?? [] {
      for d in e.dependsOn where evaluate(d.value, in: config) == 0 {
        let why = d.value.symbols.filter { !["y", "n", "m"].contains($0) && Int($0) == nil }
          .map { "\($0)=\(config[$0]?.description ?? "n")" }
        out.append(
          Diagnostic(
            KernelSourceMessage.dependsFailed, .error, at: d.location,
            "\(e.name) depends on \(d.value), which is false"
              + (why.isEmpty ? "" : " (\(why.joined(separator: ", ")))")))
      }
    }
    return out
  }

  /// An option the files read do not define, whose `HAVE_` capability they select (the
  /// arch Kconfig selects `HAVE_DYNAMIC_FTRACE_WITH_ARGS`, kernel/trace/Kconfig defines
  /// `DYNAMIC_FTRACE_WITH_ARGS` on it): when no select of the capability holds in `config`,
  /// the option cannot be on. Each select that does not hold is a reason, at its line.
  public func unmetCapability(of name: String, in config: KernelConfig) -> [Diagnostic] {
    let option = KernelConfig.bareName(name)
    let capability = "HAVE_" + option
    guard entries[option] == nil, !config.isEnabled(capability) else { return [] }
    var out: [Diagnostic] = []
    for (symbol, list) in entries {
      for e in list {
        for sel in e.selects where sel.value == capability {
          let why =
            sel.condition.map { c in
              let symbols = c.symbols.filter { !["y", "n", "m"].contains($0) && Int($0) == nil }
              return " if \(c), which is false"
                + (symbols.isEmpty
                  ? ""
                  : " ("
                    + symbols.map { "\($0)=\(config[$0]?.description ?? "n")" }
                    .joined(separator: ", ") + ")")
            } ?? " (\(symbol) is off)"
          out.append(
            Diagnostic(
              KernelSourceMessage.dependsFailed, .error, at: sel.location,
              "\(option) needs \(capability), which \(symbol) selects only\(why)"))
        }
      }
    }
    return out.sorted {
      ($0.location.file, $0.location.line) < ($1.location.file, $1.location.line)
    }
  }

  /// The assumed toolchain and platform when a review names none: a Clang 18 build (LLVM=1:
  /// the integrated assembler and lld) of an arm64 kernel with modules, the tracers on, and every `$(cc-option,…)` probe true.
  public static let defaultBase = KernelConfig([
    "ARM64": .yes, "64BIT": .yes, "MODULES": .yes, "ARM64_MODULE_PLTS": .yes,
    "FTRACE": .yes, "FUNCTION_TRACER": .yes, "DYNAMIC_FTRACE": .yes,
    "FUNCTION_GRAPH_TRACER": .yes, "ARM64_PTR_AUTH": .yes, "ARM64_BTI": .yes,
    "CC_IS_CLANG": .yes, "CLANG_VERSION": .int(180_000), "CC_IS_GCC": .no,
    "AS_IS_LLVM": .yes, "AS_IS_GNU": .no, "LD_IS_LLD": .yes, "LD_IS_BFD": .no,
    "AS_HAS_PAC": .yes, "CC_HAS_SIGN_RETURN_ADDRESS": .yes, "CC_HAS_BRANCH_PROT_PAC_RET": .yes,
    "CC_HAS_BRANCH_PROT_PAC_RET_BTI": .yes,
  ])

  /// The configurations to review for a series that touches `options`: the series' own
  /// options on (all but the BTI one), once with `btiOption` on and once off. Each is resolved
  /// (selects, defaults) and rejected when an option set on purpose has a failing
  /// `depends on`, with the reason.
  ///
  /// When `base` already sets `btiOption` (`--config ARM64_BTI_KERNEL=n`), only that side is
  /// built: the other would be named for a BTI setting its words do not have.
  public func configurations(
    for options: [String], base: KernelConfig = Kconfig.defaultBase,
    btiOption: String = "ARM64_BTI_KERNEL"
  ) -> [ReviewConfiguration] {
    guard let sourceKey else { return resolvedConfigurations(options, base, btiOption) }
    let key = ConfigurationsKey(source: sourceKey, options: options, base: base, bti: btiOption)
    if let kept = ConfigurationsMemo.shared.get(key) { return kept }
    let made = resolvedConfigurations(options, base, btiOption)
    ConfigurationsMemo.shared.put(key, made)
    return made
  }

  private func resolvedConfigurations(
    _ options: [String], _ base: KernelConfig, _ btiOption: String
  ) -> [ReviewConfiguration] {
    let bti = KernelConfig.bareName(btiOption)
    let own = options.map(KernelConfig.bareName).filter { $0 != bti }
    var out: [ReviewConfiguration] = []
    let sides = base[bti] == nil ? [true, false] : [base.isEnabled(bti)]
    for btiOn in sides {
      var chosen = base
      for o in own { chosen[o] = .yes }
      chosen[bti] = btiOn ? .yes : .no
      let name = (own + [btiOn ? bti : "!" + bti]).joined(separator: " ")
      var (resolved, assumptions) = resolve(chosen)
      // An option the base turns on that this Kconfig defines, whose `depends on` fails here
      // (ARM64_PTR_AUTH needs DYNAMIC_FTRACE_WITH_REGS when the graph tracer is on, in the
      // v5 kernels), is off, as olddefconfig leaves it; turning it off can fail another.
      var switchedOff: [Diagnostic] = []
      for _ in 0..<8 {
        let failing = base.values.keys.sorted().filter { n in
          n != bti && !own.contains(n) && entries[n] != nil && resolved.isEnabled(n)
            && !unmetDependencies(of: n, in: resolved).isEmpty
        }
        guard !failing.isEmpty else { break }
        for n in failing {
          switchedOff += unmetDependencies(of: n, in: resolved).map {
            var d = $0
            d.severity = .note
            d.message = "\(n) taken as off: " + d.message
            return d
          }
          chosen[n] = .no
        }
        (resolved, assumptions) = resolve(chosen)
      }
      var rejections: [Diagnostic] = []
      for o in own + (btiOn ? [bti] : []) {
        rejections += unmetDependencies(of: o, in: resolved)
        rejections += unmetCapability(of: o, in: resolved)
      }
      var warnings = assumptions
      for o in own + [bti] where entries[o] == nil {
        warnings.append(
          Diagnostic(
            KernelSourceMessage.assumption, .note, at: SourceLocation(file: "<kconfig>"),
            "\(o) is not defined in the Kconfig files read: taken as set, its dependencies "
              + "unchecked"))
      }
      for (n, v) in resolved.values.sorted(by: { $0.key < $1.key })
      where (v == .yes || v == .module) && chosen[n] == nil {
        warnings += unmetDependencies(of: n, in: resolved).map {
          var d = $0
          d.severity = .warning
          d.message = "selected although " + d.message
          return d
        }
      }
      out.append(
        ReviewConfiguration(
          name: name, options: own, bti: btiOn, config: resolved, rejections: rejections,
          warnings: warnings, switchedOff: switchedOff))
    }
    return out
  }
}

/// Line-oriented Kconfig reader.
struct KconfigParser {
  var file: String
  var result = Kconfig()
  var current: KconfigEntry?
  var currentChoice: Int?
  var inChoiceHeader = false
  /// Conditions of enclosing `if` blocks.
  var ifStack: [KconfigProperty<KconfigExpr>] = []
  /// Open `if`/`menu`/`choice` blocks and how many conditions each added to ``ifStack``.
  var scopes: [(kind: String, pushed: Int, location: SourceLocation)] = []
  var inMenuHeader = false
  /// First lines of the fragments of a file known only from hunks.
  var fragmentStarts: Set<Int> = []

  /// The words that start a property line inside an entry.
  static let propertyWords: Set<String> = [
    "select", "imply", "depends", "default", "def_bool", "def_tristate", "bool", "tristate",
    "int", "hex", "string", "prompt", "range", "help", "---help---", "option", "visible",
    "modules", "transitional",
  ]

  mutating func closeScope(_ kind: String, _ loc: SourceLocation) {
    guard let top = scopes.last, top.kind == kind else {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.syntax, .error, at: loc,
          "end\(kind) without \(kind)" + (scopes.last.map { " (open: \($0.kind))" } ?? "")))
      return
    }
    scopes.removeLast()
    ifStack.removeLast(min(top.pushed, ifStack.count))
  }

  init(file: String) { self.file = file }

  mutating func finish() {
    if let e = current { result.add(e) }
    current = nil
  }

  mutating func parse(_ text: String) {
    let raw = splitLines(text)
    var i = 0
    var progress = LoopProgress()
    while i < raw.count, progress.advanced(to: i) {
      let lineNo = i + 1
      var line = raw[i]
      // A fragment that starts inside a property continued from an unknown line: skip the
      // rest of that property, whose head is not known.
      if fragmentStarts.contains(lineNo), line.first == " " || line.first == "\t",
        !Self.propertyWords.contains(splitWord(line.trimmed).0)
      {
        while i < raw.count, raw[i].hasSuffix("\\") { i += 1 }
        i += 1
        continue
      }
      while line.hasSuffix("\\"), i + 1 < raw.count {
        line = String(line.dropLast()) + " " + raw[i + 1].trimmed
        i += 1
      }
      i += 1
      let loc = SourceLocation(file: file, line: lineNo)
      let t = stripComment(line).trimmed
      if t.isEmpty { continue }
      let (word, rest) = splitWord(t)
      switch word {
      case "help", "---help---":
        // Skip the help text: lines indented more than the first help line, and blank lines.
        var indent: Int?
        while i < raw.count {
          let l = raw[i]
          if l.trimmed.isEmpty {
            i += 1
            continue
          }
          let w = indentation(l)
          if indent == nil { indent = w }
          if let ind = indent, w >= ind, w > indentation(line) {
            i += 1
          } else {
            break
          }
        }
      case "config", "menuconfig":
        finish()
        inChoiceHeader = false
        inMenuHeader = false
        var e = KconfigEntry(name: rest.trimmed, location: loc)
        e.dependsOn = ifStack
        if let c = currentChoice {
          e.choice = c
          result.updateChoice(c) { $0.members.append(e.name) }
        }
        current = e
      case "choice":
        finish()
        currentChoice = result.addChoice(KconfigChoice(location: loc))
        inChoiceHeader = true
        inMenuHeader = false
        scopes.append(("choice", 0, loc))
      case "endchoice":
        finish()
        currentChoice = nil
        inChoiceHeader = false
        closeScope("choice", loc)
      case "if":
        finish()
        inMenuHeader = false
        let v = parseExpr(rest, loc)
        ifStack.append(KconfigProperty(value: v, condition: nil, location: loc))
        scopes.append(("if", 1, loc))
      case "endif":
        finish()
        closeScope("if", loc)
      case "menu":
        finish()
        inMenuHeader = true
        inChoiceHeader = false
        scopes.append(("menu", 0, loc))
      case "endmenu":
        finish()
        inMenuHeader = false
        closeScope("menu", loc)
      case "source", "rsource", "osource", "orsource":
        finish()
        let path = rest.trimmed.filter { $0 != "\"" }
        if word.hasPrefix("r") || word.hasPrefix("or") {
          let dir = file.split(separator: "/").dropLast().joined(separator: "/")
          result.addSource(dir.isEmpty ? path : dir + "/" + path, loc)
        } else {
          result.addSource(path, loc)
        }
      case "comment", "mainmenu":
        finish()
      case "bool", "tristate", "int", "hex", "string", "def_bool", "def_tristate", "def_int",
        "def_hex", "def_string", "boolean":
        guard current != nil else { continue }
        let typeName =
          word.hasPrefix("def_") ? String(word.dropFirst(4)) : word == "boolean" ? "bool" : word
        current?.type = KconfigEntry.SymbolType(rawValue: typeName) ?? .unknown
        let (value, cond) = splitIf(rest)
        if word.hasPrefix("def_") {
          let v = parseExpr(value, loc)
          let c = parseOptional(cond, loc)
          current?.defaults.append(KconfigProperty(value: v, condition: c, location: loc))
        } else if !value.trimmed.isEmpty {
          current?.hasPrompt = true
        }
      case "prompt":
        current?.hasPrompt = true
      case "default":
        let (value, cond) = splitIf(rest)
        let c = parseOptional(cond, loc)
        if inChoiceHeader, let choice = currentChoice, current == nil {
          result.updateChoice(choice) {
            $0.defaults.append(KconfigProperty(value: value.trimmed, condition: c, location: loc))
          }
        } else {
          let v = parseExpr(value, loc)
          current?.defaults.append(KconfigProperty(value: v, condition: c, location: loc))
        }
      case "select", "imply":
        let (value, cond) = splitIf(rest)
        let c = parseOptional(cond, loc)
        let p = KconfigProperty(value: value.trimmed, condition: c, location: loc)
        if word == "select" { current?.selects.append(p) } else { current?.implies.append(p) }
      case "depends":
        let expr = rest.hasPrefix("on") ? String(rest.dropFirst(2)) : rest
        let v = parseExpr(expr, loc)
        let p = KconfigProperty(value: v, condition: nil, location: loc)
        if current != nil {
          current?.dependsOn.append(p)
        } else if inChoiceHeader || inMenuHeader, !scopes.isEmpty {
          // A choice's or a menu's dependency applies to everything inside it.
          ifStack.append(p)
          scopes[scopes.count - 1].pushed += 1
        }
      case "range", "option", "modules", "optional", "transitional", "visible", "allnoconfig_y",
        "defconfig_list", "env":
        continue
      default:
        // A preprocessor variable: `name = value`, `name := value`, `name += value`.
        if current == nil, let eq = t.firstIndex(of: "="),
          case let name = String(t[..<eq]).filter({ $0 != ":" && $0 != "+" }).trimmed,
          !name.isEmpty, name.allSatisfy({ $0.isIdentifierBody || $0 == "-" })
        {
          result.setVariable(name, String(t[t.index(after: eq)...]).trimmed)
          continue
        }
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .remark, at: loc,
            "could not model Kconfig line at \(loc): \(t)"))
      }
    }
    finish()
    for open in scopes {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.syntax, .error, at: open.location,
          "\(open.kind) opened here is never closed"))
    }
  }

  func indentation(_ l: String) -> Int {
    var n = 0
    for c in l {
      if c == " " { n += 1 } else if c == "\t" { n = (n / 8 + 1) * 8 } else { break }
    }
    return n
  }

  /// `l` up to its first `#` outside quotes. Read as UTF-8 bytes: every character that
  /// matters is ASCII, and a multi-byte character never holds an ASCII byte.
  func stripComment(_ l: String) -> String {
    var l = l
    return l.withUTF8 { b -> String? in
      var quote: UInt8 = 0
      for (i, c) in b.enumerated() {
        if quote != 0 {
          if c == quote { quote = 0 }
        } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
          quote = c
        } else if c == UInt8(ascii: "#") {
          return String(decoding: UnsafeBufferPointer(rebasing: b[..<i]), as: UTF8.self)
        }
      }
      return nil
    } ?? l
  }

  func splitWord(_ t: String) -> (String, String) {
    guard let sp = t.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (t, "") }
    return (String(t[..<sp]), String(t[sp...]).trimmed)
  }

  /// `value if cond` → (value, cond); `if` inside `$(…)` or quotes does not count.
  func splitIf(_ s: String) -> (String, String?) {
    let chars = Array(s)
    var level = 0
    var quote: Character?
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if let q = quote {
        if c == q { quote = nil }
      } else if c == "\"" {
        quote = c
      } else if c == "(" {
        level += 1
      } else if c == ")" {
        level -= 1
      } else if level == 0, c == "i", i + 1 < chars.count, chars[i + 1] == "f",
        i == 0 || chars[i - 1] == " " || chars[i - 1] == "\t",
        i + 2 == chars.count || chars[i + 2] == " " || chars[i + 2] == "\t"
          || chars[i + 2] == "("
      {
        return (String(chars[..<i]), String(chars[(i + 2)...]))
      }
      i += 1
    }
    return (s, nil)
  }

  mutating func parseOptional(_ text: String?, _ loc: SourceLocation) -> KconfigExpr? {
    guard let text else { return nil }
    return parseExpr(text, loc)
  }

  mutating func parseExpr(_ text: String, _ loc: SourceLocation) -> KconfigExpr {
    var p = KconfigExprParser(tokens: KconfigExprParser.tokenize(text))
    let e = p.parseOr()
    if p.pos < p.tokens.count || p.failed {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .warning, at: loc,
          "could not model Kconfig expression at \(loc): \(text.trimmed)"))
    }
    return e
  }
}

struct KconfigExprParser {
  var tokens: [String]
  var pos = 0
  var failed = false
  var depth = 0

  /// The tokens of a Kconfig expression: `$(…)` calls and quoted strings whole, the two-
  /// and one-character operators, parentheses and words. Read as UTF-8 bytes (every
  /// delimiter is ASCII; a multi-byte character is part of a word).
  static func tokenize(_ s: String) -> [String] {
    var s = s
    return s.withUTF8 { b in
      func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[from..<min(to, b.count)]), as: UTF8.self)
      }
      func isOperator(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "="), UInt8(ascii: "!"),
          UInt8(ascii: "<"), UInt8(ascii: ">"):
          true
        default: false
        }
      }
      func endsWord(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "("), UInt8(ascii: ")"),
          UInt8(ascii: "\""), UInt8(ascii: "'"):
          true
        default: isOperator(c)
        }
      }
      var out: [String] = []
      var i = 0
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
          i += 1
        } else if c == UInt8(ascii: "$"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "(") {
          var level = 0
          var j = i + 1
          while j < b.count {
            if b[j] == UInt8(ascii: "(") { level += 1 }
            if b[j] == UInt8(ascii: ")") {
              level -= 1
              if level == 0 { break }
            }
            j += 1
          }
          out.append(text(i, j + 1))
          i = j + 1
        } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
          var j = i + 1
          while j < b.count, b[j] != c { j += 1 }
          out.append(text(i, j + 1))
          i = j + 1
        } else if isOperator(c) {
          let pair = i + 1 < b.count ? (c, b[i + 1]) : (c, 0)
          switch pair {
          case (UInt8(ascii: "&"), UInt8(ascii: "&")), (UInt8(ascii: "|"), UInt8(ascii: "|")),
            (UInt8(ascii: "!"), UInt8(ascii: "=")), (UInt8(ascii: "<"), UInt8(ascii: "=")),
            (UInt8(ascii: ">"), UInt8(ascii: "=")):
            out.append(text(i, i + 2))
            i += 2
          default:
            out.append(text(i, i + 1))
            i += 1
          }
        } else if c == UInt8(ascii: "(") || c == UInt8(ascii: ")") {
          out.append(text(i, i + 1))
          i += 1
        } else {
          var j = i
          while j < b.count, !endsWord(b[j]) { j += 1 }
          if j == i { j += 1 }
          out.append(text(i, j))
          i = j
        }
      }
      return out
    }
  }

  var peek: String? { pos < tokens.count ? tokens[pos] : nil }

  mutating func parseOr() -> KconfigExpr {
    var l = parseAnd()
    while peek == "||" {
      pos += 1
      l = .or(l, parseAnd())
    }
    return l
  }

  mutating func parseAnd() -> KconfigExpr {
    var l = parseNot()
    while peek == "&&" {
      pos += 1
      l = .and(l, parseNot())
    }
    return l
  }

  mutating func parseNot() -> KconfigExpr {
    guard depth < 200 else {
      failed = true
      pos = tokens.count
      return .symbol("n")
    }
    depth += 1
    defer { depth -= 1 }
    if peek == "!" {
      pos += 1
      return .not(parseNot())
    }
    let l = parsePrimary()
    if let op = peek, ["=", "!=", "<", "<=", ">", ">="].contains(op) {
      pos += 1
      return .compare(op, l, parsePrimary())
    }
    return l
  }

  mutating func parsePrimary() -> KconfigExpr {
    guard let t = peek else {
      failed = true
      return .symbol("n")
    }
    pos += 1
    if t == "(" {
      let e = parseOr()
      if peek == ")" { pos += 1 } else { failed = true }
      return e
    }
    if t.hasPrefix("$(") { return .macro(String(t.dropFirst(2).dropLast())) }
    if t.hasPrefix("\"") || t.hasPrefix("'") { return .constant(String(t.dropFirst().dropLast())) }
    if ["&&", "||", ")", "=", "!=", "<", "<=", ">", ">="].contains(t) {
      failed = true
      return .symbol("n")
    }
    return .symbol(t)
  }
}

/// Parsed Kconfig files by path and version (see ``Kconfig/load(tree:root:)``). Bounded: past
/// `capacity` files it starts again.
final class KconfigParses: @unchecked Sendable {
  static let shared = KconfigParses()
  private let lock = NSLock()
  private var kept: [String: Kconfig] = [:]
  private let capacity = 4_096

  func get(_ path: String, _ version: String) -> Kconfig? {
    lock.lock()
    defer { lock.unlock() }
    return kept[path + "\u{0}" + version]
  }

  func put(_ path: String, _ version: String, _ k: Kconfig) {
    lock.lock()
    defer { lock.unlock() }
    if kept.count >= capacity { kept.removeAll(keepingCapacity: true) }
    kept[path + "\u{0}" + version] = k
  }
}

/// What ``Kconfig/configurations(for:base:btiOption:)`` resolves from.
struct ConfigurationsKey: Hashable {
  var source: String
  var options: [String]
  var base: KernelConfig
  var bti: String
}

/// Resolved configurations by the Kconfig files' versions and the choices: an audit resolves
/// the same ones for every tree whose Kconfig files did not change. Bounded.
final class ConfigurationsMemo: @unchecked Sendable {
  static let shared = ConfigurationsMemo()
  private let lock = NSLock()
  private var kept: [ConfigurationsKey: [ReviewConfiguration]] = [:]

  func get(_ key: ConfigurationsKey) -> [ReviewConfiguration]? {
    lock.lock()
    defer { lock.unlock() }
    return kept[key]
  }

  func put(_ key: ConfigurationsKey, _ value: [ReviewConfiguration]) {
    lock.lock()
    defer { lock.unlock() }
    if kept.count >= 256 { kept.removeAll(keepingCapacity: true) }
    kept[key] = value
  }
}
