import AArch64
import ArgumentParser
import Diagnostics
import Reporting

/// `patchsite disasm`: decode 32-bit words and print them in objdump syntax.
struct DisasmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disasm",
    abstract: "Disassemble AArch64 instruction words (objdump syntax).",
    discussion: """
      Prints one line per word: the word as eight lowercase hex digits, two spaces, and the \
      disassembly as aarch64-linux-gnu-objdump -d prints it (branch targets are absolute \
      addresses, counted from --at). Words that are not instructions print as .inst or udf.

      Examples:
        patchsite disasm d503201f 0xd503233f 94000010
        patchsite disasm --file text.bin --at 0xffff800010000000

      --file reads little-endian words (the file size must be a multiple of 4). Bad input \
      exits 2 with FILE:LINE:COLUMN: reason (<arguments>:1:COLUMN for words on the command \
      line).
      """
  )

  @Argument(help: "Words in hex: d503201f or 0xd503201f.")
  var words: [String] = []

  @Option(name: .long, help: "A binary file of little-endian 32-bit words.")
  var file: String?

  @Option(name: .long, help: "Address of the first word (hex with 0x, or decimal). Default 0.")
  var at: String = "0"

  func validate() throws {
    if file == nil && words.isEmpty {
      throw ValidationError("give words to disassemble or --file BIN")
    }
    if file != nil && !words.isEmpty {
      throw ValidationError("give either words or --file, not both")
    }
  }

  func run() throws {
    let base = try CLIInput.address(at, option: "--at")
    let list: [UInt32]
    if let file {
      list = try DisasmCommand.words(file: file)
    } else {
      list = try DisasmCommand.parse(words)
    }
    Disassembly.list(list, base: base) { Console.write(bytes: $0, fd: 1) }
  }

  /// Parses `d503201f` / `0xd503201f` arguments.
  static func parse(_ args: [String]) throws(InputError) -> [UInt32] {
    var out: [UInt32] = []
    var column = 1
    for a in args {
      var t = Substring(a)
      if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
      guard !t.isEmpty, t.count <= 8, let w = UInt32(t, radix: 16) else {
        throw InputError(
          "cli.bad-word", at: SourceLocation(file: "<arguments>", line: 1, column: column),
          "bad word '\(a)' (expected up to 8 hex digits, e.g. d503201f or 0xd503201f)")
      }
      out.append(w)
      column += a.utf8.count + 1
    }
    return out
  }

  /// Little-endian words of `file`.
  static func words(file: String) throws(InputError) -> [UInt32] {
    let (bytes, name) = try CLIInput.read(file)
    guard bytes.count % 4 == 0 else {
      throw InputError(
        "cli.bad-size", at: SourceLocation(file: name),
        "size \(bytes.count) is not a multiple of 4")
    }
    // One copy, straight into the words (little-endian, converted on big-endian hosts).
    return [UInt32](unsafeUninitializedCapacity: bytes.count / 4) { buf, count in
      bytes.withUnsafeBytes { raw in
        for k in 0..<(bytes.count / 4) {
          buf[k] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))
        }
      }
      count = bytes.count / 4
    }
  }
}
