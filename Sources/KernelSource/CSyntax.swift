import Diagnostics

/// A C function found in a file: its name, parameters, body tokens and where it starts.
public struct CFunction: Hashable, Sendable {
  public var name: String
  public var parameters: [String]
  public var body: [CToken]
  public var location: SourceLocation
  /// `static` or `static inline` (a local helper).
  public var isStatic: Bool
  /// Whether the closing brace was found (a function cut short by the end of a fragment is
  /// not).
  public var isComplete: Bool = true
}

/// Finds function definitions at file scope: `type name(params) { … }`.
public enum CFunctionFinder {
  public static func functions(in tokens: [CToken], file: String) -> [CFunction] {
    var out: [CFunction] = []
    var depth = 0
    var i = 0
    var statementStart = 0
    var progress = LoopProgress()
    while i < tokens.count, progress.advanced(to: i) {
      let t = tokens[i]
      if t.text == "{" {
        depth += 1
        i += 1
        continue
      }
      if t.text == "}" {
        depth = max(0, depth - 1)
        if depth == 0 { statementStart = i + 1 }
        i += 1
        continue
      }
      if depth == 0 && t.text == ";" {
        statementStart = i + 1
        i += 1
        continue
      }
      guard depth == 0, t.kind == .identifier, i + 1 < tokens.count, tokens[i + 1].text == "("
      else {
        i += 1
        continue
      }
      // Match the parameter list.
      let j = CTokenizer.closing(tokens, from: i + 1, "(", ")")
      // Attributes may sit between ')' and '{'.
      var k = j + 1
      while k < tokens.count, tokens[k].kind == .identifier, tokens[k].text.hasPrefix("__") {
        k += 1
      }
      guard k < tokens.count, tokens[k].text == "{", i > statementStart else {
        i = j + 1
        continue
      }
      // The body: balanced braces.
      var end = k
      var braces = 0
      while end < tokens.count {
        if tokens[end].text == "{" { braces += 1 }
        if tokens[end].text == "}" {
          braces -= 1
          if braces == 0 { break }
        }
        end += 1
      }
      let params = parameterNames(Array(tokens[(i + 2)..<max(i + 2, j)]))
      let prefix = tokens[statementStart..<i].map(\.text)
      out.append(
        CFunction(
          name: t.text, parameters: params,
          body: Array(tokens[(k + 1)..<min(end, tokens.count)]),
          location: SourceLocation(file: file, line: t.line), isStatic: prefix.contains("static"),
          isComplete: end < tokens.count))
      i = end + 1
      statementStart = i
      depth = 0
    }
    return out
  }

  /// The last identifier of each comma-separated parameter (`struct dyn_ftrace *rec` → `rec`).
  static func parameterNames(_ tokens: [CToken]) -> [String] {
    var out: [String] = []
    var current: [CToken] = []
    var level = 0
    for t in tokens + [
      CToken(kind: .punctuator, text: ",", line: 0, column: 0, leadingSpace: false)
    ] {
      if t.text == "(" { level += 1 }
      if t.text == ")" { level -= 1 }
      if t.text == "," && level == 0 {
        if let name = current.last(where: { $0.kind == .identifier }), current.count > 1 {
          out.append(name.text)
        }
        current = []
      } else {
        current.append(t)
      }
    }
    return out
  }
}

/// A C statement, as much as the transition extractor needs.
indirect enum CStatement: Sendable {
  case block([CStatement])
  case ifStatement(condition: CExpr, then: CStatement, otherwise: CStatement?, line: Int)
  case returnStatement(CExpr?, line: Int)
  case declaration([(name: String, value: CExpr?)], line: Int)
  case expression(CExpr, line: Int)
  /// Loops, switches, gotos: not followed; the tokens are kept to look for writes inside.
  case unmodelled(kind: String, tokens: [CToken], line: Int)
  case empty
}

/// Recursive-descent parser for function bodies.
struct CParser {
  var tokens: [CToken]
  var pos = 0
  var depth = 0

  static let typeWords: Set<String> = [
    "unsigned", "signed", "long", "int", "short", "char", "void", "bool", "u8", "u16", "u32",
    "u64", "s8", "s16", "s32", "s64", "__le32", "__le64", "size_t", "struct", "const", "static",
    "volatile", "enum", "union", "register", "ftrace_func_t", "phys_addr_t", "uintptr_t",
  ]

  init(tokens: [CToken]) { self.tokens = tokens }

  var peek: CToken? { pos < tokens.count ? tokens[pos] : nil }
  var line: Int { peek?.line ?? tokens.last?.line ?? 0 }

  mutating func parseBlock() -> [CStatement] {
    var out: [CStatement] = []
    var progress = LoopProgress()
    while pos < tokens.count, progress.advanced(to: pos) {
      if peek?.text == "}" { return out }
      out.append(parseStatement())
    }
    return out
  }

  /// The tokens up to the matching close of the bracket at `pos` (exclusive), moving past it.
  mutating func balanced(open: String, close: String) -> [CToken] {
    guard peek?.text == open else { return [] }
    pos += 1
    let start = pos
    var level = 0
    while pos < tokens.count {
      if tokens[pos].text == open { level += 1 }
      if tokens[pos].text == close {
        if level == 0 { break }
        level -= 1
      }
      pos += 1
    }
    let inner = Array(tokens[start..<min(pos, tokens.count)])
    pos = min(pos + 1, tokens.count)
    return inner
  }

  mutating func untilSemicolon() -> [CToken] {
    let start = pos
    var level = 0
    while pos < tokens.count {
      let t = tokens[pos].text
      if t == "(" || t == "{" || t == "[" { level += 1 }
      if t == ")" || t == "}" || t == "]" { level -= 1 }
      if t == ";" && level <= 0 { break }
      pos += 1
    }
    let out = Array(tokens[start..<min(pos, tokens.count)])
    pos = min(pos + 1, tokens.count)
    return out
  }

  mutating func parseStatement() -> CStatement {
    guard let t = peek else { return .empty }
    let line = t.line
    guard depth < 200 else {
      let rest = Array(tokens[pos...])
      pos = tokens.count
      return .unmodelled(kind: "nesting", tokens: rest, line: line)
    }
    depth += 1
    defer { depth -= 1 }
    switch t.text {
    case "{":
      pos += 1
      let b = parseBlock()
      if peek?.text == "}" { pos += 1 }
      return .block(b)
    case ";":
      pos += 1
      return .empty
    case "if":
      pos += 1
      let cond = CExprParser.parse(balanced(open: "(", close: ")"))
      let then = parseStatement()
      var otherwise: CStatement?
      if peek?.text == "else" {
        pos += 1
        otherwise = parseStatement()
      }
      return .ifStatement(condition: cond, then: then, otherwise: otherwise, line: line)
    case "return":
      pos += 1
      let e = untilSemicolon()
      return .returnStatement(e.isEmpty ? nil : CExprParser.parse(e), line: line)
    case "for", "while", "switch":
      pos += 1
      var toks = balanced(open: "(", close: ")")
      let start = pos
      _ = parseStatement()
      toks += tokens[start..<pos]
      return .unmodelled(kind: t.text, tokens: toks, line: line)
    case "do":
      pos += 1
      let start = pos
      _ = parseStatement()
      if peek?.text == "while" {
        pos += 1
        _ = untilSemicolon()
      }
      return .unmodelled(kind: "do", tokens: Array(tokens[start..<pos]), line: line)
    case "goto", "break", "continue":
      let toks = untilSemicolon()
      return .unmodelled(kind: t.text, tokens: toks, line: line)
    default:
      let toks = untilSemicolon()
      if isDeclaration(toks) { return .declaration(declarators(toks), line: line) }
      return .expression(CExprParser.parse(toks), line: line)
    }
  }

  func isDeclaration(_ toks: [CToken]) -> Bool {
    guard let first = toks.first, first.kind == .identifier else { return false }
    if Self.typeWords.contains(first.text) { return true }
    // `type name`, `type *name`
    if toks.count >= 2, toks[1].kind == .identifier { return true }
    if toks.count >= 3, toks[1].text == "*", toks[2].kind == .identifier,
      toks.count == 3 || [";", "=", ","].contains(toks[3].text)
    {
      return true
    }
    return false
  }

  func declarators(_ toks: [CToken]) -> [(name: String, value: CExpr?)] {
    var out: [(String, CExpr?)] = []
    var parts: [[CToken]] = [[]]
    var level = 0
    for t in toks {
      if t.text == "(" || t.text == "{" || t.text == "[" { level += 1 }
      if t.text == ")" || t.text == "}" || t.text == "]" { level -= 1 }
      if t.text == "," && level == 0 {
        parts.append([])
      } else {
        parts[parts.count - 1].append(t)
      }
    }
    for p in parts {
      if let eq = p.firstIndex(where: { $0.text == "=" }) {
        let name = p[..<eq].last(where: { $0.kind == .identifier })?.text ?? ""
        out.append((name, CExprParser.parse(Array(p[(eq + 1)...]))))
      } else if let name = p.last(where: { $0.kind == .identifier })?.text {
        out.append((name, nil))
      }
    }
    return out
  }
}

/// Precedence-climbing C expression parser: tokens to a ``CExpr`` tree. Whatever it cannot
/// read becomes `.unknown` with the tokens' text, never a guess.
struct CExprParser {
  var tokens: [CToken]
  var pos = 0
  /// Nesting depth; past ``maxDepth`` the rest is read as unknown instead of recursing.
  var depth = 0
  static let maxDepth = 200

  static func parse(_ tokens: [CToken]) -> CExpr {
    var p = CExprParser(tokens: tokens)
    let e = p.assignment()
    if p.pos < tokens.count { return .unknown(CTokenizer.join(tokens)) }
    return e
  }

  var peek: String? { pos < tokens.count ? tokens[pos].text : nil }

  func text(_ from: Int) -> String { CTokenizer.join(Array(tokens[from..<min(pos, tokens.count)])) }

  mutating func assignment() -> CExpr {
    let l = ternary()
    if let op = peek,
      ["=", "+=", "-=", "|=", "&=", "^=", "<<=", ">>=", "*=", "/=", "%="].contains(op)
    {
      pos += 1
      let r = assignment()
      return .assign(op, l, r)
    }
    return l
  }

  mutating func ternary() -> CExpr {
    let c = binary(4)
    if peek == "?" {
      pos += 1
      let a = assignment()
      if peek == ":" { pos += 1 }
      let b = ternary()
      return .ternary(c, a, b)
    }
    return c
  }

  mutating func binary(_ precedence: Int) -> CExpr {
    guard precedence <= 13 else { return unary() }
    var l = binary(precedence + 1)
    while let t = peek, let op = CBinaryOperator(rawValue: t), op.precedence == precedence {
      pos += 1
      let r = binary(precedence + 1)
      l = .binary(op, l, r)
    }
    return l
  }

  /// The type inside `( … )` at `pos` when it is a cast, with the position after `)`.
  func castType() -> (String, Int)? {
    guard peek == "(", pos + 1 < tokens.count else { return nil }
    let t = tokens[pos + 1]
    guard t.kind == .identifier, CParser.typeWords.contains(t.text) || t.text.hasSuffix("_t")
    else { return nil }
    var j = pos + 1
    while j < tokens.count, tokens[j].text != ")" {
      guard tokens[j].kind == .identifier || tokens[j].text == "*" else { return nil }
      j += 1
    }
    guard j < tokens.count else { return nil }
    return (CTokenizer.join(Array(tokens[(pos + 1)..<j])), j + 1)
  }

  mutating func unary() -> CExpr {
    let start = pos
    guard let t = peek else { return .unknown("") }
    guard depth < Self.maxDepth else {
      pos = tokens.count
      return .unknown(text(start))
    }
    depth += 1
    defer { depth -= 1 }
    if let op = CUnaryOperator(prefix: t) {
      pos += 1
      return .unary(op, unary())
    }
    if t == "sizeof" {
      pos += 1
      if peek == "(" {
        let open = pos + 1
        pos = CTokenizer.closing(tokens, from: pos, "(", ")")
        let inner = CTokenizer.join(Array(tokens[open..<min(pos, tokens.count)]))
        pos += 1
        return .sizeof(inner)
      }
      let e = unary()
      return .sizeof(e.description)
    }
    if let (type, after) = castType() {
      pos = after
      // A compound literal, `(struct plt_entry){}`: an object the expression cannot value,
      // read whole so that the rest of the expression still parses.
      if peek == "{" {
        pos = min(CTokenizer.closing(tokens, from: pos, "{", "}") + 1, tokens.count)
        return .unknown(text(start))
      }
      return .cast(type, unary())
    }
    return postfix()
  }

  mutating func postfix() -> CExpr {
    var e = primary()
    var progress = LoopProgress()
    while let t = peek, progress.advanced(to: pos) {
      if t == "(" {
        pos += 1
        var args: [CExpr] = []
        while peek != nil && peek != ")" {
          args.append(assignment())
          if peek == "," { pos += 1 } else { break }
        }
        if peek == ")" { pos += 1 }
        if case .identifier(let n) = e {
          e = .call(n, args)
        } else {
          e = .call(e.description, args)
        }
      } else if t == "->" || t == "." {
        pos += 1
        let name = peek ?? ""
        pos += 1
        e = .member(e, name, arrow: t == "->")
      } else if t == "[" {
        pos += 1
        let i = assignment()
        if peek == "]" { pos += 1 }
        e = .index(e, i)
      } else if t == "++" {
        pos += 1
        e = .unary(.postIncrement, e)
      } else if t == "--" {
        pos += 1
        e = .unary(.postDecrement, e)
      } else {
        break
      }
    }
    return e
  }

  mutating func primary() -> CExpr {
    guard pos < tokens.count else { return .unknown("") }
    let t = tokens[pos]
    pos += 1
    switch t.kind {
    case .identifier: return .identifier(t.text)
    case .number:
      guard let v = CEvaluator.integer(t.text) else { return .unknown(t.text) }
      return .number(v, spelling: t.text)
    case .string: return .string(t.text)
    case .character:
      let inner = t.text.dropFirst().dropLast()
      let v = Int64(inner.unicodeScalars.first?.value ?? 0)
      return .number(v, spelling: t.text)
    case .punctuator:
      if t.text == "(" {
        let e = assignment()
        if peek == ")" { pos += 1 }
        return e
      }
      return .unknown(t.text)
    }
  }
}
