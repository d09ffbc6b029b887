import TestSupport
import Testing

@testable import Mail

@Suite struct ParallelReadTests {
  /// An mbox of `count` messages built from the fixtures, some damaged.
  static func bigInput(count: Int) -> [UInt8] {
    var out: [UInt8] = []
    let sources = [
      "single.eml", "quoted-printable.eml", "nested-multipart.eml",
      "broken-boundary.eml", "unknown-charset.eml", "encoded-words.eml",
    ].map { Fixture.bytes($0) }
    for k in 0..<count {
      out += Array("From mboxrd@z Thu Jan  1 00:00:00 1970\n".utf8)
      out += sources[k % sources.count]
      out += Array("\n".utf8)
    }
    return out
  }

  @Test func threadsGiveTheSequentialResult() throws {
    let bytes = ParallelReadTests.bigInput(count: 600)
    let raws = MboxSplitter.split(bytes)
    #expect(raws.count == 600)
    let one = try MailInput.assemble(
      raws, name: "big", quoting: .mboxrd, bodies: .eager, threads: 1)
    for threads in [2, 3, 7] {
      let many = try MailInput.assemble(
        raws, name: "big", quoting: .mboxrd, bodies: .eager, threads: threads)
      #expect(many == one, "\(threads) threads")
    }
    #expect(one.messages.count == 600)
    #expect(one.diagnostics.count == 300)  // broken boundary 1, unknown charset 2 per 6
  }

  @Test func mapKeepsRunOrder() {
    let items = Array(0..<1000)[...]
    let sums = ParallelRead.map(items, workers: 4) { $0.reduce(0, +) }
    #expect(sums.count == 4)
    #expect(sums.reduce(0, +) == 499_500)
    #expect(sums == [0..<250, 250..<500, 500..<750, 750..<1000].map { $0.reduce(0, +) })
    #expect(ParallelRead.map(Array<Int>()[...], workers: 3) { $0.count } == [0])
  }
}
