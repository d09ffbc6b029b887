import AArch64

/// The code Patchsite places at the direct-call trampoline addresses, so the emulator can run
/// a direct call to the end. A series rarely carries a direct trampoline of its own (in the
/// kernel they come from BPF or from a module), so this is a model, listed as an assumption.
///
/// The calling convention is arm64's for direct calls: on entry X9 holds the traced
/// function's return address (the callsite's `MOV X9, X30`) and X30 the address after the
/// callsite's `BL`. The trampoline saves both, calls a handler, and resumes the traced
/// function with X30 holding its return address again.
public enum DirectTrampoline {
  /// The symbol of the trampoline in range of `BL`, and of the one out of range.
  public static let nearSymbol = "patchsite_direct_tramp"
  public static let farSymbol = "patchsite_far_direct_tramp"
  /// The handler both call (it returns at once).
  public static let handlerSymbol = "patchsite_direct_handler"

  static func source(symbol: String, handler: String) -> String {
    """
    \t.text
    \t.globl \(symbol)
    \t.type \(symbol), %function
    \(symbol):
    \tbti c
    \tstp x9, x30, [sp, #-16]!
    \tbl \(handler)
    \tldp x30, x9, [sp], #16
    \tret x9
    \(handler):
    \tret
    """
  }

  /// Both trampolines, each in a section of its own at its address in `placement`.
  public static func object(_ placement: Placement) throws(AssemblyError) -> AssembledObject {
    var all = AssembledObject(sections: [], symbols: [])
    let pairs = [
      (nearSymbol, handlerSymbol, placement.nearTrampoline, ".text.direct"),
      (farSymbol, handlerSymbol + "_far", placement.farTrampoline, ".text.far_direct"),
    ]
    for (symbol, handler, address, section) in pairs {
      var o = try Assembler.assemble(source(symbol: symbol, handler: handler), file: symbol)
        .link(bases: [".text": address])
      for k in o.sections.indices where o.sections[k].name == ".text" {
        o.sections[k].name = section
      }
      for k in o.symbols.indices where o.symbols[k].section == ".text" {
        o.symbols[k].section = section
      }
      all.sections += o.sections
      all.symbols += o.symbols
    }
    return all
  }
}
