import PatchsiteCLI
import TestSupport

/// Runs `patchsite ARGS -o FILE` with FILE in a temporary folder and returns the exit status and
/// what the command wrote there (empty when it wrote nothing).
func runCapturing(_ args: [String]) throws -> (status: Int32, output: String) {
  let dir = try Tools.makeTemporaryDirectory()
  defer { Tools.removeTemporaryDirectory(dir) }
  let out = dir + "/out"
  let status = Patchsite.run(args + ["-o", out])
  return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
}
