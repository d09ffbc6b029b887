import Diagnostics

/// Every check Patchsite knows, in `DOMAIN.md` §6's order, with whether it runs yet. A check
/// that does not run yet is listed as such by `review --list-checks` and never reports.
public enum CheckCatalogue {
  public static let branchReach = CheckInfo(
    "range.branch-reach", .range, .error,
    "A B or BL beyond ±128 MiB, or a branch that reaches nothing", number: 1)
  public static let generatorSentinel = CheckInfo(
    "range.generator-sentinel", .range, .error,
    "An instruction generator's BRK #0x100 written into the patch-site", number: 2)
  public static let shortForm = CheckInfo(
    "range.short-form", .range, .error,
    "A B.cond, CBZ, TBZ, LDR literal, ADR or ADRP beyond its reach", number: 3)
  public static let farFallback = CheckInfo(
    "range.far-fallback", .range, .error,
    "An enabled state whose target is out of BL range has no route to it", number: 4)
  public static let literalAlignment = CheckInfo(
    "alignment.literal", .alignment, .error,
    "A 64-bit literal that is not 8-byte aligned, or not written by one 64-bit store", number: 5)
  public static let functionAlignment = CheckInfo(
    "alignment.function-flags", .alignment, .warning,
    "Per-callsite literals need every function 8-byte aligned, and no flag guarantees it",
    number: 6)
  public static let recordOffset = CheckInfo(
    "abi.record-offset", .abi, .error,
    "The patchable-entry record or ftrace_call_adjust misses the BL slot", number: 7)
  public static let entryPad = CheckInfo(
    "bti.entry-pad", .bti, .error,
    "With BTI, the word at the function symbol is not a landing pad", number: 8)
  public static let landingPad = CheckInfo(
    "bti.landing-pad", .bti, .error,
    "An indirect branch lands on a word that does not accept its BTYPE", number: 9)
  public static let trampolinePad = CheckInfo(
    "bti.trampoline-pad", .bti, .error,
    "Code reached by an indirect branch does not start with a landing pad", number: 10)
  public static let retAsJump = CheckInfo(
    "bti.ret-as-jump", .bti, .warning,
    "A jump into another entry point through a RET, or a BR not through X16/X17", number: 11)
  public static let paciaspPad = CheckInfo(
    "bti.paciasp-pad", .bti, .error,
    "A BR through a register other than X16/X17 lands on PACIASP or PACIBSP", number: 12)
  public static let unsafeWordChange = CheckInfo(
    "live-patch.unsafe-word-change", .livePatch, .error,
    "A word changed while other CPUs may run it, outside the CMODX safe set", number: 13)
  public static let intermediateState = CheckInfo(
    "live-patch.intermediate-state", .livePatch, .error,
    "A mix of old and new words during a transition does not run correctly", number: 14)
  public static let cacheMaintenance = CheckInfo(
    "live-patch.cache-maintenance", .livePatch, .error,
    "An instruction written without the patching API's cache maintenance", number: 15)
  public static let preEntryExecuted = CheckInfo(
    "unwind.pre-entry-executed", .unwind, .error,
    "Instructions before the function symbol are executed", number: 16)
  public static let unsymbolizedText = CheckInfo(
    "unwind.unsymbolized-text", .unwind, .warning,
    "Words before the function symbol that no symbol covers", number: 17)
  public static let returnAddressWindow = CheckInfo(
    "unwind.return-address-window", .unwind, .warning,
    "The caller's return address lives only in a register", number: 18)
  public static let frameRecords = CheckInfo(
    "unwind.frame-records", .unwind, .error,
    "A trampoline's frame records do not have the expected shape", number: 19)
  public static let walk = CheckInfo(
    "unwind.walk", .unwind, .error,
    "A reliable stack walk from the tracer misses, repeats or misnames a frame", number: 20)
  public static let trampolineIdentification = CheckInfo(
    "unwind.trampoline-identification", .unwind, .warning,
    "Dynamically allocated trampolines on the path a reliable unwinder must recognise",
    number: 21)
  public static let registerContract = CheckInfo(
    "abi.register-contract", .abi, .error,
    "The callsite or a trampoline breaks the X9–X17 scratch contract", number: 22)
  public static let pacOrder = CheckInfo(
    "abi.pac-order", .abi, .error,
    "The patch-site after PACIASP, or a signed LR handed back", number: 23)
  public static let prefixData = CheckInfo(
    "config.prefix-data", .config, .error,
    "Pre-function words shared with kCFI type hashes or other prefix data", number: 24)
  public static let flags = CheckInfo(
    "config.flags", .config, .warning,
    "The ftrace and BTI flags or compiler gates disagree with the configuration", number: 25)
  public static let bytesPerFunction = CheckInfo(
    "size.bytes-per-function", .size, .note,
    "Bytes the patch-site adds to every traced function, against the base", number: 26)

  /// Every check, in catalogue order.
  public static let all: [CheckInfo] = [
    branchReach, generatorSentinel, shortForm, farFallback, literalAlignment, functionAlignment,
    recordOffset, entryPad, landingPad, trampolinePad, retAsJump, paciaspPad, unsafeWordChange,
    intermediateState, cacheMaintenance, preEntryExecuted, unsymbolizedText, returnAddressWindow,
    frameRecords, walk, trampolineIdentification, registerContract, pacOrder, prefixData, flags,
    bytesPerFunction,
  ]

  /// The checks that run, with their code.
  public static let runners: [(CheckInfo, @Sendable (CheckContext) -> [Finding])] = [
    (generatorSentinel, GeneratorSentinelCheck.run),
    (branchReach, BranchReachCheck.run),
    (literalAlignment, LiteralAlignmentCheck.run),
    (landingPad, LandingPadCheck.run),
    (entryPad, EntryPadCheck.run),
    (unsafeWordChange, UnsafeWordChangeCheck.run),
    (intermediateState, IntermediateStateCheck.run),
    (cacheMaintenance, CacheMaintenanceCheck.run),
    (preEntryExecuted, PreEntryExecutedCheck.run),
    (walk, WalkCheck.run),
    (walk, InterruptWalkCheck.run),
    (frameRecords, FrameRecordsCheck.run),
    (returnAddressWindow, ReturnAddressWindowCheck.run),
    (registerContract, RegisterContractCheck.run),
    (trampolinePad, TrampolinePadCheck.run),
    (retAsJump, RetAsJumpCheck.run),
    (paciaspPad, PaciaspPadCheck.run),
    (unsymbolizedText, UnsymbolizedTextCheck.run),
    (functionAlignment, FunctionAlignmentCheck.run),
    (shortForm, ShortFormCheck.run),
    (bytesPerFunction, BytesPerFunctionCheck.run),
    (farFallback, FarFallbackCheck.run),
    (recordOffset, RecordOffsetCheck.run),
    (trampolineIdentification, TrampolineIdentificationCheck.run),
    (pacOrder, PacOrderCheck.run),
    (prefixData, PrefixDataCheck.run),
    (flags, FlagsCheck.run),
  ]

  /// Whether `check` runs (the rest are listed as not yet implemented).
  public static func isImplemented(_ check: CheckInfo) -> Bool {
    runners.contains { $0.0.id == check.id }
  }

  public static func info(_ id: String) -> CheckInfo? { all.first { $0.id == id } }
}
