import Glibc

/// The commit-graph files git writes beside a repository's objects (`git commit-graph write`,
/// `git gc`, `git maintenance`): for each commit they list, its root tree, its parents and its
/// committer date, so that a walk needs no commit object read and inflated.
///
/// Read: format version 1 with SHA-1 names, one file (`objects/info/commit-graph`) or a chain
/// of layers (`objects/info/commit-graphs/commit-graph-chain`, oldest layer first). Only the
/// chunks a walk needs are used: the fan-out (`OIDF`), the sorted names (`OIDL`), the commit
/// data (`CDAT`) and the extra parents of octopus merges (`EDGE`). Anything else about a file
/// that does not hold (a header, a chunk out of bounds, a parent position past the end) makes
/// ``open(objects:)`` give nil, and the walk reads commit objects as before. A commit the
/// graph does not list (one made after it was written) is read from the object database.
final class CommitGraph: @unchecked Sendable {
  /// One file of the graph, mapped read-only.
  struct Layer {
    var base: UnsafeRawPointer
    var size: Int
    var count: Int
    /// Commits in the layers before this one: positions are counted over the whole chain.
    var before: Int
    var fanout: Int
    var names: Int
    var data: Int
    var edges: Int?
    var edgeCount: Int
  }

  private let layers: [Layer]
  /// Commits over all layers.
  let count: Int

  private init(layers: [Layer]) {
    self.layers = layers
    count = layers.last.map { $0.before + $0.count } ?? 0
  }

  deinit {
    for l in layers { munmap(UnsafeMutableRawPointer(mutating: l.base), l.size) }
  }

  /// The graph of the object folder `objects` (`.git/objects`), or nil when there is none
  /// that this reader can trust.
  static func open(objects: String) -> CommitGraph? {
    let info = objects + "/info/"
    if let chain = readText(info + "commit-graphs/commit-graph-chain") {
      let hashes = chain.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
      guard !hashes.isEmpty, hashes.count <= 512 else { return nil }
      var layers: [Layer] = []
      for h in hashes {
        guard h.utf8.count == 40, h.utf8.allSatisfy({ ObjectID.nibble($0) != nil }),
          let l = map(
            info + "commit-graphs/graph-\(h).graph", layerIndex: layers.count,
            before: layers.last.map { $0.before + $0.count } ?? 0)
        else {
          for l in layers { munmap(UnsafeMutableRawPointer(mutating: l.base), l.size) }
          return nil
        }
        layers.append(l)
      }
      return validated(CommitGraph(layers: layers))
    }
    guard let l = map(info + "commit-graph", layerIndex: 0, before: 0) else { return nil }
    return validated(CommitGraph(layers: [l]))
  }

  /// `g` when every parent position it holds lies inside the graph.
  private static func validated(_ g: CommitGraph) -> CommitGraph? {
    for l in g.layers {
      for i in 0..<l.count {
        let d = l.data + 36 * i
        for p in [g.word(l, d + 20), g.word(l, d + 24)] where p != noParent {
          if p & 0x8000_0000 != 0 {
            guard l.edges != nil, Int(p & 0x7fff_ffff) < l.edgeCount else { return nil }
          } else if Int(p) >= l.before + l.count {
            return nil
          }
        }
      }
      if let e = l.edges {
        for k in 0..<l.edgeCount where Int(g.word(l, e + 4 * k) & 0x7fff_ffff) >= l.before + l.count
        {
          return nil
        }
      }
    }
    return g
  }

  static let noParent: UInt32 = 0x7000_0000

  /// The position of `id` over the whole chain, or nil when no layer lists it.
  func position(of id: ObjectID) -> Int? {
    var key = (UInt64(0), UInt64(0), UInt32(0))
    withUnsafeMutableBytes(of: &key) { id.store(into: $0) }
    return withUnsafeBytes(of: &key) { k -> Int? in
      guard let wanted = k.baseAddress else { return nil }
      let first = Int(k[0])
      for l in layers {
        var lo = first == 0 ? 0 : Int(word(l, l.fanout + 4 * (first - 1)))
        var hi = Int(word(l, l.fanout + 4 * first))
        while lo < hi {
          let mid = (lo + hi) / 2
          let c = memcmp(l.base + l.names + 20 * mid, wanted, 20)
          if c == 0 { return l.before + mid }
          if c < 0 { lo = mid + 1 } else { hi = mid }
        }
      }
      return nil
    }
  }

  /// The name at position `p` (which must be below ``count``).
  func name(at p: Int) -> ObjectID {
    let l = layer(of: p)
    let raw = UnsafeRawBufferPointer(start: l.base + l.names + 20 * (p - l.before), count: 20)
    return ObjectID(raw: raw, at: 0) ?? .zero
  }

  /// The commit at position `p`: its link (name, parents, root tree) and committer date.
  func commit(at p: Int) -> (link: CommitLink, time: Int64) {
    let l = layer(of: p)
    let d = l.data + 36 * (p - l.before)
    let tree =
      ObjectID(raw: UnsafeRawBufferPointer(start: l.base + d, count: 20), at: 0) ?? .zero
    var parents: [ObjectID] = []
    let first = word(l, d + 20)
    let second = word(l, d + 24)
    if first != Self.noParent { parents.append(name(at: Int(first))) }
    if second != Self.noParent {
      if second & 0x8000_0000 != 0 {
        var k = Int(second & 0x7fff_ffff)
        while let e = l.edges, k < l.edgeCount {
          let w = word(l, e + 4 * k)
          parents.append(name(at: Int(w & 0x7fff_ffff)))
          if w & 0x8000_0000 != 0 { break }
          k += 1
        }
      } else {
        parents.append(name(at: Int(second)))
      }
    }
    let time = Int64(word(l, d + 28) & 0x3) << 32 | Int64(word(l, d + 32))
    return (CommitLink(id: name(at: p), parents: parents, treeID: tree), time)
  }

  private func layer(of p: Int) -> Layer {
    for l in layers.reversed() where p >= l.before { return l }
    return layers[0]
  }

  /// The big-endian 32-bit word at byte `offset` of `l`.
  private func word(_ l: Layer, _ offset: Int) -> UInt32 {
    UInt32(bigEndian: (l.base + offset).loadUnaligned(as: UInt32.self))
  }

  private static func readText(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = fread(&buffer, 1, buffer.count, f)
      if n <= 0 { break }
      bytes += buffer[0..<n]
      if bytes.count > 1 << 20 { return nil }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Maps the graph file at `path` as the `layerIndex`th layer, checking its header and
  /// chunks; nil when it is missing or does not read as a graph.
  private static func map(_ path: String, layerIndex: Int, before: Int) -> Layer? {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size >= 8 + 12 + 20, st.st_size < 1 << 40 else { return nil }
    let size = Int(st.st_size)
    guard let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
      return nil
    }
    let base = UnsafeRawPointer(m)
    if let l = layer(base, size, layerIndex: layerIndex, before: before) { return l }
    munmap(m, size)
    return nil
  }

  private static func layer(_ base: UnsafeRawPointer, _ size: Int, layerIndex: Int, before: Int)
    -> Layer?
  {
    let b = UnsafeRawBufferPointer(start: base, count: size)
    // "CGPH", version 1, SHA-1, the number of chunks, the number of base layers.
    guard b[0] == 0x43, b[1] == 0x47, b[2] == 0x50, b[3] == 0x48, b[4] == 1, b[5] == 1,
      Int(b[7]) == layerIndex
    else { return nil }
    let chunks = Int(b[6])
    let table = 8
    guard table + 12 * (chunks + 1) <= size - 20 else { return nil }
    func be64(_ o: Int) -> Int {
      Int(truncatingIfNeeded: UInt64(bigEndian: (base + o).loadUnaligned(as: UInt64.self)))
    }
    func be32(_ o: Int) -> UInt32 { UInt32(bigEndian: (base + o).loadUnaligned(as: UInt32.self)) }
    var found: [UInt32: (offset: Int, size: Int)] = [:]
    for k in 0..<chunks {
      let e = table + 12 * k
      let id = be32(e)
      let start = be64(e + 4)
      let end = be64(e + 16)
      guard id != 0, start >= table + 12 * (chunks + 1), start <= end, end <= size - 20 else {
        return nil
      }
      found[id] = (start, end - start)
    }
    guard let fanout = found[0x4f49_4446], fanout.size == 1024,
      let names = found[0x4f49_444c], let data = found[0x4344_4154]
    else { return nil }
    var previous: UInt32 = 0
    for i in 0..<256 {
      let f = be32(fanout.offset + 4 * i)
      guard f >= previous else { return nil }
      previous = f
    }
    let count = Int(previous)
    guard names.size == 20 * count, data.size == 36 * count else { return nil }
    let edges = found[0x4544_4745]
    return Layer(
      base: base, size: size, count: count, before: before, fanout: fanout.offset,
      names: names.offset, data: data.offset, edges: edges?.offset,
      edgeCount: (edges?.size ?? 0) / 4)
  }
}
