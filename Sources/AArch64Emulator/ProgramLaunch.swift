import AArch64

/// How to start a linked program in a fresh `Machine`: the sections loaded with their
/// permissions, a stack below `stackTop`, registers preset, X30 set to
/// `Machine.returnAddress` so that returning from the entry ends the run.
public struct ProgramLaunch: Sendable, Hashable {
  /// A register a launch presets.
  public enum Register: Sendable, Hashable {
    case x(Int)
    case sp
  }

  public static let defaultStackTop: UInt64 = 0x7FFF_0000
  public static let defaultStackSize: UInt64 = 64 * 1024

  /// The symbol to start at; `nil` starts at the start of `.text`.
  public var entry: String?
  /// Map executable pages as BTI guarded pages.
  public var guarded: Bool
  /// Clear SCTLR_EL1.BT0/BT1, so PACIxSP accepts `BR` from any register.
  public var clearBT: Bool
  public var stackTop: UInt64
  public var stackSize: UInt64
  /// Applied in order, after the stack pointer is set.
  public var registers: [(Register, UInt64)]

  public init(
    entry: String? = nil, guarded: Bool = false, clearBT: Bool = false,
    stackTop: UInt64 = ProgramLaunch.defaultStackTop,
    stackSize: UInt64 = ProgramLaunch.defaultStackSize,
    registers: [(Register, UInt64)] = []
  ) {
    self.entry = entry
    self.guarded = guarded
    self.clearBT = clearBT
    self.stackTop = stackTop
    self.stackSize = stackSize
    self.registers = registers
  }

  public static func == (a: ProgramLaunch, b: ProgramLaunch) -> Bool {
    a.entry == b.entry && a.guarded == b.guarded && a.clearBT == b.clearBT
      && a.stackTop == b.stackTop && a.stackSize == b.stackSize
      && a.registers.map(\.0) == b.registers.map(\.0)
      && a.registers.map(\.1) == b.registers.map(\.1)
  }

  public func hash(into h: inout Hasher) {
    h.combine(entry)
    h.combine(guarded)
    h.combine(clearBT)
    h.combine(stackTop)
    h.combine(stackSize)
    for (r, v) in registers {
      h.combine(r)
      h.combine(v)
    }
  }
}

/// Why a program could not be started.
public enum LaunchError: Error, Sendable, Hashable, CustomStringConvertible {
  case load(LoadError)
  case stack(MemoryError)
  case noEntry(String)
  case noText

  public var description: String {
    switch self {
    case .load(let e): return e.description
    case .stack(let e): return "cannot map the stack: \(e)"
    case .noEntry(let name): return "no symbol '\(name)' in the file"
    case .noText: return "the file has no .text section to start at"
    }
  }
}

extension Machine {
  /// A machine with `object` loaded and ready to run from the launch's entry.
  public static func launching(_ object: AssembledObject, _ launch: ProgramLaunch)
    throws(LaunchError) -> Machine
  {
    var machine = Machine()
    if launch.clearBT {
      machine.system.sctlrEL1 &= ~(SystemRegisters.SCTLR.bt0 | SystemRegisters.SCTLR.bt1)
    }
    do throws(LoadError) {
      try machine.load(object: object, guarded: launch.guarded)
    } catch {
      throw .load(error)
    }
    do throws(MemoryError) {
      try machine.map(
        address: launch.stackTop - launch.stackSize, size: launch.stackSize,
        permissions: .readWrite)
    } catch {
      throw .stack(error)
    }
    machine.sp = launch.stackTop
    for (register, value) in launch.registers {
      switch register {
      case .sp: machine.sp = value
      case .x(let n): machine.setX(n, value)
      }
    }
    if let entry = launch.entry {
      guard let s = SymbolTable(object: object).symbol(named: entry) else {
        throw .noEntry(entry)
      }
      machine.pc = s.address
    } else {
      guard let text = object.section(".text") else { throw .noText }
      machine.pc = text.base
    }
    machine.setX(30, Machine.returnAddress)
    return machine
  }
}
