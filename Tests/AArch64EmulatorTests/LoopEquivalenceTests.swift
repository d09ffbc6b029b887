import AArch64
import TestSupport
import Testing

@testable import AArch64Emulator

/// The unobserved run loop (Executor+Unobserved.swift: specialised ops, pointer walking,
/// TLB fast paths) against the observed one, which runs every op through `execute`: from the
/// same machine, both must leave the same registers, flags, PC, BTYPE, memory, fetch record,
/// text writes, events and step count, and stop the same way.
struct LoopEquivalenceTests {
  /// An observer that only counts, so that `run` takes the observed loop.
  struct Counter: MachineObserver {
    var retired = 0
    mutating func retire(pc: UInt64, registers: UnsafeBufferPointer<UInt64>, nzcv: UInt8) {
      retired += 1
    }
  }

  /// What two runs must agree on.
  struct State: Equatable {
    var result: RunResult
    var registers: [UInt64]
    var pc: UInt64
    var nzcv: NZCV
    var btype: UInt8
    var steps: Int
    var monitor: ExclusiveMonitor
    var events: [SystemEvent]
    var textWrites: [TextWrite]
    var fetched: [UInt64]
    /// FNV-1a digests of the code and data pages (short failure messages).
    var code: UInt64
    var data: UInt64

    init(_ m: Machine, _ result: RunResult) {
      self.result = result
      registers = m.registers
      pc = m.pc
      nzcv = m.nzcvFlags
      btype = m.btype
      steps = m.steps
      monitor = m.monitor
      events = m.events
      textWrites = m.memory.textWrites
      fetched = m.memory.fetchedWords
      code = State.digest(m.memory.read(bytes: 0x1000, at: Layout.code) ?? [])
      data = State.digest(m.memory.read(bytes: 0x1000, at: Layout.data) ?? [])
    }

    static func digest(_ bytes: [UInt8]) -> UInt64 {
      bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
  }

  /// Runs `m` both ways (the observed run on a copy) and returns both outcomes.
  static func both(_ m: Machine, from entry: UInt64, maxSteps: Int, btype: UInt8) -> (
    fast: State, reference: State
  ) {
    var fast = m
    var reference = m
    let r1 = fast.run(from: entry, maxSteps: maxSteps, btype: btype)
    var counter = Counter()
    reference.pc = entry
    reference.setX(30, Machine.returnAddress)
    reference.btype = btype
    let r2 = reference.run(maxSteps: maxSteps, observer: &counter)
    #expect(counter.retired == r2.steps)
    return (State(fast, r1), State(reference, r2))
  }

  /// Random programs from the difftest generator (loops, loads and stores of every mode,
  /// branches), with the code page writable so that stores may patch it, a random budget, and
  /// SCTLR.A and the guarded bit switched at random.
  @Test func randomProgramsRunAlikeBothWays() throws {
    let seed: UInt64 = 0x100B_E0E1
    var rng = SeededGenerator(seed: seed)
    var gen = ProgramGenerator(seed: seed ^ 0xA5)
    var stops: [String: Int] = [:]
    var steps = 0
    for k in 0..<1500 {
      let program: [Instruction] = try gen.program() + [I.ret]
      var words = try program.map { try encode($0) }
      // Some raw words too: undefined encodings, system instructions, faults.
      if k % 3 == 0 {
        for _ in 0..<2 {
          words.insert(
            UInt32(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(words.count)))
        }
      }
      var m = Machine()
      try m.map(
        address: Layout.code, size: 0x1000, permissions: k % 4 == 0 ? .all : .readExecute,
        guarded: rng.next() % 4 == 0)
      try m.map(address: Layout.data, size: 0x1000, permissions: .readWrite)
      try m.map(address: ProgramGenerator.bufferAddress, size: 0x1000, permissions: .readWrite)
      // After room for the words the generator's literal loads read (its prologue's).
      let entry = Layout.code + UInt64(4 * gen.prologueWords)
      try m.write(words: words, at: entry)
      let state = gen.initialState()
      try m.memory.write(bytes: state.buffer, at: ProgramGenerator.bufferAddress)
      for (i, v) in state.x.enumerated() { m.setX(i, v) }
      // Some bases point at the code page, so that stores reach it.
      if k % 4 == 0 { m.setX(Int(rng.next() % 26), Layout.code + (rng.next() & 0xff8)) }
      m.nzcvFlags = NZCV(rawValue: state.nzcv)
      m.sp = Layout.data + 0x800 + (rng.next() % 4 == 0 ? 8 : 0)
      m.system.sctlrEL1 ^= rng.next() & SystemRegisters.SCTLR.a
      let budget = rng.next() % 3 == 0 ? Int(rng.next() % 200) : 10_000
      let (fast, reference) = Self.both(
        m, from: entry, maxSteps: budget, btype: rng.next() % 8 == 0 ? 2 : 0)
      #expect(fast == reference, "seed \(seed) program \(k)")
      stops["\(fast.result.stop)".prefix(12).description, default: 0] += 1
      steps += fast.result.steps
    }
    // The programs ran, and ended in several ways.
    #expect(steps > 20_000, "seed \(seed)")
    #expect(stops.count >= 3, "seed \(seed): \(stops)")
  }

  /// The fetch record the unobserved loop keeps by decoding (a slot is decoded on its first
  /// fetch): a run without a record, then one with, and a run after `clearRecords` record
  /// what they fetched, as the observed loop does.
  @Test func fetchRecordSurvivesUnrecordedRunsAndClears() throws {
    var m = try Layout.machine([
      I.movz(I.x(0), 3), I.sub(I.x(0), I.x(0), 1), try I.cbnz(I.x(0), -4), I.ret,
    ])
    let words = (0..<4).map { Layout.code + UInt64(4 * $0) }
    m.options.recordFetches = false
    #expect(m.run(from: Layout.code, maxSteps: 100).stop == .returned)
    #expect(m.memory.fetchedWords.isEmpty)
    m.options.recordFetches = true
    m.setX(0, 2)
    #expect(m.run(from: Layout.code + 4, maxSteps: 100).stop == .returned)
    #expect(m.memory.fetchedWords == Array(words.dropFirst()))
    m.memory.clearRecords()
    #expect(m.run(from: Layout.code, maxSteps: 100).stop == .returned)
    #expect(m.memory.fetchedWords == words)
  }

  /// Loops across a page boundary and back, taken and not-taken branches of every kind,
  /// indirect branches onto BTI pads, and a step budget that runs out at every point.
  @Test func pageCrossingLoopsRunAlikeAtEveryBudget() throws {
    var m = Machine()
    try m.map(address: Layout.code, size: 0x2000, permissions: .readExecute, guarded: true)
    try m.map(address: Layout.data, size: 0x1000, permissions: .readWrite)
    // The loop body straddles the boundary at Layout.code + 0x1000.
    let start = Layout.code + 0x1000 - 16
    try m.write(
      assembly: [
        "bti c", "mov x1, #5", "mov x2, #0", "nop",
        "add x2, x2, x1, lsl #2", "tbz x2, #3, .+8", "sub x2, x2, #1", "cbz x2, .+8",
        "str x2, [x3, #8]!", "ldr x4, [x3], #-8", "adr x16, .+8", "br x16", "bti j",
        "subs x1, x1, #1", "b.ne .-40", "ret",
      ], at: start)
    m.setX(3, Layout.data)
    for budget in 0..<120 {
      let (fast, reference) = Self.both(m, from: start, maxSteps: budget, btype: 2)
      #expect(fast == reference, "budget \(budget)")
    }
  }
}
