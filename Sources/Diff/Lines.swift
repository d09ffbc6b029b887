/// One input line as a byte range: `start..<end` is the text, `ending` what followed it.
struct RawLine: Hashable, Sendable {
  var start: Int
  var end: Int
  var ending: LineEnding
}

/// Splits bytes into lines on `\n` (a `\r` right before it makes the ending CRLF).
///
/// Works on bytes, not `Character`s: Swift reads `\r\n` as one character.
struct LineSplitter: Sendable {
  private(set) var lines: [RawLine] = []
  /// Where the line being read started.
  private(set) var lineStart = 0

  /// Records the complete lines in `bytes[from...]`, where `from` is where the previous call
  /// stopped (the bytes array only ever grows).
  mutating func scan(_ bytes: [UInt8], from: Int) {
    var i = from
    let n = bytes.count
    while i < n {
      if bytes[i] == 0x0A {
        if i > lineStart, bytes[i - 1] == 0x0D {
          lines.append(RawLine(start: lineStart, end: i - 1, ending: .crlf))
        } else {
          lines.append(RawLine(start: lineStart, end: i, ending: .lf))
        }
        lineStart = i + 1
      }
      i += 1
    }
  }

  /// Records the unterminated last line, if there is one.
  mutating func finish(_ bytes: [UInt8]) {
    if lineStart < bytes.count {
      lines.append(RawLine(start: lineStart, end: bytes.count, ending: .none))
      lineStart = bytes.count
    }
  }

  static func split(_ bytes: [UInt8]) -> [RawLine] {
    var s = LineSplitter()
    s.scan(bytes, from: 0)
    s.finish(bytes)
    return s.lines
  }
}
