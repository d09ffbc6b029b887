/// How `From ` lines inside message bodies were quoted when the mbox was written.
///
/// - `mboxrd`: the writer added one `>` to every line matching `>*From `; the reader removes
///   one `>` from every line matching `>+From `. This is what `git am`, b4 and lore use, and the
///   default.
/// - `mboxo`: the writer added `>` only to lines starting `From `; the reader removes it only
///   from `>From ` (a `>>From ` line stays as it is).
/// - `none`: leave every line as it is (maildir files, single messages).
public enum FromQuoting: String, Sendable, Hashable, CaseIterable {
  case mboxrd
  case mboxo
  case none

  /// Removes the quoting `>` from the lines of `bytes` that this style quoted. Lines keep their
  /// count, so line numbers are unchanged.
  public func unquote(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    if self == .none { return bytes }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    bytes.withUnsafeBufferPointer { buf in
      let n = buf.count
      var i = 0
      var progress = LoopGuard()
      while i < n, progress.advanced(to: i) {
        let end = Bytes.lineEnd(in: buf, from: i, to: n)
        let next = end < n ? end + 1 : n
        var skip = 0
        if buf[i] == UInt8(ascii: ">") {
          var j = i
          while j < end, buf[j] == UInt8(ascii: ">") { j += 1 }
          let depth = j - i
          if Bytes.hasPrefix(buf, at: j, to: end, "From "), self == .mboxrd || depth == 1 {
            skip = 1
          }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[(i + skip)..<next]))
        i = next
      }
    }
    return out[...]
  }
}

extension FromQuoting {
  /// Quotes `bytes` (a message without its separator line) for writing into an mbox in this
  /// style: `mboxrd` adds a `>` to every line matching `>*From `, `mboxo` to every line
  /// starting `From `. For `mboxrd`, `unquote(quote(x)) == x` for every `x`.
  public func quote(_ bytes: some Collection<UInt8>) -> [UInt8] {
    let input = Array(bytes)
    guard self != .none else { return input }
    var out: [UInt8] = []
    out.reserveCapacity(input.count + 16)
    input.withUnsafeBufferPointer { buf in
      let n = buf.count
      var i = 0
      var progress = LoopGuard()
      while i < n, progress.advanced(to: i) {
        let end = Bytes.lineEnd(in: buf, from: i, to: n)
        let next = end < n ? end + 1 : n
        var j = i
        if self == .mboxrd {
          while j < end, buf[j] == UInt8(ascii: ">") { j += 1 }
        }
        if Bytes.hasPrefix(buf, at: j, to: end, "From ") { out.append(UInt8(ascii: ">")) }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<next]))
        i = next
      }
    }
    return out
  }
}

/// Recognises mbox separator lines (`From sender date`).
enum FromLine {
  /// True if `buf[from..<to]` (one line, without its `\n`) is a separator.
  ///
  /// After a blank line (or at the start of the input) the line needs `From `, a sender token,
  /// and a date-ish rest: a time `h:mm` and a four-digit year, which fits `From addr asctime`,
  /// `From git@z Thu Jan  1 00:00:00 1970`, git's `From <sha> Mon Sep 17 00:00:00 2001` and
  /// RFC 5322 dates. After a non-blank line (`strict`: writers that omit the blank line
  /// between messages exist) the rest must be exactly asctime, `Www Mmm dd hh:mm:ss yyyy` with
  /// an optional zone, so prose such as "From the point of view of 10:30 in 2023" in an
  /// un-quoted mboxo body is not taken for a separator.
  static func isSeparator(
    _ buf: UnsafeBufferPointer<UInt8>, from: Int, to rawTo: Int, strict: Bool
  ) -> Bool {
    let to = Bytes.trimCR(buf, from: from, to: rawTo)
    guard Bytes.hasPrefix(buf, at: from, to: to, "From ") else { return false }
    var i = from + 5
    while i < to, Bytes.isWSP(buf[i]) { i += 1 }
    let tokenStart = i
    while i < to, !Bytes.isWSP(buf[i]) { i += 1 }
    guard i > tokenStart, i < to else { return false }
    while i < to, Bytes.isWSP(buf[i]) { i += 1 }
    let rest = i
    if strict { return isAsctime(UnsafeBufferPointer(rebasing: buf[rest..<to])) }
    var sawTime = false
    var sawYear = false
    var k = rest
    while k < to {
      if Bytes.isDigit(buf[k]) {
        var e = k
        while e < to, Bytes.isDigit(buf[e]) { e += 1 }
        let len = e - k
        if len == 4 { sawYear = true }
        if len <= 2, e + 2 < to, buf[e] == Bytes.colon, Bytes.isDigit(buf[e + 1]),
          Bytes.isDigit(buf[e + 2])
        {
          sawTime = true
        }
        k = e
      } else {
        k += 1
      }
    }
    return sawTime && sawYear
  }

  /// `Www Mmm dd hh:mm:ss yyyy` with an optional zone after it: the exact asctime shape.
  private static func isAsctime(_ rest: UnsafeBufferPointer<UInt8>) -> Bool {
    let words = rest.split(whereSeparator: { Bytes.isWSP($0) })
    guard words.count == 5 || words.count == 6 else { return false }
    let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    let months = [
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    func word(_ w: Slice<UnsafeBufferPointer<UInt8>>, in list: [String]) -> Bool {
      w.count == 3 && list.contains { Bytes.equalsLowercased(w, $0) }
    }
    func digits(_ w: Slice<UnsafeBufferPointer<UInt8>>, _ counts: ClosedRange<Int>) -> Bool {
      counts.contains(w.count) && w.allSatisfy(Bytes.isDigit)
    }
    let time = words[3].split(separator: Bytes.colon, omittingEmptySubsequences: false)
    return word(words[0], in: weekdays) && word(words[1], in: months)
      && digits(words[2], 1...2) && (time.count == 3 || time.count == 2)
      && time.allSatisfy { digits($0, 2...2) } && digits(words[4], 4...4)
  }
}
