/// Content-Transfer-Encoding decoders: quoted-printable and base64.
enum TransferDecoding {
  /// Decodes quoted-printable (RFC 2045 §6.7): `=XX` escapes, `=` at line end as a soft line
  /// break (LF or CRLF). A malformed escape is kept literally, as most readers do.
  static func quotedPrintable(_ buf: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(buf.count)
    let n = buf.count
    var i = 0
    var progress = LoopGuard()
    while i < n, progress.advanced(to: i) {
      guard let eq = Bytes.find(UInt8(ascii: "="), in: buf, from: i, to: n) else {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<n]))
        break
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<eq]))
      i = eq + 1
      if i + 1 < n, let h = hex(buf[i]), let l = hex(buf[i + 1]) {
        out.append(h << 4 | l)
        i += 2
        continue
      }
      // Soft line break: "=" then optional trailing whitespace then (CR)LF or end of input.
      var j = i
      while j < n, Bytes.isWSP(buf[j]) { j += 1 }
      if j == n { i = n; continue }
      if buf[j] == Bytes.lf { i = j + 1; continue }
      if buf[j] == Bytes.cr, j + 1 < n, buf[j + 1] == Bytes.lf { i = j + 2; continue }
      if buf[j] == Bytes.cr, j + 1 == n { i = n; continue }
      out.append(UInt8(ascii: "="))
    }
    return out
  }

  @inline(__always)
  static func hex(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: b - 0x30
    case 0x41...0x46: b - 0x41 + 10
    case 0x61...0x66: b - 0x61 + 10
    default: nil
    }
  }

  /// Decodes base64, skipping whitespace and line breaks. Returns the bytes and, when the
  /// input had characters outside the alphabet or an incomplete final group, a problem
  /// description (the decodable bytes are still returned).
  static func base64(_ buf: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], problem: String?) {
    var out: [UInt8] = []
    out.reserveCapacity(buf.count / 4 * 3)
    var acc: UInt32 = 0
    var bits = 0
    var invalid = 0
    var padding = 0
    var dataAfterPadding = false
    for b in buf {
      let v = base64Table[Int(b)]
      if v < 64 {
        if padding > 0 { dataAfterPadding = true }
        acc = acc << 6 | UInt32(v)
        bits += 6
        if bits >= 8 {
          bits -= 8
          out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
        }
      } else if v == 64 {  // '='
        padding += 1
      } else if v == 65 {  // whitespace
        continue
      } else {
        invalid += 1
      }
    }
    var problems: [String] = []
    if invalid > 0 { problems.append("\(invalid) byte(s) outside the base64 alphabet skipped") }
    if bits >= 6 { problems.append("incomplete final base64 group") }
    if dataAfterPadding { problems.append("data after '=' padding") }
    return (out, problems.isEmpty ? nil : problems.joined(separator: "; "))
  }

  /// 0…63 for the alphabet (standard and URL-safe), 64 for '=', 65 for whitespace, 255 else.
  private static let base64Table: [UInt8] = {
    var t = [UInt8](repeating: 255, count: 256)
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
    t[Int(UInt8(ascii: "-"))] = 62
    t[Int(UInt8(ascii: "_"))] = 63
    t[Int(UInt8(ascii: "="))] = 64
    for w in [0x20, 0x09, 0x0D, 0x0A, 0x0B, 0x0C] { t[w] = 65 }
    return t
  }()
}
