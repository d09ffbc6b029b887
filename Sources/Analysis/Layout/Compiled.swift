import Diagnostics

/// The callsite GCC emits for `-fpatchable-function-entry=N,M` with or without BTI, before
/// ftrace touches it (checked against `aarch64-linux-gnu-gcc`).
///
/// GCC emits, in order: the function alignment (`.p2align`), the `__patchable_function_entries`
/// record label, M NOPs, the function symbol, `bti c` (with BTI), the other N-M NOPs. The
/// record points at the first NOP: the first pre-entry NOP when M > 0, else the NOP after the
/// BTI. So with an 8-byte alignment and odd M the symbol itself is 4 mod 8.
public struct CompiledCallsite: Sendable, Hashable {
  public var total: Int
  public var before: Int
  public var bti: Bool
  /// The function alignment in bytes the flags ask for (nil: GCC's default, which only
  /// guarantees 4).
  public var alignment: Int?

  public init(total: Int, before: Int, bti: Bool, alignment: Int?) {
    self.total = total
    self.before = before
    self.bti = bti
    self.alignment = alignment
  }

  /// The `__patchable_function_entries` address, from the function symbol.
  public var patchEntryOffset: Int {
    before > 0 ? -4 * before : (bti ? 4 : 0)
  }

  /// The symbol's offset from the start of the patch area.
  public var symbolFromAreaStart: Int { 4 * before }

  /// The guaranteed alignment of the patch area's start.
  public var areaAlignment: Int { max(4, alignment ?? 4) }

  /// The function symbol modulo 8, when the patch area is 8-byte aligned; nil otherwise.
  public var symbolModulo8: Int? { areaAlignment >= 8 ? symbolFromAreaStart % 8 : nil }

  /// The words from the first pre-entry NOP to the last NOP after the symbol.
  public var words: [LayoutWord] {
    var out: [LayoutWord] = []
    for k in 0..<before {
      out.append(LayoutWord(offset: -4 * (before - k), word: Words.nop, kind: .insn, text: "nop"))
    }
    var offset = 0
    if bti {
      out.append(LayoutWord(offset: 0, word: 0xd503_245f, kind: .insn, text: "bti c"))
      offset = 4
    }
    for _ in 0..<max(0, total - before) {
      out.append(LayoutWord(offset: offset, word: Words.nop, kind: .insn, text: "nop"))
      offset += 4
    }
    return out
  }
}
