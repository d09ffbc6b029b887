import Foundation
import PatchsiteCLI
import TestSupport
import Testing

private let fixtures = Tools.packageRoot() + "/Tests/PatchsiteCLITests/Fixtures"

/// `patchsite run ARGS`, with what it wrote to `-o`.
private func run(_ args: [String]) throws -> (Int32, String) { try runCapturing(["run"] + args) }

private func json(_ text: String) throws -> [String: Any] {
  try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Test func aLoopReturnsItsSum() throws {
  let (status, text) = try run([fixtures + "/sum.S", "--set", "x0=100", "--format", "json"])
  #expect(status == 0)
  let o = try json(text)
  let regs = try #require(o["registers"] as? [String: String])
  #expect(regs["x0"] == "0x00000000000013ba")  // 5050
  #expect(regs.count == 32)
  #expect(regs["sp"] == "0x000000007fff0000")
  #expect(o["fault"] is NSNull)
  #expect(o["nzcv"] as? String == "nZCv")
  // mov + 3 per iteration + mov + ret.
  #expect(o["steps"] as? Int == 1 + 3 * 100 + 2)
}

@Test func brX10IntoBTICFaultsOnlyOnGuardedPages() throws {
  let (status, text) = try run([fixtures + "/br-x10-into-bti-c.S", "--guarded", "--format", "json"])
  #expect(status == 1)
  let fault = try #require(try json(text)["fault"] as? [String: Any])
  #expect(fault["kind"] as? String == "bti")
  #expect(fault["pc"] as? String == "0x0000000000400008")
  let (unguarded, _) = try run([fixtures + "/br-x10-into-bti-c.S"])
  #expect(unguarded == 0)
}

@Test func paciaspAcceptsBRX16ButNotBRX10UnderLinuxSCTLR() throws {
  let file = fixtures + "/paciasp-target.S"
  #expect(try run([file, "--entry", "caller16", "--guarded"]).0 == 0)
  let (status, text) = try run([file, "--entry", "caller10", "--guarded", "--format", "json"])
  #expect(status == 1)
  #expect((try json(text)["fault"] as? [String: Any])?["kind"] as? String == "bti")
  #expect(try run([file, "--entry", "caller10", "--guarded", "--bt0"]).0 == 0)
}

@Test func theTraceNamesSymbols() throws {
  let (_, text) = try run([fixtures + "/br-x10-into-bti-c.S", "--guarded", "--trace"])
  #expect(text.contains("<caller+0x4/0x8>"))
  #expect(text.contains("br x10"))
  #expect(text.contains("ESR 0x0000000036000003"))
}

@Test func aRunawayLoopStopsAtTheBudget() throws {
  let dir = try Tools.makeTemporaryDirectory()
  defer { Tools.removeTemporaryDirectory(dir) }
  try "1: b 1b\n".write(toFile: dir + "/spin.S", atomically: true, encoding: .utf8)
  let (status, text) = try run([dir + "/spin.S", "--max-steps", "1000", "--format", "json"])
  #expect(status == 1)
  let fault = try #require(try json(text)["fault"] as? [String: Any])
  #expect(fault["kind"] as? String == "budget")
  #expect(try json(text)["steps"] as? Int == 1000)
}

@Test func badInputExitsTwo() throws {
  let dir = try Tools.makeTemporaryDirectory()
  defer { Tools.removeTemporaryDirectory(dir) }
  try "\tadd x0, x1\n".write(toFile: dir + "/bad.S", atomically: true, encoding: .utf8)
  #expect(try run([dir + "/bad.S"]).0 == 2)
  #expect(try run([fixtures + "/sum.S", "--entry", "nosuch"]).0 == 2)
  #expect(try run([fixtures + "/sum.S", "--set", "x31=1"]).0 == 2)
  #expect(try run([dir + "/missing.S"]).0 == 2)
}
