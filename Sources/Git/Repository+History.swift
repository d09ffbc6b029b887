extension Repository {
  /// Calls `body` for every commit reachable from HEAD, oldest first, with the bytes of the
  /// file at `path` in that commit's tree (nil when the commit has no such file). One file is
  /// read at a time, so a history of any size is read in constant memory apart from libgit2's
  /// small per-commit record (libgit2's tree and blob cache is off meanwhile).
  ///
  /// This is how a public-inbox archive is read: each commit of an epoch's repository holds one
  /// message as the blob `m` (a deletion holds `d` instead).
  ///
  /// - Throws: `GitError` when the history or a tree cannot be read, or `path` is a folder.
  public func forEachCommitFile(
    at path: String, _ body: (ObjectID, [UInt8]?) -> Void
  ) throws(GitError) {
    let wanted = Self.normalise(path)
    try withHandle { (repo) throws(GitError) in
      try LibGit2.withoutTreeAndBlobCache { () throws(GitError) in
        try LibGit2.walkFromHeadOldestFirst(repo) { (id) throws(GitError) in
          let treeID = try LibGit2.commitTreeID(repo, id)
          let tree = try LibGit2.lookupTree(repo, treeID)
          defer { LibGit2.freeTree(tree) }
          guard let entry = try LibGit2.entry(tree, path: wanted) else {
            body(id, nil)
            return
          }
          guard entry.kind == .blob else {
            throw GitError(
              .wrongObjectType, "'\(path)' is not a file in commit \(id.abbreviated(12))",
              operation: "git_tree_entry_bypath", path: path)
          }
          body(id, try LibGit2.blobContents(repo, entry.id))
        }
      }
    }
  }
}
