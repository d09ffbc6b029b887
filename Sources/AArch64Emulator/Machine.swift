import AArch64

/// PSTATE.{N,Z,C,V}.
public struct NZCV: Sendable, Hashable, CustomStringConvertible {
  /// N=8, Z=4, C=2, V=1 (NZCV register bits 31:28 shifted down).
  public var rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue & 15 }
  public init(n: Bool = false, z: Bool = false, c: Bool = false, v: Bool = false) {
    rawValue = (n ? 8 : 0) | (z ? 4 : 0) | (c ? 2 : 0) | (v ? 1 : 0)
  }
  public var n: Bool { rawValue & 8 != 0 }
  public var z: Bool { rawValue & 4 != 0 }
  public var c: Bool { rawValue & 2 != 0 }
  public var v: Bool { rawValue & 1 != 0 }
  /// `nZCv`: a capital letter for a set flag.
  public var description: String {
    (n ? "N" : "n") + (z ? "Z" : "z") + (c ? "C" : "c") + (v ? "V" : "v")
  }
}

/// How a run ended.
public enum RunStop: Sendable, Hashable {
  /// The program returned to `Machine.returnAddress`.
  case returned
  case fault(Fault)
  /// `maxSteps` instructions ran; the machine is intact and `run(maxSteps:)` resumes it.
  case stepLimit
}

/// The result of `run`: instructions completed in this call and why it stopped.
public struct RunResult: Sendable, Hashable {
  public var steps: Int
  public var stop: RunStop
  public init(steps: Int, stop: RunStop) {
    self.steps = steps
    self.stop = stop
  }
}

/// An AArch64 machine: X0–X30, SP, PC, NZCV, PSTATE.BTYPE, a few system registers, sparse
/// memory with permissions and guarded pages. A value type: copy it to snapshot.
public struct Machine: Sendable {
  /// Switches that are not architectural registers.
  public struct Options: Sendable, Hashable {
    /// FEAT_FPAC: a failed AUT* faults at once (`pac`) instead of producing a non-canonical
    /// pointer that faults when branched to. Off by default (ARMv8.3 behaviour).
    public var fpac = false
    /// Keep the per-word fetch record (`Memory.fetchedWords`).
    public var recordFetches = true
    public init(fpac: Bool = false, recordFetches: Bool = true) {
      self.fpac = fpac
      self.recordFetches = recordFetches
    }
  }

  /// The sentinel `run(from:)` puts in X30: returning here ends the program. Canonical, in the
  /// top page of the kernel half, never mappable.
  public static let returnAddress: UInt64 = 0xFFFF_FFFF_FFFF_F000

  /// Slots 0…30 = X0–X30, 31 = zero, 32 = SP, 33 = write sink.
  var registerFile = [UInt64](repeating: 0, count: Slot.count)
  public var pc: UInt64 = 0
  var nzcv: UInt8 = 0
  /// PSTATE.BTYPE (0…3), the value the next instruction is checked against.
  public var btype: UInt8 = 0
  public var memory = Memory()
  public var system: SystemRegisters
  public var options: Options
  public var monitor = ExclusiveMonitor()
  /// Barriers, cache/TLB maintenance in execution order.
  public var events: [SystemEvent] = []
  /// Instructions completed over the machine's life.
  public internal(set) var steps = 0

  /// A machine with Linux's SCTLR_EL1 (BT0/BT1 set), EL1, and PAC keys derived from `keySeed`.
  public init(options: Options = Options(), keySeed: UInt64 = 0x5041_5453_4954_4531) {
    self.options = options
    system = SystemRegisters(keys: PointerAuthKeys(seed: keySeed))
  }

  // MARK: Registers

  /// Xn (0…30).
  public func x(_ n: Int) -> UInt64 { n >= 0 && n < 31 ? registerFile[n] : 0 }
  public var sp: UInt64 {
    get { registerFile[Int(Slot.sp)] }
    set { registerFile[Int(Slot.sp)] = newValue }
  }
  public var nzcvFlags: NZCV {
    get { NZCV(rawValue: nzcv) }
    set { nzcv = newValue.rawValue }
  }

  /// The value of a register operand: W reads the low 32 bits, ZR reads 0.
  public func register(_ r: Register) -> UInt64 {
    guard (r.number ?? 0) < 31 else { return 0 }
    let v = registerFile[Int(Slot.read(r))]
    return r.width == .w ? v & 0xFFFF_FFFF : v
  }

  /// Sets a register: a W register is zero-extended, ZR ignores the write.
  public mutating func setRegister(_ r: Register, _ value: UInt64) {
    guard (r.number ?? 0) < 31 else { return }
    registerFile[Int(Slot.write(r))] = r.width == .w ? value & 0xFFFF_FFFF : value
    registerFile[Int(Slot.sink)] = 0
  }

  /// Sets Xn (0…30) directly.
  public mutating func setX(_ n: Int, _ value: UInt64) {
    if n >= 0 && n < 31 { registerFile[n] = value }
  }

  /// X0–X30 then SP.
  public var registers: [UInt64] { Array(registerFile[0..<31]) + [sp] }

  // MARK: Memory conveniences

  public mutating func map(
    address: UInt64, size: UInt64, permissions: Permissions, guarded: Bool = false
  ) throws(MemoryError) {
    try memory.map(address: address, size: size, permissions: permissions, guarded: guarded)
  }

  public mutating func write(words: [UInt32], at address: UInt64) throws(MemoryError) {
    try memory.write(words: words, at: address)
  }

  /// Encodes `instructions` and writes them at `address`.
  public mutating func write(instructions: [Instruction], at address: UInt64) throws(LoadError) {
    var words: [UInt32] = []
    for (k, i) in instructions.enumerated() {
      do { words.append(try encode(i)) } catch {
        throw LoadError.encoding(index: k, error)
      }
    }
    do { try memory.write(words: words, at: address) } catch { throw LoadError.memory(error) }
  }

  /// Parses one instruction per line (GNU as syntax, numeric operands; branch targets as
  /// `.+8`/`#8` offsets or absolute addresses) and writes them from `address` on. Labels and
  /// directives need the assembler; this is for tests and small snippets.
  public mutating func write(assembly lines: [String], at address: UInt64) throws(LoadError) {
    var instructions: [Instruction] = []
    for (k, line) in lines.enumerated() {
      do {
        instructions.append(try A64.parse(line, pc: address &+ UInt64(4 * k), syntax: .gnu))
      } catch {
        throw LoadError.parse(line: k + 1, error)
      }
    }
    try write(instructions: instructions, at: address)
  }

  // MARK: Running

  /// Starts at `entry` with X30 = `Machine.returnAddress`, and runs at most `maxSteps`
  /// instructions. `btype` is PSTATE.BTYPE at entry: 0 as after a direct call, or the value
  /// an indirect branch would leave (1 = `BR X16/X17`, 2 = `BLR`, 3 = `BR Xn` from a guarded page)
  /// to check the entry's landing pad.
  public mutating func run(from entry: UInt64, maxSteps: Int = 1_000_000, btype: UInt8 = 0)
    -> RunResult
  {
    pc = entry
    registerFile[30] = Machine.returnAddress
    self.btype = btype & 3
    return run(maxSteps: maxSteps)
  }

  /// Runs (or resumes) from the current PC for at most `maxSteps` instructions.
  public mutating func run(maxSteps: Int) -> RunResult {
    var o = NoObserver()
    return run(maxSteps: maxSteps, observer: &o)
  }

  /// Runs with hooks.
  public mutating func run<O: MachineObserver>(maxSteps: Int, observer: inout O) -> RunResult {
    registerFile[Int(Slot.zero)] = 0
    let limit = max(0, maxSteps)
    var regs = registerFile
    registerFile = []
    var stop: Stop?
    var done = 0
    regs.withUnsafeMutableBufferPointer { buf in
      guard let base = buf.baseAddress else { return }
      var ex = Executor(machine: &self, registers: base)
      stop = ex.run(limit: limit, observer: &observer)
      done = ex.steps
      ex.finish(into: &self)
    }
    registerFile = regs
    registerFile[Int(Slot.sink)] = 0
    switch stop {
    case .none:
      // The budget ran out exactly at the return: that is a return.
      return RunResult(steps: done, stop: pc == Machine.returnAddress ? .returned : .stepLimit)
    case .returned?: return RunResult(steps: done, stop: .returned)
    case .fault(let f)?: return RunResult(steps: done, stop: .fault(f))
    }
  }
}

/// Why `Machine.write(instructions:at:)` or `Machine.load(object:guarded:)` failed.
public enum LoadError: Error, Sendable, Hashable, CustomStringConvertible {
  case encoding(index: Int, EncodingError)
  case memory(MemoryError)
  /// A section of a linked object that could not be mapped or written at its base.
  case section(String, address: UInt64, MemoryError)
  /// Line `line` (1-based) of `write(assembly:at:)` did not parse.
  case parse(line: Int, AsmParseError)
  public var description: String {
    switch self {
    case .parse(let line, let e): "line \(line): \(e)"
    case .encoding(let i, let e): "instruction \(i): \(e)"
    case .memory(let e): "\(e)"
    case .section(let name, let address, let e):
      "cannot map section \(name) at 0x\(String(address, radix: 16)): \(e)"
    }
  }
}
