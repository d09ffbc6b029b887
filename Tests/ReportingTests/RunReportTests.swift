import AArch64
import AArch64Emulator
import Foundation
import Testing

@testable import Reporting

/// Assembles `source`, loads it with `Machine.load(object:guarded:)` at 0x400000 with a stack,
/// and runs it from `entry`.
private func run(_ source: String, entry: String = "start", guarded: Bool = false) throws -> (
  RunReport, SymbolTable
) {
  let object = try Assembler.assemble(source, file: "t.s").link(bases: [".text": 0x40_0000])
  var m = Machine()
  try m.load(object: object, guarded: guarded)
  try m.map(address: 0x60_0000, size: 0x4000, permissions: .readWrite)
  m.sp = 0x60_4000
  let symbols = SymbolTable(object: object)
  m.pc = try #require(symbols.symbol(named: entry)).address
  m.setX(30, Machine.returnAddress)
  let result = m.run(maxSteps: 100)
  return (RunReport(machine: m, result: result), symbols)
}

@Suite struct RunReportTests {
  @Test func jsonContract() throws {
    let (report, _) = try run(
      """
      start:
        movz x0, #0x2a
        cmp x0, #0x2a
        brk #0x100
      """)
    let json = RunReportRendering.json(report).rendered()
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
    // Keys in contract order.
    let keys = ["\"steps\"", "\"pc\"", "\"nzcv\"", "\"registers\"", "\"fault\""].compactMap {
      json.range(of: $0)?.lowerBound
    }
    #expect(keys.count == 5 && keys == keys.sorted())
  }

  @Test func budgetReturnAndTextWithSymbols() throws {
    let (loop, _) = try run("start:\n  b start\n")
    #expect(RunReportRendering.json(loop).rendered().contains("\"kind\": \"budget\""))
    let (ok, _) = try run("start:\n  ret\n")
    #expect(RunReportRendering.json(ok).rendered().contains("\"fault\": null"))
    #expect(RunReportRendering.text(ok).hasPrefix("returned after 1 steps\n"))
    // A BTI fault in a guarded page names the symbol it happened in, kallsyms-style.
    let (bti, symbols) = try run(
      """
      start:
        adr x9, target
        br x9
        .balign 16
      target:
        nop
        ret
      .size target, . - target
      """, guarded: true)
    #expect(bti.fault?.kind == .bti)
    let text = RunReportRendering.text(bti, symbols: symbols)
    #expect(text.hasPrefix("bti fault at 0x0000000000400010 <target+0x0/"), "\(text)")
    #expect(text.contains(" pc 0x0000000000400010  nzcv nzcv\n"))
  }

  @Test func loadRefusesAnOverlappingSection() throws {
    let object = try Assembler.assemble("start:\n  ret\n", file: "t.s").link(bases: [
      ".text": 0x40_0000
    ])
    var m = Machine()
    try m.map(address: 0x40_0000, size: 0x1000, permissions: .readWrite)
    #expect(throws: LoadError.self) { try m.load(object: object) }
  }
}
