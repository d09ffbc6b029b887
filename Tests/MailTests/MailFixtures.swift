import Foundation
import Mail
import TestSupport

/// Loads the hand-written fixtures of `Tests/MailTests/Fixtures/`.
enum Fixture {
  static let directory = Tools.packageRoot() + "/Tests/MailTests/Fixtures"

  static func path(_ name: String) -> String { "\(directory)/\(name)" }

  static func bytes(_ name: String) -> [UInt8] {
    (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path(name))))) ?? []
  }

  /// Every top-level fixture file that holds mail (mbox or single message).
  static let mailFiles = [
    "mboxrd.mbox", "mboxo.mbox", "no-trailing-newline.mbox", "from-in-body.mbox",
    "truncated.mbox", "single.eml", "quoted-printable.eml", "base64.eml",
    "nested-multipart.eml", "encoded-words.eml", "folded-headers.eml", "unknown-charset.eml",
    "broken-boundary.eml",
  ]

  /// The same bytes with every LF turned into CRLF.
  static func crlf(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    for b in bytes {
      if b == 0x0A { out.append(0x0D) }
      out.append(b)
    }
    return out
  }

  /// Parses in-memory text as mail, failing the test on a thrown error.
  static func parse(_ text: String, name: String = "t.mbox") throws -> MailCollection {
    try MailInput.parse(bytes: Array(text.utf8), name: name)
  }
}
