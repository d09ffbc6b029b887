import KernelSource

/// Evaluates the address expressions ftrace.c returns (`addr + 5 * AARCH64_INSN_SIZE +
/// (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) ? AARCH64_INSN_SIZE : 0)`) as an offset from `addr`.
struct AddressArithmetic {
  var tokens: [String]
  var i = 0
  var config: KernelConfig
  var sawAddress = false
  var depth = 0

  static let constants = ["AARCH64_INSN_SIZE": 4, "MCOUNT_INSN_SIZE": 4, "sizeof(u32)": 4]

  static func evaluate(_ text: String, config: KernelConfig) -> Int? {
    var p = AddressArithmetic(tokens: tokenize(text), config: config)
    guard let v = p.ternary(), p.i == p.tokens.count, p.sawAddress else { return nil }
    return v
  }

  static func tokenize(_ s: String) -> [String] {
    var out: [String] = []
    let c = Array(s)
    var k = 0
    while k < c.count {
      let ch = c[k]
      if ch == " " || ch == "\t" || ch == "\n" {
        k += 1
      } else if ch.isLetter || ch == "_" || ch.isNumber {
        var t = ""
        while k < c.count, c[k].isLetter || c[k].isNumber || c[k] == "_" {
          t.append(c[k])
          k += 1
        }
        out.append(t)
      } else {
        out.append(String(ch))
        k += 1
      }
    }
    return out
  }

  mutating func next() -> String? {
    guard i < tokens.count else { return nil }
    defer { i += 1 }
    return tokens[i]
  }

  func peek() -> String? { i < tokens.count ? tokens[i] : nil }

  mutating func ternary() -> Int? {
    guard let c = sum() else { return nil }
    if peek() == "?" {
      i += 1
      let a = ternary()
      guard next() == ":" else { return nil }
      let b = ternary()
      return c != 0 ? a : b
    }
    return c
  }

  mutating func sum() -> Int? {
    guard var v = product() else { return nil }
    var guardCount = 0
    while let op = peek(), op == "+" || op == "-", guardCount < 1000 {
      guardCount += 1
      i += 1
      guard let r = product() else { return nil }
      let (x, overflow) =
        op == "+" ? v.addingReportingOverflow(r) : v.subtractingReportingOverflow(r)
      guard !overflow else { return nil }
      v = x
    }
    return v
  }

  mutating func product() -> Int? {
    guard var v = primary() else { return nil }
    var guardCount = 0
    while let op = peek(), op == "*" || op == "/", guardCount < 1000 {
      guardCount += 1
      i += 1
      guard let r = primary() else { return nil }
      if op == "*" {
        let (x, overflow) = v.multipliedReportingOverflow(by: r)
        guard !overflow else { return nil }
        v = x
      } else if r != 0, !(v == .min && r == -1) {
        v /= r
      } else {
        return nil
      }
    }
    return v
  }

  mutating func primary() -> Int? {
    guard let t = next() else { return nil }
    if t == "-" {
      guard depth < 64 else { return nil }
      depth += 1
      defer { depth -= 1 }
      return primary().flatMap { $0 == .min ? nil : -$0 }
    }
    if t == "(" {
      guard depth < 64 else { return nil }
      depth += 1
      defer { depth -= 1 }
      let v = ternary()
      guard next() == ")" else { return nil }
      return v
    }
    if t == "addr" {
      if sawAddress { return nil }
      sawAddress = true
      return 0
    }
    if t == "IS_ENABLED" {
      guard next() == "(", let name = next(), next() == ")" else { return nil }
      let bare = name.hasPrefix("CONFIG_") ? String(name.dropFirst(7)) : name
      return config.isEnabled(bare) ? 1 : 0
    }
    if let v = Self.constants[t] { return v }
    if t.hasPrefix("0x") { return Int(t.dropFirst(2), radix: 16) }
    return Int(t)
  }
}
