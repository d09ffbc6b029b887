import Diagnostics

/// Reply threads over a list of messages, by `Message-ID`, `In-Reply-To` and `References`.
///
/// A message's parent is the message named by its `In-Reply-To`, or failing that by the last
/// `References` entry that is present. A reply whose parent is absent is kept as a root and
/// listed in `orphans`. When two messages share a Message-ID, the first one is the one replies
/// attach to; the others are reported (`mail.duplicate-message-id`) and kept as ordinary
/// messages. Messages are named by their index in the array given to `build`.
public struct MailThreads: Equatable, Sendable {
  public private(set) var messageCount: Int
  private var parents: [Int?]
  private var childLists: [[Int]]
  /// Messages with no parent among the messages, in input order.
  public private(set) var roots: [Int]
  /// Roots that are replies to a message that is not there.
  public private(set) var orphans: [Int]
  public private(set) var diagnostics: [Diagnostic]
  private var byID: [String: Int]

  public static func build(_ messages: [Message]) -> MailThreads {
    build(links: messages.map(ThreadLinks.init))
  }

  /// Threads over what each message says of its place: for readers that keep these and not
  /// the messages (`patchsite series` on a large archive).
  public static func build(links: [ThreadLinks]) -> MailThreads {
    var t = MailThreads(
      messageCount: links.count, parents: Array(repeating: nil, count: links.count),
      childLists: Array(repeating: [], count: links.count), roots: [], orphans: [],
      diagnostics: [], byID: [:])
    t.byID.reserveCapacity(links.count)
    // By index: a `for` over the links would copy each one (its strings, its array) twice.
    for k in links.indices {
      guard let id = links[k].messageID else { continue }
      if let first = t.byID[id] {
        t.diagnostics.append(
          Diagnostic(
            "mail.duplicate-message-id", .warning, at: links[k].location,
            "Message-ID <\(id)> already used by the message at \(links[first].location)"))
      } else {
        t.byID[id] = k
      }
    }
    for k in links.indices {
      // The candidates: In-Reply-To, then References from the last.
      func usable(_ c: String) -> Int? {
        // A message without children cannot close a cycle, so the walk up is needed only for
        // the rare message that earlier messages already named as their parent.
        guard let p = t.byID[c], p != k, t.childLists[k].isEmpty || !t.isAncestor(k, of: p)
        else { return nil }
        return p
      }
      var parent = links[k].inReplyTo.flatMap(usable)
      if parent == nil {
        for c in links[k].references.reversed() {
          parent = usable(c)
          if parent != nil { break }
        }
      }
      if let parent {
        t.parents[k] = parent
        t.childLists[parent].append(k)
      } else {
        t.roots.append(k)
        if links[k].inReplyTo != nil || !links[k].references.isEmpty { t.orphans.append(k) }
      }
    }
    return t
  }

  /// True if `a` is `b` or one of its ancestors (guards against reference cycles).
  private func isAncestor(_ a: Int, of b: Int) -> Bool {
    var cur: Int? = b
    var steps = 0
    while let c = cur, steps <= messageCount {
      if c == a { return true }
      cur = parents[c]
      steps += 1
    }
    return false
  }

  public func parent(of index: Int) -> Int? {
    parents.indices.contains(index) ? parents[index] : nil
  }

  public func children(of index: Int) -> [Int] {
    childLists.indices.contains(index) ? childLists[index] : []
  }

  /// The index of the message with this Message-ID (the first one, for duplicates).
  public func index(ofMessageID id: String) -> Int? { byID[id] }

  /// The root of the thread `index` is in.
  public func root(of index: Int) -> Int {
    var cur = index
    var steps = 0
    while let p = parent(of: cur), steps <= messageCount {
      cur = p
      steps += 1
    }
    return cur
  }

  /// Every message of the thread under `index` (itself included), depth first, input order.
  public func descendants(of index: Int) -> [Int] {
    var out: [Int] = []
    var stack = [index]
    while let k = stack.popLast(), out.count <= messageCount {
      out.append(k)
      stack += children(of: k).reversed()
    }
    return out
  }
}

/// What a message says of its place in a thread: its Message-ID, the one it answers, its
/// References (oldest first), and where it is in the input.
public struct ThreadLinks: Equatable, Sendable {
  public var messageID: String?
  public var inReplyTo: String?
  public var references: [String]
  public var location: SourceLocation

  public init(
    messageID: String?, inReplyTo: String?, references: [String], location: SourceLocation
  ) {
    self.messageID = messageID
    self.inReplyTo = inReplyTo
    self.references = references
    self.location = location
  }

  /// The links of `m`: its `messageID`, `inReplyTo` and `references`, read in one pass over
  /// its header fields.
  public init(_ m: Message) {
    var id: String??
    var answers: String??
    var references: [String] = []
    for h in m.headers {
      // `Message-ID` and `References` have 10 letters, `In-Reply-To` 11.
      switch h.name.utf8.count {
      case 10:
        if h.isNamed("References") {
          references += MessageIDs.all(in: h.value)
        } else if id == nil, h.isNamed("Message-ID") {
          id = .some(MessageIDs.all(in: h.value).first)
        }
      case 11:
        if answers == nil, h.isNamed("In-Reply-To") {
          answers = .some(MessageIDs.all(in: h.value).first)
        }
      default: continue
      }
    }
    self.init(
      messageID: id ?? nil, inReplyTo: answers ?? nil, references: references,
      location: m.location)
  }
}
