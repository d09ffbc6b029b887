/// The outcome of a run as data: steps, final PC and flags, the registers, and the fault if any.
/// `Reporting` renders it (`patchsite run`'s text and JSON).
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

  /// `x0`…`x30`, then `sp` for index 31.
  public static func registerName(_ i: Int) -> String { i == 31 ? "sp" : "x\(i)" }
}
