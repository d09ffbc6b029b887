/// Location markers inside test inputs, after swift-syntax's `1️⃣` markers.
///
/// Write `⟪1⟫` (a marker that cannot occur in real patches) where a diagnostic is expected; the
/// helper removes the markers and returns the clean text with the 1-based line and column of each.
public enum Markers {
  public struct Position: Equatable, Sendable {
    public var line: Int
    public var column: Int
  }

  public static func extract(_ text: String) -> (text: String, markers: [String: Position]) {
    var out = ""
    var markers: [String: Position] = [:]
    var line = 1
    var column = 1
    var i = text.startIndex
    while i < text.endIndex {
      if text[i...].hasPrefix("⟪"), let close = text[i...].firstIndex(of: "⟫") {
        let name = String(text[text.index(after: i)..<close])
        markers[name] = Position(line: line, column: column)
        i = text.index(after: close)
        continue
      }
      let c = text[i]
      out.append(c)
      if c == "\n" {
        line += 1
        column = 1
      } else {
        column += c.utf8.count
      }
      i = text.index(after: i)
    }
    return (out, markers)
  }
}
