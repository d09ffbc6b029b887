import Foundation

/// A throw-away git repository in a temporary folder, driven through the `git` command line,
/// for tests that use git as the oracle.
///
/// Commits get fixed author and committer dates (`GIT_AUTHOR_DATE`, `GIT_COMMITTER_DATE`), fixed
/// identities (`-c user.name=… -c user.email=…`) and no user or system configuration
/// (`HOME` and `GIT_CONFIG_GLOBAL` point into the folder, `GIT_CONFIG_NOSYSTEM=1`), so object
/// names are the same on every machine. Call `remove()` when done.
public final class ScratchRepository {
  /// A failed `git` command.
  public struct CommandError: Error, CustomStringConvertible {
    public var arguments: [String]
    public var status: Int32
    public var stderr: String
    public var description: String {
      "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)"
    }
  }

  /// The folder holding the work tree (and `.git`).
  public let path: String
  /// The temporary folder that `remove()` deletes (the parent of `path`).
  public let root: String
  private var clock: Int = 1_674_492_320  // 2023-01-23T16:45:20Z

  /// Creates a temporary folder and runs `git init` in it (branch `main`), or `git init --bare`.
  public init(bare: Bool = false) throws {
    root = try Tools.makeTemporaryDirectory("patchsite-git")
    path = root + "/repo"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try git(["init", "-q", "-b", "main"] + (bare ? ["--bare"] : []))
  }

  /// Deletes the temporary folder.
  public func remove() { Tools.removeTemporaryDirectory(root) }

  /// The environment every git command gets.
  public var environment: [String: String] {
    [
      "HOME": root, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": root + "/gitconfig",
      "LC_ALL": "C", "TZ": "UTC", "GIT_PAGER": "cat",
    ]
  }

  /// Runs `git <arguments>` in the work tree (or in `cwd`) and returns its standard output.
  @discardableResult
  public func git(
    _ arguments: [String], cwd: String? = nil, stdin: String? = nil,
    environment extra: [String: String] = [:]
  ) throws -> String {
    let out = try Tools.run(
      "git", arguments, stdin: stdin.map { Data($0.utf8) }, cwd: cwd ?? path,
      environment: environment.merging(extra) { $1 })
    guard out.status == 0 else {
      throw CommandError(arguments: arguments, status: out.status, stderr: out.stderr)
    }
    return out.stdout
  }

  /// Writes `contents` to `file` (relative to the work tree), creating folders.
  public func write(_ file: String, _ contents: String) throws {
    try write(file, bytes: Array(contents.utf8))
  }

  /// Writes raw bytes to `file`, creating folders.
  public func write(_ file: String, bytes: [UInt8]) throws {
    let url = URL(fileURLWithPath: path).appendingPathComponent(file)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
  }

  /// Stages everything and commits with `message`, at the next tick of the fixture's clock (one
  /// hour later than the previous commit) in time zone `zone` (like `+0100`), as `author`.
  /// - Returns: The new commit's 40-digit hash.
  @discardableResult
  public func commit(
    _ message: String, zone: String = "+0100", author: String = "Ada Author",
    email: String = "ada@example.org", allowEmpty: Bool = false
  ) throws -> String {
    try git(["add", "-A"])
    clock += 3600
    let date = "@\(clock) \(zone)"
    try git(
      [
        "-c", "user.name=\(author)", "-c", "user.email=\(email)", "commit", "-q",
        "--no-verify", "-F", "-",
      ] + (allowEmpty ? ["--allow-empty"] : []), stdin: message,
      environment: [
        "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": "@\(clock + 60) +0000",
        "GIT_COMMITTER_NAME": "Carl Committer", "GIT_COMMITTER_EMAIL": "carl@example.org",
      ])
    return try revParse("HEAD")
  }

  /// Merges `branch` into the current branch with a merge commit (no fast-forward).
  @discardableResult
  public func merge(_ branch: String, message: String) throws -> String {
    clock += 3600
    let date = "@\(clock) +0000"
    try git(
      [
        "-c", "user.name=Mia Merger", "-c", "user.email=mia@example.org", "merge", "-q",
        "--no-ff", "-m", message, branch,
      ],
      environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
    return try revParse("HEAD")
  }

  /// `git rev-parse <spec>`, trimmed.
  public func revParse(_ spec: String) throws -> String {
    try git(["rev-parse", spec]).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The lines of `git <arguments>`'s output, without empty ones.
  public func lines(_ arguments: [String]) throws -> [String] {
    try git(arguments).split(separator: "\n").map(String.init)
  }
}
