import AArch64
import TestSupport
import Testing

@testable import AArch64Emulator

struct PointerAuthTests {
  /// PACIASP / AUTIASP round trip: the signed LR differs only in the PAC bits (63:56, 54:48),
  /// bit 55 is kept, and authentication gives the original pointer back.
  @Test func signAndAuthenticateRoundTrip() throws {
    var m = try Layout.machine([I.paciasp, I.brk(1)])
    let lr: UInt64 = 0xFFFF_8000_0801_2345 & ~3
    m.pc = Layout.code
    m.setX(30, lr)
    _ = m.run(maxSteps: 1)
    let signed = m.x(30)
    #expect(signed != lr)
    #expect(signed & 0x0080_FFFF_FFFF_FFFF == lr & 0x0080_FFFF_FFFF_FFFF)
    #expect(PointerAuth.strip(signed) == lr)
    let key = m.system.keys.ia
    #expect(
      PointerAuth.authenticate(signed, modifier: m.sp, key: key, keyB: false)
        == (lr, true))
    // The B key and another modifier give other PACs.
    #expect(PointerAuth.sign(lr, modifier: m.sp, key: m.system.keys.ib) != signed)
    #expect(PointerAuth.sign(lr, modifier: m.sp &+ 16, key: key) != signed)
  }

  /// A function that signs LR, then returns with a different SP: AUTIASP corrupts the pointer
  /// (error code 01 in bits 62:61) and the RET faults as `pac` at the corrupted address.
  @Test func mismatchedModifierFaultsOnReturn() throws {
    let code: [Instruction] = [
      I.paciasp, I.sub(.sp, .sp, 16), I.autiasp, I.ret,
    ]
    var m = try Layout.machine(code)
    m.setX(30, Layout.code + 0x1000)
    m.pc = Layout.code
    let r = m.run(maxSteps: 10)
    guard case .fault(let f) = r.stop, case .pointerAuthentication(let addr) = f.reason else {
      Issue.record("expected a pac fault, got \(r.stop)")
      return
    }
    #expect(f.pc == addr)
    #expect((addr >> 61) & 3 == 0b01)
    #expect(PointerAuth.isAuthFailure(addr))
    #expect(r.steps == 4)
  }

  /// With FEAT_FPAC the AUTIASP itself faults.
  @Test func fpacFaultsAtTheAuthentication() throws {
    var m = try Layout.machine([I.paciasp, I.sub(.sp, .sp, 16), I.autiasp, I.ret])
    m.options.fpac = true
    m.setX(30, Layout.code + 0x1000)
    m.pc = Layout.code
    let r = m.run(maxSteps: 10)
    guard case .fault(let f) = r.stop else {
      Issue.record("no fault")
      return
    }
    #expect(f.kind == .pac)
    #expect(f.pc == Layout.code + 8)
  }

  /// RETAA authenticates with SP; XPACLRI strips; both keys disabled make PACIASP a NOP.
  @Test func retaaXpaclriAndDisabledKeys() throws {
    var m = try Layout.machine([I.paciasp, .branchAuthenticated(.reta(keyB: false))])
    try m.write(instructions: [I.movz(I.x(0), 3), I.brk(9)], at: Layout.code + 0x1000)
    m.setX(30, Layout.code + 0x1000)
    m.pc = Layout.code
    #expect(m.run(maxSteps: 10).stop == .fault(Fault(.breakpoint(9), pc: Layout.code + 0x1004)))
    #expect(m.x(0) == 3)

    var s = try Layout.machine([I.paciasp, I.xpaclri, I.brk(2)])
    s.setX(30, 0x40_1234)
    s.pc = Layout.code
    _ = s.run(maxSteps: 10)
    #expect(s.x(30) == 0x40_1234)

    var d = try Layout.machine([I.paciasp, I.brk(2)])
    d.system.sctlrEL1 &= ~(SystemRegisters.SCTLR.enIA | SystemRegisters.SCTLR.enIB)
    d.setX(30, 0x40_1234)
    d.pc = Layout.code
    _ = d.run(maxSteps: 10)
    #expect(d.x(30) == 0x40_1234)
  }

  /// The PAC data-processing group the decoder does not cover (PACIA Xd, Xn|SP; AUTIA; XPACI),
  /// built from its fields: `1 1 0 11010110 00001 opcode:6 Rn:5 Rd:5`.
  @Test func pacDataProcessingFallback() throws {
    func dp1(_ opcode: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
      0b1_1_0_11010110_00001 << 16 | opcode << 10 | rn << 5 | rd
    }
    var m = Machine()
    try m.map(address: Layout.code, size: 0x1000, permissions: .readExecute)
    try m.write(
      words: [
        dp1(0b000000, rn: 2, rd: 1),  // pacia x1, x2
        dp1(0b000100, rn: 2, rd: 1),  // autia x1, x2
        dp1(0b000000, rn: 2, rd: 3),  // pacia x3, x2
        dp1(0b010000, rn: 31, rd: 3),  // xpaci x3
        try encode(I.brk(0)),
      ], at: Layout.code)
    m.setX(1, 0x40_0000)
    m.setX(3, 0x50_0000)
    m.setX(2, 42)
    m.pc = Layout.code
    #expect(m.run(maxSteps: 10).stop == .fault(Fault(.breakpoint(0), pc: Layout.code + 16)))
    #expect(m.x(1) == 0x40_0000)
    #expect(m.x(3) == 0x50_0000)
  }

  /// Random pointers: sign then authenticate always round-trips, and a flipped PAC bit never
  /// authenticates.
  @Test func randomRoundTrips() {
    let seed: UInt64 = 0xA7_7E57
    var rng = SeededGenerator(seed: seed)
    let keys = PointerAuthKeys(seed: 7)
    for _ in 0..<2000 {
      let high = Bool.random(using: &rng)
      let p = (rng.next() & 0x0000_FFFF_FFFF_FFFC) | (high ? 0xFFFF_0000_0000_0000 : 0)
      let mod = rng.next()
      let s = PointerAuth.sign(p, modifier: mod, key: keys.ia)
      #expect(
        PointerAuth.authenticate(s, modifier: mod, key: keys.ia, keyB: false) == (p, true),
        "seed \(seed)")
      let bad = s ^ (1 << UInt64(Int.random(in: 48...54, using: &rng)))
      #expect(
        !PointerAuth.authenticate(bad, modifier: mod, key: keys.ia, keyB: false).ok, "seed \(seed)")
    }
  }

  /// PACIBSP + RETAB round-trips; BLRAAZ of an unsigned pointer fails authentication and the
  /// branch faults as `pac`; BLRAAZ of a PACIZA-signed pointer works and sets X30.
  @Test func keyBAndAuthenticatedCalls() throws {
    var m = try Layout.machine([I.pacibsp, .branchAuthenticated(.reta(keyB: true))])
    try m.write(instructions: [I.brk(5)], at: Layout.code + 0x1000)
    m.setX(30, Layout.code + 0x1000)
    m.pc = Layout.code
    #expect(m.run(maxSteps: 5).stop == .fault(Fault(.breakpoint(5), pc: Layout.code + 0x1000)))

    var u = try Layout.machine([.branchAuthenticated(.blraz(keyB: false, .x(9)))])
    u.setX(9, Layout.code + 0x1000)
    let r = u.run(from: Layout.code, maxSteps: 5)
    guard case .fault(let f) = r.stop else {
      Issue.record("no fault")
      return
    }
    #expect(f.kind == .pac)
    #expect(u.x(30) == Layout.code + 4)

    var s = try Layout.machine([.branchAuthenticated(.blraz(keyB: false, .x(9)))])
    try s.write(instructions: [I.brk(6)], at: Layout.code + 0x1000)
    s.setX(9, PointerAuth.sign(Layout.code + 0x1000, modifier: 0, key: s.system.keys.ia))
    #expect(
      s.run(from: Layout.code, maxSteps: 5).stop
        == .fault(Fault(.breakpoint(6), pc: Layout.code + 0x1000)))
    #expect(s.x(30) == Layout.code + 4)
  }
}
