import AArch64
import Diagnostics
import Foundation
import KernelSource

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

/// Which state of the callsite a picture shows.
public enum StateID: Hashable, Sendable, CustomStringConvertible {
  /// As the compiler emitted it.
  case compiled
  /// After `ftrace_init_nop` (boot or module load).
  case initialized
  /// Enabled, calling the core trampoline in BL range.
  case near
  /// Disabled again by `ftrace_make_nop`.
  case disabled
  /// Enabled with several ops on the site (the list ops).
  case list
  /// Enabled, the traced function in a module out of BL range of the trampoline.
  case far
  /// Enabled through `ftrace_regs_caller` (`FTRACE_REGS_ADDR`, WITH_REGS kernels): in BL
  /// range, and from a module function out of it (through the module's PLT entry for it).
  case regs, regsFar
  /// A direct-call trampoline in BL range, and one out of it.
  case directNear, directFar
  /// A trampoline of the design's own (not direct calls) in BL range, and one out of it.
  case trampolineNear, trampolineFar
  /// A direct trampoline at the last address BL reaches from the call slot (+128 MiB - 4), and
  /// at the first it does not (+128 MiB): the range test of the C at its edge.
  case directEdge, directBeyond
  /// The same for a trampoline of the design's own.
  case trampolineEdge, trampolineBeyond
  /// A state sketched in a message or a hand-written file, by its own name.
  case named(String)

  static let spellings: [(StateID, String)] = [
    (.compiled, "compiled"), (.initialized, "init"), (.near, "near"), (.disabled, "disabled"),
    (.list, "list"), (.far, "far"), (.regs, "regs"), (.regsFar, "regs-far"),
    (.directNear, "direct-near"), (.directFar, "direct-far"),
    (.trampolineNear, "tramp-near"), (.trampolineFar, "tramp-far"),
    (.directEdge, "direct-edge"), (.directBeyond, "direct-beyond"),
    (.trampolineEdge, "tramp-edge"), (.trampolineBeyond, "tramp-beyond"),
  ]

  /// The state named `name` as the reports spell it (`init`, `direct-far`, `b-disabled`).
  public init(_ name: String) {
    self = Self.spellings.first { $0.1 == name }?.0 ?? .named(name)
  }

  public var description: String {
    if case .named(let n) = self { return n }
    return Self.spellings.first { $0.0 == self }?.1 ?? "?"
  }
}

/// One state of the callsite: the full picture of its words, and the names it knows.
public struct LayoutState: Hashable, Sendable {
  public var id: StateID
  /// Ordered by offset, one entry per word.
  public var words: [LayoutWord]
  public var placement: PlacementKind
  /// The function symbol's address under the placement (an assumption).
  public var functionAddress: UInt64
  /// How the state was reached ("ftrace_make_call with addr = FTRACE_ADDR, near").
  public var note: String
  /// Every symbol the state's words may refer to, by name: the trampolines, the ops, the
  /// module PLT, the direct trampolines, a listing's labels.
  public var symbols: [String: UInt64]

  /// The name reports use (`init`, `direct-far`, `b-disabled`).
  public var name: String { id.description }

  public init(
    id: StateID, words: [LayoutWord], placement: PlacementKind, functionAddress: UInt64,
    note: String = "", symbols: [String: UInt64] = [:]
  ) {
    self.id = id
    self.words = words.sorted { $0.offset < $1.offset }
    self.placement = placement
    self.functionAddress = functionAddress
    self.note = note
    self.symbols = symbols
  }

  public init(
    name: String, words: [LayoutWord], placement: PlacementKind, functionAddress: UInt64,
    note: String = "", symbols: [String: UInt64] = [:]
  ) {
    self.init(
      id: StateID(name), words: words, placement: placement, functionAddress: functionAddress,
      note: note, symbols: symbols)
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
  public var from: StateID
  public var to: StateID
  /// The ftrace.c function (or prose) that performs it.
  public var function: String
  public var writes: [LayoutWrite]
  /// Whether other CPUs may be executing the function while the writes happen.
  public var concurrent: Bool
  public var location: SourceLocation?

  public init(
    from: StateID, to: StateID, function: String, writes: [LayoutWrite], concurrent: Bool,
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

/// The configuration a layout was rebuilt in.
public struct LayoutConfiguration: Hashable, Sendable {
  /// `DYNAMIC_FTRACE DYNAMIC_FTRACE_WITH_CALL_OPS ARM64_BTI_KERNEL`, or `prose`,
  /// `hand-written`, `none` for layouts that were not rebuilt from a tree.
  public var name: String
  /// The options the pipeline turned on, in order (`DYNAMIC_FTRACE_WITH_CALL_OPS`).
  public var options: [String]
  /// Whether the kernel is built with BTI (`ARM64_BTI_KERNEL`).
  public var bti: Bool?
  /// The options shown for it (ftrace, BTI, alignment, PLTs), by name, as `y`, `n`, numbers.
  public var shown: [ShownOption]

  public struct ShownOption: Hashable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  public init(
    name: String, options: [String] = [], bti: Bool? = nil, shown: [ShownOption] = []
  ) {
    self.name = name
    self.options = options
    self.bti = bti
    self.shown = shown
  }

  /// Whether two layouts were rebuilt under the same choices (the same options turned on and
  /// the same BTI setting), whatever the names say: how versions are matched for the range-diff.
  public func sameChoices(as other: LayoutConfiguration) -> Bool {
    Set(options) == Set(other.options) && bti == other.bti
  }
}

/// Something a layout rests on that the files do not say: an address, an alignment, a
/// compiler's behaviour, a default. Findings cite these.
public struct Assumption: Hashable, Sendable, CustomStringConvertible {
  public enum Kind: String, Hashable, Sendable {
    /// Where something is placed in the address space.
    case address
    /// How a function or literal is aligned.
    case alignment
    /// What the compiler emits or supports.
    case compiler
    /// The configuration or an option taken as set.
    case configuration
    /// A file the tree does not have, or a constant not read from one.
    case source
    /// How ftrace.c was read (a helper followed, a substitution the C makes).
    case model
  }
  public var kind: Kind
  public var text: String
  public var location: SourceLocation?
  /// What it is about, when it stands for facts the files do not show: the flags
  /// (`-fpatchable-function-entry`) or `ftrace.c` functions taken from the era's defaults.
  public var subjects: [String]

  public init(
    _ kind: Kind, _ text: String, at location: SourceLocation? = nil, subjects: [String] = []
  ) {
    self.kind = kind
    self.text = text
    self.location = location
    self.subjects = subjects
  }

  /// Whether this is an era default standing in for something the hunks do not show.
  public var isEraDefault: Bool { !subjects.isEmpty }

  public var description: String { text }
}

/// The callsite a series version proposes, in one configuration: states, transitions,
/// trampolines, and everything assumed on the way.
public struct Layout: Hashable, Sendable {
  /// Series version (nil for a tree or a hand-written file).
  public var version: Int?
  /// The patch, message or file it came from.
  public var source: String
  public var configuration: LayoutConfiguration
  public var states: [LayoutState]
  public var transitions: [LayoutTransition]
  public var trampolines: [Trampoline]
  /// `entry-ftrace.S` assembled and linked at the assumed address: every trampoline's words,
  /// for the emulator. Nil when the file is missing or could not be assembled.
  public var entryObject: AssembledObject?
  /// The direct trampolines the direct states call (`DirectTrampoline`), in and out of BL
  /// range, linked at their assumed addresses. Nil when no state calls one.
  public var directObject: AssembledObject?
  /// `rec->ip` (the adjusted record) as an offset from the function symbol.
  public var recordOffset: Int?
  /// The `__patchable_function_entries` address as an offset from the function symbol (in the
  /// mcount era, the `__mcount_loc` record: the `bl _mcount`).
  public var patchEntryOffset: Int?
  /// The `-pg` callsite, when the layout is of the mcount era: the compiled words build the
  /// frame record before the call, so the body after them only undoes it.
  public var mcount: McountCallsite?
  /// Everything assumed.
  public var assumptions: [Assumption]
  /// Facts the checks will use ("the literal at f-16 is not 8-byte aligned").
  public var diagnostics: [Diagnostic]
  /// What changed since the previous version of the series under the same configuration.
  public var changes: LayoutChanges?
  /// The flags and configuration it was built with, and what the Kconfig says about other
  /// compilers and options; nil for a sketched or hand-written layout.
  public var build: BuildFacts?

  /// The configuration's name (`DYNAMIC_FTRACE_WITH_CALL_OPS ARM64_BTI_KERNEL`).
  public var configName: String { configuration.name }

  public init(
    version: Int? = nil, source: String, configuration: LayoutConfiguration,
    states: [LayoutState] = [], transitions: [LayoutTransition] = [],
    trampolines: [Trampoline] = [], recordOffset: Int? = nil, patchEntryOffset: Int? = nil,
    assumptions: [Assumption] = [], diagnostics: [Diagnostic] = []
  ) {
    self.version = version
    self.source = source
    self.configuration = configuration
    self.states = states
    self.transitions = transitions
    self.trampolines = trampolines
    self.recordOffset = recordOffset
    self.patchEntryOffset = patchEntryOffset
    self.assumptions = assumptions
    self.diagnostics = diagnostics
  }

  public func state(_ name: String) -> LayoutState? { states.first { $0.name == name } }
  public func state(_ id: StateID) -> LayoutState? { states.first { $0.id == id } }

  /// Adds `a` unless an assumption with the same text is there.
  public mutating func assume(_ a: Assumption) {
    if !assumptions.contains(where: { $0.text == a.text }) { assumptions.append(a) }
  }
}

/// The build a layout was rebuilt for: the evaluated flags, the configuration values, and
/// the Kconfig's answer for the same configuration under other compilers or with kCFI on.
public struct BuildFacts: Hashable, Sendable {
  public var flags: FtraceBuildFlags?
  public var config: KernelConfig
  /// The flags taken from the era's defaults (`-fpatchable-function-entry`, …).
  public var defaulted: [String]
  /// Why the Kconfig does not allow this configuration with the assumed compiler (a failing
  /// `depends on` of an option turned on), empty when it does.
  public var rejections: [Diagnostic]
  /// The same configuration asked of the Kconfig under each probed compiler, and with
  /// `CFI_CLANG` on when the Kconfig knows it.
  public var probes: [Probe]
  /// Options turned on that the Kconfig files read do not define: taken as set, their
  /// dependencies unchecked.
  public var undefinedOptions: [String] = []

  /// One question put to the Kconfig: would this configuration build with a different compiler
  /// or option, and which patchable entry it gets.
  public struct Probe: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
      case toolchain(ToolchainProbe)
      /// `CFI_CLANG=y` with the assumed compiler.
      case cfiClang
    }
    public var kind: Kind
    /// Whether the Kconfig allows the configuration (every option still on, none rejected).
    public var allowed: Bool
    /// Why it does not.
    public var rejections: [Diagnostic]
    /// The patchable entry the Makefiles give it, when allowed.
    public var patchableEntry: FtraceBuildFlags.PatchableEntry?

    public init(
      kind: Kind, allowed: Bool, rejections: [Diagnostic] = [],
      patchableEntry: FtraceBuildFlags.PatchableEntry? = nil
    ) {
      self.kind = kind
      self.allowed = allowed
      self.rejections = rejections
      self.patchableEntry = patchableEntry
    }
  }

  public init(
    flags: FtraceBuildFlags?, config: KernelConfig, defaulted: [String] = [],
    rejections: [Diagnostic] = [], probes: [Probe] = []
  ) {
    self.flags = flags
    self.config = config
    self.defaulted = defaulted
    self.rejections = rejections
    self.probes = probes
  }

  /// The compiler the configuration assumes (`Clang 18.0`), or nil.
  public var compiler: String? { ToolchainProbe.compiler(of: config) }
}

/// The catalogue of the diagnostics layouts carry: one stable ID per fact. The ones marked
/// "check" become findings of the checks; until then they are reported here.
public enum LayoutMessage {
  /// Something the builder cannot model (with the file and line it is about).
  public static let couldNotModel: MessageID = "layout.could-not-model"
  /// Check: a 64-bit literal written at an address that is not 8-byte aligned.
  public static let literalMisaligned: MessageID = "layout.literal-misaligned"
  /// A 64-bit literal that is 8-byte aligned only under the assumed placement (no alignment
  /// flag guarantees it).
  public static let literalAlignmentAssumed: MessageID = "layout.literal-alignment-assumed"
  /// Check: a validated write whose expected old word is not what the state holds.
  public static let validationMismatch: MessageID = "layout.validation-mismatch"
  /// Check: a branch the generator cannot encode (out of range): the kernel writes a BRK.
  public static let branchOutOfRange: MessageID = "layout.branch-out-of-range"
  /// Check: a write outside the compiled patch area (into the previous function).
  public static let writeOutsidePatchArea: MessageID = "layout.write-outside-patch-area"
  /// Check: `ftrace_modify_call` from near does not give the state `ftrace_make_call` gives.
  public static let modifyCallDisagrees: MessageID = "layout.modify-call-disagrees"
  /// GCC's placement puts the function symbol at 4 mod 8 (pre-entry NOPs after `.p2align 3`).
  public static let symbolAlignment: MessageID = "layout.symbol-alignment"
  /// `ftrace_call_adjust` returns 0 for the compiled layout: the record is dropped.
  public static let recordDropped: MessageID = "layout.record-dropped"
  /// A version with no post-image: only its sketched layouts are shown.
  public static let noPostImage: MessageID = "layout.no-post-image"
  /// A post-image where a patch did not apply fully.
  public static let partialPostImage: MessageID = "layout.partial-post-image"
  /// A sketched listing whose pre-entry words do not number what the message's
  /// `-fpatchable-function-entry=N,M` gives.
  public static let listingDisagreesWithFlags: MessageID = "layout.listing-disagrees-with-flags"
  /// A syntax problem in a hand-written layout file.
  public static let syntax: MessageID = "layout.syntax"

  /// Every ID above, for the catalogue listing and its test.
  public static let all: [MessageID] = [
    couldNotModel, literalMisaligned, literalAlignmentAssumed, validationMismatch,
    branchOutOfRange, writeOutsidePatchArea, modifyCallDisagrees, symbolAlignment, recordDropped,
    noPostImage, partialPostImage, listingDisagreesWithFlags, syntax,
  ]
}

/// Encoding and printing words with the project's encoder, decoder and printer.
public enum Words {
  public static let nop: UInt32 = 0xd503_201f
  /// `ret`.
  public static let ret: UInt32 = 0xd65f_03c0
  public static let paciasp: UInt32 = 0xd503_233f
  public static let pacibsp: UInt32 = 0xd503_237f

  /// PACIASP or PACIBSP: the hints that sign X30 against SP.
  public static func isPACSign(_ w: UInt32) -> Bool { w == paciasp || w == pacibsp }
  /// `AARCH64_BREAK_FAULT`: `brk #0x100`, what `aarch64_insn_gen_*` return on failure.
  public static let breakFault: UInt32 = 0xd420_2000

  /// objdump's text of `w` at `pc`, tab as one space, `<name>` after a known target.
  public static func text(_ w: UInt32, at pc: UInt64, symbols: [UInt64: String] = [:]) -> String {
    let r = A64.decode(w)
    var bytes: [UInt8] = []
    A64.print(r, pc: pc, into: &bytes)
    for k in bytes.indices where bytes[k] == 0x09 { bytes[k] = 0x20 }
    var s = String(decoding: bytes, as: UTF8.self)
    if let t = branchTarget(r, pc: pc), let name = symbols[t] { s += " <\(name)>" }
    return s
  }

  /// The address a PC-relative instruction refers to: a branch's target, a literal load's
  /// literal, ADR's address, ADRP's page.
  public static func branchTarget(_ r: DecodeResult, pc: UInt64) -> UInt64? {
    guard let i = r.instruction else { return nil }
    let offset: BranchOffset
    switch i {
    case .branch(_, let o), .branchConditional(_, let o), .compareAndBranch(_, _, let o),
      .testAndBranch(_, _, _, let o), .pcRelative(_, let o), .loadLiteral(_, _, let o),
      .prefetchLiteral(_, let o):
      offset = o
    default: return nil
    }
    let base = offset.width == .adrp21 ? pc & ~0xfff : pc
    return base &+ UInt64(bitPattern: offset.bytes)
  }

  public static func hex(_ v: UInt64, digits: Int = 16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
  }
}
