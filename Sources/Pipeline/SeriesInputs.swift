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
    try loadWithMessages().set
  }

  /// ``load()``, reading mail as a stream (`SeriesAssembler.read(path:keeping:)`) and keeping
  /// only `keep` of each message: each message is dropped once read, so the memory follows the
  /// series and not the input. `.diffs` is enough to apply the versions or find their bases.
  public func load(keeping keep: SeriesAssembler.Keep) throws(InputError) -> SeriesSet {
    try assemble { (path) throws(InputError) in
      try SeriesAssembler.read(path: path, keeping: keep)
    }
  }

  /// ``load()``, with every mail message read from the inputs (in input order), for commands
  /// that answer messages (`reply`); none for revision ranges.
  public func loadWithMessages() throws(InputError) -> (set: SeriesSet, messages: [Message]) {
    var messages: [Message] = []
    let set = try assemble { (path) throws(InputError) in
      let mail = try MailInput.load(path: path)
      messages.append(contentsOf: mail.messages)
      return SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
    }
    return (set, messages)
  }

  /// Reads every input — a revision range through `GitSeries`, mail through `readMail` — into
  /// one set, and applies it to its bases unless it came from git.
  private func assemble(
    readMail: (String) throws(InputError) -> SeriesSet
  ) throws(InputError) -> SeriesSet {
    let repository = try openRepository()
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
      let s = try readMail(input)
      let offset = set.versions.count
      if offset == 0 {
        // The first input's versions keep their links as they are: no copy of each.
        set.versions = s.versions
      } else {
        set.versions.append(
          contentsOf: s.versions.map { v in
            var v = v
            v.previous = v.previous.map { $0 + offset }
            return v
          })
      }
      set.unassigned.append(contentsOf: s.unassigned)
      set.diagnostics.append(contentsOf: s.diagnostics)
    }
    if !fromGit { try applyToBases(repository: repository, set: &set) }
    return set
  }

  /// Applies every version of `set` to the base these inputs name (`tree`, or `repo` with or
  /// without `base`), as `load()` does after reading; nothing without a base. For callers that
  /// assemble the set themselves (`scan`).
  public func applyBases(to set: inout SeriesSet) throws(InputError) {
    try applyToBases(repository: try openRepository(), set: &set)
  }

  /// The repository `repo` names, opened; nil without one.
  private func openRepository() throws(InputError) -> Repository? {
    guard let repo else { return nil }
    do throws(GitError) {
      return try Repository.open(path: repo)
    } catch {
      throw error.inputError(at: SourceLocation(file: repo))
    }
  }

  /// Applies every version to its base: `--tree DIR`, or `--repo` with `--base REV`, or with
  /// `--repo` alone the version's own `base-commit:` when the repository has it, else the
  /// commit whose files have the blobs the version's patches expect (as `b4 am --guess-base`).
  private func applyToBases(repository: Repository?, set: inout SeriesSet) throws(InputError) {
    if let tree {
      BaseApplier.apply(&set, base: try DirectoryTree(root: tree))
      return
    }
    guard let repository else {
      if base != nil {
        throw InputError(
          "usage.base-without-repo", at: SourceLocation(file: "--base"),
          "--base needs --repo PATH (or use --tree DIR for a folder)")
      }
      return
    }
    if let base {
      do throws(GitError) {
        BaseApplier.apply(&set, base: try GitTree(repository: repository, rev: base))
      } catch {
        throw error.inputError(at: SourceLocation(file: "--base \(base)"))
      }
      return
    }
    let at = SourceLocation(file: repo ?? "")
    for v in set.versions.indices {
      let version = set.versions[v]
      if let commit = version.baseCommit {
        do throws(GitError) {
          BaseApplier.apply(
            &set, version: v, base: try GitTree(repository: repository, rev: commit))
          continue
        } catch {
          set.diagnostics.append(
            Diagnostic(
              "series.base-not-found", .warning, at: at,
              "v\(version.version): base-commit \(commit) is not in the repository "
                + "(\(error.message)); looking for the blobs its patches expect instead"))
        }
      }
      do throws(GitError) {
        let want = BaseGuess.expectations(of: version)
        let found = try BaseGuess.search(version, in: repository)
        guard let commit = found.commit else {
          var why: String
          if want.isEmpty {
            why = "the patches name no blobs (no `index` lines)"
          } else {
            why =
              "none of the \(found.examined) commits examined has all \(want.count) blobs the "
              + "patches expect (\(want.map(\.description).joined(separator: ", ")))"
            if let (c, matched) = found.closest {
              why +=
                "; the closest, \(c.abbreviated(12)), has \(matched.count) of them "
                + "(\(matched.map(\.path).joined(separator: ", ")))"
            }
          }
          set.diagnostics.append(
            Diagnostic(
              "series.base-not-found", .warning, at: at,
              "v\(version.version): no base: \(why); give --base REV"))
          continue
        }
        let expected = want
        set.versions[v].guessedBase = commit.description
        set.diagnostics.append(
          Diagnostic(
            "series.base-guessed", .note, at: at,
            "v\(version.version) applies to \(commit.abbreviated(12)), found from the blobs its "
              + "patches expect (\(expected.count) file\(expected.count == 1 ? "" : "s"))"))
        BaseApplier.apply(
          &set, version: v, base: try GitTree(repository: repository, rev: commit.description))
      } catch {
        set.diagnostics.append(
          Diagnostic(
            "series.base-not-found", .warning, at: at,
            "v\(version.version): could not search the repository for a base: \(error.message)"))
      }
    }
  }
}
