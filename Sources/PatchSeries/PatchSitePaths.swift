import Diagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The files that shape the arm64 ftrace callsite: the ones a series must change to change
/// the patch-site (issue 13's list), and a fast test of whether a patch touches one.
///
/// | path | why |
/// |---|---|
/// | `arch/arm64/Makefile` | `-fpatchable-function-entry`, BTI and alignment flags |
/// | `arch/arm64/Kconfig` | the ftrace options the architecture selects |
/// | `arch/arm64/kernel/entry-ftrace.S` | the trampolines |
/// | `arch/arm64/kernel/ftrace.c` | the transitions between states |
/// | `arch/arm64/include/asm/ftrace.h` | offsets and helpers shared by both |
/// | `arch/arm64/**/insn*` | the instruction generators ftrace.c calls |
/// | `arch/arm64/kernel/patching.c` | how words and literals are written |
/// | `arch/arm64/kernel/module-plts.c` | the ftrace PLTs of modules |
/// | `arch/arm64/kernel/stacktrace.c` | the unwinder that must see through the callsite |
public enum PatchSitePaths {
  /// The exact paths watched (the `insn*` files are matched by name, see `isWatched`).
  public static let exact: Set<String> = [
    "arch/arm64/Makefile",
    "arch/arm64/Kconfig",
    "arch/arm64/kernel/entry-ftrace.S",
    "arch/arm64/kernel/ftrace.c",
    "arch/arm64/include/asm/ftrace.h",
    "arch/arm64/kernel/patching.c",
    "arch/arm64/kernel/module-plts.c",
    "arch/arm64/kernel/stacktrace.c",
  ]

  /// The prefix every watched path has.
  public static let root = "arch/arm64/"

  /// Whether `path` (relative to the tree's root) is one of the files that shape the callsite:
  /// an exact path above, or a file under `arch/arm64/` whose name starts with `insn`
  /// (`insn.c`, `insn.h`, `insn-def.h`).
  public static func isWatched(_ path: String) -> Bool {
    if exact.contains(path) { return true }
    guard path.hasPrefix(root) else { return false }
    let name = path.split(separator: "/").last ?? ""
    return name.hasPrefix("insn")
  }

  /// The watched paths a message body's diff headers name (`diff --git a/X b/Y`, `--- a/X`,
  /// `+++ b/Y`), in order of first appearance, without repeats.
  ///
  /// Works on the body's bytes: most bodies are rejected by a `memchr` search for `arch/arm64/`;
  /// only those that mention it are walked line by line. Quoted diffs (`> +++ b/…`) do not
  /// count: their lines do not start with the header.
  public static func touched(inBody body: UnsafeRawBufferPointer) -> [String] {
    guard let base = body.baseAddress, body.count > 0 else { return [] }
    let bytes = body.bindMemory(to: UInt8.self)
    guard mentionsRoot(bytes) else { return [] }
    var out: [String] = []
    var start = 0
    var progress = LoopProgress()
    while start < bytes.count, progress.advanced(to: start) {
      let end =
        memchr(base + start, 0x0A, bytes.count - start).map {
          UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0))
        } ?? bytes.count
      for path in diffHeaderPaths(bytes, from: start, to: end)
      where isWatched(path) && !out.contains(path) {
        out.append(path)
      }
      start = end + 1
    }
    return out
  }

  /// Whether `arch/arm64/` occurs in `b`: `memchr` jumps to each `6` (rare in prose and code
  /// alike) and the bytes around it are compared. (glibc's `memmem` is not visible to Swift.)
  static func mentionsRoot(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = b.baseAddress else { return false }
    let before = Array("arch/arm".utf8)
    var i = before.count
    var progress = LoopProgress()
    while i + 2 < b.count, progress.advanced(to: i) {
      guard let p = memchr(base + i, 0x36, b.count - i - 2) else { return false }
      let k = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
      if b[k + 1] == 0x34, b[k + 2] == 0x2F {
        var match = true
        for (j, c) in before.enumerated() where b[k - before.count + j] != c {
          match = false
          break
        }
        if match { return true }
      }
      i = k + 1
    }
    return false
  }

  /// `touched(inBody:)` over a byte collection.
  public static func touched(inBody body: some Collection<UInt8>) -> [String] {
    if let r = body.withContiguousStorageIfAvailable({ touched(inBody: UnsafeRawBufferPointer($0)) }
    ) {
      return r
    }
    return Array(body).withUnsafeBytes { touched(inBody: $0) }
  }

  /// The paths a diff header line names: both sides of `diff --git a/X b/Y`, the path of
  /// `--- a/X` and `+++ b/Y` (not `/dev/null`).
  static func diffHeaderPaths(_ b: UnsafeBufferPointer<UInt8>, from s: Int, to e: Int) -> [String] {
    var e = e
    if e > s, b[e - 1] == 0x0D { e -= 1 }
    func has(_ prefix: String, at i: Int) -> Bool {
      var j = i
      for c in prefix.utf8 {
        guard j < e, b[j] == c else { return false }
        j += 1
      }
      return true
    }
    func text(_ from: Int, _ to: Int) -> String {
      String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }
    if has("diff --git a/", at: s) {
      let from = s + "diff --git a/".count
      var k = from
      while k < e, !has(" b/", at: k) { k += 1 }
      return k < e ? [text(from, k), text(k + 3, e)] : [text(from, e)]
    }
    if has("--- a/", at: s) || has("+++ b/", at: s) {
      var end = s + 6
      while end < e, b[end] != 0x09 { end += 1 }  // a tab may follow the path
      return [text(s + 6, end)]
    }
    return []
  }
}
