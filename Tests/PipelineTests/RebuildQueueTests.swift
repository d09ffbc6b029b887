import Dispatch
import Foundation
import Testing

@testable import Git
@testable import Pipeline

/// The queue the audit's workers share: trees queued during the walk are taken from the front,
/// the rest from the back once the walk has ended, and a tree the report does not need is
/// skipped.
@Suite struct RebuildQueueTests {
  static func id(_ n: Int) -> ObjectID {
    ObjectID(hex: String(repeating: "0", count: 38) + String(format: "%02x", n)) ?? .zero
  }
  static func link(_ n: Int) -> CommitLink {
    CommitLink(id: id(n), parents: [id(n + 1)], treeID: id(100 + n))
  }
  static let nothing = AuditPipeline.Built(configurations: [], problems: [])

  @Test func frontDuringTheWalkBackAfterItAndOnlyWhatIsWanted() {
    let q = RebuildQueue()
    q.push(Self.link(1))
    q.push(Self.link(2))
    q.push(Self.link(1))  // once only
    #expect(q.takeFront()?.id == Self.id(1))
    // The walk ends: 2 is not wanted (off the first-parent line), 3 and 4 were never queued.
    q.close(
      wanted: [Self.id(1), Self.id(3), Self.id(4)],
      extra: [
        RebuildQueue.Item(id: Self.id(3), tree: Self.id(103)),
        RebuildQueue.Item(id: Self.id(4), tree: Self.id(104)),
      ])
    q.push(Self.link(5))  // too late: ignored
    #expect(q.takeBack()?.id == Self.id(4))
    #expect(q.takeFront()?.id == Self.id(3))  // 2 skipped
    #expect(q.takeFront() == nil)
    #expect(q.takeBack() == nil)
    // A second close changes nothing.
    q.close(wanted: [], extra: [RebuildQueue.Item(id: Self.id(6), tree: Self.id(106))])
    #expect(q.takeBack() == nil)
    q.finish(Self.id(1), Self.nothing, serial: 7, progress: nil)
    #expect(q.serial(Self.id(1)) == 7 && q.result(Self.id(1)) != nil && q.result(Self.id(3)) == nil)
  }

  @Test func aWaitingWorkerWakesForEachTreeAndAtTheEnd() {
    let q = RebuildQueue()
    let taken = Taken()
    let done = DispatchGroup()
    DispatchQueue.global().async(group: done) {
      var got: [ObjectID] = []
      while let item = q.takeFront() { got.append(item.id) }
      taken.set(got)
    }
    for n in 1...50 { q.push(Self.link(n)) }
    q.close(wanted: Set((1...50).map(Self.id)), extra: [])
    // This thread takes from the back what the worker has not taken yet.
    var back: [ObjectID] = []
    while let item = q.takeBack() { back.append(item.id) }
    done.wait()
    let front = taken.get()
    #expect(Set(front).isDisjoint(with: back))
    #expect(Set(front + back) == Set((1...50).map(Self.id)))
    #expect(front == front.sorted() && back == back.sorted(by: >))
  }
}

/// What the worker took, handed back to the test's thread.
private final class Taken: @unchecked Sendable {
  private let lock = NSLock()
  private var ids: [ObjectID] = []
  func set(_ v: [ObjectID]) {
    lock.lock()
    ids = v
    lock.unlock()
  }
  func get() -> [ObjectID] {
    lock.lock()
    defer { lock.unlock() }
    return ids
  }
}
