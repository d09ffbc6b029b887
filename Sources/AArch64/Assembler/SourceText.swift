import Diagnostics

// The statement scanner: comments out, `;` and newlines split statements, labels peeled off.
// Works on UTF-8 bytes; columns are 1-based byte columns within the line.

/// One statement of the source after comment removal: labels are separate statements.
struct Statement: Sendable {
  enum Kind: UInt8, Sendable {
    /// `name:` (`start..<end` is the name).
    case label
    /// An instruction or directive: `start..<end` is the text, mnemonic first.
    case operation
  }

  var kind: Kind
  var line: Int32
  /// 1-based byte column of `start` within its line.
  var column: Int32
  var start: Int32
  var end: Int32
}

/// Bytes and statements of one source file.
struct SourceText: Sendable {
  /// The file's bytes with comments blanked to spaces (newlines kept), so columns stay exact.
  var bytes: [UInt8]
  /// Byte offset of the start of each line (line 1 at index 0).
  var lineStarts: [Int32]
  var statements: [Statement]
  let file: String

  init(file: String, text: consuming [UInt8]) throws(AssemblyError) {
    self.file = file
    var buffer = text
    var starts: [Int32] = [0]
    var found: [Statement] = []
    found.reserveCapacity(buffer.count / 16)
    try buffer.withUnsafeMutableBufferPointer { (p) throws(AssemblyError) in
      try SourceText.scan(p, file: file, statements: &found, lineStarts: &starts)
    }
    bytes = buffer
    lineStarts = starts
    statements = found
  }

  func location(line: Int32, column: Int32) -> SourceLocation {
    SourceLocation(file: file, line: Int(line), column: Int(column))
  }

  /// Bytes the scanner must look at: newline, `"`, `#`, `/`, `;`.
  static let special: [Bool] = (0..<256).map { [10, 0x22, 0x23, 0x2f, 0x3b].contains($0) }

  /// Blanks comments and splits statements.
  private static func scan(
    _ bytes: UnsafeMutableBufferPointer<UInt8>, file: String, statements: inout [Statement],
    lineStarts: inout [Int32]
  ) throws(AssemblyError) {
    func location(line: Int32, column: Int32) -> SourceLocation {
      SourceLocation(file: file, line: Int(line), column: Int(column))
    }
    let n = bytes.count
    var i = 0
    var line: Int32 = 1
    var lineStart = 0
    var stmtStart = 0
    var inString = false
    var stringStart = (line: Int32(1), col: Int32(1))
    var commentStart: (line: Int32, col: Int32)? = nil
    var progress = LoopProgress()
    let special = SourceText.special  // read once: each access to a static runs swift_once
    while i <= n, progress.advanced(to: i) {
      if i == n {
        if let c = commentStart {
          throw AssemblyError(
            "asm.syntax", at: location(line: c.line, column: c.col), "unterminated /* comment")
        }
        if inString {
          throw AssemblyError(
            "asm.syntax", at: location(line: stringStart.line, column: stringStart.col),
            "unterminated string")
        }
        addStatement(bytes, &statements, from: stmtStart, to: n, line: line, lineStart: lineStart)
        break
      }
      if commentStart == nil && !inString {
        // Skip ordinary bytes quickly: only \n " # / ; matter here ('#' only at line start).
        var k = i
        while k < n, !special[Int(bytes[k])] { k += 1 }
        if k > i {
          i = k
          continue
        }
      }
      let c = bytes[i]
      if commentStart != nil {
        if c == UInt8(ascii: "*"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
          bytes[i] = 32
          bytes[i + 1] = 32
          commentStart = nil
          i += 2
          continue
        }
        if c == 10 {
          line += 1
          lineStart = i + 1
          lineStarts.append(Int32(i + 1))
          stmtStart = i + 1
        } else {
          bytes[i] = 32
        }
        i += 1
        continue
      }
      if inString {
        if c == UInt8(ascii: "\\"), i + 1 < n, bytes[i + 1] != 10 {
          i += 2
          continue
        }
        if c == UInt8(ascii: "\"") { inString = false }
        if c == 10 {
          throw AssemblyError(
            "asm.syntax", at: location(line: stringStart.line, column: stringStart.col),
            "unterminated string")
        }
        i += 1
        continue
      }
      switch c {
      case 10:
        addStatement(bytes, &statements, from: stmtStart, to: i, line: line, lineStart: lineStart)
        line += 1
        lineStart = i + 1
        lineStarts.append(Int32(i + 1))
        stmtStart = i + 1
        i += 1
      case UInt8(ascii: ";"):
        addStatement(bytes, &statements, from: stmtStart, to: i, line: line, lineStart: lineStart)
        stmtStart = i + 1
        i += 1
      case UInt8(ascii: "\""):
        inString = true
        stringStart = (line, Int32(i - lineStart + 1))
        i += 1
      case UInt8(ascii: "/") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "/"):
        while i < n, bytes[i] != 10 {
          bytes[i] = 32
          i += 1
        }
      case UInt8(ascii: "/") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "*"):
        commentStart = (line, Int32(i - lineStart + 1))
        bytes[i] = 32
        bytes[i + 1] = 32
        i += 2
      case UInt8(ascii: "#") where i == lineStart:
        // A cpp line marker (`# 1 "file.S"`) or a whole-line comment.
        while i < n, bytes[i] != 10 {
          bytes[i] = 32
          i += 1
        }
      default:
        i += 1
      }
    }
  }

  /// Peels labels off `start..<end` and records what is left.
  private static func addStatement(
    _ bytes: UnsafeMutableBufferPointer<UInt8>, _ statements: inout [Statement], from start: Int,
    to end: Int, line: Int32, lineStart: Int
  ) {
    var s = start
    var progress = LoopProgress()
    while progress.advanced(to: s) {
      while s < end, isBlank(bytes[s]) { s += 1 }
      if s == end { return }
      // A label: identifier characters then ':'.
      var j = s
      while j < end, isSymbolChar(bytes[j]) { j += 1 }
      if j > s, j < end, bytes[j] == UInt8(ascii: ":") {
        statements.append(
          Statement(
            kind: .label, line: line, column: Int32(s - lineStart + 1), start: Int32(s),
            end: Int32(j)))
        s = j + 1
        continue
      }
      var e = end
      while e > s, isBlank(bytes[e - 1]) { e -= 1 }
      statements.append(
        Statement(
          kind: .operation, line: line, column: Int32(s - lineStart + 1), start: Int32(s),
          end: Int32(e)))
      return
    }
  }

  /// The column of byte `offset` on `line`.
  func column(of offset: Int, line: Int32) -> Int32 {
    let idx = Int(line) - 1
    guard idx >= 0, idx < lineStarts.count else { return 1 }
    return Int32(offset) - lineStarts[idx] + 1
  }

  func string(_ a: Int, _ b: Int) -> String {
    String(decoding: bytes[a..<b], as: UTF8.self)
  }
}

@inline(__always) func isBlank(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 12 }

@inline(__always) func isSymbolChar(_ c: UInt8) -> Bool {
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c == 46
    || c == 36
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

@inline(__always) func lower(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c | 0x20 : c }
