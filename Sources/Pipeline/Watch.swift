import Git

/// The paths an audit watches, as a tree of folders: which entries to look up by name in each
/// folder, which to descend into, and which name prefixes (`insn*`) to match.
///
/// A tree's *signature* under the watch lists the object ID at every watched path (and the
/// names and IDs that match each prefix). Two trees have the same signature exactly when
/// `git log -- PATHS` would call the change between them empty, and it is found from object
/// IDs alone: no blob is read and no diff is made.
struct Watch: Sendable {
  struct Folder: Sendable {
    /// Entries looked up by name, in order.
    var names: [String] = []
    /// For each name, the folder to descend into; nil for an entry watched whole.
    var below: [Int?] = []
    /// `prefix*` patterns in this folder.
    var prefixes: [String] = []
  }

  /// The folders; 0 is the root.
  private(set) var folders: [Folder] = [Folder()]

  init(paths: [String]) {
    paths: for p in paths {
      let parts = Repository.normalise(p).split(separator: "/").map(String.init)
      guard let last = parts.last else { continue }
      var at = 0
      for (k, part) in parts.enumerated() {
        // A wildcard (`insn*`, `arm?4`, `*.c`): every entry whose name starts as it does,
        // watched whole.
        if let glob = part.firstIndex(where: { "*?[".contains($0) }) {
          let prefix = String(part[..<glob])
          if !folders[at].prefixes.contains(prefix) { folders[at].prefixes.append(prefix) }
          continue paths
        }
        if k == parts.count - 1 { break }
        guard let next = descend(at, into: part) else { continue paths }
        at = next
      }
      if let k = folders[at].names.firstIndex(of: last) {
        folders[at].below[k] = nil  // watched whole: what is below it counts too
      } else {
        folders[at].names.append(last)
        folders[at].below.append(nil)
      }
    }
  }

  /// The folder for `name` below folder `at`, made if new; nil when `name` is already watched
  /// whole (everything under it counts).
  private mutating func descend(_ at: Int, into name: String) -> Int? {
    if let k = folders[at].names.firstIndex(of: name) {
      return folders[at].below[k]
    }
    folders.append(Folder())
    folders[at].names.append(name)
    folders[at].below.append(folders.count - 1)
    return folders.count - 1
  }
}

/// One mark of a signature (see ``Watch``).
enum WatchMark: Hashable, Sendable {
  /// A watched name the folder does not have.
  case absent
  /// A watched entry: its object, and whether it is a folder.
  case object(ObjectID, folder: Bool)
  /// An entry matching a prefix.
  case match(String, ObjectID)
  /// The end of one folder's marks.
  case end
}

/// Signatures of trees under a watch, read through one repository handle. A folder's marks
/// are kept by its tree ID, so along a history only the folders that changed are read again:
/// for most commits that is the root tree alone.
final class WatchSigner {
  let watch: Watch
  let repository: Repository
  private var kept: [Key: [WatchMark]] = [:]

  struct Key: Hashable {
    var folder: Int
    var tree: ObjectID
  }

  init(_ watch: Watch, _ repository: Repository) {
    self.watch = watch
    self.repository = repository
  }

  /// The signature of the tree `root`.
  func signature(_ root: ObjectID) throws(GitError) -> [WatchMark] {
    try marks(0, root)
  }

  private func marks(_ index: Int, _ tree: ObjectID) throws(GitError) -> [WatchMark] {
    // The root changes with every commit: not worth keeping.
    if index != 0, let k = kept[Key(folder: index, tree: tree)] { return k }
    let folder = watch.folders[index]
    let seen = try repository.children(
      named: folder.names, prefixes: folder.prefixes, inTree: tree)
    var out: [WatchMark] = []
    for (k, child) in seen.named.enumerated() {
      guard let child else {
        out.append(.absent)
        continue
      }
      if let below = folder.below[k], child.isTree {
        out += try marks(below, child.id)
      } else {
        out.append(.object(child.id, folder: child.isTree))
      }
    }
    for m in seen.matching { out.append(.match(m.name, m.child.id)) }
    out.append(.end)
    if index != 0 {
      // Bounded: a long history of a busy folder must not grow the memory without end.
      if kept.count >= 65_536 { kept.removeAll(keepingCapacity: true) }
      kept[Key(folder: index, tree: tree)] = out
    }
    return out
  }
}
