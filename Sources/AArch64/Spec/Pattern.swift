/// A named bit field of an encoding pattern, spelt as in the Arm ARM (`rt`, `imm19`, `sf`…).
public enum Field: UInt8, Sendable, Hashable, CaseIterable {
  case sf, op, s, sh, imm12, rn, rd, rt, rt2, rm, ra, rs, opc, n, immr, imms, hw, imm16
  case immlo, immhi, imm26, imm19, imm14, b5, b40, cond, crm, crn, op1, op2, o0, l, m
  case size, sz, idx, imm7, imm9, a, r, o3, option, imm3, shift, imm6, nzcv, imm5, o2, op31
  case opcode, ll, opt
}

/// The position of a field inside a 32-bit word.
public struct FieldSlot: Sendable, Hashable {
  public var lsb: UInt8
  public var width: UInt8
  public var mask: UInt32 { width >= 32 ? ~0 : ((UInt32(1) << UInt32(width)) - 1) << UInt32(lsb) }
}

/// One row of the spec as written: a name, a bit string in manual order (bit 31 first) and the
/// overlap group it belongs to, if any.
///
/// Bit strings are tokens separated by spaces: runs of `0`/`1` are fixed bits, `name:len` is a
/// field. `"sf:1 011010 op:1 imm19:19 rt:5"` is CBZ/CBNZ.
public struct PatternRow: Sendable {
  public var name: PatternName
  public var bits: String
  public var group: String?
  public init(_ name: PatternName, _ bits: String, group: String? = nil) {
    self.name = name
    self.bits = bits
    self.group = group
  }
}

/// A compiled pattern: it matches `w` when `w & mask == value` (decodetree's contract).
public struct Pattern: Sendable {
  public let name: PatternName
  public let mask: UInt32
  public let value: UInt32
  public let group: String?
  /// Fields in the order written.
  public let fields: [(Field, FieldSlot)]
  /// Slot per `Field` (indexed by `Field.index`), width 0 when absent.
  let slots: [FieldSlot]

  public func matches(_ w: UInt32) -> Bool { w & mask == value }

  /// The slot of `f`, or nil if the pattern has no such field.
  public func slot(_ f: Field) -> FieldSlot? {
    let s = slots[f.index]
    return s.width == 0 ? nil : s
  }

  /// Extracts field `f` of `w` (0 if absent).
  @inline(__always)
  func get(_ f: Field, _ w: UInt32) -> UInt32 {
    let s = slots[f.index]
    return (w >> UInt32(s.lsb)) & ((UInt32(1) << UInt32(s.width)) &- 1)
  }

  /// Compiles a row.
  /// - Throws: `SpecError` for a bit string that is not exactly 32 bits, an unknown or duplicate
  ///   field name, or a bad length.
  public init(_ row: PatternRow) throws(SpecError) {
    var mask: UInt32 = 0
    var value: UInt32 = 0
    var pos = 32
    var fields: [(Field, FieldSlot)] = []
    var slots = [FieldSlot](repeating: FieldSlot(lsb: 0, width: 0), count: Field.allCases.count)
    for token in row.bits.split(separator: " ") {
      if let colon = token.firstIndex(of: ":") {
        let fname = String(token[..<colon])
        guard let f = Field(name: fname) else {
          throw SpecError(row.name, "unknown field \(fname)")
        }
        guard let len = Int(token[token.index(after: colon)...]), len > 0, len <= pos else {
          throw SpecError(row.name, "bad length in \(token)")
        }
        if slots[f.index].width != 0 { throw SpecError(row.name, "duplicate field \(fname)") }
        pos -= len
        let slot = FieldSlot(lsb: UInt8(pos), width: UInt8(len))
        slots[f.index] = slot
        fields.append((f, slot))
      } else {
        for c in token {
          guard pos > 0 else { throw SpecError(row.name, "more than 32 bits") }
          pos -= 1
          switch c {
          case "0": mask |= 1 << UInt32(pos)
          case "1":
            mask |= 1 << UInt32(pos)
            value |= 1 << UInt32(pos)
          default: throw SpecError(row.name, "bad bit character \(c)")
          }
        }
      }
    }
    if pos != 0 { throw SpecError(row.name, "only \(32 - pos) bits") }
    self.name = row.name
    self.mask = mask
    self.value = value
    self.group = row.group
    self.fields = fields
    self.slots = slots
  }

  /// A pattern from raw parts, for checking hand-made (possibly broken) specs.
  public init(
    name: PatternName, mask: UInt32, value: UInt32, group: String?, fields: [(Field, FieldSlot)]
  ) {
    self.name = name
    self.mask = mask
    self.value = value
    self.group = group
    self.fields = fields
    var slots = [FieldSlot](repeating: FieldSlot(lsb: 0, width: 0), count: Field.allCases.count)
    for (f, s) in fields { slots[f.index] = s }
    self.slots = slots
  }
}

extension Field {
  /// The position in `Pattern.slots`.
  @inline(__always) var index: Int { Int(rawValue) }
  /// The manual's spelling (`rt`, `imm19`).
  public var name: String { "\(self)" }
  /// The field called `name`.
  public init?(name: String) {
    guard let f = Field.byName[name] else { return nil }
    self = f
  }

  /// Every field by its spelling, each spelt once: the spec's rows name about two thousand
  /// fields, and spelling a case is a reflective lookup.
  static let byName: [String: Field] = Dictionary(
    Field.allCases.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
}

/// A defect in a spec table, found when compiling or checking it.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
  public var pattern: PatternName
  public var message: String
  public init(_ pattern: PatternName, _ message: String) {
    self.pattern = pattern
    self.message = message
  }
  public var description: String { "\(pattern): \(message)" }
}

/// The checks every spec must pass (after the kernel's `BUILD_BUG_ON(~(mask) & (val))` and QEMU's
/// `tests/decode/err_*.decode`).
public enum SpecChecker {
  /// Returns every defect in `patterns`: value bits outside the mask, fields overlapping fixed
  /// bits or each other, bits neither fixed nor in a field, and overlaps between patterns that
  /// are not declared in the same group.
  public static func check(_ patterns: [Pattern]) -> [SpecError] {
    var errors: [SpecError] = []
    for p in patterns {
      if p.value & ~p.mask != 0 { errors.append(SpecError(p.name, "value has bits outside mask")) }
      var covered = p.mask
      for (f, s) in p.fields {
        if s.mask & p.mask != 0 {
          errors.append(SpecError(p.name, "field \(f.name) overlaps fixed bits"))
        }
        if s.mask & covered & ~p.mask != 0 {
          errors.append(SpecError(p.name, "field \(f.name) overlaps another field"))
        }
        covered |= s.mask
      }
      if covered != ~0 { errors.append(SpecError(p.name, "bits neither fixed nor in a field")) }
    }
    for i in patterns.indices {
      for j in patterns.indices where j > i {
        let a = patterns[i]
        let b = patterns[j]
        if (a.value ^ b.value) & a.mask & b.mask == 0 {
          if a.group == nil || a.group != b.group {
            errors.append(SpecError(a.name, "overlaps \(b.name) outside a declared group"))
          }
        }
      }
    }
    return errors
  }
}
