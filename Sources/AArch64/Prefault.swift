#if canImport(Glibc)
  import Glibc
#endif

/// Mapping the pages of a large buffer that is about to be filled, in one request.
///
/// A fresh allocation is mapped a page at a time as it is first written, one fault per 4 KiB;
/// the million items of a large assembly are 40 MB, about 10,000 faults. Linux (5.14 on) can map
/// a range at once (`MADV_POPULATE_WRITE`), which on this project's machines took a third less
/// time than the faults. Elsewhere, or when the kernel refuses, nothing happens: the pages are
/// then mapped as they are written, as before.
enum Prefault {
  /// Buffers smaller than this are left to the faults.
  static let minimumBytes = 1 << 20

  /// Maps the whole pages inside `bytes` bytes at `start` for writing.
  static func populate(_ start: UnsafeMutableRawPointer, bytes: Int) {
    #if os(Linux)
      guard bytes >= minimumBytes else { return }
      let page = UInt(4096)
      let from = (UInt(bitPattern: start) + page - 1) & ~(page - 1)
      let to = (UInt(bitPattern: start) + UInt(bytes)) & ~(page - 1)
      guard to > from, let p = UnsafeMutableRawPointer(bitPattern: from) else { return }
      _ = madvise(p, Int(to - from), 23)  // MADV_POPULATE_WRITE
    #endif
  }

  /// Maps the spare capacity of `array` (`count` more elements) for writing.
  static func populate<T>(spareOf array: inout [T], count: Int) {
    guard count > 0 else { return }
    let used = array.count
    array.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      populate(UnsafeMutableRawPointer(base + used), bytes: count * MemoryLayout<T>.stride)
    }
  }
}
