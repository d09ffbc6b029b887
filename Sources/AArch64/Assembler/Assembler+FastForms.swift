// Fast forms chosen by the mnemonic table's entry rather than by name: the atomic memory
// operations (LDADD…, STADD…, SWP…, CAS…, every order and size suffix), MRS/MSR with a named
// system register, single-register loads and stores with a plain address, HINT and the
// exception instructions with a plain number, and the forms whose operands are only registers
// or none (hints, barriers
// without an option, register branches, ADC/SBC, the one- and two-source operations,
// multiplies). Operands are read from the bytes exactly as `operand` would read them (a
// register, `[Xn|SP]`, a bare name), the model value is built directly and handed to the same
// class encoder the general path ends in; any other spelling, or an encoder error, returns nil
// and the general path assembles (and diagnoses) the statement.

extension AssemblerState {
  /// The word for a statement whose mnemonic has table entry `form`, or nil. `family` is the
  /// mnemonic's lower-case bytes packed little-endian (the first eight; `count` in all).
  func fastForm(_ form: MnemonicForm, _ ranges: OperandRanges, family: UInt64, count: Int)
    -> UInt32?
  {
    switch AssemblerState.fastRoute(form) {
    case .none: return nil
    case .table: return fastTableForm(form, ranges)
    case .both: if let w = fastTableForm(form, ranges) { return w }
    case .alias: break
    }
    guard let i = fastAlias(form, ranges, family: family, count: count) else { return nil }
    return AssemblerState.fastEncode(i)
  }

  /// Which of `fastTableForm` (with `fastRegisterForm`) and `fastAlias` can give a word for a
  /// form; the other returns nil for it at once, so its call is left out.
  enum FastRoute {
    case none, table, alias, both
  }

  /// The route of each form: the cases each reader switches on (a test checks every table
  /// entry's route against lines of its form, assembled both ways).
  static func fastRoute(_ form: MnemonicForm) -> FastRoute {
    switch form {
    case .msr, .single, .hints, .isb, .clrex, .shiftAlias:
      return .both
    case .atomicLoad, .atomicStore, .swap, .compareAndSwap, .mrs, .pair, .hint, .exception,
      .exceptionReturn, .fixedBarrier, .returnAuthenticated, .branchRegister,
      .branchAuthenticatedZero, .branchAuthenticated, .carry, .negateCarry, .dataProcessing2,
      .dataProcessing1, .multiply, .multiplyAlias:
      return .table
    case .addSub, .compare, .mov, .moveWide, .logical, .tst, .mvn, .negate, .extract, .bitfield,
      .bitfieldAlias, .extendAlias, .conditionalCompare, .conditionalSelect, .conditionalSet,
      .conditionalAlias, .dataBarrier, .sys, .sysl, .systemAlias, .exclusive, .acquireRelease,
      .loadAcquirePC, .prefetch, .debugState:
      return .alias
    case .conditionalBranch, .branch, .compareAndBranch, .testAndBranch, .ret, .pcRelative,
      .compareAndSwapPair:
      return .none
    }
  }

  /// The word of a fast form's instruction: straight from the value for the common classes
  /// (`A64Encoder.directWord`), else through `encode`; nil where `encode` throws.
  @inline(__always)
  static func fastEncode(_ i: Instruction) -> UInt32? {
    A64Encoder.directWord(i) ?? (try? encode(i))
  }

  /// The forms of this file.
  func fastTableForm(_ form: MnemonicForm, _ ranges: OperandRanges) -> UInt32? {
    let n = ranges.count
    switch form {
    case .atomicLoad(let op, let acquire, let release, let size):
      return fastAtomic(op, acquire, release, size, ranges, store: false)
    case .atomicStore(let op, let release, let size):
      return fastAtomic(op, false, release, size, ranges, store: true)
    case .swap(let acquire, let release, let size):
      return fastAtomic(.swp, acquire, release, size, ranges, store: false)
    case .compareAndSwap(let acquire, let release, let size):
      guard n == 3, let rs = fastOperandRegister(ranges[0]),
        let rt = fastOperandRegister(ranges[1]), let rn = fastBase(ranges[2])
      else { return nil }
      let c = CompareAndSwap(
        acquire: acquire, release: release, size: AssemblerState.access(rs, size), rs: rs, rt: rt,
        rn: rn)
      return A64Encoder.compareAndSwapWord(c) ?? (try? A64Encoder.compareAndSwap(c))
    case .mrs:
      guard n == 2, let rt = fastOperandRegister(ranges[0]),
        let r = fastSystemRegister(ranges[1])
      else { return nil }
      return A64Encoder.moveSystemRegisterWord(read: true, r, rt)
        ?? (try? A64Encoder.moveSystemRegister(read: true, r, rt))
    case .msr:
      // With a register second, MSR is always the system-register form (the PSTATE form
      // takes an immediate).
      guard n == 2, let rt = fastOperandRegister(ranges[1]),
        let r = fastSystemRegister(ranges[0])
      else { return nil }
      return A64Encoder.moveSystemRegisterWord(read: false, r, rt)
        ?? (try? A64Encoder.moveSystemRegister(read: false, r, rt))
    case .single(let kind, let sz, let cls, _):
      return fastSingle(kind, sz, cls, ranges)
    case .pair(let op):
      return fastPair(op, ranges)
    case .hint:
      guard n == 1, let v = fastNumber(ranges[0]), v >= 0, v <= 127 else { return nil }
      return A64Encoder.hintWord(Hint(unchecked: UInt8(v)))
    case .exception(let k):
      guard n == 1, let v = fastNumber(ranges[0]), v >= 0, v <= 0xffff else { return nil }
      return A64Encoder.exceptionWord(k, UInt16(v))
    case .hints(_, let bare):
      guard n == 0, let k = bare else { return nil }
      return A64Encoder.hintWord(Hint(unchecked: k))
    default:
      guard let i = fastRegisterForm(form, ranges) else { return nil }
      return AssemblerState.fastEncode(i)
    }
  }

  /// The instruction of a form whose operands are only registers (or none), built exactly as
  /// the matcher builds it; nil when an operand is not a plain register or the count is wrong.
  func fastRegisterForm(_ form: MnemonicForm, _ ranges: OperandRanges) -> Instruction? {
    let n = ranges.count
    func r(_ k: Int) -> Register? { k < n ? fastOperandRegister(ranges[k]) : nil }
    switch form {
    case .hints(_, let bare):
      guard n == 0, let k = bare else { return nil }
      return .hint(Hint(unchecked: k))
    case .exceptionReturn(let e): return n == 0 ? .exceptionReturn(e) : nil
    case .fixedBarrier(let b): return n == 0 ? .barrier(b) : nil
    case .isb: return n == 0 ? .barrier(.isb(.sy)) : nil
    case .clrex: return n == 0 ? .barrier(.clrex(15)) : nil
    case .returnAuthenticated(let keyB):
      return n == 0 ? .branchAuthenticated(.reta(keyB: keyB)) : nil
    case .branchRegister(let op):
      guard n == 1, let rn = r(0) else { return nil }
      return .branchRegister(op, rn)
    case .branchAuthenticatedZero(let link, let keyB):
      guard n == 1, let rn = r(0) else { return nil }
      return .branchAuthenticated(link ? .blraz(keyB: keyB, rn) : .braz(keyB: keyB, rn))
    case .branchAuthenticated(let link, let keyB):
      guard n == 2, let rn = r(0), let m = r(1) else { return nil }
      return .branchAuthenticated(
        link ? .blra(keyB: keyB, rn, modifier: m) : .bra(keyB: keyB, rn, modifier: m))
    case .carry(let subtract, let setFlags):
      guard n == 3, let rd = r(0), let rn = r(1), let rm = r(2) else { return nil }
      return .addSubCarry(subtract: subtract, setFlags: setFlags, rd: rd, rn: rn, rm: rm)
    case .negateCarry(let setFlags):
      guard n == 2, let rd = r(0), let rm = r(1) else { return nil }
      return .addSubCarry(
        subtract: true, setFlags: setFlags, rd: rd, rn: Register(.zr, rd.width), rm: rm)
    case .dataProcessing2(let op), .shiftAlias(_, let op):
      // A shift alias with a register third is the variable shift (its immediate form is left
      // to the matcher).
      guard n == 3, let rd = r(0), let rn = r(1), let rm = r(2) else { return nil }
      return .dataProcessing2(op, rd: rd, rn: rn, rm: rm)
    case .dataProcessing1(let op):
      guard n == 2, let rd = r(0), let rn = r(1) else { return nil }
      return .dataProcessing1(op, rd: rd, rn: rn)
    case .multiply(let op):
      guard n == 4, let rd = r(0), let rn = r(1), let rm = r(2), let ra = r(3) else { return nil }
      return .multiply(Multiply(op: op, rd: rd, rn: rn, rm: rm, ra: ra))
    case .multiplyAlias(let op):
      guard n == 3, let rd = r(0), let rn = r(1), let rm = r(2) else { return nil }
      return .multiply(Multiply(op: op, rd: rd, rn: rn, rm: rm, ra: Register(.zr, rd.width)))
    default:
      return nil
    }
  }

  /// LD<op> and SWP (Rs, Rt, [Xn|SP]) or ST<op> (Rs, [Xn|SP], Rt = ZR), as the matcher
  /// builds them.
  func fastAtomic(
    _ op: AtomicOp, _ acquire: Bool, _ release: Bool, _ size: AccessSize?, _ ranges: OperandRanges,
    store: Bool
  ) -> UInt32? {
    guard ranges.count == (store ? 2 : 3), let rs = fastOperandRegister(ranges[0]),
      let rn = fastBase(ranges[ranges.count - 1])
    else { return nil }
    var rt = Register(.zr, rs.width)
    if !store {
      guard let r = fastOperandRegister(ranges[1]) else { return nil }
      rt = r
    }
    let a = AtomicMemory(
      op: op, acquire: acquire, release: release, size: AssemblerState.access(rs, size), rs: rs,
      rt: rt, rn: rn)
    return A64Encoder.atomicWord(a) ?? (try? A64Encoder.atomic(a))
  }

  /// The access size a load/store suffix gives, else the register's width (as the matcher).
  static func access(_ r: Register, _ size: AccessSize?) -> AccessSize {
    size ?? (r.width == .x ? .doubleword : .word)
  }

  /// `register` on `b[x..<y]` (inside `b`).
  @inline(__always)
  static func registerName(_ b: UnsafeBufferPointer<UInt8>, _ x: Int, _ y: Int) -> Register? {
    guard y - x == 2 || y - x == 3, let p = b.baseAddress else { return nil }
    return registerName(p + x, three: y - x == 3)
  }

  /// The register an operand names, read as `operand` reads one (any case, 2–3 bytes).
  @inline(__always)
  func fastOperandRegister(_ r: (Int, Int)) -> Register? {
    AssemblerState.register(source.bytes, r.0, r.1)
  }

  /// LDR/STR and their size, sign, unscaled and unprivileged variants with `[Xn|SP]`,
  /// `[Xn|SP, #imm]`, `[Xn|SP, #imm]!`, `[Xn|SP], #imm` or `[Xn|SP, Xm]`, the address chosen
  /// as the matcher chooses it.
  func fastSingle(
    _ kind: LoadStoreKind, _ sz: AccessSize?, _ cls: Matcher.AddressClass, _ ranges: OperandRanges
  ) -> UInt32? {
    let n = ranges.count
    guard n == 2 || n == 3, let rt = fastOperandRegister(ranges[0]),
      let (base, index, pre) = fastAddress(ranges[1])
    else { return nil }
    let size = sz ?? (rt.width == .x ? .doubleword : .word)
    let address: Address
    switch (index, n) {
    case (.none, 3):  // post-index: only after a bare `[base]`
      guard !pre, cls == .normal, let v = fastNumber(ranges[2]) else { return nil }
      address = .postIndex(base: base, offset: v)
    case (.none, _), (.offset, _):
      guard n == 2 else { return nil }
      var off: Int64 = 0
      if case .offset(let v) = index { off = v }
      guard
        let a = Matcher.immediateAddress(base: base, offset: off, pre: pre, size: size, cls: cls)
      else { return nil }
      address = a
    case (.register(let r), _):
      guard n == 2, !pre, cls == .normal else { return nil }
      address = .registerOffset(base: base, index: r, extend: .uxtx, shifted: false)
    }
    let l = LoadStore(kind: kind, size: size, rt: rt, address: address)
    return A64Encoder.loadStoreWord(l) ?? (try? A64Encoder.loadStore(l))
  }

  /// LDP/STP/LDPSW/LDNP/STNP with `[Xn|SP{, #imm}]{!}` or `[Xn|SP], #imm`, as the matcher
  /// builds them.
  func fastPair(_ op: PairOp, _ ranges: OperandRanges) -> UInt32? {
    let n = ranges.count
    guard n == 3 || n == 4, let rt = fastOperandRegister(ranges[0]),
      let rt2 = fastOperandRegister(ranges[1]), let (base, index, pre) = fastAddress(ranges[2])
    else { return nil }
    var offset: Int64 = 0
    var mode: PairMode = pre ? .preIndex : .signedOffset
    switch index {
    case .none:
      if n == 4 {
        guard !pre, let v = fastNumber(ranges[3]) else { return nil }
        (offset, mode) = (v, .postIndex)
      }
    case .offset(let v):
      guard n == 3 else { return nil }
      offset = v
    case .register: return nil
    }
    let p = LoadStorePair(op: op, rt: rt, rt2: rt2, base: base, offset: offset, mode: mode)
    return A64Encoder.pairWord(p) ?? (try? A64Encoder.loadStorePair(p))
  }

  /// What follows the base register in a memory operand the fast forms read.
  enum FastIndex {
    case none
    case offset(Int64)
    case register(Register)
  }

  /// `[base]`, `[base, #imm]` or `[base, Rm]`, optionally with `!`, read as `memory` reads
  /// them (a plain number only); nil for anything else.
  func fastAddress(_ r: (Int, Int)) -> (Register, FastIndex, Bool)? {
    let (x, y) = r
    guard x >= 0, y - x >= 4, y <= source.bytes.count,
      source.bytes[x] == UInt8(ascii: "["), let (close, pre) = memoryEnd(x, y)
    else { return nil }
    // The base and what follows its comma, read without bounds checks (`x..<y` is inside).
    let parts: (Register, (Int, Int)?)? = source.bytes.withUnsafeBufferPointer { b in
      var comma = -1
      for k in (x + 1)..<close {
        let c = b[k]
        if c == UInt8(ascii: ",") {
          guard comma < 0 else { return nil }  // a third part: the general path
          comma = k
        } else if AssemblerState.isSplitSpecial(c) {
          return nil  // brackets, parentheses, strings inside
        }
      }
      let (bx, by) = AssemblerState.trim(b, x + 1, comma < 0 ? close : comma)
      guard let base = AssemblerState.registerName(b, bx, by) else { return nil }
      if comma < 0 { return (base, nil) }
      return (base, AssemblerState.trim(b, comma + 1, close))
    }
    guard let (base, rest) = parts else { return nil }
    guard let (p, q) = rest else { return (base, .none, pre) }
    guard p < q else { return nil }
    let src = source.bytes
    if let index = AssemblerState.register(src, p, q) { return (base, .register(index), pre) }
    guard src[p] == UInt8(ascii: "#") || isDigit(src[p]) || src[p] == UInt8(ascii: "-"),
      let v = AssemblerState.fastImmediate(src, p, q)
    else { return nil }
    return (base, .offset(v), pre)
  }

  /// A plain number (`#0x21`, `#7`, `12`) with the value `operand` reads from it; nil for
  /// anything else (expressions, blanks after `#`, octal), which the general path reads.
  func fastNumber(_ r: (Int, Int)) -> Int64? {
    guard r.0 < r.1, source.bytes[r.0] == UInt8(ascii: "#") || isDigit(source.bytes[r.0]) else {
      return nil
    }
    return AssemblerState.fastImmediate(source.bytes, r.0, r.1)
  }

  /// `[Xn|SP]` (blanks allowed inside, no offset, no `!`): the base register, as `memory`
  /// reads it.
  func fastBase(_ r: (Int, Int)) -> Register? {
    let (x, y) = r
    guard x >= 0, y - x >= 4, y <= source.bytes.count else { return nil }
    return source.bytes.withUnsafeBufferPointer { b in
      guard b[x] == UInt8(ascii: "["), b[y - 1] == UInt8(ascii: "]") else { return nil }
      var k = x + 1
      while k < y - 1 {
        if b[k] == UInt8(ascii: ",") { return nil }
        k += 1
      }
      let (p, q) = AssemblerState.trim(b, x + 1, y - 1)
      return AssemblerState.registerName(b, p, q)
    }
  }

  /// A system register named in lower case by a bare word that `operand` would read as a name
  /// (no symbol of that name, not a shift or extend, longer than any register name); nil for
  /// anything else, including the generic `s3_…` spelling, which the general path reads.
  func fastSystemRegister(_ r: (Int, Int)) -> SystemRegister? {
    let src = source.bytes
    let (x, y) = r
    guard x >= 0, y - x > 3, y <= src.count, isLetter(src[x]) else { return nil }
    let lowerWord = src.withUnsafeBufferPointer { b in
      for k in x..<y {
        let c = b[k]
        guard isSymbolChar(c), c < 65 || c > 90 else { return false }  // lower case only
      }
      return true
    }
    guard lowerWord else { return nil }
    if AssemblerState.shiftOrExtend(src, x, y) != nil { return nil }
    if !symbols.isEmpty, symbols[source.string(x, y)] != nil { return nil }
    let value = src.withUnsafeBufferPointer {
      SystemRegister.encodingByName.value(UnsafeBufferPointer(rebasing: $0[x..<y]))
    }
    if let value { return SystemRegister(encoding: value) }
    return genericSystemRegister(x, y)
  }

  /// `s<op0>_<op1>_c<n>_c<m>_<op2>` in lower case with decimal fields in range, read as
  /// `SystemRegister(name:)` reads it (five parts split at `_`); nil for anything else.
  func genericSystemRegister(_ x: Int, _ y: Int) -> SystemRegister? {
    let src = source.bytes
    var fields: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)
    var part = 0
    var k = x
    while part < 5 {
      // Part 0 starts with `s`, parts 2 and 3 with `c`; then one to three decimal digits.
      if part == 0 || part == 2 || part == 3 {
        guard k < y, src[k] == (part == 0 ? UInt8(ascii: "s") : UInt8(ascii: "c")) else {
          return nil
        }
        k += 1
      }
      var v = 0
      let start = k
      while k < y, isDigit(src[k]), k - start < 3 {
        v = v * 10 + Int(src[k] - 48)
        k += 1
      }
      guard k > start else { return nil }
      switch part {
      case 0: fields.0 = v
      case 1: fields.1 = v
      case 2: fields.2 = v
      case 3: fields.3 = v
      default: fields.4 = v
      }
      part += 1
      if part < 5 {
        guard k < y, src[k] == UInt8(ascii: "_") else { return nil }
        k += 1
      }
    }
    guard k == y, (2...3).contains(fields.0), fields.1 < 8, fields.2 < 16, fields.3 < 16,
      fields.4 < 8
    else { return nil }
    return SystemRegister(
      op0: UInt8(fields.0), op1: UInt8(fields.1), crn: UInt8(fields.2), crm: UInt8(fields.3),
      op2: UInt8(fields.4))
  }
}
