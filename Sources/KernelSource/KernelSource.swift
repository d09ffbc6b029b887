/// KernelSource reads the kernel files that decide the arm64 ftrace callsite, at text level.
///
/// The readers, each taking text plus a file name and reporting problems as `Diagnostic`s with
/// `file:line` (what they cannot model is said as `kernel.could-not-model`, never guessed):
///
/// | Reader | Input | Output |
/// |---|---|---|
/// | ``KernelConfig`` | `.config` text or option names | option values |
/// | ``MakefileFlags`` | `arch/arm64/Makefile` (and the top-level one) | ``MakeVariables`` → ``FtraceBuildFlags`` |
/// | ``Kconfig`` | Kconfig files | entries, ``Kconfig/configurations(for:base:btiOption:)`` |
/// | ``Preprocessor`` | C or `.S` text, a ``KernelTree`` for includes | ``PreprocessedFile`` lines with origins |
/// | ``AsmPreprocessor`` | `entry-ftrace.S` | ``AsmSource``: GNU-syntax ``AsmLine``s and ``AsmSymbol``s |
/// | ``TransitionExtractor`` | `ftrace.c` (+ `asm/ftrace.h`) | ``CTransition``s: which word at which offset becomes what |
/// | ``ProseListings`` | a mail body | ``Listing``s: sketched layouts under their headings |
///
/// Stated assumptions (each reported as a `kernel.assumption` note where it is used): every
/// toolchain probe (`cc-option`, `as-option`, `ld-option`, `try-run`, Kconfig `$(…)`) succeeds;
/// `asm-offsets.h` constants take the defaults of ``AsmOffsets/defaults``; with no base given,
/// Kconfig resolution starts from ``Kconfig/defaultBase`` (Clang 18, modules, tracers on).
public enum KernelSourceModule {
  public static let name = "KernelSource"
}
