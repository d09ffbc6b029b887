/// A C expression as a tree: the one C expression model of the project.
///
/// The readers parse `#if` lines, assembler `.if` operands and `ftrace.c` expressions into it
/// (``CExprParser``), the transition extractor builds symbolic values and path conditions out
/// of it, and ``CEvaluator`` evaluates it against a ``CEnvironment`` (a configuration, the
/// constants, or a scenario's addresses and memory). Printing gives canonical C text, with only
/// the parentheses precedence needs.
public indirect enum CExpr: Hashable, Sendable, CustomStringConvertible {
  case identifier(String)
  /// An integer literal: its value and its spelling (`0x10`, `8UL`).
  case number(Int64, spelling: String)
  /// A string or character literal, quotes included.
  case string(String)
  case call(String, [CExpr])
  /// `base->field` (`arrow`) or `base.field`.
  case member(CExpr, String, arrow: Bool)
  case unary(CUnaryOperator, CExpr)
  case binary(CBinaryOperator, CExpr, CExpr)
  /// `lhs op rhs` with `op` one of `=`, `+=`, `-=`, `|=`, …
  case assign(String, CExpr, CExpr)
  /// `(type)operand`, the type as written (`unsigned long`, `__le32 *`).
  case cast(String, CExpr)
  case ternary(CExpr, CExpr, CExpr)
  case index(CExpr, CExpr)
  /// `sizeof(type-or-expression)`, as written between the parentheses.
  case sizeof(String)
  /// Text the parser could not read as an expression.
  case unknown(String)

  /// An integer literal spelled in decimal.
  public static func int(_ v: Int64) -> CExpr { .number(v, spelling: String(v)) }

  /// `rec->ip`, the address ftrace records for a callsite after `ftrace_call_adjust`.
  public static let recordIP = CExpr.member(.identifier("rec"), "ip", arrow: true)

  /// Parses C expression text (an `#if` line, a condition, an operand).
  public static func parse(_ text: String) -> CExpr { CExprParser.parse(CTokenizer.tokenize(text)) }

  public var description: String { print(CExpr.lowest) }

  /// The integer value when the expression is a literal (negated literals included).
  public var constant: Int64? {
    switch self {
    case .number(let v, _): v
    case .unary(.minus, .number(let v, _)): 0 &- v
    default: nil
    }
  }

  /// Every call name inside the expression.
  public var callNames: [String] {
    var out: [String] = []
    visit { if case .call(let n, _) = $0 { out.append(n) } }
    return out
  }

  /// Calls `body` on this node and every node below it, parents first.
  public func visit(_ body: (CExpr) -> Void) {
    body(self)
    switch self {
    case .call(_, let args): for a in args { a.visit(body) }
    case .member(let e, _, _), .unary(_, let e), .cast(_, let e): e.visit(body)
    case .binary(_, let a, let b), .assign(_, let a, let b), .index(let a, let b):
      a.visit(body)
      b.visit(body)
    case .ternary(let a, let b, let c):
      a.visit(body)
      b.visit(body)
      c.visit(body)
    case .identifier, .number, .string, .sizeof, .unknown: break
    }
  }

  /// The tree with every node rewritten bottom-up by `f` (which returns nil to keep a node).
  public func rewritten(_ f: (CExpr) -> CExpr?) -> CExpr {
    let inner: CExpr
    switch self {
    case .call(let n, let args): inner = .call(n, args.map { $0.rewritten(f) })
    case .member(let e, let name, let arrow): inner = .member(e.rewritten(f), name, arrow: arrow)
    case .unary(let op, let e): inner = .unary(op, e.rewritten(f))
    case .cast(let t, let e): inner = .cast(t, e.rewritten(f))
    case .binary(let op, let a, let b): inner = .binary(op, a.rewritten(f), b.rewritten(f))
    case .assign(let op, let a, let b): inner = .assign(op, a.rewritten(f), b.rewritten(f))
    case .index(let a, let b): inner = .index(a.rewritten(f), b.rewritten(f))
    case .ternary(let a, let b, let c):
      inner = .ternary(a.rewritten(f), b.rewritten(f), c.rewritten(f))
    case .identifier, .number, .string, .sizeof, .unknown: inner = self
    }
    return f(inner) ?? inner
  }

  /// The logical negation, without double negations: `!(a)` of `a`, `a` of `!a`, and the
  /// opposite comparison of a comparison.
  public var negated: CExpr {
    switch self {
    case .unary(.not, let e): return e
    case .binary(let op, let a, let b):
      if let o = op.negatedComparison { return .binary(o, a, b) }
      return .unary(.not, self)
    case .number(let v, _): return .int(v == 0 ? 1 : 0)
    default: return .unary(.not, self)
    }
  }

  // MARK: printing

  static let lowest = 0
  static let unaryPrecedence = 14
  static let postfixPrecedence = 15

  var precedence: Int {
    switch self {
    case .assign: 1
    case .ternary: 2
    case .binary(let op, _, _): op.precedence
    case .unary, .cast: Self.unaryPrecedence
    case .call, .member, .index: Self.postfixPrecedence
    case .identifier, .number, .string, .sizeof, .unknown: 16
    }
  }

  func print(_ context: Int) -> String {
    let s: String
    switch self {
    case .identifier(let n): s = n
    case .number(_, let spelling): s = spelling
    case .string(let t): s = t
    case .unknown(let t): s = t
    case .sizeof(let t): s = "sizeof(\(t))"
    case .call(let n, let args):
      s = n + "(" + args.map { $0.print(2) }.joined(separator: ", ") + ")"
    case .member(let e, let f, let arrow):
      s = e.print(Self.postfixPrecedence) + (arrow ? "->" : ".") + f
    case .index(let a, let i): s = a.print(Self.postfixPrecedence) + "[" + i.print(0) + "]"
    case .unary(let op, let e):
      if op == .postIncrement || op == .postDecrement {
        s = e.print(Self.postfixPrecedence) + op.spelling
      } else {
        // `- -x` and `&&x`-like spellings need a space; `-(-1)` needs nothing more.
        let inner = e.print(Self.unaryPrecedence)
        let glue =
          (op == .minus && inner.hasPrefix("-")) || (op == .plus && inner.hasPrefix("+")) ? " " : ""
        s = op.rawValue + glue + inner
      }
    case .cast(let t, let e): s = "(\(t))" + e.print(Self.unaryPrecedence)
    case .binary(let op, let a, let b):
      s = a.print(op.precedence) + " \(op.rawValue) " + b.print(op.precedence + 1)
    case .assign(let op, let a, let b): s = a.print(2) + " \(op) " + b.print(1)
    case .ternary(let c, let a, let b): s = c.print(3) + " ? " + a.print(0) + " : " + b.print(2)
    }
    return precedence < context ? "(" + s + ")" : s
  }
}

/// The prefix and postfix operators of C (`*` is the dereference, `&` the address-of).
public enum CUnaryOperator: String, Hashable, Sendable, CaseIterable {
  case not = "!"
  case complement = "~"
  case minus = "-"
  case plus = "+"
  case dereference = "*"
  case addressOf = "&"
  case preIncrement = "++"
  case preDecrement = "--"
  case postIncrement = "++ (postfix)"
  case postDecrement = "-- (postfix)"

  init?(prefix: String) {
    switch prefix {
    case "!": self = .not
    case "~": self = .complement
    case "-": self = .minus
    case "+": self = .plus
    case "*": self = .dereference
    case "&": self = .addressOf
    case "++": self = .preIncrement
    case "--": self = .preDecrement
    default: return nil
    }
  }
}

extension CUnaryOperator {
  /// The C spelling (postfix `++`/`--` print after their operand).
  public var spelling: String {
    switch self {
    case .postIncrement: "++"
    case .postDecrement: "--"
    default: rawValue
    }
  }
}

/// The binary operators of C, with C's precedence.
public enum CBinaryOperator: String, Hashable, Sendable, CaseIterable {
  case or = "||"
  case and = "&&"
  case bitOr = "|"
  case bitXor = "^"
  case bitAnd = "&"
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessEqual = "<="
  case greater = ">"
  case greaterEqual = ">="
  case shiftLeft = "<<"
  case shiftRight = ">>"
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
  case remainder = "%"

  /// C's precedence, higher binds tighter (`||` 4 … `*` 13).
  public var precedence: Int {
    switch self {
    case .or: 4
    case .and: 5
    case .bitOr: 6
    case .bitXor: 7
    case .bitAnd: 8
    case .equal, .notEqual: 9
    case .less, .lessEqual, .greater, .greaterEqual: 10
    case .shiftLeft, .shiftRight: 11
    case .add, .subtract: 12
    case .multiply, .divide, .remainder: 13
    }
  }

  /// `<` for `>=` and so on; nil when the operator is not a comparison.
  public var negatedComparison: CBinaryOperator? {
    switch self {
    case .equal: .notEqual
    case .notEqual: .equal
    case .less: .greaterEqual
    case .greaterEqual: .less
    case .greater: .lessEqual
    case .lessEqual: .greater
    default: nil
    }
  }

  public var isComparison: Bool { negatedComparison != nil }
}
