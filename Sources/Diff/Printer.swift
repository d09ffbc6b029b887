/// Printing: every element writes back the exact bytes it was parsed from, so
/// `parse(x).print() == x` for every input (the round-trip law).
extension UnifiedDiff {
  /// The patch text, byte for byte as parsed.
  public func print() -> String {
    var out = ""
    write(to: &out)
    return out
  }

  public var description: String { print() }

  /// Appends the patch text to `out`.
  public func write(to out: inout String) {
    for l in preamble { l.write(to: &out) }
    for f in files { f.write(to: &out) }
    for l in trailer { l.write(to: &out) }
  }
}

extension FilePatch: CustomStringConvertible {
  /// This file patch's text, byte for byte as parsed (its trailing stray text included).
  public func print() -> String {
    var out = ""
    write(to: &out)
    return out
  }

  public var description: String { print() }

  public func write(to out: inout String) {
    for h in headers {
      out += h.text
      out += h.ending.rawValue
    }
    for h in hunks { h.write(to: &out) }
    for l in trailing { l.write(to: &out) }
  }
}

extension Hunk: CustomStringConvertible {
  /// This hunk's text, byte for byte as parsed.
  public func print() -> String {
    var out = ""
    write(to: &out)
    return out
  }

  public var description: String { print() }

  public func write(to out: inout String) {
    out += headerText
    out += headerEnding.rawValue
    for l in lines {
      if !l.isBare { out.append(l.kind.rawValue) }
      out += l.text
      out += l.ending.rawValue
      if let n = l.noNewline { n.write(to: &out) }
    }
    for l in trailing { l.write(to: &out) }
  }
}

extension TextLine {
  func write(to out: inout String) {
    out += text
    out += ending.rawValue
  }
}
