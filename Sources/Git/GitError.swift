import Diagnostics

/// An error from a libgit2 call: what kind of failure, libgit2's message, and which call failed.
///
/// Every libgit2 call in this module goes through one funnel (`Internals/LibGit2Calls.swift`)
/// that turns the C `int` return plus `git_error_last()` into one of these, the way
/// swift-system turns `errno` into `Errno`.
public struct GitError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The kind of failure, as a stable identifier (a growable set, like swift-subprocess's codes).
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The identifier, in kebab case; it becomes the `git.<code>` message ID.
    public let rawValue: String

    /// A code from its identifier.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// A revision, path or object does not exist. libgit2: `GIT_ENOTFOUND`.
    public static let notFound = Code("not-found")
    /// A short object name matches several objects. libgit2: `GIT_EAMBIGUOUS`.
    public static let ambiguous = Code("ambiguous")
    /// A revision or range expression is malformed. libgit2: `GIT_EINVALIDSPEC`.
    public static let invalidSpec = Code("invalid-spec")
    /// A patch does not apply to the tree it was applied to. libgit2: `GIT_EAPPLYFAIL`.
    public static let applyFailed = Code("apply-failed")
    /// The patch text could not be parsed as a git diff (`git_diff_from_buffer` failed).
    public static let invalidPatch = Code("invalid-patch")
    /// The path is not inside a git repository (`git_repository_open_ext` found none).
    public static let notARepository = Code("not-a-repository")
    /// The operation needs a work tree and the repository is bare. libgit2: `GIT_EBAREREPO`.
    public static let bareRepository = Code("bare-repository")
    /// HEAD points at a branch without commits. libgit2: `GIT_EUNBORNBRANCH`.
    public static let unbornBranch = Code("unborn-branch")
    /// An object is not of the kind needed (a tree where a blob was wanted, a blob where a commit
    /// was wanted). libgit2: `GIT_EPEEL`, `GIT_EINVALID`.
    public static let wrongObjectType = Code("wrong-object-type")
    /// An object or reference already exists. libgit2: `GIT_EEXISTS`.
    public static let exists = Code("exists")
    /// The repository is owned by another user (`safe.directory`). libgit2: `GIT_EOWNER`.
    public static let unsafeOwner = Code("unsafe-owner")
    /// A string given to libgit2 contains a NUL byte and cannot be passed to C.
    public static let invalidArgument = Code("invalid-argument")
    /// Any other libgit2 failure (`GIT_ERROR` and codes without a name here).
    public static let failed = Code("failed")
  }

  /// The kind of failure.
  public var code: Code
  /// libgit2's message (from `git_error_last()`), or ours where libgit2 gives none.
  public var message: String
  /// The libgit2 function that failed, such as `git_revparse_single`.
  public var operation: String
  /// The file the failure is about, when known (for example the file a patch did not apply to).
  public var path: String?

  /// An error from its parts.
  public init(_ code: Code, _ message: String, operation: String, path: String? = nil) {
    self.code = code
    self.message = message
    self.operation = operation
    self.path = path
  }

  /// `operation: message`, plus the path when it is not already in the message.
  public var description: String {
    if let path, !message.contains(path) { return "\(operation): \(message) (\(path))" }
    return "\(operation): \(message)"
  }

  /// The stable message ID for diagnostics: `git.<code>`, such as `git.apply-failed`.
  public var messageID: MessageID { MessageID("git.\(code.rawValue)") }

  /// The same failure as a `Diagnostics.InputError` with ID `git.<code>`.
  ///
  /// - Parameter location: Where the failing input came from; defaults to the error's `path`
  ///   (or `<git>` when there is none).
  public func inputError(at location: SourceLocation? = nil) -> InputError {
    InputError(
      messageID, at: location ?? SourceLocation(file: path ?? "<git>"), description)
  }
}
