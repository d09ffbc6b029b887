import Foundation

/// Parses kept by what they were made from: the file's text, the configuration, and the text of
/// every other file the parse read from the tree (its includes). A later tree where all of these
/// read the same gets the kept parse. `audit` rebuilds a tree at every commit that changes one
/// of the callsite's files; the others are not parsed again.
///
/// Bounded: beyond `capacity` entries the oldest go.
public final class ParseMemo<Value: Sendable>: @unchecked Sendable {
  struct Key: Hashable {
    var file: String
    var text: String
    var config: KernelConfig
  }
  struct Entry {
    var reads: [String: String?]
    var value: Value
  }

  private let lock = NSLock()
  private var entries: [Key: [Entry]] = [:]
  private var order: [Key] = []
  private let capacity: Int

  public init(capacity: Int = 64) { self.capacity = capacity }

  /// The kept value for `text` of `file` under `config` whose reads match `tree`, or `make`'s
  /// (which reads through the tree it is given), kept.
  func value(
    file: String, text: String, config: KernelConfig, tree: any KernelTree,
    _ make: (any KernelTree) -> Value
  ) -> Value {
    let key = Key(file: file, text: text, config: config)
    lock.lock()
    let candidates = entries[key] ?? []
    lock.unlock()
    for c in candidates where c.reads.allSatisfy({ tree.contents(of: $0.key) == $0.value }) {
      return c.value
    }
    let log = TreeReads(tree)
    let v = make(log)
    lock.lock()
    defer { lock.unlock() }
    if entries[key] == nil { order.append(key) }
    entries[key, default: []].append(Entry(reads: log.reads, value: v))
    while order.count > capacity {
      entries[order.removeFirst()] = nil
    }
    return v
  }
}

/// A tree that notes what is read from it.
final class TreeReads: KernelTree, @unchecked Sendable {
  private let tree: any KernelTree
  private let lock = NSLock()
  private var seen: [String: String?] = [:]

  init(_ tree: any KernelTree) { self.tree = tree }

  func contents(of path: String) -> String? {
    let t = tree.contents(of: path)
    lock.lock()
    seen[path] = t
    lock.unlock()
    return t
  }

  func unknownLines(in path: String) -> [ClosedRange<Int>] { tree.unknownLines(in: path) }

  var reads: [String: String?] {
    lock.lock()
    defer { lock.unlock() }
    return seen
  }
}
