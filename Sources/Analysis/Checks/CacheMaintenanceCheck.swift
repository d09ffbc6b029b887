import AArch64
import Diagnostics

/// DOMAIN.md §6.15: an instruction must be written through the patching API
/// (`aarch64_insn_patch_text_nosync`, or `aarch64_insn_patch_text` under stop_machine), which
/// cleans the D-cache and invalidates the I-cache for it. `aarch64_insn_write_literal_u64` is
/// a data store: right for a literal, wrong for a word a CPU will fetch as an instruction,
/// which may go on fetching the stale word.
enum CacheMaintenanceCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for t in c.layout.transitions {
      guard let to = c.layout.state(t.to) else { continue }
      for w in t.writes where w.api == .writeLiteralU64 {
        let words = (0..<(w.width / 4)).compactMap { to.word(at: w.offset + 4 * $0) }
        let instructions = words.filter { $0.kind == .insn }
        guard let first = instructions.first else { continue }
        out.append(
          Finding(
            CheckCatalogue.cacheMaintenance,
            message: "\(t.function) writes `\(first.text)` at func\(signed(first.offset)) with "
              + "\(w.function), a data store without I-cache maintenance",
            explanation: "Instruction fetch is not coherent with data stores: the writer must "
              + "clean the D-cache to the point of unification and invalidate the I-cache "
              + "(aarch64_insn_patch_text_nosync does), or a CPU can keep executing the old word.",
            transition: (t.from, t.to), offset: first.offset,
            evidence: Evidence(
              blocks: [
                .init(
                  "\(t.from) -> \(t.to)",
                  instructions.map {
                    EvidenceLine(
                      address: to.address($0.offset), word: $0.word, text: $0.text,
                      note: "written by \(w.function)")
                  })
              ]),
            location: w.location ?? t.location))
      }
    }
    return out
  }
}
