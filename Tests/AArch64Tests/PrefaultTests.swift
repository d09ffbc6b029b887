import Testing

@testable import AArch64

/// Mapping pages ahead is advice only: what a buffer holds is never changed, whatever the
/// range (unaligned, partial pages, below the minimum, empty).
struct PrefaultTests {
  @Test func contentsAreKept() {
    let n = 3 * Prefault.minimumBytes + 123
    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
    defer { buffer.deallocate() }
    for k in 0..<n { buffer[k] = UInt8(truncatingIfNeeded: k &* 31 &+ 7) }
    guard let base = buffer.baseAddress else {
      Issue.record("no buffer")
      return
    }
    for (from, count) in [(0, n), (5, n - 5), (4096 + 1, Prefault.minimumBytes), (0, 100), (7, 0)] {
      Prefault.populate(UnsafeMutableRawPointer(base + from), bytes: count)
    }
    var same = true
    for k in 0..<n where buffer[k] != UInt8(truncatingIfNeeded: k &* 31 &+ 7) { same = false }
    #expect(same)
  }

  @Test func spareCapacityOfAnArray() {
    var items: [Int] = [1, 2, 3]
    items.reserveCapacity(1 << 19)
    Prefault.populate(spareOf: &items, count: items.capacity - items.count)
    #expect(items == [1, 2, 3])
    items.append(4)
    #expect(items.last == 4)
  }
}
