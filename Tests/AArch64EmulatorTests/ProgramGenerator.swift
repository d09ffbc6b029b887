import AArch64
import TestSupport

/// Random programs of the integer subset for the differential test against qemu-aarch64.
///
/// Register conventions: x0–x25 are free (destinations and sources), x26 is a scratch base
/// register set right before a pre/post-index or atomic access, x27 is the loop counter (read
/// but never written inside a loop), x28 holds the scratch buffer's address (`bufferAddress`)
/// and is only a base, x29/x30/SP are untouched. Branches only go forward within a straight
/// block or a loop body, or back to the top of a loop whose counter starts at 1…6, so every
/// program terminates.
struct ProgramGenerator {
  static let bufferAddress: UInt64 = 0x1000_0000
  static let bufferSize = 256

  var rng: SeededGenerator

  init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

  mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
  mutating func bool() -> Bool { Bool.random(using: &rng) }
  mutating func pick<T>(_ a: [T]) -> T { a[int(0...(a.count - 1))] }

  mutating func dst(_ w: Width) -> Register { Register(.r(UInt8(int(0...25))), w) }
  mutating func src(_ w: Width) -> Register {
    switch int(0...19) {
    case 0: Register(.zr, w)
    case 1: Register(.r(30), w)
    default: Register(.r(UInt8(int(0...27))), w)
    }
  }
  mutating func width() -> Width { bool() ? .x : .w }

  /// A random 64-bit value with a bias towards edge values.
  mutating func value() -> UInt64 {
    switch int(0...5) {
    case 0:
      return pick([
        0, 1, ~0, 0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF, 0x8000_0000,
      ])
    case 1: return UInt64(int(0...300))
    default: return rng.next()
    }
  }

  /// One random straight-line (non-branch) instruction that encodes.
  mutating func straight(inLoop: Bool) -> Instruction {
    while true {
      if let i = candidate(inLoop: inLoop), (try? encode(i)) != nil { return i }
    }
  }

  mutating func candidate(inLoop: Bool) -> Instruction? {
    let w = width()
    switch int(0...21) {
    case 0:
      return .addSubImmediate(
        AddSubImmediate(
          subtract: bool(), setFlags: bool(), rd: dst(w), rn: src(w).isZR ? dst(w) : src(w),
          imm12: UInt16(int(0...4095)), shift12: int(0...3) == 0))
    case 1:
      let sh = pick([Shift.lsl, .lsr, .asr])
      return .addSubShifted(
        AddSubShifted(
          subtract: bool(), setFlags: bool(), rd: dst(w), rn: src(w), rm: src(w), shift: sh,
          amount: UInt8(int(0...(w.bits - 1)))))
    case 2:
      let ext = Extend(rawValue: UInt8(int(0...7))) ?? .uxtb
      let rmw: Width = w == .x && ext.takesX ? .x : .w
      var rn = src(w)
      if rn.isZR { rn = dst(w) }
      return .addSubExtended(
        AddSubExtended(
          subtract: bool(), setFlags: bool(), rd: dst(w), rn: rn, rm: src(rmw), extend: ext,
          amount: UInt8(int(0...4))))
    case 3:
      return .addSubCarry(subtract: bool(), setFlags: bool(), rd: dst(w), rn: src(w), rm: src(w))
    case 4:
      let n = w == .x ? UInt32(int(0...1)) : 0
      guard
        let v = BitmaskImmediate.decode(
          n: n, immr: UInt32(int(0...63)), imms: UInt32(int(0...63)), width: w)
      else { return nil }
      let op = pick(LogicalOp.allCases)
      return .logicalImmediate(
        LogicalImmediate(op: op, rd: dst(w), rn: src(w), value: v))
    case 5, 6:
      return .logicalShifted(
        LogicalShifted(
          op: pick(LogicalRegisterOp.allCases), rd: dst(w), rn: src(w), rm: src(w),
          shift: pick(Shift.allCases), amount: UInt8(int(0...(w.bits - 1)))))
    case 7:
      return .moveWide(
        MoveWide(
          op: pick(MoveWideOp.allCases), rd: dst(w), imm16: UInt16(truncatingIfNeeded: value()),
          shift: UInt8(16 * int(0...(w == .x ? 3 : 1)))))
    case 8:
      return .bitfield(
        Bitfield(
          op: pick(BitfieldOp.allCases), rd: dst(w), rn: src(w),
          immr: UInt8(int(0...(w.bits - 1))), imms: UInt8(int(0...(w.bits - 1)))))
    case 9:
      return .extract(rd: dst(w), rn: src(w), rm: src(w), lsb: UInt8(int(0...(w.bits - 1))))
    case 10:
      let operand: ConditionalCompare.Operand =
        bool() ? .register(src(w)) : .immediate(UInt8(int(0...31)))
      return .conditionalCompare(
        ConditionalCompare(
          negate: bool(), rn: src(w), operand: operand, nzcv: UInt8(int(0...15)),
          condition: pick(Condition.allCases)))
    case 11:
      return .conditionalSelect(
        ConditionalSelect(
          op: pick(ConditionalSelectOp.allCases), rd: dst(w), rn: src(w), rm: src(w),
          condition: pick(Condition.allCases)))
    case 12:
      let op = pick(MultiplyOp.allCases)
      switch op {
      case .madd, .msub:
        return .multiply(Multiply(op: op, rd: dst(w), rn: src(w), rm: src(w), ra: src(w)))
      case .smulh, .umulh:
        return .multiply(Multiply(op: op, rd: dst(.x), rn: src(.x), rm: src(.x), ra: .xzr))
      default:
        return .multiply(Multiply(op: op, rd: dst(.x), rn: src(.w), rm: src(.w), ra: src(.x)))
      }
    case 13:
      return .dataProcessing2(pick(DataProcessing2.allCases), rd: dst(w), rn: src(w), rm: src(w))
    case 14:
      var op = pick(DataProcessing1.allCases)
      if op == .rev32 && w == .w { op = .rev }
      return .dataProcessing1(op, rd: dst(w), rn: src(w))
    case 15:
      return loadStore()
    case 16:
      switch int(0...3) {
      case 0:
        guard let off = try? BranchOffset(Int64(int(-4096...4096)), .adr21) else { return nil }
        return .pcRelative(dst(.x), off)
      case 1:
        guard let off = try? BranchOffset(Int64(int(-16...16)) << 12, .adrp21) else { return nil }
        return .pcRelative(dst(.x), off)
      default:
        // A placeholder: `program()` points it into the prologue.
        guard let off = try? BranchOffset(0, .imm19) else { return nil }
        let kind: LiteralLoad = bool() ? .ldr : .ldrsw
        return .loadLiteral(kind, dst(kind == .ldrsw ? .x : width()), off)
      }
    case 17:
      return pair()
    default:
      return .addSubImmediate(
        AddSubImmediate(
          subtract: bool(), setFlags: true, rd: dst(w), rn: src(w).isZR ? dst(w) : src(w),
          imm12: UInt16(int(0...15))))
    }
  }

  /// A single-register load or store at x28 + offset (unsigned offset, unscaled or register
  /// offset with x25 — when register offset is chosen, the index is set first by the caller).
  mutating func loadStore() -> Instruction? {
    let size = pick(AccessSize.allCases)
    let kind = pick(LoadStoreKind.allCases)
    var w: Width = size == .doubleword ? .x : .w
    if kind == .loadSigned {
      if size == .doubleword { return nil }
      w = size == .word ? .x : width()
    }
    let rt = kind == .store ? src(w) : dst(w)
    let bytes = size.bytes
    let address: Address
    if bool() {
      let slot = int(0...(ProgramGenerator.bufferSize / bytes - 1))
      address = .unsignedOffset(base: .x(28), offset: Int64(slot * bytes))
    } else {
      address = .unscaled(base: .x(28), offset: Int64(int(0...(255 - bytes))))
    }
    return .loadStore(LoadStore(kind: kind, size: size, rt: rt, address: address))
  }

  mutating func pair() -> Instruction? {
    let w = width()
    let op: PairOp = pick([.stp, .ldp, .ldpsw, .stnp, .ldnp])
    let rw: Width = op == .ldpsw ? .x : w
    let elem = op == .ldpsw || w == .w ? 4 : 8
    let store = op == .stp || op == .stnp
    let rt = store ? src(rw) : dst(rw)
    var rt2 = store ? src(rw) : dst(rw)
    if !store && rt2.name == rt.name { rt2 = Register(.r(rt.number == 0 ? 1 : 0), rw) }
    let off = Int64(elem * int(0...min(63, ProgramGenerator.bufferSize / elem - 2)))
    return .loadStorePair(
      LoadStorePair(op: op, rt: rt, rt2: rt2, base: .x(28), offset: off, mode: .signedOffset))
  }

  /// A short sequence using x26 as base: pre/post-index access, LSE atomic, CAS, or an
  /// LDXR/STXR pair; or a register-offset access with x25 as index.
  mutating func memorySequence() -> [Instruction] {
    switch int(0...7) {
    case 5:
      // LDAR/STLR (+B/H), naturally aligned.
      let size = pick(AccessSize.allCases)
      let w: Width = size == .doubleword ? .x : .w
      let off = size.bytes * int(0...(ProgramGenerator.bufferSize / size.bytes - 1))
      let load = bool()
      return [
        base26(off),
        .acquireRelease(
          AcquireRelease(load: load, size: size, rt: load ? dst(w) : src(w), rn: .x(26))),
      ]
    case 6:
      // CASP{A}{L} on an even pair: Rs, Rs+1 are written, Rt, Rt+1 read.
      let x = bool()
      let elem = x ? 8 : 4
      let w: Width = x ? .x : .w
      let off = 2 * elem * int(0...(ProgramGenerator.bufferSize / (2 * elem) - 1))
      let rs = UInt8(2 * int(0...12))
      let rt = UInt8(2 * int(0...13))
      return [
        base26(off),
        .compareAndSwapPair(
          CompareAndSwap(
            acquire: bool(), release: bool(), size: x ? .doubleword : .word,
            rs: Register(.r(rs), w),
            rt: Register(.r(rt), w), rn: .x(26))),
      ]
    case 7:
      // LDXP/STXP (or LDAXP/STLXP) on one naturally aligned pair.
      let x = bool()
      let elem = x ? 8 : 4
      let w: Width = x ? .x : .w
      let size: AccessSize = x ? .doubleword : .word
      let off = 2 * elem * int(0...(ProgramGenerator.bufferSize / (2 * elem) - 1))
      let a = dst(w)
      var b = dst(w)
      if b.name == a.name { b = Register(.r(a.number == 0 ? 1 : 0), w) }
      var st1 = src(w)
      var st2 = src(w)
      var status = dst(.w)
      while [st1.number, st2.number, 26].contains(status.number) {
        status = Register(.r(UInt8(int(0...25))), .w)
      }
      if st1.number == 26 { st1 = Register(.zr, w) }
      if st2.number == 26 { st2 = Register(.zr, w) }
      return [
        base26(off),
        .exclusive(
          Exclusive(
            load: true, ordered: bool(), pair: true, size: size, rs: nil, rt: a, rt2: b, rn: .x(26))
        ),
        .exclusive(
          Exclusive(
            load: false, ordered: bool(), pair: true, size: size, rs: status, rt: st1, rt2: st2,
            rn: .x(26))),
      ]
    case 0:
      // add x26, x28, #base; ldr/str [x26, #imm]! or [x26], #imm
      let size = pick(AccessSize.allCases)
      let w: Width = size == .doubleword ? .x : .w
      let base = 64 + int(0...64)
      let imm = Int64(int(-32...32))
      let load = bool()
      var rt = load ? dst(w) : src(w)
      if rt.number == 26 { rt = Register(.r(0), w) }
      let addr: Address =
        bool() ? .preIndex(base: .x(26), offset: imm) : .postIndex(base: .x(26), offset: imm)
      return [
        .addSubImmediate(
          AddSubImmediate(
            subtract: false, setFlags: false, rd: .x(26), rn: .x(28), imm12: UInt16(base))),
        .loadStore(LoadStore(kind: load ? .load : .store, size: size, rt: rt, address: addr)),
      ]
    case 1:
      let size = pick(AccessSize.allCases)
      let w: Width = size == .doubleword ? .x : .w
      let off = size.bytes * int(0...(ProgramGenerator.bufferSize / size.bytes - 1))
      return [
        .addSubImmediate(
          AddSubImmediate(
            subtract: false, setFlags: false, rd: .x(26), rn: .x(28), imm12: UInt16(off))),
        .atomic(
          AtomicMemory(
            op: pick(AtomicOp.allCases), acquire: bool(), release: bool(), size: size, rs: src(w),
            rt: dst(w), rn: .x(26))),
      ]
    case 2:
      let size = pick(AccessSize.allCases)
      let w: Width = size == .doubleword ? .x : .w
      let off = size.bytes * int(0...(ProgramGenerator.bufferSize / size.bytes - 1))
      return [
        .addSubImmediate(
          AddSubImmediate(
            subtract: false, setFlags: false, rd: .x(26), rn: .x(28), imm12: UInt16(off))),
        .compareAndSwap(
          CompareAndSwap(
            acquire: bool(), release: bool(), size: size, rs: dst(w), rt: src(w), rn: .x(26))),
      ]
    case 3:
      let x = bool()
      let size: AccessSize = x ? .doubleword : .word
      let w: Width = x ? .x : .w
      let off = size.bytes * int(0...(ProgramGenerator.bufferSize / size.bytes - 1))
      let rt = dst(w)
      var rs = dst(.w)
      var st = src(w)
      while rs.name == st.name { st = src(w) }
      if rs.number == 26 { rs = .w(0) }
      return [
        .addSubImmediate(
          AddSubImmediate(
            subtract: false, setFlags: false, rd: .x(26), rn: .x(28), imm12: UInt16(off))),
        .exclusive(
          Exclusive(
            load: true, ordered: bool(), pair: false, size: size, rs: nil, rt: rt, rt2: nil,
            rn: .x(26))),
        .exclusive(
          Exclusive(
            load: false, ordered: bool(), pair: false, size: size, rs: rs, rt: st, rt2: nil,
            rn: .x(26))),
      ]
    default:
      let size = pick(AccessSize.allCases)
      let w: Width = size == .doubleword ? .x : .w
      let shifted = bool()
      let idx = int(0...(ProgramGenerator.bufferSize / size.bytes - 1))
      let load = bool()
      return [
        .moveWide(MoveWide(op: .movz, rd: .x(25), imm16: UInt16(shifted ? idx : idx * size.bytes))),
        .loadStore(
          LoadStore(
            kind: load ? .load : .store, size: size, rt: load ? dst(w) : src(w),
            address: .registerOffset(base: .x(28), index: .x(25), extend: .uxtx, shifted: shifted))),
      ]
    }
  }

  /// `add x26, x28, #off`.
  func base26(_ off: Int) -> Instruction {
    .addSubImmediate(
      AddSubImmediate(subtract: false, setFlags: false, rd: .x(26), rn: .x(28), imm12: UInt16(off)))
  }

  /// A block of straight code with forward branches inside it. Memory sequences are units a
  /// branch never lands inside (their base/index set-up must run).
  mutating func block(length: Int, inLoop: Bool) throws -> [Instruction] {
    var units: [[Instruction]] = []
    var count = 0
    while count < length {
      let u = int(0...6) == 0 ? memorySequence() : [straight(inLoop: inLoop)]
      units.append(u)
      count += u.count
    }
    // Branches: (before unit `at`, to the start of unit `to`; to == units.count = the end),
    // with their kind chosen first: 0–4 one instruction, 5/6 `adr x16|x17` + `br`/`ret`.
    var branches: [(at: Int, to: Int, kind: Int)] = []
    for _ in 0..<int(0...2) {
      let at = int(0...(units.count - 1))
      branches.append((at, int((at + 1)...units.count), int(0...6)))
    }
    // Lay out: the branches placed at unit u come first, then u's instructions.
    var start: [Int] = []
    var n = 0
    for u in 0...units.count {
      start.append(n)
      n +=
        branches.filter { $0.at == u }.map { $0.kind >= 5 ? 2 : 1 }.reduce(0, +)
        + (u < units.count ? units[u].count : 0)
    }
    var out: [Instruction] = []
    for u in 0...units.count {
      for br in branches where br.at == u {
        let off = Int64(4 * (start[br.to] - out.count))
        let w = width()
        switch br.kind {
        case 0: out.append(.branch(link: bool(), try BranchOffset(off, .imm26)))
        case 1:
          out.append(.branchConditional(pick(Condition.allCases), try BranchOffset(off, .imm19)))
        case 2:
          out.append(.compareAndBranch(nonZero: bool(), src(w), try BranchOffset(off, .imm19)))
        case 5, 6:
          let r: UInt8 = bool() ? 16 : 17
          out.append(.pcRelative(.x(r), try BranchOffset(off, .adr21)))
          out.append(.branchRegister(br.kind == 5 ? .br : (bool() ? .ret : .blr), .x(r)))
        default:
          let bit = UInt8(int(0...63))
          out.append(
            .testAndBranch(
              nonZero: bool(), Register(.r(UInt8(int(0...27))), bit >= 32 ? .x : .w), bit: bit,
              try BranchOffset(off, .imm14)))
        }
      }
      if u < units.count { out += units[u] }
    }
    return out
  }

  /// A whole program: straight blocks and counted loops.
  mutating func program() throws -> [Instruction] {
    var out: [Instruction] = []
    for _ in 0..<int(1...4) {
      if int(0...2) == 0 {
        let body = try block(length: int(1...6), inLoop: true)
        out.append(.moveWide(MoveWide(op: .movz, rd: .x(27), imm16: UInt16(int(1...6)))))
        out += body
        out.append(
          .addSubImmediate(
            AddSubImmediate(subtract: true, setFlags: false, rd: .x(27), rn: .x(27), imm12: 1)))
        let back = -Int64(4 * (body.count + 1))
        out.append(.compareAndBranch(nonZero: true, .x(27), try BranchOffset(back, .imm19)))
      } else {
        out += try block(length: int(2...12), inLoop: false)
      }
    }
    // Literal loads read the prologue's words (the same in qemu and the emulator).
    for (i, ins) in out.enumerated() {
      guard case .loadLiteral(let kind, let rt, _) = ins else { continue }
      let size = kind == .ldrsw || rt.width == .w ? 4 : 8
      let j = int(0...(prologueWords * 4 - size) / 4)
      out[i] = .loadLiteral(kind, rt, try BranchOffset(-Int64(4 * (prologueWords + i - j)), .imm19))
    }
    return out
  }

  /// The number of prologue words before the snippet (set by the harness).
  var prologueWords = 26

  /// Initial register values x0…x30 (x28 = the buffer, x26 inside it, x29 = 0) and NZCV,
  /// and the buffer.
  mutating func initialState() -> (x: [UInt64], nzcv: UInt8, buffer: [UInt8]) {
    var x = (0..<31).map { _ in value() }
    x[26] = ProgramGenerator.bufferAddress + 64
    x[28] = ProgramGenerator.bufferAddress
    x[29] = 0
    let buffer = (0..<ProgramGenerator.bufferSize).map { _ in UInt8(truncatingIfNeeded: rng.next())
    }
    return (x, UInt8(int(0...15)), buffer)
  }
}
