import Diagnostics
import Testing

@Test func locationDescriptionOmitsZeroParts() {
  #expect(SourceLocation(file: "a.mbox").description == "a.mbox")
  #expect(SourceLocation(file: "a.mbox", line: 12).description == "a.mbox:12")
  #expect(SourceLocation(file: "a.S", line: 3, column: 7).description == "a.S:3:7")
}

@Test func severityOrder() {
  #expect(Severity.note < .remark)
  #expect(Severity.remark < .warning)
  #expect(Severity.warning < .error)
}

@Test func messageIDDomain() {
  let id: MessageID = "mail.unknown-charset"
  #expect(id.domain == "mail")
  #expect(id.description == "mail.unknown-charset")
}

@Test func diagnosticDescriptionIsCompilerStyle() {
  let d = Diagnostic(
    "diff.hunk-count-mismatch", .error, at: SourceLocation(file: "x.patch", line: 4),
    "hunk says 3 lines, has 2")
  #expect(d.description == "x.patch:4: error: hunk says 3 lines, has 2 [diff.hunk-count-mismatch]")
}

@Test func loopProgressStopsWhenStuck() {
  var p = LoopProgress()
  let first = p.advanced(to: 0)
  let second = p.advanced(to: 3)
  let stuck = p.advanced(to: 3)
  #expect(first && second && !stuck)
}

@Test func bagTracksErrors() {
  var bag = DiagnosticBag()
  bag.report("x.a", .warning, at: SourceLocation(file: "f"), "w")
  #expect(!bag.hasErrors)
  bag.report("x.b", .error, at: SourceLocation(file: "f"), "e")
  #expect(bag.hasErrors)
  #expect(bag.items.count == 2)
}
