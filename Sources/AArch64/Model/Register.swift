/// The width of a general-purpose register operand: `W` (32-bit) or `X` (64-bit).
public enum Width: Sendable, Hashable {
  case w
  case x

  /// The `sf` bit of the manual's encodings: 0 for 32-bit, 1 for 64-bit.
  public var sf: UInt32 { self == .x ? 1 : 0 }
  public init(sf: UInt32) { self = sf == 0 ? .w : .x }
  /// Register size in bits.
  public var bits: Int { self == .x ? 64 : 32 }
}

/// A general-purpose register operand, `X0`–`X30`, `W0`–`W30`, the stack pointer or the zero
/// register.
///
/// SP and ZR are *distinct* names even though both encode as 31: which one a field means depends
/// on the instruction slot, and the encoder rejects the wrong one. (The kernel's `insn.h` aliases
/// `AARCH64_INSN_REG_SP` and `AARCH64_INSN_REG_ZR` on one integer; that is the bug to avoid.)
public struct Register: Sendable, Hashable, CustomStringConvertible {
  /// Which register, independent of width.
  public enum Name: Sendable, Hashable {
    /// `R0`–`R30` (`X30` is LR, `X29` is FP).
    case r(UInt8)
    /// The stack pointer (`SP`/`WSP`).
    case sp
    /// The zero register (`XZR`/`WZR`).
    case zr
  }

  public var name: Name
  public var width: Width

  public init(_ name: Name, _ width: Width) {
    self.name = name
    self.width = width
  }

  /// `Xn`; `n` must be 0…30 (use `.xzr`/`.sp` for 31).
  public static func x(_ n: UInt8) -> Register { Register(.r(n), .x) }
  /// `Wn`; `n` must be 0…30.
  public static func w(_ n: UInt8) -> Register { Register(.r(n), .w) }
  public static let sp = Register(.sp, .x)
  public static let wsp = Register(.sp, .w)
  public static let xzr = Register(.zr, .x)
  public static let wzr = Register(.zr, .w)
  public static let lr = Register.x(30)
  public static let fp = Register.x(29)

  /// The 5-bit field value: 0…30, or 31 for SP and ZR.
  public var field: UInt32 {
    switch name {
    case .r(let n): UInt32(n & 31)
    case .sp, .zr: 31
    }
  }

  /// The register number if this is R0–R30.
  public var number: UInt8? {
    if case .r(let n) = name { return n }
    return nil
  }

  public var isSP: Bool { name == .sp }
  public var isZR: Bool { name == .zr }

  /// The same register at another width.
  public func with(_ width: Width) -> Register { Register(name, width) }

  /// Decodes a field where 31 means the zero register.
  public static func zr(_ field: UInt32, _ width: Width) -> Register {
    field == 31 ? Register(.zr, width) : Register(.r(UInt8(field)), width)
  }

  /// Decodes a field where 31 means the stack pointer.
  public static func sp(_ field: UInt32, _ width: Width) -> Register {
    field == 31 ? Register(.sp, width) : Register(.r(UInt8(field)), width)
  }

  /// The objdump spelling: `x0`, `w30`, `sp`, `wsp`, `xzr`, `wzr`.
  public var description: String {
    switch (name, width) {
    case (.r(let n), .x): "x\(n)"
    case (.r(let n), .w): "w\(n)"
    case (.sp, .x): "sp"
    case (.sp, .w): "wsp"
    case (.zr, .x): "xzr"
    case (.zr, .w): "wzr"
    }
  }
}
