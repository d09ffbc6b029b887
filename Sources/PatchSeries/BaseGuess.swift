import Diagnostics
import Diff
import Git

/// Finds the commit a series version was made against from its own patches: each file's
/// `index <old>..<new>` line names the blob the patch expects, and the base is a commit whose
/// tree has all of them (what `b4 am --guess-base` does).
public enum BaseGuess {
  /// For each path the version changes, the blob its first patch expects there. Files the
  /// version adds have none, and neither do patches without `index` lines.
  public static func expectations(of v: SeriesVersion) -> [BlobExpectation] {
    var seen = Set<String>()
    var out: [BlobExpectation] = []
    for p in v.patches {
      for f in p.diff?.files ?? [] {
        let path = f.oldPath ?? f.path
        guard seen.insert(path).inserted, !f.isNew, let index = f.index else { continue }
        let old = index.oldHash
        guard old.count >= 7, old.contains(where: { $0 != "0" }) else { continue }
        out.append(BlobExpectation(path: path, blobPrefix: old))
      }
    }
    return out
  }

  /// The search for a commit whose tree holds every blob `v` expects.
  public static func search(_ v: SeriesVersion, in repository: Repository) throws(GitError)
    -> BlobSearch
  {
    try repository.findCommit(withBlobs: expectations(of: v))
  }
}
