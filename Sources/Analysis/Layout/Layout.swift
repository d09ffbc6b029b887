import AArch64
import Diagnostics
import Foundation

/// What a word of the callsite holds.
public enum WordKind: String, Sendable, Hashable {
  /// An instruction word.
  case insn
  /// Half of a 64-bit literal (low word first, as it lies in memory).
  case literal
  /// Alignment fill that is not part of the patch area.
  case padding
}

/// One 32-bit word of the callsite, at a byte offset from the function symbol.
public struct LayoutWord: Hashable, Sendable {
  /// Bytes from the function symbol; negative before it (pre-entry).
  public var offset: Int
  public var word: UInt32
  public var kind: WordKind
  /// Disassembly in objdump syntax at the word's address, `<symbol>` after branch targets;
  /// `.quad sym (low)`/`(high)` for literal halves.
  public var text: String
  /// The symbol a branch targets or a literal holds, when known.
  public var symbol: String?

  public init(offset: Int, word: UInt32, kind: WordKind, text: String, symbol: String? = nil) {
    self.offset = offset
    self.word = word
    self.kind = kind
    self.text = text
    self.symbol = symbol
  }
}

/// Where a state's function is placed: core kernel text, or a module far from it.
public enum PlacementKind: String, Sendable, Hashable {
  case core
  case module
}

/// One named state of the callsite: the full picture of its words.
public struct LayoutState: Hashable, Sendable {
  public var name: String
  /// Ordered by offset, one entry per word.
  public var words: [LayoutWord]
  public var placement: PlacementKind
  /// The function symbol's address under the placement (an assumption).
  public var functionAddress: UInt64
  /// How the state was reached ("ftrace_make_call with addr = FTRACE_ADDR, near").
  public var note: String

  public init(
    name: String, words: [LayoutWord], placement: PlacementKind, functionAddress: UInt64,
    note: String = ""
  ) {
    self.name = name
    self.words = words.sorted { $0.offset < $1.offset }
    self.placement = placement
    self.functionAddress = functionAddress
    self.note = note
  }

  public func word(at offset: Int) -> LayoutWord? { words.first { $0.offset == offset } }

  /// The address of `offset` under this state's placement.
  public func address(_ offset: Int) -> UInt64 {
    functionAddress &+ UInt64(bitPattern: Int64(offset))
  }

  /// Puts `w` in place of the word at its offset (or adds it).
  public mutating func set(_ w: LayoutWord) {
    if let i = words.firstIndex(where: { $0.offset == w.offset }) {
      words[i] = w
    } else {
      words.append(w)
      words.sort { $0.offset < $1.offset }
    }
  }
}

/// The kernel interface a write goes through.
public enum WriteAPI: String, Sendable, Hashable {
  /// `aarch64_insn_patch_text_nosync`: one word, cache maintenance, no IPI.
  case patchTextNosync = "patch_text_nosync"
  /// `aarch64_insn_patch_text` under stop_machine.
  case patchText = "patch_text"
  /// `aarch64_insn_write_literal_u64`: one 64-bit data store.
  case writeLiteralU64 = "write_literal_u64"
  /// Written while nothing can run the function (boot, module load).
  case initTime = "init-time"
}

/// One write of a transition.
public struct LayoutWrite: Hashable, Sendable {
  public var offset: Int
  public var old: UInt64
  public var new: UInt64
  /// 4 (instruction word) or 8 (64-bit literal).
  public var width: Int
  public var api: WriteAPI
  /// The kernel function that performs it (`aarch64_insn_patch_text_nosync`…).
  public var function: String
  /// The new value's text.
  public var text: String
  public var location: SourceLocation?

  public init(
    offset: Int, old: UInt64, new: UInt64, width: Int, api: WriteAPI, function: String,
    text: String, location: SourceLocation?
  ) {
    self.offset = offset
    self.old = old
    self.new = new
    self.width = width
    self.api = api
    self.function = function
    self.text = text
    self.location = location
  }
}

/// The writes that take the callsite from one state to another, in order.
public struct LayoutTransition: Hashable, Sendable {
  public var from: String
  public var to: String
  /// The ftrace.c function (or prose) that performs it.
  public var function: String
  public var writes: [LayoutWrite]
  /// Whether other CPUs may be executing the function while the writes happen.
  public var concurrent: Bool
  public var location: SourceLocation?

  public init(
    from: String, to: String, function: String, writes: [LayoutWrite], concurrent: Bool,
    location: SourceLocation?
  ) {
    self.from = from
    self.to = to
    self.function = function
    self.writes = writes
    self.concurrent = concurrent
    self.location = location
  }
}

/// A trampoline found in the post-image `entry-ftrace.S`.
public struct Trampoline: Hashable, Sendable {
  public var name: String
  /// `func`, `code`, `inner`, `alias` (as `AsmSymbol.Kind`).
  public var kind: String
  public var location: SourceLocation
  /// The assumed address (when assembled and placed).
  public var address: UInt64?
  /// The first word, when the file could be assembled.
  public var firstWord: UInt32?
  public var firstText: String?
  /// `bti c`, `bti j`, `bti jc`, `bti`, or nil when the first word is not a landing pad (or
  /// unknown).
  public var landingPad: String?

  public init(
    name: String, kind: String, location: SourceLocation, address: UInt64? = nil,
    firstWord: UInt32? = nil, firstText: String? = nil, landingPad: String? = nil
  ) {
    self.name = name
    self.kind = kind
    self.location = location
    self.address = address
    self.firstWord = firstWord
    self.firstText = firstText
    self.landingPad = landingPad
  }
}

/// The callsite a series version proposes, in one configuration: states, transitions,
/// trampolines, and everything assumed on the way.
public struct Layout: Sendable {
  /// Series version (nil for a tree or a hand-written file).
  public var version: Int?
  /// The patch, message or file it came from.
  public var source: String
  /// The configuration's name (`DYNAMIC_FTRACE_WITH_CALL_OPS ARM64_BTI_KERNEL`).
  public var configName: String
  /// The options assumed, by name (`CONFIG_` dropped), as `y`, `n`, numbers or strings.
  public var config: [(name: String, value: String)]
  public var states: [LayoutState]
  public var transitions: [LayoutTransition]
  public var trampolines: [Trampoline]
  /// `rec->ip` (the adjusted record) as an offset from the function symbol.
  public var recordOffset: Int?
  /// The `__patchable_function_entries` address as an offset from the function symbol.
  public var patchEntryOffset: Int?
  /// Everything assumed, in plain words.
  public var assumptions: [String]
  /// Facts later checks may use ("the literal at f-16 is not 8-byte aligned").
  public var diagnostics: [Diagnostic]
  /// What changed since the previous version of the series under the same configuration.
  public var changes: LayoutChanges?

  public init(
    version: Int? = nil, source: String, configName: String = "",
    config: [(name: String, value: String)] = [], states: [LayoutState] = [],
    transitions: [LayoutTransition] = [], trampolines: [Trampoline] = [],
    recordOffset: Int? = nil, patchEntryOffset: Int? = nil, assumptions: [String] = [],
    diagnostics: [Diagnostic] = []
  ) {
    self.version = version
    self.source = source
    self.configName = configName
    self.config = config
    self.states = states
    self.transitions = transitions
    self.trampolines = trampolines
    self.recordOffset = recordOffset
    self.patchEntryOffset = patchEntryOffset
    self.assumptions = assumptions
    self.diagnostics = diagnostics
  }

  public func state(_ name: String) -> LayoutState? { states.first { $0.name == name } }
}

/// Stable identifiers of the diagnostics layouts carry.
public enum LayoutMessage {
  /// Something the builder cannot model (with the file and line it is about).
  public static let couldNotModel: MessageID = "layout.could-not-model"
  /// A 64-bit literal the layout writes at an address that is not 8-byte aligned.
  public static let literalMisaligned: MessageID = "layout.literal-misaligned"
  /// A validated write whose expected old word is not what the state holds.
  public static let validationMismatch: MessageID = "layout.validation-mismatch"
  /// A branch the generator cannot encode (out of range): the kernel writes a BRK.
  public static let branchOutOfRange: MessageID = "layout.branch-out-of-range"
  /// A fact about the layout worth a later check.
  public static let fact: MessageID = "layout.fact"
  /// A syntax problem in a hand-written layout file.
  public static let syntax: MessageID = "layout.syntax"
}

/// Encoding words with the project's encoder.
public enum Words {
  public static let nop: UInt32 = 0xd503_201f
  /// `AARCH64_BREAK_FAULT`: `brk #0x100`, what `aarch64_insn_gen_*` return on failure.
  public static let breakFault: UInt32 = 0xd420_2000

  /// Encodes one line of GNU as syntax at `pc` (absolute targets as C numbers).
  public static func assemble(_ text: String, at pc: UInt64) -> UInt32? {
    guard let i = try? A64.parse(text, pc: pc, syntax: .gnu) else { return nil }
    return try? A64.encode(i)
  }

  /// objdump's text of `w` at `pc`, tab as one space, `<name>` after a known target.
  public static func text(_ w: UInt32, at pc: UInt64, symbols: [UInt64: String] = [:]) -> String {
    let r = A64.decode(w)
    var s = A64.print(r, pc: pc).replacingOccurrences(of: "\t", with: " ")
    if let t = branchTarget(r, pc: pc), let name = symbols[t] { s += " <\(name)>" }
    return s
  }

  /// The target of a PC-relative branch or literal load.
  public static func branchTarget(_ r: DecodeResult, pc: UInt64) -> UInt64? {
    guard let i = r.instruction else { return nil }
    let text = A64.print(i, pc: pc)
    let m = text.split(separator: "\t")
    guard m.count == 2 else { return nil }
    let mnemonic = m[0]
    guard
      ["b", "bl", "adr", "ldr", "cbz", "cbnz", "tbz", "tbnz"].contains(mnemonic)
        || mnemonic.hasPrefix("b.")
    else { return nil }
    guard let last = m[1].split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
      let v = UInt64(last, radix: 16)
    else { return nil }
    return v
  }

  public static func hex(_ v: UInt64, digits: Int = 16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
  }
}
