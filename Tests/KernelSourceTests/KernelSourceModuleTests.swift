import Testing

@testable import KernelSource

@Test func moduleName() {
  #expect(KernelSourceModule.name == "KernelSource")
}
