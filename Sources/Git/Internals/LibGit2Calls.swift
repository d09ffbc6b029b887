import CLibGit2
import CLibGit2Loader

// The one file that calls libgit2 (like swift-system's `Syscalls.swift`). Every wrapper turns an
// `int` return plus `git_error_last()` into a `GitError` naming the failing call, and converts C
// values into Swift values at once. Handles (`OpaquePointer`) never leave the Git module; the
// caller frees them with the matching `free…` wrapper, usually in a `defer`.
//
// Thread safety: libgit2 objects must not be used from two threads at once, and the error from
// `git_error_last()` is thread-local. `Repository` therefore calls these wrappers only while it
// holds its lock, so an error is read on the thread that caused it.

/// The thin, typed wrappers around libgit2.
enum LibGit2 {
  /// `git_libgit2_init()`, run exactly once per process: Swift initialises a `static let` lazily
  /// and thread-safely (`swift_once`). libgit2 is never shut down; it lives as long as the
  /// process, which is what a command-line tool needs.
  private static let initialization: Int32 = {
    // The library is loaded here, not at start-up (see git2-loader.c).
    guard patchsite_git2_load() == nil else { return -1 }
    let result = git_libgit2_init()
    // Cache trees and blobs up to 1 MiB (libgit2 caches trees up to 4 KiB and no blobs by
    // default): a range walk reads each tree and blob twice, as the new side of one commit and
    // the old side of the next, and kernel folders have trees far above 4 KiB. The total stays
    // under libgit2's 256 MiB cache limit.
    if result >= 0 {
      _ = patchsite_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
      _ = patchsite_set_cache_object_limit(GIT_OBJECT_BLOB, 1 << 20)
      // Commits are not cached: a walk reads each once, and storing it (a locked hash table
      // insert per commit) cost more than the rare second read saves.
      _ = patchsite_set_cache_object_limit(GIT_OBJECT_COMMIT, 0)
      // Objects are read as git reads them: inflated and parsed, not hashed again. libgit2
      // hashes each object it reads by default, which was a tenth of an audit's instructions
      // (a 20,000-commit walk reads every commit and root tree). Damaged bytes still fail
      // zlib's own checksum when inflated, or the parse; `git fsck` checks the hashes.
      _ = patchsite_set_strict_hash_verification(0)
    }
    return result
  }()

  /// Makes sure libgit2 is loaded and initialised; cheap after the first call.
  static func ensureInitialized() throws(GitError) {
    if let reason = patchsite_git2_load() {
      throw GitError(.failed, String(cString: reason), operation: "dlopen")
    }
    if initialization < 0 { throw lastError(initialization, "git_libgit2_init") }
  }

  /// `git_libgit2_version`, as `major.minor.revision` (or why libgit2 could not be loaded).
  static func version() -> String {
    if let reason = patchsite_git2_load() { return "unavailable (\(String(cString: reason)))" }
    var major: Int32 = 0
    var minor: Int32 = 0
    var revision: Int32 = 0
    _ = git_libgit2_version(&major, &minor, &revision)
    return "\(major).\(minor).\(revision)"
  }

  // MARK: Errors

  /// The `GitError` for a negative libgit2 return code, with libgit2's message.
  static func lastError(_ result: Int32, _ operation: String, path: String? = nil) -> GitError {
    var message = "libgit2 error \(result)"
    if let last = git_error_last(), let text = last.pointee.message {
      message = String(cString: text)
    }
    return GitError(code(for: result), message, operation: operation, path: path)
  }

  /// The `GitError.Code` for a libgit2 `git_error_code`.
  static func code(for result: Int32) -> GitError.Code {
    switch result {
    case GIT_ENOTFOUND.rawValue: .notFound
    case GIT_EAMBIGUOUS.rawValue: .ambiguous
    case GIT_EINVALIDSPEC.rawValue: .invalidSpec
    case GIT_EAPPLYFAIL.rawValue: .applyFailed
    case GIT_EBAREREPO.rawValue: .bareRepository
    case GIT_EUNBORNBRANCH.rawValue: .unbornBranch
    case GIT_EPEEL.rawValue, GIT_EINVALID.rawValue: .wrongObjectType
    case GIT_EEXISTS.rawValue: .exists
    case GIT_EOWNER.rawValue: .unsafeOwner
    default: .failed
    }
  }

  /// Throws the last error if `result` is negative.
  @inline(__always)
  static func check(_ result: Int32, _ operation: String, path: String? = nil) throws(GitError) {
    if result < 0 { throw lastError(result, operation, path: path) }
  }

  /// Rejects strings that C would cut short at an embedded NUL.
  static func cString(_ s: String, for operation: String) throws(GitError) -> String {
    // Over the contiguous bytes when the string has them (native strings do): the generic
    // `contains` on the UTF-8 view cost ~800 instructions a path.
    let hasNul = s.utf8.withContiguousStorageIfAvailable { $0.contains(0) } ?? s.utf8.contains(0)
    if hasNul {
      throw GitError(
        .invalidArgument, "argument contains a NUL byte", operation: operation)
    }
    return s
  }

  // MARK: Object IDs

  static func objectID(_ oid: UnsafePointer<git_oid>) -> ObjectID {
    withUnsafeBytes(of: oid.pointee.id) { raw in
      // A git_oid is always 20 bytes, so the fallback is never taken.
      ObjectID(raw: raw, at: 0) ?? .zero
    }
  }

  static func oid(_ id: ObjectID) -> git_oid {
    var out = git_oid()
    withUnsafeMutableBytes(of: &out.id) { raw in
      if raw.count >= 20 { id.store(into: raw) }
    }
    return out
  }

  // MARK: Raw objects

  /// `git_repository_odb`: the object database, to be freed with `git_odb_free`.
  static func objectDatabase(_ repo: OpaquePointer) throws(GitError) -> OpaquePointer {
    var odb: OpaquePointer?
    try check(git_repository_odb(&odb, repo), "git_repository_odb")
    guard let odb else {
      throw GitError(.notFound, "no object database", operation: "git_repository_odb")
    }
    return odb
  }

  /// `git_odb_read`: the bytes of the object `id`, which must be of `kind`, handed to `body`
  /// (valid only inside it). No parse, and nothing kept in the repository's object cache.
  static func withRawObject<R>(
    _ odb: OpaquePointer, _ id: ObjectID, kind: git_object_t,
    _ body: (UnsafeRawBufferPointer) throws(GitError) -> R
  ) throws(GitError) -> R {
    var o = oid(id)
    var object: OpaquePointer?
    try check(git_odb_read(&object, odb, &o), "git_odb_read")
    guard let object else {
      throw GitError(.notFound, "no object \(id)", operation: "git_odb_read")
    }
    defer { git_odb_object_free(object) }
    guard git_odb_object_type(object) == kind else {
      throw GitError(
        .invalidArgument, "object \(id) is not a \(kind == GIT_OBJECT_TREE ? "tree" : "commit")",
        operation: "git_odb_read")
    }
    let raw = UnsafeRawBufferPointer(
      start: git_odb_object_data(object), count: git_odb_object_size(object))
    return try body(raw)
  }

  /// The links of the commits `ids`, each read raw (``parseLink(_:_:)``).
  static func rawLinks(_ repo: OpaquePointer, _ ids: some Collection<ObjectID>) throws(GitError)
    -> [CommitLink]
  {
    let odb = try objectDatabase(repo)
    defer { git_odb_free(odb) }
    var links: [CommitLink] = []
    links.reserveCapacity(ids.count)
    for id in ids {
      links.append(
        try withRawObject(odb, id, kind: GIT_OBJECT_COMMIT) {
          (raw) throws(GitError) -> CommitLink in
          try parseLink(id, raw)
        })
    }
    return links
  }

  /// ``children(raw:named:prefixes:)`` of the tree `id`, read raw.
  static func rawChildren(
    _ repo: OpaquePointer, _ id: ObjectID, named names: [[UInt8]], prefixes: [[UInt8]]
  ) throws(GitError) -> (named: [TreeChild?], matching: [(name: String, child: TreeChild)]) {
    let odb = try objectDatabase(repo)
    defer { git_odb_free(odb) }
    return try withRawObject(odb, id, kind: GIT_OBJECT_TREE) { raw in
      children(raw: raw, named: names, prefixes: prefixes)
    }
  }

  /// `git_repository_is_shallow`.
  static func isShallow(_ repo: OpaquePointer) -> Bool { git_repository_is_shallow(repo) == 1 }

  /// git's `limit_list` over raw commits: the commits reachable from `push` and not from
  /// `hide`, newest first by committer date (ties in the order they were found), each commit
  /// read once.
  static func walkRaw(
    _ repo: OpaquePointer, push: [ObjectID], hide: [ObjectID], useCommitGraph: Bool = true,
    visit: ((CommitLink) -> Void)? = nil
  )
    throws(GitError) -> [CommitLink]
  {
    let odb = try objectDatabase(repo)
    defer { git_odb_free(odb) }
    // The commit-graph, when the repository has one, gives each commit it lists without
    // reading the commit (see ``CommitGraph``).
    let graph =
      useCommitGraph
      ? git_repository_commondir(repo).flatMap {
        CommitGraph.open(objects: String(cString: $0) + "objects")
      } : nil
    var links: [CommitLink] = []
    var times: [Int64] = []
    var hidden: [Bool] = []
    var queued: [Bool] = []
    var index: [ObjectID: Int] = [:]
    func node(_ id: ObjectID) throws(GitError) -> Int {
      if let k = index[id] { return k }
      let (link, time) =
        if let graph, let p = graph.position(of: id) {
          graph.commit(at: p)
        } else {
          try withRawObject(odb, id, kind: GIT_OBJECT_COMMIT) {
            (raw) throws(GitError) -> (CommitLink, Int64) in
            (try parseLink(id, raw), committerTime(raw))
          }
        }
      index[id] = links.count
      links.append(link)
      times.append(time)
      hidden.append(false)
      queued.append(false)
      return links.count - 1
    }
    // The queue: newest first, the earlier found first among equal dates.
    var heap: [(time: Int64, order: Int, node: Int)] = []
    var order = 0
    func before(
      _ a: (time: Int64, order: Int, node: Int), _ b: (time: Int64, order: Int, node: Int)
    )
      -> Bool
    { a.time != b.time ? a.time > b.time : a.order < b.order }
    func enqueue(_ n: Int) {
      queued[n] = true
      order += 1
      heap.append((times[n], order, n))
      var i = heap.count - 1
      while i > 0, before(heap[i], heap[(i - 1) / 2]) {
        heap.swapAt(i, (i - 1) / 2)
        i = (i - 1) / 2
      }
    }
    func dequeue() -> Int? {
      guard let top = heap.first else { return nil }
      let last = heap.removeLast()
      if !heap.isEmpty {
        heap[0] = last
        var i = 0
        while true {
          let l = 2 * i + 1
          let r = l + 1
          var m = i
          if l < heap.count, before(heap[l], heap[m]) { m = l }
          if r < heap.count, before(heap[r], heap[m]) { m = r }
          if m == i { break }
          heap.swapAt(i, m)
          i = m
        }
      }
      return top.node
    }
    // Hidden: the commit, and every ancestor already read (git's mark_parents_uninteresting).
    func hideFrom(_ n: Int) {
      var stack = [n]
      while let k = stack.popLast() {
        for p in links[k].parents {
          guard let q = index[p], !hidden[q] else { continue }
          hidden[q] = true
          stack.append(q)
        }
      }
    }
    for id in push {
      let n = try node(id)
      if !queued[n] { enqueue(n) }
    }
    for id in hide {
      let n = try node(id)
      hidden[n] = true
      if !queued[n] { enqueue(n) }
    }
    let slopStart = 5
    var slop = slopStart
    var lastDate = Int64.max
    var out: [Int] = []
    while let n = dequeue() {
      for p in links[n].parents {
        let q = try node(p)
        if !queued[q] { enqueue(q) }
      }
      if hidden[n] {
        hideFrom(n)
        // Still interesting (git's still_interesting)?
        guard let head = heap.first else { break }
        if lastDate <= head.time || heap.contains(where: { !hidden[$0.node] }) {
          slop = slopStart
          continue
        }
        slop -= 1
        if slop == 0 { break }
        continue
      }
      lastDate = times[n]
      out.append(n)
      visit?(links[n])
    }
    return out.filter { !hidden[$0] }.map { links[$0] }
  }

  /// The committer date of a raw commit (seconds since the epoch); 0 when it has none.
  private static let committerWord = Array("committer ".utf8)

  static func committerTime(_ raw: UnsafeRawBufferPointer) -> Int64 {
    let word = committerWord
    var i = 0
    let n = raw.count
    // Line by line: the header that starts with `committer `; headers end at an empty line.
    while true {
      guard i + word.count <= n, raw[i] != UInt8(ascii: "\n") else { return 0 }
      var match = true
      for k in 0..<word.count where raw[i + k] != word[k] {
        match = false
        break
      }
      if match { break }
      while i < n, raw[i] != UInt8(ascii: "\n") { i += 1 }
      i += 1
    }
    var end = i + word.count
    while end < n, raw[end] != UInt8(ascii: "\n") { end += 1 }
    // `Name <mail> 1700000000 +0100`: the number after the last '>'.
    var gt = end
    while gt > i, raw[gt - 1] != UInt8(ascii: ">") { gt -= 1 }
    var k = gt
    while k < end, raw[k] == UInt8(ascii: " ") { k += 1 }
    var t: Int64 = 0
    var digits = 0
    while k < end, raw[k] >= UInt8(ascii: "0"), raw[k] <= UInt8(ascii: "9"), digits < 18 {
      t = t * 10 + Int64(raw[k] - UInt8(ascii: "0"))
      k += 1
      digits += 1
    }
    return t
  }

  /// The link of a commit from its raw bytes: `tree <hex>` and each `parent <hex>` line.
  static func parseLink(_ id: ObjectID, _ raw: UnsafeRawBufferPointer) throws(GitError)
    -> CommitLink
  {
    let treeWord = Array("tree ".utf8)
    let parentWord = Array("parent ".utf8)
    func starts(_ word: [UInt8], at i: Int) -> Bool {
      guard i + word.count <= raw.count else { return false }
      for k in 0..<word.count where raw[i + k] != word[k] { return false }
      return true
    }
    guard starts(treeWord, at: 0), let tree = ObjectID(hexIn: raw, at: 5), 45 < raw.count,
      raw[45] == UInt8(ascii: "\n")
    else {
      throw GitError(
        .invalidArgument, "commit \(id) does not start with its tree", operation: "git_odb_read")
    }
    var parents: [ObjectID] = []
    var i = 46
    while starts(parentWord, at: i) {
      guard let p = ObjectID(hexIn: raw, at: i + 7), i + 47 < raw.count,
        raw[i + 47] == UInt8(ascii: "\n")
      else {
        throw GitError(
          .invalidArgument, "commit \(id) has a malformed parent", operation: "git_odb_read")
      }
      parents.append(p)
      i += 48
    }
    return CommitLink(id: id, parents: parents, treeID: tree)
  }

  /// The entries named `names` (nil where the tree has none) and those starting with one of
  /// `prefixes`, from a tree's raw bytes: `<mode> <name>\0<20 bytes>`
  /// entries, compared as bytes, a name copied only when it matches a prefix.
  static func children(
    raw: UnsafeRawBufferPointer, named names: [[UInt8]], prefixes: [[UInt8]]
  ) -> (named: [TreeChild?], matching: [(name: String, child: TreeChild)]) {
    var named = [TreeChild?](repeating: nil, count: names.count)
    var matching: [(name: String, child: TreeChild)] = []
    var i = 0
    let n = raw.count
    while i < n {
      let modeStart = i
      while i < n, raw[i] != UInt8(ascii: " ") { i += 1 }
      let isTree = i - modeStart == 5 && raw[modeStart] == UInt8(ascii: "4")
      i += 1
      let nameStart = i
      while i < n, raw[i] != 0 { i += 1 }
      let nameEnd = i
      guard let id = ObjectID(raw: raw, at: i + 1) else { break }
      i += 21
      let length = nameEnd - nameStart
      func same(_ w: [UInt8], upTo count: Int) -> Bool {
        for k in 0..<count where raw[nameStart + k] != w[k] { return false }
        return true
      }
      for (k, w) in names.enumerated() where w.count == length && same(w, upTo: length) {
        named[k] = TreeChild(id: id, isTree: isTree)
      }
      if prefixes.contains(where: { $0.count <= length && same($0, upTo: $0.count) }) {
        let name = String(
          decoding: UnsafeRawBufferPointer(rebasing: raw[nameStart..<nameEnd]), as: UTF8.self)
        matching.append((name, TreeChild(id: id, isTree: isTree)))
      }
    }
    return (named, matching)
  }

  // MARK: Repository

  /// `git_repository_open_ext` with discovery: `path` may be anywhere inside a work tree, a
  /// `.git` directory or a bare repository. No ceiling directories; crosses no file systems.
  static func openRepository(_ path: String) throws(GitError) -> OpaquePointer {
    try ensureInitialized()
    let path = try cString(path, for: "git_repository_open_ext")
    var repo: OpaquePointer?
    let result = git_repository_open_ext(&repo, path, 0, nil)
    if result == GIT_ENOTFOUND.rawValue {
      var error = lastError(result, "git_repository_open_ext", path: path)
      error.code = .notARepository
      throw error
    }
    try check(result, "git_repository_open_ext", path: path)
    guard let repo else {
      throw GitError(.failed, "no repository returned", operation: "git_repository_open_ext")
    }
    return repo
  }

  static func freeRepository(_ repo: OpaquePointer) { git_repository_free(repo) }

  /// The work tree with a trailing `/`, or nil for a bare repository.
  static func workdir(_ repo: OpaquePointer) -> String? {
    git_repository_workdir(repo).map { String(cString: $0) }
  }

  /// The git directory (`.../.git/` or the bare repository) with a trailing `/`.
  static func gitDirectory(_ repo: OpaquePointer) -> String {
    git_repository_path(repo).map { String(cString: $0) } ?? ""
  }

  static func isBare(_ repo: OpaquePointer) -> Bool { git_repository_is_bare(repo) == 1 }

  /// Adds an in-memory object database backend (`git_mempack_new`) at a priority above the
  /// on-disk ones, so objects written afterwards (blobs and trees made by applying patches) stay
  /// in memory and the repository on disk is never written. Returns the backend, which the
  /// object database owns.
  static func addMemoryBackend(_ repo: OpaquePointer) throws(GitError) -> OpaquePointer {
    var odb: OpaquePointer?
    try check(git_repository_odb(&odb, repo), "git_repository_odb")
    defer { git_odb_free(odb) }
    var backend: UnsafeMutablePointer<git_odb_backend>?
    try check(git_mempack_new(&backend), "git_mempack_new")
    guard let backend else {
      throw GitError(.failed, "no backend returned", operation: "git_mempack_new")
    }
    // Priority 1000: above the loose (1) and pack (2) backends, so writes land here.
    let result = git_odb_add_backend(odb, backend, 1000)
    if result < 0 {
      let error = lastError(result, "git_odb_add_backend")
      backend.pointee.free?(backend)
      throw error
    }
    return OpaquePointer(backend)
  }

  // MARK: Revisions

  /// `git_revparse_single`: one object named by `spec`.
  static func revparseSingle(_ repo: OpaquePointer, _ spec: String) throws(GitError)
    -> OpaquePointer
  {
    let spec = try cString(spec, for: "git_revparse_single")
    var object: OpaquePointer?
    try check(git_revparse_single(&object, repo, spec), "git_revparse_single")
    guard let object else {
      throw GitError(.notFound, "no object for '\(spec)'", operation: "git_revparse_single")
    }
    return object
  }

  /// The result of `git_revparse`: one object, or the two ends of a range.
  struct RevSpec {
    var from: OpaquePointer?
    var to: OpaquePointer?
    var isRange: Bool
    var isSymmetric: Bool
  }

  /// `git_revparse`: `A`, `A..B` or `A...B`. The caller frees `from` and `to`.
  static func revparse(_ repo: OpaquePointer, _ spec: String) throws(GitError) -> RevSpec {
    let spec = try cString(spec, for: "git_revparse")
    var revspec = git_revspec()
    try check(git_revparse(&revspec, repo, spec), "git_revparse")
    return RevSpec(
      from: revspec.from, to: revspec.to,
      isRange: revspec.flags & GIT_REVSPEC_RANGE.rawValue != 0,
      isSymmetric: revspec.flags & GIT_REVSPEC_MERGE_BASE.rawValue != 0)
  }

  static func objectID(of object: OpaquePointer) -> ObjectID { objectID(git_object_id(object)) }

  static func freeObject(_ object: OpaquePointer?) { git_object_free(object) }

  /// `git_object_peel` to a commit (through tags).
  static func peelToCommit(_ object: OpaquePointer) throws(GitError) -> OpaquePointer {
    try peel(object, GIT_OBJECT_COMMIT)
  }

  /// `git_object_peel` to a tree (through tags and commits).
  static func peelToTree(_ object: OpaquePointer) throws(GitError) -> OpaquePointer {
    try peel(object, GIT_OBJECT_TREE)
  }

  private static func peel(_ object: OpaquePointer, _ type: git_object_t) throws(GitError)
    -> OpaquePointer
  {
    var peeled: OpaquePointer?
    try check(git_object_peel(&peeled, object, type), "git_object_peel")
    guard let peeled else {
      throw GitError(.wrongObjectType, "cannot peel object", operation: "git_object_peel")
    }
    return peeled
  }

  /// `git_merge_bases`: all best common ancestors (empty when the histories are unrelated).
  static func mergeBases(_ repo: OpaquePointer, _ one: ObjectID, _ two: ObjectID) throws(GitError)
    -> [ObjectID]
  {
    var a = oid(one)
    var b = oid(two)
    var array = git_oidarray()
    let result = git_merge_bases(&array, repo, &a, &b)
    if result == GIT_ENOTFOUND.rawValue { return [] }
    try check(result, "git_merge_bases")
    defer { git_oidarray_dispose(&array) }
    var out: [ObjectID] = []
    for i in 0..<array.count { if let ids = array.ids { out.append(objectID(ids + i)) } }
    return out
  }

  // MARK: Revision walks

  /// A `git_revwalk` sorted by `GIT_SORT_TIME` (committer date, newest first) that shows
  /// commits reachable from `push` and not from `hide`.
  static func walk(_ repo: OpaquePointer, push: [ObjectID], hide: [ObjectID]) throws(GitError)
    -> [ObjectID]
  {
    var walker: OpaquePointer?
    try check(git_revwalk_new(&walker, repo), "git_revwalk_new")
    defer { git_revwalk_free(walker) }
    try check(
      git_revwalk_sorting(walker, GIT_SORT_TIME.rawValue),
      "git_revwalk_sorting")
    for id in push {
      var o = oid(id)
      try check(git_revwalk_push(walker, &o), "git_revwalk_push")
    }
    for id in hide {
      var o = oid(id)
      try check(git_revwalk_hide(walker, &o), "git_revwalk_hide")
    }
    var out: [ObjectID] = []
    var next = git_oid()
    while true {
      let result = git_revwalk_next(&next, walker)
      if result == GIT_ITEROVER.rawValue { break }
      try check(result, "git_revwalk_next")
      out.append(objectID(&next))
    }
    return out
  }

  /// Walks the commits reachable from HEAD and from every reference matching `globs`
  /// (`refs/heads/*`), newest first by committer date, until `body` returns false.
  static func walkReachable(
    _ repo: OpaquePointer, globs: [String], _ body: (ObjectID) throws(GitError) -> Bool
  ) throws(GitError) {
    var walker: OpaquePointer?
    try check(git_revwalk_new(&walker, repo), "git_revwalk_new")
    defer { git_revwalk_free(walker) }
    try check(git_revwalk_sorting(walker, GIT_SORT_TIME.rawValue), "git_revwalk_sorting")
    // An unborn HEAD has nothing to push; the globs may still find commits.
    let head = git_revwalk_push_head(walker)
    if head != 0 && head != GIT_ENOTFOUND.rawValue && head != GIT_EUNBORNBRANCH.rawValue {
      try check(head, "git_revwalk_push_head")
    }
    for g in globs {
      let glob = try cString(g, for: "git_revwalk_push_glob")
      try check(git_revwalk_push_glob(walker, glob), "git_revwalk_push_glob")
    }
    var next = git_oid()
    while true {
      let result = git_revwalk_next(&next, walker)
      if result == GIT_ITEROVER.rawValue { break }
      try check(result, "git_revwalk_next")
      guard try body(objectID(&next)) else { break }
    }
  }

  /// Runs `body` with libgit2's object cache off for trees and blobs, then restores the limits
  /// set at initialisation: a walk that reads every commit's tree and blob once gains nothing
  /// from the cache, which would otherwise grow with the history (up to libgit2's 256 MiB).
  /// The limits are process-wide, so this is for a command that reads one history at a time.
  static func withoutTreeAndBlobCache<R>(_ body: () throws(GitError) -> R) throws(GitError) -> R {
    _ = patchsite_set_cache_object_limit(GIT_OBJECT_TREE, 0)
    _ = patchsite_set_cache_object_limit(GIT_OBJECT_BLOB, 0)
    defer {
      _ = patchsite_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
      _ = patchsite_set_cache_object_limit(GIT_OBJECT_BLOB, 1 << 20)
      // Commits are not cached: a walk reads each once, and storing it (a locked hash table
      // insert per commit) cost more than the rare second read saves.
      _ = patchsite_set_cache_object_limit(GIT_OBJECT_COMMIT, 0)
    }
    return try body()
  }

  /// Walks the commits reachable from HEAD oldest first (committer date, reversed), calling
  /// `body` with each one's ID as the walk gives it; an unborn HEAD walks nothing. libgit2 keeps
  /// a small record per commit for the sort, never the commits' trees or blobs.
  static func walkFromHeadOldestFirst(
    _ repo: OpaquePointer, _ body: (ObjectID) throws(GitError) -> Void
  ) throws(GitError) {
    var walker: OpaquePointer?
    try check(git_revwalk_new(&walker, repo), "git_revwalk_new")
    defer { git_revwalk_free(walker) }
    try check(
      git_revwalk_sorting(walker, GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue),
      "git_revwalk_sorting")
    let head = git_revwalk_push_head(walker)
    if head == GIT_ENOTFOUND.rawValue || head == GIT_EUNBORNBRANCH.rawValue { return }
    try check(head, "git_revwalk_push_head")
    var next = git_oid()
    while true {
      let result = git_revwalk_next(&next, walker)
      if result == GIT_ITEROVER.rawValue { break }
      try check(result, "git_revwalk_next")
      try body(objectID(&next))
    }
  }

  /// The tree of the commit `id`.
  static func commitTreeID(_ repo: OpaquePointer, _ id: ObjectID) throws(GitError) -> ObjectID {
    let commit = try lookupCommit(repo, id)
    defer { git_commit_free(commit) }
    return objectID(git_commit_tree_id(commit))
  }

  // MARK: Commits

  /// `git_commit_lookup`.
  static func lookupCommit(_ repo: OpaquePointer, _ id: ObjectID) throws(GitError) -> OpaquePointer
  {
    var o = oid(id)
    var commit: OpaquePointer?
    try check(git_commit_lookup(&commit, repo, &o), "git_commit_lookup")
    guard let commit else {
      throw GitError(.notFound, "no commit \(id)", operation: "git_commit_lookup")
    }
    return commit
  }

  static func freeCommit(_ commit: OpaquePointer?) { git_commit_free(commit) }

  /// Reads every field of a `git_commit` into a `Commit`.
  /// The ID, parents and tree of `commit`, nothing else copied.
  static func readLink(_ commit: OpaquePointer) -> CommitLink {
    var parents: [ObjectID] = []
    let count = git_commit_parentcount(commit)
    for i in 0..<count {
      if let p = git_commit_parent_id(commit, i) { parents.append(objectID(p)) }
    }
    return CommitLink(
      id: objectID(git_commit_id(commit)), parents: parents,
      treeID: objectID(git_commit_tree_id(commit)))
  }

  static func readCommit(_ commit: OpaquePointer) -> Commit {
    let link = readLink(commit)
    return Commit(
      id: link.id,
      parents: link.parents,
      summary: git_commit_summary(commit).map { String(cString: $0) } ?? "",
      message: git_commit_message(commit).map { String(cString: $0) } ?? "",
      author: signature(git_commit_author(commit)),
      committer: signature(git_commit_committer(commit)),
      treeID: link.treeID)
  }

  private static func signature(_ s: UnsafePointer<git_signature>?) -> Signature {
    guard let s else { return Signature(name: "", email: "", time: 0, offsetMinutes: 0) }
    return Signature(
      name: s.pointee.name.map { String(cString: $0) } ?? "",
      email: s.pointee.email.map { String(cString: $0) } ?? "",
      time: Int64(s.pointee.when.time),
      offsetMinutes: Int(s.pointee.when.offset))
  }

  // MARK: Trees and blobs

  /// `git_tree_lookup`.
  static func lookupTree(_ repo: OpaquePointer, _ id: ObjectID) throws(GitError) -> OpaquePointer {
    var o = oid(id)
    var tree: OpaquePointer?
    try check(git_tree_lookup(&tree, repo, &o), "git_tree_lookup")
    guard let tree else {
      throw GitError(.notFound, "no tree \(id)", operation: "git_tree_lookup")
    }
    return tree
  }

  static func freeTree(_ tree: OpaquePointer?) { git_tree_free(tree) }

  /// One entry of a tree, copied out of libgit2.
  struct TreeEntry {
    enum Kind { case blob, tree, commit, other }
    var name: String
    var id: ObjectID
    var kind: Kind
    /// A symbolic link (mode 120000): the blob holds the link's target.
    var isLink = false
  }

  /// `git_tree_entry_bypath`: the entry at `path` below `tree`, or nil if there is none.
  static func entry(_ tree: OpaquePointer, path: String) throws(GitError) -> TreeEntry? {
    let path = try cString(path, for: "git_tree_entry_bypath")
    var entry: OpaquePointer?
    let result = git_tree_entry_bypath(&entry, tree, path)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try check(result, "git_tree_entry_bypath", path: path)
    guard let entry else { return nil }
    defer { git_tree_entry_free(entry) }
    return treeEntry(entry)
  }

  /// `git_tree_entrycount` + `git_tree_entry_byindex`: the entries of `tree`, in tree order.
  static func entries(_ tree: OpaquePointer) -> [TreeEntry] {
    let count = git_tree_entrycount(tree)
    var out: [TreeEntry] = []
    out.reserveCapacity(count)
    for i in 0..<count {
      if let e = git_tree_entry_byindex(tree, i) { out.append(treeEntry(e)) }
    }
    return out
  }

  private static func treeEntry(_ e: OpaquePointer) -> TreeEntry {
    let kind: TreeEntry.Kind =
      switch git_tree_entry_type(e) {
      case GIT_OBJECT_BLOB: .blob
      case GIT_OBJECT_TREE: .tree
      case GIT_OBJECT_COMMIT: .commit
      default: .other
      }
    return TreeEntry(
      name: git_tree_entry_name(e).map { String(cString: $0) } ?? "",
      id: objectID(git_tree_entry_id(e)), kind: kind,
      isLink: git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
  }

  /// `git_odb_hash`: the ID git gives `bytes` stored as a blob (`git hash-object`).
  static func blobID(of bytes: [UInt8]) throws(GitError) -> ObjectID {
    var o = git_oid()
    let result = bytes.withUnsafeBytes { raw in
      git_odb_hash(&o, raw.baseAddress, raw.count, GIT_OBJECT_BLOB)
    }
    try check(result, "git_odb_hash")
    return objectID(&o)
  }

  /// `git_blob_lookup` + `git_blob_rawcontent`: the bytes of a blob.
  static func blobContents(_ repo: OpaquePointer, _ id: ObjectID) throws(GitError) -> [UInt8] {
    var o = oid(id)
    var blob: OpaquePointer?
    try check(git_blob_lookup(&blob, repo, &o), "git_blob_lookup")
    defer { git_blob_free(blob) }
    let size = Int(git_blob_rawsize(blob))
    guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
    return Array(UnsafeRawBufferPointer(start: raw, count: size))
  }

  // MARK: Diffs

  /// `git_diff_tree_to_tree` (nil `old` is the empty tree) limited to `paths`, followed by
  /// `git_diff_find_similar` with `GIT_DIFF_FIND_RENAMES`. Options match `git diff-tree -p -M`:
  /// indent heuristic on, 3 lines of context, `a/` and `b/` prefixes, index lines abbreviated
  /// to `abbrev` digits; with `binary`, binary files as `GIT binary patch` hunks (`--binary`).
  static func diffTrees(
    _ repo: OpaquePointer, old: OpaquePointer?, new: OpaquePointer?, paths: [String], abbrev: Int,
    binary: Bool = false
  ) throws(GitError) -> OpaquePointer {
    for p in paths { _ = try cString(p, for: "git_diff_tree_to_tree") }
    var options = diffOptions(abbrev: abbrev)
    if binary { options.flags |= GIT_DIFF_SHOW_BINARY.rawValue }
    var diff: OpaquePointer?
    let result = withStringArray(paths) { array in
      options.pathspec = array
      return git_diff_tree_to_tree(&diff, repo, old, new, &options)
    }
    try check(result, "git_diff_tree_to_tree")
    guard let diff else {
      throw GitError(.failed, "no diff returned", operation: "git_diff_tree_to_tree")
    }
    var find = findOptions()
    var metric = gitMetric()
    let similar = withUnsafeMutablePointer(to: &metric) { metricPointer in
      find.metric = metricPointer
      return git_diff_find_similar(diff, &find)
    }
    if similar < 0 {
      let error = lastError(similar, "git_diff_find_similar")
      git_diff_free(diff)
      throw error
    }
    return diff
  }

  private static func diffOptions(abbrev: Int) -> git_diff_options {
    var options = patchsite_diff_options_init()
    options.flags = GIT_DIFF_INDENT_HEURISTIC.rawValue
    options.id_abbrev = UInt16(min(max(abbrev, 4), 40))
    return options
  }

  /// A `git_diff_similarity_metric` computing git's own rename score (`SpanSignature`).
  /// Signatures are retained `SpanSignature` objects; a file read from the work tree (which
  /// tree-to-tree diffs never do) gets no signature and scores 0.
  private static func gitMetric() -> git_diff_similarity_metric {
    git_diff_similarity_metric(
      file_signature: { out, _, _, _ in
        out?.pointee = nil
        return 0
      },
      buffer_signature: { out, _, buffer, length, _ in
        let bytes = UnsafeRawPointer(buffer).map {
          UnsafeBufferPointer(start: $0.assumingMemoryBound(to: UInt8.self), count: length)
        }
        let signature = SpanSignature(bytes ?? UnsafeBufferPointer(start: nil, count: 0))
        out?.pointee = Unmanaged.passRetained(signature).toOpaque()
        return 0
      },
      free_signature: { signature, _ in
        if let signature { Unmanaged<SpanSignature>.fromOpaque(signature).release() }
      },
      similarity: { score, a, b, _ in
        guard let a, let b else {
          score?.pointee = 0
          return 0
        }
        let old = Unmanaged<SpanSignature>.fromOpaque(a).takeUnretainedValue()
        let new = Unmanaged<SpanSignature>.fromOpaque(b).takeUnretainedValue()
        score?.pointee = Int32(old.similarity(to: new))
        return 0
      },
      payload: nil)
  }

  private static func findOptions() -> git_diff_find_options {
    var find = patchsite_diff_find_options_init()
    find.flags = GIT_DIFF_FIND_RENAMES.rawValue
    return find
  }

  /// `git_diff_to_buf` with `GIT_DIFF_FORMAT_PATCH`: the whole patch text.
  static func patchText(_ diff: OpaquePointer) throws(GitError) -> String {
    var buf = patchsite_buf_init()
    defer { git_buf_dispose(&buf) }
    try check(git_diff_to_buf(&buf, diff, GIT_DIFF_FORMAT_PATCH), "git_diff_to_buf")
    return string(buf)
  }

  static func freeDiff(_ diff: OpaquePointer?) { git_diff_free(diff) }

  /// One file pair of a diff, copied out of `git_diff_delta`.
  struct Delta {
    enum Status { case added, deleted, modified, renamed, copied, other }
    var oldPath: String
    var newPath: String
    var status: Status
    var isBinary: Bool
  }

  /// The file pairs of a diff (`git_diff_num_deltas`, `git_diff_get_delta`).
  static func deltas(_ diff: OpaquePointer) -> [Delta] {
    var out: [Delta] = []
    for i in 0..<git_diff_num_deltas(diff) {
      guard let d = git_diff_get_delta(diff, i) else { continue }
      let status: Delta.Status =
        switch d.pointee.status {
        case GIT_DELTA_ADDED: .added
        case GIT_DELTA_DELETED: .deleted
        case GIT_DELTA_MODIFIED: .modified
        case GIT_DELTA_RENAMED: .renamed
        case GIT_DELTA_COPIED: .copied
        default: .other
        }
      out.append(
        Delta(
          oldPath: d.pointee.old_file.path.map { String(cString: $0) } ?? "",
          newPath: d.pointee.new_file.path.map { String(cString: $0) } ?? "",
          status: status,
          isBinary: d.pointee.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0))
    }
    return out
  }

  /// The number of old-side lines the hunks of delta `index` cover (`git_patch_from_diff`,
  /// `git_patch_get_hunk`).
  static func oldLinesCovered(_ diff: OpaquePointer, delta index: Int) throws(GitError) -> Int {
    var patch: OpaquePointer?
    try check(git_patch_from_diff(&patch, diff, index), "git_patch_from_diff")
    defer { git_patch_free(patch) }
    var total = 0
    for h in 0..<git_patch_num_hunks(patch) {
      var hunk: UnsafePointer<git_diff_hunk>?
      var lines = 0
      try check(git_patch_get_hunk(&hunk, &lines, patch, h), "git_patch_get_hunk")
      total += Int(hunk?.pointee.old_lines ?? 0)
    }
    return total
  }

  /// `git_diff_from_buffer`: parses patch text (git format, `diff --git` headers) into a diff.
  static func parsePatch(_ text: String) throws(GitError) -> OpaquePointer {
    var diff: OpaquePointer?
    var bytes = Array(text.utf8)
    let count = bytes.count
    bytes.append(0)
    let result = bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { chars in
        git_diff_from_buffer(&diff, chars.baseAddress, count)
      }
    }
    if result < 0 {
      var error = lastError(result, "git_diff_from_buffer")
      error.code = .invalidPatch
      throw error
    }
    guard let diff else {
      throw GitError(.invalidPatch, "no diff parsed", operation: "git_diff_from_buffer")
    }
    return diff
  }

  // MARK: Applying patches

  /// `git_apply_to_tree` + `git_index_write_tree_to`: applies `diff` to `tree` in memory and
  /// writes the resulting index as a tree into the object database. On failure the error's
  /// `path` is the file libgit2 was applying (tracked with the `delta_cb` callback).
  static func apply(_ repo: OpaquePointer, diff: OpaquePointer, to tree: OpaquePointer)
    throws(GitError) -> ObjectID
  {
    final class Progress { var path: String? }
    let progress = Progress()
    var options = patchsite_apply_options_init()
    options.delta_cb = { delta, payload in
      guard let payload, let delta else { return 0 }
      let progress = Unmanaged<Progress>.fromOpaque(payload).takeUnretainedValue()
      let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
      progress.path = file.map { String(cString: $0) }
      return 0
    }
    var index: OpaquePointer?
    let result = withExtendedLifetime(progress) {
      options.payload = Unmanaged.passUnretained(progress).toOpaque()
      return git_apply_to_tree(&index, repo, tree, diff, &options)
    }
    try check(result, "git_apply_to_tree", path: progress.path)
    defer { git_index_free(index) }
    var out = git_oid()
    try check(git_index_write_tree_to(&out, index, repo), "git_index_write_tree_to")
    return objectID(&out)
  }

  // MARK: Helpers

  private static func string(_ buf: git_buf) -> String {
    guard let ptr = buf.ptr, buf.size > 0 else { return "" }
    return ptr.withMemoryRebound(to: UInt8.self, capacity: buf.size) {
      String(decoding: UnsafeBufferPointer(start: $0, count: buf.size), as: UTF8.self)
    }
  }

  /// Runs `body` with a `git_strarray` holding copies of `strings`.
  private static func withStringArray<R>(_ strings: [String], _ body: (git_strarray) -> R) -> R {
    let pointers = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(
      capacity: max(strings.count, 1))
    for (i, s) in strings.enumerated() {
      let utf8 = Array(s.utf8)
      let copy = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
      for (j, b) in utf8.enumerated() { copy[j] = CChar(bitPattern: b) }
      copy[utf8.count] = 0
      pointers[i] = copy
    }
    defer {
      for i in 0..<strings.count { pointers[i]?.deallocate() }
      pointers.deallocate()
    }
    return body(git_strarray(strings: strings.isEmpty ? nil : pointers, count: strings.count))
  }
}
