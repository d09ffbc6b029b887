extension Repository {
  /// The unified patch of `commit` against its first parent, as
  /// `git diff-tree -p -M --root <commit> -- <paths>` prints it (without the commit-id line).
  ///
  /// A root commit is diffed against the empty tree; a merge against its first parent. Renames
  /// are detected (`git_diff_find_similar`, 50% similarity, like `-M`) after the pathspec
  /// limit, so a rename with only one side inside `paths` shows as an add or a delete, as in git.
  /// The indent heuristic is on (git's default). Binary files show as
  /// `Binary files a/x and b/x differ`.
  ///
  /// - Parameters:
  ///   - commit: The commit to show.
  ///   - paths: Pathspecs (files, folders, or fnmatch globs); empty means everything.
  ///   - abbrev: Digits in `index` lines. git prints its `core.abbrev` (7 unless the repository
  ///     is large or configured; the Linux kernel's default `auto` gives 12). libgit2 always
  ///     cuts to exactly this length, while git lengthens an abbreviation that would be
  ///     ambiguous; pass 40 for `--full-index`.
  /// - Returns: The patch text; empty when nothing under `paths` changed.
  public func diff(of commit: Commit, paths: [String] = [], abbrev: Int = 7) throws(GitError)
    -> String
  {
    var parentTree: ObjectID?
    if let parent = commit.parents.first { parentTree = try self.commit(parent).treeID }
    return try diff(from: parentTree, to: commit.treeID, paths: paths, abbrev: abbrev)
  }

  /// The unified patch from tree `old` (nil: the empty tree) to tree `new`, limited to `paths`,
  /// with the same options as `diff(of:paths:abbrev:)`. Useful to compare a post-image with its
  /// base: `diff(from: image.baseTreeID, to: image.treeID)`.
  public func diff(from old: ObjectID?, to new: ObjectID, paths: [String] = [], abbrev: Int = 7)
    throws(GitError) -> String
  {
    try withHandle { (repo) throws(GitError) -> String in
      let newTree = try LibGit2.lookupTree(repo, new)
      defer { LibGit2.freeTree(newTree) }
      var oldTree: OpaquePointer?
      if let old { oldTree = try LibGit2.lookupTree(repo, old) }
      defer { LibGit2.freeTree(oldTree) }
      let diff = try LibGit2.diffTrees(
        repo, old: oldTree, new: newTree, paths: paths, abbrev: abbrev)
      defer { LibGit2.freeDiff(diff) }
      return try LibGit2.patchText(diff)
    }
  }

  /// `commit` as a mail, in the format of `git format-patch --stdout -1 <commit>`:
  ///
  ///     From <id> Mon Sep 17 00:00:00 2001
  ///     From: Name <email>
  ///     Date: Mon, 23 Jan 2023 17:45:20 +0100
  ///     Subject: [PATCH] <summary>
  ///
  ///     <body>
  ///     ---
  ///      <diffstat>
  ///
  ///     <diff>
  ///     --
  ///     libgit2 1.5.1
  ///
  /// Made by libgit2's `git_email_create_from_commit`, with rename detection and the indent
  /// heuristic on. Differences from git: the signature line after `-- ` names libgit2 instead
  /// of the git version; non-ASCII subjects are not RFC 2047-encoded; `index` lines use 7 digits.
  ///
  /// - Throws: `GitError` for a merge commit (libgit2 cannot format one).
  public func formatPatch(of commit: Commit) throws(GitError) -> String {
    try withHandle { (repo) throws(GitError) -> String in
      let handle = try LibGit2.lookupCommit(repo, commit.id)
      defer { LibGit2.freeCommit(handle) }
      return try LibGit2.email(handle)
    }
  }
}
