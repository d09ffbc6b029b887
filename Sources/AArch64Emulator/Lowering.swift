import AArch64

#if os(Linux)
  import Synchronization

  /// A process-wide word → op cache: decoding is pure, and scenarios decode the same few
  /// instruction words over and over in fresh machines. (Linux only: `Mutex` needs macOS 15.)
  let loweringCache = Mutex<[UInt32: Op]>([:])
#endif

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
    #if os(Linux)
      if let op = loweringCache.withLock({ $0[word] }) { return op }
      let op = lowerUncached(word)
      loweringCache.withLock { cache in
        if cache.count >= 1 << 16 { cache.removeAll(keepingCapacity: true) }
        cache[word] = op
      }
      return op
    #else
      return lowerUncached(word)
    #endif
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
