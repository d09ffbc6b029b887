import AArch64
import Diagnostics

/// The bytes the patch-site adds to every traced function (catalogue entry 26, the reviewers'
/// size argument): the compiled state's words, less the function's own landing pad (with BTI
/// the compiler emits `bti c` whether or not ftrace is on), plus alignment padding. Compared
/// with the two-NOP base of DYNAMIC_FTRACE_WITH_REGS/ARGS (8 bytes). A note for every layout
/// rebuilt from a tree; more than 16 bytes (4 words) is a warning: a 7-NOP design was called
/// a non-starter for the text it adds to every function.
enum BytesPerFunctionCheck {
  static let base = 8
  static let limit = 16

  static func run(_ c: CheckContext) -> [Finding] {
    let name = c.layout.configName
    guard name != "prose", name != "hand-written", let compiled = c.layout.state(.compiled)
    else { return [] }
    let pad = compiled.word(at: 0).flatMap { w -> LayoutWord? in
      guard w.kind == .insn, case .hint(let h)? = A64.decode(w.word).instruction,
        h == .btiC || h == .btiJC || h == .bti || h == .btiJ
      else { return nil }
      return w
    }
    // A -pg callsite: only the words -pg adds count, the frame record is the function's own.
    let added = c.layout.mcount.map { Set($0.addedOffsets) }
    let words = compiled.words.filter {
      $0.offset != pad?.offset && (added?.contains($0.offset) ?? true)
    }
    let padding = words.filter { $0.kind == .padding }.count
    let before = words.filter { $0.offset < 0 }.count
    let bytes = words.count * 4
    let differs = bytes != base || words.contains { $0.kind == .insn && $0.word != Words.nop }
    var message =
      "the patch-site adds \(bytes) bytes to every traced function (\(before) word"
      + "\(before == 1 ? "" : "s") before the symbol, \(words.count - before) after"
      + (padding > 0 ? ", \(padding) of them alignment padding" : "") + ")"
    if differs || c.layout.changes != nil {
      let d = bytes - base
      message +=
        d == 0
        ? ", the same as the two-NOP base"
        : ", \(abs(d)) \(d > 0 ? "more" : "fewer") than the two-NOP base (\(base) bytes)"
    }
    let changed = c.layout.changes?.summary.filter { $0.hasPrefix("the compiled patch area") }
    if let v = c.layout.changes?.since, let s = changed?.first { message += "; since v\(v), \(s)" }
    let tooMany = bytes > limit
    if tooMany {
      message +=
        ": more than \(limit / 4) words per function, what Mark Rutland called a non-starter"
    }
    return [
      Finding(
        CheckCatalogue.bytesPerFunction, severity: tooMany ? .warning : .note,
        message: message,
        explanation: tooMany
          ? "Every traced function pays these bytes in text and I-cache whether or not it is "
            + "traced. Rutland called 7 NOPs per function \"a non-starter\" (28 Sep 2022) and "
            + "proposed the per-callsite ops literal that became CALL_OPS: 4 words."
          : "Every traced function pays these bytes in text and I-cache whether or not it is "
            + "traced; the base is the two NOPs of -fpatchable-function-entry=2.",
        state: .compiled,
        assumptions: (pad == nil
          ? [] : ["the BTI C at the symbol is the function's own, not ftrace's"])
          + (added == nil
            ? []
            : [
              "with -pg only XPACLRI, MOV X0, X30 and BL _mcount are ftrace's: the entry hint "
                + "and the frame record are the function's own (the kernel keeps frame pointers)"
            ]),
        evidence: Evidence(
          blocks: [
            .init(
              "state compiled",
              compiled.words.map { w in
                let own = added.map { !$0.contains(w.offset) } ?? false
                return EvidenceLine(
                  address: compiled.address(w.offset), word: w.word, text: w.text,
                  note: w.offset == pad?.offset
                    ? "the function's own landing pad" : own ? "the function's own" : "")
              })
          ],
          facts: [("bytes", "\(bytes)"), ("base", "\(base)"), ("delta", "\(bytes - base)")]))
    ]
  }
}
