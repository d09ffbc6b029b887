/// What part of the kernel a hunk touches, as far as the arm64 patch-site review cares.
///
/// The kind follows from the file's path: `arch/arm64/**/*.S` is arm64 assembly,
/// `arch/arm64/**/*.[ch]` arm64 C, Makefiles / Kbuild / Kconfig anywhere are build files, and the
/// rest is other.
public enum HunkKind: String, Sendable, Hashable, Codable, CaseIterable {
  case arm64Asm = "arm64-asm"
  case arm64C = "arm64-c"
  case build = "build"
  case other = "other"

  /// The kind of every hunk in the file at `path` (a path relative to the tree's root).
  public static func classify(path: String) -> HunkKind {
    var bytes = path
    if let kind = bytes.withUTF8(classifyASCII) { return kind }
    return classifyText(path: path)
  }

  /// ``classify(path:)`` by characters, for any path.
  static func classifyText(path: String) -> HunkKind {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    if name == "Makefile" || name == "Kbuild" || name.hasPrefix("Kconfig")
      || name.hasPrefix("Makefile.")
      || name.hasSuffix(".mk")
    {
      return .build
    }
    guard path.hasPrefix("arch/arm64/") else { return .other }
    if name.hasSuffix(".S") { return .arm64Asm }
    if name.hasSuffix(".c") || name.hasSuffix(".h") { return .arm64C }
    return .other
  }

  /// ``classify(path:)`` over the bytes of an ASCII path (where a byte is a character); nil for
  /// any other path.
  private static func classifyASCII(_ b: UnsafeBufferPointer<UInt8>) -> HunkKind? {
    guard !b.contains(where: { $0 >= 0x80 }) else { return nil }
    // The last non-empty component.
    var end = b.count
    while end > 0, b[end - 1] == UInt8(ascii: "/") { end -= 1 }
    var start = end
    while start > 0, b[start - 1] != UInt8(ascii: "/") { start -= 1 }
    let name = UnsafeBufferPointer(rebasing: b[start..<end])
    func hasPrefix(_ p: String) -> Bool { name.starts(with: p.utf8) }
    func hasSuffix(_ p: String) -> Bool {
      name.count >= p.utf8.count && name.suffix(p.utf8.count).elementsEqual(p.utf8)
    }
    if name.elementsEqual("Makefile".utf8) || name.elementsEqual("Kbuild".utf8)
      || hasPrefix("Kconfig") || hasPrefix("Makefile.") || hasSuffix(".mk")
    {
      return .build
    }
    guard b.starts(with: "arch/arm64/".utf8) else { return .other }
    if hasSuffix(".S") { return .arm64Asm }
    if hasSuffix(".c") || hasSuffix(".h") { return .arm64C }
    return .other
  }
}
