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
  /// The trampolines at the edge of BL's range from a layout's call slot: the last address it
  /// reaches, and the first it does not.
  public static let edgeSymbol = "patchsite_edge_direct_tramp"
  public static let beyondSymbol = "patchsite_beyond_direct_tramp"
  /// The names the layout's C sees for them (`addr` of `ftrace_make_call`).
  public static let edgeName = "<edge direct trampoline>"
  /// The sections of the two edge trampolines: they lie 4 bytes apart, so a scenario loads
  /// the one its state calls and never both.
  public static let edgeSection = ".text.edge_direct"
  public static let beyondSection = ".text.beyond_direct"
  public static let beyondName = "<beyond-edge direct trampoline>"

  /// The last address a BL at `pc` reaches, and the first beyond it.
  public static func edges(from pc: UInt64) -> (edge: UInt64, beyond: UInt64) {
    (pc &+ (1 << 27) &- 4, pc &+ (1 << 27))
  }

  /// The tracer the trampolines call: left undefined here, the scenario places it.
  public static let tracerSymbol = "patchsite_tracer"

  /// Like a BPF trampoline: a frame record for the traced function's caller ({X29, X9}) and
  /// one for the traced function ({X29, X30}), a call, then back into the traced function
  /// with X30 holding its return address (as `ftrace_stub_direct_tramp` leaves it).
  static func source(symbol: String) -> String {
    """
    \t.text
    \t.globl \(symbol)
    \t.type \(symbol), %function
    \(symbol):
    \tbti c
    \tstp x29, x9, [sp, #-16]!
    \tmov x29, sp
    \tstp x29, x30, [sp, #-16]!
    \tmov x29, sp
    \tadrp x16, \(tracerSymbol)
    \tadd x16, x16, :lo12:\(tracerSymbol)
    \tblr x16
    \tldp x29, x30, [sp], #16
    \tldp x29, x9, [sp], #16
    \tmov x10, x30
    \tmov x30, x9
    \tret x10
    \t.size \(symbol), . - \(symbol)
    """
  }

  /// Both trampolines at the default placement, assembled once: every scenario of a layout
  /// without trampolines of its own (a sketched listing) and every mix of a transition uses it.
  static let standard = Result { () throws(AssemblyError) -> AssembledObject in
    try assemble(Placement())
  }

  /// Both trampolines, each in a section of its own at its address in `placement`, and the
  /// two at the edge of BL's range from `callSlot` when given.
  public static func object(_ placement: Placement, callSlot: UInt64? = nil) throws(AssemblyError)
    -> AssembledObject
  {
    var o = placement == Placement() ? try standard.get() : try assemble(placement)
    if let callSlot {
      let (edge, beyond) = edges(from: callSlot)
      let more = try assemble([
        (edgeSymbol, edge, edgeSection), (beyondSymbol, beyond, beyondSection),
      ])
      o.sections += more.sections
      o.symbols += more.symbols
    }
    return o
  }

  static func assemble(_ placement: Placement) throws(AssemblyError) -> AssembledObject {
    try assemble([
      (nearSymbol, placement.nearTrampoline, ".text.direct"),
      (farSymbol, placement.farTrampoline, ".text.far_direct"),
    ])
  }

  static func assemble(_ pairs: [(String, UInt64, String)]) throws(AssemblyError)
    -> AssembledObject
  {
    var all = AssembledObject(sections: [], symbols: [])
    for (symbol, address, section) in pairs {
      var o = try Assembler.assemble(source(symbol: symbol), file: symbol)
        .link(bases: [".text": address], allowUndefined: true)
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
