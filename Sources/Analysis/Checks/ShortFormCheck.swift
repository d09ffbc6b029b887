import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.3: the short PC-relative forms (B.cond, CBZ/CBNZ and LDR literal ±1 MiB, TBZ/TBNZ
/// ±32 KiB, ADR ±1 MiB, ADRP ±4 GiB by page). A word in a state is encoded, so it is in reach
/// of something; the check is that the something is meant: the target lies in the patch area
/// or at a symbol the state or its scenario knows, and an LDR literal loads a literal of the
/// same state. The builder's encoding failures of these forms (`could not encode LDR …`) are
/// reported too: the kernel's generators for them do not all check their range.
enum ShortFormCheck {
  enum Form {
    case conditional, compare, test, literal, adr, adrp
    var name: String {
      switch self {
      case .conditional: "B.cond"
      case .compare: "CBZ/CBNZ"
      case .test: "TBZ/TBNZ"
      case .literal: "LDR (literal)"
      case .adr: "ADR"
      case .adrp: "ADRP"
      }
    }
    var reach: String {
      switch self {
      case .test: "±32 KiB"
      case .adrp: "±4 GiB"
      default: "±1 MiB"
      }
    }
  }

  static func form(_ i: Instruction?) -> Form? {
    switch i {
    case .branchConditional?: .conditional
    case .compareAndBranch?: .compare
    case .testAndBranch?: .test
    case .loadLiteral?: .literal
    case .pcRelative(_, let o)?: o.width == .adrp21 ? .adrp : .adr
    default: nil
    }
  }

  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for state in c.layout.states {
      guard let firstWord = state.words.first, let lastWord = state.words.last else { continue }
      let start = state.address(firstWord.offset)
      let end = state.address(lastWord.offset + 4)
      let table = c.runs.first { $0.scenario.state.id == state.id }?.scenario.symbols
      let known = Set(state.symbols.values)
      for w in state.words where w.kind == .insn {
        let r = A64.decode(w.word)
        guard let f = form(r.instruction) else { continue }
        let pc = state.address(w.offset)
        guard let target = Words.branchTarget(r, pc: pc) else { continue }
        let problem: String?
        if f == .literal {
          let lit = state.words.first { state.address($0.offset) == target }
          problem =
            lit?.kind == .literal
            ? nil
            : "loads 0x\(Words.hex(target)), "
              + (lit.map { "which holds the instruction `\($0.text)`, not a literal" }
                ?? "which is not a word of the state")
        } else if f == .adrp {
          let page = target & ~0xfff
          let inPage: (UInt64) -> Bool = { $0 & ~0xfff == page }
          let ok =
            inPage(start) || inPage(end &- 1) || known.contains(where: inPage)
            || (table?.symbols.contains { inPage($0.address) } ?? false)
          problem = ok ? nil : "addresses the page 0x\(Words.hex(page)), where nothing is known"
        } else {
          let ok =
            (target >= start && target < end) || known.contains(target)
            || table?.lookup(target) != nil
          problem =
            ok
            ? nil : "reaches 0x\(Words.hex(target)), outside the patch area and every known symbol"
        }
        guard let problem else { continue }
        let write = c.layout.transitions.first { $0.to == state.id }?.writes.first {
          $0.offset == w.offset
        }
        out.append(
          Finding(
            CheckCatalogue.shortForm,
            message: "state \(state.name): `\(w.text)` (\(f.name), reach \(f.reach)) at "
              + "func\(signed(w.offset)) \(problem)",
            explanation: "A short PC-relative form is encoded against its own address: moved, "
              + "or generated for the wrong offset, it silently points at something else. The "
              + "kernel's conditional-branch generator does not check its range.",
            state: state.id, offset: w.offset, assumptions: c.placementAssumptions,
            evidence: Evidence(
              blocks: [
                .init(
                  "state \(state.name)",
                  [EvidenceLine(address: pc, word: w.word, text: w.text, note: problem)])
              ],
              facts: [
                ("form", f.name), ("target", "0x" + Words.hex(target)),
                ("offset", "\(Int64(bitPattern: target &- pc))"),
              ]),
            location: write?.location))
      }
    }
    for d in c.layout.diagnostics where d.id == LayoutMessage.couldNotModel {
      let m = d.message
      guard m.hasPrefix("could not encode"),
        m.contains("LDR") || m.contains("ADR") || m.contains("imm19") || m.contains("imm14")
      else { continue }
      out.append(
        Finding(
          CheckCatalogue.shortForm, message: m,
          explanation: "The offset does not fit the form's immediate (imm19: ±1 MiB; imm14: "
            + "±32 KiB; ADR ±1 MiB; ADRP ±4 GiB): the kernel's generator fails or, for "
            + "conditional branches, writes a wrong word.",
          assumptions: c.placementAssumptions, location: d.location))
    }
    return Dedupe.byMessageShape(out)
  }
}
