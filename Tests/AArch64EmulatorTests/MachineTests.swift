import AArch64
import Testing

@testable import AArch64Emulator

/// State in → run with a budget → state out.
struct MachineTests {
  @Test func countdownLoopReturns() throws {
    // x0 = 10; x1 = 0; loop: x1 += x0; x0 -= 1; cbnz x0, loop; ret
    var m = try Layout.machine([
      I.movz(I.x(0), 10),
      I.movz(I.x(1), 0),
      I.addr(I.x(1), I.x(1), I.x(0)),
      I.sub(I.x(0), I.x(0), 1),
      try I.cbnz(I.x(0), -8),
      I.ret,
    ])
    let r = m.run(from: Layout.code, maxSteps: 1000)
    #expect(r.stop == .returned)
    #expect(m.x(1) == 55)
    #expect(r.steps == 2 + 3 * 10 + 1)
    #expect(m.pc == Machine.returnAddress)
    // A budget that ends exactly at the return still reports the return.
    #expect(m.run(from: Layout.code, maxSteps: 33) == RunResult(steps: 33, stop: .returned))
    #expect(m.run(from: Layout.code, maxSteps: 32) == RunResult(steps: 32, stop: .stepLimit))
  }

  @Test func flagsOfSubtractAndThirtyTwoBitZeroExtension() throws {
    var m = try Layout.machine([
      I.movn(I.x(0), 0),  // x0 = -1
      I.add(I.w(1), I.w(0), 1, s: true),  // w1 = 0, Z and C set
      I.cmp(I.x(1), 1),  // 0 - 1: N, borrow (C clear)
      I.ret,
    ])
    m.setX(1, 0xDEAD_BEEF_0000_0000)
    let r = m.run(from: Layout.code, maxSteps: 10)
    #expect(r.stop == .returned)
    #expect(m.x(1) == 0)
    #expect(m.nzcvFlags.description == "Nzcv")
  }

  @Test func frameRecordPushAndPop() throws {
    var m = try Layout.machine([
      I.stpPre(.fp, .lr, .sp, -16),
      I.movSP(.fp, .sp),
      I.movz(I.x(29), 0x1234),
      I.ldpPost(.fp, .lr, .sp, 16),
      I.ret,
    ])
    m.setX(29, 0xAAAA)
    let r = m.run(from: Layout.code, maxSteps: 10)
    #expect(r.stop == .returned)
    #expect(m.x(29) == 0xAAAA)
    #expect(m.sp == Layout.stackTop)
    #expect(m.memory.quad(at: Layout.stackTop - 16) == 0xAAAA)
    #expect(m.memory.quad(at: Layout.stackTop - 8) == Machine.returnAddress)
  }

  @Test func stepLimitStopsAndResumes() throws {
    var m = try Layout.machine([I.add(I.x(0), I.x(0), 1), try I.b(-4)])
    let r1 = m.run(from: Layout.code, maxSteps: 7)
    #expect(r1 == RunResult(steps: 7, stop: .stepLimit))
    #expect(m.x(0) == 4)
    #expect(m.pc == Layout.code + 4)
    let snapshot = m
    let r2 = m.run(maxSteps: 3)
    #expect(r2.steps == 3)
    #expect(m.x(0) == 5)
    #expect(snapshot.x(0) == 4)
    #expect(m.pc == Layout.code)
  }

  @Test func brkReportsImmediateAndPC() throws {
    var m = try Layout.machine([I.nop, I.brk(0x100)])
    let r = m.run(from: Layout.code, maxSteps: 10)
    #expect(r.stop == .fault(Fault(.breakpoint(0x100), pc: Layout.code + 4)))
    #expect(r.steps == 1)
  }

  @Test func unmappedAndPermissionFaults() throws {
    var m = try Layout.machine([I.ldr(I.x(1), I.x(0))])
    m.setX(0, 0x70_0000)
    #expect(
      m.run(from: Layout.code, maxSteps: 5).stop
        == .fault(Fault(.unmapped(.load, address: 0x70_0000), pc: Layout.code)))
    m.setX(0, Layout.code)
    m.setX(1, 5)
    var m2 = try Layout.machine([I.str(I.x(1), I.x(0))])
    m2.setX(0, Layout.code)
    #expect(
      m2.run(from: Layout.code, maxSteps: 5).stop
        == .fault(Fault(.permission(.store, address: Layout.code), pc: Layout.code)))
    var m3 = try Layout.machine([I.br(0)])
    m3.setX(0, Layout.data)
    #expect(
      m3.run(from: Layout.code, maxSteps: 5).stop
        == .fault(Fault(.permission(.fetch, address: Layout.data), pc: Layout.data)))
  }

  @Test func strictAlignmentSwitch() throws {
    var m = try Layout.machine([I.ldr(I.x(1), I.x(0)), I.ret])
    m.setX(0, Layout.data + 4)
    #expect(m.run(from: Layout.code, maxSteps: 5).stop == .returned)
    m.system.sctlrEL1 |= SystemRegisters.SCTLR.a
    #expect(
      m.run(from: Layout.code, maxSteps: 5).stop
        == .fault(Fault(.alignment(.load, address: Layout.data + 4, size: 8), pc: Layout.code)))
  }

  @Test func textWritesAreVisibleAndRecorded() throws {
    // Patch the word at `target` from BRK #1 to NOP, then run it.
    let nopWord = try encode(I.nop)
    var m = try Layout.machine([
      I.ldr(I.w(1), I.x(0)),  // w1 = the new word (from data)
      I.str(I.w(1), I.x(2)),  // *target = w1
      I.brk(1),  // target: becomes NOP
      I.movz(I.x(3), 9),
      I.ret,
    ])
    try m.map(address: 0x70_0000, size: 0x1000, permissions: .all)
    m.setX(0, Layout.data)
    try m.memory.write(words: [nopWord], at: Layout.data)
    try m.write(instructions: [I.ret], at: 0x70_0000)
    m.setX(2, Layout.code + 8)
    // Make the code page writable so the program can patch itself.
    try m.memory.protect(address: Layout.code, size: 0x2000, permissions: .all, guarded: false)
    // Decode the BRK once before the patch so the cache must be invalidated.
    var warm = m
    _ = warm.run(from: Layout.code + 8, maxSteps: 1)
    let r = m.run(from: Layout.code, maxSteps: 10)
    #expect(r.stop == .returned)
    #expect(m.x(3) == 9)
    #expect(
      m.memory.textWrites == [
        TextWrite(
          pc: Layout.code + 4, address: Layout.code + 8, size: 4, old: [0x20, 0, 0x20, 0xd4],
          new: [0x1f, 0x20, 0x03, 0xd5])
      ])
    #expect(m.memory.wasFetched(Layout.code + 8))
    #expect(!m.memory.wasFetched(Layout.code + 20))
  }

  @Test func decodeCacheInvalidatedOnSelfModification() throws {
    var m = try Layout.machine([I.movz(I.x(0), 1), I.ret])
    #expect(m.run(from: Layout.code, maxSteps: 5).stop == .returned)
    #expect(m.x(0) == 1)
    try m.write(instructions: [I.movz(I.x(0), 2)], at: Layout.code)
    #expect(m.run(from: Layout.code, maxSteps: 5).stop == .returned)
    #expect(m.x(0) == 2)
  }

  @Test func exclusiveMonitor() throws {
    let ldxr = Instruction.exclusive(
      Exclusive(
        load: true, ordered: false, pair: false, size: .doubleword, rs: nil, rt: .x(1), rt2: nil,
        rn: .x(0)))
    let stxr = Instruction.exclusive(
      Exclusive(
        load: false, ordered: false, pair: false, size: .doubleword, rs: .w(2), rt: .x(3),
        rt2: nil, rn: .x(0)))
    var m = try Layout.machine([stxr, ldxr, stxr, stxr, I.ret])
    m.setX(0, Layout.data)
    m.setX(3, 77)
    m.setX(2, 5)
    let r = m.run(from: Layout.code, maxSteps: 3)
    #expect(r.stop == .stepLimit)
    // First STXR (no monitor) failed with 1, then LDXR; the second STXR succeeds.
    #expect(m.x(2) == 0)
    #expect(m.memory.quad(at: Layout.data) == 77)
    _ = m.run(maxSteps: 1)
    #expect(m.x(2) == 1)
    m.setX(0, Layout.data + 4)
    m.pc = Layout.code + 4
    #expect(
      m.run(maxSteps: 1).stop
        == .fault(Fault(.alignment(.load, address: Layout.data + 4, size: 8), pc: Layout.code + 4)))
  }

  @Test func systemRegistersAndEvents() throws {
    let nzcvReg = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 0)
    let currentEL = SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 2)
    let tpidr = SystemRegister(op0: 3, op1: 0, crn: 13, crm: 0, op2: 4)
    var m = try Layout.machine([
      I.movz(I.x(0), 0x6000, lsl: 16),  // Z and C
      .msr(nzcvReg, .x(0)),
      .mrs(.x(1), currentEL),
      .msr(tpidr, .x(1)),
      .mrs(.x(2), tpidr),
      .barrier(.isb(.sy)),
      .barrier(.dsb(.ish)),
      I.ret,
    ])
    #expect(m.run(from: Layout.code, maxSteps: 20).stop == .returned)
    #expect(m.nzcvFlags.description == "nZCv")
    #expect(m.x(1) == 4)
    #expect(m.x(2) == 4)
    #expect(m.events.count == 2)
    #expect(m.events.first?.kind == .barrier(.isb(.sy)))
  }
}

struct MoreMachineTests {
  @Test func spAlignmentCheckFollowsSCTLR() throws {
    var m = try Layout.machine([I.str(I.x(0), .sp, 0), I.ret])
    m.sp = Layout.stackTop - 8
    #expect(
      m.run(from: Layout.code, maxSteps: 5).stop
        == .fault(
          Fault(.alignment(.store, address: Layout.stackTop - 8, size: 16), pc: Layout.code)))
    m.system.sctlrEL1 &= ~SystemRegisters.SCTLR.sa
    #expect(m.run(from: Layout.code, maxSteps: 5).stop == .returned)
  }

  @Test func caspAndAtomicsNeedAlignment() throws {
    let casp = Instruction.compareAndSwapPair(
      CompareAndSwap(size: .doubleword, rs: .x(2), rt: .x(4), rn: .x(0)))
    let ldadd = Instruction.atomic(
      AtomicMemory(op: .add, size: .word, rs: .w(6), rt: .w(7), rn: .x(0)))
    var m = try Layout.machine([casp, ldadd, I.ret])
    try m.memory.write(quad: 11, at: Layout.data)
    try m.memory.write(quad: 22, at: Layout.data + 8)
    m.setX(0, Layout.data)
    m.setX(2, 11)
    m.setX(3, 22)
    m.setX(4, 0x1_0000_0005)
    m.setX(5, 66)
    m.setX(6, 10)
    #expect(m.run(from: Layout.code, maxSteps: 5).stop == .returned)
    #expect(m.memory.quad(at: Layout.data) == 0x1_0000_000F)
    #expect(m.memory.quad(at: Layout.data + 8) == 66)
    #expect(m.x(2) == 11 && m.x(3) == 22)
    #expect(m.x(7) == 5)
    m.setX(0, Layout.data + 8)
    #expect(
      m.run(from: Layout.code, maxSteps: 5).stop
        == .fault(Fault(.alignment(.load, address: Layout.data + 8, size: 16), pc: Layout.code)))
  }

  @Test func undefinedAndNotCoveredWords() throws {
    var m = Machine()
    try m.map(address: Layout.code, size: 0x1000, permissions: .readExecute)
    // UDF #0 is the all-zero word; an FP instruction (FMOV d0, d1) is not covered.
    let fmov: UInt32 = 0b0_0_0_11110_01_1_0000_00_10000_00001_00000
    try m.write(words: [0, fmov], at: Layout.code)
    let r = m.run(from: Layout.code, maxSteps: 5)
    #expect(
      r.stop == .fault(Fault(.undefined(word: 0, detail: "unallocated encoding"), pc: Layout.code)))
    m.pc = Layout.code + 4
    guard case .fault(let f) = m.run(maxSteps: 5).stop else {
      Issue.record("no fault")
      return
    }
    #expect(f.kind == .undefined)
    #expect(f.detail.contains("not covered"))
  }
}

struct ValueSemanticsTests {
  /// Copies share pages until one side writes: data, text and the decoded-op cache.
  @Test func copiesAreIndependent() throws {
    var a = try Layout.machine([I.movz(I.x(0), 1), I.str(I.x(0), I.x(1)), I.ret])
    a.setX(1, Layout.data)
    #expect(a.run(from: Layout.code, maxSteps: 5).stop == .returned)
    var b = a
    try b.write(instructions: [I.movz(I.x(0), 2)], at: Layout.code)
    #expect(b.run(from: Layout.code, maxSteps: 5).stop == .returned)
    #expect(b.memory.quad(at: Layout.data) == 2)
    #expect(a.memory.quad(at: Layout.data) == 1)
    #expect(a.run(from: Layout.code, maxSteps: 5).stop == .returned)
    #expect(a.x(0) == 1)
    #expect(b.x(0) == 2)
    #expect(a.memory.word(at: Layout.code) == (try encode(I.movz(I.x(0), 1))))
  }
}

struct AssemblyTextTests {
  /// The same countdown as `countdownLoopReturns`, written as assembly text.
  @Test func runsParsedAssembly() throws {
    var m = try Layout.machine([])
    try m.write(
      assembly: [
        "mov x0, #10",
        "mov x1, #0",
        "add x1, x1, x0",
        "subs x0, x0, #1",
        "b.ne .-8",
        "ret",
      ], at: Layout.code)
    #expect(m.run(from: Layout.code, maxSteps: 100).stop == .returned)
    #expect(m.x(1) == 55)
    #expect(m.nzcvFlags.description == "nZCv")
  }

  @Test func parseErrorsNameTheLine() throws {
    var m = try Layout.machine([])
    #expect(throws: LoadError.self) {
      try m.write(assembly: ["nop", "frobnicate x0"], at: Layout.code)
    }
    do {
      try m.write(assembly: ["nop", "frobnicate x0"], at: Layout.code)
    } catch {
      guard case .parse(let line, _) = error else {
        Issue.record("wrong error \(error)")
        return
      }
      #expect(line == 2)
    }
  }
}

struct PageBoundaryTests {
  /// An unaligned access that crosses into the next page works when both are mapped, and
  /// faults at the first unmapped byte (with no partial store and no writeback) when not.
  @Test func crossPageAccesses() throws {
    let preIndexStore = Instruction.loadStore(
      LoadStore(
        kind: .store, size: .doubleword, rt: .x(1), address: .preIndex(base: .x(0), offset: 4)))
    var m = try Layout.machine([I.ldr(I.x(2), I.x(0), 0), preIndexStore, I.ret])
    try m.map(address: Layout.data + 0x1000, size: 0x1000, permissions: .readWrite)
    try m.memory.write(bytes: Array(1...8), at: Layout.data + 0xffc)
    m.setX(0, Layout.data + 0xffc)
    m.setX(1, 0x1122_3344_5566_7788)
    #expect(m.run(from: Layout.code, maxSteps: 5).stop == .returned)
    #expect(m.x(2) == 0x0807_0605_0403_0201)
    #expect(m.memory.quad(at: Layout.data + 0x1000) == 0x1122_3344_5566_7788)
    #expect(m.x(0) == Layout.data + 0x1000)

    var n = try Layout.machine([preIndexStore, I.ret])
    try n.map(address: Layout.data + 0x1000, size: 0x1000, permissions: .read)
    n.setX(0, Layout.data + 0xff8)
    n.setX(1, ~0)
    #expect(
      n.run(from: Layout.code, maxSteps: 5).stop
        == .fault(Fault(.permission(.store, address: Layout.data + 0x1000), pc: Layout.code)))
    #expect(n.memory.quad(at: Layout.data + 0xffc) == 0)
    #expect(n.x(0) == Layout.data + 0xff8)
  }
}

struct ConcurrencyTests {
  /// Copies of one machine run on several tasks at once (shared pages, the shared decode cache)
  /// and all agree.
  @Test func copiesRunInParallel() async throws {
    var base = try Layout.machine([
      I.movz(I.x(0), 100),
      I.ldr(I.x(3), I.x(1)),
      I.addr(I.x(3), I.x(3), I.x(0)),
      I.str(I.x(3), I.x(1)),
      I.sub(I.x(0), I.x(0), 1),
      try I.cbnz(I.x(0), -16),
      I.ret,
    ])
    base.setX(1, Layout.data)
    _ = base.run(from: Layout.code, maxSteps: 3)
    let start = base
    let results = await withTaskGroup(of: UInt64?.self) { group in
      for _ in 0..<8 {
        group.addTask {
          var m = start
          guard m.run(from: Layout.code, maxSteps: 10_000).stop == .returned else { return nil }
          return m.memory.quad(at: Layout.data)
        }
      }
      var out: [UInt64?] = []
      for await r in group { out.append(r) }
      return out
    }
    #expect(results.count == 8)
    #expect(results.allSatisfy { $0 == 5050 })
    #expect(start.memory.quad(at: Layout.data) == 0)
  }
}
