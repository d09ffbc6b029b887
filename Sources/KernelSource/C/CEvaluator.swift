/// What an evaluation knows beyond the expression itself: the value of names, the kernel
/// functions and macros it can answer, members of structures, and memory.
///
/// Every method returns nil for "not known here"; the evaluator then gives nil for the whole
/// expression unless the unknown part does not matter (`0 && x`, `1 || x`).
public protocol CEnvironment {
  /// The value of an identifier: a parameter, a global, a constant.
  func value(of name: String) -> Int64?
  /// The value of a call the environment models (`IS_ENABLED(CONFIG_X)`, `le32_to_cpu(x)`).
  /// `evaluate` evaluates an argument in the same environment.
  func call(_ name: String, _ arguments: [CExpr], evaluate: (CExpr) -> Int64?) -> Int64?
  /// `base->field` or `base.field`.
  func member(_ base: CExpr, _ field: String, evaluate: (CExpr) -> Int64?) -> Int64?
  /// The `size`-byte little-endian value at `address` (`*(u32 *)p`).
  func load(_ address: Int64, size: Int) -> Int64?
  /// `&expression`, for what has an address the environment knows (`&ftrace_nop_ops`).
  func address(of e: CExpr, evaluate: (CExpr) -> Int64?) -> Int64?
}

extension CEnvironment {
  public func value(of name: String) -> Int64? { CConstants.value(of: name) }
  public func call(_ name: String, _ arguments: [CExpr], evaluate: (CExpr) -> Int64?) -> Int64? {
    CConstants.call(name, arguments, evaluate: evaluate)
  }
  public func member(_ base: CExpr, _ field: String, evaluate: (CExpr) -> Int64?) -> Int64? { nil }
  public func load(_ address: Int64, size: Int) -> Int64? { nil }
  public func address(of e: CExpr, evaluate: (CExpr) -> Int64?) -> Int64? { nil }
}

/// The constants and pure helpers of the kernel headers the readers need, in one table: the
/// sizes (`SZ_128M`), `AARCH64_INSN_SIZE`, `NULL`, and the macros that only pass their argument
/// through or test it (`likely`, `WARN_ON`, `IS_ALIGNED`, `ALIGN_DOWN`).
public enum CConstants {
  public static let values: [String: Int64] = {
    var v: [String: Int64] = [
      "AARCH64_INSN_SIZE": 4, "MCOUNT_INSN_SIZE": 4, "NULL": 0, "true": 1, "false": 0,
      // The module's ftrace PLT slots (asm/module.h, later asm/ftrace.h); a tree that defines
      // them overrides these.
      "FTRACE_PLT_IDX": 0, "FTRACE_REGS_PLT_IDX": 1,
    ]
    for (k, bits) in [
      ("1K", 10), ("2K", 11), ("4K", 12), ("8K", 13), ("16K", 14), ("32K", 15), ("64K", 16),
      ("128K", 17), ("256K", 18), ("512K", 19), ("1M", 20), ("2M", 21), ("4M", 22), ("8M", 23),
      ("16M", 24), ("32M", 25), ("64M", 26), ("128M", 27), ("256M", 28), ("512M", 29),
      ("1G", 30), ("2G", 31), ("4G", 32),
    ] {
      v["SZ_" + k] = Int64(1) << Int64(bits)
    }
    return v
  }()

  /// Sizes in bytes of the C types the readers meet in casts and `sizeof`.
  public static let typeSizes: [String: Int] = [
    "u8": 1, "s8": 1, "char": 1, "u16": 2, "s16": 2, "short": 2, "__le16": 2, "u32": 4, "s32": 4,
    "int": 4, "__le32": 4, "unsigned int": 4, "u64": 8, "s64": 8, "long": 8, "unsigned long": 8,
    "__le64": 8, "unsigned long long": 8, "long long": 8, "uintptr_t": 8, "size_t": 8,
  ]

  public static func value(of name: String) -> Int64? { values[name] }

  /// The helpers every environment understands.
  public static func call(_ name: String, _ args: [CExpr], evaluate: (CExpr) -> Int64?) -> Int64? {
    func arg(_ i: Int) -> Int64? { i < args.count ? evaluate(args[i]) : nil }
    switch name {
    case "likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "le32_to_cpu", "cpu_to_le32",
      "le64_to_cpu", "cpu_to_le64", "READ_ONCE", "function_nocfi", "lm_alias":
      return args.count == 1 ? arg(0) : nil
    case "IS_ALIGNED":
      guard let x = arg(0), let a = arg(1), a > 0 else { return nil }
      return x % a == 0 ? 1 : 0
    case "ALIGN_DOWN":
      guard let x = arg(0), let a = arg(1), a > 0, a & (a - 1) == 0 else { return nil }
      return x & ~(a - 1)
    case "ALIGN":
      guard let x = arg(0), let a = arg(1), a > 0, a & (a - 1) == 0 else { return nil }
      return (x &+ a &- 1) & ~(a - 1)
    case "BIT":
      guard let n = arg(0), n >= 0, n < 64 else { return nil }
      return Int64(1) << n
    default: return nil
    }
  }
}

/// An environment of constants only: what `#if`-style folding and the extractor can know
/// before a scenario gives the callsite an address.
public struct ConstantEnvironment: CEnvironment {
  /// Extra names (the file's `#define`d integers, `.set` symbols).
  public var names: [String: Int64]
  /// The configuration `IS_ENABLED` & co. read; nil leaves them unknown.
  public var config: KernelConfig?

  public init(names: [String: Int64] = [:], config: KernelConfig? = nil) {
    self.names = names
    self.config = config
  }

  public func value(of name: String) -> Int64? { names[name] ?? CConstants.value(of: name) }

  public func call(_ name: String, _ args: [CExpr], evaluate: (CExpr) -> Int64?) -> Int64? {
    if let config, let v = CEvaluator.configTest(name, args, config) { return v ? 1 : 0 }
    return CConstants.call(name, args, evaluate: evaluate)
  }
}

/// Evaluates ``CExpr`` trees with C's integer semantics (64-bit, wrapping; comparisons and
/// logic give 0 or 1), asking a ``CEnvironment`` for everything that is not a literal.
public enum CEvaluator {
  /// The value of `e` in `env`, or nil when it depends on something `env` does not know (or
  /// divides by zero).
  public static func evaluate(_ e: CExpr, in env: some CEnvironment) -> Int64? {
    var depth = 0
    return eval(e, env, &depth)
  }

  /// Whether `e` holds in `env`: true, false, or nil when unknown.
  public static func truth(_ e: CExpr, in env: some CEnvironment) -> Bool? {
    evaluate(e, in: env).map { $0 != 0 }
  }

  /// `IS_ENABLED(CONFIG_X)`, `IS_BUILTIN`, `IS_MODULE`, `IS_REACHABLE` against `config`.
  public static func configTest(_ name: String, _ args: [CExpr], _ config: KernelConfig) -> Bool? {
    guard ["IS_ENABLED", "IS_BUILTIN", "IS_MODULE", "IS_REACHABLE"].contains(name),
      args.count == 1, case .identifier(let option) = args[0]
    else { return nil }
    switch name {
    case "IS_BUILTIN": return config.isBuiltin(option)
    case "IS_MODULE": return config[option] == .module
    default: return config.isEnabled(option)
    }
  }

  /// An integer literal in C spelling: decimal, `0x` hex, `0b` binary, leading-`0` octal, with
  /// `U`/`L` suffixes.
  public static func integer(_ text: String) -> Int64? {
    var s = Substring(text.lowercased())
    while let l = s.last, l == "u" || l == "l" { s = s.dropLast() }
    if s.hasPrefix("0x") { return UInt64(s.dropFirst(2), radix: 16).map { Int64(bitPattern: $0) } }
    if s.hasPrefix("0b") { return Int64(s.dropFirst(2), radix: 2) }
    if s.count > 1, s.hasPrefix("0") { return Int64(s.dropFirst(), radix: 8) }
    return Int64(s)
  }

  static let maxDepth = 400

  static func eval(_ e: CExpr, _ env: some CEnvironment, _ depth: inout Int) -> Int64? {
    guard depth < maxDepth else { return nil }
    depth += 1
    defer { depth -= 1 }
    switch e {
    case .number(let v, _): return v
    case .identifier(let n): return env.value(of: n)
    case .string, .unknown, .sizeof, .assign: return nil
    case .call(let name, let args):
      var d = depth
      return env.call(name, args) { eval($0, env, &d) }
    case .member(let base, let field, _):
      var d = depth
      return env.member(base, field) { eval($0, env, &d) }
    case .index: return nil
    case .cast(let type, let inner):
      guard let v = eval(inner, env, &depth) else { return nil }
      return cast(v, to: type)
    case .ternary(let c, let a, let b):
      guard let cv = eval(c, env, &depth) else {
        // Unknown condition: known only when both branches agree.
        let x = eval(a, env, &depth)
        return x != nil && x == eval(b, env, &depth) ? x : nil
      }
      return cv != 0 ? eval(a, env, &depth) : eval(b, env, &depth)
    case .unary(let op, let inner):
      switch op {
      case .dereference:
        let (pointer, size) = pointee(inner)
        guard let a = eval(pointer, env, &depth) else { return nil }
        return env.load(a, size: size)
      case .addressOf:
        var d = depth
        return env.address(of: inner) { eval($0, env, &d) }
      default: break
      }
      guard let v = eval(inner, env, &depth) else { return nil }
      switch op {
      case .not: return v == 0 ? 1 : 0
      case .complement: return ~v
      case .minus: return 0 &- v
      case .plus: return v
      default: return nil
      }
    case .binary(let op, let a, let b):
      if op == .and || op == .or {
        let x = eval(a, env, &depth)
        if let x, (op == .and && x == 0) || (op == .or && x != 0) { return op == .or ? 1 : 0 }
        let y = eval(b, env, &depth)
        if let y, (op == .and && y == 0) || (op == .or && y != 0) { return op == .or ? 1 : 0 }
        guard x != nil, y != nil else { return nil }
        return op == .or ? 0 : 1
      }
      guard let x = eval(a, env, &depth), let y = eval(b, env, &depth) else { return nil }
      return apply(op, x, y)
    }
  }

  /// `x op y` on 64-bit integers; nil for a division by zero.
  public static func apply(_ op: CBinaryOperator, _ x: Int64, _ y: Int64) -> Int64? {
    switch op {
    case .or: return x != 0 || y != 0 ? 1 : 0
    case .and: return x != 0 && y != 0 ? 1 : 0
    case .bitOr: return x | y
    case .bitXor: return x ^ y
    case .bitAnd: return x & y
    case .equal: return x == y ? 1 : 0
    case .notEqual: return x != y ? 1 : 0
    case .less: return x < y ? 1 : 0
    case .lessEqual: return x <= y ? 1 : 0
    case .greater: return x > y ? 1 : 0
    case .greaterEqual: return x >= y ? 1 : 0
    case .shiftLeft: return y >= 0 && y < 64 ? x << y : 0
    case .shiftRight: return y >= 0 && y < 64 ? x >> y : 0
    case .add: return x &+ y
    case .subtract: return x &- y
    case .multiply: return x &* y
    case .divide: return y == 0 ? nil : x.dividedReportingOverflow(by: y).partialValue
    case .remainder: return y == 0 ? nil : x.remainderReportingOverflow(dividingBy: y).partialValue
    }
  }

  /// A value converted to `type`: narrowed for the fixed-size integer types, kept for pointers
  /// and 64-bit types.
  static func cast(_ v: Int64, to type: String) -> Int64 {
    if type.hasSuffix("*") { return v }
    switch CConstants.typeSizes[type] {
    case 1?:
      return type.hasPrefix("s") || type == "char" ? Int64(Int8(truncatingIfNeeded: v)) : v & 0xff
    case 2?:
      return type.hasPrefix("s") || type == "short"
        ? Int64(Int16(truncatingIfNeeded: v)) : v & 0xffff
    case 4?:
      return type == "int" || type == "s32" ? Int64(Int32(truncatingIfNeeded: v)) : v & 0xffff_ffff
    default: return v
    }
  }

  /// The pointer a `*` reads through and the size it reads: `*(__le32 *)p` reads 4 bytes at
  /// `p`; a pointer of unknown type reads 8.
  static func pointee(_ e: CExpr) -> (CExpr, Int) {
    if case .cast(let type, let inner) = e, type.hasSuffix("*") {
      let base = type.dropLast().trimmingSpaces()
      return (inner, CConstants.typeSizes[base] ?? 8)
    }
    return (e, 8)
  }
}

extension Substring {
  func trimmingSpaces() -> String {
    var s = self
    while s.last == " " { s = s.dropLast() }
    while s.first == " " { s = s.dropFirst() }
    return String(s)
  }
}
