/// Path reading for `diff --git`, `---`/`+++`, rename/copy and `Binary files` lines, after git's
/// `apply.c` (`find_name`, `git_header_name`) with the default `-p1` strip.
enum PathParsing {
  /// Reads a C-quoted name (`"a/\303\251 x"`) at the start of `s`.
  /// - Returns: the unquoted name and the text after the closing quote, or nil if `s` does not
  ///   start with a well-formed quoted name.
  static func unquote(_ s: Substring) -> (name: String, rest: Substring)? {
    let u = Array(s.utf8)
    guard u.first == UInt8(ascii: "\"") else { return nil }
    var out: [UInt8] = []
    var i = 1
    while i < u.count {
      let c = u[i]
      if c == UInt8(ascii: "\"") {
        let rest = String(decoding: u[(i + 1)...], as: UTF8.self)
        return (String(decoding: out, as: UTF8.self), Substring(rest))
      }
      if c == UInt8(ascii: "\\") {
        guard i + 1 < u.count else { return nil }
        let e = u[i + 1]
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "a"): out.append(0x07)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "v"): out.append(0x0B)
        case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
        case UInt8(ascii: "0")...UInt8(ascii: "3"):
          guard i + 3 < u.count else { return nil }
          let d1 = u[i + 2]
          let d2 = u[i + 3]
          let octal = UInt8(ascii: "0")...UInt8(ascii: "7")
          guard octal.contains(d1), octal.contains(d2) else { return nil }
          out.append((e - 48) << 6 | (d1 - 48) << 3 | (d2 - 48))
          i += 4
          continue
        default: return nil
        }
        i += 2
        continue
      }
      out.append(c)
      i += 1
    }
    return nil
  }

  /// Drops the first path component (`a/`, `b/`, `linux.orig/`), as `-p1` does.
  static func stripFirstComponent(_ p: String) -> String {
    guard let slash = p.firstIndex(of: "/") else { return p }
    return String(p[p.index(after: slash)...])
  }

  /// The path of a `---`/`+++` line's value; nil for `/dev/null`.
  static func fileLinePath(_ value: Substring) -> String? {
    var name: String
    if let q = unquote(value) {
      name = q.name
    } else {
      var v = value
      if let tab = v.firstIndex(of: "\t") { v = v[..<tab] }
      while let last = v.last, last == " " || last == "\r" { v = v.dropLast() }
      name = String(v)
    }
    if name == "/dev/null" { return nil }
    name = stripFirstComponent(name)
    return name
  }

  /// A rename/copy header's path (no prefix to strip).
  static func plainPath(_ value: Substring) -> String {
    if let q = unquote(value) { return q.name }
    return String(value)
  }

  /// The two names of `diff --git a/x b/y`, with their first component stripped.
  ///
  /// Unquoted names with spaces are split where both halves name the same path (git does the
  /// same); a rename whose names contain spaces gives nil (its rename headers name the paths).
  static func gitPaths(_ value: Substring) -> (old: String?, new: String?) {
    if let q = unquote(value) {
      let rest = q.rest.drop { $0 == " " }
      if let q2 = unquote(rest) {
        return (stripFirstComponent(q.name), stripFirstComponent(q2.name))
      }
      return (stripFirstComponent(q.name), stripFirstComponent(String(rest)))
    }
    // `a/x "b/y"`: the second name quoted.
    if let quote = value.firstIndex(of: "\""), quote > value.startIndex,
      value[value.index(before: quote)] == " ", let q2 = unquote(value[quote...])
    {
      let first = value[..<value.index(before: quote)]
      return (stripFirstComponent(String(first)), stripFirstComponent(q2.name))
    }
    let spaces = value.indices.filter { value[$0] == " " }
    for s in spaces {
      let left = stripFirstComponent(String(value[..<s]))
      let right = stripFirstComponent(String(value[value.index(after: s)...]))
      if left == right { return (left, right) }
    }
    if spaces.count == 1, let s = spaces.first {
      return (
        stripFirstComponent(String(value[..<s])),
        stripFirstComponent(String(value[value.index(after: s)...]))
      )
    }
    return (nil, nil)
  }

  /// The names of `Binary files a/x and b/y differ` (the part between `Binary files ` and
  /// ` differ`); nil for `/dev/null`.
  static func binaryPaths(_ value: Substring) -> (old: String?, new: String?) {
    func path(_ s: Substring) -> String? {
      let name = unquote(s)?.name ?? String(s)
      return name == "/dev/null" ? nil : stripFirstComponent(name)
    }
    var candidates: [Range<Substring.Index>] = []
    var search = value.startIndex
    while let r = value[search...].range(of: " and ") {
      candidates.append(r)
      search = r.upperBound
    }
    // Prefer the split whose right side looks like a new name (`b/`, `/dev/null`, quoted).
    let best =
      candidates.first { r in
        let right = value[r.upperBound...]
        return right.hasPrefix("b/") || right.hasPrefix("/dev/null") || right.hasPrefix("\"")
      } ?? candidates.first
    guard let r = best else { return (nil, nil) }
    return (path(value[..<r.lowerBound]), path(value[r.upperBound...]))
  }
}

extension Substring {
  fileprivate func range(of needle: String) -> Range<Substring.Index>? {
    guard !needle.isEmpty else { return nil }
    var i = startIndex
    while i < endIndex {
      if self[i...].hasPrefix(needle) {
        return i..<index(i, offsetBy: needle.count)
      }
      i = index(after: i)
    }
    return nil
  }
}
