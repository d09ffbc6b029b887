import Testing

@testable import AArch64

@Test func moduleName() {
  #expect(AArch64Module.name == "AArch64")
}
