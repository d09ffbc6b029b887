import AArch64
import Diagnostics

/// `patchsite asm`'s output: the listing of an assembled, linked object (address, word,
/// disassembly, pending relocation) as text or JSON, and its linked image.
public enum AsmListing {
  public enum Format: Sendable, Hashable {
    case text, json
  }

  /// The linked image of `bytes`: from the lowest section address to the end of the highest
  /// section, every section's bytes at its address and zeros between (objcopy -O binary).
  public static func image(_ linked: AssembledObject, file: String) throws(InputError) -> [UInt8] {
    let placed = linked.sections.filter { $0.size > 0 }
    guard let low = placed.map(\.base).min() else { return [] }
    let high = placed.map { $0.base &+ UInt64($0.size) }.max() ?? low
    guard high &- low <= 1 << 32 else {
      throw InputError(
        "cli.image-too-large", at: SourceLocation(file: file),
        "the sections span \(high &- low) bytes (more than 4 GiB): place them closer with --at")
    }
    var out = [UInt8](repeating: 0, count: Int(high &- low))
    for section in placed {
      section.write(into: &out, at: Int(section.base &- low))
    }
    return out
  }

  /// The whole listing of `linked` in `format`, as one string.
  public static func listing(_ linked: AssembledObject, format: Format) -> String {
    var all: [UInt8] = []
    list(linked, format: format) { all.append(contentsOf: $0) }
    return String(decoding: all, as: UTF8.self)
  }

  /// Hands the listing of `linked` in `format` to `emit`, piece by piece in order; large
  /// sections are listed on every core (`BatchedListing`), with the same output.
  public static func list(_ linked: AssembledObject, format: Format, emit: ([UInt8]) -> Void) {
    var head = ByteOutput()
    if format == .json { head.append("[") }
    var first = true
    let nonEmpty = linked.sections.filter { !$0.items.isEmpty }
    for section in nonEmpty {
      // Relocations in offset order; each batch starts at its first item's offset.
      let pending = section.relocations.sorted { $0.offset < $1.offset }
      if format == .text && nonEmpty.count > 1 {
        head.append(first ? "" : "\n")
        head.append(section.name)
        head.append(":\n")
      }
      emit(head.bytes)
      head.bytes.removeAll(keepingCapacity: true)
      let items = section.items
      let sectionFirst = first
      BatchedListing.run(count: items.count) { range, cache, out in
        listItems(
          items[range], of: section, relocations: pending,
          from: firstRelocation(in: pending, atOrAfter: items[range.lowerBound].offset),
          format: format, first: sectionFirst && range.lowerBound == 0, cache: &cache,
          into: &out)
      } emit: {
        emit($0)
      }
      first = false
    }
    if format == .json { emit(Array((first ? "]\n" : "\n]\n").utf8)) }
  }

  /// The index of the first relocation at or after `offset` in `pending` (sorted by offset).
  static func firstRelocation(in pending: [Relocation], atOrAfter offset: Int) -> Int {
    var low = 0
    var high = pending.count
    while low < high {
      let mid = (low + high) / 2
      if pending[mid].offset < offset { low = mid + 1 } else { high = mid }
    }
    return low
  }

  /// Appends the listing lines of `items` (a run of `section`'s items) to `out`. `next` is the
  /// first relocation at or after the first item; `first` is true for the listing's first item.
  static func listItems(
    _ items: ArraySlice<Item>, of section: Section,
    relocations pending: [Relocation], from next: Int, format: Format, first: Bool,
    cache: inout DisassemblyCache, into out: inout ByteOutput
  ) {
    var next = next
    var first = first
    var scratch = ByteOutput()
    // Items are read in place: copying one would retain its source buffer, which all items
    // share, and the threads listing neighbouring batches would contend for its count.
    for i in items.indices {
      let offset = items[i].offset
      let word = items[i].word
      let address = section.base &+ UInt64(offset)
      var reloc: Relocation? = nil
      while next < pending.count, pending[next].offset < offset { next += 1 }
      if next < pending.count, pending[next].offset < offset + items[i].size {
        reloc = pending[next]
      }
      switch format {
      case .json:
        out.append(first ? "\n  " : ",\n  ")
        out.append("{\"address\": ")
        out.append(String(address))
        out.append(", \"word\": ")
        if let w = word {
          out.append("\"")
          out.appendHex(UInt64(w), digits: 8)
          out.append("\"")
        } else {
          out.append("null")
        }
        out.append(", \"text\": ")
        if let w = word {
          scratch.bytes.removeAll(keepingCapacity: true)
          cache.append(w, pc: address, to: &scratch)
          JSON.quote(utf8: scratch.bytes, into: &out.bytes)
        } else {
          out.append(JSON.literal(items[i].text))
        }
        out.append(", \"relocation\": ")
        if let r = reloc {
          out.append("{\"type\": \"\(r.type.elfName)\", \"symbol\": ")
          out.append(JSON.literal(r.symbol))
          out.append(", \"addend\": \(r.addend)}")
        } else {
          out.append("null")
        }
        out.append("}")
      case .text:
        out.appendHex(address, digits: 16)
        out.append("  ")
        if let w = word {
          out.appendWordColumn(w)
          cache.append(w, pc: address, to: &out)
        } else {
          if case .data(let b) = items[i].kind {
            out.append(Hex.bytes(b.prefix(8)) + (b.count > 8 ? "…" : ""))
          }
          out.append("  ")
          out.append(items[i].text)
        }
        if let r = reloc {
          out.append("\t// \(r.type.elfName) \(r.symbol)")
          if r.addend != 0 {
            out.append(
              r.addend < 0 ? "-\(hex(r.addend.magnitude))" : "+\(hex(UInt64(r.addend)))")
          }
        }
        out.append("\n")
      }
      first = false
    }
  }

  static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}

/// `patchsite disasm`'s output: `WORD  TEXT` lines in objdump's syntax.
public enum Disassembly {
  /// `WORD  TEXT` lines for `words` starting at `base`.
  public static func lines(_ words: ArraySlice<UInt32>, base: UInt64) -> String {
    var cache = DisassemblyCache()
    return lines(words, base: base, cache: &cache)
  }

  static func lines(_ words: ArraySlice<UInt32>, base: UInt64, cache: inout DisassemblyCache)
    -> String
  {
    var out = ByteOutput()
    lines(words, base: base, cache: &cache, into: &out)
    return String(decoding: out.bytes, as: UTF8.self)
  }

  /// Appends the `WORD  TEXT` lines of `words` to `out`.
  static func lines(
    _ words: ArraySlice<UInt32>, base: UInt64, cache: inout DisassemblyCache,
    into out: inout ByteOutput
  ) {
    out.bytes.reserveCapacity(out.bytes.count + words.count * 40)
    var pc = base
    for w in words {
      out.appendWordColumn(w)
      cache.append(w, pc: pc, to: &out)
      out.bytes.append(10)
      pc &+= 4
    }
  }

  /// Hands the listing to `emit` piece by piece, large inputs listed on every core
  /// (`BatchedListing`), with the same output.
  public static func list(_ words: [UInt32], base: UInt64, emit: ([UInt8]) -> Void) {
    BatchedListing.run(count: words.count) { range, cache, out in
      lines(words[range], base: base &+ UInt64(range.lowerBound) * 4, cache: &cache, into: &out)
    } emit: {
      emit($0)
    }
  }
}

/// Fixed-width lowercase hex.
enum Hex {
  static let digits: [UInt8] = Array("0123456789abcdef".utf8)

  static func word(_ w: UInt32) -> String {
    String(unsafeUninitializedCapacity: 8) { buf in
      for k in 0..<8 { buf[k] = digits[Int((w >> (28 - 4 * UInt32(k))) & 0xf)] }
      return 8
    }
  }

  static func address(_ a: UInt64) -> String {
    String(unsafeUninitializedCapacity: 16) { buf in
      for k in 0..<16 { buf[k] = digits[Int((a >> (60 - 4 * UInt64(k))) & 0xf)] }
      return 16
    }
  }

  static func bytes(_ b: ArraySlice<UInt8>) -> String {
    var s = ""
    for v in b {
      s.unicodeScalars.append(Unicode.Scalar(digits[Int(v >> 4)]))
      s.unicodeScalars.append(Unicode.Scalar(digits[Int(v & 0xf)]))
    }
    return s
  }
}

/// An output buffer of UTF-8 bytes (appending to a `String` piece by piece is slower).
struct ByteOutput {
  var bytes: [UInt8] = []

  mutating func append(_ s: String) {
    var s = s
    s.withUTF8 { bytes.append(contentsOf: $0) }
  }

  /// `w` as eight hex digits and two spaces, in one append (the disasm hot path).
  mutating func appendWordColumn(_ w: UInt32) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buf in
      for k in 0..<8 {
        let d = UInt8((w >> UInt32(28 - 4 * k)) & 0xf)
        buf[k] = d < 10 ? 48 + d : 87 + d
      }
      buf[8] = 32
      buf[9] = 32
      bytes.append(contentsOf: UnsafeBufferPointer(buf))
    }
  }

  mutating func appendHex(_ v: UInt64, digits: Int) {
    let n = min(max(digits, 0), 16)
    // Fill the digits on the stack and append them at once: one capacity check, not n.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buf in
      for k in 0..<n {
        let d = UInt8((v >> UInt64(4 * (n - 1 - k))) & 0xf)
        buf[k] = d < 10 ? 48 + d : 87 + d
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n]))
    }
  }
}

/// The objdump text of words, memoised for words whose text does not depend on the address
/// (everything but PC-relative branches, ADR/ADRP and literal loads).
///
/// A direct-mapped table of 64 Ki slots over a byte arena. A slot is one 64-bit entry, the
/// word << 32 | arena offset << 8 | length (0 for empty), so a lookup is a multiply, one load
/// (one cache miss at most) and a compare, and a hit copies bytes without touching a `String`.
struct DisassemblyCache {
  private static let slotBits = 16
  private static let arenaLimit = 1 << 24
  private var entries = [UInt64](repeating: 0, count: 1 << DisassemblyCache.slotBits)
  private var arena: [UInt8] = []

  /// True for words whose printed operands depend on the PC.
  static func isPCRelative(_ w: UInt32) -> Bool {
    w & 0x7c00_0000 == 0x1400_0000  // B, BL
      || w & 0xff00_0010 == 0x5400_0000  // B.cond
      || w & 0x7e00_0000 == 0x3400_0000  // CBZ, CBNZ
      || w & 0x7e00_0000 == 0x3600_0000  // TBZ, TBNZ
      || w & 0x1f00_0000 == 0x1000_0000  // ADR, ADRP
      || w & 0x3b00_0000 == 0x1800_0000  // LDR/LDRSW/PRFM (literal)
  }

  /// Appends the text of `w` at `pc` to `out`.
  mutating func append(_ w: UInt32, pc: UInt64, to out: inout ByteOutput) {
    if DisassemblyCache.isPCRelative(w) {
      A64.print(A64.decode(w), pc: pc, into: &out.bytes)
      return
    }
    let slot = Int((w &* 0x9e37_79b1) >> UInt32(32 - DisassemblyCache.slotBits))
    let entry = entries[slot]
    if entry & 0xff != 0 && UInt32(truncatingIfNeeded: entry >> 32) == w {
      let start = Int((entry >> 8) & 0xff_ffff)
      arena.withUnsafeBufferPointer {
        out.bytes.append(
          contentsOf: UnsafeBufferPointer(rebasing: $0[start..<(start + Int(entry & 0xff))]))
      }
      return
    }
    let start = out.bytes.count
    A64.print(A64.decode(w), pc: 0, into: &out.bytes)
    let length = out.bytes.count - start
    guard length > 0 && length < 256 else { return }
    if arena.count + length > DisassemblyCache.arenaLimit {  // bound the memory: start over
      arena.removeAll(keepingCapacity: true)
      for k in entries.indices { entries[k] = 0 }
    }
    entries[slot] = UInt64(w) << 32 | UInt64(arena.count) << 8 | UInt64(length)
    arena.append(contentsOf: out.bytes[start...])
  }

  /// The text of `w` at `pc`.
  mutating func text(_ w: UInt32, pc: UInt64) -> String {
    var out = ByteOutput()
    append(w, pc: pc, to: &out)
    return String(decoding: out.bytes, as: UTF8.self)
  }
}
