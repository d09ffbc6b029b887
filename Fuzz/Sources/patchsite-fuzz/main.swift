import FuzzTargets

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// SwiftPM links an executable's entry point under another name and points `main` at it, so
// libFuzzer's own `main` is never used: this one hands the command line to libFuzzer's driver.

/// libFuzzer's driver (`FuzzerDriver.cpp`): parses the libFuzzer flags in `argv`, runs
/// `callback` on each input, and returns the exit status.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target `FUZZ_TARGET` names (see `FuzzTargets.all`), read once.
let selected: FuzzTargets.Target = {
  let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
  guard let target = FuzzTargets.target(name) else {
    let names = FuzzTargets.all.map(\.name).joined(separator: " ")
    fatalError("patchsite-fuzz: set FUZZ_TARGET to one of: \(names)")
  }
  return target
}()

/// One input through the selected target. A broken property traps, so libFuzzer saves the
/// input as a crash like any other.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  if let problem = selected.run(bytes).first {
    fatalError("\(selected.name): \(problem)")
  }
  return 0
}

_ = selected
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOneInput($0, $1) })
