// The AArch64Emulator module (DESIGN.md §2): runs the callsite layouts, trampolines and PLTs that
// Patchsite's checks build, behaving like hardware for everything the checks rely on.
//
// - `Machine` (value type): X0–X30, SP, PC, NZCV, PSTATE.BTYPE, a small system-register file
//   (`SystemRegisters`: SCTLR_EL1 with BT0/BT1, A, SA, EnIA/EnIB; DAIF; TPIDR_EL0/EL1; CurrentEL;
//   the PAC keys), sparse `Memory` with permissions and BTI guarded pages.
// - `Machine.run(from:maxSteps:)` runs with a sentinel return address in X30; `run(maxSteps:)`
//   resumes, so a check can stop before every instruction and inspect the machine.
// - Execution: every fetched word goes through `AArch64.decode` once, is lowered to a flat
//   micro-op (`Op`, cached per page and invalidated per word on writes) and executed by one
//   handler per class (`Execute+Branches/DataProcessing/LoadStore/Atomics/System/Memory.swift`).
// - Faults are typed values (`Fault`: bti, pac, undefined, unpredictable, unmapped, permission,
//   alignment, brk, budget) with the PC; hooks (`MachineObserver`), `Tracer`, `SymbolTable`
//   (exact and kallsyms lookups), the kernel's frame-record `Unwinder`, and `RunReport` (JSON
//   and text for `patchsite run`).
//
// Modelling choices (documented where they live): PAC uses a keyed mixing function, not QARMA,
// with FEAT_FPAC off by default; exclusives, atomics and LDAR/STLR require natural alignment
// (no FEAT_LSE2); SVC/HVC/SMC/HLT/ERET are undefined ("not modelled"); SPSel is recorded but
// there is one SP.
