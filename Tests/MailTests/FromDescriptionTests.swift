import Diagnostics
import TestSupport
import Testing

@testable import Mail

/// `Message.fromDescription` reads the usual `From` value in one pass; it must give what
/// `from?.description` gives for every value, plain or not.
@Suite struct FromDescriptionTests {
  static let values = [
    " Mark Example <mark@example.org>", "mark@example.org", "  Name   <a@b>  ", " <a@b>",
    " Name <a@b", " Name a@b>", " A, B <a@b>", " =?utf-8?q?Andr=C3=A9?= <a@b>", " Na\tme <a@b>",
    "", "   ", "\t", " Name <>", " x <y> z", " Name<a@b>", " Name <a@b> trailing",
    " a@b (Comment)", " \"Quoted, Name\" <a@b>", " Andr\u{E9} <a@b>", " a <b> <c@d>",
    " a@b.c, d@e.f", " Name: x <a@b>", " Dr. J. Smith <js@x>", " [bot] <bot@x>",
    " multi\r\n line <a@b>", " ;semi <a@b>", " =? odd <a@b>", " back\\slash <a@b>",
    " @at <a@b>", " name <a@b>>", " <<a@b>>",
  ]

  @Test func plainReadingAgreesWithTheMailbox() {
    for v in Self.values {
      let raw = RawMessage(
        fromLine: nil, bytes: Array("From:\(v)\nSubject: s\n\nbody\n".utf8), startLine: 1,
        hasQuotedFrom: false)
      var diagnostics: [Diagnostic] = []
      let m = Message.read(raw, file: "t", quoting: .none, bodies: .lazy, diags: &diagnostics)
      #expect(m.fromDescription == m.from?.description, "\(v.debugDescription)")
    }
  }
}
