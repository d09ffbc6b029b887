import Foundation
import TestSupport
import Testing

@testable import Mail

/// Python's `email` package (policy.default) as an oracle for decoded Subject, From and Date.
@Suite struct PythonEmailOracleTests {
  /// A small script, written to a temporary file, that prints one JSON record per message.
  static let script = """
    import sys, email, email.policy, mailbox, json
    out = []
    for path in sys.argv[1:]:
        if path.endswith('.mbox'):
            msgs = [email.message_from_bytes(m.as_bytes(unixfrom=False), policy=email.policy.default)
                    for m in mailbox.mbox(path)]
        else:
            msgs = [email.message_from_binary_file(open(path, 'rb'), policy=email.policy.default)]
        for m in msgs:
            d = m['date']
            try:
                iso = d.datetime.isoformat() if d is not None and d.datetime else None
            except Exception:
                iso = None
            name, addr = None, None
            f = m['from']
            if f is not None and len(f.addresses) > 0:
                name, addr = (f.addresses[0].display_name or None), f.addresses[0].addr_spec
            s = m['subject']
            out.append([str(s) if s is not None else None, name, addr, iso])
    print(json.dumps(out))
    """

  @Test func headersMatchPythonEmail() throws {
    guard let python = Tools.oracle("python3") else { return }
    let dir = try Tools.makeTemporaryDirectory("pyoracle")
    defer { Tools.removeTemporaryDirectory(dir) }
    try Data(PythonEmailOracleTests.script.utf8).write(to: URL(fileURLWithPath: "\(dir)/o.py"))
    let inputs =
      [
        "mboxrd.mbox", "single.eml", "quoted-printable.eml", "base64.eml", "encoded-words.eml",
        "folded-headers.eml", "nested-multipart.eml",
      ].map(Fixture.path)
      + CorpusTests.files.map { "\(CorpusTests.directory)/\($0)" }
    let r = try Tools.run(python, ["\(dir)/o.py"] + inputs)
    #expect(r.status == 0, "\(r.stderr)")
    let records = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[Any]])
    var ours: [[String?]] = []
    for input in inputs {
      for m in try MailInput.load(path: input).messages {
        ours.append([m.subject, m.from?.name, m.from?.address, m.date?.iso8601])
      }
    }
    let theirs = records.map { $0.map { $0 as? String } }
    #expect(ours.count == theirs.count)
    for (o, t) in zip(ours, theirs) { #expect(o == t) }
    #expect(ours.count > 30)
  }
}

extension PythonEmailOracleTests {
  /// Generated dates in RFC 5322 and obsolete forms, against `email.utils.parsedate_to_datetime`.
  @Test func datesMatchPython() throws {
    guard let python = Tools.oracle("python3") else { return }
    var rng = SeededGenerator(seed: 2023)
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    let zones = [
      "+0000", "-0500", "+0530", "+1400", "-1200", "GMT", "UT", "EST", "EDT", "PDT", "CST",
    ]
    var dates: [String] = []
    for _ in 0..<300 {
      let d = Int.random(in: 1...28, using: &rng)
      let m = months[Int.random(in: 0..<12, using: &rng)]
      var y = Int.random(in: 1970...2037, using: &rng)
      let yearText: String
      switch Int.random(in: 0..<4, using: &rng) {
      case 0:
        y %= 100
        yearText = y < 10 ? "0\(y)" : "\(y)"
      default: yearText = "\(y)"
      }
      let hh = Int.random(in: 0...23, using: &rng)
      let mm = Int.random(in: 0...59, using: &rng)
      let ss = Int.random(in: 0...59, using: &rng)
      func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
      let time =
        Bool.random(using: &rng) ? "\(two(hh)):\(two(mm)):\(two(ss))" : "\(two(hh)):\(two(mm))"
      let zone = zones[Int.random(in: 0..<zones.count, using: &rng)]
      let weekday = Bool.random(using: &rng) ? days[Int.random(in: 0..<7, using: &rng)] + ", " : ""
      let space = Bool.random(using: &rng) ? " " : "  "
      dates.append("\(weekday)\(d)\(space)\(m) \(yearText) \(time) \(zone)")
    }
    let script = """
      import sys, json
      from email.utils import parsedate_to_datetime
      out = []
      for line in sys.stdin.read().split("\\n"):
          try:
              out.append(parsedate_to_datetime(line).isoformat())
          except Exception:
              out.append(None)
      print(json.dumps(out))
      """
    let r = try Tools.run(python, ["-c", script], stdin: Data(dates.joined(separator: "\n").utf8))
    #expect(r.status == 0, "\(r.stderr)")
    let theirs = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [Any])
    #expect(theirs.count == dates.count)
    for (date, t) in zip(dates, theirs) {
      #expect(MailDate.parse(date)?.iso8601 == t as? String, "\(date)")
    }
  }
}

extension PythonEmailOracleTests {
  /// Generated RFC 2047 header values (B and Q, UTF-8 and Latin-1, adjacent words, plain text
  /// around them) against Python's `email` header decoding.
  @Test func encodedWordsMatchPython() throws {
    guard let python = Tools.oracle("python3") else { return }
    var rng = SeededGenerator(seed: 2047)
    let pieces = ["café", "Müller", "naïve", "plain", "x", "Grüße", "€uro", "a b", "déjà vu"]
    var values: [String] = []
    var expectedLatin1: [Bool] = []
    for _ in 0..<200 {
      var parts: [String] = []
      let latin1 = Bool.random(using: &rng)
      for _ in 0..<Int.random(in: 1...4, using: &rng) {
        var text = pieces[Int.random(in: 0..<pieces.count, using: &rng)]
        if latin1 { text = text.replacingOccurrences("€", "E") }
        let bytes: [UInt8] = latin1 ? text.unicodeScalars.map { UInt8($0.value) } : Array(text.utf8)
        let charset = latin1 ? "iso-8859-1" : "utf-8"
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
          parts.append("=?\(charset)?B?\(Self.base64(bytes))?=")
        case 1:
          let q = bytes.map { b -> String in
            if b == 0x20 { return "_" }
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) {
              return String(UnicodeScalar(b))
            }
            return "=" + String(b, radix: 16, uppercase: true).leftPadded()
          }.joined()
          parts.append("=?\(charset)?Q?\(q)?=")
        default:
          parts.append(text.unicodeScalars.allSatisfy(\.isASCII) ? text : "plain")
        }
      }
      values.append(parts.joined(separator: " "))
      expectedLatin1.append(latin1)
    }
    let script = """
      import sys, json
      from email import message_from_string, policy
      out = []
      for line in sys.stdin.read().split("\\n"):
          m = message_from_string("Subject: " + line + "\\n\\n", policy=policy.default)
          out.append(str(m["subject"]))
      print(json.dumps(out))
      """
    let r = try Tools.run(python, ["-c", script], stdin: Data(values.joined(separator: "\n").utf8))
    #expect(r.status == 0, "\(r.stderr)")
    let theirs = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String])
    #expect(theirs.count == values.count)
    for (v, t) in zip(values, theirs) {
      let ours = try Fixture.parse("Subject: \(v)\n\nb\n").messages.first?.subject
      #expect(ours == t, "\(v)")
    }
  }

  static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}

extension String {
  fileprivate func leftPadded() -> String { count < 2 ? "0" + self : self }
}

extension PythonEmailOracleTests {
  /// The text parts (plain text and patches) against Python's `get_content()` of each leaf.
  @Test func textPartsMatchPython() throws {
    guard let python = Tools.oracle("python3") else { return }
    let files = [
      "quoted-printable.eml", "base64.eml", "nested-multipart.eml", "single.eml",
      "broken-boundary.eml", "encoded-words.eml", "folded-headers.eml",
    ]
    let script = """
      import sys, json, email, email.policy
      out = []
      for f in sys.argv[1:]:
          m = email.message_from_binary_file(open(f, 'rb'), policy=email.policy.default)
          out.append([p.get_content() for p in m.walk() if not p.is_multipart()
                      and p.get_content_type() in ('text/plain', 'text/x-patch', 'text/x-diff')])
      print(json.dumps(out))
      """
    let r = try Tools.run(python, ["-c", script] + files.map(Fixture.path))
    #expect(r.status == 0, "\(r.stderr)")
    let theirs = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String]])
    for (file, t) in zip(files, theirs) {
      let m = try #require(try MailInput.load(path: Fixture.path(file)).messages.first)
      #expect(m.parts.filter(\.isBodyText).compactMap(\.text) == t, "\(file)")
    }
    #expect(theirs.count == files.count)
  }
}
