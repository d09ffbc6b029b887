/// Moving a parsed diff's line numbers to where its lines really are in the input.
extension UnifiedDiff {
  /// The same diff with every recorded line number `n` replaced by `map(n)`.
  ///
  /// A mail body that was quoted-printable or base64 encoded is parsed as decoded text, whose
  /// line `n` is not input line `n`; the mail reader knows the mapping, and this applies it so
  /// diagnostics and findings point into the file the reviewer has.
  public func remappingLines(_ map: (Int) -> Int) -> UnifiedDiff {
    var d = self
    d.preamble = preamble.map { $0.remapped(map) }
    d.trailer = trailer.map { $0.remapped(map) }
    d.files = files.map { f in
      var f = f
      f.headers = f.headers.map { h in
        var h = h
        h.line = map(h.line)
        return h
      }
      f.trailing = f.trailing.map { $0.remapped(map) }
      f.malformedHunkLines = f.malformedHunkLines.map(map)
      f.hunks = f.hunks.map { h in
        var h = h
        h.line = map(h.line)
        h.trailing = h.trailing.map { $0.remapped(map) }
        h.lines = h.lines.map { l in
          var l = l
          l.line = map(l.line)
          l.noNewline = l.noNewline?.remapped(map)
          return l
        }
        return h
      }
      return f
    }
    return d
  }
}

extension TextLine {
  fileprivate func remapped(_ map: (Int) -> Int) -> TextLine {
    var t = self
    t.line = map(t.line)
    return t
  }
}
