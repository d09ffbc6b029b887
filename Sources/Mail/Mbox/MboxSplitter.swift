/// Cuts an mbox into messages incrementally: feed it chunks of any size, then `finish()`.
///
/// Feeding a file whole, byte by byte or in random chunks gives the same messages. The first
/// non-blank line decides what the input is: a separator (a `From ` line that
/// `FromLine.isSeparator` accepts) makes it an mbox, cut at every later separator; anything
/// else makes it a single message (an `.eml`, a maildir file, a b4 check on stdin) that is never
/// cut, whatever `From ` lines its body holds. Leading blank lines belong to no message.
///
/// ```
/// var splitter = MboxSplitter()
/// splitter.feed(chunk1)
/// splitter.feed(chunk2)
/// let messages = splitter.finish()
/// ```
public struct MboxSplitter: Sendable {
  private var core = SplitCore()
  private var buffer: [UInt8] = []
  private var ready: [RawMessage] = []

  public init() {}

  /// Adds bytes; complete messages become available through `takeReady()`.
  public mutating func feed(_ chunk: some Collection<UInt8>) {
    buffer.append(contentsOf: chunk)
    buffer.withUnsafeBufferPointer { core.process($0, final: false) }
    ready += core.takeCuts(copying: buffer)
    // Drop the bytes of messages already cut out, so the buffer holds one message at most.
    let consumed = core.msgStart
    if consumed > 0 {
      buffer.removeSubrange(0..<consumed)
      core.rebase(by: consumed)
    }
  }

  /// The messages completed so far (each returned once).
  public mutating func takeReady() -> [RawMessage] {
    defer { ready.removeAll(keepingCapacity: true) }
    return ready
  }

  /// Ends the input: returns every message not yet taken, including the last one (which may
  /// lack a trailing newline). The splitter is empty afterwards.
  public mutating func finish() -> [RawMessage] {
    buffer.withUnsafeBufferPointer { core.finish($0) }
    let out = ready + core.takeCuts(copying: buffer)
    self = MboxSplitter()
    return out
  }

  /// Splits a whole input in one pass; each message's `bytes` is a slice of `bytes` (no copy).
  public static func split(_ bytes: [UInt8]) -> [RawMessage] {
    split(bytes[...], firstLine: 1, forceMbox: false)
  }

  /// Splits `bytes`, whose first line is input line `firstLine`. With `forceMbox`, the input
  /// is read as an mbox even when it does not start with a separator (the text before the
  /// first separator becomes a message without `fromLine`).
  static func split(_ bytes: ArraySlice<UInt8>, firstLine: Int, forceMbox: Bool) -> [RawMessage] {
    var core = SplitCore()
    core.line = firstLine
    core.msgStartLine = firstLine
    if forceMbox { core.single = false }
    bytes.withUnsafeBufferPointer { core.finish($0) }
    let base = bytes.startIndex
    return core.cuts.map { cut in
      RawMessage(
        fromLine: cut.fromLine,
        bytes: bytes[(base + cut.bytes.lowerBound)..<(base + cut.bytes.upperBound)],
        startLine: cut.startLine, hasQuotedFrom: cut.hasQuotedFrom,
        inputOffset: cut.bytes.lowerBound - (cut.fromLine?.count ?? 0))
    }
  }
}

/// The splitting state machine, working on indices into whichever buffer it is given.
private struct SplitCore: Sendable {
  /// A message found: where its bytes lie in the buffer being scanned.
  struct Cut: Sendable {
    var fromLine: [UInt8]?
    var bytes: Range<Int>
    var startLine: Int
    var hasQuotedFrom: Bool
  }

  var cuts: [Cut] = []
  /// Input bytes dropped from the front of the buffer so far (the buffer's offset in the input).
  var consumed = 0
  /// Start of the current message's bytes.
  var msgStart = 0
  var msgStartLine = 1
  var fromLine: [UInt8]? = nil
  var hasQuoted = false
  /// Start of the next line to look at, and where the search for its `\n` resumes.
  var scan = 0
  var searchFrom = 0
  /// The 1-based input line of the line starting at `scan`.
  var line = 1
  /// Whether the previous line was blank; true at the start of the input.
  var prevBlank = true
  /// nil until the first non-blank line: then false for an mbox (it is a separator) or true
  /// for a single message (it is not), which is never split.
  var single: Bool? = nil

  /// The messages found so far as fresh arrays (the buffer is about to be compacted).
  mutating func takeCuts(copying buffer: [UInt8]) -> [RawMessage] {
    defer { cuts.removeAll(keepingCapacity: true) }
    return cuts.map { cut in
      RawMessage(
        fromLine: cut.fromLine, bytes: Array(buffer[cut.bytes]), startLine: cut.startLine,
        hasQuotedFrom: cut.hasQuotedFrom,
        inputOffset: consumed + cut.bytes.lowerBound - (cut.fromLine?.count ?? 0))
    }
  }

  mutating func rebase(by n: Int) {
    consumed += n
    msgStart -= n
    scan -= n
    searchFrom -= n
  }

  mutating func process(_ buf: UnsafeBufferPointer<UInt8>, final: Bool) {
    let count = buf.count
    var progress = LoopGuard()
    while scan < count, progress.advanced(to: scan) {
      if single == true {
        // One message to the end: no line needs looking at.
        scan = count
        searchFrom = count
        break
      }
      if single == false {
        jump(buf, final: final)
        break
      }
      guard let nl = Bytes.findLF(in: buf, from: searchFrom, to: count) else {
        if final {
          handleLine(buf, scan, count)
          scan = count
        }
        searchFrom = count
        break
      }
      handleLine(buf, scan, nl)
      scan = nl + 1
      searchFrom = scan
      line += 1
    }
  }

  /// `process` once the input is known to be an mbox: only the lines holding an `F` matter
  /// (a separator starts with one, a quoted `>From ` holds one), so the scan jumps from one
  /// `F` to the next and counts the lines between them in bulk instead of visiting each.
  ///
  /// On return `scan` is a line start again (the last line not yet complete, when `final` is
  /// false), with `line` and `prevBlank` updated for it.
  private mutating func jump(_ buf: UnsafeBufferPointer<UInt8>, final: Bool) {
    let count = buf.count
    var at = scan
    var progress = LoopGuard()
    while at < count, progress.advanced(to: at) {
      guard let f = Bytes.find(UInt8(ascii: "F"), in: buf, from: at, to: count) else { break }
      at = f + 1
      if f == scan || buf[f - 1] == Bytes.lf {
        // An `F` at the start of a line: maybe a separator.
        guard Bytes.hasPrefix(buf, at: f, to: count, "From ") else {
          if count - f < 5, !final {
            // Too few bytes to tell: look at this line again with the next chunk.
            settle(buf, at: f)
            return
          }
          continue
        }
        let end: Int
        if let nl = Bytes.findLF(in: buf, from: f, to: count) {
          end = nl
        } else if final {
          end = count
        } else {
          settle(buf, at: f)
          return
        }
        let blankBefore = f == scan ? prevBlank : isBlankLine(buf, endingAt: f - 1)
        guard FromLine.isSeparator(buf, from: f, to: end, strict: !blankBefore) else { continue }
        line += Bytes.countLF(in: buf, from: scan, to: f)
        emit(buf, upTo: f)
        let next = end < count ? end + 1 : end
        fromLine = Array(UnsafeBufferPointer(rebasing: buf[f..<next]))
        msgStart = next
        msgStartLine = line + 1
        hasQuoted = false
        prevBlank = false
        scan = next
        searchFrom = next
        if end < count { line += 1 }
        at = next
      } else if !hasQuoted, buf[f - 1] == UInt8(ascii: ">") {
        // `>`…`From ` at the start of a line: a quoted separator.
        var j = f - 1
        while j > scan, buf[j - 1] == UInt8(ascii: ">") { j -= 1 }
        if (j == scan || buf[j - 1] == Bytes.lf), Bytes.hasPrefix(buf, at: f, to: count, "From ") {
          hasQuoted = true
        }
      }
    }
    if final {
      scan = count
      searchFrom = count
      return
    }
    // Every line up to the last `\n` has been looked at; the rest waits for more input.
    var last = count
    while last > scan, buf[last - 1] != Bytes.lf { last -= 1 }
    settle(buf, at: last)
  }

  /// Moves `scan` forward to the line start `to`, counting the lines passed over.
  private mutating func settle(_ buf: UnsafeBufferPointer<UInt8>, at to: Int) {
    if to > scan {
      line += Bytes.countLF(in: buf, from: scan, to: to)
      prevBlank = isBlankLine(buf, endingAt: to - 1)
      scan = to
    }
    searchFrom = scan
  }

  /// Whether the line whose `\n` is at `nl` (a line that starts at or after `scan`) is blank:
  /// empty or a lone `\r`.
  @inline(__always)
  private func isBlankLine(_ buf: UnsafeBufferPointer<UInt8>, endingAt nl: Int) -> Bool {
    if nl == scan || buf[nl - 1] == Bytes.lf { return true }
    return buf[nl - 1] == Bytes.cr && (nl - 1 == scan || buf[nl - 2] == Bytes.lf)
  }

  mutating func finish(_ buf: UnsafeBufferPointer<UInt8>) {
    process(buf, final: true)
    emit(buf, upTo: buf.count)
  }

  /// Looks at the line `buf[ls..<le]` (`le` is its `\n` or the end of the input).
  @inline(__always)
  private mutating func handleLine(_ buf: UnsafeBufferPointer<UInt8>, _ ls: Int, _ le: Int) {
    let first = ls < le ? buf[ls] : Bytes.lf
    if single == nil {
      if le == ls || (le == ls + 1 && first == Bytes.cr) { return }  // leading blank line
      if !(first == UInt8(ascii: "F")
        && FromLine.isSeparator(buf, from: ls, to: le, strict: false))
      {
        // Not an mbox: the input is one message, from this line to the end.
        single = true
        msgStart = ls
        msgStartLine = line
        return
      }
      single = false
    }
    if first == UInt8(ascii: "F"), FromLine.isSeparator(buf, from: ls, to: le, strict: !prevBlank) {
      emit(buf, upTo: ls)
      let next = le < buf.count ? le + 1 : le
      fromLine = Array(UnsafeBufferPointer(rebasing: buf[ls..<next]))
      msgStart = next
      msgStartLine = line + 1
      hasQuoted = false
      prevBlank = false
      return
    }
    if first == UInt8(ascii: ">"), !hasQuoted {
      var j = ls
      while j < le, buf[j] == UInt8(ascii: ">") { j += 1 }
      if Bytes.hasPrefix(buf, at: j, to: le, "From ") { hasQuoted = true }
    }
    prevBlank = le == ls || (le == ls + 1 && first == Bytes.cr)
  }

  /// Ends the current message at `end`. A blank run before the first separator is no message.
  private mutating func emit(_ buf: UnsafeBufferPointer<UInt8>, upTo end: Int) {
    let bytes = UnsafeBufferPointer(rebasing: buf[msgStart..<end])
    if fromLine == nil, bytes.allSatisfy({ $0 <= Bytes.space }) { return }
    cuts.append(
      Cut(
        fromLine: fromLine, bytes: msgStart..<end, startLine: msgStartLine, hasQuotedFrom: hasQuoted
      ))
    fromLine = nil
    hasQuoted = false
  }
}
