import AArch64
import Testing

@testable import AArch64Emulator

/// A caller that calls `f`, which signs LR and builds a frame record; interrupted before every
/// instruction, the kernel's unwinder must give exactly the frames stacktrace.c would.
struct UnwinderTests {
  static let caller = Layout.code
  static let f = Layout.code + 0x100
  static let finalRecord = Layout.stackTop - 0x30

  static func scenario() throws -> (Machine, SymbolTable, Unwinder) {
    var m = try Layout.machine([
      I.stpPre(.fp, .lr, .sp, -16),
      I.movSP(.fp, .sp),
      try I.bl(0x100 - 8),
      I.ldpPost(.fp, .lr, .sp, 16),
      I.ret,
    ])
    try m.write(
      instructions: [
        I.paciasp, I.stpPre(.fp, .lr, .sp, -16), I.movSP(.fp, .sp), I.nop,
        I.ldpPost(.fp, .lr, .sp, 16), I.autiasp, I.ret,
      ], at: f)
    // The task's final metadata record {0, 0, FINAL}.
    try m.memory.write(quad: 1, at: finalRecord + 16)
    m.sp = finalRecord
    m.setX(29, finalRecord)
    let symbols = SymbolTable([
      Symbol(name: "caller", address: caller, size: 0x14),
      Symbol(name: "f", address: f, size: 0x1c),
    ])
    let unwinder = Unwinder(
      symbols: symbols,
      stacks: [.init(name: "task", low: Layout.stackTop - 0x4000, high: Layout.stackTop)],
      finalRecord: finalRecord)
    return (m, symbols, unwinder)
  }

  @Test func interruptAtEveryInstruction() throws {
    var (m, symbols, unwinder) = try Self.scenario()
    let ret = Machine.returnAddress
    let expected: [[UInt64]] = [
      [Self.caller],  // before stp: the caller's caller is only in LR (not consumed)
      [Self.caller + 4],
      [Self.caller + 8, ret],
      [Self.f, ret],  // in f before its record: `caller` is missing
      [Self.f + 4, ret],
      [Self.f + 8, ret],
      [Self.f + 0xc, Self.caller + 0xc, ret],  // PAC stripped from the saved LR
      [Self.f + 0x10, Self.caller + 0xc, ret],
      [Self.f + 0x14, ret],
      [Self.f + 0x18, ret],
      [Self.caller + 0xc, ret],
      [Self.caller + 0x10],
    ]
    m.pc = Self.caller
    m.setX(30, ret)
    var produced: [[UInt64]] = []
    var pacSeen = false
    for k in 0..<expected.count {
      let walk = unwinder.walk(m)
      produced.append(walk.pcs)
      #expect(walk.failure == nil, "step \(k): \(walk.render(symbols: symbols))")
      // Reliable mode always refuses at the exception boundary of an interrupt.
      let reliable = unwinder.walk(
        pc: m.pc, fp: m.x(29), source: .regsPC, memory: m.memory, reliable: true)
      #expect(reliable.failure == .exceptionBoundary(pc: m.pc))
      let r = m.run(maxSteps: 1)
      #expect(r.steps == 1 || r.stop == .returned, "step \(k)")
      if m.x(30) >> 48 != 0 && m.x(30) >> 48 != 0xFFFF { pacSeen = true }
    }
    #expect(produced == expected)
    #expect(pacSeen)
    #expect(m.run(maxSteps: 1).stop == .returned)
  }

  @Test func renderedLikeDumpBacktrace() throws {
    var (m, symbols, unwinder) = try Self.scenario()
    _ = m.run(from: Self.caller, maxSteps: 6)
    #expect(m.pc == Self.f + 0xc)
    let walk = unwinder.walk(m)
    #expect(
      walk.render(symbols: symbols)
        == " f+0xc/0x1c (P)\n caller+0xc/0x100\n 0xfffffffffffff000")
  }

  @Test func reliableFromBlockedTask() throws {
    var (m, _, unwinder) = try Self.scenario()
    _ = m.run(from: Self.caller, maxSteps: 6)
    let walk = unwinder.walk(pc: m.pc, fp: m.x(29), source: .task, memory: m.memory, reliable: true)
    #expect(walk.pcs == [Self.f + 0xc, Self.caller + 0xc])
    #expect(walk.failure == .unknownReturnAddress(Machine.returnAddress))
    var withEntry = unwinder
    withEntry.symbols.add(name: "entry", address: Machine.returnAddress, size: 4)
    let ok = withEntry.walk(pc: m.pc, fp: m.x(29), source: .task, memory: m.memory, reliable: true)
    #expect(ok.isReliable)
    #expect(ok.pcs.count == 3)
  }

  @Test func badRecordsStopTheWalk() throws {
    var (m, _, unwinder) = try Self.scenario()
    let rec = Layout.stackTop - 0x100
    // A record pointing at itself: consumed once, then no longer on a usable stack.
    try m.memory.write(quad: rec, at: rec)
    try m.memory.write(quad: Self.f + 4, at: rec + 8)
    var w = unwinder.walk(pc: Self.f, fp: rec, source: .regsPC, memory: m.memory, reliable: false)
    #expect(w.pcs == [Self.f, Self.f + 4])
    #expect(w.failure == .recordNotOnStack(rec))
    // Misaligned FP.
    w = unwinder.walk(pc: Self.f, fp: rec + 4, source: .regsPC, memory: m.memory, reliable: false)
    #expect(w.failure == .misalignedFP(rec + 4))
    // A record below a previous one (moving down the stack) is rejected.
    try m.memory.write(quad: rec - 0x40, at: rec)
    w = unwinder.walk(pc: Self.f, fp: rec, source: .regsPC, memory: m.memory, reliable: false)
    #expect(w.failure == .recordNotOnStack(rec - 0x40))
    // A FINAL record that is not the task's.
    try m.memory.write(quad: 0, at: rec)
    try m.memory.write(quad: 0, at: rec + 8)
    try m.memory.write(quad: 1, at: rec + 16)
    w = unwinder.walk(pc: Self.f, fp: rec, source: .task, memory: m.memory, reliable: true)
    #expect(w.failure == .unexpectedFinalRecord(rec))
    try m.memory.write(quad: 7, at: rec + 16)
    w = unwinder.walk(pc: Self.f, fp: rec, source: .task, memory: m.memory, reliable: false)
    #expect(w.failure == .badMetadataType(rec, type: 7))
  }

  @Test func ptRegsBoundaryAndGraphReturn() throws {
    var (m, _, unwinder) = try Self.scenario()
    // pt_regs at `regs`, its stackframe meta record {0, 0, PT_REGS}; saved pc = f+8, x29 = the
    // caller's record at `rec`, which returns through return_to_handler.
    let regs = Layout.stackTop - 0x400
    let meta = regs + 0x128
    try m.memory.write(quad: 2, at: meta + 16)
    try m.memory.write(quad: Self.f + 8, at: regs + 0x100)
    let rec = Layout.stackTop - 0x80
    try m.memory.write(quad: rec, at: regs + 29 * 8)
    let rth: UInt64 = Layout.code + 0x200
    try m.memory.write(quad: finalRecordValue, at: rec)
    try m.memory.write(quad: rth, at: rec + 8)
    unwinder.returnToHandler = rth
    unwinder.symbols.add(name: "el1_interrupt", address: Layout.code + 0x300, size: 0x10)
    unwinder.graphReturns = [(fp: Self.finalRecord, returnAddress: Self.caller + 0xc)]
    // An interrupt handler's own record {meta, handler pc} at `hrec`.
    let hrec = regs - 0x20
    try m.memory.write(quad: meta, at: hrec)
    try m.memory.write(quad: Layout.code + 0x300, at: hrec + 8)
    let w = unwinder.walk(
      pc: Layout.code + 0x304, fp: hrec, source: .caller, memory: m.memory, reliable: false)
    #expect(w.pcs == [Layout.code + 0x304, Layout.code + 0x300, Self.f + 8, Self.caller + 0xc])
    #expect(w.frames.map(\.source) == [.caller, .frame, .regsPC, .frame])
    #expect(w.frames.last?.recoveredFromGraph == true)
    #expect(w.failure == nil)
    let r = unwinder.walk(
      pc: Layout.code + 0x304, fp: hrec, source: .caller, memory: m.memory, reliable: true)
    #expect(r.pcs.count == 2)
    #expect(r.failure == .exceptionBoundary(pc: Self.f + 8))
  }

  var finalRecordValue: UInt64 { Self.finalRecord }
}

struct SymbolTableTests {
  let table = SymbolTable([
    Symbol(name: "prev", address: 0x1000, size: 0x30),
    Symbol(name: "func", address: 0x1040, size: 0x20),
    Symbol(name: "func_alias", address: 0x1040, size: 0x20),
    Symbol(name: "data", address: 0x1080, size: 0x8, isCode: false),
  ])

  @Test func kallsymsHasNoSizes() {
    // The pre-entry NOPs of `func` resolve to `prev` with kallsyms's idea of its size.
    #expect(table.kallsyms(0x1038)?.description == "prev+0x38/0x40")
    #expect(table.lookup(0x1038) == nil)
    #expect(table.kallsyms(0x1044)?.description == "func+0x4/0x20")
    #expect(table.lookup(0x1044)?.description == "func+0x4/0x20")
    #expect(table.kallsyms(0xfff) == nil)
    #expect(table.kallsyms(0x1060) == nil)
    var all = table
    all.kallsymsAll = true
    all.textEnd = 0x2000
    #expect(all.kallsyms(0x1070)?.description == "func+0x30/0x40")
    #expect(all.kallsyms(0x1090)?.description == "data+0x10/0xf80")
  }
}
