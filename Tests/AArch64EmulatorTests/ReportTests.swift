import AArch64
import Foundation
import Testing

@testable import AArch64Emulator

struct ReportTests {
  @Test func reportOfAFaultAndOfAReturn() throws {
    var m = try Layout.machine([I.movz(I.x(0), 0x2a), I.cmp(I.x(0), 0x2a), I.brk(0x100)])
    let r = m.run(from: Layout.code, maxSteps: 10)
    let report = RunReport(machine: m, result: r)
    #expect(report.steps == 2 && report.pc == Layout.code + 8)
    #expect(report.registers.count == 32 && report.registers[0] == 0x2a)
    #expect(report.fault?.kind == .brk)
    var b = try Layout.machine([try I.b(0)])
    let rb = b.run(from: Layout.code, maxSteps: 50)
    #expect(RunReport(machine: b, result: rb).fault?.kind == .budget)
    var ok = try Layout.machine([I.ret])
    let rok = ok.run(from: Layout.code, maxSteps: 5)
    #expect(RunReport(machine: ok, result: rok).fault == nil)
  }

  @Test func everyFaultKindHasItsJSONName() {
    #expect(
      Fault.Kind.allCases.map(\.rawValue)
        == [
          "bti", "pac", "undefined", "unpredictable", "unmapped", "permission", "alignment", "brk",
          "budget",
        ])
  }

  @Test func traceWithSymbols() throws {
    var m = try Layout.machine([I.btiC, I.add(I.x(0), I.x(0), 1), I.str(I.x(0), I.x(1)), I.ret])
    m.setX(1, Layout.data)
    let symbols = SymbolTable([Symbol(name: "func", address: Layout.code, size: 16)])
    m.pc = Layout.code
    m.setX(30, Machine.returnAddress)
    var tracer = Tracer(machine: m)
    let r = m.run(maxSteps: 10, observer: &tracer)
    #expect(r.stop == .returned)
    let lines = tracer.render(symbols: symbols).split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    #expect(lines[0] == "    1 0000000000400000 <func+0x0/0x10>  d503245f  bti c")
    #expect(lines[1].hasSuffix("add x0, x0, #0x1   x0=0x1"))
    #expect(lines[2].hasSuffix("[0x500000]:8<-0x1"))
    #expect(lines[3].hasSuffix("-> 0xfffffffffffff000"))
  }

  @Test func faultDetailsAreReadable() throws {
    var m = try Layout.machine([I.br(9)], guarded: true)
    m.setX(9, Layout.code + 0x1000)
    try m.write(instructions: [I.btiC], at: Layout.code + 0x1000)
    let r = m.run(from: Layout.code, maxSteps: 5)
    guard case .fault(let f) = r.stop else {
      Issue.record("no fault")
      return
    }
    #expect(
      f.description
        == "bti fault at 0x0000000000401000: BTYPE 11 into bti c (0xd503245f); ESR 0x0000000036000003"
    )
  }
}
