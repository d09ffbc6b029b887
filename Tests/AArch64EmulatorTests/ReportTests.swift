import AArch64
import Foundation
import Testing

@testable import AArch64Emulator

struct ReportTests {
  @Test func jsonContract() throws {
    var m = try Layout.machine([I.movz(I.x(0), 0x2a), I.cmp(I.x(0), 0x2a), I.brk(0x100)])
    let r = m.run(from: Layout.code, maxSteps: 10)
    let report = RunReport(machine: m, result: r)
    let json = report.json()
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    #expect(object?["steps"] as? Int == 2)
    #expect(object?["pc"] as? String == "0x0000000000400008")
    #expect(object?["nzcv"] as? String == "nZCv")
    let regs = object?["registers"] as? [String: String]
    #expect(regs?.count == 32)
    #expect(regs?["x0"] == "0x000000000000002a")
    #expect(regs?["sp"] == "0x0000000000604000")
    #expect(regs?["x30"] == "0xfffffffffffff000")
    let fault = object?["fault"] as? [String: String]
    #expect(fault == ["kind": "brk", "pc": "0x0000000000400008", "detail": "brk #0x100"])
    // Key order follows the contract.
    let keys = ["\"steps\"", "\"pc\"", "\"nzcv\"", "\"registers\"", "\"fault\""].map {
      json.range(of: $0)?.lowerBound
    }
    #expect(keys.allSatisfy { $0 != nil })
    #expect(
      zip(keys, keys.dropFirst()).allSatisfy { a, b in (a ?? json.endIndex) < (b ?? json.startIndex)
      })
  }

  @Test func budgetAndReturnedReports() throws {
    var m = try Layout.machine([try I.b(0)])
    let r = m.run(from: Layout.code, maxSteps: 50)
    let report = RunReport(machine: m, result: r)
    #expect(report.fault?.kind == .budget)
    #expect(report.json().contains("\"kind\": \"budget\""))
    var ok = try Layout.machine([I.ret])
    let rr = ok.run(from: Layout.code, maxSteps: 5)
    let okReport = RunReport(machine: ok, result: rr)
    #expect(okReport.json().contains("\"fault\": null"))
    #expect(okReport.text().hasPrefix("returned after 1 steps\n"))
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
