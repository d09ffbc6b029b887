import Foundation
import TestSupport
import Testing

@testable import Mail

@Suite struct TrailerTests {
  @Test func patchTrailerBlockBeforeSeparator() {
    let body = """
      arm64: ftrace: do the thing

      Some explanation: with a colon that is not a trailer.
      Link: in the middle paragraph is not the trailer block either

      Fixes: 0123456789ab ("arm64: ftrace: the old thing")
      Reported-by: Rae <rae@example.org>
      Closes: https://example.org/r/1
      Co-developed-by: Sam <sam@example.org>
      Signed-off-by: Sam <sam@example.org>
      [ada: reworded the commit message]
      Acked-by: Tom <tom@example.org> # for the
        ftrace part
      Cc: stable@vger.kernel.org # 6.1.x
      Custom-Token: anything
      Signed-off-by: Ada <ada@example.org>
      ---
      Reviewed-by: after the separator is not a trailer
      diff --git a/x b/x
      """
    let t = Trailers.inPatch(body: body, firstLine: 100)
    #expect(
      t.map(\.name) == [
        "Fixes", "Reported-by", "Closes", "Co-developed-by", "Signed-off-by", "Acked-by", "Cc",
        "Custom-Token", "Signed-off-by",
      ])
    #expect(t.first?.line == 105)
    #expect(t.first?.value == "0123456789ab (\"arm64: ftrace: the old thing\")")
    #expect(t[5].value == "Tom <tom@example.org> # for the ftrace part")
    #expect(t.last?.line == 115)
    #expect(Trailers.parse(body) == Trailers.inPatch(body: body))
  }

  @Test func noTrailerBlockWhenLastParagraphIsProse() {
    let body = "Title\n\nJust prose: not trailers.\nMore prose here.\nAnd more.\n---\n"
    #expect(Trailers.inPatch(body: body).isEmpty)
    #expect(Trailers.inPatch(body: "").isEmpty)
  }

  @Test func patchWithoutSeparatorStopsAtDiff() {
    let body = "Title\n\nSigned-off-by: A <a@x>\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n"
    #expect(Trailers.inPatch(body: body).map(\.name) == ["Signed-off-by"])
  }

  @Test func urlIsNotATrailer() {
    #expect(Trailers.inPatch(body: "T\n\nhttps://example.org/x\n").isEmpty)
  }

  @Test func replyTrailersSkipQuotesAndSignature() {
    let body = """
      On Mon, Ada wrote:
      > Signed-off-by: Ada <ada@example.org>
      > Reviewed-by: quoted, ignored

      Looks good.
      Note: not a trailer in a reply.
      Reviewed-by: Dan <dan@example.org>
      Tested-by: Dan <dan@example.org> # on qemu
      Frobbed-by: Eve <eve@example.org>

      -- 
      Acked-by: in the signature, ignored
      """
    let t = Trailers.inReply(body: body)
    #expect(t.map(\.name) == ["Reviewed-by", "Tested-by", "Frobbed-by"])
    #expect(t.map(\.line) == [7, 8, 9])
  }

  @Test func fixtureReply() throws {
    let c = try MailInput.load(path: Fixture.path("single.eml"))
    let m = try #require(c.messages.first)
    let t = Trailers.inReply(body: m.body, firstLine: m.bodyStartLine)
    #expect(
      t.map(\.description) == [
        "Reviewed-by: Dan Reviewer <dan@example.org>",
        "Tested-by: Dan Reviewer <dan@example.org> # on a test board",
      ])
    #expect(t.map(\.line) == [18, 19])
  }
}

/// `git interpret-trailers --parse` as an oracle for the trailer block of a patch.
@Suite struct InterpretTrailersOracleTests {
  static func gitTrailers(_ git: String, _ body: String) throws -> [String] {
    let r = try Tools.run(git, ["interpret-trailers", "--parse"], stdin: Data(body.utf8))
    return r.stdout.split(separator: "\n").map(String.init)
  }

  @Test func patchTrailersMatchGit() throws {
    guard let git = Tools.oracle("git") else { return }
    var bodies: [String] = [
      "T\n\nFixes: 0123 (\"x\")\nSigned-off-by: A <a@x>\n---\n diff\n",
      "T\n\nprose paragraph\nwith: colon\n\nReviewed-by: R <r@x>\n[fixed: typo]\nAcked-by: Q <q@x> # for the\n  ftrace part\nSigned-off-by: A <a@x>\n",
      "T\n\nJust prose: not trailers.\nMore prose here.\nAnd more.\n---\n",
      "T\n\nSigned-off-by: A <a@x>\nnot a trailer line here\n",
      "",
      // Left out on purpose: git reads `https://x` as a trailer `https: //x`; we require
      // whitespace after the colon (`urlIsNotATrailer`), as every kernel trailer has.
    ]
    for file in CorpusTests.files {
      for m in try MailInput.load(path: "\(CorpusTests.directory)/\(file)").messages
      where !m.patchSubject.isReply {
        bodies.append(m.body)
      }
    }
    for body in bodies {
      let ours = Trailers.inPatch(body: body).map(\.description)
      #expect(ours == (try Self.gitTrailers(git, body)), "\(body.prefix(80))")
    }
    #expect(bodies.count > 8)
  }
}
