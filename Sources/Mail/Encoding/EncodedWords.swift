/// RFC 2047 encoded words in header values: `=?charset?B?base64?=` and `=?charset?Q?text?=`.
///
/// Whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2), and the bytes of
/// adjacent words in the same charset are joined before decoding, so a UTF-8 sequence split
/// across two words (as some mailers do) still decodes. A word that does not decode is kept as
/// written and reported.
enum EncodedWords {
  struct Problem: Equatable, Sendable {
    var id: MessageIDKind
    var message: String
  }

  enum MessageIDKind: Equatable, Sendable {
    case badEncodedWord
    case unknownCharset
  }

  /// Decodes every encoded word in `bytes` (an unfolded header value).
  static func decode(_ bytes: [UInt8]) -> (text: String, problems: [Problem]) {
    bytes.withUnsafeBufferPointer { decode($0) }
  }

  static func decode(_ buf: UnsafeBufferPointer<UInt8>) -> (text: String, problems: [Problem]) {
    var out = ""
    var problems: [Problem] = []
    // Bytes of the encoded words met so far that have not been decoded yet (same charset).
    var pending: [UInt8] = []
    var pendingCharset: Charset? = nil
    var pendingLabel = ""
    var havePending = false
    let n = buf.count
    var i = 0
    var literalStart = 0

    func flush() {
      guard havePending else { return }
      out += (pendingCharset ?? .latin1).decode(pending)
      pending.removeAll(keepingCapacity: true)
      havePending = false
    }

    var progress = LoopGuard()
    while i < n, progress.advanced(to: i) {
      guard let q = Bytes.find(UInt8(ascii: "="), in: buf, from: i, to: n) else { break }
      guard q + 1 < n, buf[q + 1] == UInt8(ascii: "?"), let word = parseWord(buf, at: q) else {
        i = q + 1
        continue
      }
      // The text between the previous word (or start) and this one.
      let between = UnsafeBufferPointer(rebasing: buf[literalStart..<q])
      let onlySpace = between.allSatisfy { Bytes.isWSP($0) || $0 == Bytes.cr || $0 == Bytes.lf }
      if !(havePending && onlySpace) {
        flush()
        out += Bytes.string(between)
      }
      let label = Bytes.string(UnsafeBufferPointer(rebasing: buf[word.charset]))
      var decoded: [UInt8]
      let text = UnsafeBufferPointer(rebasing: buf[word.text])
      if word.encoding == UInt8(ascii: "B") || word.encoding == UInt8(ascii: "b") {
        let (bytes, problem) = TransferDecoding.base64(text)
        if let problem {
          problems.append(
            Problem(
              id: .badEncodedWord,
              message:
                "encoded word '\(Bytes.string(UnsafeBufferPointer(rebasing: buf[q..<word.end])))': \(problem)"
            ))
          flush()
          out += Bytes.string(UnsafeBufferPointer(rebasing: buf[q..<word.end]))
          i = word.end
          literalStart = word.end
          continue
        }
        decoded = bytes
      } else {
        decoded = []
        decoded.reserveCapacity(text.count)
        var k = 0
        while k < text.count {
          let c = text[k]
          if c == UInt8(ascii: "_") {
            decoded.append(Bytes.space)
          } else if c == UInt8(ascii: "="), k + 2 < text.count,
            let h = TransferDecoding.hex(text[k + 1]), let l = TransferDecoding.hex(text[k + 2])
          {
            decoded.append(h << 4 | l)
            k += 2
          } else {
            decoded.append(c)
          }
          k += 1
        }
      }
      let charset = Charset(label: label)
      if charset == nil {
        problems.append(
          Problem(
            id: .unknownCharset,
            message: "unknown charset '\(label)' in encoded word; decoded as ISO-8859-1"))
      }
      if havePending, pendingLabel != label.lowercased() { flush() }
      pending.append(contentsOf: decoded)
      pendingCharset = charset
      pendingLabel = label.lowercased()
      havePending = true
      i = word.end
      literalStart = word.end
    }
    flush()
    if literalStart < n {
      out += Bytes.string(UnsafeBufferPointer(rebasing: buf[literalStart..<n]))
    }
    return (out, problems)
  }

  private struct Word {
    var charset: Range<Int>
    var encoding: UInt8
    var text: Range<Int>
    var end: Int
  }

  /// Parses `=?charset?X?text?=` at `q` (which points at `=`).
  private static func parseWord(_ buf: UnsafeBufferPointer<UInt8>, at q: Int) -> Word? {
    let n = buf.count
    let cs = q + 2
    var i = cs
    while i < n, buf[i] != UInt8(ascii: "?"), !Bytes.isWSP(buf[i]), i - cs < 64 { i += 1 }
    guard i < n, buf[i] == UInt8(ascii: "?"), i > cs, i + 2 < n else { return nil }
    let enc = buf[i + 1]
    guard "BbQq".utf8.contains(enc), buf[i + 2] == UInt8(ascii: "?") else { return nil }
    let ts = i + 3
    var j = ts
    while j + 1 < n {
      let c = buf[j]
      if c == UInt8(ascii: "?") && buf[j + 1] == UInt8(ascii: "=") {
        return Word(charset: cs..<i, encoding: enc, text: ts..<j, end: j + 2)
      }
      if c == Bytes.space || c == Bytes.tab || c == Bytes.lf || c == Bytes.cr { return nil }
      j += 1
    }
    return nil
  }
}
