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
