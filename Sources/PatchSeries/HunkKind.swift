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
}
