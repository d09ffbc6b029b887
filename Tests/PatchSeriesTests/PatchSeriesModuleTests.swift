import Testing

@testable import PatchSeries

@Test func moduleName() {
  #expect(PatchSeriesModule.name == "PatchSeries")
}
