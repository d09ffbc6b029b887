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
      throw cannotWrite(path, error)
    }
  }

  /// Output written in pieces as they are ready, for a report too large to hold whole.
  ///
  /// The first piece creates (or truncates) the file as ``Output/write(_:to:)`` does, so a
  /// path that cannot be written fails the same way before anything else is done; the others
  /// are appended. Call ``finish()`` after the last piece.
  struct Stream {
    private let path: String?
    private var handle: FileHandle?

    init(to path: String?) { self.path = path == "-" ? nil : path }

    mutating func write(_ bytes: [UInt8]) throws(InputError) {
      guard let path else {
        Console.write(bytes: bytes, fd: 1)
        return
      }
      do {
        if let handle {
          // The bytes as they are: a `Data` of them would be one more copy of the report.
          try handle.write(contentsOf: bytes)
        } else {
          let url = URL(fileURLWithPath: path)
          try Data(bytes).write(to: url)
          let opened = try FileHandle(forWritingTo: url)
          handle = opened
          try opened.seekToEnd()
        }
      } catch {
        throw Output.cannotWrite(path, error)
      }
    }

    /// Closes the file, reporting what the close reports.
    mutating func finish() throws(InputError) {
      guard let path, let handle else { return }
      self.handle = nil
      do {
        try handle.close()
      } catch {
        throw Output.cannotWrite(path, error)
      }
    }
  }

  private static func cannotWrite(_ path: String, _ error: any Error) -> InputError {
    InputError(
      "output.cannot-write", at: SourceLocation(file: path),
      "cannot write: \(error.localizedDescription)")
  }
}
