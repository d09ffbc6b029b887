#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes of one source being assembled, in a buffer the assembler owns: either a copy of an
/// array or a private mapping of the file itself.
///
/// Reading a large file into an array copied every byte out of the page cache into fresh pages,
/// each faulted in: for a 17 MB file that was about a tenth of the whole assembly. A private
/// mapping uses the cached pages as they are (mapped at once), and only a page the scan writes
/// to (a comment blanked) is copied. The scan writes while it is the only owner; afterwards the
/// bytes are only read, which is what makes sharing the buffer between threads sound.
final class ByteBuffer: @unchecked Sendable {
  let base: UnsafeMutablePointer<UInt8>
  let count: Int
  /// The length of the mapping when `base` is one (0 for an allocation).
  private let mapped: Int

  /// A copy of `bytes`.
  convenience init(copying bytes: UnsafeBufferPointer<UInt8>) {
    self.init(copying: bytes, from: 0)
  }

  /// A buffer as long as `bytes` holding a copy of `bytes[from...]`; the bytes before `from`
  /// are left as the allocator gave them and must not be read (a chunk of the parallel pass
  /// reads only from the start of its first line on).
  init(copying bytes: UnsafeBufferPointer<UInt8>, from: Int) {
    precondition(from >= 0 && from <= bytes.count, "copy start out of range")
    count = bytes.count
    base = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, count))
    if let src = bytes.baseAddress, count > from {
      (base + from).initialize(from: src + from, count: count - from)
    }
    mapped = 0
  }

  /// A private, writable mapping of the regular file at `path`; nil if it is not one, is
  /// empty, or cannot be mapped (the caller then reads it).
  init?(mapping path: String) {
    #if os(Linux)
      // Only regular files: checked before opening (opening a FIFO would wait for a writer,
      // and take data that the caller's read should get), and again on what was opened.
      var named = stat()
      guard stat(path, &named) == 0, named.st_mode & S_IFMT == S_IFREG else { return nil }
      let fd = open(path, O_RDONLY | O_NONBLOCK)
      guard fd >= 0 else { return nil }
      defer { close(fd) }
      var st = stat()
      guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size > 0 else {
        return nil
      }
      let size = Int(st.st_size)
      // Mapped read-only with MAP_POPULATE, so that the cached pages are mapped in one call
      // (populating a writable private mapping would copy every page), then made writable:
      // a page is copied only when the scan writes to it.
      let p = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
      guard let p, p != MAP_FAILED else { return nil }
      guard mprotect(p, size, PROT_READ | PROT_WRITE) == 0 else {
        _ = munmap(p, size)
        return nil
      }
      base = p.assumingMemoryBound(to: UInt8.self)
      count = size
      mapped = size
    #else
      return nil
    #endif
  }

  deinit {
    if mapped > 0 {
      _ = munmap(UnsafeMutableRawPointer(base), mapped)
    } else {
      base.deallocate()
    }
  }
}

/// The bytes of a source as a collection: indexed from 0, read through a pointer.
struct SourceBytes: RandomAccessCollection, Sendable, Equatable {
  let buffer: ByteBuffer

  init(_ buffer: ByteBuffer) { self.buffer = buffer }

  init(_ bytes: [UInt8]) {
    buffer = bytes.withUnsafeBufferPointer { ByteBuffer(copying: $0) }
  }

  var startIndex: Int { 0 }
  var endIndex: Int { buffer.count }

  @inline(__always)
  subscript(i: Int) -> UInt8 {
    precondition(i >= 0 && i < buffer.count, "source byte out of range")
    return buffer.base[i]
  }

  @inline(__always)
  func withUnsafeBufferPointer<R, E: Error>(
    _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R {
    try body(UnsafeBufferPointer(start: buffer.base, count: buffer.count))
  }

  /// Writable access, only for the scan while it is the only owner.
  func withUnsafeMutableBufferPointer<R, E: Error>(
    _ body: (UnsafeMutableBufferPointer<UInt8>) throws(E) -> R
  ) throws(E) -> R {
    try body(UnsafeMutableBufferPointer(start: buffer.base, count: buffer.count))
  }

  static func == (a: SourceBytes, b: SourceBytes) -> Bool {
    a.buffer === b.buffer || a.elementsEqual(b)
  }
}
