/// Feeds the same bytes to an incremental reader whole, byte by byte and in random chunks, and
/// checks that all three give the same result, after SwiftNIO's `ByteToMessageDecoderVerifier`.
public enum DripFeed {
  /// What went wrong, naming the way of feeding that disagreed.
  public enum VerificationError: Error, CustomStringConvertible, Equatable {
    case wrongProduction(mode: String, expected: String, actual: String)

    public var description: String {
      switch self {
      case .wrongProduction(let mode, let expected, let actual):
        "\(mode) feeding produced a different result\nexpected: \(expected)\nactual:   \(actual)"
      }
    }
  }

  /// Splits `bytes` into chunks of random sizes (1…maxChunk) from a seeded generator.
  public static func randomChunks(_ bytes: [UInt8], seed: UInt64, maxChunk: Int = 64) -> [[UInt8]] {
    var rng = SeededGenerator(seed: seed)
    var chunks: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
      let n = Int.random(in: 1...max(1, maxChunk), using: &rng)
      let end = min(bytes.count, i + n)
      chunks.append(Array(bytes[i..<end]))
      i = end
    }
    return chunks
  }

  /// Runs `feed` over the three ways of chunking `bytes`; `feed` takes the chunks in order and
  /// returns a description of what the reader produced.
  /// - Returns: nil when the three agree, otherwise the first disagreement (with the seed).
  public static func verify<R: Equatable>(
    _ bytes: [UInt8], seed: UInt64 = 0x5eed, feed: ([[UInt8]]) throws -> R
  ) rethrows -> VerificationError? {
    let whole = try feed([bytes])
    let single = try feed(bytes.map { [$0] })
    if single != whole {
      return .wrongProduction(mode: "byte-by-byte", expected: "\(whole)", actual: "\(single)")
    }
    let random = try feed(randomChunks(bytes, seed: seed))
    if random != whole {
      return .wrongProduction(
        mode: "random-chunk (seed \(seed))", expected: "\(whole)", actual: "\(random)")
    }
    return nil
  }
}

/// A small deterministic generator (SplitMix64) so randomised tests can print and replay a seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
