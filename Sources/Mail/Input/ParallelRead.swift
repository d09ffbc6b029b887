#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads the messages of a big input on several cores.
///
/// Splitting is one sequential pass (memchr-fast); reading headers and decoding bodies is per
/// message, so the list of cut messages is cut into contiguous runs, one per worker thread, and
/// the results are joined in input order: the outcome is identical to a sequential read.
/// POSIX threads keep the module free of Foundation and Dispatch.
enum ParallelRead {
  /// Below this much input a second thread costs more than it saves.
  static let minimumBytes = 4 << 20

  static func workerCount(messages: Int, bytes: Int) -> Int {
    guard messages >= 64, bytes >= minimumBytes else { return 1 }
    let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    return max(1, min(cpus, 8, messages / 32))
  }

  /// Threads for a run of `messages` whose size is known to be worth it: every CPU (at most
  /// 8), and 32 messages a thread at least.
  static func workerCount(messages: Int) -> Int {
    guard messages >= 64 else { return 1 }
    let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    return max(1, min(cpus, 8, messages / 32))
  }

  /// Applies `body` to `workers` contiguous runs of `items` on separate threads; returns the
  /// results in run order.
  static func map<T: Sendable, R: Sendable>(
    _ items: ArraySlice<T>, workers: Int, _ body: @escaping @Sendable (ArraySlice<T>) -> R
  ) -> [R] {
    let n = items.count
    let runs = max(1, min(workers, n))
    var slices: [ArraySlice<T>] = []
    for k in 0..<runs {
      let lo = items.startIndex + n * k / runs
      let hi = items.startIndex + n * (k + 1) / runs
      slices.append(items[lo..<hi])
    }
    #if canImport(Glibc)
      let jobs = slices.dropFirst().map { slice in Job { body(slice) } }
      var threads: [pthread_t] = []
      var inline: [Job<R>] = []
      for job in jobs {
        var t = pthread_t()
        let ctx = Unmanaged.passRetained(job).toOpaque()
        if pthread_create(&t, nil, runJob, ctx) == 0 {
          threads.append(t)
        } else {
          Unmanaged<AnyJob>.fromOpaque(ctx).release()
          inline.append(job)
        }
      }
      // This thread takes the first run, and any run no thread could be started for.
      let first = body(slices[0])
      for job in inline { job.run() }
      for t in threads { pthread_join(t, nil) }
      return [first] + jobs.compactMap(\.result)
    #else
      return slices.map(body)
    #endif
  }
}

/// Work started on a thread of its own, while the caller goes on; `wait()` gives its result.
/// Where no thread can be started (or off Glibc), the work is done by `wait()`.
struct Pending<R: Sendable> {
  #if canImport(Glibc)
    private let job: Job<R>
    private let thread: pthread_t?
  #else
    private let work: () -> R
  #endif

  init(_ work: @escaping @Sendable () -> R) {
    #if canImport(Glibc)
      job = Job(work)
      var t = pthread_t()
      let ctx = Unmanaged.passRetained(job as AnyJob).toOpaque()
      if pthread_create(&t, nil, runJob, ctx) == 0 {
        thread = t
      } else {
        Unmanaged<AnyJob>.fromOpaque(ctx).release()
        thread = nil
      }
    #else
      self.work = work
    #endif
  }

  /// The result, once the work is done.
  func wait() -> R {
    #if canImport(Glibc)
      if let thread { pthread_join(thread, nil) } else { job.run() }
      // The thread has set the result once joined; `work()` only satisfies the type.
      return job.result ?? job.work()
    #else
      return work()
    #endif
  }
}

#if canImport(Glibc)
  /// A unit of work handed to a thread. It is written by one thread and read by another only
  /// after `pthread_join`, which orders the two: hence `@unchecked Sendable`.
  private class AnyJob: @unchecked Sendable {
    func run() {}
  }

  private final class Job<R>: AnyJob, @unchecked Sendable {
    let work: () -> R
    var result: R?
    init(_ work: @escaping () -> R) { self.work = work }
    override func run() { result = work() }
  }

  private func runJob(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let ctx else { return nil }
    let job = Unmanaged<AnyJob>.fromOpaque(ctx).takeRetainedValue()
    job.run()
    return nil
  }
#endif
