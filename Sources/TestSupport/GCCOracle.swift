import Foundation

/// `aarch64-linux-gnu-gcc` as an oracle: what it emits for a C source under given flags.
public enum GCCOracle {
  /// `objdump -dr` of `source` compiled to assembly with `flags`, then assembled; nil (said on
  /// stdout) when the cross compiler or objdump is not installed.
  public static func disassembly(of source: String, flags: [String]) throws -> String? {
    guard let cc = Tools.which("aarch64-linux-gnu-gcc"),
      let dump = Tools.which("aarch64-linux-gnu-objdump")
    else {
      print("skipped: aarch64-linux-gnu-gcc or aarch64-linux-gnu-objdump is not installed")
      return nil
    }
    let work = try Tools.makeTemporaryDirectory("gcc-oracle")
    defer { Tools.removeTemporaryDirectory(work) }
    try Data(source.utf8).write(to: URL(fileURLWithPath: work + "/unit.c"))
    // The assembly GCC writes is what the kernel's build assembles: -S, then the assembler.
    let compiled = try Tools.run(cc, flags + ["-S", work + "/unit.c", "-o", work + "/unit.s"])
    guard compiled.status == 0 else { throw OracleFailure(compiled.stderr) }
    let assembled = try Tools.run(cc, ["-c", work + "/unit.s", "-o", work + "/unit.o"])
    guard assembled.status == 0 else { throw OracleFailure(assembled.stderr) }
    return try Tools.run(dump, ["-dr", work + "/unit.o"]).stdout
  }

  /// The compiler or assembler refused the input.
  public struct OracleFailure: Error, CustomStringConvertible {
    public var description: String
    init(_ message: String) { description = message }
  }
}
