import AArch64
import AArch64Emulator
import Testing

@Suite struct ProgramLaunchTests {
  private func object(_ source: String) throws -> AssembledObject {
    try Assembler.assemble(source, file: "t.s").link(bases: [".text": 0x40_0000])
  }

  @Test func startsAtTheEntryWithPresetRegistersAndAStack() throws {
    let o = try object(
      """
      other:
        brk #1
      start:
        stp x29, x30, [sp, #-16]!
        add x0, x0, x1
        ldp x29, x30, [sp], #16
        ret
      """)
    var m = try Machine.launching(
      o, ProgramLaunch(entry: "start", registers: [(.x(0), 40), (.x(1), 2)]))
    #expect(m.pc == 0x40_0004)
    #expect(m.sp == ProgramLaunch.defaultStackTop)
    let r = m.run(maxSteps: 100)
    #expect(r.stop == .returned)
    #expect(m.x(0) == 42)
  }

  @Test func withoutAnEntryItStartsAtText() throws {
    let o = try object("movz x0, #7\nret\n")
    var m = try Machine.launching(o, ProgramLaunch(registers: [(.sp, 0x7FFE_0000)]))
    #expect(m.pc == 0x40_0000)
    #expect(m.sp == 0x7FFE_0000)
    #expect(m.run(maxSteps: 10).stop == .returned)
    #expect(m.x(0) == 7)
  }

  @Test func anUnknownEntryIsAnError() throws {
    let o = try object("ret\n")
    #expect(throws: LaunchError.noEntry("nowhere")) {
      _ = try Machine.launching(o, ProgramLaunch(entry: "nowhere"))
    }
  }

  @Test func guardedTextNeedsALandingPadForAnIndirectCall() throws {
    let o = try object(
      """
      start:
        adr x16, target
        br x16
      target:
        ret
      """)
    var m = try Machine.launching(o, ProgramLaunch(entry: "start", guarded: true))
    guard case .fault = m.run(maxSteps: 10).stop else {
      Issue.record("a BR to a target without BTI on a guarded page must fault")
      return
    }
    var open = try Machine.launching(o, ProgramLaunch(entry: "start", guarded: false))
    #expect(open.run(maxSteps: 10).stop == .returned)
  }
}
