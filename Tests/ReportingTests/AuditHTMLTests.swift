import Analysis
import Diagnostics
import Testing

@testable import Pipeline
@testable import Reporting

/// The HTML timeline: one self-contained page, the callsite drawn per state, text escaped.
@Suite struct AuditHTMLTests {
  static func report() -> AuditReport {
    let rev = AuditRevision(
      id: "0123456789abcdef0123456789abcdef01234567", subject: "arm64: <ftrace> & pads",
      date: "2026-01-02T03:04:05+00:00", author: "A <a@example.org>")
    let finding = Finding(
      CheckCatalogue.landingPad, message: "BR X16 lands on `sub sp, sp, #0x160`",
      explanation: "a pad is needed", state: .far,
      evidence: Evidence(blocks: [
        .init("emulated", [EvidenceLine(text: "br x16", note: "BTYPE 1")])
      ]))
    let state = AuditState(
      name: "near",
      words: [
        .init(offset: -8, text: ".quad ops (low)", kind: "literal", patched: true),
        .init(offset: 0, text: "bti c", kind: "insn", patched: false),
        .init(offset: 4, text: "bl ffff800080010000 <ftrace_caller>", kind: "insn", patched: true),
      ])
    let cfg = AuditConfiguration(
      name: "DYNAMIC_FTRACE ARM64_BTI_KERNEL", signatures: [("near", "bti c; bl ftrace_caller")],
      findings: [finding], states: [state])
    let a = AuditFinding(finding: finding, configuration: cfg.name, introducedBy: rev)
    let commit = AuditCommit(
      commit: rev, configurations: [cfg], introduced: [a], fixed: [], carried: 0, problems: [],
      layoutChanged: true)
    return AuditReport(
      range: "v1..v2", paths: ["arch/arm64"], walked: 3, commits: [commit], open: [a],
      rebuilt: 1, reused: 0)
  }

  @Test func thePageIsSelfContainedAndDrawsEachState() {
    let html = AuditHTML.render(Self.report())
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
    #expect(html.contains("arm64: &lt;ftrace&gt; &amp; pads"))
    #expect(
      html.contains("<span class=\"w pre literal patched\" title=\"func-8\">.quad ops (low)</span>")
    )
    #expect(
      html.contains("<span class=\"sym\">f:</span><span class=\"w\" title=\"func+0\">bti c</span>"))
    #expect(html.contains(">bl ftrace_caller</span>"))
    #expect(html.contains("bti.landing-pad"))
    #expect(html.contains("introduced by <code>0123456789ab</code>"))
  }
}
