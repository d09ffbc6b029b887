import Diagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

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
    // Read straight into uninitialised capacity: no zero-filling of a 200 MB buffer first.
    var capacity = max(sizeHint + 1, 1 << 16)
    var out = [UInt8]()
    var failure: Int32? = nil
    var progress = LoopGuard()
    while progress.advanced(to: out.count) {
      let old = out
      out = [UInt8](unsafeUninitializedCapacity: capacity) { b, count in
        guard let base = b.baseAddress else { return }
        old.withUnsafeBufferPointer { o in
          if let ob = o.baseAddress { base.update(from: ob, count: o.count) }
        }
        count = old.count
        while count < capacity {
          let r = Glibc_read(fd, base + count, capacity - count)
          if r < 0 {
            if errno == EINTR { continue }
            failure = errno
            return
          }
          if r == 0 { return }
          count += r
        }
      }
      if failure != nil || out.count < capacity { break }
      capacity *= 2
    }
    if failure != nil {
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: name), "cannot read: \(errnoText())")
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
