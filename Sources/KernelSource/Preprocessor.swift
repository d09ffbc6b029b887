import Diagnostics

/// A line that survived preprocessing, with where it came from in the real file.
public struct SourceLine: Hashable, Sendable, CustomStringConvertible {
  public var text: String
  public var origin: SourceLocation
  /// The conditionals the line sits in, outermost first, as the branch taken:
  /// `#ifdef CONFIG_X at f.c:12`, `#else of #if A at f.c:20`.
  public var guards: [String] = []

  public init(text: String, origin: SourceLocation, guards: [String] = []) {
    self.text = text
    self.origin = origin
    self.guards = guards
  }
  public var description: String { "\(origin): \(text)" }
}

/// A `#define`: object-like (`parameters == nil`) or function-like.
public struct MacroDefinition: Hashable, Sendable {
  public var name: String
  public var parameters: [String]?
  public var variadic: Bool
  public var body: [CToken]
  public var location: SourceLocation
}

/// What cpp-lite produced for one file and its includes.
public struct PreprocessedFile: Sendable {
  public var lines: [SourceLine] = []
  public var macros: [String: MacroDefinition] = [:]
  /// Includes not found in the tree (recorded, not fatal), with where they were asked for.
  public var missingIncludes: [(path: String, location: SourceLocation)] = []
  public var includedFiles: [String] = []
  public var diagnostics: [Diagnostic] = []
}

/// cpp-lite: the subset of the C preprocessor the arm64 ftrace files need.
///
/// `#include "…"`/`<…>` of files found in the tree (search path `arch/arm64/include/`, then
/// `include/`; missing includes are recorded), `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif`
/// with `defined(X)`, `IS_ENABLED(CONFIG_X)` (also `IS_BUILTIN`, `IS_MODULE`, `IS_REACHABLE`),
/// integer arithmetic and comparisons, `#define` of constants and simple function-like macros
/// (with `#` and `##`), `#undef`, `#error`. Comments are removed; each output line keeps its
/// origin. `CONFIG_X` reads from the config: `1` for y, the number or string otherwise.
public struct Preprocessor: Sendable {
  public var tree: (any KernelTree)?
  public var config: KernelConfig
  public var defines: [String: String]
  public var includePaths: [String]
  /// Expand macros in the lines that are kept (on for assembler, off to keep C identifiers).
  public var expandMacrosInOutput: Bool
  /// Names never expanded even when a header defines them (the assembler layer owns them).
  public var opaqueMacros: Set<String> = []

  public init(
    tree: (any KernelTree)?, config: KernelConfig, defines: [String: String] = [:],
    includePaths: [String] = ["arch/arm64/include", "include"],
    expandMacrosInOutput: Bool = true
  ) {
    self.tree = tree
    self.config = config
    self.defines = defines
    self.includePaths = includePaths
    self.expandMacrosInOutput = expandMacrosInOutput
  }

  /// Preprocesses `text` (named `file`, a path in the tree).
  public func run(text: String, file: String) -> PreprocessedFile {
    var state = PreprocessorState(pp: self)
    for (name, value) in defines.sorted(by: { $0.key < $1.key }) {
      let loc = SourceLocation(file: "<command line>")
      state.result.macros[name] = MacroDefinition(
        name: name, parameters: nil, variadic: false,
        body: CTokenizer.tokenize(value), location: loc)
    }
    state.process(text: text, file: file, depth: 0)
    return state.result
  }

  /// Preprocesses the tree's file at `path`; nil when the tree has no such file.
  public func run(path: String) -> PreprocessedFile? {
    guard let text = tree?.contents(of: path) else { return nil }
    return run(text: text, file: path)
  }
}

struct PreprocessorState {
  var pp: Preprocessor
  var result = PreprocessedFile()

  struct Frame {
    var parentActive: Bool
    var active: Bool
    var taken: Bool
    var sawElse: Bool
    var location: SourceLocation
    /// The directive of the branch now being read, for ``SourceLine/guards``.
    var branch: String = ""
  }

  init(pp: Preprocessor) { self.pp = pp }

  mutating func process(text: String, file: String, depth: Int) {
    guard depth < 40, result.includedFiles.count < 2_000 else {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .error, at: SourceLocation(file: file),
          "could not model \(file): includes nest too deeply or repeat too often"))
      return
    }
    result.includedFiles.append(file)
    let lines = splitLines(CTokenizer.stripComments(text))
    var stack: [Frame] = []
    var i = 0
    var progress = LoopProgress()
    func active(_ stack: [Frame]) -> Bool {
      stack.last.map { $0.parentActive && $0.active } ?? true
    }
    // A file known only in fragments (from hunks): a conditional does not reach across the
    // unknown lines, each fragment starts outside any.
    let fragmentStarts = pp.tree?.fragmentStarts(in: file) ?? []
    while i < lines.count, progress.advanced(to: i) {
      let lineNo = i + 1
      var line = lines[i]
      i += 1
      if fragmentStarts.contains(lineNo) { stack.removeAll() }
      let loc = SourceLocation(file: file, line: lineNo)
      guard Self.isDirective(line) else {
        if active(stack) {
          var t = line.trimmed
          if t.isEmpty { continue }
          // A function-like macro call left open at the end of the line takes the following
          // lines (as cpp does); the joined text keeps the first line's origin.
          if pp.expandMacrosInOutput {
            var extra = 0
            while extra < 64, i < lines.count, openMacroCall(in: t),
              !Self.isDirective(lines[i])
            {
              t += " " + lines[i].trimmed
              i += 1
              extra += 1
            }
          }
          let text = pp.expandMacrosInOutput ? expandLine(t, loc) : t
          result.lines.append(SourceLine(text: text, origin: loc, guards: stack.map(\.branch)))
        }
        continue
      }
      while line.hasSuffix("\\"), i < lines.count {
        line = String(line.dropLast()) + " " + lines[i]
        i += 1
      }
      let directiveText = String(line.drop { $0 == " " || $0 == "\t" }.dropFirst()).trimmed
      var name = ""
      var rest = Substring(directiveText)
      while let c = rest.first, c.isIdentifierBody {
        name.append(c)
        rest = rest.dropFirst()
      }
      let argument = String(rest).trimmed
      switch name {
      case "if", "ifdef", "ifndef":
        let parent = active(stack)
        var cond = false
        if parent {
          switch name {
          case "ifdef": cond = isDefined(argument)
          case "ifndef": cond = !isDefined(argument)
          default: cond = evaluateCondition(argument, loc)
          }
        }
        stack.append(
          Frame(
            parentActive: parent, active: cond, taken: cond, sawElse: false, location: loc,
            branch: "#\(name) \(argument) at \(loc)"))
      case "elif", "elifdef", "elifndef":
        guard var top = stack.popLast() else {
          if !fragmentStarts.isEmpty { continue }
          result.diagnostics.append(
            Diagnostic(KernelSourceMessage.conditional, .error, at: loc, "#\(name) without #if"))
          continue
        }
        var cond = false
        if !top.taken && top.parentActive {
          switch name {
          case "elifdef": cond = isDefined(argument)
          case "elifndef": cond = !isDefined(argument)
          default: cond = evaluateCondition(argument, loc)
          }
        }
        top.active = cond
        top.taken = top.taken || cond
        top.branch = "#\(name) \(argument) at \(loc)"
        stack.append(top)
      case "else":
        guard var top = stack.popLast() else {
          if !fragmentStarts.isEmpty { continue }
          result.diagnostics.append(
            Diagnostic(KernelSourceMessage.conditional, .error, at: loc, "#else without #if"))
          continue
        }
        top.active = !top.taken
        top.taken = true
        top.sawElse = true
        top.branch = "#else at \(loc) (of the #if at \(top.location))"
        stack.append(top)
      case "endif":
        if stack.popLast() == nil, fragmentStarts.isEmpty {
          result.diagnostics.append(
            Diagnostic(KernelSourceMessage.conditional, .error, at: loc, "#endif without #if"))
        }
      default:
        guard active(stack) else { continue }
        switch name {
        case "define": define(argument, loc)
        case "undef": result.macros[argument.trimmed] = nil
        case "include", "include_next": include(argument, from: file, loc, depth: depth)
        case "error":
          result.diagnostics.append(
            Diagnostic(KernelSourceMessage.conditional, .error, at: loc, "#error \(argument)"))
        case "warning", "pragma", "line", "ident", "":
          continue
        default:
          result.diagnostics.append(
            Diagnostic(
              KernelSourceMessage.couldNotModel, .warning, at: loc,
              "could not model #\(name) at \(loc)"))
        }
      }
    }
    for open in stack where fragmentStarts.isEmpty {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.conditional, .error, at: open.location,
          "conditional opened here is never closed with #endif"))
    }
  }

  func isDefined(_ name: String) -> Bool {
    let n = name.trimmed
    if result.macros[n] != nil { return true }
    if n.hasPrefix("CONFIG_") {
      if n.hasSuffix("_MODULE") { return pp.config[String(n.dropLast(7))] == .module }
      switch pp.config[n] {
      case nil, .no?: return false
      case .module?: return false
      default: return true
      }
    }
    return false
  }

  mutating func define(_ text: String, _ loc: SourceLocation) {
    let tokens = CTokenizer.tokenize(text, firstLine: loc.line)
    guard let first = tokens.first, first.kind == .identifier else {
      result.diagnostics.append(
        Diagnostic(KernelSourceMessage.syntax, .error, at: loc, "#define without a name"))
      return
    }
    var params: [String]?
    var variadic = false
    var bodyStart = 1
    if tokens.count > 1, tokens[1].text == "(", !tokens[1].leadingSpace {
      var ps: [String] = []
      var j = 2
      while j < tokens.count, tokens[j].text != ")" {
        if tokens[j].text == "..." {
          variadic = true
          ps.append("__VA_ARGS__")
        } else if tokens[j].kind == .identifier {
          ps.append(tokens[j].text)
        }
        j += 1
      }
      params = ps
      bodyStart = j + 1
    }
    let body = bodyStart < tokens.count ? Array(tokens[bodyStart...]) : []
    result.macros[first.text] = MacroDefinition(
      name: first.text, parameters: params, variadic: variadic, body: body, location: loc)
  }

  mutating func include(_ text: String, from file: String, _ loc: SourceLocation, depth: Int) {
    let t = text.trimmed
    guard t.count >= 2, let open = t.first, open == "\"" || open == "<" else {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .warning, at: loc,
          "could not model #include \(t) at \(loc)"))
      return
    }
    let close: Character = open == "<" ? ">" : "\""
    guard let end = t.dropFirst().firstIndex(of: close) else { return }
    let path = String(t[t.index(after: t.startIndex)..<end])
    var candidates: [String] = []
    if open == "\"" {
      let dir = file.split(separator: "/").dropLast().joined(separator: "/")
      candidates.append(dir.isEmpty ? path : dir + "/" + path)
    }
    candidates += pp.includePaths.map { $0 + "/" + path }
    for c in candidates {
      if let contents = pp.tree?.contents(of: c) {
        process(text: contents, file: c, depth: depth + 1)
        return
      }
    }
    result.missingIncludes.append((path, loc))
  }

  // MARK: Macro expansion

  func configMacro(_ name: String) -> [CToken]? {
    guard name.hasPrefix("CONFIG_") else { return nil }
    let value: String
    if name.hasSuffix("_MODULE"), pp.config[String(name.dropLast(7))] == .module {
      value = "1"
    } else {
      switch pp.config[name] {
      case .yes?: value = "1"
      case .int(let n)?: value = String(n)
      case .string(let s)?: value = "\"\(s)\""
      default: return nil
      }
    }
    return [CToken(kind: .number, text: value, line: 0, column: 0, leadingSpace: false)]
  }

  /// Expands macros in a token list, with a guard against recursion and against expansions
  /// that grow without bound (more than 100 000 tokens: the rest is left unexpanded).
  func expand(_ tokens: [CToken], hidden: Set<String> = [], depth: Int = 0) -> [CToken] {
    guard depth < 64, tokens.count < 100_000 else { return tokens }
    var out: [CToken] = []
    var i = 0
    while i < tokens.count {
      let t = tokens[i]
      guard t.kind == .identifier, !hidden.contains(t.text), !pp.opaqueMacros.contains(t.text)
      else {
        out.append(t)
        i += 1
        continue
      }
      if let body = configMacro(t.text), result.macros[t.text] == nil {
        var b = body
        b[0].leadingSpace = t.leadingSpace
        out += b
        i += 1
        continue
      }
      guard let m = result.macros[t.text] else {
        out.append(t)
        i += 1
        continue
      }
      var replacement: [CToken]
      if let params = m.parameters {
        // Function-like: needs '(' next.
        guard i + 1 < tokens.count, tokens[i + 1].text == "(" else {
          out.append(t)
          i += 1
          continue
        }
        var args: [[CToken]] = [[]]
        var level = 0
        var j = i + 2
        while j < tokens.count {
          let a = tokens[j]
          if a.text == "(" { level += 1 }
          if a.text == ")" {
            if level == 0 { break }
            level -= 1
          }
          if a.text == ",", level == 0, !(m.variadic && args.count >= params.count) {
            args.append([])
          } else {
            args[args.count - 1].append(a)
          }
          j += 1
        }
        if params.isEmpty && args == [[]] { args = [] }
        replacement = substitute(m, args: args, hidden: hidden, depth: depth)
        i = j + 1
      } else {
        replacement = m.body
        i += 1
      }
      var expanded = expand(replacement, hidden: hidden.union([m.name]), depth: depth + 1)
      if !expanded.isEmpty { expanded[0].leadingSpace = t.leadingSpace }
      out += expanded
      if out.count > 100_000 { return out + tokens[i...] }
    }
    return out
  }

  func substitute(_ m: MacroDefinition, args: [[CToken]], hidden: Set<String>, depth: Int)
    -> [CToken]
  {
    let params = m.parameters ?? []
    func argument(_ name: String) -> [CToken]? {
      guard let idx = params.firstIndex(of: name) else { return nil }
      return idx < args.count ? args[idx] : []
    }
    var out: [CToken] = []
    var k = 0
    let body = m.body
    while k < body.count {
      let b = body[k]
      if b.text == "#", k + 1 < body.count, let a = argument(body[k + 1].text) {
        let s = CTokenizer.join(a).replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        out.append(
          CToken(
            kind: .string, text: "\"\(s)\"", line: b.line, column: b.column,
            leadingSpace: b.leadingSpace))
        k += 2
        continue
      }
      if b.text == "##", k + 1 < body.count, var last = out.popLast() {
        let next = body[k + 1]
        let nextText = argument(next.text).map(CTokenizer.join) ?? next.text
        last.text += nextText
        if last.kind == .number || last.kind == .punctuator,
          last.text.first.map({ $0.isIdentifierStart }) ?? false
        {
          last.kind = .identifier
        }
        out.append(last)
        k += 2
        continue
      }
      if let a = argument(b.text) {
        let pasteNext = k + 1 < body.count && body[k + 1].text == "##"
        var e = pasteNext ? a : expand(a, hidden: hidden, depth: depth + 1)
        if !e.isEmpty { e[0].leadingSpace = b.leadingSpace }
        out += e
      } else {
        out.append(b)
      }
      k += 1
    }
    return out
  }

  /// Whether `text` has a call of a function-like macro whose parentheses are not closed.
  /// Whether `line`'s first character after spaces and tabs is `#`, read as UTF-8 bytes
  /// (all three are ASCII): every line of every file read is asked.
  static func isDirective(_ line: String) -> Bool {
    for c in line.utf8 where c != UInt8(ascii: " ") && c != UInt8(ascii: "\t") {
      return c == UInt8(ascii: "#")
    }
    return false
  }

  func openMacroCall(in text: String) -> Bool {
    let tokens = CTokenizer.tokenize(text)
    var k = 0
    while k < tokens.count {
      if tokens[k].kind == .identifier, result.macros[tokens[k].text]?.parameters != nil,
        !pp.opaqueMacros.contains(tokens[k].text)
      {
        var j = k + 1
        // The '(' may be on the next line, too.
        if j == tokens.count { return true }
        if tokens[j].text == "(" {
          var level = 0
          while j < tokens.count {
            if tokens[j].text == "(" { level += 1 }
            if tokens[j].text == ")" { level -= 1 }
            if level == 0 { break }
            j += 1
          }
          if level > 0 { return true }
          k = j
        }
      }
      k += 1
    }
    return false
  }

  func expandLine(_ line: String, _ loc: SourceLocation) -> String {
    let tokens = CTokenizer.tokenize(line, firstLine: loc.line)
    if !tokens.contains(where: {
      $0.kind == .identifier
        && (result.macros[$0.text] != nil
          || $0.text.hasPrefix("CONFIG_"))
    }) {
      return line.trimmed
    }
    return CTokenizer.join(expand(tokens))
  }

  // MARK: #if expressions

  mutating func evaluateCondition(_ text: String, _ loc: SourceLocation) -> Bool {
    var tokens = CTokenizer.tokenize(text, firstLine: loc.line)
    // defined(X) / defined X and IS_ENABLED(CONFIG_X) before macro expansion.
    var pre: [CToken] = []
    var i = 0
    func number(_ v: Bool, _ t: CToken) -> CToken {
      CToken(
        kind: .number, text: v ? "1" : "0", line: t.line, column: t.column,
        leadingSpace: t.leadingSpace)
    }
    while i < tokens.count {
      let t = tokens[i]
      if t.text == "defined" {
        if i + 3 < tokens.count, tokens[i + 1].text == "(",
          tokens[i + 3].text == ")"
        {
          pre.append(number(isDefined(tokens[i + 2].text), t))
          i += 4
          continue
        }
        if i + 1 < tokens.count, tokens[i + 1].kind == .identifier {
          pre.append(number(isDefined(tokens[i + 1].text), t))
          i += 2
          continue
        }
      }
      if ["IS_ENABLED", "IS_BUILTIN", "IS_MODULE", "IS_REACHABLE"].contains(t.text),
        i + 3 < tokens.count, tokens[i + 1].text == "(",
        tokens[i + 3].text == ")"
      {
        let option = tokens[i + 2].text
        let v: Bool
        switch t.text {
        case "IS_BUILTIN": v = pp.config.isBuiltin(option)
        case "IS_MODULE": v = pp.config[option] == .module
        default: v = pp.config.isEnabled(option)
        }
        pre.append(number(v, t))
        i += 4
        continue
      }
      pre.append(t)
      i += 1
    }
    tokens = expand(pre)
    let expression = CExprParser.parse(tokens)
    let value = CEvaluator.evaluate(expression, in: PreprocessorEnvironment())
    guard expression.isIntegerConstantExpression, let value else {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .warning, at: loc,
          "could not model #if expression at \(loc): \(text.trimmed); taken as false"))
      return false
    }
    return value != 0
  }
}

/// How `#if` reads an expression once macros are expanded: an identifier left over is 0, as
/// in C; a call of something that is not a macro cannot be evaluated.
struct PreprocessorEnvironment: CEnvironment {
  func value(of name: String) -> Int64? { 0 }
  func call(_ name: String, _ arguments: [CExpr], evaluate: (CExpr) -> Int64?) -> Int64? { nil }
}

extension CExpr {
  /// Whether the tree holds only what an integer constant expression of `#if` or `.if` may:
  /// no assignments, no members, no calls, no strings, nothing unread.
  var isIntegerConstantExpression: Bool {
    var ok = true
    visit { e in
      switch e {
      case .assign, .member, .index, .call, .string, .unknown, .sizeof: ok = false
      case .unary(let op, _)
      where op == .dereference || op == .addressOf || op == .preIncrement || op == .preDecrement
        || op == .postIncrement || op == .postDecrement:
        ok = false
      default: break
      }
    }
    return ok
  }
}
