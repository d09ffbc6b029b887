import AArch64
import AArch64Emulator
import Foundation
import TestSupport

/// Builds one static aarch64 binary holding many snippets, runs it under `qemu-aarch64 -cpu
/// max`, and parses the final state of each: x0–x27, NZCV and the 256-byte buffer.
///
/// Each snippet is wrapped in a prologue that saves the callee-saved registers, loads x0–x28
/// and NZCV from a state block, runs the snippet's words (`.inst`, produced by our encoder) and
/// an epilogue that stores them back. The buffer lives at a fixed address (mmap MAP_FIXED) so
/// that address arithmetic agrees with the emulator's.
enum QemuHarness {
  struct Case {
    var words: [UInt32]
    var x: [UInt64]
    var nzcv: UInt8
    var buffer: [UInt8]
  }

  struct Outcome: Equatable, CustomStringConvertible {
    var x: [UInt64]
    var nzcv: UInt8
    var buffer: [UInt8]
    var description: String {
      x.enumerated().map { "x\($0.offset)=\(String($0.element, radix: 16))" }.joined(separator: " ")
        + " nzcv=\(String(nzcv, radix: 2)) buf=\(buffer.map { String(format: "%02x", $0) }.joined())"
    }
  }

  static var available: Bool {
    Tools.which("qemu-aarch64") != nil && Tools.which("aarch64-linux-gnu-gcc") != nil
  }

  static func prologue(_ name: String) -> String {
    """
      .globl \(name)
      .type \(name), %function
    \(name):
      stp x29, x30, [sp, #-96]!
      stp x19, x20, [sp, #16]
      stp x21, x22, [sp, #32]
      stp x23, x24, [sp, #48]
      stp x25, x26, [sp, #64]
      stp x27, x28, [sp, #80]
      sub sp, sp, #16
      str x0, [sp]
      ldr x1, [x0, #248]
      msr nzcv, x1
    \((1...13).map { "  ldp x\(2 * $0), x\(2 * $0 + 1), [x0, #\(16 * $0)]" }.joined(separator: "\n"))
      ldr x28, [x0, #224]
      ldp x0, x1, [x0, #0]

    """
  }

  static let epilogue = """
      stp x0, x1, [sp, #-16]!
      mrs x1, nzcv
      ldr x0, [sp, #16]
      str x1, [x0, #248]
    \((1...13).map { "  stp x\(2 * $0), x\(2 * $0 + 1), [x0, #\(16 * $0)]" }.joined(separator: "\n"))
      ldp x2, x3, [sp], #16
      stp x2, x3, [x0]
      add sp, sp, #16
      ldp x19, x20, [sp, #16]
      ldp x21, x22, [sp, #32]
      ldp x23, x24, [sp, #48]
      ldp x25, x26, [sp, #64]
      ldp x27, x28, [sp, #80]
      ldp x29, x30, [sp], #96
      ret

    """

  static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

  /// Runs the cases under qemu; one outcome per case, in order.
  static func run(_ cases: [Case]) throws -> [Outcome] {
    let dir = try Tools.makeTemporaryDirectory("emu-difftest")
    defer { Tools.removeTemporaryDirectory(dir) }
    var asm = "  .text\n  .p2align 2\n"
    for (k, c) in cases.enumerated() {
      asm += prologue("snip\(k)")
      for w in c.words { asm += "  .inst 0x\(String(w, radix: 16))\n" }
      asm += epilogue
    }
    var data = "  .section .rodata\n  .p2align 3\n  .globl init_x\ninit_x:\n"
    for c in cases {
      data +=
        "  .quad " + (c.x.map(hex) + [hex(UInt64(c.nzcv) << 28)]).joined(separator: ", ") + "\n"
    }
    data += "  .globl init_buf\ninit_buf:\n"
    for c in cases {
      data += "  .byte " + c.buffer.map { String($0) }.joined(separator: ",") + "\n"
    }
    data += "  .p2align 3\n  .globl snips\nsnips:\n"
    for k in cases.indices { data += "  .quad snip\(k)\n" }
    let main = """
      #include <stdio.h>
      #include <stdint.h>
      #include <string.h>
      #include <sys/mman.h>
      struct state { uint64_t x[31]; uint64_t nzcv; };
      extern const uint64_t init_x[][29];
      extern const uint8_t init_buf[][256];
      extern void (*const snips[])(struct state *);
      int main(void) {
        uint8_t *buf = mmap((void *)\(hex(ProgramGenerator.bufferAddress)), 4096,
          PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (buf == MAP_FAILED) return 3;
        for (int i = 0; i < \(cases.count); i++) {
          struct state s;
          memset(&s, 0, sizeof s);
          for (int r = 0; r < 28; r++) s.x[r] = init_x[i][r];
          s.x[28] = \(hex(ProgramGenerator.bufferAddress));
          s.nzcv = init_x[i][28];
          memcpy(buf, init_buf[i], 256);
          snips[i](&s);
          printf("S");
          for (int r = 0; r < 28; r++) printf(" %016llx", (unsigned long long)s.x[r]);
          printf(" %llx ", (unsigned long long)(s.nzcv >> 28));
          for (int b = 0; b < 256; b++) printf("%02x", buf[b]);
          printf("\\n");
          fflush(stdout);
        }
        return 0;
      }

      """
    try (asm + data).write(toFile: "\(dir)/snips.S", atomically: true, encoding: .utf8)
    try main.write(toFile: "\(dir)/main.c", atomically: true, encoding: .utf8)
    let cc = try Tools.run(
      "aarch64-linux-gnu-gcc",
      [
        "-static", "-O1", "-march=armv8.5-a+lse", "-o", "\(dir)/h", "\(dir)/main.c",
        "\(dir)/snips.S",
      ])
    guard cc.status == 0 else { throw HarnessError.build(cc.stderr) }
    let out = try Tools.run("qemu-aarch64", ["-cpu", "max", "\(dir)/h"])
    var outcomes: [Outcome] = []
    for line in out.stdout.split(separator: "\n") where line.hasPrefix("S ") {
      let f = line.split(separator: " ")
      guard f.count == 31 else { continue }
      let x = f[1...28].compactMap { UInt64($0, radix: 16) }
      let nzcv = UInt8(f[29], radix: 16) ?? 0
      var buffer: [UInt8] = []
      let hexBuf = Array(f[30].utf8)
      var i = 0
      while i + 1 < hexBuf.count {
        buffer.append(UInt8(String(decoding: hexBuf[i...i + 1], as: UTF8.self), radix: 16) ?? 0)
        i += 2
      }
      outcomes.append(Outcome(x: x, nzcv: nzcv, buffer: buffer))
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

  /// Runs one case in the emulator.
  static func emulate(_ c: Case) throws -> (Outcome, RunResult) {
    var m = Machine()
    let code: UInt64 = 0x40_0000
    try m.map(address: code, size: 0x4000, permissions: .readExecute)
    try m.map(address: ProgramGenerator.bufferAddress, size: 0x1000, permissions: .readWrite)
    try m.memory.write(
      words: c.words + [(try? encode(.branchRegister(.ret, .x(30)))) ?? 0], at: code)
    try m.memory.write(bytes: c.buffer, at: ProgramGenerator.bufferAddress)
    for (i, v) in c.x.enumerated() { m.setX(i, v) }
    m.setX(28, ProgramGenerator.bufferAddress)
    m.nzcvFlags = NZCV(rawValue: c.nzcv)
    let r = m.run(from: code, maxSteps: 100_000)
    let buffer = m.memory.read(bytes: 256, at: ProgramGenerator.bufferAddress) ?? []
    return (Outcome(x: (0..<28).map { m.x($0) }, nzcv: m.nzcvFlags.rawValue, buffer: buffer), r)
  }
}
