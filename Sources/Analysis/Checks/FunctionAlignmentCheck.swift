import Diagnostics

/// DOMAIN.md §6.6: a per-callsite 64-bit literal in front of the function needs every
/// instrumented function 8-byte aligned. GCC before 14 ignores `-falign-functions` for
/// functions it considers cold, so only `-fmin-function-alignment=8` (GCC 14) or Clang
/// guarantees it. Fires when a state has a literal before the symbol and the layout says the
/// alignment is only assumed (the builder's `literalAlignmentAssumed` diagnostic, or an
/// alignment assumption resting on `-falign-functions`).
enum FunctionAlignmentCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    let literal = c.layout.states.lazy.compactMap { s in
      s.words.first { $0.kind == .literal && $0.offset < 0 }.map { (s, $0) }
    }.first
    guard let (state, word) = literal else { return [] }
    let diagnostic = c.layout.diagnostics.first { $0.id == LayoutMessage.literalAlignmentAssumed }
    let assumption = c.layout.assumptions.first {
      $0.kind == .alignment && $0.text.contains("-falign-functions")
    }
    guard diagnostic != nil || assumption != nil else { return [] }
    let basis = [assumption?.text, diagnostic?.message].compactMap { $0 }
    return [
      Finding(
        CheckCatalogue.functionAlignment,
        message: "the literal at func\(signed(word.offset)) needs every traced function 8-byte "
          + "aligned, and no flag guarantees it: GCC before 14 ignores -falign-functions for "
          + "cold functions; -fmin-function-alignment=8 (GCC 14) or Clang is needed",
        explanation: "A 64-bit literal is single-copy atomic only when 8-byte aligned, and its "
          + "alignment follows the function's. CALL_OPS depends on "
          + "CC_HAS_SANE_FUNCTION_ALIGNMENT for this reason.",
        state: state.id, offset: word.offset, assumptions: basis,
        evidence: Evidence(
          blocks: [
            .init(
              "state \(state.name)",
              [
                EvidenceLine(
                  address: state.address(word.offset), word: word.word, text: word.text,
                  note: "address mod 8 = \(state.address(word.offset) % 8) under the assumed "
                    + "placement")
              ])
          ],
          facts: [("offset", "\(word.offset)")]),
        location: assumption?.location ?? diagnostic?.location
      ).restingOnItsAssumptions
    ]
  }
}
