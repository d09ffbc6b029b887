import TestSupport
import Testing

@testable import AArch64

/// Checks of the spec table itself (after the kernel's `BUILD_BUG_ON(~(mask) & (val))` and QEMU's
/// `tests/decode/err_*.decode`).
@Suite struct SpecTests {
  @Test func everyRowCompiles() {
    for row in A64Spec.rows {
      #expect(throws: Never.self, "\(row.name)") { _ = try Pattern(row) }
    }
    #expect(A64Spec.patterns.count == A64Spec.rows.count)
  }

  @Test func everyNameHasExactlyOneRow() {
    let names = A64Spec.rows.map(\.name)
    #expect(Set(names).count == names.count)
    #expect(Set(names) == Set(PatternName.allCases))
  }

  @Test func theTablePassesTheChecker() {
    let errors = SpecChecker.check(A64Spec.patterns)
    #expect(errors.isEmpty, "\(errors)")
  }

  @Test func valueLiesInsideMaskAndFieldsInsideFreeBits() {
    for p in A64Spec.patterns {
      #expect(p.value & ~p.mask == 0, "\(p.name)")
      var free = ~p.mask
      for (f, s) in p.fields {
        #expect(s.mask & p.mask == 0, "\(p.name).\(f)")
        #expect(s.mask & ~free == 0, "\(p.name).\(f) overlaps another field")
        free &= ~s.mask
      }
      #expect(free == 0, "\(p.name): bits neither fixed nor in a field")
    }
  }

  /// Every declared overlap group really overlaps, and its earlier members are more specific.
  @Test func overlapGroupsAreRealAndOrdered() {
    let groups = Dictionary(grouping: A64Spec.patterns.filter { $0.group != nil }) {
      $0.group ?? ""
    }
    #expect(!groups.isEmpty)
    for (g, members) in groups {
      #expect(members.count >= 2, "\(g)")
      guard let last = members.last else { continue }
      for m in members.dropLast() {
        #expect(
          m.mask & last.mask == last.mask, "\(g): \(m.name) is not more specific than \(last.name)")
        #expect(
          (m.value ^ last.value) & last.mask == 0, "\(g): \(m.name) does not overlap \(last.name)")
      }
    }
  }

  /// Every pattern is reachable: some word built from its fixed bits (fields filled from a
  /// seeded generator) decodes cleanly.
  @Test func everyPatternDecodesSomething() {
    let seed: UInt64 = 0x5bec
    var rng = SeededGenerator(seed: seed)
    for p in A64Spec.patterns where p.name != .UDF {
      var found = false
      for _ in 0..<512 where !found {
        var w = p.value
        for (_, slot) in p.fields {
          let v =
            Bool.random(using: &rng) ? ~UInt32(0) : UInt32.random(in: 0...UInt32.max, using: &rng)
          w |= v & slot.mask
        }
        if case .decoded = decode(w) { found = true }
      }
      #expect(found, "seed \(seed): \(p.name) decodes no word")
    }
  }

  // MARK: Deliberately broken mini-specs, each of which the checker must reject.

  static func compile(_ rows: [PatternRow]) -> [Pattern] { rows.compactMap { try? Pattern($0) } }

  @Test func rejectsAShortBitString() {
    #expect(throws: SpecError.self) {
      _ = try Pattern(PatternRow(.LDSTP, "opc:2 101 0 idx:2 l:1 imm7:7 rt2:5 rn:5 rt:5"))
    }
  }

  @Test func rejectsALongBitString() {
    #expect(throws: SpecError.self) { _ = try Pattern(PatternRow(.B, "op:1 001011 imm26:26")) }
  }

  @Test func rejectsAnUnknownOrDuplicateField() {
    #expect(throws: SpecError.self) { _ = try Pattern(PatternRow(.B, "op:1 00101 imm25:26")) }
    #expect(throws: SpecError.self) {
      _ = try Pattern(PatternRow(.CB, "sf:1 011010 sf:1 imm19:19 rt:5"))
    }
  }

  @Test func rejectsValueOutsideMask() {
    let p = Pattern(name: .B, mask: 0x7c00_0000, value: 0x9400_0000, group: nil, fields: [])
    #expect(SpecChecker.check([p]).contains { $0.message.contains("outside mask") })
  }

  @Test func rejectsFieldOverlappingFixedBits() {
    // err_overlap1.decode: "Diagnose field overlapping fixedbits".
    let p = Pattern(
      name: .B, mask: 0x7c00_0000, value: 0x1400_0000, group: nil,
      fields: [(.op, FieldSlot(lsb: 31, width: 1)), (.imm26, FieldSlot(lsb: 1, width: 26))])
    #expect(SpecChecker.check([p]).contains { $0.message.contains("overlaps fixed bits") })
  }

  @Test func rejectsUndeclaredOverlap() {
    let broken = Self.compile([
      PatternRow(.DSB, "1101010100 0 00 011 0011 crm:4 100 11111"),
      PatternRow(.SSBB, "1101010100 0 00 011 0011 0000 100 11111"),
    ])
    #expect(broken.count == 2)
    #expect(SpecChecker.check(broken).contains { $0.message.contains("outside a declared group") })
    let declared = Self.compile([
      PatternRow(.SSBB, "1101010100 0 00 011 0011 0000 100 11111", group: "g"),
      PatternRow(.DSB, "1101010100 0 00 011 0011 crm:4 100 11111", group: "g"),
    ])
    #expect(SpecChecker.check(declared).isEmpty)
  }

  @Test func rejectsPartlyCoveredWord() {
    let p = Pattern(
      name: .B, mask: 0x7c00_0000, value: 0x1400_0000, group: nil,
      fields: [(.imm26, FieldSlot(lsb: 0, width: 26))])
    #expect(SpecChecker.check([p]).contains { $0.message.contains("neither fixed nor in a field") })
  }
}
