/// A path and the blob a series expects there, as the `index <old>..<new>` line of a patch
/// names it: an abbreviated object ID (7 or more hex digits).
public struct BlobExpectation: Hashable, Sendable, CustomStringConvertible {
  public var path: String
  public var blobPrefix: String

  public init(path: String, blobPrefix: String) {
    self.path = path
    self.blobPrefix = blobPrefix.lowercased()
  }

  public var description: String { "\(path) at \(blobPrefix)" }
}

/// What a search for a series' base found.
public struct BlobSearch: Sendable, Hashable {
  /// The newest commit that has every expected blob, if any.
  public var commit: ObjectID?
  /// When none has them all: the newest commit that has the most, and which it has.
  public var closest: (commit: ObjectID, matched: [BlobExpectation])? {
    closestCommit.map { ($0, closestMatched) }
  }
  var closestCommit: ObjectID?
  var closestMatched: [BlobExpectation] = []
  /// How many commits were examined.
  public var examined: Int

  public static func == (a: BlobSearch, b: BlobSearch) -> Bool {
    a.commit == b.commit && a.closestCommit == b.closestCommit
      && a.closestMatched == b.closestMatched && a.examined == b.examined
  }
  public func hash(into h: inout Hasher) {
    h.combine(commit)
    h.combine(closestCommit)
    h.combine(closestMatched)
    h.combine(examined)
  }
}

extension Repository {
  /// The newest commit, reachable from HEAD or from a branch or tag, whose tree holds every
  /// expected path at a blob whose ID starts with the expected prefix: the base a series was
  /// made against, found the way `b4 am --guess-base` finds it. When no commit has them all,
  /// the search also says which commit came closest.
  ///
  /// The walk goes newest first by committer date and stops after `limit` commits.
  public func findCommit(withBlobs expected: [BlobExpectation], limit: Int = 500_000)
    throws(GitError) -> BlobSearch
  {
    var result = BlobSearch(examined: 0)
    guard !expected.isEmpty else { return result }
    return try withHandle { (repo) throws(GitError) -> BlobSearch in
      // Trees already judged (their matching expectations), since commits often share them.
      var verdicts: [ObjectID: [BlobExpectation]] = [:]
      try LibGit2.walkReachable(repo, globs: ["refs/heads/*", "refs/tags/*"]) {
        (id) throws(GitError) -> Bool in
        result.examined += 1
        let treeID = try LibGit2.commitTreeID(repo, id)
        let matched: [BlobExpectation]
        if let v = verdicts[treeID] {
          matched = v
        } else {
          let tree = try LibGit2.lookupTree(repo, treeID)
          defer { LibGit2.freeTree(tree) }
          var m: [BlobExpectation] = []
          for e in expected {
            if let entry = try LibGit2.entry(tree, path: Self.normalise(e.path)),
              entry.kind == .blob, entry.id.description.hasPrefix(e.blobPrefix)
            {
              m.append(e)
            }
          }
          verdicts[treeID] = m
          matched = m
        }
        if matched.count == expected.count {
          result.commit = id
          return false
        }
        if matched.count > result.closestMatched.count {
          result.closestCommit = id
          result.closestMatched = matched
        }
        return result.examined < limit
      }
      return result
    }
  }
}
