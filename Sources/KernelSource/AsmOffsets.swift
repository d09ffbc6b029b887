import Diagnostics

/// One `asm-offsets` constant taken as a named assumption, with where its default comes from.
public struct AsmConstant: Hashable, Sendable {
  public var name: String
  public var value: Int
  public var provenance: String
}

/// The generated `asm/asm-offsets.h` constants used by `entry-ftrace.S`, as **assumptions**.
///
/// The real values come from compiling `asm-offsets.c` for one configuration; Patchsite never
/// compiles, so it uses these defaults and says so (one `kernel.assumption` note per constant
/// used). Computed from the struct layouts below (LP64: `u64`/`unsigned long` = 8 bytes):
///
/// | Constant | Default | From |
/// |---|---|---|
/// | `S_X0` … `S_X28` | 8·n | `struct pt_regs { u64 regs[31]; …}`: `regs[n]` |
/// | `S_FP` (`S_X29`) | 232 | `regs[29]` |
/// | `S_LR` (`S_X30`) | 240 | `regs[30]` |
/// | `S_SP` | 248 | `u64 sp` after `regs[31]` |
/// | `S_PC` | 256 | `u64 pc` |
/// | `S_PSTATE` | 264 | `u64 pstate` |
/// | `S_ORIG_X0` | 272 | `u64 orig_x0` |
/// | `S_SYSCALLNO` | 280 | `s32 syscallno` (little-endian order) |
/// | `S_SDEI_TTBR1` | 288 | `u64 sdei_ttbr1` |
/// | `S_PMR_SAVE` | 296 | `u64 pmr_save` |
/// | `S_STACKFRAME` | 304 | `u64 stackframe[2]` |
/// | `PT_REGS_SIZE` (`S_FRAME_SIZE`) | 336 | + `lockdep_hardirqs`, `exit_rcu` (v5.10–v6.x layout) |
/// | `FREGS_X0` … `FREGS_X8` | 8·n | `struct ftrace_regs { unsigned long regs[9]; …}` (v6.2+) |
/// | `FREGS_DIRECT_TRAMP` | 72 | `direct_tramp` (or the `__unused` pad) |
/// | `FREGS_FP` | 80 | `fp` |
/// | `FREGS_LR` | 88 | `lr` |
/// | `FREGS_SP` | 96 | `sp` |
/// | `FREGS_PC` | 104 | `pc` |
/// | `FREGS_SIZE` | 112 | `sizeof(struct ftrace_regs)`, a multiple of 16 |
/// | `FTRACE_OPS_FUNC` | 0 | `func` is the first member of `struct ftrace_ops` |
/// | `FTRACE_OPS_DIRECT_CALL` | 184 | estimate for v6.4 without lock debugging: `func, next, flags, private, saved_func` (40) + `local_hash` (48) + `func_hash` (8) + `old_hash` (48) + `trampoline`, `trampoline_size` (16) + `list` (16) + `ops_func` (8); config-dependent (`struct mutex` size) |
/// | `AARCH64_INSN_SIZE` | 4 | every A64 instruction is 32 bits (`asm/insn-def.h`) |
public struct AsmOffsets: Hashable, Sendable {
  public var constants: [String: AsmConstant]

  public init(_ constants: [AsmConstant]) {
    self.constants = Dictionary(constants.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
  }

  public subscript(name: String) -> AsmConstant? { constants[name] }

  /// The defaults in the table above.
  public static let defaults: AsmOffsets = {
    var c: [AsmConstant] = []
    let ptRegs = "struct pt_regs (arm64 v5.10–v6.x layout, LP64)"
    for n in 0...30 {
      c.append(AsmConstant(name: "S_X\(n)", value: 8 * n, provenance: "\(ptRegs): regs[\(n)]"))
    }
    c += [
      AsmConstant(name: "S_FP", value: 232, provenance: "\(ptRegs): regs[29]"),
      AsmConstant(name: "S_LR", value: 240, provenance: "\(ptRegs): regs[30]"),
      AsmConstant(name: "S_SP", value: 248, provenance: "\(ptRegs): sp"),
      AsmConstant(name: "S_PC", value: 256, provenance: "\(ptRegs): pc"),
      AsmConstant(name: "S_PSTATE", value: 264, provenance: "\(ptRegs): pstate"),
      AsmConstant(name: "S_ORIG_X0", value: 272, provenance: "\(ptRegs): orig_x0"),
      AsmConstant(name: "S_SYSCALLNO", value: 280, provenance: "\(ptRegs): syscallno"),
      AsmConstant(name: "S_SDEI_TTBR1", value: 288, provenance: "\(ptRegs): sdei_ttbr1"),
      AsmConstant(name: "S_PMR_SAVE", value: 296, provenance: "\(ptRegs): pmr_save"),
      AsmConstant(name: "S_STACKFRAME", value: 304, provenance: "\(ptRegs): stackframe[2]"),
      AsmConstant(name: "PT_REGS_SIZE", value: 336, provenance: "sizeof(\(ptRegs))"),
      AsmConstant(name: "S_FRAME_SIZE", value: 336, provenance: "sizeof(\(ptRegs)), older name"),
    ]
    let fregs = "struct ftrace_regs (arm64 v6.2+)"
    for n in 0...8 {
      c.append(AsmConstant(name: "FREGS_X\(n)", value: 8 * n, provenance: "\(fregs): regs[\(n)]"))
    }
    c += [
      AsmConstant(name: "FREGS_DIRECT_TRAMP", value: 72, provenance: "\(fregs): direct_tramp"),
      AsmConstant(name: "FREGS_FP", value: 80, provenance: "\(fregs): fp"),
      AsmConstant(name: "FREGS_LR", value: 88, provenance: "\(fregs): lr"),
      AsmConstant(name: "FREGS_SP", value: 96, provenance: "\(fregs): sp"),
      AsmConstant(name: "FREGS_PC", value: 104, provenance: "\(fregs): pc"),
      AsmConstant(name: "FREGS_SIZE", value: 112, provenance: "sizeof(\(fregs))"),
      AsmConstant(
        name: "FTRACE_OPS_FUNC", value: 0, provenance: "struct ftrace_ops: func is the first member"
      ),
      AsmConstant(
        name: "FTRACE_OPS_DIRECT_CALL", value: 184,
        provenance:
          "struct ftrace_ops: direct_call, estimated for v6.4 without lock debugging "
          + "(config-dependent)"),
      AsmConstant(
        name: "AARCH64_INSN_SIZE", value: 4, provenance: "A64 instructions are 32 bits (insn-def.h)"
      ),
    ]
    return AsmOffsets(c)
  }()
}
