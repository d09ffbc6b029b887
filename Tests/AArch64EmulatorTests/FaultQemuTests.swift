import AArch64
import AArch64Emulator
import Foundation
import TestSupport
import Testing

/// Faults against qemu-aarch64: unmapped and read-only accesses (SIGSEGV), misaligned
/// exclusives and PCs (SIGBUS), BRK (SIGTRAP), UDF (SIGILL), fetches from a non-executable page
/// and a load crossing into an unmapped page. The signal and the faulting PC (page and offset)
/// must match the emulator's fault kind and PC.
struct FaultQemuTests {
  /// x0 = D (rw page, followed by an unmapped page), x1 = R (read-only), x2 = U (unmapped),
  /// x3 = S (the code page itself).
  static func cells() throws -> [(String, [Instruction])] {
    func add(_ d: UInt8, _ n: UInt8, _ imm: UInt16) -> Instruction {
      .addSubImmediate(
        AddSubImmediate(subtract: false, setFlags: false, rd: .x(d), rn: .x(n), imm12: imm))
    }
    func ldr(_ t: UInt8, _ n: UInt8, _ off: Int64) -> Instruction {
      .loadStore(
        LoadStore(
          kind: .load, size: .doubleword, rt: .x(t), address: .unscaled(base: .x(n), offset: off)))
    }
    let ret = Instruction.branchRegister(.ret, .x(30))
    return [
      ("load unmapped", [ldr(9, 2, 0), ret]),
      (
        "store read-only",
        [
          .loadStore(
            LoadStore(
              kind: .store, size: .word, rt: .w(9), address: .unscaled(base: .x(1), offset: 8))),
          ret,
        ]
      ),
      ("load read-only", [ldr(9, 1, 8), ret]),
      (
        "ldxr misaligned",
        [
          add(9, 0, 4),
          .exclusive(
            Exclusive(
              load: true, ordered: false, pair: false, size: .doubleword, rs: nil, rt: .x(10),
              rt2: nil, rn: .x(9))), ret,
        ]
      ),
      (
        "stlxr misaligned",
        [
          add(9, 0, 2),
          .exclusive(
            Exclusive(
              load: false, ordered: true, pair: false, size: .word, rs: .w(11), rt: .w(10),
              rt2: nil, rn: .x(9))), ret,
        ]
      ),
      (
        "ldxp misaligned",
        [
          add(9, 0, 8),
          .exclusive(
            Exclusive(
              load: true, ordered: false, pair: true, size: .doubleword, rs: nil, rt: .x(10),
              rt2: .x(11), rn: .x(9))), ret,
        ]
      ),
      ("fetch from data", [.branchRegister(.br, .x(0))]),
      ("misaligned pc", [add(9, 3, 2), .branchRegister(.br, .x(9))]),
      ("brk", [.exception(.brk, 0x42)]),
      ("load crossing into unmapped", [add(9, 0, 4092), ldr(10, 9, 0), ret]),
      ("load crossing ok", [add(9, 0, 4088), ldr(10, 9, 0), ret]),
      (
        "aligned exclusive ok",
        [
          add(9, 0, 16),
          .exclusive(
            Exclusive(
              load: true, ordered: false, pair: false, size: .doubleword, rs: nil, rt: .x(10),
              rt2: nil, rn: .x(9))), ret,
        ]
      ),
    ]
  }

  enum Outcome: Equatable, CustomStringConvertible {
    case returned
    case signal(Int32, page: String, offset: UInt64)
    var description: String {
      switch self {
      case .returned: "returned"
      case .signal(let s, let p, let o): "signal \(s) at \(p)+\(o)"
      }
    }
  }

  static func qemu(_ cells: [(String, [Instruction])]) throws -> [Outcome] {
    let dir = try Tools.makeTemporaryDirectory("emu-faults")
    defer { Tools.removeTemporaryDirectory(dir) }
    var table = ""
    for (_, code) in cells {
      let words = try code.map { "0x" + String(try encode($0), radix: 16) + "u" }
      table += "  { \(code.count), {\(words.joined(separator: ", "))} },\n"
    }
    table += "  { 1, {0x00000000u} },\n"  // UDF #0
    let main =
      QemuSignalCatcher.prelude(signals: ["SIGILL", "SIGTRAP", "SIGSEGV", "SIGBUS"])
        + """
        struct cell { int n; uint32_t w[8]; };
        static const struct cell cells[] = {
        \(table)};
        int main(void) {
          catch_signals();
          for (unsigned i = 0; i < sizeof cells / sizeof cells[0]; i++) {
            uint8_t *area = mmap(0, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            uint8_t *s = area, *d = area + 4096, *r = area + 3 * 4096, *u = area + 4 * 4096;
            munmap(area + 2 * 4096, 4096);
            munmap(u, 4096);
            memcpy(s, cells[i].w, 4 * cells[i].n);
            mprotect(s, 4096, PROT_READ | PROT_EXEC);
            mprotect(r, 4096, PROT_READ);
            __builtin___clear_cache((char *)s, (char *)s + 4096);
            if (sigsetjmp(jb, 1) == 0) {
              ((void (*)(void *, void *, void *, void *))(void *)s)(d, r, u, s);
              printf("F %u ret\\n", i);
            } else {
              uint64_t p = fpc;
              if (p >= (uint64_t)s && p < (uint64_t)s + 4096)
                printf("F %u sig %d S %llu\\n", i, sig, (unsigned long long)(p - (uint64_t)s));
              else if (p >= (uint64_t)d && p < (uint64_t)d + 4096)
                printf("F %u sig %d D %llu\\n", i, sig, (unsigned long long)(p - (uint64_t)d));
              else
                printf("F %u sig %d X 0\\n", i, sig);
            }
            munmap(area, 5 * 4096);
          }
          return 0;
        }

        """
    try main.write(toFile: "\(dir)/faults.c", atomically: true, encoding: .utf8)
    let cc = try Tools.run(
      "aarch64-linux-gnu-gcc", ["-static", "-O1", "-o", "\(dir)/f", "\(dir)/faults.c"])
    guard cc.status == 0 else { throw QemuHarness.HarnessError.build(cc.stderr) }
    let out = try Tools.run("qemu-aarch64", ["-cpu", "max", "\(dir)/f"])
    var outcomes: [Outcome] = []
    for line in out.stdout.split(separator: "\n") where line.hasPrefix("F ") {
      let f = line.split(separator: " ")
      if f.count == 3, f[2] == "ret" {
        outcomes.append(.returned)
      } else if f.count == 6, let sg = Int32(f[3]), let o = UInt64(f[5]) {
        outcomes.append(.signal(sg, page: String(f[4]), offset: o))
      }
    }
    return outcomes
  }

  static func emulate(_ words: [UInt32]) throws -> Outcome {
    let s: UInt64 = 0x40_0000
    let d = s + 0x1000
    let r = s + 0x3000
    let u = s + 0x4000
    var m = Machine()
    m.system.exceptionLevel = 0
    try m.map(address: s, size: 0x1000, permissions: .readExecute)
    try m.map(address: d, size: 0x1000, permissions: .readWrite)
    try m.map(address: r, size: 0x1000, permissions: .read)
    try m.map(address: 0x60_0000, size: 0x1000, permissions: .readWrite)
    m.sp = 0x60_1000
    try m.write(words: words, at: s)
    m.setX(0, d)
    m.setX(1, r)
    m.setX(2, u)
    m.setX(3, s)
    let result = m.run(from: s, maxSteps: 50)
    guard case .fault(let f) = result.stop else { return .returned }
    let sig: Int32
    switch f.kind {
    case .unmapped, .permission: sig = 11
    case .alignment: sig = 7
    case .brk: sig = 5
    case .undefined, .bti: sig = 4
    default: sig = 0
    }
    if f.pc >= s && f.pc < s + 0x1000 { return .signal(sig, page: "S", offset: f.pc - s) }
    if f.pc >= d && f.pc < d + 0x1000 { return .signal(sig, page: "D", offset: f.pc - d) }
    return .signal(sig, page: "X", offset: 0)
  }

  @Test(.oracles(QemuHarness.tools))
  func faultsAgreeWithQemu() throws {
    let cells = try Self.cells()
    let expected = try Self.qemu(cells)
    let all = try cells.map { ($0.0, try $0.1.map { try encode($0) }) } + [("udf", [UInt32(0)])]
    #expect(expected.count == all.count)
    // qemu compares the exclusive monitor before checking alignment, so a misaligned STLXR with
    // no monitor just fails; the Arm ARM's AArch64.ExclusiveMonitorsPass raises the Alignment
    // fault first, which is what the emulator does.
    let deviations: [String: (qemu: Outcome, emulator: Outcome)] = [
      "stlxr misaligned": (.returned, .signal(7, page: "S", offset: 4))
    ]
    var mismatches: [String] = []
    for (k, (name, words)) in all.enumerated() where k < expected.count {
      let got = try Self.emulate(words)
      if let dev = deviations[name] {
        #expect(expected[k] == dev.qemu, "\(name): qemu's known deviation changed: \(expected[k])")
        #expect(got == dev.emulator, "\(name): \(got)")
      } else if got != expected[k] {
        mismatches.append("\(name): qemu \(expected[k]), emulator \(got)")
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
  }
}
