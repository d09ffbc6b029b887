import Diagnostics
import Foundation
import Git
import Mail
import PatchSeries

/// The first stage: where a series comes from and what it applies to (the inputs every command
/// shares), and the one function that turns them into a `SeriesSet`.
public struct SeriesInputs: Sendable, Hashable {
  /// Mbox, maildir, folder of `.patch` files, message, `-`, or a revision range with `repo`.
  public var inputs: [String]
  public var repo: String?
  public var base: String?
  public var tree: String?
  /// Limits git ranges to these paths.
  public var paths: [String]

  public init(
    inputs: [String], repo: String? = nil, base: String? = nil, tree: String? = nil,
    paths: [String] = []
  ) {
    self.inputs = inputs
    self.repo = repo
    self.base = base
    self.tree = tree
    self.paths = paths
  }

  /// Reads the inputs (mail, or a revision range with `repo`), assembles the series and, when a
  /// base is known, applies every version to it.
  public func load() throws(InputError) -> SeriesSet {
    var repository: Repository?
    if let repo {
      do throws(GitError) {
        repository = try Repository.open(path: repo)
      } catch {
        throw error.inputError(at: SourceLocation(file: repo))
      }
    }
    var set = SeriesSet()
    var fromGit = false
    for input in inputs {
      if let repository, input != "-", !FileManager.default.fileExists(atPath: input) {
        // Not a file: with --repo, a revision range.
        do throws(GitError) {
          let s = try GitSeries.assemble(repository: repository, range: input, paths: paths)
          set.versions.append(contentsOf: s.versions)
          set.diagnostics.append(contentsOf: s.diagnostics)
          fromGit = true
        } catch {
          throw InputError(
            "input.not-found", at: SourceLocation(file: input),
            "no such file, and not a revision range in \(repo ?? "the repository"): \(error.message)"
          )
        }
        continue
      }
      let mail = try MailInput.load(path: input)
      let s = SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
      let offset = set.versions.count
      set.versions.append(
        contentsOf: s.versions.map { v in
          var v = v
          v.previous = v.previous.map { $0 + offset }
          return v
        })
      set.unassigned.append(contentsOf: s.unassigned)
      set.diagnostics.append(contentsOf: s.diagnostics)
    }
    if let baseTree = try baseTree(repository: repository, set: &set), !fromGit {
      BaseApplier.apply(&set, base: baseTree)
    }
    return set
  }

  /// The base tree: `--tree DIR`, or `--repo` with `--base REV`, or `--repo` with the series'
  /// own `base-commit:` when that commit is in the repository.
  private func baseTree(repository: Repository?, set: inout SeriesSet) throws(InputError)
    -> (any SourceTree)?
  {
    if let tree { return try DirectoryTree(root: tree) }
    guard let repository else {
      if base != nil {
        throw InputError(
          "usage.base-without-repo", at: SourceLocation(file: "--base"),
          "--base needs --repo PATH (or use --tree DIR for a folder)")
      }
      return nil
    }
    if let base {
      do throws(GitError) {
        return try GitTree(repository: repository, rev: base)
      } catch {
        throw error.inputError(at: SourceLocation(file: "--base \(base)"))
      }
    }
    if let commit = set.versions.lazy.compactMap(\.baseCommit).first {
      do throws(GitError) {
        return try GitTree(repository: repository, rev: commit)
      } catch {
        set.diagnostics.append(
          Diagnostic(
            "series.base-not-found", .warning, at: SourceLocation(file: repo ?? ""),
            "base-commit \(commit) is not in the repository (\(error.message)); give --base REV "
              + "to apply the series"))
      }
    }
    return nil
  }
}
