import Diagnostics
import TestSupport
import Testing

@testable import KernelSource

@Suite struct MakefileTests {
  @Test func seriesBaseWithRegsGivesTwoNops() throws {
    let text = try #require(Paths.read(Paths.seriesBase + "/arch/arm64/Makefile"))
    let config = KernelConfig(enabled: [
      "DYNAMIC_FTRACE_WITH_REGS", "ARM64_BTI_KERNEL", "ARM64_PTR_AUTH_KERNEL",
      "CC_HAS_BRANCH_PROT_PAC_RET_BTI", "CC_HAS_SIGN_RETURN_ADDRESS",
    ])
    let vars = MakefileFlags.evaluate(text: text, file: "arch/arm64/Makefile", config: config)
    let flags = FtraceBuildFlags(from: vars)
    let pfe = try #require(flags.patchableEntry)
    #expect(pfe.total == 2 && pfe.before == 0)
    let makefile = "arch/arm64/Makefile"
    #expect(
      flags.patchableEntryValue?.origin.line
        == Paths.baseLine("-fpatchable-function-entry=2", in: makefile))
    #expect(
      flags.usingPatchableFunctionEntry?.line
        == Paths.baseLine("-DCC_USING_PATCHABLE_FUNCTION_ENTRY", in: makefile))
    let bp = try #require(flags.branchProtection)
    #expect(bp.bti && bp.pacRet && bp.leaf)
    #expect(bp.origin.line == Paths.baseLine("pac-ret+leaf+bti", in: makefile))
    #expect(vars.value("KBUILD_CFLAGS").hasPrefix("-mgeneral-regs-only"))
    #expect(vars.diagnostics.isEmpty, "\(vars.diagnostics)")
  }

  @Test func seriesBaseWithoutBTIOrFtrace() throws {
    let text = try #require(Paths.read(Paths.seriesBase + "/arch/arm64/Makefile"))
    let config = KernelConfig(enabled: [
      "ARM64_PTR_AUTH_KERNEL", "CC_HAS_BRANCH_PROT_PAC_RET",
    ])
    let flags = FtraceBuildFlags(
      from: MakefileFlags.evaluate(text: text, file: "Makefile", config: config))
    #expect(flags.patchableEntry == nil)
    let bp = try #require(flags.branchProtection)
    #expect(!bp.bti && bp.pacRet && bp.leaf)
    #expect(bp.origin.line == Paths.baseLine("BRANCH_PROT_PAC_RET)", in: "arch/arm64/Makefile"))
  }
}
