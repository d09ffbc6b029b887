/// A condition code, the 4-bit `cond` field of B.cond, CSEL, CCMP (Arm ARM C1.2.4).
public enum Condition: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case eq = 0x0, ne = 0x1, cs = 0x2, cc = 0x3, mi = 0x4, pl = 0x5, vs = 0x6, vc = 0x7
  case hi = 0x8, ls = 0x9, ge = 0xa, lt = 0xb, gt = 0xc, le = 0xd, al = 0xe, nv = 0xf

  /// The condition with the low bit flipped (`eq` ↔ `ne`, …), as the CSET/CINC aliases use.
  public var inverted: Condition { Condition(rawValue: rawValue ^ 1) ?? self }

  /// The objdump spelling (`cs`/`cc`, not `hs`/`lo`).
  public var description: String {
    switch self {
    case .eq: "eq"
    case .ne: "ne"
    case .cs: "cs"
    case .cc: "cc"
    case .mi: "mi"
    case .pl: "pl"
    case .vs: "vs"
    case .vc: "vc"
    case .hi: "hi"
    case .ls: "ls"
    case .ge: "ge"
    case .lt: "lt"
    case .gt: "gt"
    case .le: "le"
    case .al: "al"
    case .nv: "nv"
    }
  }
}
