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
    guard let python = Tools.which("python3") else { return }
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
