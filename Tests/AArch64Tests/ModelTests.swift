import AArch64
import TestSupport
import Testing

/// The model's own rules: branch ranges, SP vs ZR, and the words the kernel's ftrace, PLT and
/// patching code uses (DOMAIN.md §1.3–1.5; objdump texts checked against binutils 2.40).
@Suite struct ModelTests {
  @Test(arguments: BranchOffset.Width.allCases)
  func branchOffsetRangesAreHalfOpen(_ w: BranchOffset.Width) throws {
    let align = Int64(1) << (w == .adrp21 ? 12 : w == .adr21 ? 0 : 2)
    #expect(throws: Never.self) { _ = try BranchOffset(w.lowerBound, w) }
    #expect(throws: Never.self) { _ = try BranchOffset(w.upperBound - align, w) }
    #expect(throws: EncodingError.self) { _ = try BranchOffset(w.upperBound, w) }
    #expect(throws: EncodingError.self) { _ = try BranchOffset(w.lowerBound - align, w) }
    if align > 1 {
      #expect(throws: EncodingError.self) { _ = try BranchOffset(align / 2, w) }
    }
  }

  /// B/BL reach [-128 MiB, 128 MiB), as the kernel's `reachable_by_bl()`.
  @Test func blReachIsTheKernels() throws {
    #expect(BranchOffset.Width.imm26.lowerBound == -128 << 20)
    #expect(BranchOffset.Width.imm26.upperBound == 128 << 20)
    let far = try BranchOffset(128 << 20 - 4, .imm26)
    #expect(try encode(.branch(link: true, far)) == 0x95ff_ffff)
    do {
      _ = try BranchOffset(128 << 20, .imm26)
      Issue.record("accepted +128 MiB")
    } catch {
      #expect(error.code == .outOfRange)
      #expect(error.operand == "imm26")
    }
  }

  @Test func spAndZRAreDistinct() throws {
    #expect(Register.sp != Register.xzr)
    #expect(Register.sp.field == Register.xzr.field)
    // ADD (immediate) names SP in Rn; ZR there is an error, and the reverse for ORR (register).
    let add = Instruction.addSubImmediate(
      AddSubImmediate(subtract: false, setFlags: false, rd: .fp, rn: .sp, imm12: 0))
    #expect(try encode(add) == 0x9100_03fd)
    #expect(A64.print(add) == "mov\tx29, sp")
    let bad = Instruction.addSubImmediate(
      AddSubImmediate(subtract: false, setFlags: false, rd: .fp, rn: .xzr, imm12: 0))
    #expect(throws: EncodingError.self) { _ = try encode(bad) }
    let orr = Instruction.logicalShifted(LogicalShifted(op: .orr, rd: .x(9), rn: .sp, rm: .lr))
    #expect(throws: EncodingError.self) { _ = try encode(orr) }
    // The decoder tells them apart by slot.
    #expect(decode(0x9100_03fd) == .decoded(add))
    #expect(decode(0xaa1e_03e9).instruction.map { A64.print($0) } == "mov\tx9, x30")
  }

  struct KernelWord: Sendable, CustomStringConvertible {
    var word: UInt32
    var text: String
    var description: String { text }
  }

  static let kernelWords: [KernelWord] = [
    KernelWord(word: 0xd503_201f, text: "nop"),
    KernelWord(word: 0xd503_245f, text: "bti\tc"),
    KernelWord(word: 0xd503_241f, text: "bti"),
    KernelWord(word: 0xd503_249f, text: "bti\tj"),
    KernelWord(word: 0xd503_24df, text: "bti\tjc"),
    KernelWord(word: 0xd503_233f, text: "paciasp"),
    KernelWord(word: 0xd503_237f, text: "pacibsp"),
    KernelWord(word: 0xd503_23bf, text: "autiasp"),
    KernelWord(word: 0xd503_23ff, text: "autibsp"),
    KernelWord(word: 0xaa1e_03e9, text: "mov\tx9, x30"),
    KernelWord(word: 0x9100_03fd, text: "mov\tx29, sp"),
    KernelWord(word: 0x9100_6210, text: "add\tx16, x16, #0x18"),
    KernelWord(word: 0xa9bf_7bfd, text: "stp\tx29, x30, [sp, #-16]!"),
    KernelWord(word: 0xa8c1_7bfd, text: "ldp\tx29, x30, [sp], #16"),
    KernelWord(word: 0xd61f_0200, text: "br\tx16"),
    KernelWord(word: 0xd61f_0220, text: "br\tx17"),
    KernelWord(word: 0xd65f_03c0, text: "ret"),
    KernelWord(word: 0xd65f_0bff, text: "retaa"),
    KernelWord(word: 0xd420_2000, text: "brk\t#0x100"),
    KernelWord(word: 0xd503_3fdf, text: "isb"),
    KernelWord(word: 0xd400_0001, text: "svc\t#0x0"),
    KernelWord(word: 0x9400_0000, text: "bl\t1000"),
    KernelWord(word: 0x1400_0001, text: "b\t1004"),
  ]

  @Test(arguments: kernelWords)
  func kernelWordsDecodePrintAndParse(_ k: KernelWord) throws {
    guard case .decoded(let i) = decode(k.word) else {
      Issue.record("\(k.text): \(decode(k.word))")
      return
    }
    #expect(A64.print(i, pc: 0x1000) == k.text)
    #expect(try A64.parse(k.text, pc: 0x1000) == i)
    #expect(try encode(i) == k.word)
  }

  @Test func hintKindsAndBTITargets() throws {
    #expect(Hint.btiC.btiTarget == .c)
    #expect(Hint.btiJC.btiTarget == .jc)
    #expect(Hint.bti.btiTarget == BTITarget.none)
    #expect(Hint.paciasp.btiTarget == nil)
    let unallocated = try #require(Hint(rawValue: 0x13))
    #expect(unallocated.name == nil)
    #expect(A64.print(.hint(unallocated)) == "hint\t#0x13")
    #expect(Hint(rawValue: 128) == nil)
    #expect(BarrierOption(rawValue: 16) == nil)
    #expect(PrefetchOperation(rawValue: 32) == nil)
  }

  @Test func dsbAliasesMustUseTheirCases() throws {
    let zero = try #require(BarrierOption(rawValue: 0))
    let four = try #require(BarrierOption(rawValue: 4))
    #expect(throws: EncodingError.self) { _ = try encode(.barrier(.dsb(zero))) }
    #expect(throws: EncodingError.self) { _ = try encode(.barrier(.dsb(four))) }
    #expect((try? encode(.barrier(.ssbb))) == 0xd503_309f)
    #expect(decode(0xd503_309f) == .decoded(.barrier(.ssbb)))
  }

  /// Model values whose redundant parts disagree are rejected, so `decode(encode(i)) == i`
  /// holds for everything that encodes.
  @Test func inconsistentModelValuesAreRejected() throws {
    let bad: [Instruction] = [
      .exclusive(
        Exclusive(
          load: true, ordered: false, pair: false, size: .doubleword, rs: .w(1), rt: .x(0),
          rt2: nil, rn: .sp)),
      .exclusive(
        Exclusive(
          load: true, ordered: false, pair: true, size: .byte, rs: nil, rt: .x(0), rt2: .x(1),
          rn: .sp)),
      .exclusive(
        Exclusive(
          load: true, ordered: false, pair: false, size: .word, rs: nil, rt: .w(0), rt2: .w(1),
          rn: .sp)),
      .compareAndSwapPair(CompareAndSwap(size: .word, rs: .x(0), rt: .x(2), rn: .sp)),
      .loadLiteral(.ldrsw, .w(0), try BranchOffset(0, .imm19)),
      .pcRelative(.x(0), try BranchOffset(0, .imm26)),
      .testAndBranch(nonZero: false, .w(0), bit: 40, try BranchOffset(0, .imm14)),
      .dataProcessing1(.rev32, rd: .w(0), rn: .w(1)),
      .branchRegister(.br, .x(31)),
    ]
    for i in bad {
      #expect(throws: EncodingError.self, "\(i)") { _ = try encode(i) }
    }
  }

  @Test func decodeOutcomes() {
    #expect(decode(0x0000_0001) == .undefined(0x0000_0001))  // udf #1
    #expect(A64.print(decode(0x0000_0001)) == "udf\t#1")
    #expect(decode(0x1e20_4020) == .notCovered(0x1e20_4020))  // fmov s0, s1 (FP)
    if case .unpredictable(_, let reason) = decode(0xa940_03e0) {  // ldp x0, x0, [sp]
      #expect(reason == "load pair with Rt == Rt2")
    } else {
      Issue.record("ldp x0, x0 should be unpredictable")
    }
    if case .unpredictable(_, let reason) = decode(0xf840_8400) {  // ldr x0, [x0], #8
      #expect(reason == "writeback with Rt == Rn")
    } else {
      Issue.record("ldr x0, [x0], #8 should be unpredictable")
    }
    // SVC space with LL = 00: no pattern claims it, so no claim is made.
    #expect(decode(0xd400_0000) == .notCovered(0xd400_0000))
  }

  @Test func operandLevelAPI() throws {
    let (m, ops) = try AsmParser.split("ldr x0, [sp, #8]!  // comment")
    #expect(m == "ldr")
    #expect(
      ops.map(\.operand) == [
        .register(.x(0)), .memory(base: .sp, index: .immediate(8), preIndex: true),
      ])
    #expect(ops.map(\.column) == [5, 9])
    let (_, ops2) = try AsmParser.split("add x0, x1, w2, sxtw #2")
    #expect(ops2.last?.operand == .extend(.sxtw, 2))
    let i = try AsmParser.instruction(
      mnemonic: "b", operands: [LocatedOperand(operand: .relative(8), column: 3)], pc: 0)
    #expect(try encode(i) == 0x1400_0002)
  }

  @Test func parserAliasesAndSyntax() throws {
    #expect(try A64.parse("mov lr, fp") == A64.parse("orr x30, xzr, x29"))
    #expect(try A64.parse("bti c") == .hint(.btiC))
    #expect(try A64.parse("ldr x0, [x1], 8") == A64.parse("ldr x0, [x1], #8"))
    #expect(try A64.parse("b.ne #0x10") == A64.parse("b.ne .+16"))
    #expect(try A64.parse("b 0x1010", pc: 0x1000, syntax: .gnu) == A64.parse("b #0x10"))
    #expect(try A64.parse("b 1010", pc: 0x1000, syntax: .objdump) == A64.parse("b #0x10"))
    #expect(try encode(A64.parse("ldr x0, [x1, #-8]")) == 0xf85f_8020)  // LDUR, as GNU as picks
    #expect(try encode(A64.parse("mov x0, #-17")) == 0x9280_0200)
    #expect(try A64.parse("add x0, x1, #-8") == A64.parse("sub x0, x1, #8"))
    #expect(try A64.parse("cmp w0, #-1") == A64.parse("cmn w0, #1"))
    #expect(try A64.parse("tbz x3, #4, #8") == A64.parse("tbz w3, #4, #8"))
    // GNU as's inverted-immediate aliases.
    #expect(try A64.parse("bic x11, x30, 0x7") == A64.parse("and x11, x30, #0xfffffffffffffff8"))
    #expect(try A64.parse("orn w0, w1, #0xffff0000") == A64.parse("orr w0, w1, #0xffff"))
    // Symbols and expressions are left to the assembler: an operand it can fill in, and a
    // stable `asm.unresolved` error from the one-line parser.
    let (_, ops) = try AsmParser.split("stp x29, x9, [sp, #FREGS_SIZE + 16]")
    #expect(
      ops[2].operand == .memory(base: .sp, index: .expression("FREGS_SIZE + 16"), preIndex: false))
    for line in ["bl ftrace_stub", "add x29, sp, #FREGS_SIZE", "ldr x0, [sp, #S_PC]"] {
      do {
        _ = try A64.parse(line, syntax: .gnu)
        Issue.record("\(line) parsed")
      } catch {
        #expect(error.id == "asm.unresolved", "\(line): \(error)")
      }
    }
    do {
      _ = try A64.parse("frobnicate x0")
      Issue.record("accepted an unknown mnemonic")
    } catch {
      #expect(error.id == "asm.unknown-mnemonic")
    }
    for (line, column) in [("mul x0, x1, w2", 13), ("ldr x0, [xzr]", 9), ("br sp", 4)] {
      do {
        _ = try A64.parse(line)
        Issue.record("\(line) parsed")
      } catch {
        #expect(error.column == column, "\(line): \(error)")
      }
    }
    do {
      _ = try A64.parse("add x0, x1, #5000")
      Issue.record("accepted imm12 5000")
    } catch {
      #expect(error.id == "asm.encoding")
      #expect(error.column == 13)
    }
  }
}
