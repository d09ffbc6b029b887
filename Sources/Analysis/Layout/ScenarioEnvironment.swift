import AArch64
import KernelSource

/// The names a layout's words and ftrace.c's values refer to, with the addresses assumed for
/// them. A name the files do not place gets the next free data address, once, and the layout
/// says so.
final class SymbolSpace {
  private(set) var addresses: [String: UInt64] = [:]
  private(set) var names: [UInt64: String] = [:]
  private var next: UInt64
  /// Names placed because nothing defined them, in order.
  private(set) var placedUnknown: [(String, UInt64)] = []

  init(firstFree: UInt64) { next = firstFree }

  func define(_ name: String, _ address: UInt64) {
    addresses[name] = address
    if names[address] == nil { names[address] = name }
  }

  /// The address of `name`, placing it when nothing defined it.
  func address(of name: String) -> UInt64 {
    if let a = addresses[name] { return a }
    let a = next
    next += 0x100
    define(name, a)
    placedUnknown.append((name, a))
    return a
  }
}

/// The role a parameter of an ftrace.c entry point plays: the kernel's signatures are facts
/// (`ftrace_make_nop(struct module *mod, struct dyn_ftrace *rec, unsigned long addr)`), the
/// parameter names are the file's.
enum ParameterRole {
  case record, target, oldTarget, module, patchEntry, other

  static let signatures: [String: [ParameterRole]] = [
    "ftrace_make_call": [.record, .target],
    "ftrace_make_nop": [.module, .record, .target],
    "ftrace_modify_call": [.record, .oldTarget, .target],
    "ftrace_init_nop": [.module, .record],
    "ftrace_call_adjust": [.patchEntry],
    "ftrace_update_ftrace_func": [.other],
  ]
}

/// One scenario's answers to ftrace.c's questions: where the record and the target are,
/// whether the traced function is in a module, which ops the core found for the site, what
/// memory holds. ``CEvaluator`` evaluates the extracted conditions and values against it.
struct ScenarioEnvironment: CEnvironment {
  var config: KernelConfig
  /// The file's integer `#define`s.
  var constants: [String: Int64]
  var symbols: SymbolSpace
  var placement: Placement
  /// Values of the entry point's parameters, by the file's names.
  var parameters: [String: Int64] = [:]
  /// The name of the `struct dyn_ftrace *` parameter.
  var recordParameter: String?
  /// `rec->ip`.
  var recordIP: UInt64?
  /// The traced function is in a module.
  var module = false
  /// The ops `ftrace_find_unique_ops(rec)` finds; nil when several ops share the site (the
  /// core then leaves `FTRACE_FL_CALL_OPS_EN` clear).
  var uniqueOps: UInt64?
  /// The words memory holds, by address (the state the write applies to).
  var memory: [UInt64: UInt32] = [:]

  /// A pointer standing for the traced function's `struct module`.
  static let moduleStruct: Int64 = 0x7fff_0000
  /// `sizeof(struct plt_entry)`: ADRP, ADD, BR.
  static let pltEntrySize: Int64 = 12
  /// The bit the scenario uses for `FTRACE_FL_CALL_OPS_EN` in `rec->flags`; only whether it
  /// is set matters.
  static let callOpsFlag: Int64 = 1 << 20

  /// `name`'s address as an integer (two's complement for kernel addresses).
  func address(_ name: String) -> Int64 { Int64(bitPattern: symbols.address(of: name)) }

  func value(of name: String) -> Int64? {
    if let v = parameters[name] { return v }
    if let v = constants[name] ?? CConstants.value(of: name) { return v }
    switch name {
    case "FTRACE_ADDR": return address("ftrace_caller")
    case "MCOUNT_ADDR": return address("_mcount")
    case "FTRACE_REGS_ADDR":
      return address(
        symbols.addresses["ftrace_regs_caller"] != nil ? "ftrace_regs_caller" : "ftrace_caller")
    case "FTRACE_FL_CALL_OPS_EN": return Self.callOpsFlag
    default: break
    }
    // A function or object named bare is its address, as in C; only names something placed.
    return symbols.addresses[name].map { Int64(bitPattern: $0) }
  }

  func call(_ name: String, _ args: [CExpr], evaluate: (CExpr) -> Int64?) -> Int64? {
    if let t = CEvaluator.configTest(name, args, config) { return t ? 1 : 0 }
    func arg(_ i: Int) -> Int64? { i < args.count ? evaluate(args[i]) : nil }
    switch name {
    case "__module_text_address", "__module_address":
      return module ? Self.moduleStruct : 0
    case "ftrace_find_unique_ops":
      return uniqueOps.map { Int64(bitPattern: $0) } ?? 0
    case "arm64_rec_get_ops":
      return Int64(bitPattern: uniqueOps ?? symbols.address(of: "ftrace_list_ops"))
    case "aarch64_insn_is_bti", "aarch64_insn_is_nop", "aarch64_insn_is_paciasp":
      guard let w = arg(0) else { return nil }
      let h: Hint?
      if case .hint(let x)? = A64.decode(UInt32(truncatingIfNeeded: w)).instruction {
        h = x
      } else {
        h = nil
      }
      switch name {
      case "aarch64_insn_is_bti": return [.bti, .btiC, .btiJ, .btiJC].contains(h) ? 1 : 0
      case "aarch64_insn_is_nop": return h == .nop ? 1 : 0
      default: return h == .paciasp ? 1 : 0
      }
    case "reachable_by_bl", "ftrace_bl_reachable", "is_in_bl_range":
      // The kernel's half-open test: -SZ_128M <= target - pc < SZ_128M.
      guard let target = arg(0), let pc = arg(1) else { return nil }
      let d = target &- pc
      return d >= -(1 << 27) && d < (1 << 27) ? 1 : 0
    case "get_ftrace_plt":
      // When the file does not define it: the module's PLT entry for the trampoline.
      guard module else { return 0 }
      return Int64(bitPattern: placement.modulePLT)
    case "within_module_mem_type":
      // `(addr, mod, type)`: the traced module function lies in the module's core text
      // (`MOD_TEXT`), never in its init text, whose PLTs only `.init.text` callsites use.
      guard args.count == 3, case .identifier(let type) = args[2] else { return nil }
      guard module, arg(1) == Self.moduleStruct else { return 0 }
      return type == "MOD_TEXT" ? 1 : 0
    case "within_module", "within_module_core":
      guard args.count == 2 else { return nil }
      return module && arg(1) == Self.moduleStruct ? 1 : 0
    case "within_module_init":
      return 0
    case "plt_entries_equal", "memcmp", "plt_entry_is_initialized":
      if let answer = modulePLTComparison(name, args, evaluate: evaluate) { return answer }
      return CConstants.call(name, args, evaluate: evaluate)
    default:
      return CConstants.call(name, args, evaluate: evaluate)
    }
  }

  /// Older ftrace.c (v4.x to v5.x) fills the module's single ftrace PLT on the first far
  /// enable: it compares `mod->arch.ftrace_trampoline` with the entry it built for the target
  /// (`plt_entries_equal`, later `memcmp`) and with an empty one (`plt_entry_is_initialized`),
  /// and writes the entry when they differ. The far states hold that PLT already pointing at
  /// the target (the scenario places its words), as after the first enable: equal, and
  /// initialised. Either way the callsite gets the same BL to the PLT. Nil when the first
  /// argument is not the traced module's PLT, or the second is not an entry the function
  /// built in a local (`&trampoline`).
  func modulePLTComparison(_ name: String, _ args: [CExpr], evaluate: (CExpr) -> Int64?)
    -> Int64?
  {
    guard module, let first = args.first,
      evaluate(first) == Int64(bitPattern: placement.modulePLT)
    else { return nil }
    if name == "plt_entry_is_initialized" { return args.count == 1 ? 1 : nil }
    guard args.count >= 2, case .unary(.addressOf, .identifier) = args[1] else { return nil }
    return name == "memcmp" ? 0 : 1
  }

  func member(_ base: CExpr, _ field: String, evaluate: (CExpr) -> Int64?) -> Int64? {
    if case .identifier(let n) = base, n == recordParameter {
      switch field {
      case "ip": return recordIP.map { Int64(bitPattern: $0) }
      case "flags": return uniqueOps != nil ? Self.callOpsFlag : 0
      default: return nil
      }
    }
    // `mod->arch.ftrace_trampolines`: the module's array of ftrace PLT entries; before the
    // array, `mod->arch.ftrace_trampoline` pointed at the module's single entry.
    if field == "ftrace_trampolines" || field == "ftrace_trampoline",
      case .member(let m, "arch", _) = base,
      evaluate(m) == Self.moduleStruct
    {
      return Int64(bitPattern: placement.modulePLT)
    }
    return nil
  }

  func address(of e: CExpr, evaluate: (CExpr) -> Int64?) -> Int64? {
    switch e {
    case .identifier(let n): return address(n)
    case .index(let array, let i):
      guard let base = evaluate(array), let k = evaluate(i) else { return nil }
      let stride: Int64 = base == Int64(bitPattern: placement.modulePLT) ? Self.pltEntrySize : 8
      return base &+ k &* stride
    default: return nil
    }
  }

  func load(_ address: Int64, size: Int) -> Int64? {
    let a = UInt64(bitPattern: address)
    guard size == 4 || size == 8, let lo = memory[a] else { return nil }
    if size == 4 { return Int64(lo) }
    guard let hi = memory[a &+ 4] else { return nil }
    return Int64(bitPattern: UInt64(lo) | UInt64(hi) << 32)
  }
}
