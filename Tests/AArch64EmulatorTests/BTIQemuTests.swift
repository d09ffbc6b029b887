import AArch64
import AArch64Emulator
import Foundation
import TestSupport
import Testing

/// BTI against qemu-aarch64 (`-cpu max`, Linux user mode): a source stub S (guarded or not)
/// branches by `BR X16`, `BR X17`, `BR X9` or `BLR X9` into a target page T mapped with
/// `PROT_BTI` that starts with each landing-pad kind. qemu delivers SIGILL (BTI and undefined
/// alike, `ILL_ILLOPN`) or SIGTRAP (BRK); the emulator must fault at the same PC with the
/// corresponding kind, or return 42 exactly when qemu does.
struct BTIQemuTests {
  struct Cell: CustomStringConvertible {
    var branch: String
    var register: UInt8
    var call: Bool
    var sourceGuarded: Bool
    var pad: Instruction
    var description: String {
      "\(branch) src-guarded=\(sourceGuarded) pad=\(A64.print(pad).replacingOccurrences(of: "\t", with: " "))"
    }
  }

  static let pads: [Instruction] = [
    .hint(.bti), .hint(.btiC), .hint(.btiJ), .hint(.btiJC), .hint(.paciasp), .hint(.pacibsp),
    .hint(.nop), .exception(.brk, 0x77), .exception(.hlt, 0x5),
    .addSubImmediate(
      AddSubImmediate(subtract: false, setFlags: false, rd: .x(1), rn: .x(1), imm12: 1)),
  ]

  static var cells: [Cell] {
    var out: [Cell] = []
    for (name, reg, call) in [
      ("br x16", UInt8(16), false), ("br x17", 17, false), ("br x9", 9, false), ("blr x9", 9, true),
    ] {
      for g in [false, true] {
        for p in pads {
          out.append(Cell(branch: name, register: reg, call: call, sourceGuarded: g, pad: p))
        }
      }
    }
    return out
  }

  /// S: `bti c; mov xN, x0; (stp; blr xN; ldp; ret) | br xN`.
  static func source(_ c: Cell) -> [Instruction] {
    let mov = Instruction.logicalShifted(
      LogicalShifted(op: .orr, rd: .x(c.register), rn: .xzr, rm: .x(0)))
    if c.call {
      return [
        .hint(.btiC), mov,
        .loadStorePair(
          LoadStorePair(op: .stp, rt: .x(29), rt2: .x(30), base: .sp, offset: -16, mode: .preIndex)),
        .branchRegister(.blr, .x(c.register)),
        .loadStorePair(
          LoadStorePair(op: .ldp, rt: .x(29), rt2: .x(30), base: .sp, offset: 16, mode: .postIndex)),
        .branchRegister(.ret, .x(30)),
      ]
    }
    return [.hint(.btiC), mov, .branchRegister(.br, .x(c.register))]
  }

  /// T: `pad; mov x0, #42; xpaclri; ret`.
  static func target(_ c: Cell) -> [Instruction] {
    [
      c.pad, .moveWide(MoveWide(op: .movz, rd: .x(0), imm16: 42)), .hint(.xpaclri),
      .branchRegister(.ret, .x(30)),
    ]
  }

  enum Outcome: Equatable, CustomStringConvertible {
    case returned(UInt64)
    /// Signal number and the faulting PC as (page: 0 = S, 1 = T, offset).
    case signal(Int32, page: Int, offset: UInt64)
    var description: String {
      switch self {
      case .returned(let v): "returned \(v)"
      case .signal(let s, let p, let o): "signal \(s) at \(p == 0 ? "S" : "T")+\(o)"
      }
    }
  }

  static func words(_ i: [Instruction]) throws -> String {
    try i.map { "0x" + String(try encode($0), radix: 16) + "u" }.joined(separator: ", ")
  }

  static func qemu(_ cells: [Cell]) throws -> [Outcome] {
    let dir = try Tools.makeTemporaryDirectory("emu-bti")
    defer { Tools.removeTemporaryDirectory(dir) }
    var table = ""
    for c in cells {
      table +=
        "  { \(c.sourceGuarded ? 1 : 0), {\(try words(source(c)))}, \(source(c).count), {\(try words(target(c)))} },\n"
    }
    let main =
      QemuSignalCatcher.prelude(signals: ["SIGILL", "SIGTRAP", "SIGSEGV"])
        + """
        #define PROT_BTI 0x10
        struct cell { int guarded; uint32_t s[8]; int ns; uint32_t t[4]; };
        static const struct cell cells[] = {
        \(table)};
        int main(void) {
          catch_signals();
          for (unsigned i = 0; i < sizeof cells / sizeof cells[0]; i++) {
            uint32_t *s = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            uint32_t *t = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            memcpy(s, cells[i].s, 4 * cells[i].ns);
            memcpy(t, cells[i].t, 16);
            if (mprotect(s, 4096, PROT_READ | PROT_EXEC | (cells[i].guarded ? PROT_BTI : 0)) ||
                mprotect(t, 4096, PROT_READ | PROT_EXEC | PROT_BTI)) {
              printf("C %u mprotect failed\\n", i);
              return 2;
            }
            __builtin___clear_cache((char *)s, (char *)s + 4096);
            __builtin___clear_cache((char *)t, (char *)t + 4096);
            sig = 0;
            if (sigsetjmp(jb, 1) == 0) {
              long r = ((long (*)(void *))(void *)s)(t);
              printf("C %u ret %ld\\n", i, r);
            } else {
              uint64_t p = fpc;
              if (p >= (uint64_t)t && p < (uint64_t)t + 4096)
                printf("C %u sig %d T %llu\\n", i, sig, (unsigned long long)(p - (uint64_t)t));
              else if (p >= (uint64_t)s && p < (uint64_t)s + 4096)
                printf("C %u sig %d S %llu\\n", i, sig, (unsigned long long)(p - (uint64_t)s));
              else
                printf("C %u sig %d X %llx\\n", i, sig, (unsigned long long)p);
            }
            munmap(s, 4096);
            munmap(t, 4096);
          }
          return 0;
        }

        """
    try main.write(toFile: "\(dir)/bti.c", atomically: true, encoding: .utf8)
    let cc = try Tools.run(
      "aarch64-linux-gnu-gcc",
      [
        "-static", "-O1", "-march=armv8.5-a", "-mbranch-protection=standard", "-o", "\(dir)/bti",
        "\(dir)/bti.c",
      ])
    guard cc.status == 0 else { throw QemuHarness.HarnessError.build(cc.stderr) }
    let out = try Tools.run("qemu-aarch64", ["-cpu", "max", "\(dir)/bti"])
    var outcomes: [Outcome] = []
    for line in out.stdout.split(separator: "\n") where line.hasPrefix("C ") {
      let f = line.split(separator: " ")
      if f.count == 4, f[2] == "ret", let v = Int64(f[3]) {
        outcomes.append(.returned(UInt64(bitPattern: v)))
      } else if f.count == 6, f[2] == "sig", let sg = Int32(f[3]), let o = UInt64(f[5]) {
        outcomes.append(.signal(sg, page: f[4] == "T" ? 1 : f[4] == "S" ? 0 : 9, offset: o))
      }
    }
    guard outcomes.count == cells.count else {
      throw QemuHarness.HarnessError.run(
        "qemu: \(outcomes.count) of \(cells.count) cells\n\(out.stdout)\n\(out.stderr)")
    }
    return outcomes
  }

  static func emulate(_ c: Cell) throws -> Outcome {
    let s: UInt64 = 0x40_0000
    let t: UInt64 = 0x41_0000
    var m = Machine()
    try m.map(address: s, size: 0x1000, permissions: .readExecute, guarded: c.sourceGuarded)
    try m.map(address: t, size: 0x1000, permissions: .readExecute, guarded: true)
    try m.map(address: 0x60_0000, size: 0x1000, permissions: .readWrite)
    m.sp = 0x60_1000
    m.system.exceptionLevel = 0
    try m.write(instructions: source(c), at: s)
    try m.write(instructions: target(c), at: t)
    m.setX(0, t)
    let r = m.run(from: s, maxSteps: 100)
    func place(_ pc: UInt64) -> (Int, UInt64) { pc >= t ? (1, pc - t) : (0, pc - s) }
    switch r.stop {
    case .returned: return .returned(m.x(0))
    case .fault(let f):
      let (p, o) = place(f.pc)
      switch f.kind {
      case .bti, .undefined: return .signal(4, page: p, offset: o)
      case .brk: return .signal(5, page: p, offset: o)
      default: return .signal(11, page: p, offset: o)
      }
    case .stepLimit: return .signal(0, page: 9, offset: 0)
    }
  }

  @Test(.oracles(QemuHarness.tools))
  func landingPadsAgreeWithQemu() throws {
    let cells = Self.cells
    let expected = try Self.qemu(cells)
    var mismatches: [String] = []
    var sigills = 0
    for (k, c) in cells.enumerated() {
      let got = try Self.emulate(c)
      if case .signal(4, 1, 0) = expected[k] { sigills += 1 }
      if got != expected[k] { mismatches.append("\(c): qemu \(expected[k]), emulator \(got)") }
    }
    let returned = expected.filter { if case .returned(42) = $0 { true } else { false } }.count
    print("bti-qemu: \(cells.count) cells, \(sigills) SIGILL on the pad, \(returned) returned 42")
    // qemu really enforced BTI: plenty of SIGILLs on the pad itself.
    #expect(sigills >= 20)
    #expect(
      mismatches.isEmpty,
      "\(mismatches.count) of \(cells.count) cells differ:\n\(mismatches.joined(separator: "\n"))")
  }
}
