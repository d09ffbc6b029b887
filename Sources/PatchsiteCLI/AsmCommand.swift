import AArch64
import ArgumentParser
import Diagnostics
import Foundation
import Reporting

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
    let linked: AssembledObject
    var name = file
    // Only the listings need an item per statement; `bin` and `none` keep the bytes alone.
    let listing = format == .text || format == .json
    if file != "-",
      let mapped = try AsmCommand.assembleMappedAndLink(file, base: base, listing: listing)
    {
      linked = mapped
    } else {
      let (bytes, readName) = try CLIInput.read(file)
      name = readName
      linked = try AsmCommand.assembleAndLink(
        bytes: bytes, file: name, base: base, listing: listing)
    }
    switch format {
    case .bin: Console.write(bytes: try AsmListing.image(linked, file: name), fd: 1)
    case .text: AsmListing.list(linked, format: .text) { Console.write(bytes: $0, fd: 1) }
    case .json: AsmListing.list(linked, format: .json) { Console.write(bytes: $0, fd: 1) }
    case .none: break
    }
    Teardown.skip(linked)
  }

  /// The same for the file at `path`, assembled through a mapping of it (no copy of its
  /// bytes); nil if it cannot be mapped.
  static func assembleMappedAndLink(_ path: String, base: UInt64, listing: Bool)
    throws(InputError) -> AssembledObject?
  {
    do {
      guard let object = try Assembler.assemble(mapping: path, file: path, listing: listing)
      else { return nil }
      return try object.link(bases: [".text": base], allowUndefined: true)
    } catch {
      throw error.inputError
    }
  }

  /// Assembles `bytes` and places `.text` at `base` (externals stay pending).
  static func assembleAndLink(
    bytes: consuming [UInt8], file: String, base: UInt64, listing: Bool
  ) throws(InputError) -> AssembledObject {
    do {
      let object = try Assembler.assemble(bytes: consume bytes, file: file, listing: listing)
      return try object.link(bases: [".text": base], allowUndefined: true)
    } catch {
      throw error.inputError
    }
  }

}

/// Results left to the process's exit.
enum Teardown {
  /// Keeps `value` alive until the process exits. A command's last act on a large result
  /// (a million assembled items, each holding a reference) was to free it piece by piece:
  /// about 40 instructions an item and the unmapping of every page, which the exit does at
  /// once anyway. Only for values the command has finished with, right before it returns.
  static func skip<T>(_ value: consuming T) {
    _ = Unmanaged.passRetained(Holder(value))
  }

  private final class Holder<T> {
    let value: T
    init(_ value: consuming T) { self.value = value }
  }
}

/// Reading inputs and numbers given on the command line.
enum CLIInput {
  /// The bytes of `path` (or standard input for `-`) and the name to report.
  static func read(_ path: String) throws(InputError) -> ([UInt8], String) {
    if path == "-" {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      return ([UInt8](data), "<stdin>")
    }
    // Regular files are read straight into the array (one copy instead of three). Anything
    // else (a FIFO, a device) is opened once, by `readFile`: opening a FIFO here and again
    // there lost what its writer had sent and then waited for a second writer.
    var named = stat()
    let regular = stat(path, &named) == 0 && named.st_mode & S_IFMT == S_IFREG
    if regular, let f = fopen(path, "rb") {
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
