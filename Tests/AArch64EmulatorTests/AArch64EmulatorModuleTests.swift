import Testing

@testable import AArch64Emulator

@Test func moduleName() {
  #expect(AArch64EmulatorModule.name == "AArch64Emulator")
}
