import Testing

@testable import Diff

@Test func moduleName() {
  #expect(DiffModule.name == "Diff")
}
