import Testing

@testable import Git

@Test func moduleName() {
  #expect(GitModule.name == "Git")
}
