import Diagnostics

/// Decodes a message body: walks the MIME tree (nested multiparts), undoes the transfer
/// encodings, decodes charsets and collects the leaves, reporting damage with input lines.
struct MimeDecoder {
  let buf: UnsafeBufferPointer<UInt8>
  let file: String
  var diags: [Diagnostic] = []
  var leaves: [MimePart] = []

  static let maxDepth = 32

  init(buf: UnsafeBufferPointer<UInt8>, file: String) {
    self.buf = buf
    self.file = file
  }

  /// Decodes the body `buf[from..<to]` (starting on input line `line`) of an entity with
  /// `headers`, and returns the message body.
  static func decode(
    _ buf: UnsafeBufferPointer<UInt8>, headers: [HeaderField], from: Int, to: Int, line: Int,
    file: String
  ) -> MessageBody {
    var d = MimeDecoder(buf: buf, file: file)
    d.entity(headers: headers, from: from, to: to, line: line, depth: 0, defaultType: "text/plain")
    return d.assemble()
  }

  private func loc(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: line) }

  /// The first `Content-*` field called `name` (lower case): a cheap first-letter test skips
  /// the other fields.
  @inline(__always)
  static func field(_ headers: [HeaderField], _ name: String) -> HeaderField? {
    for h in headers {
      guard let f = h.name.utf8.first, f | 0x20 == UInt8(ascii: "c") else { continue }
      if Bytes.equalsIgnoringCase(h.name, name) { return h }
    }
    return nil
  }

  /// True if a body with these headers is plain text whose decoding cannot report anything:
  /// no multipart, identity transfer encoding, a known (or no) charset.
  ///
  /// Runs for every message read with `.checked`, so it looks at bytes, not parsed values.
  static func isPlain(_ headers: [HeaderField]) -> Bool {
    var sawType = false
    var sawEncoding = false
    for h in headers {
      let n = h.name.utf8.count
      guard n == 12 || n == 25, let f = h.name.utf8.first, f | 0x20 == UInt8(ascii: "c") else {
        continue
      }
      if n == 12, !sawType, Bytes.equalsIgnoringCase(h.name, "content-type") {
        sawType = true
        guard plainContentType(h.value) else { return false }
      } else if n == 25, !sawEncoding,
        Bytes.equalsIgnoringCase(h.name, "content-transfer-encoding")
      {
        sawEncoding = true
        let v = h.value.trimmingASCIISpaces()
        guard
          v.isEmpty || Bytes.equalsIgnoringCase(v, "8bit") || Bytes.equalsIgnoringCase(v, "7bit")
            || Bytes.equalsIgnoringCase(v, "binary")
        else { return false }
      }
    }
    return true
  }

  /// True for `text/…` with no charset or a known one (`charset*` and escapes: not plain).
  private static func plainContentType(_ value: String) -> Bool {
    var v = value
    return v.withUTF8 { b -> Bool in
      let n = b.count
      var i = 0
      while i < n, Bytes.isWSP(b[i]) { i += 1 }
      guard
        Bytes.hasPrefix(b, at: i, to: n, "text/") || Bytes.hasPrefix(b, at: i, to: n, "Text/")
          || Bytes.hasPrefix(b, at: i, to: n, "TEXT/")
      else { return false }
      var semi = Bytes.find(UInt8(ascii: ";"), in: b, from: i, to: n)
      var progress = LoopGuard()
      while let s = semi, progress.advanced(to: s) {
        var j = s + 1
        while j < n, Bytes.isWSP(b[j]) { j += 1 }
        guard let eq = Bytes.find(UInt8(ascii: "="), in: b, from: j, to: n) else { return true }
        var ne = eq
        while ne > j, Bytes.isWSP(b[ne - 1]) { ne -= 1 }
        let name = UnsafeBufferPointer(rebasing: b[j..<ne])
        if name.contains(UInt8(ascii: "*")) { return false }
        var k = eq + 1
        while k < n, Bytes.isWSP(b[k]) { k += 1 }
        var valueEnd: Int
        var valueStart = k
        if k < n, b[k] == UInt8(ascii: "\"") {
          valueStart = k + 1
          guard let close = Bytes.find(UInt8(ascii: "\""), in: b, from: valueStart, to: n) else {
            return false
          }
          valueEnd = close
          semi = Bytes.find(UInt8(ascii: ";"), in: b, from: close, to: n)
        } else {
          semi = Bytes.find(UInt8(ascii: ";"), in: b, from: k, to: n)
          valueEnd = semi ?? n
          while valueEnd > valueStart, b[valueEnd - 1] <= Bytes.space { valueEnd -= 1 }
        }
        if Bytes.equalsLowercased(name, "charset") {
          let label = String(
            decoding: UnsafeBufferPointer(rebasing: b[valueStart..<valueEnd]), as: UTF8.self)
          // Every charset parameter must be known (the full parser keeps the last one).
          guard Charset(label: label) != nil else { return false }
        }
      }
      return true
    }
  }

  mutating func entity(
    headers: [HeaderField], from: Int, to: Int, line: Int, depth: Int, defaultType: String
  ) {
    let ctField = MimeDecoder.field(headers, "content-type")
    var ct =
      ctField.map { HeaderParameters.parse($0.value) }
      ?? HeaderParameters(token: defaultType, parameters: [:])
    if !ct.token.contains("/") {
      if let ctField {
        diags.append(
          Diagnostic(
            "mail.bad-content-type", .warning, at: loc(ctField.line),
            "Content-Type '\(ctField.value)' is not a MIME type; read as text/plain"))
      }
      ct = HeaderParameters(token: "text/plain", parameters: ct.parameters)
    }
    if ct.token.hasPrefix("multipart/") {
      if depth >= MimeDecoder.maxDepth {
        diags.append(
          Diagnostic(
            "mail.mime-depth", .warning, at: loc(line),
            "multipart nesting deeper than \(MimeDecoder.maxDepth); kept as bytes"))
      } else if let boundary = ct.parameters["boundary"], !boundary.isEmpty {
        if multipart(
          boundary: boundary, from: from, to: to, line: line, depth: depth,
          digest: ct.token == "multipart/digest")
        {
          return
        }
        ct = HeaderParameters(token: "text/plain", parameters: [:])
      } else {
        diags.append(
          Diagnostic(
            "mail.mime-boundary", .warning, at: loc(ctField?.line ?? line),
            "multipart without a boundary parameter; body read as text/plain"))
        ct = HeaderParameters(token: "text/plain", parameters: [:])
      }
    }
    leaf(
      headers: headers, type: ct, typeLine: ctField?.line ?? line, from: from, to: to, line: line)
  }

  /// Splits a multipart body at its delimiters. Returns false when not one delimiter is found
  /// (the caller then reads the body as text).
  private mutating func multipart(
    boundary: String, from: Int, to: Int, line: Int, depth: Int, digest: Bool
  ) -> Bool {
    let delim = Array("--".utf8) + Array(boundary.utf8)
    var i = from
    var lineNo = line
    var partStart: Int? = nil
    var partLine = 0
    var lastDelimLine = line
    var closed = false
    var sawDelimiter = false
    var parts: [(Int, Int, Int)] = []  // start, end, line
    var progress = LoopGuard()
    while i < to, progress.advanced(to: i) {
      let le = Bytes.lineEnd(in: buf, from: i, to: to)
      let next = le < to ? le + 1 : to
      if le - i >= delim.count, buf[i] == UInt8(ascii: "-"), buf[i + 1] == UInt8(ascii: "-"),
        matches(delim, at: i)
      {
        var k = i + delim.count
        let content = Bytes.trimCR(buf, from: i, to: le)
        let isClose =
          k + 1 < content && buf[k] == UInt8(ascii: "-") && buf[k + 1] == UInt8(ascii: "-")
        if isClose { k += 2 }
        var onlySpace = true
        while k < content {
          if !Bytes.isWSP(buf[k]) { onlySpace = false }
          k += 1
        }
        if onlySpace {
          sawDelimiter = true
          if let s = partStart {
            // The line break before a delimiter belongs to the delimiter.
            var end = i
            if end > s, buf[end - 1] == Bytes.lf { end -= 1 }
            if end > s, buf[end - 1] == Bytes.cr { end -= 1 }
            parts.append((s, end, partLine))
          }
          lastDelimLine = lineNo
          if isClose {
            closed = true
            partStart = nil
            break
          }
          partStart = next
          partLine = lineNo + 1
        }
      }
      i = next
      lineNo += 1
    }
    guard sawDelimiter else {
      diags.append(
        Diagnostic(
          "mail.mime-boundary", .warning, at: loc(line),
          "multipart boundary '\(boundary)' never occurs in the body; body read as text/plain"))
      return false
    }
    if !closed {
      diags.append(
        Diagnostic(
          "mail.mime-boundary", .warning, at: loc(lastDelimLine),
          "multipart boundary '\(boundary)' is never closed ('--\(boundary)--' missing); "
            + "the last part runs to the end of the message"))
      if let s = partStart {
        // Like a closed part, the last one ends before its final line break.
        var end = to
        if end > s, buf[end - 1] == Bytes.lf { end -= 1 }
        if end > s, buf[end - 1] == Bytes.cr { end -= 1 }
        parts.append((s, end, partLine))
      }
    }
    for (s, e, l) in parts {
      let block = HeaderBlock.parse(buf, from: s, to: e, firstLine: l, file: file, diags: &diags)
      entity(
        headers: block.fields, from: block.bodyOffset, to: e, line: block.bodyLine,
        depth: depth + 1, defaultType: digest ? "message/rfc822" : "text/plain")
    }
    return true
  }

  @inline(__always)
  private func matches(_ delim: [UInt8], at i: Int) -> Bool {
    for k in 2..<delim.count where buf[i + k] != delim[k] { return false }
    return true
  }

  private mutating func leaf(
    headers: [HeaderField], type ct: HeaderParameters, typeLine: Int, from: Int, to: Int,
    line: Int
  ) {
    let cte = MimeDecoder.field(headers, "content-transfer-encoding")
    let encoding = Bytes.asciiLowercased(cte?.value.trimmingASCIISpaces() ?? "7bit")
    let disp = MimeDecoder.field(headers, "content-disposition").map {
      HeaderParameters.parse($0.value)
    }
    var filename = disp?.parameters["filename"] ?? ct.parameters["name"]
    if let f = filename, f.contains("=?") { filename = EncodedWords.decode(Array(f.utf8)).text }
    let raw = UnsafeBufferPointer(rebasing: buf[min(from, to)..<to])
    var decoded: [UInt8]? = nil
    var mapping = MessageBody.LineMapping.exact
    var offsets: [Int]? = nil
    switch encoding {
    case "7bit", "8bit", "binary", "":
      break
    case "quoted-printable":
      decoded = TransferDecoding.quotedPrintable(raw)
      mapping = .softBreaks
      offsets = MimeDecoder.softBreakOffsets(raw)
    case "base64":
      let (bytes, problem) = TransferDecoding.base64(raw)
      if let problem {
        diags.append(Diagnostic("mail.bad-base64", .warning, at: loc(line), problem))
      }
      decoded = bytes
      mapping = .block
    default:
      diags.append(
        Diagnostic(
          "mail.unknown-encoding", .warning, at: loc(cte?.line ?? line),
          "unknown Content-Transfer-Encoding '\(encoding)'; body kept as it is"))
    }
    var part = MimePart(
      contentType: ct.token, parameters: ct.parameters, disposition: disp?.token,
      filename: filename, transferEncoding: encoding, content: .bytes([]), startLine: line,
      isBodyText: false)
    let isText = ct.token.hasPrefix("text/") || part.isPatchAttachment
    if isText {
      var charset = Charset.usASCII
      if let label = ct.parameters["charset"] {
        if let c = Charset(label: label) {
          charset = c
        } else {
          diags.append(
            Diagnostic(
              "mail.unknown-charset", .warning, at: loc(typeLine),
              "unknown charset '\(label)'; decoded as ISO-8859-1"))
          charset = .latin1
        }
      }
      let text: String
      if let d = decoded {
        text = d.withUnsafeBufferPointer { MimeDecoder.textWithoutCR($0, charset) }
      } else {
        text = MimeDecoder.textWithoutCR(raw, charset)
      }
      part.content = .text(text)
      part.isBodyText = ct.token == "text/plain" || part.isPatchAttachment
    } else {
      part.content = .bytes(decoded ?? Array(raw))
    }
    leaves.append(part)
    segmentMappings.append(mapping)
    segmentOffsets.append(offsets)
  }

  private var segmentMappings: [MessageBody.LineMapping] = []
  private var segmentOffsets: [[Int]?] = []

  /// For a quoted-printable body: the input line (offset from the body's first line) where each
  /// decoded line starts. A line ending in `=` (before trailing blanks) is a soft line break:
  /// it and the next input line make one decoded line.
  static func softBreakOffsets(_ raw: UnsafeBufferPointer<UInt8>) -> [Int] {
    var offsets: [Int] = [0]
    var rawLine = 0
    var i = 0
    let n = raw.count
    while i < n {
      let end = Bytes.find(Bytes.lf, in: raw, from: i, to: n) ?? n
      var last = end
      while last > i, raw[last - 1] == Bytes.cr || raw[last - 1] == 0x20 || raw[last - 1] == 0x09 {
        last -= 1
      }
      let soft = last > i && raw[last - 1] == UInt8(ascii: "=")
      rawLine += 1
      if !soft && end < n { offsets.append(rawLine) }
      i = end + 1
    }
    return offsets
  }

  /// Text from bytes in `charset`, with CRLF line endings turned into LF.
  static func textWithoutCR(_ b: UnsafeBufferPointer<UInt8>, _ charset: Charset) -> String {
    guard Bytes.find(Bytes.cr, in: b, from: 0, to: b.count) != nil else {
      return charset.decode(b)
    }
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    let n = b.count
    for k in 0..<n where !(b[k] == Bytes.cr && k + 1 < n && b[k + 1] == Bytes.lf) {
      out.append(b[k])
    }
    return charset.decode(out)
  }

  /// Joins the body-text leaves into the message text.
  private func assemble() -> MessageBody {
    var chosen = leaves.indices.filter { leaves[$0].isBodyText }
    if chosen.isEmpty, let first = leaves.indices.first(where: { leaves[$0].text != nil }) {
      chosen = [first]
    }
    var text = ""
    var segments: [MessageBody.Segment] = []
    var nextLine = 1
    for (n, idx) in chosen.enumerated() {
      guard let t = leaves[idx].text else { continue }
      if !text.isEmpty, text.utf8.last != Bytes.lf { text.append("\n") }
      segments.append(
        MessageBody.Segment(
          firstTextLine: nextLine, inputLine: leaves[idx].startLine,
          mapping: segmentMappings[idx], inputLineOffsets: segmentOffsets[idx]))
      // Lines are counted only where a later segment needs its first line (not for the
      // last or only part: a single-part body is never scanned for this).
      if n + 1 < chosen.count {
        var copy = t
        let lines = copy.withUTF8 { Bytes.countNewlines(in: $0, from: 0, to: $0.count) }
        nextLine += lines + (t.utf8.last == Bytes.lf || t.isEmpty ? 0 : 1)
      }
      if text.isEmpty { text = t } else { text += t }
    }
    // In multipart bodies the line break before a delimiter belongs to the delimiter, so the
    // last line of a part has none; the joined body gives every line its newline.
    if leaves.count > 1, !text.isEmpty, text.utf8.last != Bytes.lf { text.append("\n") }
    return MessageBody(text: text, parts: leaves, diagnostics: diags, segments: segments)
  }
}
