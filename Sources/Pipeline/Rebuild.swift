import Analysis
import Foundation
import Git
import KernelSource
import PatchSeries

/// What one rebuild of a tree's layouts depended on: every file it read, by blob ID (nil for a
/// path it looked for and the tree did not have), and the choices it was made with. Another
/// tree with the same blobs at those paths gives the same layouts, so `audit` can reuse them
/// across commits that did not touch those files.
///
/// `shapes` names the same files without their comments (see ``CommentStyle``): a tree whose
/// files differ from these only in comments, or in blank lines at their ends, gets the same
/// layouts too. Line breaks count, so every line number in the layouts stays true.
public struct RebuildInputs: Hashable, Sendable {
  public var files: [String: ObjectID?] {
    didSet { order = Self.checkOrder(files.keys) }
  }
  public var shapes: [String: ObjectID?] = [:]
  public var ownOptions: [String]
  public var overrides: [String: ConfigValue]
  public var defaults: Bool
  /// The paths of `files` in the order they are compared: the files that shape the callsite
  /// first (what a history changes), then the headers they include. A kept rebuild that does
  /// not match is then found out at its first path or so, not halfway through its reads.
  /// Made from `files` alone, so it changes no comparison.
  private var order: [String]

  public init(
    files: [String: ObjectID?], shapes: [String: ObjectID?] = [:], ownOptions: [String],
    overrides: [String: ConfigValue], defaults: Bool
  ) {
    self.files = files
    self.shapes = shapes
    self.ownOptions = ownOptions
    self.overrides = overrides
    self.defaults = defaults
    self.order = Self.checkOrder(files.keys)
  }

  static func checkOrder(_ paths: some Collection<String>) -> [String] {
    paths.sorted { a, b in
      let ka = PatchSitePaths.exact.contains(a)
      let kb = PatchSitePaths.exact.contains(b)
      return ka != kb ? ka : a < b
    }
  }

  /// Whether `tree` still has the same blob at every path this rebuild read.
  func matches(_ tree: any KernelTree) -> Bool {
    var seen = TreeVersions(tree)
    return matches(&seen)
  }

  /// ``matches(_:)`` with what was learnt of the tree kept across candidates.
  func matches(_ tree: inout TreeVersions) -> Bool {
    order.allSatisfy { path in tree.blobID(path) == files[path] ?? nil }
  }

  /// Whether every path this rebuild read has the same text in `tree` once comments are
  /// left out.
  func matchesShapes(_ tree: inout TreeVersions) -> Bool {
    // `shapes` is made for the paths of `files`; a path it does not name is not compared.
    !shapes.isEmpty
      && order.allSatisfy { path in shapes[path].map { tree.shape(path) == $0 } ?? true }
  }
}

/// The blob IDs of a tree's files, each looked up once: a git tree names them without reading
/// them; another tree's texts are hashed.
struct TreeVersions {
  let tree: any KernelTree
  private var known: [String: ObjectID?] = [:]
  private var shapes: [String: ObjectID?] = [:]

  init(_ tree: any KernelTree) { self.tree = tree }

  mutating func blobID(_ path: String) -> ObjectID? {
    if let k = known[path] { return k }
    let id: ObjectID? =
      tree.version(of: path).flatMap { ObjectID(hex: $0) }
      ?? Rebuild.blobID(tree.contents(of: path))
    known[path] = .some(id)
    return id
  }

  /// The ID of the file's text without comments; nil for no file.
  mutating func shape(_ path: String) -> ObjectID? {
    if let k = shapes[path] { return k }
    let id = Shapes.shared.shape(of: path, blob: blobID(path), in: tree)
    shapes[path] = .some(id)
    return id
  }
}

/// The IDs of files' texts without their comments, kept by blob ID: each blob is read and
/// stripped once in an audit, however many trees hold it.
final class Shapes: @unchecked Sendable {
  static let shared = Shapes()
  private let lock = NSLock()
  private var kept: [Key: ObjectID] = [:]

  /// A blob stripped one way: the same bytes as a Makefile and as C have different shapes.
  struct Key: Hashable {
    var blob: ObjectID
    var style: CommentStyle
  }

  func shape(of path: String, blob: ObjectID?, in tree: any KernelTree) -> ObjectID? {
    guard let blob else { return nil }
    guard let style = CommentStyle(path: path) else { return blob }  // compared whole
    let key = Key(blob: blob, style: style)
    lock.lock()
    if let k = kept[key] {
      lock.unlock()
      return k
    }
    lock.unlock()
    guard let text = tree.contents(of: path) else { return nil }
    // Only the ID is kept: the stripped text is not needed again.
    let id = Rebuild.blobID(style.strip(text))
    lock.lock()
    defer { lock.unlock() }
    if kept.count >= 65_536 { kept.removeAll(keepingCapacity: true) }
    if let id { kept[key] = id }
    return id
  }
}

/// One stage of the pipeline as a value: a tree's layouts and what they were built from.
public struct Rebuild: Sendable {
  public var inputs: RebuildInputs
  public var layouts: [Layout]
  /// Which kept rebuild this is (its place in the ``RebuildCache``); nil before it is kept.
  /// Rebuilds handed out by the cache with the same serial have the same layouts.
  public var serial: Int?

  /// The blob ID of a file's text, as git names it; nil for no file (or, never in practice,
  /// when libgit2 cannot hash).
  static func blobID(_ text: String?) -> ObjectID? {
    guard let text else { return nil }
    do throws(GitError) {
      return try ObjectID.blob(of: Array(text.utf8))
    } catch {
      return nil
    }
  }
}

/// Notes every path a rebuild reads from a tree: its text, or only its version (a cache that
/// compares versions depends on the file as much as a parse that reads it).
final class ReadLog: @unchecked Sendable {
  private let lock = NSLock()
  private var paths: [String: String?] = [:]
  private var named: Set<String> = []

  func note(_ path: String, _ text: String?) {
    lock.lock()
    defer { lock.unlock() }
    paths[path] = text
  }

  func noteVersion(_ path: String) {
    lock.lock()
    defer { lock.unlock() }
    named.insert(path)
  }

  var read: [String: String?] {
    lock.lock()
    defer { lock.unlock() }
    return paths
  }

  /// Paths whose version alone was asked for.
  var versioned: Set<String> {
    lock.lock()
    defer { lock.unlock() }
    return named
  }
}

/// A tree that reports what is read from it to a ``ReadLog``.
struct RecordingTree: KernelTree {
  let tree: any KernelTree
  let log: ReadLog

  func contents(of path: String) -> String? {
    let text = tree.contents(of: path)
    log.note(path, text)
    return text
  }

  func unknownLines(in path: String) -> [ClosedRange<Int>] { tree.unknownLines(in: path) }
  func version(of path: String) -> String? {
    log.noteVersion(path)
    return tree.version(of: path)
  }
}

/// Rebuilds kept by what they read: a tree that has the same blobs at those paths, with the
/// same choices, gets the kept layouts instead of a new rebuild.
public final class RebuildCache: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [Rebuild] = []
  /// How many lookups found a rebuild, and how many did not.
  public private(set) var hits = 0
  public private(set) var misses = 0

  public init() {}

  /// The kept rebuild `tree` matches under these choices, if any: one with the same blobs
  /// where it read, or else one whose files differ from the tree's only in comments.
  public func lookup(
    _ tree: any KernelTree, ownOptions: [String], overrides: [String: ConfigValue],
    defaults: Bool
  ) -> Rebuild? {
    lock.lock()
    let candidates = entries.filter {
      $0.inputs.ownOptions == ownOptions && $0.inputs.overrides == overrides
        && $0.inputs.defaults == defaults
    }
    lock.unlock()
    var seen = TreeVersions(tree)
    // The newest first: along a history the match is usually the last tree rebuilt.
    let found =
      candidates.reversed().first { $0.inputs.matches(&seen) }
      ?? candidates.reversed().first { $0.inputs.matchesShapes(&seen) }
    lock.lock()
    if found != nil { hits += 1 } else { misses += 1 }
    lock.unlock()
    return found
  }

  /// Keeps `r`, and gives it its serial.
  @discardableResult
  public func keep(_ r: Rebuild) -> Rebuild {
    lock.lock()
    defer { lock.unlock() }
    // Two workers can rebuild the same files at once: the second is the first's.
    if let same = entries.last(where: { $0.inputs == r.inputs }) {
      misses -= 1
      hits += 1
      return same
    }
    var r = r
    r.serial = entries.count
    entries.append(r)
    return r
  }
}
