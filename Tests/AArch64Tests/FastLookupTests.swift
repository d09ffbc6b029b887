import TestSupport
import Testing

@testable import AArch64

/// The fast forms' lookups (the fast mnemonics' perfect hash, register names, the byte-keyed
/// name table) give what the plain lookups they replaced give, for every name and for names
/// one change away from one (seed printed).
@Suite struct FastLookupTests {
  static let seed: UInt64 = 0x6a5f_1e
  /// The test alphabet: the letters and digits of register names in both cases, and bytes
  /// that become letters or digits when bit 5 is set or cleared.
  static let alphabet: [UInt8] =
    Array("xXwWsSpPlLrRfFzZaA0123456789_.@[`{".utf8) + [0x10, 0x19, 0x1a, 0xd8, 0xf8, 0x80, 0]

  @Test func fastMnemonicHashHasOneSlotPerMnemonic() {
    var slots: Set<UInt64> = []
    for m in FastMnemonic.allCases {
      #expect(slots.insert((m.rawValue &* FastMnemonic.hashMultiplier) >> 58).inserted, "\(m)")
      #expect(FastMnemonic.byKey(m.rawValue) == m, "\(m)")
    }
  }

  @Test func fastMnemonicHashRejectsNearMisses() {
    print("FastLookupTests.fastMnemonicHashRejectsNearMisses seed \(Self.seed)")
    var rng = SeededGenerator(seed: Self.seed)
    for m in FastMnemonic.allCases {
      let key = m.rawValue
      let length = max(1, (64 - key.leadingZeroBitCount + 7) / 8)
      var misses: [UInt64] = [key << 8 | 0x73, key & ~0xff, key >> 8, key ^ 0x20, key | 1 << 56]
      for _ in 0..<200 {
        let byte = UInt64(rng.next() % UInt64(length + 1))
        let value = UInt64(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))])
        misses.append(key & ~(0xff << (8 * byte)) | value << (8 * byte))
      }
      misses.append(contentsOf: (0..<200).map { _ in rng.next() })
      for k in misses {
        #expect(FastMnemonic.byKey(k) == FastMnemonic(rawValue: k), "seed \(Self.seed) \(k)")
      }
    }
  }

  /// The register reader before it was rewritten, for comparison.
  static func referenceRegister(_ src: [UInt8], _ x: Int, _ y: Int) -> Register? {
    let n = y - x
    guard n >= 2, n <= 3 else { return nil }
    func low(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c | 0x20 : c }
    func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    let c0 = low(src[x])
    let c1 = low(src[x + 1])
    if n == 2 {
      switch (c0, c1) {
      case (UInt8(ascii: "s"), UInt8(ascii: "p")): return .sp
      case (UInt8(ascii: "l"), UInt8(ascii: "r")): return .lr
      case (UInt8(ascii: "f"), UInt8(ascii: "p")): return .fp
      default: break
      }
      guard c0 == UInt8(ascii: "x") || c0 == UInt8(ascii: "w"), digit(c1) else { return nil }
      return c0 == UInt8(ascii: "x") ? .x(c1 - 48) : .w(c1 - 48)
    }
    let c2 = low(src[x + 2])
    if c1 == UInt8(ascii: "z") && c2 == UInt8(ascii: "r") {
      if c0 == UInt8(ascii: "x") { return .xzr }
      if c0 == UInt8(ascii: "w") { return .wzr }
      return nil
    }
    if c0 == UInt8(ascii: "w") && c1 == UInt8(ascii: "s") && c2 == UInt8(ascii: "p") {
      return .wsp
    }
    guard c0 == UInt8(ascii: "x") || c0 == UInt8(ascii: "w"), digit(c1), digit(c2),
      c1 != UInt8(ascii: "0")
    else { return nil }
    let r = (c1 - 48) * 10 + (c2 - 48)
    guard r <= 30 else { return nil }
    return c0 == UInt8(ascii: "x") ? .x(r) : .w(r)
  }

  @Test func registerNamesAreReadLikeBefore() {
    // Every string of one to four bytes of the alphabet, read inside a longer buffer.
    let a = Self.alphabet
    var count = 0
    var found = 0
    for length in 1...3 {
      var digits = [Int](repeating: 0, count: length)
      while true {
        let bytes = [UInt8(ascii: " ")] + digits.map { a[$0] } + [UInt8(ascii: ",")]
        let got = AssemblerState.register(SourceBytes(bytes), 1, 1 + length)
        let expected = Self.referenceRegister(bytes, 1, 1 + length)
        #expect(got == expected, "\(bytes)")
        // The kernel-form path's reader names the same registers.
        let fast = AssemblerState.fastReg(SourceBytes(bytes), 1, 1 + length)
        #expect(fast?.number == expected?.field, "\(bytes)")
        #expect(fast?.is64 == expected.map { $0.width == .x }, "\(bytes)")
        #expect(fast?.isSP == expected?.isSP, "\(bytes)")
        #expect(fast?.isZR == expected?.isZR, "\(bytes)")
        count += 1
        if expected != nil { found += 1 }
        var k = 0
        while k < length {
          digits[k] += 1
          if digits[k] < a.count { break }
          digits[k] = 0
          k += 1
        }
        if k == length { break }
      }
    }
    #expect(count > 40_000)
    // x0-x30 and w0-w30 with x/X and w/W (124), sp, lr, fp (4 spellings each), wsp, xzr,
    // wzr (8 each).
    #expect(found == 160)
    let four = Array("x300".utf8)
    #expect(AssemblerState.register(SourceBytes(four), 0, 4) == nil)
    #expect(AssemblerState.register(SourceBytes(four), 0, 0) == nil)
  }

  @Test func byteNameTableAgreesWithADictionary() {
    print("FastLookupTests.byteNameTableAgreesWithADictionary seed \(Self.seed)")
    var rng = SeededGenerator(seed: Self.seed)
    let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789_ ".utf8)
    func name(_ length: Int) -> [UInt8] {
      (0..<length).map { _ in letters[Int(rng.next() % UInt64(letters.count))] }
    }
    var names: [[UInt8]] = [[]]
    for length in 1...40 {
      for _ in 0..<12 { names.append(name(length)) }
    }
    var table = ByteNameTable(capacity: names.count)
    var reference: [[UInt8]: UInt16] = [:]
    for (i, n) in names.enumerated() {
      let v = UInt16(truncatingIfNeeded: rng.next())
      table.set(String(decoding: n, as: UTF8.self), v)
      reference[n] = v
      // A second value for some names: the later one wins, as in a dictionary.
      if i % 7 == 3 {
        table.set(String(decoding: n, as: UTF8.self), v &+ 1)
        reference[n] = v &+ 1
      }
    }
    func lookup(_ n: [UInt8]) -> UInt16? {
      n.withUnsafeBufferPointer { table.value($0) }
    }
    for n in names {
      #expect(lookup(n) == reference[n], "seed \(Self.seed) \(n)")
      // Near misses: one byte changed, one byte more or fewer, the name inside a longer buffer.
      var misses: [[UInt8]] = [n + [UInt8(ascii: "a")], n + [0]]
      if !n.isEmpty {
        misses.append(Array(n.dropLast()))
        misses.append(Array(n.dropFirst()))
        var changed = n
        let k = Int(rng.next() % UInt64(n.count))
        changed[k] ^= 1
        misses.append(changed)
        changed[k] ^= 0x21
        misses.append(changed)
      }
      for m in misses {
        #expect(lookup(m) == reference[m], "seed \(Self.seed) \(n) -> \(m)")
      }
      let padded = [UInt8(ascii: "#")] + n + Array("abcdefgh".utf8)
      let inside = padded.withUnsafeBufferPointer {
        table.value(UnsafeBufferPointer(rebasing: $0[1..<(1 + n.count)]))
      }
      #expect(inside == reference[n], "seed \(Self.seed) \(n)")
    }
  }
}

/// The DC/IC/TLBI/AT rows the fast forms read from the table's bytes are `table`'s rows.
@Suite struct SystemOperationRowTests {
  @Test func rowsAreTheTablesRows() {
    let table = SystemOperation.table
    #expect(table.count > 100)
    #expect(SystemOperation.rows.keys == table.map { $0.family + " " + $0.name })
    #expect(
      SystemOperation.fields
        == table.map {
          SystemOperation.Fields(
            op1: $0.op1, crn: $0.crn, crm: $0.crm, op2: $0.op2, takesRegister: $0.takesRegister)
        })
  }
}

/// Leaving out a reader for the forms it never takes changes no word: for every mnemonic of
/// the table and operand lists of every shape, `fastForm` gives what the table forms, then
/// the alias forms, give one after the other.
@Suite struct FastRouteTests {
  @Test func routesLeaveOutOnlyReadersThatGiveNothing() throws {
    let operands = [
      "", "x0", "w3", "x0, x1", "x0, x1, x2", "w0, w1, w2, w3", "x0, x1, x2, x3", "w0, w1, #1",
      "x0, [x1]", "w0, [sp]", "x0, x1, [x2]", "w0, [x2], #4", "x0, [x1, #8]!", "x0, x1, [x2], #16",
      "x0, #0x10", "x0, #1, lsl #16", "x0, x1, #3, #4", "x0, x1, lsl #2", "x0, x1, x2, lsl #3",
      "x0, x1, w2, uxtw", "x0, x1, eq", "x0, x1, x2, ne", "x0, #3, #4, eq", "sctlr_el1, x0",
      "x0, sctlr_el1", "daifset, #2", "ish", "#1", "#0x20", "civac, x0", "vmalle1", "csync",
      "#0, c7, c5, #0", "#3, c0, c0, #0, x0", "pldl1keep, [x0]", "x0, [x1, x2, lsl #3]",
      "x0, [x1, w2, sxtw #3]", "w0, w1, [x2]", "x0, x1, x2, [x3]", "c", "jc",
    ]
    let table = MnemonicTable.shared
    var routed = 0
    for (name, form) in zip(table.names, table.forms) {
      for ops in operands {
        let text = Array("\t\(name)\t\(ops)\n".utf8)
        let source = try SourceText(file: "r.s", text: text)
        let state = AssemblerState(source: source)
        let a = 1
        let e = 1 + name.utf8.count
        let b = text.count - 1
        var ranges = OperandRanges()
        state.splitOperands(e, b, into: &ranges)
        let key = text.withUnsafeBufferPointer { AssemblerState.mnemonicKey($0, a, e) }
        let both =
          state.fastTableForm(form, ranges)
          ?? state.fastAlias(form, ranges, family: key.lo, count: key.count).flatMap {
            AssemblerState.fastEncode($0)
          }
        let routedWord = state.fastForm(form, ranges, family: key.lo, count: key.count)
        #expect(routedWord == both, "\(name) \(ops)")
        if both != nil { routed += 1 }
      }
    }
    #expect(routed > 300)
  }
}

/// `b.<cond>` and the fast mnemonics are told apart (no raw value starts with `b.`), and every
/// condition spelling gives its code.
@Suite struct FastMnemonicConditionTests {
  @Test func conditionsAndMnemonicsAreFound() {
    for m in FastMnemonic.allCases {
      #expect(m.rawValue & 0xffff != 0x2e62, "\(m)")
    }
    let names = [
      "eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt",
      "le", "al",
    ]
    let codes: [UInt32] = [0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    for (name, code) in zip(names, codes) {
      let found = FastMnemonic.lookup(SourceBytes(Array("B.\(name.uppercased())".utf8)), 0, 4)
      #expect(found?.0 == .bcond && found?.1 == code, "b.\(name)")
    }
    #expect(FastMnemonic.lookup(SourceBytes(Array("b.nv".utf8)), 0, 4) == nil)
    #expect(FastMnemonic.lookup(SourceBytes(Array("b.eqq".utf8)), 0, 5) == nil)
    #expect(FastMnemonic.lookup(SourceBytes(Array("LDP".utf8)), 0, 3)?.0 == .ldp)
  }
}
