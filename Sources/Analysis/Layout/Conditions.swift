import Foundation
import KernelSource

/// What a condition of an extracted C path means in one scenario.
struct ScenarioContext {
  var config: KernelConfig
  var module: Bool
  var bti: Bool
  /// The patch-entry address is 8-byte aligned under the placement.
  var entryAligned: Bool
  /// The current value of `addr`, by symbol name.
  var target: String
  /// `target - pc` for the BL slot, when known.
  var branchOffset: Int64?

  /// Evaluates `text`; nil when some atom is not modelled.
  func evaluate(_ text: String) -> Bool? {
    var p = ConditionParser(tokens: Array(text), context: self)
    return p.parseOr()
  }

  func atom(_ raw: String) -> Bool? {
    let a = raw.filter { $0 != " " && $0 != "\t" }
    if a.hasPrefix("IS_ENABLED(CONFIG_"), a.hasSuffix(")") {
      return config.isEnabled(String(a.dropFirst("IS_ENABLED(CONFIG_".count).dropLast()))
    }
    if a.contains("SZ_128M") || a.contains("SZ_128MB") {
      guard let off = branchOffset else { return nil }
      let limit: Int64 = 128 << 20
      for (op, f) in [
        ("<=", { (x: Int64, y: Int64) in x <= y }), (">=", { $0 >= $1 }), ("<", { $0 < $1 }),
        (">", { $0 > $1 }),
      ] {
        let parts = a.components(separatedBy: op)
        guard parts.count == 2 else { continue }
        guard parts[0] == "offset" else { return nil }
        let v: Int64? =
          switch parts[1] {
          case "SZ_128M": limit
          case "-SZ_128M": -limit
          default: nil
          }
        guard let v else { return nil }
        return f(off, v)
      }
      return nil
    }
    for op in ["!=", "=="] {
      let parts = a.components(separatedBy: op)
      if parts.count == 2, parts[0] == "*addr" || parts[0] == "addr",
        parts[1] == "FTRACE_ADDR" || parts[1] == "FTRACE_REGS_ADDR"
      {
        let isCaller = target == "ftrace_caller" || target == "ftrace_regs_caller"
        return op == "!=" ? !isCaller : isCaller
      }
    }
    switch a {
    case "mod": return module
    case "WARN_ON(!mod)": return !module
    case "aarch64_insn_is_bti(insn)": return bti
    case "*(__le32*)addr!=NOP": return false
    default: break
    }
    if a.hasPrefix("IS_ALIGNED(addr,") { return entryAligned }
    if a.hasPrefix("ftrace_find_callable_addr(") || a.hasPrefix("get_ftrace_plt(") { return true }
    if a.contains("reachable") || a.contains("in_range") {
      guard let off = branchOffset else { return nil }
      return off >= -(128 << 20) && off < (128 << 20)
    }
    return nil
  }
}

/// `||`, `&&`, `!` and parentheses over atoms; anything else is an atom.
struct ConditionParser {
  var tokens: [Character]
  var i = 0
  var context: ScenarioContext

  init(tokens: [Character], context: ScenarioContext) {
    self.tokens = tokens
    self.context = context
  }

  mutating func skip() { while i < tokens.count, tokens[i] == " " || tokens[i] == "\t" { i += 1 } }

  func peek(_ s: String) -> Bool {
    let c = Array(s)
    guard i + c.count <= tokens.count else { return false }
    return Array(tokens[i..<i + c.count]) == c
  }

  mutating func parseOr() -> Bool? {
    var v = parseAnd()
    skip()
    var progress = 0
    while peek("||"), progress < 1000 {
      progress += 1
      i += 2
      let r = parseAnd()
      v = v == true || r == true ? true : (v == false && r == false ? false : nil)
      skip()
    }
    return v
  }

  mutating func parseAnd() -> Bool? {
    var v = parseUnary()
    skip()
    var progress = 0
    while peek("&&"), progress < 1000 {
      progress += 1
      i += 2
      let r = parseUnary()
      v = v == false || r == false ? false : (v == true && r == true ? true : nil)
      skip()
    }
    return v
  }

  var depth = 0

  mutating func parseUnary() -> Bool? {
    skip()
    guard depth < 64 else { return nil }
    depth += 1
    defer { depth -= 1 }
    if peek("!") && !peek("!=") {
      i += 1
      return parseUnary().map { !$0 }
    }
    if peek("(") {
      // A parenthesised sub-expression only when its parenthesis closes before any operator
      // of this level; `(a)` as an atom's argument list belongs to the atom.
      let save = i
      i += 1
      let v = parseOr()
      skip()
      if peek(")") {
        i += 1
        return v
      }
      i = save
    }
    // An atom: up to a top-level && or || or unmatched ).
    var depth = 0
    var s = ""
    while i < tokens.count {
      if depth == 0 && (peek("&&") || peek("||")) { break }
      let c = tokens[i]
      if c == "(" { depth += 1 }
      if c == ")" {
        if depth == 0 { break }
        depth -= 1
      }
      s.append(c)
      i += 1
    }
    return context.atom(s)
  }
}
