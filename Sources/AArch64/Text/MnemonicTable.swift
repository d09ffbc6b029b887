// The mnemonic table: every mnemonic the one-line parser accepts, found from its bytes by one
// hash and a short probe, with what the matcher needs to know about it decoded in advance
// (the operation, the order and size suffixes, the condition of `b.<cond>`). The matcher then
// switches on `MnemonicForm`, an integer switch, instead of comparing strings.

/// What a mnemonic means before its operands are read.
enum MnemonicForm: Sendable {
  // Branches, exception returns, barriers, system instructions.
  case conditionalBranch(Condition)
  case branch(link: Bool)
  case compareAndBranch(nonZero: Bool)
  case testAndBranch(nonZero: Bool)
  case branchRegister(BranchRegisterKind)
  case ret
  case branchAuthenticatedZero(link: Bool, keyB: Bool)
  case returnAuthenticated(keyB: Bool)
  case branchAuthenticated(link: Bool, keyB: Bool)
  case exceptionReturn(ExceptionReturn)
  case dataBarrier(dsb: Bool)
  case isb
  case fixedBarrier(Barrier)
  case clrex
  case msr, mrs, sys, sysl
  case systemAlias
  case exception(ExceptionKind)
  case debugState(ExceptionKind)
  /// The named hints that start with this mnemonic: their list is `MnemonicTable.shared.
  /// hintFamilies[family]`; `bare` is the number of the first one without an operand. (No
  /// array in the payload: every form is plain data, copied without retains.)
  case hints(family: UInt16, bare: UInt8?)
  case hint
  // Data processing.
  case pcRelative(page: Bool)
  case addSub(subtract: Bool, setFlags: Bool)
  case compare(subtract: Bool)
  case mov
  case moveWide(MoveWideOp)
  /// The immediate form (operation, invert the mask) and the shifted-register form.
  case logical(LogicalOp, invert: Bool, LogicalRegisterOp)
  case tst, mvn
  case negate(setFlags: Bool)
  case negateCarry(setFlags: Bool)
  case carry(subtract: Bool, setFlags: Bool)
  /// LSL, LSR, ASR, ROR: 0, 1, 2, 3; the register form is `register`.
  case shiftAlias(UInt8, register: DataProcessing2)
  case dataProcessing2(DataProcessing2)
  case extract
  case bitfield(BitfieldOp)
  /// UBFX, SBFX, BFXIL (extract: true) and UBFIZ, SBFIZ, BFI, BFC.
  case bitfieldAlias(BitfieldOp, extract: Bool, clear: Bool)
  /// SXTB, SXTH, SXTW, UXTB, UXTH.
  case extendAlias(unsigned: Bool, imms: UInt8)
  case conditionalCompare(negate: Bool)
  case conditionalSelect(ConditionalSelectOp)
  case conditionalSet(ConditionalSelectOp)
  case conditionalAlias(ConditionalSelectOp)
  case multiply(MultiplyOp)
  case multiplyAlias(MultiplyOp)
  case dataProcessing1(DataProcessing1)
  // Loads and stores.
  /// LDR, STR, LDUR, LDTR… ; `literal` for the two that also take a label.
  case single(LoadStoreKind, AccessSize?, Matcher.AddressClass, literal: LiteralLoad?)
  case prefetch(unscaled: Bool)
  case pair(PairOp)
  case exclusive(load: Bool, ordered: Bool, pair: Bool, size: AccessSize?)
  case acquireRelease(load: Bool, ordered: Bool, size: AccessSize?)
  case loadAcquirePC(AccessSize?)
  case atomicLoad(AtomicOp, acquire: Bool, release: Bool, size: AccessSize?)
  case atomicStore(AtomicOp, release: Bool, size: AccessSize?)
  case swap(acquire: Bool, release: Bool, size: AccessSize?)
  case compareAndSwap(acquire: Bool, release: Bool, size: AccessSize?)
  case compareAndSwapPair(acquire: Bool, release: Bool)
}

/// An open-addressing hash table from a mnemonic's bytes (at most 12, packed little-endian
/// into two words) to its form.
struct MnemonicTable: Sendable {
  /// One slot: the key's two words (the second has at most 4 bytes) and 1 + the index of its
  /// form (low 16 bits) with the name's length (bits 16 and up), 0 when empty. Kept together
  /// in 16 bytes, a lookup reads one place (three arrays of 80 KB in all read three, and
  /// missed the first-level cache in each).
  struct Slot {
    var lo: UInt64 = 0
    var hi: UInt32 = 0
    var meta: UInt32 = 0
  }

  /// The longest mnemonic the table holds.
  static let maximumLength = 12

  private var slots: [Slot]
  private(set) var forms: [MnemonicForm] = []
  private(set) var names: [String] = []
  /// Per hint mnemonic: (the operand that completes the name or nil, the hint number), in
  /// hint-number order.
  private(set) var hintFamilies: [[(operand: String?, number: UInt8)]] = []
  private let mask: Int
  /// Mnemonics added twice or longer than `maximumLength` (a table bug; a test checks there
  /// are none).
  private(set) var duplicates: [String] = []

  init(capacity: Int) {
    var n = 16
    while n < capacity * 2 { n <<= 1 }
    slots = [Slot](repeating: Slot(), count: n)
    mask = n - 1
  }

  /// The key of `bytes`, nil when longer than 16 bytes or empty.
  @inline(__always)
  static func key<C: Collection<UInt8>>(_ bytes: C) -> (UInt64, UInt64)? {
    var a: UInt64 = 0
    var b: UInt64 = 0
    var k = 0
    for c in bytes {
      if k < 8 {
        a |= UInt64(c) << (8 * k)
      } else if k < 16 {
        b |= UInt64(c) << (8 * (k - 8))
      } else {
        return nil
      }
      k += 1
    }
    return k == 0 ? nil : (a, b)
  }

  @inline(__always)
  private func slot(_ a: UInt64, _ b: UInt64) -> Int {
    let h = (a &* 0x9e37_79b9_7f4a_7c15) ^ (b &* 0xc2b2_ae3d_27d4_eb4f)
    return Int(truncatingIfNeeded: h >> 40) & mask
  }

  mutating func add(_ name: String, _ form: MnemonicForm) {
    guard name.utf8.count <= MnemonicTable.maximumLength,
      let (a, b) = MnemonicTable.key(name.utf8)
    else {
      duplicates.append(name)
      return
    }
    var s = slot(a, b)
    while slots[s].meta != 0 {
      if slots[s].lo == a && UInt64(slots[s].hi) == b {
        duplicates.append(name)
        return
      }
      s = (s + 1) & mask
    }
    forms.append(form)
    names.append(name)
    slots[s] = Slot(
      lo: a, hi: UInt32(truncatingIfNeeded: b),
      meta: UInt32(name.utf8.count) << 16 | UInt32(UInt16(forms.count)))
  }

  /// The index (into `forms` and `names`) of the mnemonic whose lower-case bytes, packed as
  /// `key` does, are `lo`, `hi`, and `count` long.
  @inline(__always)
  func index(lo a: UInt64, hi b: UInt64, count: Int) -> Int? {
    guard count >= 1, count <= MnemonicTable.maximumLength else { return nil }
    var s = slot(a, b)
    while true {
      let slot = slots[s]
      let e = slot.meta
      if e == 0 { return nil }
      if slot.lo == a && UInt64(slot.hi) == b {
        // Equal keys with different lengths differ only by NUL bytes.
        return Int(e >> 16) == count ? Int(e & 0xffff) - 1 : nil
      }
      s = (s + 1) & mask
    }
  }

  /// The form of the mnemonic whose bytes are `bytes`.
  @inline(__always)
  func form<C: Collection<UInt8>>(_ bytes: C) -> MnemonicForm? {
    guard let (a, b) = MnemonicTable.key(bytes), b >> 32 == 0 else { return nil }
    var s = slot(a, b)
    while true {
      let slot = slots[s]
      let e = slot.meta
      if e == 0 { return nil }
      if slot.lo == a && UInt64(slot.hi) == b { return forms[Int(e & 0xffff) - 1] }
      s = (s + 1) & mask
    }
  }
}

extension MnemonicTable {
  /// Every mnemonic of the one-line parser.
  static let shared: MnemonicTable = build()

  // swift-format-ignore
  static func build() -> MnemonicTable {
    var t = MnemonicTable(capacity: 700)
    let orders: [(String, Bool, Bool)] = [("", false, false), ("a", true, false), ("l", false, true), ("al", true, true)]
    let sizes: [(String, AccessSize?)] = [("", nil), ("b", .byte), ("h", .halfword)]

    // Branches.
    for c in Condition.allCases { t.add("b.\(c)", .conditionalBranch(c)) }
    t.add("b.hs", .conditionalBranch(.cs))
    t.add("b.lo", .conditionalBranch(.cc))
    t.add("b", .branch(link: false))
    t.add("bl", .branch(link: true))
    t.add("cbz", .compareAndBranch(nonZero: false))
    t.add("cbnz", .compareAndBranch(nonZero: true))
    t.add("tbz", .testAndBranch(nonZero: false))
    t.add("tbnz", .testAndBranch(nonZero: true))
    t.add("br", .branchRegister(.br))
    t.add("blr", .branchRegister(.blr))
    t.add("ret", .ret)
    t.add("braaz", .branchAuthenticatedZero(link: false, keyB: false))
    t.add("brabz", .branchAuthenticatedZero(link: false, keyB: true))
    t.add("blraaz", .branchAuthenticatedZero(link: true, keyB: false))
    t.add("blrabz", .branchAuthenticatedZero(link: true, keyB: true))
    t.add("retaa", .returnAuthenticated(keyB: false))
    t.add("retab", .returnAuthenticated(keyB: true))
    t.add("braa", .branchAuthenticated(link: false, keyB: false))
    t.add("brab", .branchAuthenticated(link: false, keyB: true))
    t.add("blraa", .branchAuthenticated(link: true, keyB: false))
    t.add("blrab", .branchAuthenticated(link: true, keyB: true))
    for (n, e) in [("eret", ExceptionReturn.eret), ("eretaa", .eretaa), ("eretab", .eretab), ("drps", .drps)] {
      t.add(n, .exceptionReturn(e))
    }

    // Barriers, system instructions, exceptions, hints.
    t.add("dsb", .dataBarrier(dsb: true))
    t.add("dmb", .dataBarrier(dsb: false))
    t.add("isb", .isb)
    t.add("ssbb", .fixedBarrier(.ssbb))
    t.add("pssbb", .fixedBarrier(.pssbb))
    t.add("sb", .fixedBarrier(.sb))
    t.add("clrex", .clrex)
    t.add("msr", .msr)
    t.add("mrs", .mrs)
    t.add("sys", .sys)
    t.add("sysl", .sysl)
    for n in ["dc", "ic", "tlbi", "at", "cfp", "dvp", "cpp"] { t.add(n, .systemAlias) }
    for (n, k) in [("svc", ExceptionKind.svc), ("hvc", .hvc), ("smc", .smc), ("brk", .brk), ("hlt", .hlt)] {
      t.add(n, .exception(k))
    }
    for (n, k) in [("dcps1", ExceptionKind.dcps1), ("dcps2", .dcps2), ("dcps3", .dcps3)] { t.add(n, .debugState(k)) }
    var hints: [String: [(operand: String?, number: UInt8)]] = [:]
    var hintOrder: [String] = []
    for (k, n) in Hint.names.enumerated() {
      guard let n else { continue }
      let parts = n.split(separator: " ", maxSplits: 1).map(String.init)
      if hints[parts[0]] == nil { hintOrder.append(parts[0]) }
      hints[parts[0], default: []].append((parts.count == 2 ? parts[1] : nil, UInt8(k)))
    }
    for n in hintOrder {
      let list = hints[n] ?? []
      t.hintFamilies.append(list)
      t.add(
        n,
        .hints(
          family: UInt16(t.hintFamilies.count - 1),
          bare: list.first(where: { $0.operand == nil })?.number))
    }
    t.add("hint", .hint)

    // Data processing.
    t.add("adr", .pcRelative(page: false))
    t.add("adrp", .pcRelative(page: true))
    t.add("add", .addSub(subtract: false, setFlags: false))
    t.add("adds", .addSub(subtract: false, setFlags: true))
    t.add("sub", .addSub(subtract: true, setFlags: false))
    t.add("subs", .addSub(subtract: true, setFlags: true))
    t.add("cmp", .compare(subtract: true))
    t.add("cmn", .compare(subtract: false))
    t.add("mov", .mov)
    t.add("movz", .moveWide(.movz))
    t.add("movn", .moveWide(.movn))
    t.add("movk", .moveWide(.movk))
    let logical: [(String, LogicalOp, Bool, LogicalRegisterOp)] = [
      ("and", .and, false, .and), ("orr", .orr, false, .orr), ("eor", .eor, false, .eor), ("ands", .ands, false, .ands),
      ("bic", .and, true, .bic), ("bics", .ands, true, .bics), ("orn", .orr, true, .orn), ("eon", .eor, true, .eon),
    ]
    for (n, op, invert, r) in logical { t.add(n, .logical(op, invert: invert, r)) }
    t.add("tst", .tst)
    t.add("mvn", .mvn)
    t.add("neg", .negate(setFlags: false))
    t.add("negs", .negate(setFlags: true))
    t.add("ngc", .negateCarry(setFlags: false))
    t.add("ngcs", .negateCarry(setFlags: true))
    t.add("adc", .carry(subtract: false, setFlags: false))
    t.add("adcs", .carry(subtract: false, setFlags: true))
    t.add("sbc", .carry(subtract: true, setFlags: false))
    t.add("sbcs", .carry(subtract: true, setFlags: true))
    let shifts: [(String, DataProcessing2)] = [("lsl", .lslv), ("lsr", .lsrv), ("asr", .asrv), ("ror", .rorv)]
    for (k, (n, r)) in shifts.enumerated() { t.add(n, .shiftAlias(UInt8(k), register: r)) }
    let dp2: [(String, DataProcessing2)] = [
      ("lslv", .lslv), ("lsrv", .lsrv), ("asrv", .asrv), ("rorv", .rorv), ("udiv", .udiv), ("sdiv", .sdiv),
    ]
    for (n, o) in dp2 { t.add(n, .dataProcessing2(o)) }
    t.add("extr", .extract)
    for (n, o) in [("sbfm", BitfieldOp.sbfm), ("bfm", .bfm), ("ubfm", .ubfm)] { t.add(n, .bitfield(o)) }
    let aliases: [(String, BitfieldOp, Bool, Bool)] = [
      ("ubfx", .ubfm, true, false), ("sbfx", .sbfm, true, false), ("bfxil", .bfm, true, false),
      ("ubfiz", .ubfm, false, false), ("sbfiz", .sbfm, false, false), ("bfi", .bfm, false, false),
      ("bfc", .bfm, false, true),
    ]
    for (n, o, x, c) in aliases { t.add(n, .bitfieldAlias(o, extract: x, clear: c)) }
    let extends: [(String, Bool, UInt8)] = [
      ("sxtb", false, 7), ("sxth", false, 15), ("sxtw", false, 31), ("uxtb", true, 7), ("uxth", true, 15),
    ]
    for (n, u, imms) in extends { t.add(n, .extendAlias(unsigned: u, imms: imms)) }
    t.add("ccmp", .conditionalCompare(negate: true))
    t.add("ccmn", .conditionalCompare(negate: false))
    for (n, o) in [("csel", ConditionalSelectOp.csel), ("csinc", .csinc), ("csinv", .csinv), ("csneg", .csneg)] {
      t.add(n, .conditionalSelect(o))
    }
    t.add("cset", .conditionalSet(.csinc))
    t.add("csetm", .conditionalSet(.csinv))
    for (n, o) in [("cinc", ConditionalSelectOp.csinc), ("cinv", .csinv), ("cneg", .csneg)] {
      t.add(n, .conditionalAlias(o))
    }
    let multiply: [(String, MultiplyOp)] = [
      ("madd", .madd), ("msub", .msub), ("smaddl", .smaddl), ("smsubl", .smsubl), ("umaddl", .umaddl), ("umsubl", .umsubl),
    ]
    for (n, o) in multiply { t.add(n, .multiply(o)) }
    let multiplyAliases: [(String, MultiplyOp)] = [
      ("mul", .madd), ("mneg", .msub), ("smull", .smaddl), ("smnegl", .smsubl), ("umull", .umaddl),
      ("umnegl", .umsubl), ("smulh", .smulh), ("umulh", .umulh),
    ]
    for (n, o) in multiplyAliases { t.add(n, .multiplyAlias(o)) }
    let dp1: [(String, DataProcessing1)] = [
      ("rbit", .rbit), ("rev16", .rev16), ("rev32", .rev32), ("rev", .rev), ("clz", .clz), ("cls", .cls),
    ]
    for (n, o) in dp1 { t.add(n, .dataProcessing1(o)) }

    // Loads and stores: single registers (normal, unscaled `ur`, unprivileged `tr`).
    let singles: [(String, LoadStoreKind, AccessSize?, LiteralLoad?)] = [
      ("str", .store, nil, nil), ("strb", .store, .byte, nil), ("strh", .store, .halfword, nil),
      ("ldr", .load, nil, .ldr), ("ldrb", .load, .byte, nil), ("ldrh", .load, .halfword, nil),
      ("ldrsb", .loadSigned, .byte, nil), ("ldrsh", .loadSigned, .halfword, nil),
      ("ldrsw", .loadSigned, .word, .ldrsw),
    ]
    for (n, k, s, lit) in singles {
      t.add(n, .single(k, s, .normal, literal: lit))
      t.add(n.replacingFirst("r", "ur"), .single(k, s, .unscaled, literal: nil))
      t.add(n.replacingFirst("r", "tr"), .single(k, s, .unprivileged, literal: nil))
    }
    t.add("prfm", .prefetch(unscaled: false))
    t.add("prfum", .prefetch(unscaled: true))
    for (n, p) in [("stp", PairOp.stp), ("ldp", .ldp), ("ldpsw", .ldpsw), ("stnp", .stnp), ("ldnp", .ldnp)] {
      t.add(n, .pair(p))
    }
    // Exclusives: (ld|st)(a|l)?x(r|p)(b|h)?, no size suffix on pairs.
    for load in [true, false] {
      for ordered in [false, true] {
        let stem = (load ? "ld" : "st") + (ordered ? (load ? "a" : "l") : "") + "x"
        for (suffix, size) in sizes { t.add(stem + "r" + suffix, .exclusive(load: load, ordered: ordered, pair: false, size: size)) }
        t.add(stem + "p", .exclusive(load: load, ordered: ordered, pair: true, size: nil))
      }
    }
    // LDAR, STLR, LDLAR, STLLR with a size suffix.
    for (stem, load, ordered) in [("ldar", true, true), ("stlr", false, true), ("ldlar", true, false), ("stllr", false, false)] {
      for (suffix, size) in sizes { t.add(stem + suffix, .acquireRelease(load: load, ordered: ordered, size: size)) }
    }
    for (suffix, size) in sizes { t.add("ldapr" + suffix, .loadAcquirePC(size)) }
    // LSE atomics.
    let atomics: [(String, AtomicOp)] = [
      ("add", .add), ("clr", .clr), ("eor", .eor), ("set", .set), ("smax", .smax), ("smin", .smin),
      ("umax", .umax), ("umin", .umin),
    ]
    for (name, op) in atomics {
      for (order, a, l) in orders {
        for (suffix, size) in sizes {
          t.add("ld" + name + order + suffix, .atomicLoad(op, acquire: a, release: l, size: size))
          if !a { t.add("st" + name + order + suffix, .atomicStore(op, release: l, size: size)) }
        }
      }
    }
    for (order, a, l) in orders {
      for (suffix, size) in sizes {
        t.add("swp" + order + suffix, .swap(acquire: a, release: l, size: size))
        t.add("cas" + order + suffix, .compareAndSwap(acquire: a, release: l, size: size))
      }
      t.add("casp" + order, .compareAndSwapPair(acquire: a, release: l))
    }
    return t
  }
}
