import Diagnostics

/// Read access to the files of a kernel tree (a post-image, a folder, a fixture), by path
/// relative to the tree's root, such as `arch/arm64/kernel/ftrace.c`.
///
/// The CLI adapts its own tree types (a git tree, a folder, a patched post-image) to this.
public protocol KernelTree: Sendable {
  /// The text of the file at `path`, or nil when the tree has no such file.
  func contents(of path: String) -> String?
  /// The runs of lines of `path` whose text is not known (a tree rebuilt from a series' hunks
  /// alone): they read as empty lines, and the readers treat each known run as a fragment of
  /// its own. Empty for a real tree.
  func unknownLines(in path: String) -> [ClosedRange<Int>]
  /// A name for the exact content of `path` that the tree knows without reading the file (a
  /// git tree's blob ID), or nil. Equal names mean equal texts; caches compare these first.
  func version(of path: String) -> String?
}

extension KernelTree {
  public func unknownLines(in path: String) -> [ClosedRange<Int>] { [] }
  public func version(of path: String) -> String? { nil }

  /// The first lines of the known runs that follow unknown lines.
  public func fragmentStarts(in path: String) -> Set<Int> {
    Set(unknownLines(in: path).map { $0.upperBound + 1 })
  }
}

/// A tree held in memory: path → text. Handy for tests and for post-images.
public struct InMemoryTree: KernelTree, Hashable {
  public var files: [String: String]

  public init(_ files: [String: String] = [:]) { self.files = files }

  public func contents(of path: String) -> String? { files[path] }
}

/// The stable identifiers of the diagnostics this module reports.
public enum KernelSourceMessage {
  /// Something the readers cannot model; they say so with file:line rather than guess.
  public static let couldNotModel: MessageID = "kernel.could-not-model"
  /// A stated assumption (a compiler feature taken as present, an asm-offsets default…).
  public static let assumption: MessageID = "kernel.assumption"
  /// A syntax problem in a Makefile, Kconfig, C, cpp or assembler input.
  public static let syntax: MessageID = "kernel.syntax"
  /// An `#include` whose file is not in the tree.
  public static let missingInclude: MessageID = "kernel.missing-include"
  /// A configuration rejected because a `depends on` fails.
  public static let dependsFailed: MessageID = "kernel.depends-failed"
  /// `#error` reached, `.error` reached, or an unbalanced conditional.
  public static let conditional: MessageID = "kernel.conditional"
  /// An unknown assembler macro or directive left as it is.
  public static let unknownMacro: MessageID = "kernel.unknown-macro"
}

/// Splits text into lines without their terminators (`\n`, `\r\n`), keeping a final empty line
/// out: `"a\nb\n"` gives `["a", "b"]`.
func splitLines(_ text: String) -> [String] {
  var text = text
  return text.withUTF8 { b -> [String] in
    var lines: [String] = []
    var start = 0
    var i = 0
    while i < b.count {
      if b[i] == 0x0A {
        lines.append(line(b, start, i))
        start = i + 1
      }
      i += 1
    }
    // The text after the last newline, unless empty (a final newline ends the last line).
    if start < b.count { lines.append(line(b, start, b.count)) }
    return lines
  }
  /// The bytes from `from` to `to`, without a carriage return at their end.
  func line(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
    let end = to > from && b[to - 1] == 0x0D ? to - 1 : to
    return String(decoding: UnsafeBufferPointer(rebasing: b[from..<end]), as: UTF8.self)
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  var trimmed: String {
    let u = utf8
    var start = u.startIndex
    var end = u.endIndex
    while start < end, u[start] == 0x20 || u[start] == 0x09 { start = u.index(after: start) }
    while end > start {
      let before = u.index(before: end)
      guard u[before] == 0x20 || u[before] == 0x09 else { break }
      end = before
    }
    if start == u.startIndex, end == u.endIndex { return self }
    return String(self[start..<end])
  }
}

extension Character {
  var isIdentifierStart: Bool { self == "_" || (isASCII && isLetter) }
  var isIdentifierBody: Bool { self == "_" || (isASCII && (isLetter || isNumber)) }
}
