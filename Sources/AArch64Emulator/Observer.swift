/// The kind of a taken or not-taken control transfer, as hooks and traces see it.
public enum BranchKind: String, Sendable, Hashable {
  /// `B`.
  case direct
  /// `BL`.
  case call
  /// `B.cond`, `CBZ`, `TBZ` and friends (reported taken or not).
  case conditional
  /// `BR Xn`, `BRAA…`.
  case indirect
  /// `BLR Xn`, `BLRAA…`.
  case indirectCall
  /// `RET`, `RETAA`, `RETAB`.
  case `return`
}

/// One branch: source, target, whether it was taken, and the BTYPE it leaves for the target.
public struct BranchEvent: Sendable, Hashable {
  public var kind: BranchKind
  public var from: UInt64
  public var to: UInt64
  public var taken: Bool
  /// PSTATE.BTYPE after the branch (0…3).
  public var btype: UInt8
  /// The register number of an indirect branch (0…30), nil for direct ones.
  public var register: UInt8?
}

/// Hooks the run loop calls. The loop is generic over the observer, so the default
/// `NoObserver` compiles to nothing; an observer from another module runs unspecialised (slower,
/// still exact).
///
/// All methods have empty default implementations.
public protocol MachineObserver {
  /// Before executing the instruction at `pc` (after its fetch and BTI check).
  mutating func fetch(pc: UInt64, word: UInt32, btype: UInt8)
  /// After a branch instruction decided where to go.
  mutating func branch(_ event: BranchEvent)
  /// After a load (pairs report each half).
  mutating func load(pc: UInt64, address: UInt64, size: Int, value: UInt64)
  /// Before a store writes (pairs report each half).
  mutating func store(pc: UInt64, address: UInt64, size: Int, value: UInt64)
  /// After the instruction at `pc` completed: the register file (`x0`…`x30`, zero, `sp`) and
  /// NZCV (bits N=8, Z=4, C=2, V=1) as they are now.
  mutating func retire(pc: UInt64, registers: UnsafeBufferPointer<UInt64>, nzcv: UInt8)
}

extension MachineObserver {
  public mutating func fetch(pc: UInt64, word: UInt32, btype: UInt8) {}
  public mutating func branch(_ event: BranchEvent) {}
  public mutating func load(pc: UInt64, address: UInt64, size: Int, value: UInt64) {}
  public mutating func store(pc: UInt64, address: UInt64, size: Int, value: UInt64) {}
  public mutating func retire(pc: UInt64, registers: UnsafeBufferPointer<UInt64>, nzcv: UInt8) {}
}

/// The observer that observes nothing (the fast path).
public struct NoObserver: MachineObserver {
  // One stored byte: a value of no size passed inout has no address of its own, and
  // ThreadSanitizer reports accesses to the placeholder it gets as races between threads.
  private var unused: UInt8 = 0
  public init() {}
}
