import Diagnostics

extension DiffParser {
  /// A reader fed the input in chunks of bytes, as they arrive from a pipe or a socket.
  ///
  /// It splits lines as bytes come in (a chunk may end inside a line, a CRLF pair or a UTF-8
  /// sequence) and parses when `finish()` is called, giving exactly what `DiffParser.parse` gives
  /// for the concatenated bytes. The parse itself is one pass at the end because a hunk's end can
  /// depend on lines after it (the signature, a following `---`/`+++` pair).
  public struct Incremental: Sendable {
    public let file: String
    public let firstLine: Int
    private var bytes: [UInt8] = []
    private var splitter = LineSplitter()

    public init(file: String, firstLine: Int = 1) {
      self.file = file
      self.firstLine = firstLine
    }

    /// Complete lines received so far.
    public var completeLines: Int { splitter.lines.count }

    public mutating func feed(_ chunk: some Sequence<UInt8>) {
      // Only the new bytes are scanned; a `\n` looks back for its `\r`, which may have come in
      // the previous chunk.
      let from = bytes.count
      bytes.append(contentsOf: chunk)
      splitter.scan(bytes, from: from)
    }

    /// Parses everything fed so far. The reader can keep being fed afterwards.
    public func finish() -> (UnifiedDiff, [Diagnostic]) {
      var s = splitter
      s.finish(bytes)
      return DiffParser.parse(bytes: bytes, lines: s.lines, file: file, firstLine: firstLine)
    }
  }
}
