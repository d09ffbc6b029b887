/// Counts from decoding a range of words (see `A64.sweep`).
public struct SweepSummary: Sendable, Hashable, CustomStringConvertible {
  public var decoded = 0
  public var unpredictable = 0
  public var undefined = 0
  public var notCovered = 0
  /// Decoded words whose re-encoding differs (must stay 0).
  public var roundTripFailures = 0
  /// The first word that failed the round trip, if any.
  public var firstFailure: UInt32? = nil

  public init() {}

  public var total: Int { decoded + unpredictable + undefined + notCovered }

  /// Adds another summary's counts (for sweeps split across threads).
  public mutating func merge(_ o: SweepSummary) {
    decoded += o.decoded
    unpredictable += o.unpredictable
    undefined += o.undefined
    notCovered += o.notCovered
    roundTripFailures += o.roundTripFailures
    if firstFailure == nil { firstFailure = o.firstFailure }
  }

  public var description: String {
    "\(total) words: \(decoded) decoded, \(unpredictable) unpredictable, \(undefined) undefined, "
      + "\(notCovered) not covered, \(roundTripFailures) round-trip failures"
  }
}

extension A64 {
  /// Decodes every word of `range`, counting the four outcomes; with `roundTrip`, also checks
  /// `encode(decode(w)) == w` for every `.decoded` word. The entry point for the exhaustive
  /// 2^32 sweep (`scripts/a64-sweep`; a CLI can split the space into chunks across threads).
  public static func sweep(_ range: ClosedRange<UInt32>, roundTrip: Bool = true) -> SweepSummary {
    var s = SweepSummary()
    var w = range.lowerBound
    while true {
      switch decode(w) {
      case .decoded(let i):
        s.decoded += 1
        if roundTrip {
          let e = try? encode(i)
          if e != w {
            s.roundTripFailures += 1
            if s.firstFailure == nil { s.firstFailure = w }
          }
        }
      case .unpredictable: s.unpredictable += 1
      case .undefined: s.undefined += 1
      case .notCovered: s.notCovered += 1
      }
      if w == range.upperBound { break }
      w += 1
    }
    return s
  }
}
