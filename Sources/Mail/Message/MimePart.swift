import Diagnostics

/// A `Content-Type` or `Content-Disposition` value: the lower-cased token before the first `;`
/// and its parameters (names lower-cased; quoted values unquoted; RFC 2231 `name*=` and
/// `name*0*=` continuations joined and percent-decoded).
public struct HeaderParameters: Equatable, Sendable {
  public var token: String
  public var parameters: [String: String]

  public init(token: String, parameters: [String: String]) {
    self.token = token
    self.parameters = parameters
  }

  public static func parse(_ value: String) -> HeaderParameters {
    var v = value
    if let fast = v.withUTF8({ fastParse($0) }) { return fast }
    return generalParse(value)
  }

  /// The common case in one pass over the bytes: no RFC 2231 `*`, no backslash escapes.
  private static func fastParse(_ b: UnsafeBufferPointer<UInt8>) -> HeaderParameters? {
    let n = b.count
    for c in b where c == UInt8(ascii: "*") || c == UInt8(ascii: "\\") { return nil }
    func lowered(_ r: Range<Int>) -> String {
      var lo = r.lowerBound
      var hi = r.upperBound
      while lo < hi, b[lo] <= Bytes.space { lo += 1 }
      while hi > lo, b[hi - 1] <= Bytes.space { hi -= 1 }
      var s = String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
      if b[lo..<hi].contains(where: { $0 &- 0x41 < 26 }) { s = Bytes.asciiLowercased(s) }
      return s
    }
    var i = Bytes.find(UInt8(ascii: ";"), in: b, from: 0, to: n) ?? n
    let token = lowered(0..<i)
    var params: [String: String] = [:]
    var progress = LoopGuard()
    while i < n, progress.advanced(to: i) {
      i += 1  // past ';'
      guard let eq = Bytes.find(UInt8(ascii: "="), in: b, from: i, to: n) else { break }
      if Bytes.find(UInt8(ascii: ";"), in: b, from: i, to: eq) != nil { return nil }
      let name = lowered(i..<eq)
      var j = eq + 1
      while j < n, Bytes.isWSP(b[j]) { j += 1 }
      let value: String
      if j < n, b[j] == UInt8(ascii: "\"") {
        guard let close = Bytes.find(UInt8(ascii: "\""), in: b, from: j + 1, to: n) else {
          return nil
        }
        value = Bytes.string(UnsafeBufferPointer(rebasing: b[(j + 1)..<close]))
        i = Bytes.find(UInt8(ascii: ";"), in: b, from: close, to: n) ?? n
      } else {
        let end = Bytes.find(UInt8(ascii: ";"), in: b, from: j, to: n) ?? n
        var hi = end
        while hi > j, b[hi - 1] <= Bytes.space { hi -= 1 }
        value = Bytes.string(UnsafeBufferPointer(rebasing: b[j..<hi]))
        i = end
      }
      if !name.isEmpty { params[name] = value }
    }
    return HeaderParameters(token: token, parameters: params)
  }

  static func generalParse(_ value: String) -> HeaderParameters {
    let items = splitParameters(value)
    let token = Bytes.asciiLowercased(items.first?.trimmingASCIISpaces() ?? "")
    var params: [String: String] = [:]
    // RFC 2231 pieces: name -> [(index, encoded, text)]
    var pieces: [String: [(Int, Bool, String)]] = [:]
    for item in items.dropFirst() {
      guard let eq = item.firstIndex(of: "=") else { continue }
      var name = Bytes.asciiLowercased(item[..<eq].trimmingASCIISpaces())
      var v = item[item.index(after: eq)...].trimmingASCIISpaces()
      if v.count >= 2, v.first == "\"", v.last == "\"" {
        v = v.dropFirst().dropLast()
        v = Substring(unescapeQuoted(v))
      }
      if name.contains("*") {
        let encoded = name.hasSuffix("*")
        if encoded { name.removeLast() }
        var index = 0
        if let star = name.firstIndex(of: "*") {
          index = Int(name[name.index(after: star)...]) ?? 0
          name = String(name[..<star])
        }
        pieces[name, default: []].append((index, encoded, String(v)))
      } else {
        params[name] = String(v)
      }
    }
    for (name, list) in pieces {
      let sorted = list.sorted { $0.0 < $1.0 }
      var bytes: [UInt8] = []
      var charset: Charset? = .utf8
      for (k, piece) in sorted.enumerated() {
        var text = Substring(piece.2)
        if piece.1 && k == 0 {
          // charset'language'value
          let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
          if parts.count == 3 {
            charset = Charset(label: parts[0]) ?? (parts[0].isEmpty ? .utf8 : nil)
            text = parts[2]
          }
        }
        bytes += piece.1 ? percentDecode(text) : Array(text.utf8)
      }
      params[name] = (charset ?? .latin1).decode(bytes)
    }
    return HeaderParameters(token: token, parameters: params)
  }

  private static func splitParameters(_ value: String) -> [Substring] {
    var out: [Substring] = []
    var start = value.startIndex
    var inQuote = false
    var escaped = false
    var i = value.startIndex
    while i < value.endIndex {
      let c = value[i]
      if escaped {
        escaped = false
      } else if c == "\\" && inQuote {
        escaped = true
      } else if c == "\"" {
        inQuote.toggle()
      } else if c == ";" && !inQuote {
        out.append(value[start..<i])
        start = value.index(after: i)
      }
      i = value.index(after: i)
    }
    out.append(value[start...])
    return out.filter { !$0.trimmingASCIISpaces().isEmpty || out.first == $0 }
  }

  private static func unescapeQuoted(_ s: Substring) -> String {
    guard s.contains("\\") else { return String(s) }
    var out = ""
    var escaped = false
    for c in s {
      if !escaped && c == "\\" {
        escaped = true
        continue
      }
      escaped = false
      out.append(c)
    }
    return out
  }

  private static func percentDecode(_ s: Substring) -> [UInt8] {
    var out: [UInt8] = []
    let u = Array(s.utf8)
    var i = 0
    while i < u.count {
      if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let h = TransferDecoding.hex(u[i + 1]),
        let l = TransferDecoding.hex(u[i + 2])
      {
        out.append(h << 4 | l)
        i += 3
      } else {
        out.append(u[i])
        i += 1
      }
    }
    return out
  }
}

/// One leaf of a message's MIME tree (a single-part message has one), decoded.
public struct MimePart: Equatable, Sendable {
  /// The decoded content: text for `text/*` and patch attachments, bytes otherwise.
  public enum Content: Equatable, Sendable {
    case text(String)
    case bytes([UInt8])
  }

  /// Lower-cased MIME type, such as `text/plain` or `text/x-patch`.
  public var contentType: String
  /// `Content-Type` parameters (`charset`, `name`…), names lower-cased.
  public var parameters: [String: String]
  /// `inline`, `attachment`, or nil when the part has no `Content-Disposition`.
  public var disposition: String?
  /// The `filename` of the disposition, or the `name` of the content type.
  public var filename: String?
  /// The lower-cased `Content-Transfer-Encoding` (`7bit` when absent).
  public var transferEncoding: String
  public var content: Content
  /// The input line where this part's encoded body starts.
  public var startLine: Int
  /// True if the part is counted in `Message.body` (plain text and patch attachments).
  public var isBodyText: Bool

  /// The decoded text, or nil for a binary part.
  public var text: String? {
    if case .text(let t) = content { return t }
    return nil
  }

  /// True for MIME types that carry patches (`text/x-patch`, `text/x-diff`, …) or a file name
  /// ending in `.patch` or `.diff`.
  public var isPatchAttachment: Bool {
    MimePart.patchTypes.contains(contentType)
      || (filename.map { $0.hasSuffix(".patch") || $0.hasSuffix(".diff") } ?? false)
  }

  static let patchTypes: Set<String> = [
    "text/x-patch", "text/x-diff", "application/x-patch", "application/x-diff", "text/patch",
    "text/diff",
  ]
}

/// The decoded body of a message: its text, its leaves and what went wrong while decoding.
public struct MessageBody: Equatable, Sendable {
  /// The text parts and patch attachments, in order, joined; in a multipart body every part
  /// ends with a newline (MIME gives the line break before a delimiter to the delimiter).
  ///
  /// Which parts: every `text/plain` leaf (inline or attached) and every patch attachment
  /// (`text/x-patch`, `text/x-diff`, `application/x-patch`, `application/x-diff`, or a file
  /// name ending `.patch`/`.diff`), so a diff reader finds patches sent as attachments; HTML
  /// alternatives and binary parts are left out (they stay in `parts`). When no part
  /// qualifies, the first text leaf is used. Text is transfer-decoded, charset-decoded, and
  /// CRLF line endings become LF (the exact bytes stay in `Message.raw`).
  public var text: String
  public var parts: [MimePart]
  public var diagnostics: [Diagnostic]
  /// Where each part of `text` came from: the first line of `text` (1-based) it fills and the
  /// input line of that part's encoded body.
  public var segments: [Segment]

  public struct Segment: Equatable, Sendable {
    public var firstTextLine: Int
    public var inputLine: Int
    public var mapping: LineMapping
    /// For `.softBreaks`: the input line of each text line of the segment, as an offset from
    /// `inputLine` (a soft line break joins two input lines into one text line).
    public var inputLineOffsets: [Int]?

    public init(
      firstTextLine: Int, inputLine: Int, mapping: LineMapping, inputLineOffsets: [Int]? = nil
    ) {
      self.firstTextLine = firstTextLine
      self.inputLine = inputLine
      self.mapping = mapping
      self.inputLineOffsets = inputLineOffsets
    }
  }

  /// How the text lines of a segment relate to the input lines.
  public enum LineMapping: String, Equatable, Sendable {
    /// One text line per input line (7bit, 8bit, binary).
    case exact
    /// Quoted-printable: exact, through `Segment.inputLineOffsets`, which accounts for soft
    /// line breaks.
    case softBreaks
    /// Base64: every text line maps to the first line of the encoded block.
    case block
  }

  /// The input line of the 1-based `line` of `text` (see `LineMapping` for its precision).
  public func inputLine(forTextLine line: Int) -> Int? {
    guard let seg = segments.last(where: { $0.firstTextLine <= line }) else { return nil }
    let k = line - seg.firstTextLine
    switch seg.mapping {
    case .block: return seg.inputLine
    case .exact: return seg.inputLine + k
    case .softBreaks:
      guard let offsets = seg.inputLineOffsets, !offsets.isEmpty else { return seg.inputLine + k }
      // Past the last text line (the body's end), keep counting from the last one known.
      if k < offsets.count { return seg.inputLine + offsets[k] }
      return seg.inputLine + (offsets.last ?? 0) + (k - offsets.count + 1)
    }
  }
}
