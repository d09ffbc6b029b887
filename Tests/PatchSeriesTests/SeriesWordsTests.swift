import TestSupport
import Testing

@testable import PatchSeries

/// The byte readings of `SeriesWords` against the readings by characters they stand for.
@Suite struct SeriesWordsTests {
  static let tags = [
    "PATCH", "patch", "Patch", "PATCHES", "v2", "V12", "v", "v2a", "vv2", "PATCHv3", "patchV3",
    "PATCH-v4", "patch-V", "PATCH_v2", "3/4", "03/10", "/4", "3/", "3/4/5", "a/b", "RFC",
    "RESEND", "bpf-next", "net", "-next", "12345/67890", "v1\u{0663}", "\u{0663}/4", "PATCH\u{301}",
    "\u{212A}", "v\u{FF12}", "", " ", "v 2", "v2\t",
  ]

  @Test func numberingWordsAgree() {
    for t in Self.tags {
      #expect(
        SeriesWords.isNumbering(t) == SeriesWords.isNumberingByCharacters(t),
        "\(t.debugDescription)")
    }
  }

  @Test func lowerCasingAgrees() {
    for t in Self.tags + ["MiXeD", "ALL CAPS", "already lower", "\u{212A}elvin", "Ünïcode"] {
      #expect(
        (SeriesWords.asciiLowercased(t) ?? t.lowercased()) == t.lowercased(),
        "\(t.debugDescription)")
      if SeriesWords.asciiLowercased(t) != nil {
        #expect(Array((SeriesWords.asciiLowercased(t) ?? "").utf8) == Array(t.lowercased().utf8))
      }
    }
  }

  @Test func titlesAgree() {
    let titles = [
      "arm64: ftrace: Add  direct calls", "  leading and trailing  ", "tabs\tand \t spaces",
      "", " ", "\t", "CRLF inside\r\nthe title", "UPPER lower MiXeD", "one", "a  b   c",
      "Ünïcode Title", "\u{212A}elvin  sign", "e\u{301} combining", "x \u{301}y",
    ]
    var rng = SeededGenerator(seed: 14)
    let pieces = ["a", "B", " ", "\t", "  ", "ftrace:", "\r\n", "-", "v2", "É"]
    var random: [String] = []
    for _ in 0..<300 {
      random.append(
        (0..<Int.random(in: 0...8, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? ""
        }.joined())
    }
    for t in titles + random {
      let fast = SeriesWords.normalizedTitle(t)
      let slow = SeriesWords.normalizedTitleByCharacters(t)
      #expect(Array(fast.utf8) == Array(slow.utf8), "\(t.debugDescription)")
    }
  }
}
