import Foundation

/// Parses kept by what they were made from: the file's text, the configuration, and the text of
/// every other file the parse read from the tree (its includes). A later tree where all of these
/// read the same gets the kept parse. `audit` rebuilds a tree at every commit that changes one
/// of the callsite's files; the others are not parsed again.
///
/// Bounded: beyond `capacity` entries the oldest go.
public final class ParseMemo<Value: Sendable>: @unchecked Sendable {
  struct Key: Hashable {
    var file: String
    var text: String
  }
  struct Entry {
    /// Each file read: its version when the tree named one, and its text without comments.
    var reads: [String: (version: String?, text: String?)]
    /// The options the parse looked up and what it saw; nil when it read them all, and
    /// `config` must then be equal.
    var consulted: [String: ConfigValue?]?
    var config: KernelConfig
    var value: Value

    func holds(for other: KernelConfig) -> Bool {
      guard let consulted else { return other == config }
      return consulted.allSatisfy { name, value in other.unnoted(name) == value }
    }
  }

  private let lock = NSLock()
  private var entries: [Key: [Entry]] = [:]
  private var order: [Key] = []
  private let capacity: Int

  public init(capacity: Int = 64) { self.capacity = capacity }

  /// The kept value for `text` of `file` whose reads match `tree` and whose consulted options
  /// have the same values in `config`, or `make`'s (which reads through the tree and the
  /// configuration it is given, so both are noted), kept. A parse that never asks about
  /// `ARM64_BTI_KERNEL` is made once for the configurations with and without it.
  ///
  /// Texts are compared without their comments (`comments` says how they are written), with
  /// every line break kept: a change to a comment or to blank lines at the end cannot change
  /// the parse or a line number in it.
  func value(
    file: String, text: String, version: String? = nil, config: KernelConfig,
    tree: any KernelTree, comments: CommentStyle = .c,
    _ make: (any KernelTree, KernelConfig) -> Value
  ) -> Value {
    let key = Key(
      file: file,
      text: Commentless.shared.text(text, version: version ?? tree.version(of: file), comments))
    lock.lock()
    let candidates = entries[key] ?? []
    lock.unlock()
    for c in candidates
    where c.holds(for: config)
      && c.reads.allSatisfy({ path, kept in
        let v = tree.version(of: path)
        if let v, v == kept.version { return true }
        return tree.contents(of: path).map { Commentless.shared.text($0, version: v, path: path) }
          == kept.text
      })
    {
      return c.value
    }
    let log = TreeReads(tree)
    let noted = ConfigReads()
    let v = make(log, config.noting(into: noted))
    var reads: [String: (version: String?, text: String?)] = [:]
    for (path, text) in log.reads {
      let version = tree.version(of: path)
      reads[path] = (
        version, text.map { Commentless.shared.text($0, version: version, path: path) }
      )
    }
    lock.lock()
    defer { lock.unlock() }
    if entries[key] == nil { order.append(key) }
    entries[key, default: []].append(
      Entry(reads: reads, consulted: noted.consulted, config: config, value: v))
    while order.count > capacity {
      entries[order.removeFirst()] = nil
    }
    return v
  }
}

/// Texts without their comments, kept by the version of the text they come from (a git blob
/// ID): along a history most files do not change from one rebuild to the next, and each is
/// stripped once.
public final class Commentless: @unchecked Sendable {
  public static let shared = Commentless()
  private let lock = NSLock()
  private var kept: [String: String] = [:]
  private let capacity: Int

  public init(capacity: Int = 256) { self.capacity = capacity }

  /// `text` without the comments of the kind `path` is written in (see ``CommentStyle/init(path:)``);
  /// the text itself for a kind of file with no known comments.
  public func text(_ text: String, version: String?, path: String) -> String {
    guard let style = CommentStyle(path: path) else { return text }
    return self.text(text, version: version, style)
  }

  /// `text` without `style`'s comments; `version`, when known, names the text exactly.
  public func text(_ text: String, version: String?, _ style: CommentStyle) -> String {
    guard let version else { return style.strip(text) }
    let key = "\(style)|\(version)"
    lock.lock()
    if let k = kept[key] {
      lock.unlock()
      return k
    }
    lock.unlock()
    let stripped = style.strip(text)
    lock.lock()
    defer { lock.unlock() }
    if kept.count >= capacity { kept.removeAll(keepingCapacity: true) }
    kept[key] = stripped
    return stripped
  }
}

/// A tree that notes what is read from it.
final class TreeReads: KernelTree, @unchecked Sendable {
  private let tree: any KernelTree
  private let lock = NSLock()
  private var seen: [String: String?] = [:]

  init(_ tree: any KernelTree) { self.tree = tree }

  func contents(of path: String) -> String? {
    let t = tree.contents(of: path)
    lock.lock()
    seen[path] = t
    lock.unlock()
    return t
  }

  func unknownLines(in path: String) -> [ClosedRange<Int>] { tree.unknownLines(in: path) }
  func version(of path: String) -> String? { tree.version(of: path) }

  var reads: [String: String?] {
    lock.lock()
    defer { lock.unlock() }
    return seen
  }
}

/// How a kind of file writes its comments, for comparing texts without them.
public enum CommentStyle: Sendable {
  /// C and assembly through cpp: `/* … */` and `// …`, outside string and character literals.
  case c
  /// Makefiles and Kconfig: a line whose first non-blank character is `#`.
  case hash

  /// The comments of the file at `path`, by its name: C, headers and assembly through cpp
  /// (`.c`, `.h`, `.S`, `.lds`); Makefiles, Kbuild and Kconfig files (`.hash`); nil for
  /// any other kind, whose text is compared whole.
  public init?(path: String) {
    // Read as UTF-8 bytes: asked for every file a rebuild compares, so kept cheap.
    let slash = UInt8(ascii: "/")
    var u = path.utf8[...]
    while u.last == slash { u = u.dropLast() }
    let name = u.lastIndex(of: slash).map { u[u.index(after: $0)...] } ?? u
    func starts(_ p: String) -> Bool { name.starts(with: p.utf8) }
    func ends(_ s: String) -> Bool { name.reversed().starts(with: s.utf8.reversed()) }
    if starts("Makefile") || starts("Kbuild") || starts("Kconfig") || ends(".mk") {
      self = .hash
    } else if ends(".c") || ends(".h") || ends(".S") || ends(".lds") {
      self = .c
    } else {
      return nil
    }
  }

  /// `text` with its comments blanked (line breaks kept) and blank lines at the end dropped.
  public func strip(_ text: String) -> String {
    var out: [UInt8] = []
    let b = Array(text.utf8)
    out.reserveCapacity(b.count)
    switch self {
    case .c:
      var i = 0
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "*") {
          i += 2
          while i < b.count,
            !(b[i] == UInt8(ascii: "*") && i + 1 < b.count && b[i + 1] == UInt8(ascii: "/"))
          {
            if b[i] == UInt8(ascii: "\n") { out.append(b[i]) }
            i += 1
          }
          i += 2
          out.append(UInt8(ascii: " "))
        } else if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
          while i < b.count, b[i] != UInt8(ascii: "\n") { i += 1 }
        } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
          out.append(c)
          i += 1
          while i < b.count, b[i] != c, b[i] != UInt8(ascii: "\n") {
            if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
              out.append(b[i])
              i += 1
            }
            out.append(b[i])
            i += 1
          }
          if i < b.count, b[i] == c {
            out.append(c)
            i += 1
          }
        } else {
          out.append(c)
          i += 1
        }
      }
    case .hash:
      for line in b.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        let body = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        if body.first != UInt8(ascii: "#") { out += line }
        out.append(UInt8(ascii: "\n"))
      }
    }
    // Blanks at the ends of lines, and blank lines at the end, do not count.
    var lines = out.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
      line in
      var l = line
      while let last = l.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
        l = l.dropLast()
      }
      return l
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    return String(decoding: Array(lines.joined(separator: [UInt8(ascii: "\n")])), as: UTF8.self)
  }
}
