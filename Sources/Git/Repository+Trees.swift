extension Repository {
  /// The root tree of the commit (or tree) named by `rev`, as `git rev-parse <rev>^{tree}`.
  ///
  /// - Throws: `GitError` `.notFound`/`.invalidSpec` for a bad revision, `.wrongObjectType` for
  ///   a blob.
  public func tree(of rev: String) throws(GitError) -> ObjectID {
    try withHandle { (repo) throws(GitError) -> ObjectID in
      let object = try LibGit2.revparseSingle(repo, rev)
      defer { LibGit2.freeObject(object) }
      let tree = try LibGit2.peelToTree(object)
      defer { LibGit2.freeObject(tree) }
      return LibGit2.objectID(of: tree)
    }
  }

  /// The bytes of the file at `path` in revision `rev` (`git show <rev>:<path>`), or nil when
  /// there is no such path there.
  ///
  /// - Throws: `GitError` for a bad revision, or `.wrongObjectType` when `path` is a folder or
  ///   a submodule.
  public func blob(at path: String, in rev: String) throws(GitError) -> [UInt8]? {
    try blob(at: path, inTree: try tree(of: rev))
  }

  /// The bytes of the file at `path` in the tree `treeID`, or nil when there is none.
  ///
  /// - Throws: `GitError` `.wrongObjectType` when `path` is a folder or a submodule.
  public func blob(at path: String, inTree treeID: ObjectID) throws(GitError) -> [UInt8]? {
    try withHandle { (repo) throws(GitError) -> [UInt8]? in
      let tree = try LibGit2.lookupTree(repo, treeID)
      defer { LibGit2.freeTree(tree) }
      guard let entry = try LibGit2.entry(tree, path: Self.normalise(path)) else { return nil }
      guard entry.kind == .blob else {
        throw GitError(
          .wrongObjectType, "'\(path)' is not a file", operation: "git_tree_entry_bypath",
          path: path)
      }
      return try LibGit2.blobContents(repo, entry.id)
    }
  }

  /// The bytes of the blob `id`.
  public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
    try withHandle { (repo) throws(GitError) -> [UInt8] in try LibGit2.blobContents(repo, id) }
  }

  /// The file at `path` in the tree `treeID` as a checkout gives it to a build: a symbolic
  /// link is followed (its target read relative to the link's folder, up to 8 links), where
  /// ``blob(at:inTree:)`` gives the link's own text as `git cat-file` does. Nil when there is
  /// no file there, or the link leaves the tree, is absolute, or goes round.
  ///
  /// - Returns: the path reached and the blob's ID, or nil.
  public func file(at path: String, inTree treeID: ObjectID) throws(GitError)
    -> (path: String, id: ObjectID)?
  {
    try withHandle { (repo) throws(GitError) -> (path: String, id: ObjectID)? in
      let tree = try LibGit2.lookupTree(repo, treeID)
      defer { LibGit2.freeTree(tree) }
      var p = Self.normalise(path)
      for _ in 0...8 {
        guard let entry = try LibGit2.entry(tree, path: p) else { return nil }
        guard entry.kind == .blob else {
          throw GitError(
            .wrongObjectType, "'\(p)' is not a file", operation: "git_tree_entry_bypath", path: p)
        }
        guard entry.isLink else { return (p, entry.id) }
        let target = String(decoding: try LibGit2.blobContents(repo, entry.id), as: UTF8.self)
        guard let next = Self.linkTarget(target, from: p) else { return nil }
        p = next
      }
      return nil
    }
  }

  /// The path a link at `link` with text `target` names, inside the tree; nil for an absolute
  /// target or one that climbs above the root.
  static func linkTarget(_ target: String, from link: String) -> String? {
    guard !target.hasPrefix("/"), !target.isEmpty else { return nil }
    var parts = link.split(separator: "/").dropLast().map(String.init)
    for part in target.split(separator: "/", omittingEmptySubsequences: true) {
      switch part {
      case ".": continue
      case "..":
        guard !parts.isEmpty else { return nil }
        parts.removeLast()
      default: parts.append(String(part))
      }
    }
    return parts.isEmpty ? nil : parts.joined(separator: "/")
  }

  /// The paths of all files (blobs and symbolic links; not submodules) in revision `rev` at or
  /// below `prefix`, in git's tree order, as `git ls-tree -r --name-only <rev> -- <prefix>`.
  ///
  /// `prefix` names a folder (a trailing `/` is optional) or a single file; the empty prefix
  /// means the whole tree. A prefix that does not exist gives an empty list.
  public func listFiles(in rev: String, under prefix: String = "") throws(GitError) -> [String] {
    try listFiles(inTree: try tree(of: rev), under: prefix)
  }

  /// The paths of all files in the tree `treeID` at or below `prefix` (see
  /// `listFiles(in:under:)`).
  public func listFiles(inTree treeID: ObjectID, under prefix: String = "") throws(GitError)
    -> [String]
  {
    try withHandle { (repo) throws(GitError) -> [String] in
      let root = try LibGit2.lookupTree(repo, treeID)
      defer { LibGit2.freeTree(root) }
      let start = Self.normalise(prefix)
      if start.isEmpty {
        var out: [String] = []
        try Self.collect(repo, treeID, prefix: "", into: &out)
        return out
      }
      guard let entry = try LibGit2.entry(root, path: start) else { return [] }
      switch entry.kind {
      case .blob: return [start]
      case .tree:
        var out: [String] = []
        try Self.collect(repo, entry.id, prefix: start + "/", into: &out)
        return out
      case .commit, .other: return []
      }
    }
  }

  private static func collect(
    _ repo: OpaquePointer, _ treeID: ObjectID, prefix: String, into out: inout [String]
  ) throws(GitError) {
    let tree = try LibGit2.lookupTree(repo, treeID)
    defer { LibGit2.freeTree(tree) }
    for entry in LibGit2.entries(tree) {
      switch entry.kind {
      case .blob: out.append(prefix + entry.name)
      case .tree: try collect(repo, entry.id, prefix: prefix + entry.name + "/", into: &out)
      case .commit, .other: continue
      }
    }
  }

  /// `path` without leading `./`/`/` and trailing `/`, as tree lookups want it.
  public static func normalise(_ path: String) -> String {
    var p = Substring(path)
    while p.hasPrefix("./") { p = p.dropFirst(2) }
    while p.hasPrefix("/") { p = p.dropFirst() }
    while p.hasSuffix("/") { p = p.dropLast() }
    return String(p)
  }
}

extension Repository {
  /// The object ID at `path` in the tree `treeID` (a blob's or a folder's), or nil when there
  /// is nothing there: what `git rev-parse <tree>:<path>` prints. Comparing these between a
  /// commit and its parent says whether anything under `path` changed, without a diff.
  public func entryID(at path: String, inTree treeID: ObjectID) throws(GitError) -> ObjectID? {
    let p = Self.normalise(path)
    if p.isEmpty { return treeID }
    return try withHandle { (repo) throws(GitError) -> ObjectID? in
      let tree = try LibGit2.lookupTree(repo, treeID)
      defer { LibGit2.freeTree(tree) }
      return try LibGit2.entry(tree, path: p)?.id
    }
  }

  /// The names and object IDs of the entries directly in the folder `path` of `treeID`, in
  /// tree order; empty when there is no such folder.
  public func entries(in path: String, inTree treeID: ObjectID) throws(GitError)
    -> [(name: String, id: ObjectID)]
  {
    let p = Self.normalise(path)
    return try withHandle { (repo) throws(GitError) -> [(name: String, id: ObjectID)] in
      var folder = treeID
      if !p.isEmpty {
        let root = try LibGit2.lookupTree(repo, treeID)
        defer { LibGit2.freeTree(root) }
        guard let e = try LibGit2.entry(root, path: p), e.kind == .tree else { return [] }
        folder = e.id
      }
      let tree = try LibGit2.lookupTree(repo, folder)
      defer { LibGit2.freeTree(tree) }
      return LibGit2.entries(tree).map { ($0.name, $0.id) }
    }
  }

  /// The entries named `names` directly in the tree `treeID` (nil for a name it does not
  /// have), and every entry whose name starts with one of `prefixes`, in tree order: one read
  /// of one tree, nothing else of it copied.
  public func children(
    named names: [String], prefixes: [String] = [], inTree treeID: ObjectID
  ) throws(GitError) -> (named: [TreeChild?], matching: [(name: String, child: TreeChild)]) {
    try withHandle {
      (repo) throws(GitError) -> (named: [TreeChild?], matching: [(name: String, child: TreeChild)])
      in
      try LibGit2.rawChildren(
        repo, treeID, named: names.map { Array($0.utf8) }, prefixes: prefixes.map { Array($0.utf8) }
      )
    }
  }
}

/// An entry of a tree as a watch sees it: its object, and whether that is a folder.
public struct TreeChild: Hashable, Sendable {
  public var id: ObjectID
  public var isTree: Bool

  public init(id: ObjectID, isTree: Bool) {
    self.id = id
    self.isTree = isTree
  }
}
