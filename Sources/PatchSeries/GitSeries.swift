import Diagnostics
import Diff
import Git
import Mail

/// A git revision's tree, read through libgit2.
public struct GitTree: SourceTree {
  public let repository: Repository
  public let treeID: ObjectID
  public let name: String

  /// The tree of `rev` (any revision git understands) in `repository`.
  public init(repository: Repository, rev: String) throws(GitError) {
    self.repository = repository
    self.treeID = try repository.tree(of: rev)
    let commit = (try? repository.revParse(rev))?.abbreviated(12) ?? treeID.abbreviated(12)
    self.name = rev == commit ? rev : "\(rev) (\(commit))"
  }

  /// The tree `treeID` (a commit's `treeID`), shown as `name`.
  public init(repository: Repository, treeID: ObjectID, name: String) {
    self.repository = repository
    self.treeID = treeID
    self.name = name
  }

  /// The entry's object ID, a symbolic link followed as for ``contents(of:)`` (a folder's
  /// tree ID for a folder): no blob is read but a link's.
  public func blobID(of path: String) -> ObjectID? {
    do throws(GitError) {
      return try repository.file(at: path, inTree: treeID)?.id
    } catch {
      do throws(GitError) {
        return try repository.entryID(at: path, inTree: treeID)
      } catch {
        return nil
      }
    }
  }

  /// The file's text as a checkout has it: a symbolic link gives its target's text.
  public func contents(of path: String) -> String? {
    do throws(GitError) {
      guard let file = try repository.file(at: path, inTree: treeID) else { return nil }
      return String(decoding: try repository.blob(file.id), as: UTF8.self)
    } catch {
      return nil
    }
  }
}

/// Series read from git history: the commits of a range form one version.
public enum GitSeries {
  /// Reads `range` (`A..B`, `A...B` or one revision) from `repository` as one series version,
  /// each commit's diff limited to `paths` (all paths when empty). Each patch's post-image is the
  /// commit's own tree, so `applies` is true for every commit.
  public static func assemble(
    repository: Repository, range: String, paths: [String] = []
  ) throws(GitError) -> SeriesSet {
    let commits = try repository.commits(in: range)
    var diagnostics: [Diagnostic] = []
    var patches: [SeriesPatch] = []
    for (n, commit) in commits.enumerated() {
      let text = try repository.diff(of: commit, paths: paths)
      let file = "\(commit.id.abbreviated(12))"
      let (diff, diags) = DiffParser.parse(text, file: file, firstLine: 1)
      diagnostics.append(contentsOf: diags)
      let message = SeriesMessage(
        subject: commit.summary, messageID: nil, author: commit.author.description,
        date: commit.author.iso8601, location: SourceLocation(file: file, line: 1),
        body: commit.message)
      let trailers = Trailers.inPatch(body: commit.message).map {
        TrailerEntry(name: $0.name, value: $0.value)
      }
      let tree = try GitTree(repository: repository, rev: commit.id.description)
      patches.append(
        SeriesPatch(
          index: n + 1, total: commits.count, message: message, commit: commit.id.description,
          trailers: trailers, files: PatchFiles.summaries(of: diff), applies: true, diff: diff,
          postImage: tree))
    }
    let title = commits.count == 1 ? (commits.first?.summary ?? range) : range
    let base = commits.first?.parents.first?.description
    let version = SeriesVersion(
      version: 1, title: title, patches: patches, total: commits.count, baseCommit: base,
      origin: .git)
    return SeriesSet(versions: commits.isEmpty ? [] : [version], diagnostics: diagnostics)
  }
}
