// The one-line parser, loads and stores.

extension Matcher {
  /// The addressing class of a single-register load/store mnemonic.
  enum AddressClass: Sendable { case normal, unscaled, unprivileged }

  /// The memory operand at `i`, which must have no index or `#0` (`[Xn|SP]`).
  func baseOnly(_ i: Int) throws(AsmParseError) -> Register {
    guard case .memory(let b, let index, false)? = op(i) else {
      throw fail(i, "expected [Xn|SP]")
    }
    switch index {
    case .none, .immediate(0): return b
    case .expression(let e): throw unresolved(i, "expression '\(e)'")
    default: throw fail(i, "expected [Xn|SP] with no offset")
    }
  }

  func access(_ rt: Register, size: AccessSize?) -> AccessSize {
    size ?? (rt.width == .x ? .doubleword : .word)
  }

  /// The load/store forms of `MnemonicForm`.
  // swift-format-ignore
  func loadStore(_ form: MnemonicForm) throws(AsmParseError) -> Instruction {
    switch form {
    case .single(let kind, let sz, let cls, let literal):
      let rt = try reg(0)
      let size = sz ?? (rt.width == .x ? .doubleword : .word)
      if let literal {
        if case .memory? = op(1) {
          // the register-addressed form, below
        } else {
          try count(2...2)
          return .loadLiteral(literal, rt, try target(1, .imm19))
        }
      }
      let a = try address(1, size: size, cls: cls)
      return .loadStore(LoadStore(kind: kind, size: size, rt: rt, address: a))
    case .prefetch(let unscaled):
      try count(2...2)
      let p: PrefetchOperation
      if case .identifier(let n)? = op(0) {
        guard let q = PrefetchOperation(name: n) else { throw fail(0, "unknown prefetch operation '\(n)'") }
        p = q
      } else {
        p = PrefetchOperation(unchecked: try immBits(0, 5, "prfop"))
      }
      if unscaled { return .prefetch(p, try address(1, size: .doubleword, cls: .unscaled)) }
      if case .memory? = op(1) {
        return .prefetch(p, try address(1, size: .doubleword, cls: .normal))
      }
      return .prefetchLiteral(p, try target(1, .imm19))
    case .pair(let p):
      try count(3...4)
      let rt = try reg(0)
      let rt2 = try reg(1)
      guard case .memory(let base, let index, let pre)? = op(2) else { throw fail(2, "expected a memory operand") }
      var off: Int64 = 0
      switch index {
      case .none: break
      case .immediate(let v): off = v
      case .expression(let e): throw unresolved(2, "expression '\(e)'")
      default: throw fail(2, "pairs take an immediate offset")
      }
      var mode: PairMode = pre ? .preIndex : .signedOffset
      if ops.count == 4 {
        guard !pre, case .none = index else { throw fail(3, "unexpected post-index offset") }
        off = try imm(3)
        mode = .postIndex
      }
      return .loadStorePair(LoadStorePair(op: p, rt: rt, rt2: rt2, base: base, offset: off, mode: mode))
    case .exclusive(let load, let ordered, let pair, let size):
      let k = load ? 0 : 1
      let rs: Register? = load ? nil : try reg(0)
      try count((k + (pair ? 3 : 2))...(k + (pair ? 3 : 2)))
      let rt = try reg(k)
      let rt2: Register? = pair ? try reg(k + 1) : nil
      let rn = try baseOnly(k + (pair ? 2 : 1))
      return .exclusive(
        Exclusive(load: load, ordered: ordered, pair: pair, size: pair ? (rt.width == .x ? .doubleword : .word) : access(rt, size: size), rs: rs, rt: rt, rt2: rt2, rn: rn))
    case .acquireRelease(let load, let ordered, let size):
      try count(2...2)
      let rt = try reg(0)
      return .acquireRelease(AcquireRelease(load: load, ordered: ordered, size: access(rt, size: size), rt: rt, rn: try baseOnly(1)))
    case .loadAcquirePC(let size):
      try count(2...2)
      let rt = try reg(0)
      return .loadAcquirePC(access(rt, size: size), rt: rt, rn: try baseOnly(1))
    case .atomicLoad(let op, let a, let l, let size):
      try count(3...3)
      let rs = try reg(0)
      return .atomic(AtomicMemory(op: op, acquire: a, release: l, size: access(rs, size: size), rs: rs, rt: try reg(1), rn: try baseOnly(2)))
    case .atomicStore(let op, let l, let size):
      try count(2...2)
      let rs = try reg(0)
      return .atomic(
        AtomicMemory(op: op, acquire: false, release: l, size: access(rs, size: size), rs: rs, rt: Register(.zr, rs.width), rn: try baseOnly(1)))
    case .swap(let a, let l, let size):
      try count(3...3)
      let rs = try reg(0)
      return .atomic(AtomicMemory(op: .swp, acquire: a, release: l, size: access(rs, size: size), rs: rs, rt: try reg(1), rn: try baseOnly(2)))
    case .compareAndSwapPair(let a, let l):
      try count(5...5)
      let rs = try reg(0)
      let rt = try reg(2)
      if try reg(1) != Printer.pairNext(rs) || rs.number.map({ $0 & 1 }) != 0 { throw fail(1, "expected the register pair \(rs), \(Printer.pairNext(rs))") }
      if try reg(3) != Printer.pairNext(rt) || rt.number.map({ $0 & 1 }) != 0 { throw fail(3, "expected the register pair \(rt), \(Printer.pairNext(rt))") }
      return .compareAndSwapPair(CompareAndSwap(acquire: a, release: l, size: rs.width == .x ? .doubleword : .word, rs: rs, rt: rt, rn: try baseOnly(4)))
    case .compareAndSwap(let a, let l, let size):
      try count(3...3)
      let rs = try reg(0)
      return .compareAndSwap(CompareAndSwap(acquire: a, release: l, size: access(rs, size: size), rs: rs, rt: try reg(1), rn: try baseOnly(2)))
    default:
      throw AsmParseError("asm.unknown-mnemonic", column: 1, "unknown mnemonic '\(mnemonic)'")
    }
  }

  /// The address operands starting at `i` for a single-register access.
  func address(_ i: Int, size: AccessSize, cls: AddressClass) throws(AsmParseError) -> Address {
    guard case .memory(let base, let index, let pre)? = op(i) else {
      throw fail(i, "expected a memory operand")
    }
    if ops.count == i + 2 {
      guard !pre, case .none = index, cls == .normal else {
        throw fail(i + 1, "unexpected operand")
      }
      return .postIndex(base: base, offset: try imm(i + 1))
    }
    try count((i + 1)...(i + 1))
    switch index {
    case .expression(let e): throw unresolved(i, "expression '\(e)'")
    case .none, .immediate:
      var off: Int64 = 0
      if case .immediate(let v) = index { off = v }
      guard
        let a = Matcher.immediateAddress(base: base, offset: off, pre: pre, size: size, cls: cls)
      else { throw fail(i, "no pre-index form") }
      return a
    case .register(let r, let e, let a):
      guard !pre, cls == .normal else { throw fail(i, "register offset has no writeback form") }
      let ext = e ?? .uxtx
      return .registerOffset(
        base: base, index: r, extend: ext, shifted: try shiftedFlag(i, a, size))
    case .shiftedRegister(let r, let a):
      guard !pre, cls == .normal else { throw fail(i, "register offset has no writeback form") }
      return .registerOffset(
        base: base, index: r, extend: .uxtx, shifted: try shiftedFlag(i, a, size))
    }
  }

  /// The address `[base{, #off}]{!}` for an access of `size` in class `cls`, in the form GNU as
  /// picks for the offset; nil for a pre-index form where `cls` has none.
  static func immediateAddress(
    base: Register, offset off: Int64, pre: Bool, size: AccessSize, cls: AddressClass
  ) -> Address? {
    if pre { return cls == .normal ? .preIndex(base: base, offset: off) : nil }
    switch cls {
    case .unscaled: return .unscaled(base: base, offset: off)
    case .unprivileged: return .unprivileged(base: base, offset: off)
    case .normal:
      let scale = Int64(size.bytes)
      if off >= 0 && off % scale == 0 && off / scale < 4096 {
        return .unsignedOffset(base: base, offset: off)
      }
      // GNU as falls back to the unscaled form (LDUR); the encoder reports the range of
      // whichever form is closer.
      if off < 256 { return .unscaled(base: base, offset: off) }
      return .unsignedOffset(base: base, offset: off)
    }
  }

  /// The S bit for an index amount: the amount must be 0 or log2(size); `#0` on a byte access
  /// sets S (as GNU as does).
  func shiftedFlag(_ i: Int, _ amount: Int64?, _ size: AccessSize) throws(AsmParseError) -> Bool {
    guard let a = amount else { return false }
    if a == Int64(size.rawValue) { return true }
    if a == 0 { return false }
    throw AsmParseError(
      "asm.encoding", column: ops[i].column, "amount: #\(a) must be 0 or \(size.rawValue)",
      encoding: EncodingError(.outOfRange, operand: "amount", "#\(a) must be 0 or \(size.rawValue)")
    )
  }
}
