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
