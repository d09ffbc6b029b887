import CLibGit2

/// A recursive mutex (pthread, through the `CLibGit2` shim) that serialises the libgit2 calls
/// made on one repository handle. Recursive, so a locked operation may call another.
final class RepositoryLock: @unchecked Sendable {
  // Safe to share: the pointer never changes and pthread mutexes are made to be shared.
  private let mutex: UnsafeMutableRawPointer?

  init() { mutex = patchsite_mutex_create() }

  deinit { if let mutex { patchsite_mutex_destroy(mutex) } }

  /// Runs `body` while holding the lock.
  func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
    if let mutex { patchsite_mutex_lock(mutex) }
    defer { if let mutex { patchsite_mutex_unlock(mutex) } }
    return try body()
  }
}
