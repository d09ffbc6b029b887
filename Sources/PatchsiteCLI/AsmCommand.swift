import AArch64
import ArgumentParser
import Diagnostics
import Foundation

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
        none  assemble and link only (for timing and checking); prints nothing

      Examples:
        patchsite asm entry.S --at 0xffff800010000000
        printf 'bti c\\nbl ftrace_caller\\n' | patchsite asm - --format json

      Bad input exits 2 with FILE:LINE:COLUMN: reason.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, none
  }

  @Argument(help: "The assembly file, or '-' for standard input.")
  var file: String

  @Option(name: .long, help: "Address of .text (hex with 0x, or decimal). Default 0.")
  var at: String = "0"

  @Option(name: .long, help: "Output format: text, json or none.")
  var format: Format = .text

  func run() throws {
    let base = try CLIInput.address(at, option: "--at")
    let (bytes, name) = try CLIInput.read(file)
    let text = try AsmCommand.listing(bytes: bytes, file: name, base: base, format: format)
    Console.write(text, fd: 1)
  }

  /// The listing of `bytes` in `format` (empty for `.none`).
  static func listing(bytes: [UInt8], file: String, base: UInt64, format: Format) throws(InputError)
    -> String
  {
    let linked: AssembledObject
    do {
      let object = try Assembler.assemble(bytes: bytes, file: file)
      linked = try object.link(bases: [".text": base], allowUndefined: true)
    } catch {
      throw error.inputError
    }
    if format == .none { return "" }
    var out = ""
    out.reserveCapacity(linked.sections.reduce(0) { $0 + $1.items.count } * 48)
    if format == .json { out += "[" }
    var first = true
    for section in linked.sections where !section.items.isEmpty {
      var pending: [Int: Relocation] = [:]
      for r in section.relocations { pending[r.offset] = r }
      if format == .text && linked.sections.filter({ !$0.items.isEmpty }).count > 1 {
        out += "\(first ? "" : "\n")\(section.name):\n"
      }
      for item in section.items {
        let address = section.base &+ UInt64(item.offset)
        var reloc: Relocation? = nil
        if !pending.isEmpty {
          for k in item.offset..<(item.offset + item.size) {
            if let r = pending[k] {
              reloc = r
              break
            }
          }
        }
        let disassembly: String
        if let w = item.word {
          disassembly = A64.print(A64.decode(w), pc: address)
        } else {
          disassembly = item.text
        }
        switch format {
        case .json:
          out += first ? "\n  " : ",\n  "
          out += "{\"address\": \(address), \"word\": "
          if let w = item.word { out += "\"" + Hex.word(w) + "\"" } else { out += "null" }
          out += ", \"text\": " + AsmJSON.string(disassembly) + ", \"relocation\": "
          if let r = reloc {
            out += "{\"type\": \"\(r.type.elfName)\", \"symbol\": " + AsmJSON.string(r.symbol)
            out += ", \"addend\": \(r.addend)}"
          } else {
            out += "null"
          }
          out += "}"
        case .text:
          out += Hex.address(address) + "  "
          if let w = item.word {
            out += Hex.word(w)
          } else if case .data(let b) = item.kind {
            out += Hex.bytes(b.prefix(8)) + (b.count > 8 ? "…" : "")
          }
          out += "  " + disassembly
          if let r = reloc {
            out += "\t// \(r.type.elfName) \(r.symbol)"
            if r.addend != 0 {
              out += r.addend < 0 ? "-\(hex(r.addend.magnitude))" : "+\(hex(UInt64(r.addend)))"
            }
          }
          out += "\n"
        case .none: break
        }
        first = false
      }
    }
    if format == .json { out += first ? "]\n" : "\n]\n" }
    return out
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
    guard let data = FileManager.default.contents(atPath: path) else {
      throw InputError("cli.unreadable", at: SourceLocation(file: path), "cannot read file")
    }
    return ([UInt8](data), path)
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

/// Minimal JSON string escaping.
enum AsmJSON {
  static func string(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 0x20 {
          let h = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
