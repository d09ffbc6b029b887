/// A git repository opened through libgit2: the entry point of the Git module.
///
/// Open one with `Repository.open(path:)`; every query (`revParse`, `commits(in:)`,
/// `diff(of:paths:)`, `blob(at:in:)`, `applyPatch(_:to:)`) returns plain `Sendable` values.
/// The libgit2 handle is freed when the last reference goes away.
///
/// ## Thread safety
/// `Repository` is `@unchecked Sendable` because every libgit2 call on its handle runs while
/// holding the repository's own recursive lock (`RepositoryLock`), so libgit2 never sees two
/// threads at once on one `git_repository` (libgit2's rule for its objects), and each failing
/// call reads its thread-local `git_error_last()` on the thread that made it. Its stored
/// properties are immutable apart from `memoryBackendInstalled`, which is only touched under the
/// lock. Calls from several tasks are therefore safe, but serialised; open one repository per
/// task for parallel work.
public final class Repository: @unchecked Sendable {
  private let handle: OpaquePointer
  private let lock = RepositoryLock()
  // Guarded by `lock`.
  private var memoryBackendInstalled = false

  /// The work tree, without a trailing slash; nil for a bare repository.
  public let workdir: String?
  /// The git directory (`<workdir>/.git`, or the bare repository itself), without a trailing
  /// slash.
  public let gitDirectory: String

  private init(handle: OpaquePointer) {
    self.handle = handle
    workdir = LibGit2.workdir(handle).map(Self.dropTrailingSlash)
    gitDirectory = Self.dropTrailingSlash(LibGit2.gitDirectory(handle))
  }

  deinit { LibGit2.freeRepository(handle) }

  /// Opens the repository containing `path`, which may be the work tree, any folder or file
  /// inside it, a `.git` directory or a bare repository. libgit2: `git_repository_open_ext`
  /// (which walks up like `git rev-parse --show-toplevel`).
  ///
  /// - Throws: `GitError` with code `.notARepository` when no repository contains `path`.
  public static func open(path: String) throws(GitError) -> Repository {
    Repository(handle: try LibGit2.openRepository(path))
  }

  /// True for a bare repository (no work tree).
  public var isBare: Bool { workdir == nil }

  /// Runs `body` with the libgit2 handle while holding the repository's lock.
  func withHandle<R>(_ body: (OpaquePointer) throws(GitError) -> R) throws(GitError) -> R {
    try lock.withLock { () throws(GitError) -> R in try body(handle) }
  }

  /// Routes object writes to memory (once per repository), so applying patches never writes
  /// to the repository on disk. Call under the lock.
  func installMemoryBackendIfNeeded(_ handle: OpaquePointer) throws(GitError) {
    if memoryBackendInstalled { return }
    _ = try LibGit2.addMemoryBackend(handle)
    memoryBackendInstalled = true
  }

  private static func dropTrailingSlash(_ path: String) -> String {
    path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
  }
}
