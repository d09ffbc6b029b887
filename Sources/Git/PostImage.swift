/// The tree a patch produces, kept in memory: what the files look like after applying it.
///
/// A post-image is a tree object name plus the repository that holds it. The tree and its new
/// blobs live in an in-memory object database (libgit2 `mempack`) added to the repository, so
/// nothing is written to disk; they last as long as the `Repository`. Apply the next patch of a
/// series with `Repository.applyPatch(_:to:)` passing this post-image.
public struct PostImage: Sendable {
  /// The repository holding the trees.
  public let repository: Repository
  /// The tree the patch was applied to.
  public let baseTreeID: ObjectID
  /// The tree after the patch.
  public let treeID: ObjectID
  /// Every path the patch touches (old and new names of renames, added and deleted files),
  /// sorted and without duplicates.
  public let changedPaths: [String]

  /// A post-image from its parts.
  public init(
    repository: Repository, baseTreeID: ObjectID, treeID: ObjectID, changedPaths: [String]
  ) {
    self.repository = repository
    self.baseTreeID = baseTreeID
    self.treeID = treeID
    self.changedPaths = changedPaths
  }

  /// The bytes of `path` after the patch, or nil when it does not exist there (deleted, never
  /// there, a folder) or cannot be read. Use `readContents(of:)` to see the error.
  public func contents(of path: String) -> [UInt8]? {
    (try? repository.blob(at: path, inTree: treeID)) ?? nil
  }

  /// The bytes of `path` after the patch, or nil when the path does not exist.
  ///
  /// - Throws: `GitError` `.wrongObjectType` when `path` is a folder, or on a read failure.
  public func readContents(of path: String) throws(GitError) -> [UInt8]? {
    try repository.blob(at: path, inTree: treeID)
  }

  /// All files at or below `prefix` after the patch (see `Repository.listFiles(in:under:)`).
  public func listFiles(under prefix: String = "") throws(GitError) -> [String] {
    try repository.listFiles(inTree: treeID, under: prefix)
  }

  /// The patch from the base tree to this post-image as git would print it, limited to `paths`.
  public func diff(paths: [String] = [], abbrev: Int = 7) throws(GitError) -> String {
    try repository.diff(from: baseTreeID, to: treeID, paths: paths, abbrev: abbrev)
  }
}

extension Repository {
  /// Applies `patchText` to the tree of revision `rev` in memory, touching neither the work
  /// tree, the index nor the object files on disk (`git apply --cached` into a scratch index).
  ///
  /// `patchText` is git diff text with `diff --git` headers, such as `git diff`, `git show` or
  /// `git format-patch` output (text before the first `diff --git` line, such as mail headers
  /// and the diffstat, is skipped by libgit2). libgit2: `git_diff_from_buffer`,
  /// `git_apply_to_tree`, `git_index_write_tree_to`.
  ///
  /// - Throws: `GitError` `.invalidPatch` when the text is not a patch libgit2 can parse
  ///   (libgit2 says `no patch found` for text without any `diff --git`, such as a cover letter);
  ///   `.applyFailed` when a hunk does not apply. libgit2's message for a failed hunk is like
  ///   `hunk at line 3 did not apply` and does not name the file, so the error's `path` is set
  ///   to the file being applied (seen through libgit2's per-file callback) and `description`
  ///   shows it. A patch that creates a file which already exists fails with
  ///   `'x' already exists in the tree` (checked here; libgit2 1.5 would overwrite the file),
  ///   and a deletion that does not cover the whole file with `removal patch leaves file
  ///   contents` (checked here too; libgit2 would delete it). A patch that changes a file the
  ///   tree does not have fails with libgit2's `the path 'x.c' does not exist in the given tree`
  ///   (which names only the last path component; `path` has the whole path).
  public func applyPatch(_ patchText: String, to rev: String) throws(GitError) -> PostImage {
    try applyPatch(patchText, toTree: try tree(of: rev))
  }

  /// Applies `patchText` on top of an earlier post-image, for the next patch of a series.
  public func applyPatch(_ patchText: String, to image: PostImage) throws(GitError) -> PostImage {
    try applyPatch(patchText, toTree: image.treeID)
  }

  /// Applies `patchText` to the tree `treeID` in memory (see `applyPatch(_:to:)`).
  public func applyPatch(_ patchText: String, toTree treeID: ObjectID) throws(GitError)
    -> PostImage
  {
    try withHandle { (repo) throws(GitError) -> PostImage in
      try installMemoryBackendIfNeeded(repo)
      let diff = try LibGit2.parsePatch(patchText)
      defer { LibGit2.freeDiff(diff) }
      let tree = try LibGit2.lookupTree(repo, treeID)
      defer { LibGit2.freeTree(tree) }
      let deltas = LibGit2.deltas(diff)
      try Self.checkNewPathsAreFree(deltas, in: tree)
      let result = try LibGit2.apply(repo, diff: diff, to: tree)
      try Self.checkDeletionsRemoveEverything(deltas, diff: diff, base: tree, repo: repo)
      var paths = Set<String>()
      for delta in deltas {
        for p in [delta.oldPath, delta.newPath] where !p.isEmpty && p != "/dev/null" {
          paths.insert(p)
        }
      }
      return PostImage(
        repository: self, baseTreeID: treeID, treeID: result, changedPaths: paths.sorted())
    }
  }

  /// `git apply`'s "removal patch leaves file contents" check, which libgit2 1.5 lacks (it
  /// deletes the file once the hunk matches, even if the file has more lines): the hunks of a
  /// text deletion must cover every line of the old file.
  private static func checkDeletionsRemoveEverything(
    _ deltas: [LibGit2.Delta], diff: OpaquePointer, base tree: OpaquePointer,
    repo: OpaquePointer
  ) throws(GitError) {
    for (i, delta) in deltas.enumerated() where delta.status == .deleted && !delta.isBinary {
      guard let entry = try LibGit2.entry(tree, path: delta.oldPath), entry.kind == .blob
      else { continue }
      let bytes = try LibGit2.blobContents(repo, entry.id)
      var lines = bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
      if let last = bytes.last, last != 10 { lines += 1 }
      if try LibGit2.oldLinesCovered(diff, delta: i) != lines {
        throw GitError(
          .applyFailed, "removal patch leaves file contents", operation: "git_apply_to_tree",
          path: delta.oldPath)
      }
    }
  }

  /// `git apply`'s "already exists" check, which libgit2 1.5 lacks (it silently replaces the
  /// file): a created file, or the target of a rename or copy, must not exist in the base tree
  /// unless the same patch deletes or renames it away.
  private static func checkNewPathsAreFree(_ deltas: [LibGit2.Delta], in tree: OpaquePointer)
    throws(GitError)
  {
    let leaving = Set(
      deltas.filter { $0.status == .deleted || $0.status == .renamed }.map(\.oldPath))
    for delta in deltas where [.added, .renamed, .copied].contains(delta.status) {
      let path = delta.newPath
      if leaving.contains(path) { continue }
      if try LibGit2.entry(tree, path: path) != nil {
        throw GitError(
          .applyFailed, "'\(path)' already exists in the tree", operation: "git_apply_to_tree",
          path: path)
      }
    }
  }
}
