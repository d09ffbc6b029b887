import Diagnostics
import Foundation

/// Where command output goes: stdout, or a file given with `-o`.
enum Output {
  static func write(_ text: String, to path: String?) throws(InputError) {
    guard let path, path != "-" else {
      Console.write(text, fd: 1)
      return
    }
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
      throw InputError(
        "output.cannot-write", at: SourceLocation(file: path),
        "cannot write: \(error.localizedDescription)")
    }
  }
}
