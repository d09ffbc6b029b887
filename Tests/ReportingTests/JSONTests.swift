import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import Reporting

@Test func oneDiagnosticShapeEverywhere() {
  let d = Diagnostic(
    "layout.literal-misaligned", .warning, at: SourceLocation(file: "a/ftrace.c", line: 12),
    "the literal at func-16 is not 8-byte aligned")
  #expect(
    JSON.diagnostic(d).rendered()
      == """
      {
        "id": "layout.literal-misaligned",
        "severity": "warning",
        "file": "a/ftrace.c",
        "line": 12,
        "message": "the literal at func-16 is not 8-byte aligned"
      }

      """)
}

@Test func emptyContainersAndNull() {
  #expect(JSON.array([]).rendered() == "[]\n")
  #expect(JSON.object([("k", .null)]).rendered() == "{\n  \"k\": null\n}\n")
}

/// JSON quoting: Foundation's parser reads every quoted text back unchanged, and the
/// escapes are the short ones where JSON has them, `\u00XX` for the other controls.
@Test func jsonQuoting() throws {
  var samples = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
  samples += ["ldr\tx0, [x1]", "a\"b\\c", "é→\u{7f}\u{1f}", ""]
  for s in samples {
    var bytes: [UInt8] = []
    JSON.quote(utf8: Array(s.utf8), into: &bytes)
    let back = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
    #expect(back as? String == s, "\(Array(s.utf8))")
    #expect(String(decoding: bytes, as: UTF8.self) == JSON.literal(s))
  }
  let expected: [(String, String)] = [
    ("\t", #""\t""#), ("\n", #""\n""#), ("\r", #""\r""#), ("\u{08}", #""\b""#),
    ("\u{0C}", #""\f""#), ("\u{01}", #""\u0001""#), ("\u{1f}", #""\u001f""#),
    ("\u{7f}", #""\u007f""#), ("\"", #""\"""#), ("\\", #""\\""#), ("é", "\"é\""),
  ]
  for (s, quoted) in expected { #expect(JSON.literal(s) == quoted, "\(Array(s.utf8))") }
}

/// Integers are spelled as `String(i)` spells them, at both ends of the range too.
@Test func jsonIntegers() {
  for i in [0, 7, 9, 10, 42, 100, -1, -10, 1_234_567, Int.max, Int.min] {
    var w = JSONWriter()
    w.int(i)
    #expect(String(decoding: w.bytes, as: UTF8.self) == String(i))
  }
}

/// The writer's strings, quoted into its room eight bytes at a time, are the bytes
/// `JSON.quote(utf8:into:)` appends, for every escape at every place of the eight.
@Test func writerStringsAreQuotedAsQuoteQuotesThem() {
  var rng = SeededGenerator(seed: 11)
  let pieces: [String] = [
    "a", "xyz", "0123456789", "\"", "\\", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}",
    "\u{1F}", "\u{7F}", " ", "~", "é", "→", "😀", "\u{80}",
  ]
  for n in 0..<1000 {
    let s = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
      pieces.randomElement(using: &rng) ?? ""
    }.joined()
    var w = JSONWriter()
    w.string(s)
    var expected: [UInt8] = []
    JSON.quote(utf8: Array(s.utf8), into: &expected)
    #expect(w.bytes == expected, "\(n): \(s.debugDescription)")
  }
  for b in UInt8(0)...UInt8(0x7F) {
    for at in 0..<9 {
      let s = String(repeating: "a", count: at) + String(UnicodeScalar(b)) + "bcdefghij"
      var w = JSONWriter()
      w.string(s)
      var expected: [UInt8] = []
      JSON.quote(utf8: Array(s.utf8), into: &expected)
      #expect(w.bytes == expected, "byte \(b) at \(at)")
    }
  }
}
