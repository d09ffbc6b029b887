#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes to standard output and standard error with plain `write(2)` calls.
enum Console {
  static func out(_ text: String, terminator: String = "\n") {
    write(text + terminator, fd: 1)
  }

  static func error(_ text: String, terminator: String = "\n") {
    write(text + terminator, fd: 2)
  }

  /// Writes a string's UTF-8 bytes to a file descriptor, retrying short writes and EINTR.
  static func write(_ text: String, fd: Int32) {
    var text = text
    text.withUTF8 { write(buffer: $0, fd: fd) }
  }

  /// Writes bytes to a file descriptor, retrying short writes and EINTR.
  static func write(bytes: [UInt8], fd: Int32) {
    bytes.withUnsafeBufferPointer { write(buffer: $0, fd: fd) }
  }

  private static func write(buffer buf: UnsafeBufferPointer<UInt8>, fd: Int32) {
    guard var p = buf.baseAddress else { return }
    var left = buf.count
    while left > 0 {
      #if canImport(Glibc)
        let n = Glibc.write(fd, p, left)
      #else
        let n = Darwin.write(fd, p, left)
      #endif
      if n < 0 {
        if errno == EINTR { continue }
        return
      }
      left -= n
      p += n
    }
  }

  /// True if standard error is a terminal (progress is shown only then).
  static var stderrIsTerminal: Bool { isatty(2) != 0 }

  /// Colour on standard output: only on a terminal, and never when NO_COLOR is set (to
  /// anything non-empty, as no-color.org asks).
  static var colorful: Bool {
    if let v = getenv("NO_COLOR"), v.pointee != 0 { return false }
    return isatty(1) != 0
  }
}
