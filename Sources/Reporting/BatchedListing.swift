import AArch64

/// Listing many items on every core with output identical to one thread's.
///
/// Items `0..<count` are cut into batches; each round gives one batch to each worker, every
/// worker with its own disassembly cache and buffer (kept apart by `WorkerSlots`), then hands
/// the buffers to `emit` in order. Inputs of less than two batches run on the calling thread.
enum BatchedListing {
  static let batch = 8192

  static func run(
    count: Int, list: (Range<Int>, inout DisassemblyCache, inout ByteOutput) -> Void,
    emit: ([UInt8]) -> Void
  ) {
    let threads = max(1, min(Parallel.workers, count / batch))
    var workers = WorkerSlots(count: threads) { (cache: DisassemblyCache(), out: ByteOutput()) }
    var start = 0
    while start < count {
      let round = start
      workers.parallelForEach { k, worker in
        let a = min(count, round + k * batch)
        let b = min(count, a + batch)
        worker.out.bytes.removeAll(keepingCapacity: true)
        if a < b { list(a..<b, &worker.cache, &worker.out) }
      }
      for k in 0..<threads where !workers[k].out.bytes.isEmpty {
        emit(workers[k].out.bytes)
      }
      start = min(count, start + threads * batch)
    }
  }
}
