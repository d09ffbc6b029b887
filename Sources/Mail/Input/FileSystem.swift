#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import Diagnostics

/// The few file-system calls the mail reader needs, on the C library (no Foundation).
enum FileSystem {
  enum Kind {
    case file
    case directory
    case other
  }

  static func kind(of path: String) -> Kind? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    switch st.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  static func errnoText() -> String {
    guard let p = strerror(errno) else { return "error \(errno)" }
    return String(cString: p)
  }

  /// Reads a whole file (or stdin for fd 0) in one buffer.
  static func read(path: String) throws(InputError) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: path), "cannot open: \(errnoText())")
    }
    defer { close(fd) }
    var st = stat()
    let size = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
    return try readAll(fd: fd, sizeHint: size, name: path)
  }

  static func readAll(fd: Int32, sizeHint: Int, name: String) throws(InputError) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(max(sizeHint + 1, 1 << 16))
    var chunk = max(sizeHint + 1, 1 << 20)
    while true {
      let old = out.count
      var failed = false
      var got = 0
      out.append(contentsOf: repeatElement(0, count: chunk))
      out.withUnsafeMutableBufferPointer { b in
        guard let base = b.baseAddress else { return }
        let r = Glibc_read(fd, base + old, chunk)
        if r < 0 { failed = errno != EINTR } else { got = r }
      }
      out.removeSubrange((old + got)..<out.count)
      if failed {
        throw InputError(
          "mail.cannot-read", at: SourceLocation(file: name), "cannot read: \(errnoText())")
      }
      if got == 0 { break }
      chunk = 1 << 20
    }
    return out
  }

  /// Names in a directory (no `.` entries), sorted bytewise.
  static func list(_ path: String) throws(InputError) -> [String] {
    guard let dir = opendir(path) else {
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: path), "cannot list: \(errnoText())")
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if !name.hasPrefix(".") { names.append(name) }
    }
    return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
  }
}

@inline(__always)
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
  read(fd, p, n)
}
