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
  /// - Throws: `GitError` `.invalidPatch` when the text is not a patch libgit2 can parse;
  ///   `.applyFailed` when a hunk does not apply. libgit2's message for a failed hunk is like
  ///   `hunk at line 3 did not apply` and does not name the file, so the error's `path` is set
  ///   to the file being applied (seen through libgit2's per-file callback) and `description`
  ///   shows it. Other messages (`'x' already exists in index`) do name the file.
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
      let result = try LibGit2.apply(repo, diff: diff, to: tree)
      var paths = Set<String>()
      for pair in LibGit2.deltaPaths(diff) {
        for p in [pair.old, pair.new] where !p.isEmpty && p != "/dev/null" { paths.insert(p) }
      }
      return PostImage(
        repository: self, baseTreeID: treeID, treeID: result, changedPaths: paths.sorted())
    }
  }
}
