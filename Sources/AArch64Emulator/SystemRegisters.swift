import AArch64

/// The small system-register file the emulator models: what MRS/MSR reach, and the SCTLR bits
/// that change execution (BT0/BT1 for BTI, A and SA for alignment, EnIA/EnIB for PAC).
public struct SystemRegisters: Sendable, Hashable {
  /// SCTLR_EL1 bits used by the emulator (Arm ARM D19.2, kernel `SCTLR_ELx_*`).
  public enum SCTLR {
    /// Alignment check enable (strict alignment for every load and store).
    public static let a: UInt64 = 1 << 1
    /// SP alignment check at EL1.
    public static let sa: UInt64 = 1 << 3
    /// SP alignment check at EL0.
    public static let sa0: UInt64 = 1 << 4
    public static let enDB: UInt64 = 1 << 13
    public static let enDA: UInt64 = 1 << 27
    public static let enIB: UInt64 = 1 << 30
    public static let enIA: UInt64 = 1 << 31
    /// PACIxSP is not a landing pad for BTYPE 11 at EL0 (kernel `SCTLR_EL1_BT0`).
    public static let bt0: UInt64 = 1 << 35
    /// Same at EL1 (kernel `SCTLR_EL1_BT1`).
    public static let bt1: UInt64 = 1 << 36
    /// Linux's choice with BTI and PAC: M, C, SA, SA0, I, the four PAC enables, BT0 and BT1.
    public static let linux: UInt64 =
      1 | 1 << 2 | sa | sa0 | 1 << 12 | enDB | enDA | enIB | enIA | bt0 | bt1
  }

  public var sctlrEL1: UInt64 = SCTLR.linux
  /// The exception level the code runs at (0 or 1); CurrentEL reads `el << 2`.
  public var exceptionLevel: UInt8 = 1
  /// PSTATE.{D,A,I,F} in bits 9:6, as DAIF reads.
  public var daif: UInt64 = 0
  public var tpidrEL0: UInt64 = 0
  public var tpidrroEL0: UInt64 = 0
  public var tpidrEL1: UInt64 = 0
  public var spEL0: UInt64 = 0
  public var elrEL1: UInt64 = 0
  public var spsrEL1: UInt64 = 0
  public var esrEL1: UInt64 = 0
  public var farEL1: UInt64 = 0
  public var vbarEL1: UInt64 = 0
  /// PSTATE.PAN, UAO, SSBS, DIT, SPSel as 0/1 (recorded, not enforced).
  public var pan: UInt8 = 0
  public var uao: UInt8 = 0
  public var ssbs: UInt8 = 0
  public var dit: UInt8 = 0
  public var spsel: UInt8 = 1
  /// The pointer-authentication keys.
  public var keys: PointerAuthKeys

  public init(keys: PointerAuthKeys = PointerAuthKeys(seed: 0x5041_5453_4954_4531)) {
    self.keys = keys
  }

  /// True if PACIxSP is *not* a valid landing pad for BTYPE 11 at the current EL.
  public var btRestrictsPACIxSP: Bool {
    sctlrEL1 & (exceptionLevel == 0 ? SCTLR.bt0 : SCTLR.bt1) != 0
  }

  static let nzcvReg = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 0).encoding
  static let daifReg = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 1).encoding
  static let currentEL = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 2).encoding
  static let sctlr = SystemRegister(op0: 3, op1: 0, crn: 1, crm: 0, op2: 0).encoding
  static let tpidr0 = SystemRegister(op0: 3, op1: 3, crn: 13, crm: 0, op2: 2).encoding
  static let tpidrro0 = SystemRegister(op0: 3, op1: 3, crn: 13, crm: 0, op2: 3).encoding
  static let tpidr1 = SystemRegister(op0: 3, op1: 0, crn: 13, crm: 0, op2: 4).encoding
  static let sp0 = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 1, op2: 0).encoding
  static let elr1 = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 0, op2: 1).encoding
  static let spsr1 = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 0, op2: 0).encoding
  static let esr1 = SystemRegister(op0: 3, op1: 0, crn: 5, crm: 2, op2: 0).encoding
  static let far1 = SystemRegister(op0: 3, op1: 0, crn: 6, crm: 0, op2: 0).encoding
  static let vbar1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 0, op2: 0).encoding
  /// Reads a modelled system register; nil if not modelled (the MRS then is undefined).
  /// `nzcv` is PSTATE's (N=8, Z=4, C=2, V=1).
  func read(_ encoding: UInt16, nzcv: UInt8) -> UInt64? {
    switch encoding {
    case Self.nzcvReg: return UInt64(nzcv) << 28
    case Self.daifReg: return daif
    case Self.currentEL: return UInt64(exceptionLevel) << 2
    case Self.sctlr: return sctlrEL1
    case Self.tpidr0: return tpidrEL0
    case Self.tpidrro0: return tpidrroEL0
    case Self.tpidr1: return tpidrEL1
    case Self.sp0: return spEL0
    case Self.elr1: return elrEL1
    case Self.spsr1: return spsrEL1
    case Self.esr1: return esrEL1
    case Self.far1: return farEL1
    case Self.vbar1: return vbarEL1
    default: return keys.read(encoding)
    }
  }

  /// Writes a modelled register; false if not modelled or read-only. NZCV writes come back
  /// through `nzcv`.
  mutating func write(_ encoding: UInt16, _ value: UInt64, nzcv: inout UInt8) -> Bool {
    switch encoding {
    case Self.nzcvReg: nzcv = UInt8((value >> 28) & 15)
    case Self.daifReg: daif = value & 0x3c0
    case Self.sctlr: sctlrEL1 = value
    case Self.tpidr0: tpidrEL0 = value
    case Self.tpidrro0: tpidrroEL0 = value
    case Self.tpidr1: tpidrEL1 = value
    case Self.sp0: spEL0 = value
    case Self.elr1: elrEL1 = value
    case Self.spsr1: spsrEL1 = value
    case Self.esr1: esrEL1 = value
    case Self.far1: farEL1 = value
    case Self.vbar1: vbarEL1 = value
    default: return keys.write(encoding, value)
    }
    return true
  }
}

/// The five 128-bit pointer-authentication keys (APIA, APIB, APDA, APDB, APGA), as
/// `(hi, lo)` halves like the `AP*Key{Hi,Lo}_EL1` registers.
public struct PointerAuthKeys: Sendable, Hashable {
  public var ia: (hi: UInt64, lo: UInt64)
  public var ib: (hi: UInt64, lo: UInt64)
  public var da: (hi: UInt64, lo: UInt64)
  public var db: (hi: UInt64, lo: UInt64)
  public var ga: (hi: UInt64, lo: UInt64)

  /// Deterministic keys from a seed (the machine's "per-boot" keys).
  public init(seed: UInt64) {
    var s = seed
    func next() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      return PointerAuth.mix(s)
    }
    ia = (next(), next())
    ib = (next(), next())
    da = (next(), next())
    db = (next(), next())
    ga = (next(), next())
  }

  public static func == (l: PointerAuthKeys, r: PointerAuthKeys) -> Bool {
    l.ia == r.ia && l.ib == r.ib && l.da == r.da && l.db == r.db && l.ga == r.ga
  }

  public func hash(into h: inout Hasher) {
    for k in [ia, ib, da, db, ga] {
      h.combine(k.hi)
      h.combine(k.lo)
    }
  }

  /// AP{IA,IB,DA,DB,GA}Key{Lo,Hi}_EL1: op0 3, op1 0, CRn 2, CRm 1 (IA op2 0/1, IB 2/3),
  /// CRm 2 (DA 0/1, DB 2/3), CRm 3 (GA 0/1).
  static func slot(_ encoding: UInt16) -> (key: Int, hi: Bool)? {
    let r = SystemRegister(encoding: encoding)
    guard r.op0 == 3, r.op1 == 0, r.crn == 2 else { return nil }
    switch (r.crm, r.op2) {
    case (1, 0...3): return (Int(r.op2 >> 1), r.op2 & 1 == 1)
    case (2, 0...3): return (2 + Int(r.op2 >> 1), r.op2 & 1 == 1)
    case (3, 0...1): return (4, r.op2 == 1)
    default: return nil
    }
  }

  func read(_ encoding: UInt16) -> UInt64? {
    guard let (k, hi) = Self.slot(encoding) else { return nil }
    let key = [ia, ib, da, db, ga][k]
    return hi ? key.hi : key.lo
  }

  mutating func write(_ encoding: UInt16, _ value: UInt64) -> Bool {
    guard let (k, hi) = Self.slot(encoding) else { return false }
    func set(_ key: inout (hi: UInt64, lo: UInt64)) {
      if hi { key.hi = value } else { key.lo = value }
    }
    switch k {
    case 0: set(&ia)
    case 1: set(&ib)
    case 2: set(&da)
    case 3: set(&db)
    default: set(&ga)
    }
    return true
  }
}
