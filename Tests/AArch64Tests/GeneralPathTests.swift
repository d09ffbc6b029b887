import TestSupport
import Testing

@testable import AArch64

/// The general path's mnemonic table: every name is there once, and a name the table lacks is
/// reported as unknown, not misparsed.
@Suite struct MnemonicTableTests {
  @Test func everyMnemonicIsAddedOnceAndFoundAgain() {
    let table = MnemonicTable.shared
    #expect(table.duplicates.isEmpty, "added twice or too long: \(table.duplicates)")
    #expect(table.names.count > 400)
    for name in table.names {
      #expect(table.form(name.utf8) != nil, "\(name) not found")
    }
  }

  @Test func lookalikesAreNotFound() {
    let table = MnemonicTable.shared
    // Prefixes, suffixes and a 17-byte name: none is a mnemonic.
    for name in [
      "", "ld", "ldrr", "b.", "b.xx", "nopp", "addsx", "casalbh", "ldaddalhh", "aaaaaaaaaaaaaaaaa",
    ] {
      #expect(table.form(name.utf8) == nil, "\(name) found")
    }
    for name in table.names where name.count < 16 {
      #expect(table.form((name + "q").utf8) == nil, "\(name)q found")
    }
  }

  @Test func everyTableNameReachesTheOperandMatcher() {
    // With no operands, a table name fails on its operands (or assembles, like `nop`),
    // never as an unknown mnemonic.
    for name in MnemonicTable.shared.names {
      do {
        _ = try A64.parse(name)
      } catch {
        #expect(error.id != "asm.unknown-mnemonic", "\(name): \(error.message)")
      }
    }
  }
}

/// The byte-level shortcuts of the assembler's operand reader agree with the expression parser
/// and the line parser they bypass.
@Suite struct OperandShortcutTests {
  @Test func plainNumbersAreReadOnlyWhenUnambiguous() {
    let cases: [(String, Int64?)] = [
      ("0", 0), (" 42 ", 42), ("-7", -7), ("0x1F", 31), ("0XfF", 255), ("-0x10", -16),
      ("010", nil),  // octal for GNU as: left to the expression parser
      ("1b", nil), ("1f", nil), ("0b11", nil), ("4+4", nil), ("", nil), ("-", nil), ("0x", nil),
      ("999999999999999999", 999_999_999_999_999_999), ("9999999999999999999", nil),
    ]
    for (text, expected) in cases {
      let bytes = Array(text.utf8)
      #expect(AssemblerState.plainNumber(SourceBytes(bytes), 0, bytes.count) == expected, "\(text)")
    }
  }

  @Test func shortcutsAssembleLikeTheLineParser() throws {
    // Each line goes through the assembler's byte-level operand reader and, one at a time,
    // through `A64.parse`; the words must agree.
    let lines = [
      "add x0, x1, x2, lsl #3", "add x0, x1, x2, LSL 3", "add x0, sp, w2, uxtw #2",
      "add x0, sp, w2, uxtw", "sub w3, w4, w5, asr #31", "ldr x0, [x1, x2, lsl #3]",
      "ldr w0, [x1, w2, sxtw #2]", "ldr w0, [x1, w2, uxtw]", "ldrb w0, [x1, x2]",
      "csel x0, x1, x2, EQ", "ccmp x1, #3, #4, hi", "dmb ish", "mrs x0, tpidr_el1",
      "prfm pldl1keep, [x0]", "mov x0, #0x10", "movz x1, #-0", "tbz x1, #3, .+8",
    ]
    for line in lines {
      let object = try Assembler.assemble(bytes: Array(("\t" + line + "\n").utf8), file: "t.s")
      let word = try encode(A64.parse(line, syntax: .gnu))
      let words = object.section(".text")?.items.compactMap(\.word) ?? []
      #expect(words == [word], "\(line)")
    }
    // GNU as reads a leading zero as octal; the shortcut leaves that to the expression parser.
    let octal = try Assembler.assemble(bytes: Array("\tmovz x1, #010\n".utf8), file: "t.s")
    let eight = try encode(A64.parse("movz x1, #8", syntax: .gnu))
    #expect(octal.section(".text")?.items.compactMap(\.word) == [eight])
  }
}

/// Lines the fast path takes a first look at, with too few operands: each is an error with its
/// line, never a trap (the fuzzer found `stp x4, x5` reading a third operand that was not there).
@Test(arguments: [
  "stp x4, x5", "ldp x0, x1", "ldp x0", "stp", "ldr x0", "add x0, x1", "b.eq", "tbz x0, #1",
])
func fastPathMnemonicsWithTooFewOperandsAreErrors(_ line: String) {
  do {
    _ = try Assembler.assemble(bytes: Array("\tnop\n\t\(line)\n".utf8), file: "t.s")
    Issue.record("\(line) assembled")
  } catch {
    #expect(error.location.line == 2, "\(line): \(error)")
  }
}

/// The byte-keyed name tables (system registers, SYS aliases) give what the string tables gave.
@Suite struct ByteNameTableTests {
  @Test func systemRegisterNamesAreReadLikeBefore() {
    // The reference: the text split into `name=hex` tokens by the standard library.
    let reference: [(String, UInt16)] = SystemRegister.table.split(whereSeparator: {
      $0 == " " || $0 == "\n"
    }).compactMap { tok in
      let p = tok.split(separator: "=")
      guard p.count == 2, let e = UInt16(p[1], radix: 16) else { return nil }
      return (String(p[0]), e)
    }
    #expect(reference.count == 1013)
    #expect(SystemRegister.entries.map(\.0) == reference.map(\.0))
    #expect(SystemRegister.entries.map(\.1) == reference.map(\.1))
    // Every name is found (upper case too), a later duplicate wins as in a dictionary.
    var last: [String: UInt16] = [:]
    for (n, e) in reference { last[n] = e }
    last["dbgdtrtx_el0"] = SystemRegister.dbgdtr
    for (n, e) in last {
      #expect(SystemRegister(name: n)?.encoding == e, "\(n)")
      #expect(SystemRegister(name: n.uppercased())?.encoding == e, "\(n)")
    }
    for n in ["", "sctlr_el", "sctlr_el11", "s3_0_c15_c2_9", "x0"] {
      #expect(SystemRegister(name: n) == nil, "\(n)")
    }
    #expect(SystemRegister(name: "s3_0_c15_c2_0")?.encoding == 0xc790)
  }

  @Test func systemOperationsAreFoundByName() {
    var last: [String: SystemOperation] = [:]
    for o in SystemOperation.table { last[o.family + " " + o.name] = o }
    for (key, o) in last {
      let parts = key.split(separator: " ").map(String.init)
      #expect(SystemOperation.lookup(family: parts[0], name: parts[1]) == o, "\(key)")
      #expect(
        SystemOperation.lookup(family: parts[0].uppercased(), name: parts[1].uppercased()) == o)
    }
    #expect(SystemOperation.lookup(family: "dc", name: "nosuch") == nil)
    #expect(SystemOperation.lookup(family: "dcc", name: "ivac") == nil)
  }
}
