import AArch64
import KernelSource
import Testing

@testable import Analysis

/// Kept trampolines are what assembling and linking them again gives, failures included.
@Suite struct LinkedTrampolinesTests {
  static func direct(_ text: String, _ base: UInt64) -> Result<AssembledObject, AssemblyError> {
    Result { () throws(AssemblyError) -> AssembledObject in
      try Assembler.assemble(text, file: FtraceSources.entryPath)
        .link(bases: [".text": base], allowUndefined: true)
    }
  }

  @Test func keptObjectsAndErrorsAreTheFreshOnes() throws {
    let memo = LinkedTrampolines(capacity: 2)
    let good = ".globl tramp\ntramp:\n\tmov x9, x30\n\tbl ftrace_stub\n\tret\n"
    let bad = "tramp:\n\tmov x9, #\n"
    for base: UInt64 in [0xffff_8000_0801_0000, 0xffff_8000_0801_0000, 0x1000] {
      let kept = memo.object(good, at: base)
      let fresh = Self.direct(good, base)
      #expect(kept == fresh)
      let words = try kept.get().section(".text")?.bytes ?? []
      #expect(words.count == 12)
    }
    // A failure is kept as the same error, with its location.
    let failed = memo.object(bad, at: 0x1000)
    #expect(failed == Self.direct(bad, 0x1000))
    if case .success = failed { Issue.record("\(bad) assembled") }
    // Past its capacity the memo starts again, and still answers the same.
    #expect(memo.object(good, at: 0x2000) == Self.direct(good, 0x2000))
    #expect(memo.object(good, at: 0x1000) == Self.direct(good, 0x1000))
  }
}
