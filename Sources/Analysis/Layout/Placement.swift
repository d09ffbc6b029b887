import Diagnostics

/// The assumed address space the layouts are placed in. Every address here is an assumption
/// (stated in each layout's `assumptions`): real kernels randomise and differ.
public struct Placement: Sendable, Hashable {
  /// Start of the traced function's patch area in core kernel text (16-byte aligned).
  public var coreFunctionArea: UInt64 = 0xffff_8000_8020_0000
  /// Start of the traced function's patch area in a module, 2 GiB below core text.
  public var moduleFunctionArea: UInt64 = 0xffff_8000_0020_0000
  /// Base of `entry-ftrace.S`'s text (ftrace_caller and friends) in core text.
  public var entryText: UInt64 = 0xffff_8000_8001_0000
  /// The module's ftrace PLT (`.text.ftrace_trampoline`), near the module function.
  public var modulePLT: UInt64 = 0xffff_8000_0021_0000
  /// A direct-call trampoline within BL range of the core function.
  public var nearTrampoline: UInt64 = 0xffff_8000_8040_0000
  /// A direct-call trampoline out of BL range (a BPF trampoline in vmalloc space).
  public var farTrampoline: UInt64 = 0xffff_8000_1000_0000
  /// The ops structures and other data.
  public var data: UInt64 = 0xffff_8000_8200_0000

  public init() {}

  /// The fixed symbols of the model, by name.
  public var fixedSymbols: [(String, UInt64)] {
    [
      ("ftrace_nop_ops", data), ("ftrace_list_ops", data + 0x100),
      ("<callsite ops>", data + 0x200), ("<direct ops>", data + 0x300),
      ("<module ftrace PLT>", modulePLT), ("<direct trampoline>", nearTrampoline),
      ("<far direct trampoline>", farTrampoline),
    ]
  }

  public var description: [String] {
    [
      "the traced function's patch area starts at 0x\(Words.hex(coreFunctionArea)) in core kernel "
        + "text (16-byte aligned), so the function symbol lies 4*M bytes after it",
      "for the far states the traced function is a module function at 0x"
        + "\(Words.hex(moduleFunctionArea)) (2 GiB below core text, out of BL range of "
        + "entry-ftrace.S) with its ftrace PLT at 0x\(Words.hex(modulePLT))",
      "entry-ftrace.S text (ftrace_caller…) starts at 0x\(Words.hex(entryText))",
      "a direct trampoline in BL range at 0x\(Words.hex(nearTrampoline)); one out of range (a BPF "
        + "trampoline in vmalloc space) at 0x\(Words.hex(farTrampoline))",
      "ftrace_nop_ops at 0x\(Words.hex(data)), ftrace_list_ops at +0x100, the callsite's own ops "
        + "at +0x200, a direct ops at +0x300",
    ]
  }
}
