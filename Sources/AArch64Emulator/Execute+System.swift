import AArch64

// Hints (NOP, BTI, the PAC hints), barriers, CLREX, MSR (immediate), SYS (DC/IC/TLBI/AT),
// MRS/MSR, BRK, and the PAC data-processing instructions (PACIA Xd, Xn|SP, XPACI, …).

extension Lowering {
  static func lowerSystem(_ i: Instruction, word: UInt32) -> Op? {
    var op = Op()
    switch i {
    case .hint(let h):
      op.h = h.rawValue
      switch h.rawValue {
      case 7, 8, 10, 12, 14, 24...31: op.kind = .hint
      default: op.kind = .nop
      }
    case .barrier(let b):
      if case .clrex = b { op.kind = .clrex } else { op.kind = .barrier }
    case .msrImmediate(let field, let imm):
      op.kind = .msrImm
      op.g = UInt8(PStateField.allCases.firstIndex(of: field) ?? 0)
      op.h = imm
    case .system(let s):
      if s.read { return fault(.notModelled) }
      op.kind = .sys
      op.a = Slot.read(s.rt)
    case .mrs(let rt, let sr):
      op.kind = .mrs
      op.a = Slot.write(rt)
      op.imm = UInt64(sr.encoding)
    case .msr(let sr, let rt):
      op.kind = .msr
      op.b = Slot.read(rt)
      op.imm = UInt64(sr.encoding)
    case .exception(let kind, let imm):
      switch kind {
      case .brk:
        op.kind = .brk
        op.imm = UInt64(imm)
      case .hlt: return fault(.hlt)
      default: return fault(.notModelled)
      }
    case .exceptionReturn: return fault(.notModelled)
    default: return nil
    }
    return op
  }

  /// The PAC data-processing group (Arm ARM C6.2: PACIA, …, XPACD), which the `AArch64`
  /// decoder leaves `.notCovered`: `1 1 0 11010110 00001 opcode:6 Rn Rd`.
  static func lowerPACData(_ word: UInt32) -> Op? {
    guard word & 0xFFFF_0000 == 0xDAC1_0000 else { return nil }
    let opcode = (word >> 10) & 0x3f
    let rn = (word >> 5) & 31
    let rd = word & 31
    guard opcode <= 17 else { return nil }
    // The Z forms and XPAC need Rn = 11111.
    if opcode >= 8 && rn != 31 { return nil }
    var op = Op()
    op.kind = .pacData
    op.g = UInt8(opcode)
    op.a = rd == 31 ? Slot.sink : UInt8(rd)
    op.d = rd == 31 ? Slot.zero : UInt8(rd)
    op.b = opcode >= 8 ? Slot.zero : (rn == 31 ? Slot.sp : UInt8(rn))
    return op
  }
}

extension Executor {
  /// The key and enable bit for an instruction (`data` false) or data key.
  @inline(__always)
  func key(keyB: Bool, data: Bool) -> (key: (hi: UInt64, lo: UInt64), enabled: Bool) {
    let s = system.sctlrEL1
    typealias S = SystemRegisters.SCTLR
    switch (data, keyB) {
    case (false, false): return (system.keys.ia, s & S.enIA != 0)
    case (false, true): return (system.keys.ib, s & S.enIB != 0)
    case (true, false): return (system.keys.da, s & S.enDA != 0)
    case (true, true): return (system.keys.db, s & S.enDB != 0)
    }
  }

  /// AddPAC, or the pointer unchanged when the key is disabled in SCTLR_EL1.
  func sign(_ p: UInt64, modifier: UInt64, keyB: Bool, data: Bool) -> UInt64 {
    let (k, on) = key(keyB: keyB, data: data)
    return on ? PointerAuth.sign(p, modifier: modifier, key: k) : p
  }

  /// Auth, or the pointer unchanged when the key is disabled. With FPAC a mismatch faults here.
  func authenticate(_ p: UInt64, modifier: UInt64, keyB: Bool, data: Bool) throws(Fault)
    -> UInt64
  {
    let (k, on) = key(keyB: keyB, data: data)
    guard on else { return p }
    let (v, ok) = PointerAuth.authenticate(p, modifier: modifier, key: k, keyB: keyB)
    if !ok && options.fpac { throw Fault(.pointerAuthentication(address: v), pc: pc) }
    return v
  }

  /// The PAC hints: XPACLRI, PACIA1716…AUTIBSP.
  mutating func execHint(_ op: Op) throws(Fault) {
    let sp = r[Int(Slot.sp)]
    switch op.h {
    case 7: r[30] = PointerAuth.strip(r[30])
    case 8: r[17] = sign(r[17], modifier: r[16], keyB: false, data: false)
    case 10: r[17] = sign(r[17], modifier: r[16], keyB: true, data: false)
    case 12: r[17] = try authenticate(r[17], modifier: r[16], keyB: false, data: false)
    case 14: r[17] = try authenticate(r[17], modifier: r[16], keyB: true, data: false)
    case 24: r[30] = sign(r[30], modifier: 0, keyB: false, data: false)
    case 25: r[30] = sign(r[30], modifier: sp, keyB: false, data: false)
    case 26: r[30] = sign(r[30], modifier: 0, keyB: true, data: false)
    case 27: r[30] = sign(r[30], modifier: sp, keyB: true, data: false)
    case 28: r[30] = try authenticate(r[30], modifier: 0, keyB: false, data: false)
    case 29: r[30] = try authenticate(r[30], modifier: sp, keyB: false, data: false)
    case 30: r[30] = try authenticate(r[30], modifier: 0, keyB: true, data: false)
    case 31: r[30] = try authenticate(r[30], modifier: sp, keyB: true, data: false)
    default: break
    }
  }

  /// PACIA/PACIB/PACDA/PACDB/AUTxx (register modifier), the Z forms, XPACI/XPACD.
  mutating func execPacData(_ op: Op) throws(Fault) {
    let v = r[Int(op.d)]
    let m = r[Int(op.b)]
    let g = op.g
    let result: UInt64
    switch g {
    case 16, 17: result = PointerAuth.strip(v)
    default:
      let keyB = g & 1 == 1
      let data = g & 2 != 0
      if g & 4 == 0 {
        result = sign(v, modifier: m, keyB: keyB, data: data)
      } else {
        result = try authenticate(v, modifier: m, keyB: keyB, data: data)
      }
    }
    r[Int(op.a)] = result
  }

  /// DMB/DSB/ISB/SB/SSBB/PSSBB: recorded as events.
  mutating func execBarrier(_ op: Op) {
    if case .barrier(let b)? = decode(currentWord).instruction {
      events.append(SystemEvent(pc: pc, kind: .barrier(b), step: steps))
    }
  }

  /// DC/IC/TLBI/AT/SYS: recorded with the register operand.
  mutating func execSys(_ op: Op) {
    if case .system(let s)? = decode(currentWord).instruction {
      events.append(SystemEvent(pc: pc, kind: .maintenance(s, operand: x(op.a)), step: steps))
    }
  }

  /// The word at `pc` (already fetched through the code TLB).
  var currentWord: UInt32 {
    UInt32(littleEndian: codeBytes.load(fromByteOffset: Int(pc & 0xfff), as: UInt32.self))
  }

  /// `MSR DAIFSet|DAIFClr|SPSel|PAN|UAO|SSBS|DIT, #imm`.
  mutating func execMsrImm(_ op: Op) {
    let imm = UInt64(op.h)
    switch PStateField.allCases[Int(op.g)] {
    case .daifset: system.daif |= (imm & 15) << 6
    case .daifclr: system.daif &= ~((imm & 15) << 6)
    case .spsel: system.spsel = op.h & 1
    case .pan: system.pan = op.h & 1
    case .uao: system.uao = op.h & 1
    case .ssbs: system.ssbs = op.h & 1
    case .dit: system.dit = op.h & 1
    }
  }

  /// `MRS Xt, <reg>` on the modelled register file; others are undefined.
  mutating func execMrs(_ op: Op) throws(Fault) {
    let enc = UInt16(truncatingIfNeeded: op.imm)
    guard let v = system.read(enc, nzcv: nzcv) else {
      throw Fault(
        .undefined(
          word: currentWord,
          detail: "mrs of \(SystemRegister(encoding: enc).name): system register not modelled"),
        pc: pc)
    }
    r[Int(op.a)] = v
  }

  /// `MSR <reg>, Xt`; SCTLR_EL1 writes take effect at once (A, BT0/BT1, EnIA…).
  mutating func execMsr(_ op: Op) throws(Fault) {
    let enc = UInt16(truncatingIfNeeded: op.imm)
    guard system.write(enc, x(op.b), nzcv: &nzcv) else {
      throw Fault(
        .undefined(
          word: currentWord,
          detail:
            "msr to \(SystemRegister(encoding: enc).nameForWrite): system register not modelled "
            + "or read-only"),
        pc: pc)
    }
    strict = system.sctlrEL1 & SystemRegisters.SCTLR.a != 0
  }
}
