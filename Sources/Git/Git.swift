import CLibGit2

/// The Git module: a Swift façade over libgit2 (Debian's `libgit2-dev`).
///
/// Start at `Repository.open(path:)`. Everything the module returns is a plain `Sendable`
/// value (`ObjectID`, `Commit`, `Signature`, patch text, bytes, `PostImage`), every failure a
/// typed `GitError`, and every libgit2 call goes through `Internals/LibGit2Calls.swift`.
/// Texts match the git command line byte for byte where the documentation says so (diffs,
/// format-patch mails, ISO dates), and the tests check them against git.
public enum GitLibrary {
  /// The version of the libgit2 linked in, such as `1.5.1` (`git_libgit2_version`).
  public static var libgit2Version: String { LibGit2.version() }
}
