import AArch64
import AArch64Emulator
import Foundation
import TestSupport

/// Builds one static aarch64 binary holding many snippets, runs it under `qemu-aarch64 -cpu
/// max`, and parses the final state of each: x0–x27, NZCV and the 256-byte buffer.
///
/// Each snippet is wrapped in a prologue that saves the callee-saved registers and loads x0–x28,
/// x30 and NZCV from a state block, and an epilogue that stores them back; prologue, snippet and
/// epilogue are words from our encoder, copied by the harness into a code page at a fixed
/// address (as is the buffer, both mmap MAP_FIXED) so that PC-relative results and address
/// arithmetic agree with the emulator's.
enum QemuHarness {
  struct Case {
    var words: [UInt32]
    var x: [UInt64]
    var nzcv: UInt8
    var buffer: [UInt8]
  }

  struct Outcome: Equatable, CustomStringConvertible {
    /// x0–x27 and x30 (x28 is the buffer base, x29 is not used).
    static func compared(_ all: [UInt64]) -> [UInt64] {
      Array(all[0..<28]) + [all.count > 30 ? all[30] : 0]
    }
    var x: [UInt64]
    var nzcv: UInt8
    var buffer: [UInt8]
    var description: String {
      x.enumerated().map { "x\($0.offset)=\(String($0.element, radix: 16))" }.joined(separator: " ")
        + " nzcv=\(String(nzcv, radix: 2)) buf=\(buffer.map { String(format: "%02x", $0) }.joined())"
    }
  }

  /// The tools it runs.
  static let tools = ["qemu-aarch64", "aarch64-linux-gnu-gcc"]

  /// Where both qemu (mmap MAP_FIXED) and the emulator put the code, so that ADR/ADRP/BL and
  /// literal loads agree.
  static let codeAddress: UInt64 = 0x2000_0000

  static func x(_ n: UInt8) -> Register { .x(n) }
  static func pair(
    _ op: PairOp, _ a: UInt8, _ b: UInt8, _ base: Register, _ off: Int64, _ mode: PairMode
  )
    -> Instruction
  {
    .loadStorePair(
      LoadStorePair(op: op, rt: .x(a), rt2: .x(b), base: base, offset: off, mode: mode))
  }
  static func ldr(_ t: UInt8, _ base: UInt8, _ off: Int64) -> Instruction {
    .loadStore(
      LoadStore(
        kind: .load, size: .doubleword, rt: .x(t),
        address: .unsignedOffset(base: .x(base), offset: off)))
  }
  static func str(_ t: UInt8, _ base: Register, _ off: Int64) -> Instruction {
    .loadStore(
      LoadStore(
        kind: .store, size: .doubleword, rt: .x(t),
        address: .unsignedOffset(base: base, offset: off)))
  }
  static let nzcv = SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 0)

  /// Saves x19–x30, keeps the state pointer on the stack, loads NZCV, x0–x28 and x30 from it.
  static let prologue: [Instruction] = {
    var p: [Instruction] = [pair(.stp, 29, 30, .sp, -96, .preIndex)]
    for (k, r) in [19, 21, 23, 25, 27].enumerated() {
      p.append(pair(.stp, UInt8(r), UInt8(r + 1), .sp, Int64(16 * (k + 1)), .signedOffset))
    }
    p.append(
      .addSubImmediate(
        AddSubImmediate(subtract: true, setFlags: false, rd: .sp, rn: .sp, imm12: 16)))
    p.append(str(0, .sp, 0))
    p.append(ldr(1, 0, 248))
    p.append(.msr(nzcv, .x(1)))
    for k in 1...13 {
      p.append(pair(.ldp, UInt8(2 * k), UInt8(2 * k + 1), .x(0), Int64(16 * k), .signedOffset))
    }
    p.append(ldr(28, 0, 224))
    p.append(ldr(30, 0, 240))
    p.append(pair(.ldp, 0, 1, .x(0), 0, .signedOffset))
    return p
  }()

  /// Stores NZCV, x0–x27 and x30 back and returns to C.
  static let epilogue: [Instruction] = {
    var e: [Instruction] = [
      pair(.stp, 0, 1, .sp, -16, .preIndex), .mrs(.x(1), nzcv), ldr(0, 31, 16),
    ]
    e[2] = .loadStore(
      LoadStore(
        kind: .load, size: .doubleword, rt: .x(0), address: .unsignedOffset(base: .sp, offset: 16)))
    e.append(str(1, .x(0), 248))
    e.append(str(30, .x(0), 240))
    for k in 1...13 {
      e.append(pair(.stp, UInt8(2 * k), UInt8(2 * k + 1), .x(0), Int64(16 * k), .signedOffset))
    }
    e.append(pair(.ldp, 2, 3, .sp, 16, .postIndex))
    e.append(pair(.stp, 2, 3, .x(0), 0, .signedOffset))
    e.append(
      .addSubImmediate(
        AddSubImmediate(subtract: false, setFlags: false, rd: .sp, rn: .sp, imm12: 16)))
    for (k, r) in [19, 21, 23, 25, 27].enumerated() {
      e.append(pair(.ldp, UInt8(r), UInt8(r + 1), .sp, Int64(16 * (k + 1)), .signedOffset))
    }
    e.append(pair(.ldp, 29, 30, .sp, 96, .postIndex))
    e.append(.branchRegister(.ret, .x(30)))
    return e
  }()

  static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

  /// Runs the cases under qemu; one outcome per case, in order.
  static func run(_ cases: [Case]) throws -> [Outcome] {
    let dir = try Tools.makeTemporaryDirectory("emu-difftest")
    defer { Tools.removeTemporaryDirectory(dir) }
    let pro = try prologue.map { try encode($0) }
    let epi = try epilogue.map { try encode($0) }
    var data = "  .section .rodata\n  .p2align 3\n  .globl init_x\ninit_x:\n"
    for c in cases {
      data +=
        "  .quad " + (c.x.map(hex) + [hex(UInt64(c.nzcv) << 28)]).joined(separator: ", ") + "\n"
    }
    data += "  .globl init_buf\ninit_buf:\n"
    for c in cases {
      data += "  .byte " + c.buffer.map { String($0) }.joined(separator: ",") + "\n"
    }
    data += "  .p2align 2\n  .globl code_words\ncode_words:\n"
    var offsets: [Int] = []
    var total = 0
    for c in cases {
      offsets.append(total)
      let words = pro + c.words + epi
      total += words.count
      data += "  .word " + words.map { hex(UInt64($0)) }.joined(separator: ", ") + "\n"
    }
    data += "  .p2align 2\n  .globl code_offsets\ncode_offsets:\n"
    data += "  .word " + (offsets + [total]).map(String.init).joined(separator: ", ") + "\n"
    let main = """
      #include <stdio.h>
      #include <stdint.h>
      #include <string.h>
      #include <sys/mman.h>
      struct state { uint64_t x[31]; uint64_t nzcv; };
      extern const uint64_t init_x[][32];
      extern const uint8_t init_buf[][256];
      extern const uint32_t code_words[];
      extern const uint32_t code_offsets[];
      int main(void) {
        uint8_t *buf = mmap((void *)\(hex(ProgramGenerator.bufferAddress)), 4096,
          PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        uint32_t *code = mmap((void *)\(hex(codeAddress)), 65536,
          PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (buf == MAP_FAILED || code == MAP_FAILED) return 3;
        for (int i = 0; i < \(cases.count); i++) {
          struct state s;
          memset(&s, 0, sizeof s);
          for (int r = 0; r < 31; r++) s.x[r] = init_x[i][r];
          s.x[28] = \(hex(ProgramGenerator.bufferAddress));
          s.nzcv = init_x[i][31];
          memcpy(buf, init_buf[i], 256);
          mprotect(code, 65536, PROT_READ | PROT_WRITE);
          memcpy(code, code_words + code_offsets[i], 4 * (code_offsets[i + 1] - code_offsets[i]));
          mprotect(code, 65536, PROT_READ | PROT_EXEC);
          __builtin___clear_cache((char *)code, (char *)code + 65536);
          ((void (*)(struct state *))(void *)code)(&s);
          printf("S");
          for (int r = 0; r < 31; r++) printf(" %016llx", (unsigned long long)s.x[r]);
          printf(" %llx ", (unsigned long long)(s.nzcv >> 28));
          for (int b = 0; b < 256; b++) printf("%02x", buf[b]);
          printf("\\n");
          fflush(stdout);
        }
        return 0;
      }

      """
    try data.write(toFile: "\(dir)/snips.S", atomically: true, encoding: .utf8)
    try main.write(toFile: "\(dir)/main.c", atomically: true, encoding: .utf8)
    let cc = try Tools.run(
      "aarch64-linux-gnu-gcc",
      ["-static", "-O1", "-o", "\(dir)/h", "\(dir)/main.c", "\(dir)/snips.S"])
    guard cc.status == 0 else { throw HarnessError.build(cc.stderr) }
    let out = try Tools.run("qemu-aarch64", ["-cpu", "max", "\(dir)/h"])
    var outcomes: [Outcome] = []
    for line in out.stdout.split(separator: "\n") where line.hasPrefix("S ") {
      let f = line.split(separator: " ")
      guard f.count == 34 else { continue }
      let x = f[1...31].compactMap { UInt64($0, radix: 16) }
      let nzcv = UInt8(f[32], radix: 16) ?? 0
      var buffer: [UInt8] = []
      let hexBuf = Array(f[33].utf8)
      var i = 0
      while i + 1 < hexBuf.count {
        buffer.append(UInt8(String(decoding: hexBuf[i...i + 1], as: UTF8.self), radix: 16) ?? 0)
        i += 2
      }
      outcomes.append(Outcome(x: Outcome.compared(x), nzcv: nzcv, buffer: buffer))
    }
    guard outcomes.count == cases.count else {
      throw HarnessError.run(
        "qemu produced \(outcomes.count) of \(cases.count) results (status \(out.status)): "
          + out.stderr.prefix(500))
    }
    return outcomes
  }

  enum HarnessError: Error, CustomStringConvertible {
    case build(String)
    case run(String)
    var description: String {
      switch self {
      case .build(let s): "harness build failed: \(s.prefix(2000))"
      case .run(let s): s
      }
    }
  }

  /// The end marker the emulator puts where the epilogue starts.
  static let endMarker: UInt16 = 0xE0D

  /// Runs one case in the emulator: the same prologue words (literal loads may read them),
  /// the snippet, then `BRK #0xE0D` where qemu's copy has the epilogue.
  static func emulate(_ c: Case) throws -> (Outcome, RunResult) {
    var m = Machine()
    try m.map(address: codeAddress, size: 0x10000, permissions: .readExecute)
    try m.map(address: ProgramGenerator.bufferAddress, size: 0x1000, permissions: .readWrite)
    let pro = try prologue.map { try encode($0) }
    let end = try encode(.exception(.brk, endMarker))
    try m.memory.write(words: pro + c.words + [end], at: codeAddress)
    try m.memory.write(bytes: c.buffer, at: ProgramGenerator.bufferAddress)
    for (i, v) in c.x.enumerated() { m.setX(i, v) }
    m.setX(28, ProgramGenerator.bufferAddress)
    m.nzvcReset(c.nzcv)
    m.pc = codeAddress + UInt64(4 * pro.count)
    var r = m.run(maxSteps: 100_000)
    let endPC = codeAddress + UInt64(4 * (pro.count + c.words.count))
    if r.stop == .fault(Fault(.breakpoint(endMarker), pc: endPC)) { r.stop = .returned }
    let buffer = m.memory.read(bytes: 256, at: ProgramGenerator.bufferAddress) ?? []
    return (
      Outcome(
        x: Outcome.compared((0..<31).map { m.x($0) }), nzcv: m.nzcvFlags.rawValue, buffer: buffer),
      r
    )
  }
}

extension Machine {
  mutating func nzvcReset(_ v: UInt8) { nzcvFlags = NZCV(rawValue: v) }
}
