import Analysis
import Foundation
import Git
import KernelSource

/// What one rebuild of a tree's layouts depended on: every file it read, by blob ID (nil for a
/// path it looked for and the tree did not have), and the choices it was made with. Another
/// tree with the same blobs at those paths gives the same layouts, so `audit` can reuse them
/// across commits that did not touch those files.
public struct RebuildInputs: Hashable, Sendable {
  public var files: [String: ObjectID?]
  public var ownOptions: [String]
  public var overrides: [String: ConfigValue]
  public var defaults: Bool

  /// Whether `tree` still has the same blob at every path this rebuild read.
  func matches(_ tree: any KernelTree) -> Bool {
    var seen = TreeVersions(tree)
    return matches(&seen)
  }

  /// ``matches(_:)`` with what was learnt of the tree kept across candidates.
  func matches(_ tree: inout TreeVersions) -> Bool {
    files.allSatisfy { path, id in tree.blobID(path) == id }
  }
}

/// The blob IDs of a tree's files, each looked up once: a git tree names them without reading
/// them; another tree's texts are hashed.
struct TreeVersions {
  let tree: any KernelTree
  private var known: [String: ObjectID?] = [:]

  init(_ tree: any KernelTree) { self.tree = tree }

  mutating func blobID(_ path: String) -> ObjectID? {
    if let k = known[path] { return k }
    let id: ObjectID? =
      tree.version(of: path).flatMap { ObjectID(hex: $0) }
      ?? Rebuild.blobID(tree.contents(of: path))
    known[path] = .some(id)
    return id
  }
}

/// One stage of the pipeline as a value: a tree's layouts and what they were built from.
public struct Rebuild: Sendable {
  public var inputs: RebuildInputs
  public var layouts: [Layout]

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

/// Notes every path a rebuild reads from a tree.
final class ReadLog: @unchecked Sendable {
  private let lock = NSLock()
  private var paths: [String: String?] = [:]

  func note(_ path: String, _ text: String?) {
    lock.lock()
    defer { lock.unlock() }
    paths[path] = text
  }

  var read: [String: String?] {
    lock.lock()
    defer { lock.unlock() }
    return paths
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
  func version(of path: String) -> String? { tree.version(of: path) }
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

  /// The kept rebuild `tree` matches under these choices, if any.
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
    let found = candidates.reversed().first { $0.inputs.matches(&seen) }
    lock.lock()
    if found != nil { hits += 1 } else { misses += 1 }
    lock.unlock()
    return found
  }

  public func keep(_ r: Rebuild) {
    lock.lock()
    defer { lock.unlock() }
    entries.append(r)
  }
}
