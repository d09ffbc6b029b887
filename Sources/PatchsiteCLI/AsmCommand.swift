import AArch64
import ArgumentParser
import Diagnostics
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `patchsite asm`: assemble a GNU-as-syntax file and list address, word, disassembly and
/// pending relocation per item.
struct AsmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "asm",
    abstract: "Assemble AArch64 GNU as syntax and list each item's address, word and text.",
    discussion: """
      Reads FILE (or '-' for standard input) in GNU as syntax: labels, .L and numeric local \
      labels (1: / 1b / 1f), expressions, .equ/.set, sections, data and alignment directives. \
      References to local labels of the same section are resolved; --at places .text (other \
      sections follow it); what is still unknown (external symbols) is shown as a pending \
      relocation with a zero field.

      Formats:
        text  ADDRESS  WORD  DISASSEMBLY  [// RELOCATION]   (data items show their bytes)
        json  an array of {address, word, text, relocation}: address an integer, word eight \
      lowercase hex digits or null for data, relocation null or {type, symbol, addend}
        bin   the linked bytes, as objcopy -O binary writes them: every section at its \
      address (--at places .text, the others follow 16-byte aligned), gaps zero; fields of \
      pending relocations are zero
        none  assemble and link only (for timing and checking); prints nothing

      Examples:
        patchsite asm entry.S --at 0xffff800010000000
        printf 'bti c\\nbl ftrace_caller\\n' | patchsite asm - --format json
        patchsite asm entry.S --format bin > entry.bin && patchsite disasm --file entry.bin

      Bad input exits 2 with FILE:LINE:COLUMN: reason.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, bin, none
  }

  @Argument(help: "The assembly file, or '-' for standard input.")
  var file: String

  @Option(name: .long, help: "Address of .text (hex with 0x, or decimal). Default 0.")
  var at: String = "0"

  @Option(name: .long, help: "Output format: text, json, bin or none.")
  var format: Format = .text

  func run() throws {
    let base = try CLIInput.address(at, option: "--at")
    let (bytes, name) = try CLIInput.read(file)
    if format == .bin {
      Console.write(bytes: try AsmCommand.image(bytes: bytes, file: name, base: base), fd: 1)
      return
    }
    let text = try AsmCommand.listing(bytes: bytes, file: name, base: base, format: format)
    Console.write(text, fd: 1)
  }

  /// Assembles `bytes` and places `.text` at `base` (externals stay pending).
  static func assembleAndLink(bytes: consuming [UInt8], file: String, base: UInt64)
    throws(InputError) -> AssembledObject
  {
    do {
      let object = try Assembler.assemble(bytes: consume bytes, file: file)
      return try object.link(bases: [".text": base], allowUndefined: true)
    } catch {
      throw error.inputError
    }
  }

  /// The linked image of `bytes`: from the lowest section address to the end of the highest
  /// section, every section's bytes at its address and zeros between (objcopy -O binary).
  static func image(bytes: consuming [UInt8], file: String, base: UInt64) throws(InputError)
    -> [UInt8]
  {
    let linked = try assembleAndLink(bytes: bytes, file: file, base: base)
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
      let start = Int(section.base &- low)
      for item in section.items {
        let at = start + item.offset
        switch item.kind {
        case .insn(let w):
          out[at] = UInt8(truncatingIfNeeded: w)
          out[at + 1] = UInt8(truncatingIfNeeded: w >> 8)
          out[at + 2] = UInt8(truncatingIfNeeded: w >> 16)
          out[at + 3] = UInt8(truncatingIfNeeded: w >> 24)
        case .data(let b):
          out.replaceSubrange(at..<(at + b.count), with: b)
        }
      }
    }
    return out
  }

  /// The listing of `bytes` in `format` (empty for `.none`; `.bin` is `image`).
  static func listing(bytes: consuming [UInt8], file: String, base: UInt64, format: Format)
    throws(InputError)
    -> String
  {
    let linked = try assembleAndLink(bytes: bytes, file: file, base: base)
    if format == .none || format == .bin { return "" }
    var out = ByteOutput()
    out.bytes.reserveCapacity(linked.sections.reduce(0) { $0 + $1.items.count } * 56)
    var cache = DisassemblyCache()
    if format == .json { out.append("[") }
    var first = true
    let nonEmpty = linked.sections.filter { !$0.items.isEmpty }
    for section in nonEmpty {
      // Relocations in offset order, walked alongside the items.
      let pending = section.relocations.sorted { $0.offset < $1.offset }
      var next = 0
      if format == .text && nonEmpty.count > 1 {
        out.append(first ? "" : "\n")
        out.append(section.name)
        out.append(":\n")
      }
      for item in section.items {
        let address = section.base &+ UInt64(item.offset)
        var reloc: Relocation? = nil
        while next < pending.count, pending[next].offset < item.offset { next += 1 }
        if next < pending.count, pending[next].offset < item.offset + item.size {
          reloc = pending[next]
        }
        // JSON needs the text as a string (to escape it); the text listing copies bytes.
        let disassembly: String
        if let w = item.word {
          disassembly = format == .json ? cache.text(w, pc: address) : ""
        } else {
          disassembly = item.text
        }
        switch format {
        case .json:
          out.append(first ? "\n  " : ",\n  ")
          out.append("{\"address\": ")
          out.append(String(address))
          out.append(", \"word\": ")
          if let w = item.word {
            out.append("\"")
            out.appendHex(UInt64(w), digits: 8)
            out.append("\"")
          } else {
            out.append("null")
          }
          out.append(", \"text\": ")
          out.append(JSON.literal(disassembly))
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
          if let w = item.word {
            out.appendHex(UInt64(w), digits: 8)
          } else if case .data(let b) = item.kind {
            out.append(Hex.bytes(b.prefix(8)) + (b.count > 8 ? "…" : ""))
          }
          out.append("  ")
          if let w = item.word {
            cache.append(w, pc: address, to: &out)
          } else {
            out.append(disassembly)
          }
          if let r = reloc {
            out.append("\t// \(r.type.elfName) \(r.symbol)")
            if r.addend != 0 {
              out.append(
                r.addend < 0 ? "-\(hex(r.addend.magnitude))" : "+\(hex(UInt64(r.addend)))")
            }
          }
          out.append("\n")
        case .none, .bin: break
        }
        first = false
      }
    }
    if format == .json { out.append(first ? "]\n" : "\n]\n") }
    return String(decoding: out.bytes, as: UTF8.self)
  }

  static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}

/// Reading inputs and numbers given on the command line.
enum CLIInput {
  /// The bytes of `path` (or standard input for `-`) and the name to report.
  static func read(_ path: String) throws(InputError) -> ([UInt8], String) {
    if path == "-" {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      return ([UInt8](data), "<stdin>")
    }
    // Regular files are read straight into the array (one copy instead of three).
    if let f = fopen(path, "rb") {
      defer { fclose(f) }
      if fseek(f, 0, SEEK_END) == 0 {
        let size = ftell(f)
        if size >= 0, fseek(f, 0, SEEK_SET) == 0 {
          let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, n in
            n = size == 0 ? 0 : fread(buf.baseAddress, 1, size, f)
          }
          if bytes.count == size { return (bytes, path) }
        }
      }
    }
    guard let bytes = readFile(path) else {
      throw InputError("cli.unreadable", at: SourceLocation(file: path), "cannot read file")
    }
    return (bytes, path)
  }

  /// The whole file in one allocation, no zero-filling; nil if it cannot be read.
  static func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
      // Not a regular file (a pipe such as /dev/stdin, a device): read it to the end.
      var all: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if got < 0 && errno == EINTR { continue }
        if got < 0 { return nil }
        if got == 0 { return all }
        all.append(contentsOf: chunk[0..<got])
      }
    }
    let size = Int(st.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
      count = 0
      guard let base = buf.baseAddress else { return }
      while count < size {
        let got = Glibc.read(fd, base + count, size - count)
        if got < 0 && errno == EINTR { continue }
        if got < 0 { failed = true }
        if got <= 0 { break }
        count += got
      }
    }
    return failed ? nil : bytes
  }

  /// `0x…` hex or decimal.
  static func address(_ s: String, option: String) throws(InputError) -> UInt64 {
    let t = s.lowercased()
    let v = t.hasPrefix("0x") ? UInt64(t.dropFirst(2), radix: 16) : UInt64(t, radix: 10)
    guard let v else {
      throw InputError(
        "cli.bad-address", at: SourceLocation(file: "<arguments>", line: 1, column: 1),
        "\(option): bad address '\(s)' (hex with 0x, or decimal)")
    }
    return v
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
/// A direct-mapped table of 64 Ki slots over a byte arena: a lookup is a multiply and a
/// compare, and a hit copies bytes without touching a `String`.
struct DisassemblyCache {
  private static let slots = 1 << 16
  private var keys = [UInt32](repeating: 0, count: DisassemblyCache.slots)
  /// Arena offset << 16 | length, 0 for an empty slot.
  private var spans = [UInt64](repeating: 0, count: DisassemblyCache.slots)
  private var arena: [UInt8] = [0]

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
    let slot = Int((w &* 0x9e37_79b1) >> 16)
    let span = spans[slot]
    if span != 0 && keys[slot] == w {
      let start = Int(span >> 16)
      arena.withUnsafeBufferPointer {
        out.bytes.append(
          contentsOf: UnsafeBufferPointer(rebasing: $0[start..<(start + Int(span & 0xffff))]))
      }
      return
    }
    let start = out.bytes.count
    A64.print(A64.decode(w), pc: 0, into: &out.bytes)
    let length = out.bytes.count - start
    if arena.count > 1 << 26 {  // bound the memory: start over
      arena.removeAll(keepingCapacity: true)
      arena.append(0)
      for k in spans.indices { spans[k] = 0 }
    }
    guard length < 1 << 16 else { return }
    spans[slot] = UInt64(arena.count) << 16 | UInt64(length)
    keys[slot] = w
    arena.append(contentsOf: out.bytes[start...])
  }

  /// The text of `w` at `pc`.
  mutating func text(_ w: UInt32, pc: UInt64) -> String {
    var out = ByteOutput()
    append(w, pc: pc, to: &out)
    return String(decoding: out.bytes, as: UTF8.self)
  }
}
