// The one-line parser, loads and stores.

extension Matcher {
  /// The single-register load/store mnemonics: kind, size (nil = from Rt), addressing class.
  enum AddressClass { case normal, unscaled, unprivileged }

  static let singles: [String: (LoadStoreKind, AccessSize?, AddressClass)] = {
    var d: [String: (LoadStoreKind, AccessSize?, AddressClass)] = [:]
    let bases: [(String, LoadStoreKind, AccessSize?)] = [
      ("str", .store, nil), ("strb", .store, .byte), ("strh", .store, .halfword),
      ("ldr", .load, nil), ("ldrb", .load, .byte), ("ldrh", .load, .halfword),
      ("ldrsb", .loadSigned, .byte), ("ldrsh", .loadSigned, .halfword),
      ("ldrsw", .loadSigned, .word),
    ]
    for (n, k, s) in bases {
      d[n] = (k, s, .normal)
      d[n.replacingFirst("r", "ur")] = (k, s, .unscaled)
      d[n.replacingFirst("r", "tr")] = (k, s, .unprivileged)
    }
    return d
  }()

  static let atomicOps: [(String, AtomicOp)] = [
    ("add", .add), ("clr", .clr), ("eor", .eor), ("set", .set), ("smax", .smax),
    ("smin", .smin), ("umax", .umax), ("umin", .umin),
  ]

  /// Splits `{a}{l}{b|h}` suffixes; nil if `rest` is not such a suffix.
  static func orderSize(_ rest: Substring, allowAcquire: Bool = true, allowSize: Bool = true)
    -> (acquire: Bool, release: Bool, size: AccessSize?)?
  {
    var r = rest
    var size: AccessSize? = nil
    if allowSize, r.hasSuffix("b") {
      size = .byte
      r = r.dropLast()
    } else if allowSize, r.hasSuffix("h") {
      size = .halfword
      r = r.dropLast()
    }
    switch r {
    case "": return (false, false, size)
    case "a" where allowAcquire: return (true, false, size)
    case "l": return (false, true, size)
    case "al" where allowAcquire: return (true, true, size)
    default: return nil
    }
  }

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

  // swift-format-ignore
  func loadStoreFamily() throws(AsmParseError) -> Instruction? {
    let m = mnemonic
    if let (kind, sz, cls) = Matcher.singles[m] {
      let rt = try reg(0)
      let size = sz ?? (rt.width == .x ? .doubleword : .word)
      if cls == .normal && (m == "ldr" || m == "ldrsw"), case .memory? = op(1) {
        // handled below
      } else if cls == .normal && (m == "ldr" || m == "ldrsw") {
        try count(2...2)
        return .loadLiteral(m == "ldr" ? .ldr : .ldrsw, rt, try target(1, .imm19))
      }
      let a = try address(1, size: size, cls: cls)
      return .loadStore(LoadStore(kind: kind, size: size, rt: rt, address: a))
    }
    if m == "prfm" || m == "prfum" {
      try count(2...2)
      let p: PrefetchOperation
      if case .identifier(let n)? = op(0) {
        guard let q = PrefetchOperation(name: n) else { throw fail(0, "unknown prefetch operation '\(n)'") }
        p = q
      } else {
        p = PrefetchOperation(unchecked: try immBits(0, 5, "prfop"))
      }
      if m == "prfm", case .memory? = op(1) {
        return .prefetch(p, try address(1, size: .doubleword, cls: .normal))
      }
      if m == "prfm" { return .prefetchLiteral(p, try target(1, .imm19)) }
      return .prefetch(p, try address(1, size: .doubleword, cls: .unscaled))
    }
    let pairs: [String: PairOp] = ["stp": .stp, "ldp": .ldp, "ldpsw": .ldpsw, "stnp": .stnp, "ldnp": .ldnp]
    if let p = pairs[m] {
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
    }
    // Exclusives: (ld|st)(a|l)?x(r|p)(b|h)?
    if m.count >= 4, m.hasPrefix("ld") || m.hasPrefix("st") {
      let load = m.hasPrefix("ld")
      var r = m.dropFirst(2)
      var ordered = false
      if r.hasPrefix(load ? "a" : "l") {
        ordered = true
        r = r.dropFirst()
      }
      if r.hasPrefix("x") {
        r = r.dropFirst()
        let pair = r.hasPrefix("p")
        if pair || r.hasPrefix("r") {
          r = r.dropFirst()
          var size: AccessSize? = nil
          if r == "b" { size = .byte } else if r == "h" { size = .halfword } else if !r.isEmpty { return nil }
          if pair && size != nil { return nil }
          var k = 0
          var rs: Register? = nil
          if !load {
            rs = try reg(0)
            k = 1
          }
          try count((k + (pair ? 3 : 2))...(k + (pair ? 3 : 2)))
          let rt = try reg(k)
          let rt2: Register? = pair ? try reg(k + 1) : nil
          let rn = try baseOnly(k + (pair ? 2 : 1))
          return .exclusive(
            Exclusive(load: load, ordered: ordered, pair: pair, size: pair ? (rt.width == .x ? .doubleword : .word) : access(rt, size: size), rs: rs, rt: rt, rt2: rt2, rn: rn))
        }
      }
    }
    // LDAR/STLR/LDLAR/STLLR{B,H}
    for (prefix, load, ordered) in [("ldar", true, true), ("stlr", false, true), ("ldlar", true, false), ("stllr", false, false)] {
      if m.hasPrefix(prefix), let os = Matcher.orderSize(m.dropFirst(prefix.count), allowAcquire: false),
        !os.release
      {
        let size = os.size
        try count(2...2)
        let rt = try reg(0)
        return .acquireRelease(AcquireRelease(load: load, ordered: ordered, size: access(rt, size: size), rt: rt, rn: try baseOnly(1)))
      }
    }
    if m == "ldapr" || m == "ldaprb" || m == "ldaprh" {
      try count(2...2)
      let rt = try reg(0)
      let size: AccessSize? = m == "ldaprb" ? .byte : m == "ldaprh" ? .halfword : nil
      return .loadAcquirePC(access(rt, size: size), rt: rt, rn: try baseOnly(1))
    }
    // LSE atomics.
    if m.hasPrefix("ld") || m.hasPrefix("st") {
      let load = m.hasPrefix("ld")
      for (name, op) in Matcher.atomicOps where m.dropFirst(2).hasPrefix(name) {
        guard let (a, l, size) = Matcher.orderSize(m.dropFirst(2 + name.count), allowAcquire: load) else { continue }
        if load {
          try count(3...3)
          let rs = try reg(0)
          return .atomic(AtomicMemory(op: op, acquire: a, release: l, size: access(rs, size: size), rs: rs, rt: try reg(1), rn: try baseOnly(2)))
        }
        try count(2...2)
        let rs = try reg(0)
        return .atomic(
          AtomicMemory(op: op, acquire: false, release: l, size: access(rs, size: size), rs: rs, rt: Register(.zr, rs.width), rn: try baseOnly(1)))
      }
    }
    if m.hasPrefix("swp"), let (a, l, size) = Matcher.orderSize(m.dropFirst(3)) {
      try count(3...3)
      let rs = try reg(0)
      return .atomic(AtomicMemory(op: .swp, acquire: a, release: l, size: access(rs, size: size), rs: rs, rt: try reg(1), rn: try baseOnly(2)))
    }
    if m.hasPrefix("casp"), let (a, l, _) = Matcher.orderSize(m.dropFirst(4), allowSize: false) {
      try count(5...5)
      let rs = try reg(0)
      let rt = try reg(2)
      if try reg(1) != Printer.pairNext(rs) || rs.number.map({ $0 & 1 }) != 0 { throw fail(1, "expected the register pair \(rs), \(Printer.pairNext(rs))") }
      if try reg(3) != Printer.pairNext(rt) || rt.number.map({ $0 & 1 }) != 0 { throw fail(3, "expected the register pair \(rt), \(Printer.pairNext(rt))") }
      return .compareAndSwapPair(CompareAndSwap(acquire: a, release: l, size: rs.width == .x ? .doubleword : .word, rs: rs, rt: rt, rn: try baseOnly(4)))
    }
    if m.hasPrefix("cas"), let (a, l, size) = Matcher.orderSize(m.dropFirst(3)) {
      try count(3...3)
      let rs = try reg(0)
      return .compareAndSwap(CompareAndSwap(acquire: a, release: l, size: access(rs, size: size), rs: rs, rt: try reg(1), rn: try baseOnly(2)))
    }
    return nil
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
      if pre {
        guard cls == .normal else { throw fail(i, "no pre-index form") }
        return .preIndex(base: base, offset: off)
      }
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
