import Dispatch

/// Independent pieces of the assembly done on every core, their results kept in order.
enum Spread {
  /// `body(k)` for every `k` in `0..<count`, in order of `k`. The indices are handed out in
  /// runs of `run`, each run on whichever core is free; `body` must only read shared state.
  static func map<T>(_ count: Int, run: Int = 64, _ body: (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let runs = (count + run - 1) / run
    guard runs > 1 else { return (0..<count).map(body) }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      guard let base = buffer.baseAddress else { return }
      withoutActuallyEscaping(body) { body in
        let work = Work(body: body, base: base)
        DispatchQueue.concurrentPerform(iterations: runs) { r in
          // Each run fills only its own slots.
          for k in (r * run)..<min(count, (r + 1) * run) { work.fill(k) }
        }
      }
      initialized = count
    }
  }

  /// The body and the result buffer, handed to the worker threads. Not checked by the
  /// compiler: each index is written once, by the run that owns it, and `concurrentPerform`
  /// returns only when every run is done.
  private struct Work<T>: @unchecked Sendable {
    let body: (Int) -> T
    let base: UnsafeMutablePointer<T>

    func fill(_ k: Int) { (base + k).initialize(to: body(k)) }
  }
}

extension Spread {
  /// Empties `items`, leaving the freeing of its elements to another thread: tens of
  /// thousands of messages, their strings and arrays released one by one, would otherwise
  /// hold up the caller for a few hundredths of a second.
  static func releaseLater<T: Sendable>(_ items: inout [T]) {
    let parting = Parting(items)
    items = []
    DispatchQueue.global().async { parting.drop() }
  }

  /// The only reference to the array once the caller has let go of it, so the thread that
  /// drops it is the one that frees the elements. Not checked by the compiler: nothing else
  /// touches `items` once it is handed over.
  private final class Parting<T: Sendable>: @unchecked Sendable {
    private var items: [T]
    init(_ items: [T]) { self.items = items }
    func drop() { items = [] }
  }
}
