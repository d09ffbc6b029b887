import Diagnostics

/// Why a line of assembly could not be turned into an instruction.
///
/// `id` is stable (`asm.syntax`, `asm.unknown-mnemonic`, `asm.operands`, `asm.encoding`); the
/// column is 1-based within the line; `encoding` carries the encoder's error when the text was
/// well-formed but not encodable (an offset out of range, say).
public struct AsmParseError: Error, Sendable, Hashable, CustomStringConvertible {
  public var id: MessageID
  public var column: Int
  public var message: String
  public var encoding: EncodingError?

  public init(_ id: MessageID, column: Int, _ message: String, encoding: EncodingError? = nil) {
    self.id = id
    self.column = column
    self.message = message
    self.encoding = encoding
  }

  public var description: String { "\(column): \(message)" }
}

/// How bare numbers in branch-target position are read.
public enum TargetSyntax: Sendable, Hashable {
  /// As `objdump -d` prints them: a bare number is a hexadecimal absolute address (`b 1c`).
  case objdump
  /// As GNU as reads them: a bare number is an absolute address in C syntax (`b 0x1c`, `b 28`).
  case gnu
}

/// One operand of an assembly line, as written (before it is matched against a mnemonic).
///
/// This is the operand-level API for a full assembler: it can parse operands itself, substitute
/// symbols (`.symbol`) with addresses, and call `AsmParser.instruction(mnemonic:operands:pc:)`.
public enum AsmOperand: Sendable, Hashable {
  case register(Register)
  /// `#imm` (or a bare number where an immediate is expected).
  case immediate(Int64)
  /// A number without `#`, kept as text: an immediate or an address depending on the slot.
  case number(String)
  /// `.`, `.+imm`, `.-imm`: an offset from the current instruction.
  case relative(Int64)
  /// `lsl #3`, `asr #0`…
  case shift(Shift, Int64)
  /// `uxtw`, `sxtw #2`…
  case extend(Extend, Int64?)
  /// `[base]`, `[base, #imm]`, `[base, #imm]!`, `[base, Rm{, extend|lsl {#amount}}]`.
  case memory(base: Register, index: MemoryIndex, preIndex: Bool)
  /// Any other word: a condition, barrier option, system register, prefetch operation, `c7`…
  case identifier(String)
  /// A symbol name in a target slot (left to the assembler); not produced by `parse`.
  case symbol(String)
  /// `#expr` that is not a plain number (`#FREGS_SIZE + 16`), as written: an assembler resolves
  /// it and substitutes `.immediate` before matching.
  case expression(String)
}

/// The part of a memory operand after the base register.
public enum MemoryIndex: Sendable, Hashable {
  case none
  case immediate(Int64)
  /// An offset that is not a plain number (`#S_X8`, `:lo12:sym`), as written.
  case expression(String)
  case register(Register, Extend?, Int64?)
  /// `lsl #n` written with a register index (UXTX).
  case shiftedRegister(Register, Int64)
}

/// An operand with its 1-based column, for error messages.
public struct LocatedOperand: Sendable, Hashable {
  public var operand: AsmOperand
  public var column: Int
  /// The operand's text as written (trimmed, original case).
  public var text: String
  public init(operand: AsmOperand, column: Int, text: String = "") {
    self.operand = operand
    self.column = column
    self.text = text
  }
}

/// The line-level parser: mnemonic + operands → `Instruction`.
public enum AsmParser {
  /// Splits `line` into its mnemonic and operands.
  /// - Throws: `AsmParseError` (`asm.syntax`) for unbalanced brackets or a malformed operand.
  public static func split(_ line: String) throws(AsmParseError) -> (
    mnemonic: String, operands: [LocatedOperand]
  ) {
    var chars = Array(line)
    if let c = chars.indices.first(where: {
      chars[$0] == "/" && $0 + 1 < chars.count && chars[$0 + 1] == "/"
    }) {
      chars = Array(chars[..<c])
    }
    var i = 0
    while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
    let mStart = i
    while i < chars.count, chars[i] != " " && chars[i] != "\t" { i += 1 }
    let mnemonic = String(chars[mStart..<i]).lowercased()
    if mnemonic.isEmpty { throw AsmParseError("asm.syntax", column: 1, "empty line") }
    var operands: [LocatedOperand] = []
    var start = i
    var depth = 0
    var progress = LoopProgress()
    while i <= chars.count, progress.advanced(to: i) {
      let atEnd = i == chars.count
      let c: Character = atEnd ? "," : chars[i]
      if c == "[" { depth += 1 }
      if c == "]" { depth -= 1 }
      if depth < 0 { throw AsmParseError("asm.syntax", column: i + 1, "unbalanced ']'") }
      if c == "," && depth == 0 {
        let raw = String(chars[start..<min(i, chars.count)])
        let lead = raw.prefix { $0 == " " || $0 == "\t" }.count
        let trimmed = raw.trimmingSpaces
        if !trimmed.isEmpty || !operands.isEmpty || !atEnd {
          if trimmed.isEmpty {
            throw AsmParseError("asm.syntax", column: start + 1, "empty operand")
          }
          let col = start + lead + 1
          operands.append(
            LocatedOperand(operand: try operand(trimmed, column: col), column: col, text: trimmed))
        }
        start = i + 1
      }
      i += 1
    }
    if depth != 0 { throw AsmParseError("asm.syntax", column: chars.count, "unbalanced '['") }
    return (mnemonic, operands)
  }

  /// Parses one operand's text.
  public static func operand(_ s: String, column: Int) throws(AsmParseError) -> AsmOperand {
    let t = s.lowercased()
    if t.hasPrefix("[") { return try memory(s, column: column) }
    if t.hasPrefix("#") {
      guard let v = number(String(t.dropFirst()).trimmingSpaces) else {
        let e = String(s.dropFirst()).trimmingSpaces
        if e.isEmpty { throw AsmParseError("asm.syntax", column: column, "empty immediate") }
        return .expression(e)
      }
      return .immediate(v)
    }
    if let r = register(t) { return .register(r) }
    if t == "." { return .relative(0) }
    if t.hasPrefix(".+") || t.hasPrefix(".-") {
      guard let v = number(String(t.dropFirst(2)).trimmingSpaces) else {
        throw AsmParseError("asm.syntax", column: column, "bad offset '\(s)'")
      }
      return .relative(t.hasPrefix(".-") ? 0 &- v : v)
    }
    if let f = t.first, f.isNumber || f == "-" || f == "+" { return .number(t) }
    let words = t.split(whereSeparator: { $0 == " " || $0 == "\t" })
    if let first = words.first, words.count <= 2 {
      var amount: Int64? = nil
      if words.count == 2 {
        var a = String(words[1])
        if a.hasPrefix("#") { a.removeFirst() }
        guard let v = number(a) else {
          throw AsmParseError("asm.syntax", column: column, "bad shift amount '\(s)'")
        }
        amount = v
      }
      if let sh = Shift.allCases.first(where: { "\($0)" == first }) {
        guard let amount else {
          throw AsmParseError("asm.syntax", column: column, "\(first) needs an amount")
        }
        return .shift(sh, amount)
      }
      if let e = Extend.allCases.first(where: { "\($0)" == first }) { return .extend(e, amount) }
    }
    return .identifier(t)
  }

  static func memory(_ original: String, column: Int) throws(AsmParseError) -> AsmOperand {
    let t = original
    var body = Substring(t)
    var pre = false
    if body.hasSuffix("!") {
      pre = true
      body = body.dropLast()
      while body.last == " " { body = body.dropLast() }
    }
    guard body.hasPrefix("["), body.hasSuffix("]") else {
      throw AsmParseError("asm.syntax", column: column, "bad memory operand '\(t)'")
    }
    let rawParts = body.dropFirst().dropLast().split(separator: ",").map {
      String($0).trimmingSpaces
    }
    let parts = rawParts.map { $0.lowercased() }
    guard let b = parts.first, let base = register(b) else {
      throw AsmParseError("asm.syntax", column: column, "bad base register in '\(t)'")
    }
    if parts.count == 1 { return .memory(base: base, index: .none, preIndex: pre) }
    let second = parts[1]
    if second.hasPrefix("#") || second.first?.isNumber == true || second.hasPrefix("-") {
      let n = second.hasPrefix("#") ? String(second.dropFirst()) : second
      guard parts.count == 2 else {
        throw AsmParseError("asm.syntax", column: column, "bad offset in '\(t)'")
      }
      guard let v = number(n.trimmingSpaces) else {
        let raw = rawParts[1]
        let e = raw.hasPrefix("#") ? String(raw.dropFirst()).trimmingSpaces : raw
        return .memory(base: base, index: .expression(e), preIndex: pre)
      }
      return .memory(base: base, index: .immediate(v), preIndex: pre)
    }
    guard let index = register(second) else {
      if parts.count == 2 {
        return .memory(base: base, index: .expression(rawParts[1]), preIndex: pre)
      }
      throw AsmParseError("asm.syntax", column: column, "bad index register in '\(t)'")
    }
    if parts.count == 2 {
      return .memory(base: base, index: .register(index, nil, nil), preIndex: pre)
    }
    guard parts.count == 3 else {
      throw AsmParseError("asm.syntax", column: column, "too many parts in '\(t)'")
    }
    switch try operand(parts[2], column: column) {
    case .shift(.lsl, let a):
      return .memory(base: base, index: .shiftedRegister(index, a), preIndex: pre)
    case .extend(let e, let a):
      return .memory(base: base, index: .register(index, e, a), preIndex: pre)
    default: throw AsmParseError("asm.syntax", column: column, "bad index extend in '\(t)'")
    }
  }

  /// `x0`…`x30`, `w0`…`w30`, `sp`, `wsp`, `xzr`, `wzr`, `lr`, `fp`.
  public static func register(_ t: String) -> Register? {
    switch t {
    case "sp": return .sp
    case "wsp": return .wsp
    case "xzr": return .xzr
    case "wzr": return .wzr
    case "lr": return .lr
    case "fp": return .fp
    default: break
    }
    guard let f = t.first, f == "x" || f == "w", let n = UInt8(t.dropFirst()), n <= 30,
      t.count <= 3, t.dropFirst().first != "+"
    else { return nil }
    return f == "x" ? .x(n) : .w(n)
  }

  /// A C-style integer: decimal, `0x` hex, optional sign.
  public static func number(_ s: String) -> Int64? {
    var t = Substring(s)
    var neg = false
    if t.hasPrefix("-") {
      neg = true
      t = t.dropFirst()
    } else if t.hasPrefix("+") {
      t = t.dropFirst()
    }
    let mag: UInt64?
    if t.hasPrefix("0x") {
      mag = UInt64(t.dropFirst(2), radix: 16)
    } else {
      mag = UInt64(t, radix: 10)
    }
    guard let m = mag else { return nil }
    if neg {
      guard m <= UInt64(Int64.max) + 1 else { return nil }
      return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
    }
    return Int64(bitPattern: m)
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
  }
}
