import AArch64
import Diagnostics

/// The instructions the architecture lets one CPU change while another executes them (ARM ARM,
/// "Concurrent modification and execution of instructions"): B, BL, BRK, HVC, ISB, NOP, SMC,
/// SVC. NOP is the exact `0xd503201f`; other hints (BTI, PACIASP) are not in the set.
enum CMODX {
  static func isSafe(_ word: UInt32) -> Bool {
    if word == Words.nop { return true }
    switch A64.decode(word).instruction {
    case .branch?: return true
    default: break
    }
    if word & 0xffe0_001f == 0xd420_0000 { return true }  // BRK
    if word & 0xffe0_001f == 0xd400_0001 { return true }  // SVC
    if word & 0xffe0_001f == 0xd400_0002 { return true }  // HVC
    if word & 0xffe0_001f == 0xd400_0003 { return true }  // SMC
    if word & 0xffff_f0ff == 0xd503_30df { return true }  // ISB
    return false
  }

  static func kind(_ word: UInt32) -> String { isSafe(word) ? "in the safe set" : "not in it" }
}

/// DOMAIN.md §6.13: a word that changes while other CPUs may execute it must be in the CMODX
/// safe set before and after, unless the write goes through stop_machine.
enum UnsafeWordChangeCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for t in c.layout.transitions where t.concurrent {
      guard let from = c.layout.state(t.from) else { continue }
      for w in t.writes where w.width == 4 && w.old != w.new && w.api != .patchText {
        if from.word(at: w.offset)?.kind == .literal { continue }  // data, see alignment.literal
        let old = UInt32(truncatingIfNeeded: w.old)
        let new = UInt32(truncatingIfNeeded: w.new)
        guard !(CMODX.isSafe(old) && CMODX.isSafe(new)) else { continue }
        let pc = from.address(w.offset)
        let oldText = Words.text(old, at: pc)
        let newText = Words.text(new, at: pc)
        out.append(
          Finding(
            CheckCatalogue.unsafeWordChange,
            message: "\(t.function) changes func\(signed(w.offset)) from `\(oldText)` to "
              + "`\(newText)` with \(w.api.rawValue) while other CPUs may run the function",
            explanation: "Only B, BL, NOP, BRK, ISB, SVC, HVC and SMC may be swapped under a "
              + "running CPU; for any other pair the CPU may execute neither the old nor the new "
              + "instruction (CONSTRAINED UNPREDICTABLE). Write it at init time, or under "
              + "stop_machine (aarch64_insn_patch_text).",
            transition: (t.from, t.to), offset: w.offset,
            evidence: Evidence(
              blocks: [
                .init(
                  "\(t.from) -> \(t.to), \(w.api.rawValue), other CPUs may run the function",
                  [
                    EvidenceLine(
                      address: pc, word: old, text: oldText, note: "old: \(CMODX.kind(old))"),
                    EvidenceLine(
                      address: pc, word: new, text: newText, note: "new: \(CMODX.kind(new))"),
                  ])
              ],
              facts: [
                ("old", "0x" + Words.hex(UInt64(old), digits: 8)),
                ("new", "0x" + Words.hex(UInt64(new), digits: 8)), ("api", w.api.rawValue),
              ]),
            location: w.location ?? t.location))
      }
    }
    return out
  }
}

/// DOMAIN.md §6.5: a 64-bit literal that code loads while it may change must be 8-byte aligned
/// and written by one 64-bit store, or a CPU may load half of the old and half of the new.
enum LiteralAlignmentCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    var seen: Set<String> = []
    let assumed = c.layout.diagnostics.first { $0.id == LayoutMessage.literalAlignmentAssumed }
    for t in c.layout.transitions {
      guard let to = c.layout.state(t.to) else { continue }
      for w in t.writes {
        let address = to.address(w.offset)
        if w.width == 8 && address % 8 != 0 {
          let key = "misaligned|\(w.offset)|\(to.placement)"
          guard seen.insert(key).inserted else { continue }
          out.append(
            Finding(
              CheckCatalogue.literalAlignment,
              message: "the 64-bit literal \(t.function) writes at func\(signed(w.offset)) "
                + "(0x\(Words.hex(address))) is \(address % 8) mod 8",
              explanation: "A 64-bit load or store is single-copy atomic only when it is 8-byte "
                + "aligned. A CPU running the callsite while \(t.function) rewrites the literal "
                + "can load a torn pointer.",
              transition: (t.from, t.to), offset: w.offset,
              assumptions: c.layout.assumptions.filter {
                $0.kind == .alignment || $0.kind == .address
              }.map(\.text),
              evidence: Evidence(
                blocks: [
                  .init(
                    "\(t.from) -> \(t.to), \(w.api.rawValue)",
                    [
                      EvidenceLine(
                        address: address, text: w.text,
                        note: "address mod 8 = \(address % 8), width 8")
                    ])
                ], facts: [("address", "0x" + Words.hex(address)), ("mod8", "\(address % 8)")]),
              location: w.location ?? t.location))
        } else if w.width == 4 && t.concurrent && to.word(at: w.offset)?.kind == .literal {
          let key = "half|\(w.offset)"
          guard seen.insert(key).inserted else { continue }
          out.append(
            Finding(
              CheckCatalogue.literalAlignment,
              message: "\(t.function) writes half of the literal at func\(signed(w.offset)) "
                + "with a 32-bit write while other CPUs may load it",
              explanation: "Two 32-bit writes let a CPU load half of the old pointer and half "
                + "of the new; write the literal with one 64-bit store "
                + "(aarch64_insn_write_literal_u64).",
              transition: (t.from, t.to), offset: w.offset,
              location: w.location ?? t.location))
        } else if w.width == 8, t.concurrent, let assumed {
          let key = "assumed|\(w.offset)"
          guard seen.insert(key).inserted else { continue }
          out.append(
            Finding(
              CheckCatalogue.literalAlignment, severity: .warning,
              message: "the literal \(t.function) writes at func\(signed(w.offset)) is 8-byte "
                + "aligned only under assumptions: \(assumed.message)",
              explanation: "Single-copy atomicity of the literal rests on every traced function "
                + "being placed 8-byte aligned; the flags do not guarantee that.",
              transition: (t.from, t.to), offset: w.offset, assumptions: [assumed.message],
              location: assumed.location))
        }
      }
    }
    return out
  }
}
