import Analysis
import Diagnostics
import TestSupport
import Testing

@testable import Pipeline

private func review(_ example: String, tree: Bool = true) throws -> ReviewReport {
  let root = Tools.packageRoot()
  let set = try SeriesInputs(
    inputs: [root + "/Series/\(example)/series.mbox"], tree: tree ? root + "/Series/base" : nil
  ).load()
  return ReviewPipeline.review(set: set)
}

private func errors(_ r: ReviewReport, version: Int? = nil) -> [LocatedFinding] {
  r.findings.filter { $0.finding.severity == .error && (version == nil || $0.version == version) }
}

/// The examples get the findings their READMEs promise.
@Suite struct ReviewTests {
  @Test func callOpsReviewsCleanOfErrors() throws {
    let r = try review("call-ops")
    #expect(errors(r).isEmpty, "\(errors(r).map(\.finding.message))")
    #expect(r.scenarios > 10 && r.instructions > 100)
  }

  @Test func directCallsV1EntersTheFarTrampolineThroughBRX10AndV2Fixes() throws {
    let r = try review("direct-calls")
    let v1 = errors(r, version: 1)
    let pad = try #require(v1.first { $0.finding.check.id == "bti.landing-pad" })
    #expect(pad.finding.state == .directFar)
    #expect(pad.finding.message.contains("BTYPE 3"))
    #expect(pad.finding.location?.file == "arch/arm64/kernel/entry-ftrace.S")
    #expect(pad.patch == "v1 4/4" && pad.messageID != nil)
    #expect(errors(r, version: 2).isEmpty, "\(errors(r, version: 2).map(\.finding.message))")
    let bti = try #require(
      r.comparisons.first { $0.from == 1 && $0.to == 2 && $0.configuration.contains("!") == false })
    #expect(bti.fixed.contains { $0.check.id == "bti.landing-pad" })
    #expect(bti.introduced.allSatisfy { $0.severity != .error })
  }

  @Test func thePreEntryLiteralDesignIsFlaggedForExecutionAndUnwinding() throws {
    let r = try review("literal-call")
    let ids = Set(errors(r).map(\.finding.check.id))
    #expect(ids.contains("unwind.pre-entry-executed"))
    #expect(ids.contains("unwind.walk"))
    // The sketched listing of the cover letter says the same.
    #expect(
      r.units.contains { u in
        u.layout.configuration.name == "prose"
          && u.findings.contains { $0.finding.check.id == "unwind.pre-entry-executed" }
      })
  }

  @Test func withArgsV1LosesTheLandingPadAndTheReturnAddressAndV2IsClean() throws {
    let r = try review("with-args")
    let v1 = Set(errors(r, version: 1).map(\.finding.check.id))
    #expect(v1.contains("bti.entry-pad"))
    #expect(v1.contains("abi.register-contract"))
    #expect(errors(r, version: 2).isEmpty)
  }

  /// With a base tree, what the base already has is marked: the patch's own error is not,
  /// and without a tree nothing is.
  @Test func findingsTheBaseHasAreMarkedCarried() throws {
    let r = try review("broken-no-landing-pad")
    let carried = r.findings.filter(\.inBase)
    #expect(!carried.isEmpty)
    #expect(carried.allSatisfy { $0.finding.severity != .error })
    let pad = r.findings.filter { $0.finding.check.id == "bti.landing-pad" }
    #expect(!pad.isEmpty && pad.allSatisfy { !$0.inBase })
    let hunks = try review("broken-no-landing-pad", tree: false)
    #expect(hunks.findings.allSatisfy { !$0.inBase })
  }

  @Test func withoutATreeTheHunksAreReviewedToo() throws {
    let r = try review("direct-calls", tree: false)
    // The hunks do not show ftrace_caller whole: the runs that reach it stop there, and the
    // review says so instead of guessing.
    #expect(r.diagnostics.contains { $0.id == ReviewMessage.notModelled })
    #expect(r.scenarios > 0)
    #expect(errors(r, version: 2).isEmpty, "\(errors(r, version: 2).map(\.finding.message))")
  }
}

/// Each deliberately broken example gets the finding its README promises, with BTI on (the
/// configuration every one of them is about).
@Suite struct BrokenExampleTests {
  @Test(arguments: [
    ("broken-no-landing-pad", "bti.landing-pad", Severity.error),
    ("broken-bl-out-of-range", "range.generator-sentinel", .error),
    ("broken-bl-out-of-range", "range.branch-reach", .error),
    ("broken-bl-out-of-range", "range.far-fallback", .error),
    ("broken-misaligned-literal", "alignment.literal", .error),
    ("broken-unsafe-swap", "live-patch.unsafe-word-change", .error),
    ("broken-ret-as-jump", "bti.ret-as-jump", .warning),
    ("broken-blr-into-bti-j", "bti.landing-pad", .error),
  ])
  func promisedFinding(_ example: String, _ check: String, _ severity: Severity) throws {
    let r = try review(example)
    let withBTI = Set(r.units.filter { $0.layout.configuration.bti == true }.map(\.id))
    let hits = r.findings.filter {
      $0.finding.check.id == check && $0.finding.severity == severity && withBTI.contains($0.unit)
    }
    #expect(!hits.isEmpty, "\(r.findings.map { "\($0.finding.check.id): \($0.finding.message)" })")
  }
}
