import KernelSource

/// Follows the small address helpers of ftrace.c (`ftrace_literal(rec)` returning
/// `ftrace_func_entry(rec) - 16`, locals such as `unsigned long stub = ftrace_literal_call(rec)`)
/// to an offset from `rec->ip`, when they are plain arithmetic over `rec->ip`, constants and
/// `IS_ENABLED(…)`. Anything else stays unresolved (and the builder says so).
struct AddressHelpers {
  var functions: [String: CFunction]
  var config: KernelConfig

  /// `name(rec)` as an offset from `rec->ip`.
  func call(_ name: String, depth: Int = 0) -> Int? {
    guard depth < 8, let f = functions[name] else { return nil }
    var locals: [String: Int] = [:]
    for s in statements(f.body) {
      if let r = execute(s, locals: &locals, depth: depth) { return r }
    }
    return nil
  }

  /// The locals of `function` that hold addresses, as offsets from `rec->ip`.
  func locals(of function: String) -> [String: Int] {
    guard let f = functions[function] else { return [:] }
    var locals: [String: Int] = [:]
    for s in statements(f.body) { _ = execute(s, locals: &locals, depth: 0) }
    return locals
  }

  /// Evaluates `text` (`stub + AARCH64_INSN_SIZE`, `ftrace_literal(rec)`) in `function`.
  func offset(of text: String, in function: String?) -> Int? {
    let l = function.map(locals(of:)) ?? [:]
    return evaluate(AddressArithmetic.tokenize(text), locals: l, depth: 0, address: true)
  }

  /// Splits a body into statements: `x;` or `if (…) x;` (braces flattened).
  func statements(_ body: [CToken]) -> [[String]] {
    var out: [[String]] = []
    var cur: [String] = []
    for t in body {
      if t.text == "{" || t.text == "}" { continue }
      if t.text == ";" {
        if !cur.isEmpty { out.append(cur) }
        cur = []
      } else {
        cur.append(t.text)
      }
    }
    return out
  }

  /// Runs one statement; returns the value of a `return`.
  func execute(_ s: [String], locals: inout [String: Int], depth: Int) -> Int? {
    var s = s
    if s.first == "if", s.count > 2, s[1] == "(" {
      var level = 0
      var end = 1
      for (k, t) in s.enumerated().dropFirst() {
        if t == "(" { level += 1 }
        if t == ")" {
          level -= 1
          if level == 0 {
            end = k
            break
          }
        }
      }
      let cond = Array(s[2..<end])
      guard let c = evaluate(cond, locals: locals, depth: depth, address: false), c != 0 else {
        return nil
      }
      s = Array(s[(end + 1)...])
    }
    if s.first == "return" {
      return evaluate(Array(s.dropFirst()), locals: locals, depth: depth, address: true)
    }
    if let eq = s.firstIndex(of: "="), eq >= 1, !["-", "+", "*", "/", "|", "&"].contains(s[eq - 1])
    {
      let name = s[eq - 1]
      if let v = evaluate(Array(s[(eq + 1)...]), locals: locals, depth: depth, address: true) {
        locals[name] = v
      }
      return nil
    }
    // `x -= e` / `x += e`, the operator as one token or two.
    if s.count >= 3, let name = s.first, let base = locals[name] {
      var op = s[1]
      var rest = Array(s[2...])
      if (op == "-" || op == "+"), rest.first == "=" {
        op += "="
        rest.removeFirst()
      }
      if op == "-=" || op == "+=",
        let v = evaluate(rest, locals: locals, depth: depth, address: false)
      {
        locals[name] = op == "-=" ? base - v : base + v
      }
      return nil
    }
    return nil
  }

  /// Rewrites tokens to `addr`-arithmetic and evaluates them.
  func evaluate(_ tokens: [String], locals: [String: Int], depth: Int, address: Bool) -> Int? {
    var text = ""
    var k = 0
    while k < tokens.count {
      let t = tokens[k]
      if t == "rec", k + 2 < tokens.count, tokens[k + 1] == "-", tokens[k + 2] == ">",
        k + 3 < tokens.count, tokens[k + 3] == "ip"
      {
        text += " addr"
        k += 4
        continue
      }
      if t == "rec", k + 1 < tokens.count, tokens[k + 1] == "->", k + 2 < tokens.count,
        tokens[k + 2] == "ip"
      {
        text += " addr"
        k += 3
        continue
      }
      if t == "(", k + 2 < tokens.count, ["long", "unsigned"].contains(tokens[k + 1]) {
        // A cast: skip to its ')'.
        var j = k + 1
        while j < tokens.count, tokens[j] != ")" { j += 1 }
        k = j + 1
        continue
      }
      if let v = locals[t] {
        text += " (addr + \(v))"
        k += 1
        continue
      }
      if functions[t] != nil, k + 1 < tokens.count, tokens[k + 1] == "(" {
        var j = k + 1
        var level = 0
        repeat {
          if tokens[j] == "(" { level += 1 }
          if tokens[j] == ")" { level -= 1 }
          j += 1
        } while j < tokens.count && level > 0
        guard let v = call(t, depth: depth + 1) else { return nil }
        text += " (addr + \(v))"
        k = j
        continue
      }
      text += " " + t
      k += 1
    }
    if address { return AddressArithmetic.evaluate(text, config: config) }
    return AddressArithmetic.evaluate("addr + (" + text + ")", config: config)
  }
}
