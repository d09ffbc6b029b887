import Analysis
import Diagnostics
import Dispatch
import Foundation
import Git
import KernelSource
import PatchSeries

/// What `patchsite audit` is asked: a range of a repository, the paths that shape the callsite.
public struct AuditRequest: Sendable {
  public var repository: String
  public var range: String
  /// Paths (a folder, a file, or a name pattern with `*` in its last part) whose change makes
  /// a commit worth rebuilding.
  public var paths: [String]
  /// Workers, each with its own repository handle.
  public var jobs: Int
  /// Follow every parent of a merge, not only the first.
  public var allParents: Bool
  public var overrides: [String: ConfigValue]

  /// The files that shape the arm64 callsite (`PatchSitePaths`, as `scan` watches them), the
  /// `insn*` files as patterns in the folders they live in.
  public static let defaultPaths =
    PatchSitePaths.exact.sorted() + [
      "arch/arm64/include/asm/insn*", "arch/arm64/kernel/insn*", "arch/arm64/lib/insn*",
    ]

  public init(
    repository: String, range: String, paths: [String] = AuditRequest.defaultPaths,
    jobs: Int = ProcessInfo.processInfo.activeProcessorCount, allParents: Bool = false,
    overrides: [String: ConfigValue] = [:]
  ) {
    self.repository = repository
    self.range = range
    self.paths = paths.isEmpty ? AuditRequest.defaultPaths : paths
    self.jobs = max(1, jobs)
    self.allParents = allParents
    self.overrides = overrides
  }
}

/// A commit as the reports show it (the renderers do not see libgit2's types).
public struct AuditRevision: Sendable, Hashable {
  /// The full hex ID, and its first 12 digits.
  public var id: String
  public var short: String
  public var subject: String
  /// The committer date, ISO 8601 with its offset.
  public var date: String
  public var author: String

  public init(id: String, subject: String, date: String, author: String) {
    self.id = id
    short = String(id.prefix(12))
    self.subject = subject
    self.date = date
    self.author = author
  }

  init(_ c: Commit) {
    id = c.id.description
    short = c.id.abbreviated(12)
    subject = c.summary
    date = c.committer.iso8601
    author = c.author.description
  }
}

/// A finding in the audit's timeline: under which configuration, and the commit that brought it.
public struct AuditFinding: Sendable {
  public var finding: Finding
  public var configuration: String
  /// The commit whose tree first has it (nil: already in the range's base).
  public var introducedBy: AuditRevision?
}

/// The callsite of one configuration at one commit: each state's words in a line.
public struct AuditConfiguration: Sendable {
  public var name: String
  /// `(state, "bti c; mov x9, x30; bl ftrace_caller")`, in the layout's order.
  public var signatures: [(state: String, words: String)]
  public var findings: [Finding]
  /// Each state's words, for a drawing of the callsite.
  public var states: [AuditState] = []
  /// The findings' fingerprints, computed once.
  var prints: [String] = []
}

/// One state's words as a drawing shows them: where each is, what it is, whether ftrace wrote it.
public struct AuditState: Sendable {
  public struct Word: Sendable {
    /// Bytes from the function symbol (negative before it).
    public var offset: Int
    public var text: String
    /// `insn`, `literal` or `padding`.
    public var kind: String
    /// Whether it differs from the compiled state's word there.
    public var patched: Bool
  }
  public var name: String
  public var words: [Word]
}

/// One commit of the range that touches the watched paths (or the range's base).
public struct AuditCommit: Sendable {
  public var commit: AuditRevision
  public var configurations: [AuditConfiguration]
  public var introduced: [AuditFinding]
  public var fixed: [AuditFinding]
  /// Findings it has that its predecessor had too.
  public var carried: Int
  /// Why the tree could not be modelled (wholly or in part).
  public var problems: [Diagnostic]
  /// Whether the layout differs from its predecessor's (an era change, a new state).
  public var layoutChanged: Bool

  /// The first configuration with states to show (one may not be modelled).
  public var shown: AuditConfiguration? {
    configurations.first { !$0.signatures.isEmpty } ?? configurations.first
  }
}

/// The audit of a range: its relevant commits in order, what is still open at the tip.
public struct AuditReport: Sendable {
  public var range: String
  public var paths: [String]
  /// Commits walked, and how many touched the paths.
  public var walked: Int
  public var commits: [AuditCommit]
  /// Findings of the tip, each with the commit that introduced it.
  public var open: [AuditFinding]
  /// Trees rebuilt, and how many rebuilds were kept ones (same blobs as an earlier commit).
  public var rebuilt: Int
  public var reused: Int
  /// Wall-clock and CPU seconds of each phase, in order: the walk, reading links and signatures,
  /// relevance, rebuilding and reviewing, attribution.
  public var phases: [(name: String, seconds: Double, cpu: Double)] = []
}

public enum AuditPipeline {
  /// Walks `request.range`, finds the commits that change a watched path (by the object IDs of
  /// the paths in each commit's tree against its parent's, before any diff), rebuilds and
  /// reviews each one's tree (in `jobs` workers; a tree whose files have the blobs of one
  /// already rebuilt is not rebuilt), and attributes each finding to the commit that brought it.
  public static func audit(
    _ request: AuditRequest, progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws(GitError) -> AuditReport {
    let repo = try Repository.open(path: request.repository)
    let watch = Watch(paths: request.paths)
    // The walk (each commit read once for its tree, parents and date), then each tree's
    // signature (the object IDs at the watched paths), read by workers with handles of their
    // own: for most commits, one root tree.
    var clock = PhaseClock()
    // The walk signs each commit as it reads it (with a handle of its own), and a commit whose
    // signature differs from its first parent's is queued at once: with more than one job,
    // workers rebuild those trees while the walk goes on. The walk's end says which commits
    // the report needs; the others are dropped from the queue.
    let queue = RebuildQueue()
    let cache = RebuildCache()
    let reviews = ReviewCache()
    let summaries = KeptSummaries()
    let rebuildOne: @Sendable (Repository, RebuildQueue.Item) -> (Built, Int?) = { own, item in
      let tree = GitTree(repository: own, treeID: item.tree, name: item.id.abbreviated(12))
      let r = LayoutPipeline.rebuild(
        tree: KernelTreeOf(tree), overrides: request.overrides, source: item.id.abbreviated(12),
        cache: cache)
      // A kept rebuild has been reviewed and summed up already.
      if let serial = r.serial, let kept = summaries.get(serial) { return (kept, serial) }
      let b = built(r.layouts, reviews.findings(r))
      if let serial = r.serial { summaries.set(serial, b) }
      return (b, r.serial)
    }
    let signRepo = try Repository.open(path: request.repository)
    let early = DispatchGroup()
    // However this function ends (a bad range, an unreadable commit), the workers are let go
    // and waited for: closing twice changes nothing.
    defer {
      queue.close(wanted: [], extra: [])
      early.wait()
    }
    for _ in 0..<max(0, request.jobs - 1) {
      DispatchQueue.global().async(group: early) {
        // A worker that cannot open the repository leaves its share to the others.
        let own: Repository
        do throws(GitError) {
          own = try Repository.open(path: request.repository)
        } catch {
          return
        }
        while let item = queue.takeFront() {
          let (b, serial) = rebuildOne(own, item)
          queue.finish(item.id, b, serial: serial, progress: progress)
        }
      }
    }
    // Where the range starts from is, along a first-parent line, its base: rebuilt first, as
    // soon as a worker is free (a bad range is left for the walk to report).
    do throws(GitError) {
      for link in try repo.boundary(of: request.range) { queue.push(link) }
    } catch {}
    let walkSigner = WatchSigner(watch, signRepo)
    var signatures: [ObjectID: [WatchMark]] = [:]
    var waiting: [ObjectID: [CommitLink]] = [:]
    var signError: GitError?
    let walked = try repo.walkLinks(request.range) { link in
      guard signError == nil, signatures[link.id] == nil else { return }
      let mine: [WatchMark]
      do throws(GitError) {
        mine = try walkSigner.signature(link.treeID)
      } catch {
        signError = error
        return
      }
      signatures[link.id] = mine
      if let p = link.parents.first {
        if let theirs = signatures[p] {
          if theirs != mine { queue.push(link) }
        } else {
          waiting[p, default: []].append(link)
        }
      } else {
        queue.push(link)
      }
      for child in waiting.removeValue(forKey: link.id) ?? [] where signatures[child.id] != mine {
        queue.push(child)
      }
    }
    clock.lap("walk and signatures (\(walked.count) commits)")
    if let signError { throw signError }
    // One revision stands for its whole history; a range for what git log shows of it.
    // One index of the walk, by ID, for the order, the first-parent line and the range.
    let position = Repository.positions(walked)
    let all = Repository.oldestFirst(walked, positions: position)
    var inOrder = [Bool](repeating: request.allParents, count: walked.count)
    let order: [CommitLink]
    if request.allParents {
      order = all
    } else {
      order = firstParentChain(from: all.last, walked: walked, position: position)
      for c in order { if let k = position[c.id] { inOrder[k] = true } }
    }
    func inRange(_ id: ObjectID) -> Bool { position[id].map { inOrder[$0] } ?? false }

    // Relevance: the signature against the first parent's.
    let signer = WatchSigner(watch, repo)
    var relevantLinks: [CommitLink] = []
    var baseIDs: [ObjectID] = []
    for c in order {
      guard let parent = c.parents.first else {
        relevantLinks.append(c)
        continue
      }
      if !inRange(parent), !baseIDs.contains(parent) {
        baseIDs.append(parent)
      }
      let before: [WatchMark]
      if let known = signatures[parent] {
        before = known
      } else {
        before = try signer.signature(repo.commit(parent).treeID)
        signatures[parent] = before
      }
      if signatures[c.id] != before { relevantLinks.append(c) }
    }
    clock.lap("relevance (\(relevantLinks.count) commits)")
    // The range's base: where the first commits start from.
    var bases: [Commit] = []
    for id in baseIDs { bases.append(try repo.commit(id)) }
    var relevant: [Commit] = []
    for l in relevantLinks { relevant.append(try repo.commit(l.id)) }
    var full: [ObjectID: Commit] = [:]
    for c in relevant { full[c.id] = c }

    // The rest of the rebuilds: what the walk did not queue (the oldest commits, the bases)
    // goes to the back of the queue, which this thread drains from there while the early
    // workers go on from the front, each along its own run of neighbouring commits.
    let todo = bases + relevant
    queue.close(
      wanted: Set(todo.map(\.id)),
      extra: (relevant.reversed() + bases).map { RebuildQueue.Item(id: $0.id, tree: $0.treeID) })
    while let item = queue.takeBack() {
      let (b, serial) = rebuildOne(repo, item)
      queue.finish(item.id, b, serial: serial, progress: progress)
    }
    early.wait()
    let results = todo.map { queue.result($0.id) }
    // Counted over the trees the report uses (a worker may have rebuilt one it did not need):
    // each set of files rebuilt once, the other trees kept from one of those.
    let serials = todo.map { queue.serial($0.id) }
    let rebuiltCount = Set(serials.compactMap { $0 }).count + serials.filter { $0 == nil }.count
    clock.lap("rebuild and review (\(todo.count) trees)")

    // Attribution, in order: each commit against its nearest relevant ancestor (along the
    // first parent), the base against nothing.
    var state: [ObjectID: Built] = [:]
    // "config|fingerprint" -> the commit that brought it (nil inside: the base had it).
    var origin: [String: AuditRevision?] = [:]
    for (k, b) in bases.enumerated() {
      guard let r = results[k] else { continue }
      state[b.id] = r
      for cfg in r.configurations {
        for print in cfg.prints { origin[cfg.name + "|" + print] = .some(nil) }
      }
    }
    var effective: [ObjectID: ObjectID] = [:]  // commit -> its nearest relevant commit or base
    for b in bases { effective[b.id] = b.id }
    let relevantIDs = Set(relevant.map(\.id))
    var out: [AuditCommit] = []
    var index = bases.count
    for link in order {
      guard relevantIDs.contains(link.id), let c = full[link.id] else {
        let c = link
        if let p = c.parents.first, let e = effective[p] { effective[c.id] = e }
        continue
      }
      defer { index += 1 }
      effective[c.id] = c.id
      guard let now = results[index] else { continue }
      state[c.id] = now
      let before = c.parents.first.flatMap { effective[$0] }.flatMap { state[$0] }
      var introduced: [AuditFinding] = []
      var fixed: [AuditFinding] = []
      var carried = 0
      for cfg in now.configurations {
        let old = before?.configurations.first { $0.name == cfg.name }
        let oldPrints = Set(old?.prints ?? [])
        let newPrints = Set(cfg.prints)
        for (f, print) in zip(cfg.findings, cfg.prints) {
          if oldPrints.contains(print) {
            carried += 1
          } else {
            let rev = AuditRevision(c)
            introduced.append(AuditFinding(finding: f, configuration: cfg.name, introducedBy: rev))
            origin[cfg.name + "|" + print] = .some(rev)
          }
        }
        if let old {
          for (f, print) in zip(old.findings, old.prints) where !newPrints.contains(print) {
            let from = origin[cfg.name + "|" + print] ?? nil
            fixed.append(AuditFinding(finding: f, configuration: cfg.name, introducedBy: from))
          }
        }
      }
      let changed =
        before.map { b in
          b.configurations.map(\.signatureKey) != now.configurations.map(\.signatureKey)
        } ?? true
      out.append(
        AuditCommit(
          commit: AuditRevision(c), configurations: now.configurations, introduced: introduced,
          fixed: fixed,
          carried: carried, problems: now.problems, layoutChanged: changed))
    }
    // What is open at the tip, with where it came from.
    var open: [AuditFinding] = []
    if let tip = order.last, let e = effective[tip.id], let s = state[e] {
      for cfg in s.configurations {
        for (f, print) in zip(cfg.findings, cfg.prints) {
          open.append(
            AuditFinding(
              finding: f, configuration: cfg.name,
              introducedBy: origin[cfg.name + "|" + print] ?? nil))
        }
      }
    }
    clock.lap("attribution")
    return AuditReport(
      range: request.range, paths: request.paths, walked: order.count, commits: out, open: open,
      rebuilt: rebuiltCount, reused: todo.count - rebuiltCount, phases: clock.laps)
  }

  /// The commits of `all` (oldest first) on the first-parent line of the newest.
  static func firstParentChain(
    from tip: CommitLink?, walked: [CommitLink], position: [ObjectID: Int]
  ) -> [CommitLink] {
    var chain: [CommitLink] = []
    var next = tip
    while let c = next {
      chain.append(c)
      next = c.parents.first.flatMap { position[$0] }.map { walked[$0] }
    }
    return chain.reversed()
  }

  /// One rebuilt tree: each configuration's signatures and findings, and what could not be
  /// modelled.
  struct Built: Sendable {
    var configurations: [AuditConfiguration]
    var problems: [Diagnostic]
  }

  static func built(_ layouts: [Layout], _ findings: [[Finding]]) -> Built {
    var configs: [AuditConfiguration] = []
    var problems: [Diagnostic] = []
    for (l, fs) in zip(layouts, findings) {
      let compiled = l.state(.compiled)
      let states = l.states.map { st in
        AuditState(
          name: st.name,
          words: st.words.map { w in
            AuditState.Word(
              offset: w.offset, text: w.text, kind: w.kind.rawValue,
              patched: compiled.map { $0.word(at: w.offset)?.word != w.word } ?? false)
          })
      }
      configs.append(
        AuditConfiguration(
          name: l.configName,
          signatures: l.states.map { ($0.name, signature($0)) }, findings: fs, states: states,
          prints: fs.map(\.fingerprint)))
      for d in l.diagnostics where d.severity >= .warning && !problems.contains(d) {
        problems.append(d)
      }
    }
    return Built(configurations: configs, problems: problems)
  }

  /// A state's words as a reviewer names the era: `bti c; mov x9, x30; bl ftrace_caller`,
  /// addresses left out (they move with the placement, not with the design).
  public static func signature(_ s: LayoutState) -> String {
    s.words.filter { !($0.kind == .literal && $0.text.hasSuffix("(high)")) }.map { w in
      var t = w.text
      if w.kind == .literal {
        t = t.replacingOccurrences(of: " (low)", with: "")
      }
      // "bl ffff800080010000 <ftrace_caller>" -> "bl ftrace_caller"
      if let open = t.firstIndex(of: "<"), let close = t.lastIndex(of: ">"), open < close {
        let name = t[t.index(after: open)..<close].trimmingCharacters(
          in: CharacterSet(charactersIn: "<>"))
        let head = t[..<open].split(separator: " ").filter { !isAddress($0) }
        t = (head + [Substring(name)]).joined(separator: " ")
      }
      return t
    }.joined(separator: "; ")
  }

  static func isAddress(_ s: Substring) -> Bool {
    s.count >= 8 && s.allSatisfy(\.isHexDigit)
  }
}

extension AuditConfiguration {
  var signatureKey: String {
    name + ":" + signatures.map { $0.0 + "=" + $0.1 }.joined(separator: "|")
  }
}

/// Reviews kept by the layouts they come from (the source name left out): a tree rebuilt into
/// the same layouts as one already reviewed (a change to a comment, to a file the callsite
/// does not depend on) gets its findings without running the scenarios again.
final class ReviewCache: @unchecked Sendable {
  private let lock = NSLock()
  private var kept: [[Layout]: [[Finding]]] = [:]

  func findings(_ r: Rebuild) -> [[Finding]] {
    let key = r.layouts.map { l -> Layout in
      var l = l
      l.source = ""
      l.version = nil
      return l
    }
    lock.lock()
    if let f = kept[key] {
      lock.unlock()
      return f
    }
    lock.unlock()
    let f = r.layouts.map { LayoutReview.review($0).findings }
    lock.lock()
    kept[key] = f
    lock.unlock()
    return f
  }
}

/// The trees to rebuild, in walk order (newest first). Workers that start during the walk
/// take from the front and wait for more; once the walk has ended (``close(wanted:extra:)``)
/// the thread that walked takes from the back, so each goes along its own run of neighbouring
/// commits, the run a kept parse most likely serves. Trees the report turns out not to need
/// are skipped.
final class RebuildQueue: @unchecked Sendable {
  struct Item: Sendable {
    var id: ObjectID
    var tree: ObjectID
  }
  private let condition = NSCondition()
  private var items: [Item] = []
  private var head = 0
  private var queued: Set<ObjectID> = []
  private var wanted: Set<ObjectID>?
  private var results: [ObjectID: AuditPipeline.Built] = [:]
  private var serials: [ObjectID: Int] = [:]
  private var done = 0

  /// Queues `link`'s tree, once.
  func push(_ link: CommitLink) {
    condition.lock()
    defer { condition.unlock() }
    guard wanted == nil, queued.insert(link.id).inserted else { return }
    items.append(Item(id: link.id, tree: link.treeID))
    condition.signal()
  }

  /// The walk has ended: only the trees of `wanted` are still rebuilt, and `extra` (those the
  /// walk did not queue) are added at the back, the last one first to be taken from there.
  func close(wanted: Set<ObjectID>, extra: [Item]) {
    condition.lock()
    defer { condition.unlock() }
    guard self.wanted == nil else { return }
    for item in extra where queued.insert(item.id).inserted { items.append(item) }
    self.wanted = wanted
    condition.broadcast()
  }

  /// The next tree from the front, waiting for the walk to queue one; nil once the queue is
  /// closed and empty.
  func takeFront() -> Item? {
    condition.lock()
    defer { condition.unlock() }
    while true {
      while head < items.count {
        let item = items[head]
        head += 1
        if wanted?.contains(item.id) ?? true { return item }
      }
      if wanted != nil { return nil }
      condition.wait()
    }
  }

  /// The next tree from the back, after ``close(wanted:extra:)``; nil when none is left.
  func takeBack() -> Item? {
    condition.lock()
    defer { condition.unlock() }
    while head < items.count {
      let item = items.removeLast()
      if wanted?.contains(item.id) ?? true { return item }
    }
    return nil
  }

  func finish(
    _ id: ObjectID, _ built: AuditPipeline.Built, serial: Int?,
    progress: (@Sendable (Int, Int) -> Void)?
  ) {
    condition.lock()
    results[id] = built
    serials[id] = serial
    let total = wanted?.count
    if let wanted, wanted.contains(id) { done += 1 }
    let n = done
    condition.unlock()
    if let total { progress?(n, total) }
  }

  /// The kept rebuild `id`'s tree was given (see ``Rebuild/serial``).
  func serial(_ id: ObjectID) -> Int? {
    condition.lock()
    defer { condition.unlock() }
    return serials[id]
  }

  func result(_ id: ObjectID) -> AuditPipeline.Built? {
    condition.lock()
    defer { condition.unlock() }
    return results[id]
  }
}

/// Each kept rebuild's summary (configurations, signatures, findings), by its serial.
final class KeptSummaries: @unchecked Sendable {
  private let lock = NSLock()
  private var kept: [Int: AuditPipeline.Built] = [:]
  func set(_ serial: Int, _ b: AuditPipeline.Built) {
    lock.lock()
    kept[serial] = b
    lock.unlock()
  }
  func get(_ serial: Int) -> AuditPipeline.Built? {
    lock.lock()
    defer { lock.unlock() }
    return kept[serial]
  }
}

/// Wall-clock laps, with the CPU time of the process in each, for `audit --timings`.
struct PhaseClock {
  private var last = DispatchTime.now().uptimeNanoseconds
  private var lastCPU = PhaseClock.cpu()
  private(set) var laps: [(name: String, seconds: Double, cpu: Double)] = []

  mutating func lap(_ name: String) {
    let now = DispatchTime.now().uptimeNanoseconds
    let cpu = Self.cpu()
    laps.append((name, Double(now - last) / 1e9, cpu - lastCPU))
    last = now
    lastCPU = cpu
  }

  /// CPU seconds used by every thread of the process so far.
  static func cpu() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
}
