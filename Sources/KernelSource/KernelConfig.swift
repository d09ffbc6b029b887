import Diagnostics
import Foundation

/// The value of one configuration option, as `.config` writes it.
public enum ConfigValue: Hashable, Sendable, CustomStringConvertible {
  case yes
  case no
  case module
  case string(String)
  case int(Int)

  /// The text Kbuild sees: `y`, `m`, the string, the number; `n` reads as empty in make.
  public var description: String {
    switch self {
    case .yes: "y"
    case .no: "n"
    case .module: "m"
    case .string(let s): s
    case .int(let n): String(n)
    }
  }

  /// Parses `y`, `n`, `m`, a decimal or `0x` number, or a (possibly quoted) string.
  public init(parsing text: String) {
    let t = text.trimmed
    switch t {
    case "y": self = .yes
    case "n", "": self = .no
    case "m": self = .module
    default:
      if let n = Int(t) {
        self = .int(n)
      } else if t.hasPrefix("0x") || t.hasPrefix("0X"), let n = Int(t.dropFirst(2), radix: 16) {
        self = .int(n)
      } else if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") {
        self = .string(String(t.dropFirst().dropLast()))
      } else {
        self = .string(t)
      }
    }
  }
}

/// A set of configuration option values (`CONFIG_X` → y/n/m/string/int).
///
/// Names are stored without the `CONFIG_` prefix; every accessor accepts either spelling.
public struct KernelConfig: Hashable, Sendable, CustomStringConvertible {
  private var storage: [String: ConfigValue]
  /// Where lookups are noted, when a cache needs to know what a computation consulted (see
  /// ``ConfigReads``); not part of the value.
  var reads: ConfigReads?

  /// Every option set. Reading them all is consulting them all: a ``ConfigReads`` notes it.
  public var values: [String: ConfigValue] {
    reads?.noteAll()
    return storage
  }

  public init(_ values: [String: ConfigValue] = [:]) {
    var v: [String: ConfigValue] = [:]
    for (k, value) in values { v[Self.bareName(k)] = value }
    self.storage = v
  }

  public static func == (a: KernelConfig, b: KernelConfig) -> Bool { a.storage == b.storage }
  public func hash(into hasher: inout Hasher) { hasher.combine(storage) }

  /// The value of `name` without noting the lookup.
  func unnoted(_ name: String) -> ConfigValue? { storage[name] }

  /// A copy that notes each lookup in `reads`.
  func noting(into reads: ConfigReads) -> KernelConfig {
    var c = self
    c.reads = reads
    return c
  }

  /// Options that are on (`y`), given by name.
  public init(enabled names: [String]) {
    self.init(Dictionary(names.map { ($0, ConfigValue.yes) }, uniquingKeysWith: { $1 }))
  }

  /// Reads a `.config`: `CONFIG_X=y`, `CONFIG_S="text"`, `# CONFIG_X is not set`.
  public init(dotConfig text: String) {
    var v: [String: ConfigValue] = [:]
    for line in splitLines(text) {
      let t = line.trimmed
      if t.hasPrefix("# CONFIG_"), t.hasSuffix(" is not set") {
        let name = t.dropFirst(2).dropLast(" is not set".count)
        v[Self.bareName(String(name))] = .no
      } else if t.hasPrefix("CONFIG_"), let eq = t.firstIndex(of: "=") {
        v[Self.bareName(String(t[..<eq]))] = ConfigValue(parsing: String(t[t.index(after: eq)...]))
      }
    }
    storage = v
  }

  /// `CONFIG_FOO` → `FOO`; `FOO` stays.
  public static func bareName(_ name: String) -> String {
    name.hasPrefix("CONFIG_") ? String(name.dropFirst(7)) : name
  }

  public subscript(name: String) -> ConfigValue? {
    get {
      let n = Self.bareName(name)
      let v = storage[n]
      reads?.note(n, v)
      return v
    }
    set { storage[Self.bareName(name)] = newValue }
  }

  /// True for `y` and `m`, as `IS_ENABLED()` reads it.
  public func isEnabled(_ name: String) -> Bool {
    switch self[name] {
    case .yes, .module: true
    default: false
    }
  }

  /// True only for `y`, as `IS_BUILTIN()` and `#ifdef CONFIG_X` (for bool options) read it.
  public func isBuiltin(_ name: String) -> Bool { self[name] == .yes }

  /// An integer option's value (`CONFIG_FUNCTION_ALIGNMENT`), or nil.
  public func integer(_ name: String) -> Int? {
    if case .int(let n) = self[name] { return n }
    return nil
  }

  /// What `$(CONFIG_X)` expands to in make: `y`, `m`, the value, or empty when unset or `n`.
  public func makeValue(_ name: String) -> String {
    switch self[name] {
    case nil, .no?: ""
    case let v?: v.description
    }
  }

  /// A copy with `name` set to `value`.
  public func setting(_ name: String, _ value: ConfigValue) -> KernelConfig {
    var c = self
    c[name] = value
    return c
  }

  /// `CONFIG_A=y CONFIG_B=n …` sorted by name, for messages and test names.
  public var description: String {
    let all = values
    return all.keys.sorted().map { "CONFIG_\($0)=\(all[$0]?.description ?? "")" }
      .joined(separator: " ")
  }
}

/// The options a computation looked up, with the values it saw: a result kept for one
/// configuration holds for another that agrees on these (``ParseMemo``). Reading every
/// value (``KernelConfig/values``) is noted as depending on all of them.
final class ConfigReads: @unchecked Sendable {
  private let lock = NSLock()
  private var seen: [String: ConfigValue?] = [:]
  private var everything = false
  /// The reads of an enclosing computation, told of every lookup too: a cache inside another
  /// (one function's transition within the parse of its file) must not hide what it consulted.
  private let enclosing: ConfigReads?

  init(within enclosing: ConfigReads? = nil) { self.enclosing = enclosing }

  func note(_ name: String, _ value: ConfigValue?) {
    lock.lock()
    seen[name] = value
    lock.unlock()
    enclosing?.note(name, value)
  }

  func noteAll() {
    lock.lock()
    everything = true
    lock.unlock()
    enclosing?.noteAll()
  }

  /// Notes again, here and in the enclosing reads, what an earlier computation consulted
  /// (nil: everything): a kept result stands for the lookups it made.
  func replay(_ consulted: [String: ConfigValue?]?) {
    guard let consulted else { return noteAll() }
    for (name, value) in consulted { note(name, value) }
  }

  /// What was consulted; nil when everything was.
  var consulted: [String: ConfigValue?]? {
    lock.lock()
    defer { lock.unlock() }
    return everything ? nil : seen
  }
}
