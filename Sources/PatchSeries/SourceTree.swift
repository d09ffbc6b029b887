import Diagnostics
import Foundation
import Git

/// A tree of source files that patches apply to and analyses read: a folder, a git revision, or
/// one of those with a series' changes laid over it.
public protocol SourceTree: Sendable {
  /// A short description for messages, e.g. `Series/base` or `v6.1 (a1b2c3d)`.
  var name: String { get }
  /// The file's text, or nil if the tree has no such file.
  func contents(of path: String) -> String?
  /// The runs of lines of `path` whose text the tree does not know (a tree rebuilt from hunks
  /// alone); they read as empty lines. Empty for a real tree.
  func unknownLines(in path: String) -> [ClosedRange<Int>]
  /// The blob ID of `path` when the tree knows it without reading the file (a git tree), else
  /// nil.
  func blobID(of path: String) -> ObjectID?
}

extension SourceTree {
  public func unknownLines(in path: String) -> [ClosedRange<Int>] { [] }
  public func blobID(of path: String) -> ObjectID? { nil }
}

/// A folder on disk used as a tree (`--tree DIR`).
public struct DirectoryTree: SourceTree {
  public let root: String
  public var name: String { root }

  /// Opens a folder as a tree.
  /// - Throws: `InputError` `tree.not-a-directory` if `root` is not a readable folder.
  public init(root: String) throws(InputError) {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
      throw InputError("tree.not-a-directory", at: SourceLocation(file: root), "not a directory")
    }
    self.root = root
  }

  /// The text of the file at `path` inside the tree; nil for a path that leaves it: `..`
  /// components, an absolute path, or a symbolic link (anywhere along the path) that
  /// resolves outside the root. A patch's paths never make Patchsite read elsewhere.
  public func contents(of path: String) -> String? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    guard !path.hasPrefix("/"), !parts.contains(".."), !path.contains("\u{0}") else { return nil }
    let full = root + "/" + path
    let inside = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
    guard inside.hasPrefix(resolvedRoot + "/") else { return nil }
    guard let data = FileManager.default.contents(atPath: inside) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  /// The root with its own symbolic links resolved, for comparing against.
  var resolvedRoot: String { URL(fileURLWithPath: root).resolvingSymlinksInPath().path }
}

/// A tree with some files replaced, added or deleted: the post-image of a patch over its base.
public struct OverlayTree: SourceTree {
  public let base: any SourceTree
  /// Path → new text, or nil for a deleted file.
  public private(set) var changes: [String: String?]
  public var name: String

  public init(base: any SourceTree, changes: [String: String?] = [:], name: String? = nil) {
    self.base = base
    self.changes = changes
    self.name = name ?? base.name
  }

  public func contents(of path: String) -> String? {
    if let change = changes[path] { return change }
    return base.contents(of: path)
  }

  /// Sets a file's text (nil deletes it).
  public mutating func set(_ path: String, to text: String?) {
    changes[path] = .some(text)
  }

  /// The paths this overlay changed, sorted.
  public var changedPaths: [String] { changes.keys.sorted() }
}
