import TestSupport
import Testing

@testable import AArch64

/// The direct words of the exclusive, acquire/release, LDAPR and CASP encoders are the words of
/// their field-list encoders, and nil exactly where those throw (seed printed).
@Suite struct DirectWordExclusiveTests {
  static let seed: UInt64 = 0xe8c1_05
  static let rounds = 20_000

  /// A register of any name, width and number (past 30 too), as `DirectWordTests` picks them.
  func register(_ rng: inout SeededGenerator) -> Register {
    DirectWordTests().register(&rng)
  }

  @Test func exclusiveFormsAgree() {
    print("DirectWordExclusiveTests.exclusiveFormsAgree seed \(Self.seed)")
    var rng = SeededGenerator(seed: Self.seed)
    var encoded = (0, 0, 0, 0)
    for k in 0..<Self.rounds {
      let size = AccessSize.allCases[Int.random(in: 0..<4, using: &rng)]
      let load = Bool.random(using: &rng)
      let ordered = Bool.random(using: &rng)
      let pair = Int.random(in: 0..<3, using: &rng) == 0
      // Mostly the shapes the parser builds, sometimes the ones the encoder rejects.
      let rs: Register? = (load != (Int.random(in: 0..<8, using: &rng) == 0)) ? nil : register(&rng)
      let rt2: Register? =
        (pair != (Int.random(in: 0..<8, using: &rng) == 0)) ? register(&rng) : nil
      let e = Exclusive(
        load: load, ordered: ordered, pair: pair, size: size, rs: rs, rt: register(&rng),
        rt2: rt2, rn: register(&rng))
      let expected = try? A64Encoder.exclusiveChecked(e)
      #expect(A64Encoder.exclusiveWord(e) == expected, "seed \(Self.seed) round \(k): \(e)")
      if expected != nil { encoded.0 += 1 }

      let a = AcquireRelease(
        load: load, ordered: ordered, size: size, rt: register(&rng), rn: register(&rng))
      let expectedA = try? A64Encoder.acquireReleaseChecked(a)
      #expect(A64Encoder.acquireReleaseWord(a) == expectedA, "seed \(Self.seed) round \(k): \(a)")
      if expectedA != nil { encoded.1 += 1 }

      let expectedL = try? A64Encoder.loadAcquirePCChecked(size, a.rt, a.rn)
      #expect(
        A64Encoder.loadAcquirePCWord(size, a.rt, a.rn) == expectedL,
        "seed \(Self.seed) round \(k): ldapr \(size) \(a.rt) \(a.rn)")
      if expectedL != nil { encoded.2 += 1 }

      let c = CompareAndSwap(
        acquire: load, release: ordered, size: size, rs: register(&rng), rt: register(&rng),
        rn: register(&rng))
      let expectedC = try? A64Encoder.compareAndSwapPairChecked(c)
      #expect(
        A64Encoder.compareAndSwapPairWord(c) == expectedC, "seed \(Self.seed) round \(k): \(c)")
      if expectedC != nil { encoded.3 += 1 }
    }
    #expect(encoded.0 > Self.rounds / 50, "only \(encoded.0) exclusive encodable")
    #expect(encoded.1 > Self.rounds / 20, "only \(encoded.1) acquire/release encodable")
    #expect(encoded.2 > Self.rounds / 20, "only \(encoded.2) ldapr encodable")
    #expect(encoded.3 > Self.rounds / 400, "only \(encoded.3) casp encodable")
  }
}

/// The direct words of the branch, literal, ADR/ADRP, address and barrier encoders agree with
/// their field-list encoders (nil exactly where those throw; seed printed).
@Suite struct DirectWordEncoderTests {
  static let seed: UInt64 = 0xe8c1_06
  static let rounds = 20_000

  func register(_ rng: inout SeededGenerator) -> Register {
    DirectWordTests().register(&rng)
  }

  /// An offset of any width, its field at and past the edges.
  func offset(_ rng: inout SeededGenerator) -> BranchOffset {
    let width = BranchOffset.Width.allCases[Int.random(in: 0..<5, using: &rng)]
    let bits = width.fieldBits
    let edges: [UInt32] = [0, 1, (1 << UInt32(bits - 1)) - 1, 1 << UInt32(bits - 1), ~0]
    let field =
      Bool.random(using: &rng)
      ? edges[Int.random(in: 0..<edges.count, using: &rng)]
      : UInt32.random(in: 0...UInt32.max, using: &rng)
    return BranchOffset(field: field & ((1 << UInt32(bits)) - 1), width)
  }

  func address(_ rng: inout SeededGenerator) -> Address {
    let base = register(&rng)
    let offsets: [Int64] = [0, 1, 8, -1, -256, 255, 256, -257, 4095, 32760, 32768, 65520, -8]
    let off =
      Bool.random(using: &rng)
      ? offsets[Int.random(in: 0..<offsets.count, using: &rng)]
      : Int64.random(in: -70_000...70_000, using: &rng)
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: return .unsignedOffset(base: base, offset: off)
    case 1: return .unscaled(base: base, offset: off)
    case 2: return .preIndex(base: base, offset: off)
    case 3: return .postIndex(base: base, offset: off)
    case 4: return .unprivileged(base: base, offset: off)
    default:
      return .registerOffset(
        base: base, index: register(&rng),
        extend: Extend.allCases[Int.random(in: 0..<8, using: &rng)],
        shifted: Bool.random(using: &rng))
    }
  }

  @Test func encodersAgree() {
    print("DirectWordEncoderTests.encodersAgree seed \(Self.seed)")
    var rng = SeededGenerator(seed: Self.seed)
    var encoded = [Int](repeating: 0, count: 7)
    func count(_ k: Int, _ w: UInt32?) { if w != nil { encoded[k] += 1 } }
    for k in 0..<Self.rounds {
      let tag = "seed \(Self.seed) round \(k)"
      let c = Condition.allCases[Int.random(in: 0..<16, using: &rng)]
      let off = offset(&rng)
      let b = try? A64Encoder.branchConditionalChecked(c, off)
      #expect(A64Encoder.branchConditionalWord(c, off) == b, "\(tag): b.\(c) \(off)")
      count(0, b)

      let rt = register(&rng)
      let kind = LiteralLoad.allCases[Int.random(in: 0..<2, using: &rng)]
      let l = try? A64Encoder.loadLiteralChecked(kind, rt, off)
      #expect(A64Encoder.loadLiteralWord(kind, rt, off) == l, "\(tag): \(kind) \(rt) \(off)")
      count(1, l)

      let p = PrefetchOperation(unchecked: UInt8.random(in: 0...31, using: &rng))
      let pl = try? A64Encoder.prefetchLiteralChecked(p, off)
      #expect(A64Encoder.prefetchLiteralWord(p, off) == pl, "\(tag): prfm \(p) \(off)")
      count(2, pl)

      let a = try? A64Encoder.pcRelativeChecked(rt, off)
      #expect(A64Encoder.pcRelativeWord(rt, off) == a, "\(tag): adr \(rt) \(off)")
      count(3, a)

      let address = address(&rng)
      let size = UInt32.random(in: 0...3, using: &rng)
      let opc = UInt32.random(in: 0...3, using: &rng)
      let field = UInt32.random(in: 0...31, using: &rng)
      let s = try? A64Encoder.singleAccessChecked(size: size, opc: opc, rt: field, address)
      #expect(
        A64Encoder.singleAccessWord(size: size, opc: opc, rt: field, address) == s,
        "\(tag): \(size) \(opc) \(field) \(address)")
      count(4, s)
      #expect(
        A64Encoder.prefetchWord(p, address) == (try? A64Encoder.prefetch(p, address)),
        "\(tag): prfm \(p) \(address)")

      let key = Bool.random(using: &rng)
      let (rn, rm) = (register(&rng), register(&rng))
      let branches: [AuthenticatedBranch] = [
        .braz(keyB: key, rn), .blraz(keyB: key, rn), .reta(keyB: key),
        .bra(keyB: key, rn, modifier: rm), .blra(keyB: key, rn, modifier: rm),
      ]
      for branch in branches {
        let w = try? A64Encoder.authenticatedBranchChecked(branch)
        #expect(A64Encoder.authenticatedBranchWord(branch) == w, "\(tag): \(branch)")
        count(5, w)
      }
    }
    for barrier in [Barrier.ssbb, .pssbb, .sb] {
      #expect(A64Encoder.directWord(.barrier(barrier)) == (try? A64Encoder.barrier(barrier)))
      count(6, A64Encoder.directWord(.barrier(barrier)))
    }
    #expect(encoded[6] == 3)
    for (k, n) in encoded.enumerated().dropLast() {
      #expect(n > Self.rounds / 50, "only \(n) encodable in group \(k)")
    }
  }
}
