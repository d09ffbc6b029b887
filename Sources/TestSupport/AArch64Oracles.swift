import Foundation

/// Runners for the AArch64 oracles: binutils `aarch64-linux-gnu-as`/`objdump` and LLVM `llvm-mc`.
/// Each call handles a whole batch (one file, one process), so thousands of instructions cost one
/// process start.
public enum AArch64Oracles {
  public static let gnuAs = "aarch64-linux-gnu-as"
  public static let objdump = "aarch64-linux-gnu-objdump"
  public static let objcopy = "aarch64-linux-gnu-objcopy"
  public static let llvmMC = "llvm-mc"
  public static let gnuMarch = "-march=armv8.8-a+memtag"
  public static let llvmAttrs = "-mattr=+v8.5a,+bti,+pauth,+lse"

  /// True if the binutils oracles are installed.
  public static var haveBinutils: Bool { Tools.which(gnuAs) != nil && Tools.which(objdump) != nil }
  public static var haveLLVM: Bool { Tools.which(llvmMC) != nil }

  /// objdump's text for each word (disassembled as raw binary at `vma`), with the `// …`
  /// comments and `<sym>` annotations removed: `mnemonic\toperands`.
  public static func objdumpWords(_ words: [UInt32], vma: UInt64 = 0) throws -> [String] {
    let dir = try Tools.makeTemporaryDirectory("a64-objdump")
    defer { Tools.removeTemporaryDirectory(dir) }
    var data = Data(capacity: words.count * 4)
    for w in words { withUnsafeBytes(of: w.littleEndian) { data.append(contentsOf: $0) } }
    try data.write(to: URL(fileURLWithPath: "\(dir)/w.bin"))
    let out = try Tools.run(
      objdump,
      [
        "-D", "-b", "binary", "-m", "aarch64", "--adjust-vma=0x\(String(vma, radix: 16))",
        "\(dir)/w.bin",
      ])
    var result: [String] = []
    for line in out.stdout.split(separator: "\n") {
      let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard cols.count >= 3, cols[0].hasSuffix(":") else { continue }
      result.append(normalize(cols.dropFirst(2).joined(separator: "\t")))
    }
    return result
  }

  /// Trims objdump's comments (`// …`, `; undefined`) and `<symbol>` parts.
  public static func normalize(_ s: String) -> String {
    var t = s
    if let r = t.range(of: "//") { t = String(t[..<r.lowerBound]) }
    if let r = t.range(of: " <") { t = String(t[..<r.lowerBound]) }
    while t.last == " " || t.last == "\t" { t.removeLast() }
    return t
  }

  /// Assembles each line with GNU as; nil for lines as rejects (with as's message).
  public static func gnuAssemble(_ lines: [String]) throws -> [Result<UInt32, OracleError>] {
    try assembleBatch(lines) { dir, src in
      let a = try Tools.run(gnuAs, [gnuMarch, "-o", "\(dir)/t.o", src])
      if a.status != 0 { return (nil, a.stderr) }
      let c = try Tools.run(objcopy, ["-O", "binary", "-j", ".text", "\(dir)/t.o", "\(dir)/t.bin"])
      if c.status != 0 { return (nil, c.stderr) }
      return (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/t.bin")), a.stderr)
    }
  }

  /// Assembles each line with llvm-mc (`-filetype=obj`, then objcopy).
  public static func llvmAssemble(_ lines: [String]) throws -> [Result<UInt32, OracleError>] {
    try assembleBatch(lines) { dir, src in
      let a = try Tools.run(
        llvmMC, ["-triple=aarch64", llvmAttrs, "-filetype=obj", "-o", "\(dir)/t.o", src])
      if a.status != 0 { return (nil, a.stderr) }
      let c = try Tools.run(objcopy, ["-O", "binary", "-j", ".text", "\(dir)/t.o", "\(dir)/t.bin"])
      if c.status != 0 { return (nil, c.stderr) }
      return (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/t.bin")), a.stderr)
    }
  }

  public struct OracleError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  /// Runs `tool` on a file of lines; lines reported as errors (`file:LINE:` in stderr) are
  /// replaced by `.inst 0` and the batch rerun, so each line gets its own outcome.
  static func assembleBatch(
    _ lines: [String], tool: (String, String) throws -> (Data?, String)
  ) throws -> [Result<UInt32, OracleError>] {
    let dir = try Tools.makeTemporaryDirectory("a64-as")
    defer { Tools.removeTemporaryDirectory(dir) }
    var failed: [Int: String] = [:]
    for _ in 0..<4 {
      var src = ""
      for (i, l) in lines.enumerated() { src += (failed[i] != nil ? ".inst 0" : l) + "\n" }
      let path = "\(dir)/t.s"
      try src.write(toFile: path, atomically: true, encoding: .utf8)
      let (data, stderr) = try tool(dir, path)
      var newFailures = false
      for l in stderr.split(separator: "\n") {
        // t.s:12: Error: …  (GNU) or  t.s:12:5: error: … (LLVM)
        guard let r = l.range(of: "t.s:") else { continue }
        let rest = l[r.upperBound...]
        guard let n = Int(rest.prefix { $0.isNumber }), n >= 1, n <= lines.count else { continue }
        let isError = l.contains("Error") || l.contains("error")
        if isError && failed[n - 1] == nil {
          failed[n - 1] = String(l)
          newFailures = true
        }
      }
      if let data, data.count == lines.count * 4, !newFailures {
        return lines.indices.map { i in
          if let f = failed[i] { return .failure(OracleError(message: f)) }
          let b = data.subdata(in: i * 4..<(i * 4 + 4))
          return .success(
            b.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
        }
      }
      if !newFailures { break }
    }
    return lines.indices.map { i in
      .failure(OracleError(message: failed[i] ?? "batch failed"))
    }
  }
}
