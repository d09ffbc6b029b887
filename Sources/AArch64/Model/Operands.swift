/// The shift applied to a register operand (`LSL`, `LSR`, `ASR`, `ROR`), field `shift`.
public enum Shift: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case lsl = 0, lsr = 1, asr = 2, ror = 3
  public var description: String {
    switch self {
    case .lsl: "lsl"
    case .lsr: "lsr"
    case .asr: "asr"
    case .ror: "ror"
    }
  }
}

/// The extend applied to a register operand (field `option`), for ADD/SUB (extended register)
/// and register-offset loads and stores.
public enum Extend: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case uxtb = 0, uxth = 1, uxtw = 2, uxtx = 3, sxtb = 4, sxth = 5, sxtw = 6, sxtx = 7
  /// True if the extended register is an X register (UXTX, SXTX); otherwise it is W.
  public var takesX: Bool { self == .uxtx || self == .sxtx }
  public var description: String {
    switch self {
    case .uxtb: "uxtb"
    case .uxth: "uxth"
    case .uxtw: "uxtw"
    case .uxtx: "uxtx"
    case .sxtb: "sxtb"
    case .sxth: "sxth"
    case .sxtw: "sxtw"
    case .sxtx: "sxtx"
    }
  }
}

/// An operand of the hint space `HINT #imm` (CRm:op2, 0…127).
///
/// A raw-value struct, like swift-system's `Errno`, so that every one of the 128 encodings has
/// exactly one value; named hints are static members. Kernel: `aarch64_insn_hint_cr_op`
/// (`AARCH64_INSN_HINT_BTIC` is `.btiC`).
public struct Hint: RawRepresentable, Sendable, Hashable {
  public var rawValue: UInt8
  /// The hint `HINT #rawValue`; nil unless 0…127.
  public init?(rawValue: UInt8) {
    guard rawValue < 128 else { return nil }
    self.rawValue = rawValue
  }
  /// For values known to be in range (masked to 7 bits).
  init(unchecked v: UInt8) { rawValue = v & 0x7f }

  public static let nop = Hint(unchecked: 0)
  public static let yield = Hint(unchecked: 1)
  public static let wfe = Hint(unchecked: 2)
  public static let wfi = Hint(unchecked: 3)
  public static let sev = Hint(unchecked: 4)
  public static let sevl = Hint(unchecked: 5)
  public static let xpaclri = Hint(unchecked: 7)
  public static let pacia1716 = Hint(unchecked: 8)
  public static let pacib1716 = Hint(unchecked: 10)
  public static let autia1716 = Hint(unchecked: 12)
  public static let autib1716 = Hint(unchecked: 14)
  public static let esb = Hint(unchecked: 16)
  public static let psbCSync = Hint(unchecked: 17)
  public static let tsbCSync = Hint(unchecked: 18)
  public static let csdb = Hint(unchecked: 20)
  public static let clearbhb = Hint(unchecked: 22)
  public static let paciaz = Hint(unchecked: 24)
  public static let paciasp = Hint(unchecked: 25)
  public static let pacibz = Hint(unchecked: 26)
  public static let pacibsp = Hint(unchecked: 27)
  public static let autiaz = Hint(unchecked: 28)
  public static let autiasp = Hint(unchecked: 29)
  public static let autibz = Hint(unchecked: 30)
  public static let autibsp = Hint(unchecked: 31)
  /// `BTI` with no target (HINT #32). Kernel: `AARCH64_INSN_HINT_BTI`.
  public static let bti = Hint(unchecked: 32)
  /// `BTI c` (HINT #34). Kernel: `AARCH64_INSN_HINT_BTIC`.
  public static let btiC = Hint(unchecked: 34)
  /// `BTI j` (HINT #36). Kernel: `AARCH64_INSN_HINT_BTIJ`.
  public static let btiJ = Hint(unchecked: 36)
  /// `BTI jc` (HINT #38). Kernel: `AARCH64_INSN_HINT_BTIJC`.
  public static let btiJC = Hint(unchecked: 38)

  /// The BTI target kind if this hint is a BTI (HINT #32, #34, #36, #38).
  public var btiTarget: BTITarget? {
    rawValue & 0b111_1001 == 0b010_0000 ? BTITarget(rawValue: (rawValue >> 1) & 3) : nil
  }

  /// The objdump mnemonic, or nil for an unallocated hint (printed `hint #0x..`).
  public var name: String? { Hint.names[Int(rawValue)] }

  static let names: [String?] = {
    var t = [String?](repeating: nil, count: 128)
    let known: [(Int, String)] = [
      (0, "nop"), (1, "yield"), (2, "wfe"), (3, "wfi"), (4, "sev"), (5, "sevl"),
      (7, "xpaclri"), (8, "pacia1716"), (10, "pacib1716"), (12, "autia1716"), (14, "autib1716"),
      (16, "esb"), (17, "psb csync"), (18, "tsb csync"), (20, "csdb"), (22, "clearbhb"),
      (24, "paciaz"), (25, "paciasp"), (26, "pacibz"), (27, "pacibsp"), (28, "autiaz"),
      (29, "autiasp"), (30, "autibz"), (31, "autibsp"), (32, "bti"), (34, "bti c"),
      (36, "bti j"), (38, "bti jc"),
    ]
    for (i, n) in known { t[i] = n }
    return t
  }()
}

/// The target kinds of `BTI` (op2<2:1>).
public enum BTITarget: UInt8, Sendable, Hashable {
  case none = 0, c = 1, j = 2, jc = 3
}

/// A DMB/DSB barrier option, the 4-bit `CRm` field (`sy`, `ish`, …, or `#imm`).
public struct BarrierOption: RawRepresentable, Sendable, Hashable {
  public var rawValue: UInt8
  /// The option with CRm = `rawValue`; nil unless 0…15.
  public init?(rawValue: UInt8) {
    guard rawValue < 16 else { return nil }
    self.rawValue = rawValue
  }
  /// For values known to be in range (masked to 4 bits).
  init(unchecked v: UInt8) { rawValue = v & 15 }
  public static let oshld = BarrierOption(unchecked: 1)
  public static let oshst = BarrierOption(unchecked: 2)
  public static let osh = BarrierOption(unchecked: 3)
  public static let nshld = BarrierOption(unchecked: 5)
  public static let nshst = BarrierOption(unchecked: 6)
  public static let nsh = BarrierOption(unchecked: 7)
  public static let ishld = BarrierOption(unchecked: 9)
  public static let ishst = BarrierOption(unchecked: 10)
  public static let ish = BarrierOption(unchecked: 11)
  public static let ld = BarrierOption(unchecked: 13)
  public static let st = BarrierOption(unchecked: 14)
  public static let sy = BarrierOption(unchecked: 15)

  /// The objdump name, or nil for options printed as `#0x..`.
  public var name: String? { BarrierOption.names[Int(rawValue)] }
  static let names: [String?] = [
    nil, "oshld", "oshst", "osh", nil, "nshld", "nshst", "nsh",
    nil, "ishld", "ishst", "ish", nil, "ld", "st", "sy",
  ]
}

/// The memory barriers and CLREX (Arm ARM C6.2: DMB, DSB, ISB, SB, SSBB, PSSBB, CLREX).
public enum Barrier: Sendable, Hashable {
  /// `DSB <option>`; options 0 and 4 are spelled `ssbb` and `pssbb` and must use those cases.
  case dsb(BarrierOption)
  case dmb(BarrierOption)
  /// `ISB` (option `sy`, printed bare) or `ISB #imm`.
  case isb(BarrierOption)
  /// Speculative Store Bypass Barrier (DSB with CRm 0000).
  case ssbb
  /// Physical Speculative Store Bypass Barrier (DSB with CRm 0100).
  case pssbb
  /// Speculation Barrier.
  case sb
  /// `CLREX` (CRm 15) or `CLREX #imm`.
  case clrex(UInt8)
}

/// A PSTATE field written by `MSR <field>, #imm` (op1, op2).
public enum PStateField: Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case spsel, daifset, daifclr, uao, pan, ssbs, dit

  /// (op1, op2) of the encoding.
  public var ops: (op1: UInt8, op2: UInt8) {
    switch self {
    case .uao: (0, 3)
    case .pan: (0, 4)
    case .spsel: (0, 5)
    case .ssbs: (3, 1)
    case .dit: (3, 2)
    case .daifset: (3, 6)
    case .daifclr: (3, 7)
    }
  }

  /// The largest immediate the field accepts (1 for single-bit fields, 15 for DAIF masks).
  public var maxImmediate: UInt8 { self == .daifset || self == .daifclr ? 15 : 1 }

  public init?(op1: UInt8, op2: UInt8) {
    guard let f = PStateField.allCases.first(where: { $0.ops == (op1, op2) }) else { return nil }
    self = f
  }

  public var description: String {
    switch self {
    case .spsel: "spsel"
    case .daifset: "daifset"
    case .daifclr: "daifclr"
    case .uao: "uao"
    case .pan: "pan"
    case .ssbs: "ssbs"
    case .dit: "dit"
    }
  }
}

/// The exception-generating instructions (Arm ARM C4.1.66).
public enum ExceptionKind: Sendable, Hashable, CaseIterable {
  case svc, hvc, smc, brk, hlt, dcps1, dcps2, dcps3
}

/// A system register operand of MRS/MSR: op0 (2 or 3), op1, CRn, CRm, op2.
///
/// Printed by name for the 1013 registers binutils names (`SystemRegisterNames.swift`), otherwise as
/// `s<op0>_<op1>_c<n>_c<m>_<op2>` exactly as objdump does.
public struct SystemRegister: Sendable, Hashable {
  /// The 16-bit value op0:op1:CRn:CRm:op2 as used in `MRS` bits [20:5] (op0 in bits 15:14).
  public var encoding: UInt16

  public init(op0: UInt8, op1: UInt8, crn: UInt8, crm: UInt8, op2: UInt8) {
    encoding =
      UInt16(op0 & 3) << 14 | UInt16(op1 & 7) << 11 | UInt16(crn & 15) << 7 | UInt16(crm & 15) << 3
      | UInt16(op2 & 7)
  }
  public init(encoding: UInt16) { self.encoding = encoding }

  public var op0: UInt8 { UInt8(encoding >> 14) }
  public var op1: UInt8 { UInt8((encoding >> 11) & 7) }
  public var crn: UInt8 { UInt8((encoding >> 7) & 15) }
  public var crm: UInt8 { UInt8((encoding >> 3) & 15) }
  public var op2: UInt8 { UInt8(encoding & 7) }

  /// The lower-case name as MRS prints it, or `s3_0_c15_c2_0` for unnamed encodings.
  public var name: String {
    SystemRegister.nameByEncoding[encoding] ?? genericName
  }

  /// The name as MSR prints it (differs only for DBGDTRRX_EL0/DBGDTRTX_EL0).
  public var nameForWrite: String {
    encoding == SystemRegister.dbgdtr ? "dbgdtrtx_el0" : name
  }

  /// `s<op0>_<op1>_c<n>_c<m>_<op2>`.
  public var genericName: String { "s\(op0)_\(op1)_c\(crn)_c\(crm)_\(op2)" }

  static let dbgdtr: UInt16 = 0x9828

  /// Looks up a register by name (case-insensitive) or by the generic `s3_…` form.
  public init?(name: String) {
    // Names reach here lower case already (the assembler and the parser lower them).
    var n = name
    if n.withUTF8({ $0.contains { $0 >= 65 && $0 <= 90 } }) { n = n.lowercased() }
    if let e = n.withUTF8({ SystemRegister.encodingByName.value($0) }) {
      self.init(encoding: e)
      return
    }
    // s<op0>_<op1>_c<n>_c<m>_<op2>
    let parts = n.split(separator: "_", omittingEmptySubsequences: false)
    guard parts.count == 5, parts[0].hasPrefix("s"), parts[2].hasPrefix("c"),
      parts[3].hasPrefix("c"),
      let op0 = UInt8(parts[0].dropFirst()), (2...3).contains(op0),
      let op1 = UInt8(parts[1]), op1 < 8,
      let crn = UInt8(parts[2].dropFirst()), crn < 16,
      let crm = UInt8(parts[3].dropFirst()), crm < 16,
      let op2 = UInt8(parts[4]), op2 < 8
    else { return nil }
    self.init(op0: op0, op1: op1, crn: crn, crm: crm, op2: op2)
  }

  /// The parsed `table` (name, encoding) pairs.
  /// Read from the bytes (splitting the 200 KB string into substrings and parsing each with
  /// `UInt16(_:radix:)` cost ~4 ms at the first MRS/MSR of every run).
  static let entries: [(String, UInt16)] = {
    var out: [(String, UInt16)] = []
    out.reserveCapacity(1024)
    var text = table
    text.withUTF8 { bytes in
      let n = bytes.count
      var k = 0
      while k < n {
        while k < n, bytes[k] == 32 || bytes[k] == 10 { k += 1 }
        let start = k
        var eq = -1
        while k < n, bytes[k] != 32, bytes[k] != 10 {
          if bytes[k] == UInt8(ascii: "=") { eq = eq < 0 ? k : -2 }  // -2: more than one
          k += 1
        }
        // `name=hex`, both sides non-empty, at most four hex digits.
        guard eq > start, eq + 1 < k, k - eq - 1 <= 4 else { continue }
        var v: UInt16 = 0
        var valid = true
        for j in (eq + 1)..<k {
          let c = bytes[j]
          let d: UInt8
          if c >= 48 && c <= 57 {
            d = c - 48
          } else if c | 0x20 >= 97 && c | 0x20 <= 102 {
            d = (c | 0x20) - 87
          } else {
            valid = false
            break
          }
          v = v << 4 | UInt16(d)
        }
        guard valid else { continue }
        out.append(
          (String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<eq]), as: UTF8.self), v))
      }
    }
    return out
  }()

  static let nameByEncoding: [UInt16: String] = {
    var d: [UInt16: String] = [:]
    for (n, e) in entries { d[e] = n }
    return d
  }()

  static let encodingByName: ByteNameTable = {
    var d = ByteNameTable(capacity: entries.count + 1)
    for (n, e) in entries { d.set(n, e) }
    d.set("dbgdtrtx_el0", dbgdtr)
    return d
  }()
}

/// The prefetch operation of PRFM/PRFUM (`pldl1keep`, …, or `#imm` for unnamed values).
public struct PrefetchOperation: RawRepresentable, Sendable, Hashable {
  public var rawValue: UInt8
  /// The operation with Rt = `rawValue`; nil unless 0…31.
  public init?(rawValue: UInt8) {
    guard rawValue < 32 else { return nil }
    self.rawValue = rawValue
  }
  /// For values known to be in range (masked to 5 bits).
  init(unchecked v: UInt8) { rawValue = v & 31 }
  public static let pldl1keep = PrefetchOperation(unchecked: 0)
  public static let pstl1keep = PrefetchOperation(unchecked: 16)

  /// `pld|pli|pst` `l1|l2|l3` `keep|strm`, or nil.
  public var name: String? {
    let type = rawValue >> 3
    let target = (rawValue >> 1) & 3
    guard type < 3, target < 3 else { return nil }
    return ["pld", "pli", "pst"][Int(type)] + "l\(target + 1)"
      + (rawValue & 1 == 0 ? "keep" : "strm")
  }

  public init?(name: String) {
    let n = name.lowercased()
    guard let v = PrefetchOperation.named.firstIndex(of: n) else { return nil }
    self.init(unchecked: UInt8(v))
  }

  /// Every value's name (nil where there is none), built once.
  static let named: [String?] = (UInt8(0)..<32).map { PrefetchOperation(unchecked: $0).name }
}
