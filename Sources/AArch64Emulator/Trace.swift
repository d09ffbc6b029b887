import AArch64

/// One executed instruction, as the tracer saw it.
public struct TraceEntry: Sendable, Hashable {
  public var step: Int
  public var pc: UInt64
  public var word: UInt32
  /// PSTATE.BTYPE the instruction was checked against.
  public var btype: UInt8
  /// Registers the instruction changed: (slot name, new value).
  public var writes: [RegisterWrite]
  public var loads: [MemoryAccess]
  public var stores: [MemoryAccess]
  public var branch: BranchEvent?
}

public struct RegisterWrite: Sendable, Hashable {
  /// `x0`…`x30`, `sp`, or `nzcv`.
  public var name: String
  public var value: UInt64
}

public struct MemoryAccess: Sendable, Hashable {
  public var address: UInt64
  public var size: Int
  public var value: UInt64
}

/// An observer that records every instruction (use with `Machine.run(maxSteps:observer:)`).
public struct Tracer: MachineObserver, Sendable {
  public private(set) var entries: [TraceEntry] = []
  var last: [UInt64]
  var lastNZCV: UInt8
  var pending: TraceEntry?
  var step = 0
  /// Stop recording after this many entries (the run goes on).
  public var limit: Int

  /// Starts from `machine`'s current registers (so the first entry's writes are exact).
  public init(machine: Machine, limit: Int = 100_000) {
    last = machine.registerFile
    lastNZCV = machine.nzcvFlags.rawValue
    self.limit = limit
  }

  public mutating func fetch(pc: UInt64, word: UInt32, btype: UInt8) {
    step += 1
    pending = TraceEntry(
      step: step, pc: pc, word: word, btype: btype, writes: [], loads: [], stores: [], branch: nil)
  }

  public mutating func branch(_ event: BranchEvent) { pending?.branch = event }

  public mutating func load(pc: UInt64, address: UInt64, size: Int, value: UInt64) {
    pending?.loads.append(MemoryAccess(address: address, size: size, value: value))
  }

  public mutating func store(pc: UInt64, address: UInt64, size: Int, value: UInt64) {
    let mask: UInt64 = size >= 8 ? ~0 : (1 << UInt64(8 * size)) - 1
    pending?.stores.append(MemoryAccess(address: address, size: size, value: value & mask))
  }

  public mutating func retire(pc: UInt64, registers: UnsafeBufferPointer<UInt64>, nzcv: UInt8) {
    guard var e = pending else { return }
    pending = nil
    for i in 0..<min(registers.count, last.count)
    where i != Int(Slot.sink) && registers[i] != last[i] {
      e.writes.append(RegisterWrite(name: i == Int(Slot.sp) ? "sp" : "x\(i)", value: registers[i]))
      last[i] = registers[i]
    }
    if nzcv != lastNZCV {
      e.writes.append(RegisterWrite(name: "nzcv", value: UInt64(nzcv)))
      lastNZCV = nzcv
    }
    if entries.count < limit { entries.append(e) }
  }

  /// The trace, one instruction per line:
  /// `   3 ffff800008010008 <func+0x8/0x40>  d503233f  paciasp   x30=0x…`.
  public func render(symbols: SymbolTable = SymbolTable()) -> String {
    entries.map { e in
      var line = String(repeating: " ", count: max(0, 5 - String(e.step).count)) + "\(e.step) "
      line += String(hex(e.pc).dropFirst(2))
      if let loc = symbols.kallsyms(e.pc) { line += " <\(loc)>" }
      line += "  " + String(hex32(e.word).dropFirst(2)) + "  " + disassemble(e.word, pc: e.pc)
      var effects: [String] = []
      if e.btype != 0 { effects.append("btype=\(e.btype)") }
      for w in e.writes {
        effects.append(
          w.name == "nzcv"
            ? "nzcv=\(NZCV(rawValue: UInt8(w.value)))" : "\(w.name)=\(shortHex(w.value))")
      }
      for l in e.loads {
        effects.append("[\(shortHex(l.address))]:\(l.size)->\(shortHex(l.value))")
      }
      for s in e.stores {
        effects.append("[\(shortHex(s.address))]:\(s.size)<-\(shortHex(s.value))")
      }
      if let b = e.branch, b.taken {
        effects.append("-> \(symbols.kallsyms(b.to).map { "\($0)" } ?? shortHex(b.to))")
      }
      return effects.isEmpty ? line : line + "   " + effects.joined(separator: " ")
    }.joined(separator: "\n")
  }
}
