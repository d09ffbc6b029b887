import Testing

@testable import Mail

@Suite struct MailThreadsTests {
  func messages(_ specs: [(id: String?, irt: String?, refs: [String])]) throws -> [Message] {
    var text = ""
    for s in specs {
      text += "From a@b Mon Jan  2 03:04:05 2023\nFrom: a@b\nSubject: s\n"
      if let id = s.id { text += "Message-ID: <\(id)>\n" }
      if let irt = s.irt { text += "In-Reply-To: <\(irt)>\n" }
      if !s.refs.isEmpty {
        text += "References: " + s.refs.map { "<\($0)>" }.joined(separator: " ") + "\n"
      }
      text += "\nbody\n\n"
    }
    return try Fixture.parse(text).messages
  }

  @Test func threadsByInReplyToThenReferences() throws {
    let m = try messages([
      ("cover", nil, []),
      ("p1", "cover", ["cover"]),
      ("p2", "cover", ["cover"]),
      ("r1", "p1", ["cover", "p1"]),
      // In-Reply-To names a missing message: the last known References entry wins.
      ("r2", "gone", ["cover", "p2", "gone"]),
      // A reply to a message not in the input: an orphan root.
      ("o1", "elsewhere", ["elsewhere"]),
      ("o1-child", "o1", []),
      (nil, nil, []),
    ])
    let t = MailThreads.build(m)
    #expect(t.roots == [0, 5, 7])
    #expect(t.orphans == [5])
    #expect(t.parent(of: 1) == 0)
    #expect(t.parent(of: 4) == 2)
    #expect(t.parent(of: 0) == nil)
    #expect(t.children(of: 0) == [1, 2])
    #expect(t.children(of: 1) == [3])
    #expect(t.children(of: 5) == [6])
    #expect(t.root(of: 3) == 0)
    #expect(t.descendants(of: 0) == [0, 1, 3, 2, 4])
    #expect(t.index(ofMessageID: "p2") == 2)
    #expect(t.diagnostics.isEmpty)
    #expect(t.parent(of: 99) == nil && t.children(of: -1).isEmpty)
  }

  @Test func duplicatesAreReportedAndKept() throws {
    let m = try messages([("x", nil, []), ("x", nil, []), ("y", "x", [])])
    let t = MailThreads.build(m)
    #expect(t.diagnostics.map(\.id) == ["mail.duplicate-message-id"])
    #expect(t.diagnostics.first?.location == m[1].location)
    #expect(t.roots == [0, 1])
    #expect(t.parent(of: 2) == 0)
  }

  @Test func cyclesAndSelfReferencesDoNotLoop() throws {
    let m = try messages([("a", "b", []), ("b", "a", []), ("c", "c", ["c"])])
    let t = MailThreads.build(m)
    #expect(t.parent(of: 0) == 1)
    #expect(t.parent(of: 1) == nil)
    #expect(t.parent(of: 2) == nil)
    #expect(t.roots == [1, 2])
    #expect(t.root(of: 0) == 1)
  }
}

extension MailThreadsTests {
  @Test func longChainIsLinear() throws {
    var specs: [(id: String?, irt: String?, refs: [String])] = [("m0", nil, [])]
    for k in 1..<5_000 { specs.append(("m\(k)", "m\(k - 1)", [])) }
    let t = MailThreads.build(try messages(specs))
    #expect(t.roots == [0])
    #expect(t.root(of: 4_999) == 0)
    #expect(t.descendants(of: 0).count == 5_000)
  }
}
