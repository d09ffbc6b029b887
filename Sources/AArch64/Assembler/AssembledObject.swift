import Diagnostics

/// The result of assembling one GNU-as-syntax file: sections of items, pending relocations and
/// the symbols defined or declared.
///
/// Addresses are section offsets until `link(bases:symbols:)` places the sections. Words of
/// instructions whose target lies in the same section are final; the rest carry a
/// `Relocation` and a zero field, as in an ELF relocatable object (`as -o x.o`).
public struct AssembledObject: Sendable, Hashable {
  public var sections: [Section]
  public var symbols: [Symbol]

  public init(sections: [Section], symbols: [Symbol]) {
    self.sections = sections
    self.symbols = symbols
  }

  /// The section called `name`, if the file used it.
  public func section(_ name: String) -> Section? { sections.first { $0.name == name } }
}

/// One output section (`.text`, `.data`, `.section .rodata`…).
public struct Section: Sendable, Hashable {
  public var name: String
  /// Where `link` places it; 0 until then (`--at ADDR` sets `.text`'s base).
  public var base: UInt64
  /// True for code sections (`.text*`, or `.section` with the `x` flag): alignment pads with NOP.
  public var executable: Bool
  public var items: [Item]
  /// The contents as bytes, when the object was assembled without a listing
  /// (`Assembler.assemble(mapping:file:listing: false)`): then `items` is empty and this holds
  /// what the items would have written, as `bytes` gives it.
  public var image: [UInt8]?
  public var relocations: [Relocation]

  public init(
    name: String, base: UInt64 = 0, executable: Bool, items: [Item] = [],
    image: [UInt8]? = nil, relocations: [Relocation] = []
  ) {
    self.name = name
    self.base = base
    self.executable = executable
    self.items = items
    self.image = image
    self.relocations = relocations
  }

  /// The section's size in bytes.
  public var size: Int {
    if let image { return image.count }
    guard let last = items.last else { return 0 }
    return last.offset + last.size
  }

  /// The section's contents, little-endian, as `objcopy -O binary -j NAME` writes them.
  public var bytes: [UInt8] {
    if let image { return image }
    var out = [UInt8](repeating: 0, count: size)
    write(into: &out, at: 0)
    return out
  }

  /// Writes the section's contents into `out` from index `start` (which must have room for
  /// `size` bytes); bytes no item covers are left as they are.
  public func write(into out: inout [UInt8], at start: Int) {
    if let image {
      precondition(start >= 0 && start <= out.count - image.count, "section outside the output")
      out.withUnsafeMutableBytes { o in
        image.withUnsafeBytes {
          UnsafeMutableRawBufferPointer(rebasing: o[start..<(start + $0.count)]).copyMemory(
            from: $0)
        }
      }
      return
    }
    // Items are read in place (copying one would retain its text) and written in order straight
    // into the buffer; anything not inside `out` afterwards, as before (it traps there).
    var rest: [Int] = []
    items.withUnsafeBufferPointer { items in
      out.withUnsafeMutableBytes { bytes in
        for i in items.indices {
          let at = start &+ items[i].offset
          switch items[i].kind {
          case .insn(let w) where at >= 0 && at <= bytes.count - 4:
            bytes.storeBytes(of: w.littleEndian, toByteOffset: at, as: UInt32.self)
          case .data(let b) where at >= 0 && at <= bytes.count - b.count:
            for (k, byte) in b.enumerated() { bytes[at + k] = byte }
          default:
            rest.append(i)
          }
        }
      }
    }
    for i in rest {
      let item = items[i]
      let at = start + item.offset
      switch item.kind {
      case .insn(let w):
        for k in 0..<4 { out[at + k] = UInt8(truncatingIfNeeded: w >> (8 * UInt32(k))) }
      case .data(let b):
        out.replaceSubrange(at..<(at + b.count), with: b)
      }
    }
  }
}

/// One instruction or data item at a section offset.
public struct Item: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// A 32-bit instruction word (`.inst` too).
    case insn(UInt32)
    /// Data bytes in memory order (`.quad`, `.byte`, `.ascii`, alignment fill…).
    case data([UInt8])
  }

  public var offset: Int
  public var kind: Kind
  /// Line and column of `source`; the file name lives in `storedText`'s shared buffer, so an
  /// item is 48 bytes instead of 72 and copying one retains a single object.
  var line: Int32
  var column: Int32
  /// The text as a slice of the assembled source (no allocation per item).
  var storedText: TextSlice

  /// Where the statement was written (line and column are kept as 32-bit values).
  public var source: SourceLocation {
    get { SourceLocation(file: storedText.storage.file, line: Int(line), column: Int(column)) }
    set {
      line = Int32(clamping: newValue.line)
      column = Int32(clamping: newValue.column)
      if newValue.file != storedText.storage.file {
        storedText = TextSlice(storedText.string, file: newValue.file)
      }
    }
  }

  /// The statement as written, without comments and surrounding blanks.
  public var text: String {
    get { storedText.string }
    set { storedText = TextSlice(newValue, file: storedText.storage.file) }
  }

  public init(offset: Int, kind: Kind, source: SourceLocation, text: String) {
    self.offset = offset
    self.kind = kind
    self.line = Int32(clamping: source.line)
    self.column = Int32(clamping: source.column)
    self.storedText = TextSlice(text, file: source.file)
  }

  /// An item whose file name is the one of `text`'s buffer.
  init(offset: Int, kind: Kind, line: Int32, column: Int32, text: TextSlice) {
    self.offset = offset
    self.kind = kind
    self.line = line
    self.column = column
    self.storedText = text
  }

  public static func == (a: Item, b: Item) -> Bool {
    a.offset == b.offset && a.kind == b.kind && a.line == b.line && a.column == b.column
      && a.storedText.storage.file == b.storedText.storage.file && a.storedText == b.storedText
  }

  public func hash(into h: inout Hasher) {
    h.combine(offset)
    h.combine(kind)
    h.combine(line)
    h.combine(column)
    h.combine(storedText.storage.file)
    h.combine(storedText)
  }

  /// Bytes the item occupies.
  public var size: Int {
    switch kind {
    case .insn: 4
    case .data(let b): b.count
    }
  }

  /// The instruction word, or nil for data.
  public var word: UInt32? {
    if case .insn(let w) = kind { return w }
    return nil
  }
}

/// The bytes of one assembled source and its file name, shared by all items' text slices.
final class SharedSource: Sendable {
  let bytes: SourceBytes
  let file: String
  init(bytes: SourceBytes, file: String) {
    self.bytes = bytes
    self.file = file
  }
}

/// A range of UTF-8 bytes in a shared buffer; equal and hashed by content (the file name is
/// carried along for `Item.source` and is not part of the slice's value).
struct TextSlice: Sendable, Hashable {
  var storage: SharedSource
  var start: Int32
  var end: Int32

  init(_ s: String, file: String) {
    let b = Array(s.utf8)
    storage = SharedSource(bytes: SourceBytes(b), file: file)
    start = 0
    end = Int32(b.count)
  }

  init(storage: SharedSource, start: Int, end: Int) {
    self.storage = storage
    self.start = Int32(start)
    self.end = Int32(end)
  }

  /// The slice's bytes, for `body` to read.
  func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    storage.bytes.withUnsafeBufferPointer {
      body(UnsafeBufferPointer(rebasing: $0[Int(start)..<Int(end)]))
    }
  }

  var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

  static func == (a: TextSlice, b: TextSlice) -> Bool {
    a.withBytes { x in b.withBytes { y in x.elementsEqual(y) } }
  }

  func hash(into h: inout Hasher) {
    h.combine(end - start)
    withBytes { for c in $0 { h.combine(c) } }
  }
}

/// The ELF relocation types the assembler emits (AArch64 ELF ABI names without `R_AARCH64_`).
///
/// LLVM fixups: `fixup_aarch64_pcrel_call26`, `_branch26`, `_pcrel_branch19`, `_pcrel_branch14`,
/// `_ldr_pcrel_imm19`, `_pcrel_adr_imm21`, `_pcrel_adrp_imm21`, `_add_imm12`,
/// `_ldst_imm12_scale{1,2,4,8,16}`, `FK_Data_8/4/2`, `FK_Data_4` pc-relative.
public enum RelocationType: String, Sendable, Hashable, CaseIterable {
  case abs64 = "ABS64"
  case abs32 = "ABS32"
  case abs16 = "ABS16"
  case prel64 = "PREL64"
  case prel32 = "PREL32"
  case prel16 = "PREL16"
  case ldPrelLo19 = "LD_PREL_LO19"
  case adrPrelLo21 = "ADR_PREL_LO21"
  case adrPrelPgHi21 = "ADR_PREL_PG_HI21"
  case addAbsLo12NC = "ADD_ABS_LO12_NC"
  case ldst8AbsLo12NC = "LDST8_ABS_LO12_NC"
  case ldst16AbsLo12NC = "LDST16_ABS_LO12_NC"
  case ldst32AbsLo12NC = "LDST32_ABS_LO12_NC"
  case ldst64AbsLo12NC = "LDST64_ABS_LO12_NC"
  case ldst128AbsLo12NC = "LDST128_ABS_LO12_NC"
  case tstbr14 = "TSTBR14"
  case condbr19 = "CONDBR19"
  case jump26 = "JUMP26"
  case call26 = "CALL26"

  /// The full ELF name, as `readelf -r` prints it: `R_AARCH64_CALL26`.
  public var elfName: String { "R_AARCH64_" + rawValue }
}

/// A reference that a layout resolves: patch `type` at `offset` with `symbol + addend`.
///
/// As in ELF, references to local labels are made against the section (`symbol` is the section
/// name, `sectionRelative` true, `addend` the label's offset plus the written addend); references
/// to global, weak or undefined symbols keep the symbol name.
public struct Relocation: Sendable, Hashable {
  public var offset: Int
  public var type: RelocationType
  public var symbol: String
  public var sectionRelative: Bool
  public var addend: Int64
  /// The statement that asked for it.
  public var source: SourceLocation

  public init(
    offset: Int, type: RelocationType, symbol: String, sectionRelative: Bool = false,
    addend: Int64, source: SourceLocation
  ) {
    self.offset = offset
    self.type = type
    self.symbol = symbol
    self.sectionRelative = sectionRelative
    self.addend = addend
    self.source = source
  }
}

/// A symbol the file defines (a label, an `.equ`) or declares (`.globl`, `.weak` of an
/// undefined name).
public struct Symbol: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable {
    /// A label with no `.type`.
    case label
    /// `.type sym, %function`.
    case function
    /// `.type sym, %object`.
    case object
    /// `.equ`/`.set` value; `offset` holds it.
    case constant
    /// Declared (`.globl`, `.weak`) but not defined here.
    case undefined
  }

  public var name: String
  /// Section name, nil for constants and undefined symbols.
  public var section: String?
  /// Offset in the section (the value for constants).
  public var offset: Int64
  /// `.size sym, expr`, if given.
  public var size: Int64?
  public var global: Bool
  public var weak: Bool
  public var kind: Kind

  public init(
    name: String, section: String?, offset: Int64, size: Int64? = nil, global: Bool,
    weak: Bool = false, kind: Kind
  ) {
    self.name = name
    self.section = section
    self.offset = offset
    self.size = size
    self.global = global
    self.weak = weak
    self.kind = kind
  }
}

/// Why a file could not be assembled: a stable id, the `file:line:column` and a reason.
///
/// Ids: `asm.syntax`, `asm.unknown-mnemonic`, `asm.operands`, `asm.encoding` (with the
/// encoder's `EncodingError`), `asm.expression`, `asm.undefined-symbol`, `asm.redefined-symbol`,
/// `asm.unsupported`.
public struct AssemblyError: Error, Sendable, Hashable, CustomStringConvertible {
  public var id: MessageID
  public var location: SourceLocation
  public var message: String
  public var encoding: EncodingError?

  public init(
    _ id: MessageID, at location: SourceLocation, _ message: String, encoding: EncodingError? = nil
  ) {
    self.id = id
    self.location = location
    self.message = message
    self.encoding = encoding
  }

  /// `file:line:column: message`.
  public var description: String { "\(location): \(message)" }

  /// The same problem as the `InputError` the CLI reports (exit 2).
  public var inputError: InputError { InputError(id, at: location, message) }
}
