import Diagnostics

// GNU as expressions over UTF-8 bytes: numbers, symbols, `.`, numeric label references
// (`1b`/`1f`), unary `- ~ !`, and binary operators with GNU's precedence:
//   highest: * / % << >>;   then: | & ^ !;   then: + -;   lowest: && ||
// (as(1) "Infix Operators"). Values are absolute, or a symbol/section plus an addend, optionally
// minus the location of a section (a PC-relative difference such as `sym - .`).

/// The value of an expression.
struct ExprValue: Sendable, Hashable {
  enum Base: Sendable, Hashable {
    case absolute
    /// A local label: `add` includes its section offset.
    case section(Int)
    /// A global, weak or undefined symbol: `add` is the written addend only.
    case symbol(String)
  }

  var base: Base
  /// A section whose location was subtracted (`sym - .`): the value is PC-relative.
  var minus: Int?
  var add: Int64

  static func absolute(_ v: Int64) -> ExprValue { ExprValue(base: .absolute, minus: nil, add: v) }

  var isAbsolute: Bool { base == .absolute && minus == nil }
}

/// How a symbol in an expression is resolved (implemented by the assembler).
protocol SymbolResolver {
  /// The value of `name`; undefined names become `.symbol(name)`.
  func resolve(symbol name: String) -> ExprValue
  /// `Nb` (`forward == false`) or `Nf`; nil if there is no such definition.
  func resolve(numericLabel n: Int, forward: Bool) -> ExprValue?
  /// The location counter `.`.
  var dot: ExprValue { get }
  /// The definition of a global/weak symbol, to cancel differences in one section.
  func definition(of name: String) -> (section: Int, offset: Int64)?
}

/// A recursive-descent evaluator over `bytes[start..<end]`.
struct ExpressionParser<R: SymbolResolver> {
  let bytes: SourceBytes
  var i: Int
  let end: Int
  let file: String
  let line: Int32

  /// The resolver is passed to each parse call (not stored) so that evaluating does not copy
  /// the assembler state.
  init(bytes: SourceBytes, start: Int, end: Int, file: String, line: Int32) {
    self.bytes = bytes
    self.i = start
    self.end = end
    self.file = file
    self.line = line
  }

  func location(_ pos: Int) -> SourceLocation {
    let lineStart = bytes.withUnsafeBufferPointer { SourceText.lineStart(of: pos, in: $0) }
    return SourceLocation(file: file, line: Int(line), column: pos - lineStart + 1)
  }

  func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }

  func error(_ msg: String, at pos: Int? = nil) -> AssemblyError {
    AssemblyError("asm.expression", at: location(pos ?? i), msg)
  }

  mutating func skipBlanks() {
    while i < end, isBlank(bytes[i]) { i += 1 }
  }

  /// Parses the whole range as one expression.
  mutating func parseAll(_ r: R) throws(AssemblyError) -> ExprValue {
    let v = try parseLogical(r)
    skipBlanks()
    if i < end { throw error("junk at end of expression: '\(text(i, end))'") }
    return v
  }

  mutating func parseLogical(_ r: R) throws(AssemblyError) -> ExprValue {
    var lhs = try parseAdditive(r)
    var progress = LoopProgress()
    while progress.advanced(to: i) {
      skipBlanks()
      guard i + 1 < end else { break }
      let a = bytes[i]
      let b = bytes[i + 1]
      let isAnd = a == UInt8(ascii: "&") && b == UInt8(ascii: "&")
      let isOr = a == UInt8(ascii: "|") && b == UInt8(ascii: "|")
      guard isAnd || isOr else { break }
      let at = i
      i += 2
      let rhs = try parseAdditive(r)
      let (x, y) = try absolutes(lhs, rhs, at: at)
      lhs = .absolute(isAnd ? ((x != 0 && y != 0) ? 1 : 0) : ((x != 0 || y != 0) ? 1 : 0))
    }
    return lhs
  }

  mutating func parseAdditive(_ r: R) throws(AssemblyError) -> ExprValue {
    var lhs = try parseBitwise(r)
    var progress = LoopProgress()
    while progress.advanced(to: i) {
      skipBlanks()
      guard i < end else { break }
      let c = bytes[i]
      guard c == UInt8(ascii: "+") || c == UInt8(ascii: "-") else { break }
      let at = i
      i += 1
      let rhs = try parseBitwise(r)
      lhs = c == UInt8(ascii: "+") ? try add(lhs, rhs, at: at) : try subtract(lhs, rhs, at: at, r)
    }
    return lhs
  }

  mutating func parseBitwise(_ r: R) throws(AssemblyError) -> ExprValue {
    var lhs = try parseMultiplicative(r)
    var progress = LoopProgress()
    while progress.advanced(to: i) {
      skipBlanks()
      guard i < end else { break }
      let c = bytes[i]
      let next: UInt8 = i + 1 < end ? bytes[i + 1] : 0
      guard
        c == UInt8(ascii: "|") || c == UInt8(ascii: "&") || c == UInt8(ascii: "^")
          || (c == UInt8(ascii: "!") && next != UInt8(ascii: "="))
      else { break }
      if (c == UInt8(ascii: "|") || c == UInt8(ascii: "&")) && next == c { break }
      let at = i
      i += 1
      let rhs = try parseMultiplicative(r)
      let (x, y) = try absolutes(lhs, rhs, at: at)
      switch c {
      case UInt8(ascii: "|"): lhs = .absolute(x | y)
      case UInt8(ascii: "&"): lhs = .absolute(x & y)
      case UInt8(ascii: "^"): lhs = .absolute(x ^ y)
      default: lhs = .absolute(x | ~y)  // GNU's "or not"
      }
    }
    return lhs
  }

  mutating func parseMultiplicative(_ r: R) throws(AssemblyError) -> ExprValue {
    var lhs = try parseUnary(r)
    var progress = LoopProgress()
    while progress.advanced(to: i) {
      skipBlanks()
      guard i < end else { break }
      let c = bytes[i]
      let next: UInt8 = i + 1 < end ? bytes[i + 1] : 0
      var op = c
      if c == UInt8(ascii: "<") || c == UInt8(ascii: ">") {
        guard next == c else { break }
        i += 1
      } else if !(c == UInt8(ascii: "*") || c == UInt8(ascii: "/") || c == UInt8(ascii: "%")) {
        break
      }
      let at = i
      i += 1
      let rhs = try parseUnary(r)
      let (x, y) = try absolutes(lhs, rhs, at: at)
      switch op {
      case UInt8(ascii: "*"): lhs = .absolute(x &* y)
      case UInt8(ascii: "/"), UInt8(ascii: "%"):
        if y == 0 { throw error("division by zero", at: at) }
        if x == Int64.min && y == -1 {
          lhs = .absolute(op == UInt8(ascii: "/") ? x : 0)
        } else {
          lhs = .absolute(op == UInt8(ascii: "/") ? x / y : x % y)
        }
      case UInt8(ascii: "<"): lhs = .absolute(y >= 64 || y < 0 ? 0 : x << y)
      default: lhs = .absolute(y >= 64 || y < 0 ? (x < 0 ? -1 : 0) : x >> y)
      }
      op = 0
    }
    return lhs
  }

  mutating func parseUnary(_ r: R) throws(AssemblyError) -> ExprValue {
    skipBlanks()
    guard i < end else { throw error("missing operand") }
    let c = bytes[i]
    switch c {
    case UInt8(ascii: "-"):
      let at = i
      i += 1
      let v = try parseUnary(r)
      guard v.isAbsolute else { throw error("cannot negate a symbol", at: at) }
      return .absolute(0 &- v.add)
    case UInt8(ascii: "+"):
      i += 1
      return try parseUnary(r)
    case UInt8(ascii: "~"):
      let at = i
      i += 1
      let v = try parseUnary(r)
      guard v.isAbsolute else { throw error("cannot complement a symbol", at: at) }
      return .absolute(~v.add)
    case UInt8(ascii: "!"):
      let at = i
      i += 1
      let v = try parseUnary(r)
      guard v.isAbsolute else { throw error("cannot apply ! to a symbol", at: at) }
      return .absolute(v.add == 0 ? 1 : 0)
    case UInt8(ascii: "("):
      let at = i
      i += 1
      let v = try parseLogical(r)
      skipBlanks()
      guard i < end, bytes[i] == UInt8(ascii: ")") else { throw error("missing ')'", at: at) }
      i += 1
      return v
    default:
      return try parsePrimary(r)
    }
  }

  mutating func parsePrimary(_ r: R) throws(AssemblyError) -> ExprValue {
    let start = i
    let c = bytes[i]
    if isDigit(c) {
      // A number, or a numeric label reference `1b`/`1f`.
      var j = i
      while j < end, isDigit(bytes[j]) { j += 1 }
      if j < end, bytes[j] == UInt8(ascii: "b") || bytes[j] == UInt8(ascii: "f"),
        j + 1 >= end || !isSymbolChar(bytes[j + 1]), bytes[i] != UInt8(ascii: "0") || j == i + 1
      {
        var n = 0
        for k in i..<j { n = n &* 10 &+ Int(bytes[k] - 48) }
        if j - i > 9 { throw error("numeric label too long", at: start) }
        let forward = bytes[j] == UInt8(ascii: "f")
        i = j + 1
        guard let v = r.resolve(numericLabel: n, forward: forward) else {
          throw AssemblyError(
            "asm.undefined-symbol",
            at: location(start),
            "undefined local label '\(n)\(forward ? "f" : "b")'")
        }
        return v
      }
      return .absolute(try parseNumber())
    }
    if c == UInt8(ascii: "'") {
      // A character constant: 'c.
      guard i + 1 < end else { throw error("bad character constant") }
      let v = Int64(bytes[i + 1])
      i += 2
      if i < end, bytes[i] == UInt8(ascii: "'") { i += 1 }
      return .absolute(v)
    }
    guard isSymbolChar(c) else { throw error("unexpected '\(Character(Unicode.Scalar(c)))'") }
    var j = i
    while j < end, isSymbolChar(bytes[j]) { j += 1 }
    i = j
    if j == start + 1, c == UInt8(ascii: ".") { return r.dot }
    return r.resolve(symbol: text(start, j))
  }

  /// Decimal, `0x` hex, `0b` binary, leading-`0` octal.
  mutating func parseNumber() throws(AssemblyError) -> Int64 {
    let start = i
    var radix: UInt64 = 10
    if bytes[i] == UInt8(ascii: "0"), i + 1 < end {
      let p = lower(bytes[i + 1])
      if p == UInt8(ascii: "x") {
        radix = 16
        i += 2
      } else if p == UInt8(ascii: "b") {
        radix = 2
        i += 2
      } else if isDigit(p) {
        radix = 8
        i += 1
      }
    }
    var v: UInt64 = 0
    var digits = 0
    var overflow = false
    while i < end {
      let ch = lower(bytes[i])
      let d: UInt64
      if isDigit(ch) {
        d = UInt64(ch - 48)
      } else if ch >= 97, ch <= 102 {
        d = UInt64(ch - 87)
      } else {
        break
      }
      if d >= radix { break }
      let (m, o1) = v.multipliedReportingOverflow(by: radix)
      let (s, o2) = m.addingReportingOverflow(d)
      overflow = overflow || o1 || o2
      v = s
      digits += 1
      i += 1
    }
    if digits == 0 && radix != 8 { throw error("bad number", at: start) }
    if i < end, isSymbolChar(bytes[i]) { throw error("bad number", at: start) }
    if overflow { throw error("number too large", at: start) }
    return Int64(bitPattern: v)
  }

  func absolutes(_ a: ExprValue, _ b: ExprValue, at: Int) throws(AssemblyError) -> (
    Int64, Int64
  ) {
    guard a.isAbsolute, b.isAbsolute else {
      throw error("operator needs absolute operands, not symbols", at: at)
    }
    return (a.add, b.add)
  }

  func add(_ a: ExprValue, _ b: ExprValue, at: Int) throws(AssemblyError) -> ExprValue {
    if b.base == .absolute && b.minus == nil {
      return ExprValue(base: a.base, minus: a.minus, add: a.add &+ b.add)
    }
    if a.base == .absolute && a.minus == nil {
      return ExprValue(base: b.base, minus: b.minus, add: a.add &+ b.add)
    }
    if a.base == .absolute, b.base != .absolute, b.minus == nil, a.minus != nil {
      return ExprValue(base: b.base, minus: a.minus, add: a.add &+ b.add)
    }
    if b.base == .absolute, a.base != .absolute, a.minus == nil, b.minus != nil {
      return ExprValue(base: a.base, minus: b.minus, add: a.add &+ b.add)
    }
    throw error("cannot add two symbols", at: at)
  }

  func subtract(_ a: ExprValue, _ b: ExprValue, at: Int, _ r: R) throws(AssemblyError)
    -> ExprValue
  {
    if b.minus != nil { throw error("cannot subtract a difference", at: at) }
    switch b.base {
    case .absolute:
      return ExprValue(base: a.base, minus: a.minus, add: a.add &- b.add)
    case .section(let s):
      if case .section(let t) = a.base, t == s {
        return ExprValue(base: .absolute, minus: a.minus, add: a.add &- b.add)
      }
      if case .symbol(let name) = a.base, let d = r.definition(of: name), d.section == s {
        return ExprValue(base: .absolute, minus: a.minus, add: a.add &+ d.offset &- b.add)
      }
      if a.minus == nil {
        return ExprValue(base: a.base, minus: s, add: a.add &- b.add)
      }
    case .symbol(let name):
      if let d = r.definition(of: name) {
        let bb = ExprValue(base: .section(d.section), minus: nil, add: b.add &+ d.offset)
        return try subtract(a, bb, at: at, r)
      }
    }
    throw error("cannot subtract symbols from different sections or undefined symbols", at: at)
  }
}
