extension Repository {
  /// The object named by `spec`, as `git rev-parse <spec>` prints it.
  ///
  /// Accepts everything libgit2's `git_revparse_single` does: full or short hashes, branches,
  /// tags (the tag object itself for annotated tags, as `git rev-parse v1` does), `HEAD~2`,
  /// `v1^{commit}`, `HEAD:path`.
  ///
  /// - Throws: `GitError` `.notFound`, `.ambiguous` (short hash with several matches) or
  ///   `.invalidSpec`.
  public func revParse(_ spec: String) throws(GitError) -> ObjectID {
    try withHandle { (repo) throws(GitError) -> ObjectID in
      let object = try LibGit2.revparseSingle(repo, spec)
      defer { LibGit2.freeObject(object) }
      return LibGit2.objectID(of: object)
    }
  }

  /// The commit named by `spec`, peeling tags (`git rev-parse <spec>^{commit}`).
  ///
  /// - Throws: `GitError` as `revParse`, or `.wrongObjectType` when `spec` names a tree or blob.
  public func revParseCommit(_ spec: String) throws(GitError) -> Commit {
    try withHandle { (repo) throws(GitError) -> Commit in
      let object = try LibGit2.revparseSingle(repo, spec)
      defer { LibGit2.freeObject(object) }
      let commit = try LibGit2.peelToCommit(object)
      defer { LibGit2.freeObject(commit) }
      return LibGit2.readCommit(commit)
    }
  }

  /// The commit with object name `id`.
  ///
  /// - Throws: `GitError` `.notFound` if there is no such commit.
  public func commit(_ id: ObjectID) throws(GitError) -> Commit {
    try withHandle { (repo) throws(GitError) -> Commit in
      let commit = try LibGit2.lookupCommit(repo, id)
      defer { LibGit2.freeCommit(commit) }
      return LibGit2.readCommit(commit)
    }
  }

  /// The commits of a range, oldest first in topological order (every parent before its
  /// children, like `git log --reverse --topo-order <range>`).
  ///
  /// - `A..B`: commits reachable from `B` and not from `A` (`..B` and `A..` mean `HEAD`).
  /// - `A...B`: the symmetric difference, commits reachable from either but not from both, as
  ///   `git log A...B` (everything reachable from a merge base of `A` and `B` is hidden).
  /// - a single revision `A`: just that commit (not its history, unlike `git log A`), which is
  ///   how Patchsite reads "review this commit".
  ///
  /// Other rev-list syntax (`^A B`, `A^!`, `A^@`, several ranges) is not supported; libgit2's
  /// `git_revparse` rejects it with `.invalidSpec` or `.notFound`.
  ///
  /// The order is git's own (`sort_in_topological_order` in git's `commit.c`, see
  /// `topologicalOrder(_:)`), not libgit2's `GIT_SORT_TOPOLOGICAL`, which shows the branches of
  /// a merge in another order.
  ///
  /// - Throws: `GitError` `.notFound`/`.invalidSpec` for bad revisions, `.wrongObjectType`
  ///   when an end of the range is not a commit.
  public func commits(in range: String) throws(GitError) -> [Commit] {
    try withHandle { (repo) throws(GitError) -> [Commit] in
      let walked = try Self.rangeIDs(repo, range)
      guard walked.isRange else {
        let commit = try LibGit2.lookupCommit(repo, walked.ids[0])
        defer { LibGit2.freeCommit(commit) }
        return [LibGit2.readCommit(commit)]
      }
      return try Self.inTopologicalOrder(repo, walked.ids)
    }
  }

  /// The IDs `range` names: the walk of `A..B` or `A...B` (newest first), or the one commit a
  /// single revision names.
  static func rangeIDs(_ repo: OpaquePointer, _ range: String) throws(GitError)
    -> (ids: [ObjectID], isRange: Bool)
  {
    let ends = try rangeEnds(repo, range)
    guard ends.isRange else { return (ends.push, false) }
    return (try LibGit2.walk(repo, push: ends.push, hide: ends.hide), true)
  }

  /// The commits a walk of `range` stops at (`A` of `A..B`, the merge bases of `A...B`; none
  /// for one revision), each as a link: along a first-parent line, where the range starts
  /// from. Read before the walk, so that work on them can start at once.
  public func boundary(of range: String) throws(GitError) -> [CommitLink] {
    try withHandle { (repo) throws(GitError) -> [CommitLink] in
      let ends = try Self.rangeEnds(repo, range)
      return ends.isRange ? try LibGit2.rawLinks(repo, ends.hide) : []
    }
  }

  /// What a walk of `range` starts from and stops at: `A..B` pushes B and hides A; `A...B`
  /// pushes both and hides their merge bases; one revision is itself, not a range.
  static func rangeEnds(_ repo: OpaquePointer, _ range: String) throws(GitError)
    -> (push: [ObjectID], hide: [ObjectID], isRange: Bool)
  {
    let spec = try LibGit2.revparse(repo, range)
    defer {
      LibGit2.freeObject(spec.from)
      LibGit2.freeObject(spec.to)
    }
    guard spec.isRange else {
      guard let from = spec.from else {
        throw GitError(.invalidSpec, "empty revision '\(range)'", operation: "git_revparse")
      }
      let commit = try LibGit2.peelToCommit(from)
      defer { LibGit2.freeObject(commit) }
      return ([LibGit2.objectID(of: commit)], [], false)
    }
    let from = try Self.commitID(spec.from, in: repo)
    let to = try Self.commitID(spec.to, in: repo)
    if spec.isSymmetric {
      return ([from, to], try LibGit2.mergeBases(repo, from, to), true)
    }
    return ([to], [from], true)
  }

  /// `commits` (newest first by committer date, as the walk gives them) in git's
  /// `--topo-order`, newest first: git's `sort_in_topological_order` with
  /// `REV_SORT_IN_GRAPH_ORDER`.
  ///
  /// A commit is emitted once all its children in the set are; ready commits wait on a stack,
  /// so after a merge the last parent's line is shown first, and the first tips in date order
  /// come out first.
  static func topologicalOrder(_ commits: [Commit]) -> [Commit] {
    topologicalOrder(commits, id: \.id, parents: \.parents)
  }

  /// ``topologicalOrder(_:)`` over anything with an ID and parents.
  static func topologicalOrder<C>(
    _ commits: [C], id: (C) -> ObjectID, parents: (C) -> [ObjectID],
    positions known: [ObjectID: Int]? = nil
  ) -> [C] {
    let index = known ?? Self.positions(commits, id: id)
    // indegree 0: emitted (or not in the set); otherwise 1 + children still to emit.
    var indegree = [Int](repeating: 1, count: commits.count)
    for c in commits {
      for p in parents(c) { if let j = index[p] { indegree[j] += 1 } }
    }
    var stack: [Int] = commits.indices.filter { indegree[$0] == 1 }.reversed()
    var out: [C] = []
    out.reserveCapacity(commits.count)
    while let i = stack.popLast() {
      for p in parents(commits[i]) {
        guard let j = index[p], indegree[j] > 0 else { continue }
        indegree[j] -= 1
        if indegree[j] == 1 { stack.append(j) }
      }
      indegree[i] = 0
      out.append(commits[i])
    }
    return out
  }

  /// The commits of `range` (as `commits(in:)`) with each one's diff limited to `paths` (as
  /// `diff(of:paths:)`): the walk `git log -p --reverse <range> -- <paths>` does.
  ///
  /// When `paths` is not empty, commits whose diff is empty are left out, as `git log -- paths`
  /// leaves out commits that do not touch them, and so are merges that match any parent under
  /// `paths` (git's history simplification drops those too; unlike git, the commits on the
  /// other side of such a merge are still listed). A merge that is kept is diffed against its
  /// first parent (git log shows no diff for merges by default). Benchmarks use this function.
  public func commitDiffs(in range: String, paths: [String] = [], abbrev: Int = 7)
    throws(GitError) -> [CommitDiff]
  {
    var out: [CommitDiff] = []
    for commit in try commits(in: range) {
      let patch = try diff(of: commit, paths: paths, abbrev: abbrev)
      if !paths.isEmpty && patch.isEmpty { continue }
      if !paths.isEmpty && commit.isMerge {
        var sameAsAParent = false
        for parent in commit.parents.dropFirst() {
          let other = try diff(from: self.commit(parent).treeID, to: commit.treeID, paths: paths)
          if other.isEmpty { sameAsAParent = true }
        }
        if sameAsAParent { continue }
      }
      out.append(CommitDiff(commit: commit, patch: patch))
    }
    return out
  }

  /// The commit an end of a range names (nil means HEAD, for `A..` and `..B`).
  private static func commitID(_ object: OpaquePointer?, in repo: OpaquePointer) throws(GitError)
    -> ObjectID
  {
    if let object {
      let commit = try LibGit2.peelToCommit(object)
      defer { LibGit2.freeObject(commit) }
      return LibGit2.objectID(of: commit)
    }
    let head = try LibGit2.revparseSingle(repo, "HEAD")
    defer { LibGit2.freeObject(head) }
    let commit = try LibGit2.peelToCommit(head)
    defer { LibGit2.freeObject(commit) }
    return LibGit2.objectID(of: commit)
  }
}

extension Repository {
  /// The commits `ids` read from `repo`, oldest first in git's `--topo-order`.
  static func inTopologicalOrder(_ repo: OpaquePointer, _ ids: [ObjectID]) throws(GitError)
    -> [Commit]
  {
    var commits: [Commit] = []
    commits.reserveCapacity(ids.count)
    for id in ids {
      let commit = try LibGit2.lookupCommit(repo, id)
      defer { LibGit2.freeCommit(commit) }
      commits.append(LibGit2.readCommit(commit))
    }
    return topologicalOrder(commits).reversed()
  }

  /// The commits of `range` (`A..B`, `A...B`), or of one revision's whole history, as links
  /// only (ID, parents, tree), oldest first in git's `--topo-order`: a walk over a kernel's
  /// history without copying every message and signature.
  public func links(in range: String) throws(GitError) -> [CommitLink] {
    Self.oldestFirst(try walkLinks(range))
  }

  /// The links of `range`'s commits, newest first by committer date as ``walk(_:)`` gives
  /// them, each commit read once (its tree, parents and date from its raw bytes) by a walk of
  /// our own with git's rules for ranges (`limit_list`: a commit reachable from a hidden one is
  /// left out; the walk stops once only hidden commits remain, after a slop of five).
  /// A repository the walk cannot read as plain objects (shallow, or a missing object) is
  /// walked by libgit2 instead, and its commits read after.
  ///
  /// `visit`, when given, sees each commit as the walk takes it, before the walk ends, so that
  /// work on it can start at once: a commit of a range that the rest of the walk finds to be
  /// reachable from a hidden one is visited but not returned, and a commit may be visited twice
  /// (when the walk falls back to libgit2's).
  public func walkLinks(_ range: String, visit: ((CommitLink) -> Void)? = nil)
    throws(GitError) -> [CommitLink]
  {
    let own = try withHandle { (repo) throws(GitError) -> [CommitLink]? in
      guard !LibGit2.isShallow(repo) else { return nil }
      let ends = try Self.rangeEnds(repo, range)
      do throws(GitError) {
        return try LibGit2.walkRaw(
          repo, push: ends.push, hide: ends.isRange ? ends.hide : [], visit: visit)
      } catch {
        return nil
      }
    }
    if let own { return own }
    let links = try links(of: walk(range))
    if let visit { links.forEach(visit) }
    return links
  }

  /// The commits of `range` (`A..B`, `A...B`), or of one revision's whole history, newest
  /// first by committer date: the walk alone, for callers that read the commits themselves
  /// (``links(of:)``, in several workers).
  public func walk(_ range: String) throws(GitError) -> [ObjectID] {
    try withHandle { (repo) throws(GitError) -> [ObjectID] in
      let walked = try Self.rangeIDs(repo, range)
      return walked.isRange ? walked.ids : try LibGit2.walk(repo, push: walked.ids, hide: [])
    }
  }

  /// The links (ID, parents, tree) of the commits `ids`, in the same order.
  /// Read from each commit's raw bytes (`tree` and `parent` lines): nothing else is parsed.
  public func links(of ids: some Collection<ObjectID>) throws(GitError) -> [CommitLink] {
    try withHandle { (repo) throws(GitError) -> [CommitLink] in
      try LibGit2.rawLinks(repo, ids)
    }
  }

  /// `links` oldest first in git's `--topo-order`. `positions`, when given, is each link's
  /// index in `links` (``positions(_:)``), so that a caller that needs it too builds it once.
  public static func oldestFirst(_ links: [CommitLink], positions: [ObjectID: Int]? = nil)
    -> [CommitLink]
  {
    topologicalOrder(links, id: \.id, parents: \.parents, positions: positions).reversed()
  }

  /// Each link's index in `links`, by ID.
  public static func positions(_ links: [CommitLink]) -> [ObjectID: Int] {
    positions(links, id: \.id)
  }

  static func positions<C>(_ commits: [C], id: (C) -> ObjectID) -> [ObjectID: Int] {
    var index: [ObjectID: Int] = [:]
    index.reserveCapacity(commits.count)
    for (i, c) in commits.enumerated() { index[id(c)] = i }
    return index
  }
}

/// A commit's place in the graph: its ID, its parents and its tree.
public struct CommitLink: Hashable, Sendable {
  public var id: ObjectID
  public var parents: [ObjectID]
  public var treeID: ObjectID
}
