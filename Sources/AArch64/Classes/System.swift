// Hints, barriers, PSTATE, SYS/SYSL (DC, IC, TLBI, AT), MRS/MSR and exception generation.
// Arm ARM C4.1.65.

/// The SYS aliases the printer and parser know: `dc civac, x0`, `ic iallu`, `tlbi vae1is, x0`.
public struct SystemOperation: Sendable, Hashable {
  /// `dc`, `ic`, `tlbi` or `at`.
  public var family: String
  /// The operation name, lower case (`civac`).
  public var name: String
  public var op1: UInt8
  public var crn: UInt8
  public var crm: UInt8
  public var op2: UInt8
  /// Whether the operation takes `Xt` (otherwise Rt must be 31).
  public var takesRegister: Bool

  /// The alias of a SYS encoding, if any.
  public static func lookup(op1: UInt8, crn: UInt8, crm: UInt8, op2: UInt8) -> SystemOperation? {
    byKey[UInt16(op1) << 11 | UInt16(crn) << 7 | UInt16(crm) << 3 | UInt16(op2)]
  }

  /// The alias spelt `family name` (`"dc", "civac"`).
  public static func lookup(family: String, name: String) -> SystemOperation? {
    var key = family + " " + name
    if key.withUTF8({ $0.contains { $0 >= 65 && $0 <= 90 } }) { key = key.lowercased() }
    guard let i = key.withUTF8({ indexByName.value($0) }), Int(i) < table.count else {
      return nil
    }
    return table[Int(i)]
  }

  /// The table, parsed from `tableText` (generated from binutils 2.40 by scripts/a64-sysops).
  static let table: [SystemOperation] = tableText.split(separator: "\n").compactMap { line in
    let p = line.split(separator: " ")
    guard p.count == 7, let op1 = UInt8(p[2]), let crn = UInt8(p[3]), let crm = UInt8(p[4]),
      let op2 = UInt8(p[5])
    else { return nil }
    return SystemOperation(
      family: String(p[0]), name: String(p[1]), op1: op1, crn: crn, crm: crm, op2: op2,
      takesRegister: p[6] == "r")
  }

  /// A row of `table` without its two strings (copying a row retained both).
  struct Fields: Equatable {
    var op1: UInt8
    var crn: UInt8
    var crm: UInt8
    var op2: UInt8
    var takesRegister: Bool
  }

  /// `table`'s rows as `Fields`, in the same order, with each row's `family name`: read from
  /// the bytes of `tableText` (building `table` splits the text into substrings, ~3M
  /// instructions at the first DC/IC/TLBI/AT of a run, which the assembler no longer needs).
  /// Rows are kept as `table` keeps them (seven fields separated by spaces, decimal numbers
  /// that fit a byte); a test compares the two.
  static let rows: (fields: [Fields], keys: [String]) = {
    var fields: [Fields] = []
    var keys: [String] = []
    var text = tableText
    text.withUTF8 { bytes in
      let n = bytes.count
      var k = 0
      while k < n {
        var end = k
        while end < n, bytes[end] != 10 { end += 1 }
        defer { k = end + 1 }
        // The line's space-separated tokens (at most seven kept, eight counted).
        var tokens: [(Int, Int)] = []
        var j = k
        while j < end, tokens.count < 8 {
          while j < end, bytes[j] == 32 { j += 1 }
          guard j < end else { break }
          let start = j
          while j < end, bytes[j] != 32 { j += 1 }
          tokens.append((start, j))
        }
        guard tokens.count == 7 else { continue }
        func number(_ t: (Int, Int)) -> UInt8? {
          guard t.1 - t.0 <= 3 else { return nil }
          var v = 0
          for i in t.0..<t.1 {
            guard bytes[i] >= 48, bytes[i] <= 57 else { return nil }
            v = v * 10 + Int(bytes[i] - 48)
          }
          return v <= 255 ? UInt8(v) : nil
        }
        guard let op1 = number(tokens[2]), let crn = number(tokens[3]),
          let crm = number(tokens[4]), let op2 = number(tokens[5])
        else { continue }
        let r = tokens[6]
        fields.append(
          Fields(
            op1: op1, crn: crn, crm: crm, op2: op2,
            takesRegister: r.1 - r.0 == 1 && bytes[r.0] == UInt8(ascii: "r")))
        let key =
          Array(bytes[tokens[0].0..<tokens[0].1]) + [32] + Array(bytes[tokens[1].0..<tokens[1].1])
        keys.append(String(decoding: key, as: UTF8.self))
      }
    }
    return (fields, keys)
  }()

  /// `rows.fields`.
  static let fields: [Fields] = rows.fields

  static let byKey: [UInt16: SystemOperation] = {
    var d: [UInt16: SystemOperation] = [:]
    for o in table {
      d[UInt16(o.op1) << 11 | UInt16(o.crn) << 7 | UInt16(o.crm) << 3 | UInt16(o.op2)] = o
    }
    return d
  }()

  /// `family name` to the index in `table` (a later row of the same spelling wins), found
  /// from the bytes without hashing a `String`.
  static let indexByName: ByteNameTable = {
    let keys = rows.keys
    var d = ByteNameTable(capacity: keys.count)
    for (i, key) in keys.enumerated() { d.set(key, UInt16(i)) }
    return d
  }()
}

extension SystemInstruction {
  /// The alias (DC/IC/TLBI/AT) of a SYS (not SYSL) encoding.
  public var alias: SystemOperation? {
    read ? nil : SystemOperation.lookup(op1: op1, crn: crn, crm: crm, op2: op2)
  }
}

extension A64Decoder {
  /// DCPS1–3: `11010100 101 imm16 000 LL`, LL = 00 unallocated.
  static let decodeDCPS: DecodeHandler = { f in
    let kinds: [ExceptionKind] = [.dcps1, .dcps2, .dcps3]
    let ll = Int(f[.ll])
    guard ll > 0 else { return .undefined(f.word) }
    return .decoded(.exception(kinds[ll - 1], UInt16(f[.imm16])))
  }

  /// MSR (immediate): the PSTATE fields of `PStateField`; other op1/op2 (CFINV, XAFLAG, TCO,
  /// SVCR…), and CRm > 1 for the single-bit fields (which later extensions reuse), are not
  /// covered.
  static let decodeMSRImmediate: DecodeHandler = { f in
    guard let field = PStateField(op1: UInt8(f[.op1]), op2: UInt8(f[.op2])),
      f[.crm] <= UInt32(field.maxImmediate)
    else { return nil }
    return .decoded(.msrImmediate(field, UInt8(f[.crm])))
  }

  /// SYS/SYSL. A no-register alias (`tlbi vmalle1`) with Rt ≠ 31 is CONSTRAINED UNPREDICTABLE.
  static let decodeSystem: DecodeHandler = { f in
    let s = SystemInstruction(
      read: f[.l] == 1, op1: UInt8(f[.op1]), crn: UInt8(f[.crn]), crm: UInt8(f[.crm]),
      op2: UInt8(f[.op2]), rt: .zr(f[.rt], .x))
    if let a = s.alias, !a.takesRegister, f[.rt] != 31 {
      return .unpredictable(.system(s), reason: "\(a.family) \(a.name) with Rt != 31")
    }
    return .decoded(.system(s))
  }

  /// MRS/MSR (register): op0 = 2 + o0.
  static let decodeMoveSystemRegister: DecodeHandler = { f in
    let r = SystemRegister(
      op0: UInt8(2 + f[.o0]), op1: UInt8(f[.op1]), crn: UInt8(f[.crn]), crm: UInt8(f[.crm]),
      op2: UInt8(f[.op2]))
    let rt = Register.zr(f[.rt], .x)
    return .decoded(f[.l] == 1 ? .mrs(rt, r) : .msr(r, rt))
  }
}

extension A64Encoder {
  static func barrier(_ b: Barrier) throws(EncodingError) -> UInt32 {
    switch b {
    case .dsb(let o):
      if o.rawValue == 0 || o.rawValue == 4 {
        throw EncodingError(
          .useAlias, operand: "option",
          "dsb #\(o.rawValue) is spelt \(o.rawValue == 0 ? "ssbb" : "pssbb")")
      }
      return try A64Spec.assemble(.DSB, [.crm: UInt32(o.rawValue)])
    case .dmb(let o): return try A64Spec.assemble(.DMB, [.crm: UInt32(o.rawValue)])
    case .isb(let o): return try A64Spec.assemble(.ISB, [.crm: UInt32(o.rawValue)])
    case .ssbb: return try A64Spec.assemble(.SSBB, [:])
    case .pssbb: return try A64Spec.assemble(.PSSBB, [:])
    case .sb: return try A64Spec.assemble(.SB, [.crm: 0])
    case .clrex(let imm):
      try checkRange(Int64(imm), 0...15, "crm")
      return try A64Spec.assemble(.CLREX, [.crm: UInt32(imm)])
    }
  }

  static func msrImmediate(_ f: PStateField, _ imm: UInt8) throws(EncodingError) -> UInt32 {
    try checkRange(Int64(imm), 0...Int64(f.maxImmediate), "imm")
    return try A64Spec.assemble(
      .MSR_i,
      [
        .op1: UInt32(f.ops.op1), .crm: UInt32(imm), .op2: UInt32(f.ops.op2),
      ])
  }

  static func system(_ s: SystemInstruction) throws(EncodingError) -> UInt32 {
    try checkRange(Int64(s.op1), 0...7, "op1")
    try checkRange(Int64(s.crn), 0...15, "crn")
    try checkRange(Int64(s.crm), 0...15, "crm")
    try checkRange(Int64(s.op2), 0...7, "op2")
    return try A64Spec.assemble(
      .SYS,
      [
        .l: s.read ? 1 : 0, .op1: UInt32(s.op1), .crn: UInt32(s.crn), .crm: UInt32(s.crm),
        .op2: UInt32(s.op2), .rt: s.rt.encoded("rt", .zr, .x),
      ])
  }

  static func moveSystemRegister(read: Bool, _ r: SystemRegister, _ rt: Register)
    throws(EncodingError) -> UInt32
  {
    guard r.op0 >= 2 else {
      throw EncodingError(.outOfRange, operand: "op0", "op0 \(r.op0) is not 2 or 3")
    }
    return try A64Spec.assemble(
      .MRS_MSR,
      [
        .l: read ? 1 : 0, .o0: UInt32(r.op0 - 2), .op1: UInt32(r.op1), .crn: UInt32(r.crn),
        .crm: UInt32(r.crm), .op2: UInt32(r.op2), .rt: rt.encoded("rt", .zr, .x),
      ])
  }

  static func exception(_ k: ExceptionKind, _ imm: UInt16) throws(EncodingError) -> UInt32 {
    let v: KeyValuePairs<Field, UInt32> = [.imm16: UInt32(imm)]
    switch k {
    case .svc: return try A64Spec.assemble(.SVC, v)
    case .hvc: return try A64Spec.assemble(.HVC, v)
    case .smc: return try A64Spec.assemble(.SMC, v)
    case .brk: return try A64Spec.assemble(.BRK, v)
    case .hlt: return try A64Spec.assemble(.HLT, v)
    case .dcps1: return try A64Spec.assemble(.DCPS, [.imm16: UInt32(imm), .ll: 1])
    case .dcps2: return try A64Spec.assemble(.DCPS, [.imm16: UInt32(imm), .ll: 2])
    case .dcps3: return try A64Spec.assemble(.DCPS, [.imm16: UInt32(imm), .ll: 3])
    }
  }
}
