import Testing

@testable import KernelSource

@Suite struct KernelConfigTests {
  @Test func dotConfigValuesAndNames() {
    let c = KernelConfig(
      dotConfig: """
        # comment
        CONFIG_DYNAMIC_FTRACE_WITH_ARGS=y
        CONFIG_KVM=m
        # CONFIG_ARM64_BTI_KERNEL is not set
        CONFIG_FUNCTION_ALIGNMENT=8
        CONFIG_ARM64_VA_BITS=0x30
        CONFIG_CC_VERSION_TEXT="clang version 18.1.8"
        CONFIG_EMPTY=
        """)
    #expect(c.isEnabled("DYNAMIC_FTRACE_WITH_ARGS"))
    #expect(c.isEnabled("CONFIG_DYNAMIC_FTRACE_WITH_ARGS"))
    #expect(c.isEnabled("KVM") && !c.isBuiltin("KVM"))
    #expect(c["ARM64_BTI_KERNEL"] == .no && !c.isEnabled("ARM64_BTI_KERNEL"))
    #expect(c.integer("FUNCTION_ALIGNMENT") == 8)
    #expect(c.integer("CONFIG_ARM64_VA_BITS") == 48)
    #expect(c["CC_VERSION_TEXT"] == .string("clang version 18.1.8"))
    #expect(c["EMPTY"] == .no)
    #expect(c.makeValue("CONFIG_KVM") == "m")
    #expect(c.makeValue("ARM64_BTI_KERNEL") == "")
    #expect(c.makeValue("UNSET") == "")
    #expect(!c.isEnabled("UNSET"))
    #expect(c.setting("CONFIG_X", .yes).isEnabled("X"))
    #expect(KernelConfig(enabled: ["CONFIG_A", "B"]).description == "CONFIG_A=y CONFIG_B=y")
  }
}
