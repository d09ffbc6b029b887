import Testing

@testable import Analysis

@Test func moduleName() {
  #expect(AnalysisModule.name == "Analysis")
}
