import AArch64
import KernelSource

/// The callsite `-pg` leaves in a traced function (the mcount era of DOMAIN.md §4.1), checked
/// against `aarch64-linux-gnu-gcc -pg -O2`.
///
/// The representative traced function is one whose only frame is the one `-pg` forces on it
/// (no callee-saved registers, no locals). From its symbol GCC emits: the entry hint the
/// branch protection asks for (`paciasp`/`pacibsp` with pac-ret, which also lands BTI's
/// indirect calls, else `bti c` with BTI alone), the frame record (`stp x29, x30, [sp,
/// #-16]!; mov x29, sp`), `xpaclri` (GCC 11 and later strip the return address they pass),
/// `mov x0, x30` and `bl _mcount`. `recordmcount` records the address of that BL, and ftrace
/// only ever rewrites that one word: NOP when disabled, `bl ftrace_caller` (or a module PLT)
/// when enabled. A function that saves more registers places more words between the frame
/// record and the call; the BL stays the only word ftrace writes.
public struct McountCallsite: Sendable, Hashable {
  /// The hint at the function symbol.
  public enum EntryHint: String, Sendable, Hashable {
    case none
    case btiC = "bti c"
    case paciasp
    case pacibsp
  }

  public var entry: EntryHint
  /// Whether the compiler strips the return address with XPACLRI before passing it.
  public var stripsReturnAddress: Bool

  public init(entry: EntryHint, stripsReturnAddress: Bool = true) {
    self.entry = entry
    self.stripsReturnAddress = stripsReturnAddress
  }

  /// The entry hint GCC chooses for `protection` (nil: no `-mbranch-protection` flag).
  public init(protection: BranchProtection?, stripsReturnAddress: Bool = true) {
    let entry: EntryHint
    if let p = protection, p.pacRet {
      entry = p.bKey ? .pacibsp : .paciasp
    } else if protection?.bti == true {
      entry = .btiC
    } else {
      entry = .none
    }
    self.init(entry: entry, stripsReturnAddress: stripsReturnAddress)
  }

  /// The words before the call, from the symbol, with their objdump text.
  public var prologue: [(word: UInt32, text: String)] {
    var out: [(UInt32, String)] = []
    switch entry {
    case .none: break
    case .btiC: out.append((0xd503_245f, "bti c"))
    case .paciasp: out.append((Words.paciasp, "paciasp"))
    case .pacibsp: out.append((Words.pacibsp, "pacibsp"))
    }
    out.append((0xa9bf_7bfd, "stp x29, x30, [sp, #-16]!"))
    out.append((0x9100_03fd, "mov x29, sp"))
    if stripsReturnAddress { out.append((0xd503_20ff, "xpaclri")) }
    out.append((0xaa1e_03e0, "mov x0, x30"))
    return out
  }

  /// The offsets of the words `-pg` adds to a function that builds a frame record anyway (the
  /// kernel keeps frame pointers): XPACLRI, `mov x0, x30` and the call. The entry hint and the
  /// frame record are the function's own.
  public var addedOffsets: [Int] {
    let own = prologue.count - (stripsReturnAddress ? 2 : 1)
    return Array(own...prologue.count).map { 4 * $0 }
  }

  /// The offset of `bl _mcount` from the function symbol: what `recordmcount` records.
  public var callOffset: Int { 4 * prologue.count }

  /// The words from the symbol to the call, the call encoded to reach `mcount` from a function
  /// at `function`.
  public func words(function: UInt64, mcount: UInt64) throws(EncodingError) -> [LayoutWord] {
    var out = prologue.enumerated().map { k, p in
      LayoutWord(offset: 4 * k, word: p.word, kind: .insn, text: p.text)
    }
    let pc = function &+ UInt64(callOffset)
    let bl = try A64.encode(
      .branch(link: true, try BranchOffset(Int64(bitPattern: mcount &- pc), .imm26)))
    out.append(
      LayoutWord(
        offset: callOffset, word: bl, kind: .insn, text: "bl <_mcount>", symbol: "_mcount"))
    return out
  }

  /// The words after the patch-site that undo the frame record and return, as GCC ends the
  /// representative function: `ldp x29, x30, [sp], #16`, the AUT matching the entry's PAC,
  /// `ret`.
  public var epilogue: String {
    let auth =
      switch entry {
      case .paciasp: "\tautiasp\n"
      case .pacibsp: "\tautibsp\n"
      case .none, .btiC: ""
      }
    return "\tldp x29, x30, [sp], #16\n" + auth + "\tret\n"
  }
}
