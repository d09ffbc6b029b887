import Diagnostics
import Foundation
import KernelSource
import TestSupport
import Testing

@testable import Analysis

/// The `-pg` callsite predicted from the flags against what `aarch64-linux-gnu-gcc -pg -O2`
/// emits for the representative traced function (one whose only frame is the one `-pg`
/// forces), with and without branch protection.
@Suite struct McountOracleTests {
  static let protections = [
    "none", "bti", "pac-ret", "pac-ret+leaf", "standard", "pac-ret+leaf+bti", "pac-ret+b-key",
  ]

  /// What objdump shows of `f`: its words from the symbol, and the offset of the call that
  /// carries the `_mcount` relocation.
  struct Emitted {
    var words: [UInt32]
    var mcountCall: Int
  }

  static func compile(_ protection: String) throws -> Emitted? {
    // A traced function that needs no frame of its own: -pg gives it one to call _mcount.
    guard
      let dis = try GCCOracle.disassembly(
        of: "int counter;\nvoid f(void) { counter = 7; }\n",
        flags: ["-pg", "-O2", "-mbranch-protection=\(protection)"])
    else { return nil }
    var inF = false
    var words: [UInt32] = []
    var call: Int?
    for line in dis.split(separator: "\n") {
      let t = line.trimmingCharacters(in: .whitespaces)
      if t.hasSuffix("<f>:") {
        inF = true
        continue
      }
      guard inF else { continue }
      if t.isEmpty || t.hasSuffix(">:") { break }
      if t.contains("R_AARCH64_CALL26") && t.hasSuffix("_mcount") {
        call = 4 * (words.count - 1)
        continue
      }
      let parts = t.split(separator: "\t")
      if parts.count >= 2, parts[0].hasSuffix(":"),
        let w = UInt32(parts[1].trimmingCharacters(in: .whitespaces), radix: 16)
      {
        words.append(w)
      }
    }
    guard let call else {
      Issue.record("no call to _mcount in f for \(protection):\n\(dis)")
      return nil
    }
    return Emitted(words: words, mcountCall: call)
  }

  @Test(arguments: protections)
  func predictedEqualsEmitted(_ protection: String) throws {
    guard let e = try Self.compile(protection) else { return }
    let m = McountCallsite(
      protection: BranchProtection.parse(
        protection, origin: Diagnostics.SourceLocation(file: "test")))
    // The relocated BL in the object file has a zero offset: the model's call to a target at
    // the call itself encodes the same word.
    let function: UInt64 = 0x1000
    let predicted = try m.words(function: function, mcount: function + UInt64(m.callOffset))
    #expect(m.callOffset == e.mcountCall, "\(protection): the call is at f+\(e.mcountCall)")
    #expect(
      predicted.map(\.word) == Array(e.words.prefix(predicted.count)),
      "\(protection): \(e.words.prefix(predicted.count).map { String($0, radix: 16) })")
    #expect(predicted.map(\.offset) == Array(stride(from: 0, to: 4 * predicted.count, by: 4)))
    // ftrace writes the call only: it is the one word of the patch area.
    #expect(predicted.last?.symbol == "_mcount")
  }

  /// The words after the call end the function as the model's epilogue says: the frame
  /// record restored, and the return address authenticated with the entry's key.
  @Test(arguments: ["none", "standard", "pac-ret+b-key"])
  func epilogueRestoresTheFrameRecord(_ protection: String) throws {
    guard let e = try Self.compile(protection) else { return }
    let m = McountCallsite(
      protection: BranchProtection.parse(
        protection, origin: Diagnostics.SourceLocation(file: "test")))
    let tail = e.words.suffix(from: m.callOffset / 4 + 1)
    #expect(tail.contains(0xa8c1_7bfd))  // ldp x29, x30, [sp], #16
    #expect(tail.last == Words.ret)
    let aut: UInt32? =
      switch m.entry {
      case .paciasp: 0xd503_23bf
      case .pacibsp: 0xd503_23ff
      case .none, .btiC: nil
      }
    if let aut { #expect(tail.contains(aut)) }
    #expect(m.epilogue.contains("ldp x29, x30, [sp], #16"))
  }
}
