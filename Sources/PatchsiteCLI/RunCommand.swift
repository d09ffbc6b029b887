import AArch64
import AArch64Emulator
import ArgumentParser
import Diagnostics
import Foundation
import Reporting

/// `patchsite run`: assemble a snippet and run it in Patchsite's AArch64 emulator.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Assemble a snippet (GNU as syntax) and run it in the AArch64 emulator.",
    discussion: """
      The file is assembled with Patchsite's own assembler and linked with .text at --at \
      (other sections follow). Each section is mapped with its permissions (.text r-x, data \
      rw-), with the BTI guarded bit on the text pages when --guarded is given, and a 64 KiB \
      stack is mapped below 0x7fff0000 with SP at its top. The program starts at --entry (a \
      symbol of the file, default the start of .text) with X30 set to a sentinel return \
      address; it ends when it returns there, at a fault, or after --max-steps instructions.

      SCTLR_EL1 is Linux's: BT0/BT1 set, so PACIASP is not a landing pad for BR Xn (n not 16 \
      or 17); --bt0 clears them.

      Exit status: 0 when the program returned, 1 when it faulted or ran out of steps, 2 when \
      the file could not be read, assembled or linked.

      Examples:
        patchsite run loop.S --set x0=10
        patchsite run stub.S --entry caller --guarded --trace
        patchsite run callsite.S --format json
      """
  )

  @Argument(help: "The assembly file, or '-' for stdin.")
  var file: String

  @Option(help: "Symbol to start at (default: the start of .text).")
  var entry: String?

  @Option(help: "Address of .text (default 0x400000).")
  var at: String = "0x400000"

  @Option(
    parsing: .singleValue,
    help: "Set a register before running: x0=5, x1=0x10, sp=0x7ffe0000 (repeatable).")
  var set: [String] = []

  @Flag(
    help: "Print every instruction executed, with symbols, register writes and memory accesses.")
  var trace = false

  @Flag(help: "Map the text pages as BTI guarded pages.")
  var guarded = false

  @Flag(help: "Run with SCTLR_EL1.BT0/BT1 clear (PACIxSP accepts BR from any register).")
  var bt0 = false

  @Option(help: "Stop after this many instructions.")
  var maxSteps: Int = 10_000_000

  @OptionGroup var output: OutputOptions

  func run() throws {
    let (bytes, name) = try CLIInput.read(file)
    let textBase = try CLIInput.address(at, option: "--at")
    let object: AssembledObject
    do throws(AssemblyError) {
      object = try Assembler.assemble(bytes: bytes, file: name).link(bases: [".text": textBase])
    } catch {
      throw error.inputError
    }
    let launch = ProgramLaunch(
      entry: entry, guarded: guarded, clearBT: bt0,
      registers: try set.map { a throws(InputError) in try Self.assignment(a) })
    var machine: Machine
    do throws(LaunchError) {
      machine = try Machine.launching(object, launch)
    } catch {
      let id: MessageID
      switch error {
      case .noEntry: id = "run.no-entry"
      case .load, .stack, .noText: id = "run.memory"
      }
      throw InputError(id, at: SourceLocation(file: name), error.description)
    }
    let table = SymbolTable(object: object)
    let result: RunResult
    var tracer = Tracer(machine: machine)
    if trace {
      result = machine.run(maxSteps: maxSteps, observer: &tracer)
    } else {
      result = machine.run(maxSteps: maxSteps)
    }
    let report = RunReport(machine: machine, result: result)
    var text: String
    switch output.format {
    case .json: text = RunReportRendering.json(report).rendered()
    case .text:
      text = trace ? tracer.render(symbols: table) + "\n" : ""
      text += RunReportRendering.text(report, symbols: table)
    }
    if !text.hasSuffix("\n") { text += "\n" }
    try output.write(text)
    if case .returned = result.stop { return }
    throw ExitCode(ExitStatus.findings)
  }

  /// `x0=5`, `sp=0x7ffe0000`.
  static func assignment(_ text: String) throws(InputError) -> (ProgramLaunch.Register, UInt64) {
    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
    let at = SourceLocation(file: "--set \(text)")
    guard parts.count == 2, let value = Self.parseNumber(parts[1]) else {
      throw InputError(
        "usage.bad-set", at: at, "expected REGISTER=VALUE, e.g. x0=5 or sp=0x7ffe0000")
    }
    let name = parts[0].lowercased()
    if name == "sp" { return (.sp, value) }
    if name.hasPrefix("x"), let n = Int(name.dropFirst()), (0...30).contains(n) {
      return (.x(n), value)
    }
    throw InputError("usage.bad-set", at: at, "unknown register '\(parts[0])' (x0…x30 or sp)")
  }

  /// `123`, `0x7b`, `-4` (two's complement).
  static func parseNumber(_ s: String) -> UInt64? {
    let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
    if t.hasPrefix("-"), let v = Int64(t) { return UInt64(bitPattern: v) }
    if t.lowercased().hasPrefix("0x") { return UInt64(t.dropFirst(2), radix: 16) }
    return UInt64(t)
  }
}
