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

  /// `commit` as a mail, as `git format-patch --stdout -1 --no-stat --no-signature <commit>`
  /// prints it (or with `--signature=<signature>` when one is given):
  ///
  ///     From <id> Mon Sep 17 00:00:00 2001
  ///     From: Name <email>
  ///     Date: Mon, 23 Jan 2023 17:45:20 +0100
  ///     Subject: [PATCH] <summary, folded at 78 columns>
  ///
  ///     <body>
  ///
  ///     <diff, binary files as `GIT binary patch`>
  ///
  /// Like `git am`, a mail reader finds the diff at the first `diff --git` line. What differs
  /// from git: there is no diffstat (so no `---` line either; git prints one only before the
  /// stat); names and subjects with non-ASCII characters are not RFC 2047-encoded; the zlib
  /// bytes inside `GIT binary patch` hunks are compressed differently from git's (they inflate
  /// to the same data and apply the same); `index` lines use `abbrev` digits.
  ///
  /// - Throws: `GitError` `.invalidArgument` for a merge commit (git format-patch skips those).
  public func formatPatch(of commit: Commit, signature: String? = nil, abbrev: Int = 7)
    throws(GitError) -> String
  {
    if commit.isMerge {
      throw GitError(
        .invalidArgument, "cannot format merge commit \(commit.id) as a patch",
        operation: "formatPatch")
    }
    var parentTree: ObjectID?
    if let parent = commit.parents.first { parentTree = try self.commit(parent).treeID }
    let patch = try withHandle { (repo) throws(GitError) -> String in
      let newTree = try LibGit2.lookupTree(repo, commit.treeID)
      defer { LibGit2.freeTree(newTree) }
      var oldTree: OpaquePointer?
      if let parentTree { oldTree = try LibGit2.lookupTree(repo, parentTree) }
      defer { LibGit2.freeTree(oldTree) }
      let diff = try LibGit2.diffTrees(
        repo, old: oldTree, new: newTree, paths: [], abbrev: abbrev, binary: true)
      defer { LibGit2.freeDiff(diff) }
      return try LibGit2.patchText(diff)
    }
    return MailFormat.formatPatch(commit, patch: patch, signature: signature)
  }

}
