/// The machine-readable summary of a run, for `patchsite run` (the CLI wires it up).
///
/// JSON contract (`json()`): `{steps, pc, nzcv, registers, fault}` — `pc` and every register
/// value is `0x` + 16 hex digits; `registers` maps `x0`…`x30` and `sp`; `nzcv` is four letters,
/// capital = set (`nZCv`); `fault` is null or `{kind, pc, detail}` with `kind` one of `bti`,
/// `pac`, `undefined`, `unpredictable`, `unmapped`, `permission`, `alignment`, `brk`, `budget`.
public struct RunReport: Sendable, Hashable {
  public var steps: Int
  public var pc: UInt64
  public var nzcv: NZCV
  /// X0–X30 then SP.
  public var registers: [UInt64]
  public var fault: Fault?

  public init(steps: Int, pc: UInt64, nzcv: NZCV, registers: [UInt64], fault: Fault?) {
    self.steps = steps
    self.pc = pc
    self.nzcv = nzcv
    self.registers = registers
    self.fault = fault
  }

  /// The report of `result`, run on `machine` (which holds the state after the run). A step
  /// limit becomes a `budget` fault at the next PC.
  public init(machine: Machine, result: RunResult) {
    steps = result.steps
    pc = machine.pc
    nzcv = machine.nzcvFlags
    registers = machine.registers
    switch result.stop {
    case .returned: fault = nil
    case .fault(let f): fault = f
    case .stepLimit: fault = Fault(.budget(steps: result.steps), pc: machine.pc)
    }
  }

  static func registerName(_ i: Int) -> String { i == 31 ? "sp" : "x\(i)" }

  /// The JSON object, keys in contract order, two-space indentation, trailing newline.
  public func json() -> String {
    var s = "{\n"
    s += "  \"steps\": \(steps),\n"
    s += "  \"pc\": \"\(hex(pc))\",\n"
    s += "  \"nzcv\": \"\(nzcv)\",\n"
    s += "  \"registers\": {\n"
    for (i, v) in registers.enumerated() {
      s +=
        "    \"\(Self.registerName(i))\": \"\(hex(v))\"" + (i + 1 < registers.count ? ",\n" : "\n")
    }
    s += "  },\n"
    if let f = fault {
      s += "  \"fault\": {\n"
      s += "    \"kind\": \"\(f.kind.rawValue)\",\n"
      s += "    \"pc\": \"\(hex(f.pc))\",\n"
      s += "    \"detail\": \(jsonString(f.detail))\n"
      s += "  }\n"
    } else {
      s += "  \"fault\": null\n"
    }
    return s + "}\n"
  }

  /// Human text: the outcome line, then registers four per line, then NZCV.
  public func text(symbols: SymbolTable = SymbolTable()) -> String {
    var s: String
    if let f = fault {
      s =
        "\(f.kind.rawValue) fault at \(hex(f.pc)) \(symbols.kallsyms(f.pc).map { "<\($0)> " } ?? "")"
        + "after \(steps) steps: \(f.detail)\n"
    } else {
      s = "returned after \(steps) steps\n"
    }
    for row in stride(from: 0, to: registers.count, by: 4) {
      let cells = (row..<min(row + 4, registers.count)).map { i -> String in
        let n = Self.registerName(i)
        return String(repeating: " ", count: 3 - n.count) + n + " " + hex(registers[i])
      }
      s += cells.joined(separator: "  ") + "\n"
    }
    s += " pc \(hex(pc))  nzcv \(nzcv)\n"
    return s
  }
}

/// A JSON string literal with the required escapes.
func jsonString(_ s: String) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
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
