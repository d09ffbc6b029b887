/// A place in an input: a file (or a pseudo-name such as `<stdin>`), a 1-based line and column.
///
/// Lines and columns count from 1; a column of 0 means "the whole line", a line of 0 means
/// "the whole file". Every reader in Patchsite reports its problems with one of these, so that a
/// reviewer always sees `file:line: reason`.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int = 0, column: Int = 0) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`, `file:line` or `file`, omitting the parts that are 0.
  public var description: String {
    if line == 0 { return file }
    if column == 0 { return "\(file):\(line)" }
    return "\(file):\(line):\(column)"
  }

  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
  }

  /// The same file, another line (column cleared).
  public func at(line: Int, column: Int = 0) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column)
  }
}

/// A half-open range of locations in one file, for findings that cover several lines.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
  public var start: SourceLocation
  public var endLine: Int

  public init(start: SourceLocation, endLine: Int) {
    self.start = start
    self.endLine = max(endLine, start.line)
  }

  public var description: String {
    endLine > start.line ? "\(start)-\(endLine)" : start.description
  }
}
