import Diagnostics
import Foundation
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
