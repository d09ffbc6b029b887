import AArch64
import Foundation

/// A process-wide word → op cache: decoding is pure, and scenarios decode the same few
/// instruction words over and over in fresh machines. Guarded by a pthread mutex (`NSLock`),
/// which ThreadSanitizer understands (it does not see `Synchronization.Mutex`'s futex, and
/// reported every use as a race).
final class LoweringCache: @unchecked Sendable {
  private let lock = NSLock()
  private var ops: [UInt32: Op] = [:]

  func op(_ word: UInt32) -> Op? {
    lock.lock()
    defer { lock.unlock() }
    return ops[word]
  }

  func keep(_ op: Op, for word: UInt32) {
    lock.lock()
    defer { lock.unlock() }
    if ops.count >= 1 << 16 { ops.removeAll(keepingCapacity: true) }
    ops[word] = op
  }
}

let loweringCache = LoweringCache()

/// Turns a fetched word into a micro-op: `AArch64.decode`, then the class's `lower…` function
/// (each `Execute+<Class>.swift` file holds its class's lowering beside its handlers).
enum Lowering {
  /// Why a `.decodeFault` op faults (stored in `Op.g`).
  enum FaultClass: UInt8 {
    case undefined = 0, notCovered, unpredictable, notModelled, hlt
  }

  static func fault(_ c: FaultClass) -> Op {
    var op = Op()
    op.kind = .decodeFault
    op.g = c.rawValue
    return op
  }

  /// The op of `word`, from the shared cache when possible.
  static func lower(_ word: UInt32) -> Op {
    if let op = loweringCache.op(word) { return op }
    let op = lowerUncached(word)
    loweringCache.keep(op, for: word)
    return op
  }

  static func lowerUncached(_ word: UInt32) -> Op {
    switch decode(word) {
    case .decoded(let i):
      let op =
        lowerSystem(i, word: word) ?? lowerBranch(i) ?? lowerDataProcessing(i)
        ?? lowerLoadStore(i) ?? fault(.notModelled)
      return specialise(op)
    case .unpredictable: return fault(.unpredictable)
    case .undefined: return fault(.undefined)
    case .notCovered: return lowerPACData(word) ?? fault(.notCovered)
    }
  }

  /// The fault reason of a word whose op is `.decodeFault`, with a detail for humans.
  static func faultReason(_ word: UInt32) -> Fault.Reason {
    switch decode(word) {
    case .decoded(let i):
      let text = String(A64.print(i).map { $0 == "\t" ? " " : $0 })
      if case .exception(.hlt, _) = i {
        return .undefined(word: word, detail: "\(text): halting debug is not modelled")
      }
      return .undefined(word: word, detail: "\(text): not modelled by the emulator")
    case .unpredictable(_, let reason):
      return .unpredictable(word: word, detail: "\(disassemble(word)): \(reason)")
    case .undefined: return .undefined(word: word, detail: "unallocated encoding")
    case .notCovered:
      return .undefined(word: word, detail: "not covered by the decoder (FP/SIMD, SVE, …)")
    }
  }
}
