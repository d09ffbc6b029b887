import AArch64Emulator

/// `patchsite run`'s output: the end state of a run, or its fault.
///
/// JSON contract: `{steps, pc, nzcv, registers, fault}`. `pc` and every register value is `0x`
/// and 16 hex digits; `registers` maps `x0`…`x30` and `sp`; `nzcv` is four letters, capital =
/// set (`nZCv`); `fault` is null or `{kind, pc, detail}` with `kind` one of `bti`, `pac`,
/// `undefined`, `unpredictable`, `unmapped`, `permission`, `alignment`, `brk`, `budget`.
public enum RunReportRendering {
  static func hex(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - s.count) + s
  }

  public static func json(_ r: RunReport) -> JSON {
    let registers = r.registers.enumerated().map { i, v in
      (RunReport.registerName(i), JSON.string(hex(v)))
    }
    let fault: JSON =
      r.fault.map { f in
        .object([
          ("kind", .string(f.kind.rawValue)), ("pc", .string(hex(f.pc))),
          ("detail", .string(f.detail)),
        ])
      } ?? .null
    return .object([
      ("steps", .int(r.steps)), ("pc", .string(hex(r.pc))),
      ("nzcv", .string(r.nzcv.description)), ("registers", .object(registers)),
      ("fault", fault),
    ])
  }

  /// The outcome line, then the registers four per line, then PC and NZCV.
  public static func text(_ r: RunReport, symbols: SymbolTable = SymbolTable()) -> String {
    var s: String
    if let f = r.fault {
      s =
        "\(f.kind.rawValue) fault at \(hex(f.pc)) \(symbols.kallsyms(f.pc).map { "<\($0)> " } ?? "")"
        + "after \(r.steps) steps: \(f.detail)\n"
    } else {
      s = "returned after \(r.steps) steps\n"
    }
    for row in stride(from: 0, to: r.registers.count, by: 4) {
      let cells = (row..<min(row + 4, r.registers.count)).map { i -> String in
        let n = RunReport.registerName(i)
        return String(repeating: " ", count: 3 - n.count) + n + " " + hex(r.registers[i])
      }
      s += cells.joined(separator: "  ") + "\n"
    }
    s += " pc \(hex(r.pc))  nzcv \(r.nzcv)\n"
    return s
  }
}
