/// The grammar of a patch subject line, as `git format-patch` and kernel submitters write it:
///
///     [Re: ]* [tag tag … vN K/N] [more groups] title
///
/// Examples: `[PATCH bpf-next v2 3/4] bpf: …`, `[RFC PATCH -next v2 3/4] …`, `[PATCHv2] …`,
/// `[PATCH RESEND v3 1/2] …`, `Re: [PATCH v6 0/5] …`, `[PATCH 1/2] [RFC] x`.
public struct PatchSubject: Equatable, Sendable {
  /// True for replies (`Re:`, `RE:`, `Aw:`, `AW:`, `Fwd:`, `Fw:`, repeated or not).
  public var isReply: Bool
  /// Every word inside the brackets, in order, as written (`PATCH`, `bpf-next`, `v2`, `3/4`).
  public var tags: [String]
  public var isPatch: Bool
  public var isRFC: Bool
  public var isResend: Bool
  /// The series version; 1 when absent.
  public var version: Int
  /// The position in the series (`3` of `3/4`); nil for a lone patch.
  public var index: Int?
  /// The series length (`4` of `3/4`).
  public var total: Int?
  /// The subject after the prefixes and bracket groups, trimmed.
  public var title: String

  /// True for a cover letter (`0/N`).
  public var isCover: Bool { index == 0 }

  public init(
    isReply: Bool = false, tags: [String] = [], isPatch: Bool = false, isRFC: Bool = false,
    isResend: Bool = false, version: Int = 1, index: Int? = nil, total: Int? = nil,
    title: String = ""
  ) {
    self.isReply = isReply
    self.tags = tags
    self.isPatch = isPatch
    self.isRFC = isRFC
    self.isResend = isResend
    self.version = version
    self.index = index
    self.total = total
    self.title = title
  }

  public static func parse(_ subject: String) -> PatchSubject {
    readingBytes(subject) { $0.parse() } ?? parseText(subject)
  }

  /// `parse(subject).title`, without reading the words of the bracket groups.
  public static func title(of subject: String) -> String {
    readingBytes(subject) { $0.text($0.titleRange(readingWords: false)) }
      ?? parseText(subject).title
  }

  /// `parse(subject)` without its `tags` and `title` (left empty): what sorting a message
  /// out needs, without a string for each bracket word.
  public static func numbers(of subject: String) -> PatchSubject {
    let fast = readingBytes(subject) { reader -> PatchSubject in
      reader.keepsText = false
      _ = reader.titleRange(readingWords: true)
      return reader.result
    }
    guard let fast else {
      var s = parseText(subject)
      s.tags = []
      s.title = ""
      return s
    }
    return fast
  }

  /// `read` over the bytes of `subject` when it is ASCII on one line (nearly every subject
  /// is), where a byte is a character; nil for any other, which is read by characters.
  private static func readingBytes<R>(
    _ subject: String, _ read: (inout ASCIISubject) -> R
  ) -> R? {
    var text = subject
    return text.withUTF8 { b -> R? in
      for c in b where c >= 0x80 || c == Bytes.tab || c == Bytes.lf || c == Bytes.cr {
        return nil
      }
      var reader = ASCIISubject(bytes: b)
      return read(&reader)
    }
  }

  /// ``parse(_:)`` by characters, for any subject.
  static func parseText(_ subject: String) -> PatchSubject {
    var result = PatchSubject()
    // Work on Unicode scalars of a whitespace-normalised copy.
    var rest = Substring(
      subject.split(whereSeparator: { $0 == "\t" || $0 == "\n" || $0 == "\r" })
        .joined(separator: " ")
    ).trimmingASCIISpaces()
    var progress = LoopGuard()
    // `utf8.count` of a substring is O(1); `count` (characters) would make this quadratic.
    let total = rest.utf8.count
    while !rest.isEmpty, progress.advanced(to: total - rest.utf8.count) {
      if let after = replyPrefix(rest) {
        result.isReply = true
        rest = after.trimmingASCIISpaces()
        continue
      }
      if rest.first == "[", let close = rest.firstIndex(of: "]") {
        let inside = rest[rest.index(after: rest.startIndex)..<close]
        result.take(group: inside)
        rest = rest[rest.index(after: close)...].trimmingASCIISpaces()
        continue
      }
      break
    }
    result.title = String(rest)
    return result
  }

  /// The rest after a reply prefix (`Re:`, `RE :`, `Aw:`, `Fwd:`, `Re[2]:`), or nil.
  private static func replyPrefix(_ s: Substring) -> Substring? {
    for p in ["re", "aw", "fwd", "fw", "sv", "antw"] {
      guard s.utf8.count > p.utf8.count, Bytes.equalsIgnoringCase(s.prefix(p.count), p) else {
        continue
      }
      var r = s.dropFirst(p.count)
      // `Re[2]:` and `Re(2):` count replies.
      if let f = r.first, f == "[" || f == "(" {
        let close: Character = f == "[" ? "]" : ")"
        guard let c = r.firstIndex(of: close),
          r[r.index(after: r.startIndex)..<c].allSatisfy({ $0.isASCII && $0.isNumber })
        else { continue }
        r = r[r.index(after: c)...]
      }
      while r.first == " " { r = r.dropFirst() }
      if r.first == ":" { return r.dropFirst() }
    }
    return nil
  }

  /// Reads the words of one bracket group.
  private mutating func take(group: Substring) {
    let words = group.split(whereSeparator: { $0 == " " || $0 == "," })
    for w in words {
      tags.append(String(w))
      let lower = Bytes.asciiLowercased(w)
      if lower == "patch" || lower == "patches" {
        isPatch = true
      } else if lower == "rfc" {
        isRFC = true
      } else if lower == "resend" {
        isResend = true
      } else if let v = PatchSubject.versionNumber(lower) {
        version = v
        if lower.hasPrefix("patch") { isPatch = true }
        if lower.hasPrefix("rfc") { isRFC = true }
      } else if let (i, n) = PatchSubject.fraction(w), index == nil {
        index = i
        total = n
      } else if lower.hasPrefix("patch"), lower.count > 5 {
        // `PATCH-v2`, `PATCH_v2`
        let tail = lower.dropFirst(5).drop { $0 == "-" || $0 == "_" }
        if let v = PatchSubject.versionNumber(String(tail)) {
          version = v
          isPatch = true
        }
      }
    }
  }

  /// `v2`, `V3`, `PATCHv2`, `RFCv4` → the number.
  private static func versionNumber(_ lower: String) -> Int? {
    var s = Substring(lower)
    for p in ["patch", "rfc"] where s.hasPrefix(p) { s = s.dropFirst(p.count) }
    guard s.first == "v", s.count > 1 else { return nil }
    let digits = s.dropFirst()
    guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 4 else { return nil }
    return Int(digits)
  }

  /// `3/4`, `03/10` → (3, 4).
  private static func fraction(_ w: Substring) -> (Int, Int)? {
    let parts = w.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2,
      parts.allSatisfy({
        !$0.isEmpty && $0.count <= 5 && $0.allSatisfy { $0.isASCII && $0.isNumber }
      }),
      let i = Int(parts[0]), let n = Int(parts[1])
    else { return nil }
    return (i, n)
  }
}

/// ``PatchSubject/parse(_:)`` over the bytes of a one-line ASCII subject, where a byte is a
/// character: the same grammar, read without making substrings.
private struct ASCIISubject {
  let bytes: UnsafeBufferPointer<UInt8>
  var result = PatchSubject()
  /// Whether the bracket words are kept in `result.tags`.
  var keepsText = true

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  func text(_ r: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
  }

  /// `r` without leading and trailing spaces (the only blanks such a subject has).
  func trimmed(_ r: Range<Int>) -> Range<Int> {
    var lo = r.lowerBound
    var hi = r.upperBound
    while lo < hi, bytes[lo] == Bytes.space { lo += 1 }
    while hi > lo, bytes[hi - 1] == Bytes.space { hi -= 1 }
    return lo..<hi
  }

  mutating func parse() -> PatchSubject {
    result.title = text(titleRange(readingWords: true))
    return result
  }

  /// Where the title lies: after the reply prefixes and the bracket groups, trimmed. With
  /// `readingWords`, the words of each group are read into `result` on the way.
  mutating func titleRange(readingWords: Bool) -> Range<Int> {
    var rest = trimmed(0..<bytes.count)
    var progress = LoopGuard()
    while !rest.isEmpty, progress.advanced(to: rest.lowerBound) {
      if let after = replyPrefix(rest) {
        result.isReply = true
        rest = trimmed(after..<rest.upperBound)
        continue
      }
      if bytes[rest.lowerBound] == UInt8(ascii: "["),
        let close = Bytes.find(
          UInt8(ascii: "]"), in: bytes, from: rest.lowerBound, to: rest.upperBound)
      {
        if readingWords { take(group: (rest.lowerBound + 1)..<close) }
        rest = trimmed((close + 1)..<rest.upperBound)
        continue
      }
      break
    }
    return rest
  }

  /// The reply prefixes, lower case, without their colon.
  static let replyWords: [StaticString] = ["re", "aw", "fwd", "fw", "sv", "antw"]

  /// Where the text after a reply prefix (`Re:`, `RE :`, `Aw:`, `Fwd:`, `Re[2]:`) starts.
  func replyPrefix(_ s: Range<Int>) -> Int? {
    // Each prefix starts with `r`, `a`, `f` or `s`; most subjects start with `[`.
    guard let first = s.first else { return nil }
    switch Bytes.lower(bytes[first]) {
    case UInt8(ascii: "r"), UInt8(ascii: "a"), UInt8(ascii: "f"), UInt8(ascii: "s"): break
    default: return nil
    }
    for p in Self.replyWords {
      let n = p.utf8CodeUnitCount
      guard s.count > n, hasPrefix(s, p, at: 0) else { continue }
      var r = s.lowerBound + n
      if r < s.upperBound, bytes[r] == UInt8(ascii: "[") || bytes[r] == UInt8(ascii: "(") {
        let close = bytes[r] == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
        guard let c = Bytes.find(close, in: bytes, from: r, to: s.upperBound),
          bytes[(r + 1)..<c].allSatisfy(Bytes.isDigit)
        else { continue }
        r = c + 1
      }
      while r < s.upperBound, bytes[r] == Bytes.space { r += 1 }
      if r < s.upperBound, bytes[r] == Bytes.colon { return r + 1 }
    }
    return nil
  }

  /// The words of one bracket group, split at spaces and commas.
  mutating func take(group: Range<Int>) {
    var i = group.lowerBound
    while i < group.upperBound {
      while i < group.upperBound, bytes[i] == Bytes.space || bytes[i] == UInt8(ascii: ",") {
        i += 1
      }
      var j = i
      while j < group.upperBound, bytes[j] != Bytes.space, bytes[j] != UInt8(ascii: ",") {
        j += 1
      }
      if j > i { word(i..<j) }
      i = j
    }
  }

  mutating func word(_ w: Range<Int>) {
    if keepsText { result.tags.append(text(w)) }
    func equals(_ s: StaticString) -> Bool {
      w.count == s.utf8CodeUnitCount && hasPrefix(w, s, at: 0)
    }
    if equals("patch") || equals("patches") {
      result.isPatch = true
    } else if equals("rfc") {
      result.isRFC = true
    } else if equals("resend") {
      result.isResend = true
    } else if let v = version(w, from: 0) {
      result.version = v
      if hasPrefix(w, "patch", at: 0) { result.isPatch = true }
      if hasPrefix(w, "rfc", at: 0) { result.isRFC = true }
    } else if let (i, n) = fraction(w), result.index == nil {
      result.index = i
      result.total = n
    } else if hasPrefix(w, "patch", at: 0), w.count > 5 {
      // `PATCH-v2`, `PATCH_v2`
      var k = 5
      while k < w.count,
        bytes[w.lowerBound + k] == UInt8(ascii: "-")
          || bytes[w.lowerBound + k] == UInt8(ascii: "_")
      {
        k += 1
      }
      if let v = version(w, from: k) {
        result.version = v
        result.isPatch = true
      }
    }
  }

  /// True if the word `w`, lower-cased, has the (lower-case) `p` at offset `k`.
  func hasPrefix(_ w: Range<Int>, _ p: StaticString, at k: Int) -> Bool {
    let n = p.utf8CodeUnitCount
    guard w.count - k >= n else { return false }
    for j in 0..<n where Bytes.lower(bytes[w.lowerBound + k + j]) != p.utf8Start[j] {
      return false
    }
    return true
  }

  /// `v2`, `v3`, `patchv2`, `rfcv4` (any case, from offset `k` of `w` on) → the number.
  func version(_ w: Range<Int>, from k: Int) -> Int? {
    var s = k
    if hasPrefix(w, "patch", at: s) { s += 5 }
    if hasPrefix(w, "rfc", at: s) { s += 3 }
    guard s < w.count, Bytes.lower(bytes[w.lowerBound + s]) == UInt8(ascii: "v"), w.count - s > 1,
      w.count - s - 1 <= 4
    else { return nil }
    var v = 0
    for b in bytes[(w.lowerBound + s + 1)..<w.upperBound] {
      guard Bytes.isDigit(b) else { return nil }
      v = v * 10 + Int(b - 0x30)
    }
    return v
  }

  /// `3/4`, `03/10` → (3, 4).
  func fraction(_ w: Range<Int>) -> (Int, Int)? {
    guard let slash = Bytes.find(UInt8(ascii: "/"), in: bytes, from: w.lowerBound, to: w.upperBound)
    else { return nil }
    let a = w.lowerBound..<slash
    let b = (slash + 1)..<w.upperBound
    func number(_ r: Range<Int>) -> Int? {
      guard !r.isEmpty, r.count <= 5 else { return nil }
      var v = 0
      for k in r {
        guard Bytes.isDigit(bytes[k]) else { return nil }
        v = v * 10 + Int(bytes[k] - 0x30)
      }
      return v
    }
    guard let i = number(a), let n = number(b) else { return nil }
    return (i, n)
  }
}
