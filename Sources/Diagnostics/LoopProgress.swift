/// A guard for parser loops: each turn must consume input, or the loop is stopped.
///
/// Use it in every loop that walks input, so malformed input can never spin a reader forever:
///
///     var progress = LoopProgress()
///     while i < end, progress.advanced(to: i) { ... }
public struct LoopProgress: Sendable {
  private var last: Int = -1

  public init() {}

  /// True if `position` is past the position of the previous turn.
  public mutating func advanced(to position: Int) -> Bool {
    defer { last = position }
    return position > last
  }
}
