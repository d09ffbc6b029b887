import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Running independent pieces of work on the machine's cores.
///
/// Used where the work splits into pieces whose results are put back together in order (the
/// disassembly listing, the assembler's second pass). `PATCHSITE_THREADS=1` makes everything
/// sequential, which the benchmarks use to report the single-core figure beside the default.
public enum Parallel {
  /// How many workers to use: `PATCHSITE_THREADS` if set to a positive number, else the online
  /// CPUs (at most 8).
  public static let workers: Int = {
    if let v = getenv("PATCHSITE_THREADS"), let n = Int(String(cString: v)), n > 0 {
      return min(n, 64)
    }
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return online > 0 ? min(Int(online), 8) : 1
  }()

  /// Calls `body(k)` for every `k` in `0..<count`, on up to `workers` threads at once, and
  /// returns when all have finished. `body` must only touch what piece `k` owns.
  public static func forEach(_ count: Int, _ body: (Int) -> Void) {
    if count <= 0 { return }
    if count == 1 || workers == 1 {
      for k in 0..<count { body(k) }
      return
    }
    withoutActuallyEscaping(body) { escapable in
      let work = UncheckedWork(run: escapable)
      DispatchQueue.concurrentPerform(iterations: count) { k in work.run(k) }
    }
  }

  /// The caller's closure, handed to the worker threads. Not checked by the compiler: the
  /// contract of `forEach` (each piece touches only what it owns) is what makes it safe, and
  /// `concurrentPerform` returns only after every piece has finished.
  private struct UncheckedWork: @unchecked Sendable {
    let run: (Int) -> Void
  }

  /// `body(k)` for every `k` in `0..<count`, the results in order.
  public static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    if count <= 0 { return [] }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      guard let base = buffer.baseAddress else { return }
      // Each piece initialises only its own slot.
      forEach(count) { k in (base + k).initialize(to: body(k)) }
      initialized = count
    }
  }
}

/// One value per worker, kept at least 128 bytes apart so that workers writing their own value
/// never write to the same cache line. (Side by side, the disassembly listing's per-thread
/// caches and buffers made each of two threads about 35% slower than one thread alone.)
public struct WorkerSlots<T> {
  private var storage: [T]
  private let stride: Int
  public let count: Int

  public init(count: Int, _ make: () -> T) {
    self.count = count
    stride = max(1, (128 + MemoryLayout<T>.stride - 1) / max(1, MemoryLayout<T>.stride))
    storage = []
    storage.reserveCapacity(count * stride)
    for _ in 0..<count {
      // The padding slots share the worker's value (copy on write; nobody writes them).
      storage.append(contentsOf: repeatElement(make(), count: stride))
    }
  }

  public subscript(k: Int) -> T {
    get { storage[k * stride] }
    set { storage[k * stride] = newValue }
  }

  /// Runs `body(k, &slot k)` for every slot, in parallel (`Parallel.forEach`).
  public mutating func parallelForEach(_ body: (Int, inout T) -> Void) {
    let stride = self.stride
    let count = self.count
    storage.withUnsafeMutableBufferPointer { slots in
      let slots = slots
      Parallel.forEach(count) { k in body(k, &slots[k * stride]) }
    }
  }
}
