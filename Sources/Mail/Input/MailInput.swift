import Diagnostics

/// Messages read from one input, with the damage stepped over while reading them.
public struct MailCollection: Equatable, Sendable {
  public var messages: [Message]
  public var diagnostics: [Diagnostic]

  public init(messages: [Message] = [], diagnostics: [Diagnostic] = []) {
    self.messages = messages
    self.diagnostics = diagnostics
  }
}

/// Reads what a reviewer feeds the tool as mail: an mbox (mboxrd or mboxo), a maildir, a
/// folder of `git format-patch` files, a single RFC 5322 message, or `-` for stdin.
public enum MailInput {
  /// When message bodies are decoded.
  public enum BodyDecoding: Sendable, Hashable {
    /// Every body while reading; `Message.body` is free afterwards.
    case eager
    /// The default. While reading, only bodies whose decoding can find damage (multipart,
    /// quoted-printable, base64, an unknown charset or encoding); so the collection holds every
    /// body diagnostic (`mail.bad-base64`, `mail.mime-boundary`…), exactly as with `.eager`.
    /// A plain 7bit/8bit text body, which cannot be damaged, is turned into a `String` when
    /// `Message.body` is read (each time; `decodeBodyOnce()` keeps it).
    case checked
    /// On access: reading only cuts messages and decodes headers (the fastest way to scan an
    /// archive); `Message.decodeBody()` gives the body and its diagnostics later.
    case lazy
  }

  /// Reads `path`: `-` is stdin; a directory with `cur/` or `new/` is a maildir; another
  /// directory is read for its `*.patch` files in name order; a file is an mbox or a single
  /// message.
  /// - Throws: `mail.cannot-read` when the path cannot be read, `mail.not-mail` when it holds
  ///   no mail at all.
  public static func load(
    path: String, quoting: FromQuoting = .mboxrd, bodies: BodyDecoding = .checked
  ) throws(InputError) -> MailCollection {
    if path == "-" {
      let bytes = try FileSystem.readAll(fd: 0, sizeHint: 0, name: "<stdin>")
      return try parse(bytes: bytes, name: "<stdin>", quoting: quoting, bodies: bodies)
    }
    switch FileSystem.kind(of: path) {
    case nil:
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: path),
        "cannot read: \(FileSystem.errnoText())")
    case .file?, .other?:
      let bytes = try FileSystem.read(path: path)
      return try parse(bytes: bytes, name: path, quoting: quoting, bodies: bodies)
    case .directory?:
      return try loadDirectory(path, quoting: quoting, bodies: bodies)
    }
  }

  private static func loadDirectory(
    _ path: String, quoting: FromQuoting, bodies: BodyDecoding
  ) throws(InputError) -> MailCollection {
    let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
    let names = try FileSystem.list(dir)
    var out = MailCollection()
    if names.contains("cur") || names.contains("new") {
      // A maildir: each file of cur/ and new/ is one message (tmp/ holds deliveries in
      // progress and is not read).
      for sub in ["cur", "new"] where names.contains(sub) {
        for name in try FileSystem.list("\(dir)/\(sub)") {
          let file = "\(dir)/\(sub)/\(name)"
          guard FileSystem.kind(of: file) == .file else { continue }
          let bytes = try FileSystem.read(path: file)
          appendSingle(bytes, name: file, bodies: bodies, to: &out)
        }
      }
      return out
    }
    let patches = names.filter { $0.hasSuffix(".patch") }
    guard !patches.isEmpty else {
      throw InputError(
        "mail.not-mail", at: SourceLocation(file: path),
        "directory is neither a maildir (cur/, new/) nor a folder of *.patch files")
    }
    for name in patches {
      let file = "\(dir)/\(name)"
      guard FileSystem.kind(of: file) == .file else { continue }
      let bytes = try FileSystem.read(path: file)
      do {
        let c = try parse(bytes: bytes, name: file, quoting: quoting, bodies: bodies)
        out.messages += c.messages
        out.diagnostics += c.diagnostics
      } catch {
        out.diagnostics.append(error.diagnostic)
      }
    }
    return out
  }

  /// One maildir file: a single message (a leading `From ` line, if any, is not part of it).
  static func appendSingle(
    _ bytes: [UInt8], name: String, bodies: BodyDecoding, to out: inout MailCollection
  ) {
    var raw = RawMessage(fromLine: nil, bytes: bytes, startLine: 1, hasQuotedFrom: false)
    bytes.withUnsafeBufferPointer { buf in
      let le = Bytes.lineEnd(in: buf, from: 0, to: buf.count)
      if FromLine.isSeparator(buf, from: 0, to: le, strict: false) {
        let next = min(le + 1, buf.count)
        raw = RawMessage(
          fromLine: Array(buf[0..<next]), bytes: bytes[next...], startLine: 2,
          hasQuotedFrom: false)
      }
    }
    let m = Message.read(
      raw, file: name, quoting: .none, bodies: bodies, diags: &out.diagnostics)
    if m.headers.isEmpty || !m.hasMailHeaders {
      out.diagnostics.append(
        Diagnostic(
          "mail.not-mail", .warning, at: SourceLocation(file: name, line: 1),
          "maildir file has no mail header block; skipped"))
      return
    }
    out.messages.append(m)
  }

  /// Reads an in-memory input (an mbox or a single message) named `name` in diagnostics.
  ///
  /// This is the benchmark's entry point: every message cut out, its headers decoded (and its
  /// body too with `.eager`).
  public static func parse(
    bytes: [UInt8], name: String, quoting: FromQuoting = .mboxrd, bodies: BodyDecoding = .checked
  ) throws(InputError) -> MailCollection {
    return try assemble(MboxSplitter.split(bytes), name: name, quoting: quoting, bodies: bodies)
  }

  static func assemble(
    _ split: [RawMessage], name: String, quoting: FromQuoting, bodies: BodyDecoding,
    threads: Int? = nil
  ) throws(InputError) -> MailCollection {
    let (messages, diagnostics) = try assemble(
      split, name: name, quoting: quoting, bodies: bodies, threads: threads
    ) { $0 }
    return MailCollection(messages: messages, diagnostics: diagnostics)
  }

  /// Reads the messages cut out of an input, each turned into `map(message)` on the thread
  /// that read it (so only the results outlive the reading), in input order.
  static func assemble<T: Sendable>(
    _ split: [RawMessage], name: String, quoting: FromQuoting, bodies: BodyDecoding,
    threads: Int? = nil, map: @escaping @Sendable (Message) -> T
  ) throws(InputError) -> ([T], [Diagnostic]) {
    guard let only = split.first else {
      throw InputError(
        "mail.not-mail", at: SourceLocation(file: name, line: 1), "empty input: no message")
    }
    var raws = split
    // An input that does not start with a separator is one message. When that message is no
    // mail but separators follow (prose or junk before an mbox), read it as an mbox after all.
    if split.count == 1, only.fromLine == nil, !HeaderBlock.looksLikeMail(only.bytes) {
      let again = MboxSplitter.split(only.bytes, firstLine: only.startLine, forceMbox: true)
      if again.contains(where: { $0.fromLine != nil }) { raws = again }
    }
    var out = Mapped<T>()
    out.items.reserveCapacity(raws.count)
    try read(
      raws[0..<1], isFirst: true, total: raws.count, name: name, quoting: quoting,
      bodies: bodies, map: map, into: &out)
    let rest = raws[1...]
    let workers = threads ?? ParallelRead.workerCount(messages: rest.count, bytes: totalBytes(raws))
    if workers > 1 {
      let total = raws.count
      let parts = ParallelRead.map(rest, workers: workers) { slice in
        var c = Mapped<T>()
        // Only the first message can throw (`isFirst`), so nothing is lost here.
        try? read(
          slice, isFirst: false, total: total, name: name, quoting: quoting, bodies: bodies,
          map: map, into: &c)
        return c
      }
      for part in parts {
        out.items += part.items
        out.diagnostics += part.diagnostics
      }
    } else {
      try read(
        rest, isFirst: false, total: raws.count, name: name, quoting: quoting, bodies: bodies,
        map: map, into: &out)
    }
    return (out.items, out.diagnostics)
  }

  /// Results and diagnostics of a run of messages.
  private struct Mapped<T: Sendable>: Sendable {
    var items: [T] = []
    var diagnostics: [Diagnostic] = []
  }

  private static func totalBytes(_ raws: [RawMessage]) -> Int {
    guard let f = raws.first, let l = raws.last else { return 0 }
    // Slices of one input: the distance spans them all; else a sum.
    if l.bytes.endIndex >= f.bytes.startIndex, l.bytes.endIndex - f.bytes.startIndex > 0 {
      return l.bytes.endIndex - f.bytes.startIndex
    }
    return raws.reduce(0) { $0 + $1.bytes.count }
  }

  /// Reads `raws` in order into `out`. `isFirst` marks the input's first message, the only
  /// one that may turn out to be no mail at all.
  private static func read<T: Sendable>(
    _ raws: ArraySlice<RawMessage>, isFirst: Bool, total: Int, name: String,
    quoting: FromQuoting, bodies: BodyDecoding, map: (Message) -> T, into out: inout Mapped<T>
  ) throws(InputError) {
    for raw in raws {
      var diags: [Diagnostic] = []
      let m = Message.read(
        raw, file: name, quoting: quoting, bodies: bodies, diags: &diags)
      if raw.fromLine == nil && isFirst && !m.hasMailHeaders {
        // Text before the first separator, or a file that is not mail at all.
        if total == 1 {
          throw InputError(
            "mail.not-mail", at: SourceLocation(file: name, line: 1),
            "not mail: no mbox separator and no mail header block")
        }
        out.diagnostics.append(
          Diagnostic(
            "mail.not-mail", .warning, at: SourceLocation(file: name, line: raw.startLine),
            "text before the first 'From ' separator is not a message; skipped"))
        continue
      }
      if m.headers.isEmpty {
        diags.append(
          Diagnostic(
            "mail.no-headers", .warning, at: m.location,
            "message has no header block; kept with its text as body"))
      }
      out.diagnostics += diags
      out.items.append(map(m))
    }
  }
}

/// Reads mail incrementally: feed chunks of an mbox (or single message), then `finish()`.
/// Gives the same collection as `MailInput.parse(bytes:name:)` over the whole input.
public struct MailReader: Sendable {
  private var splitter = MboxSplitter()
  private var raws: [RawMessage] = []
  public let name: String
  public let quoting: FromQuoting
  public let bodies: MailInput.BodyDecoding

  public init(
    name: String, quoting: FromQuoting = .mboxrd, bodies: MailInput.BodyDecoding = .checked
  ) {
    self.name = name
    self.quoting = quoting
    self.bodies = bodies
  }

  public mutating func feed(_ chunk: some Collection<UInt8>) {
    splitter.feed(chunk)
    raws += splitter.takeReady()
  }

  /// The messages of an mbox completed so far (each returned once), for reading a big archive
  /// without holding all of it. A single-message input gives nothing here: its one message
  /// comes from `finish()`.
  public mutating func takeMessages() -> MailCollection {
    // Only an mbox completes messages before the end, and each of them has its separator.
    guard let first = raws.first, first.fromLine != nil else { return MailCollection() }
    defer {
      raws = []
      tookAny = true
    }
    // Cannot throw: every message here has its separator.
    return
      (try? MailInput.assemble(raws, name: name, quoting: quoting, bodies: bodies))
      ?? MailCollection()
  }

  /// ``takeMessages()``, each message turned into `map(message)` as it is read; with
  /// `parallel`, runs of messages are read on several threads (the order is kept).
  public mutating func takeMessages<T: Sendable>(
    parallel: Bool, map: @escaping @Sendable (Message) -> T
  ) -> ([T], [Diagnostic]) {
    guard let first = raws.first, first.fromLine != nil else { return ([], []) }
    defer {
      raws = []
      tookAny = true
    }
    let threads = parallel ? ParallelRead.workerCount(messages: raws.count) : 1
    return
      (try? MailInput.assemble(
        raws, name: name, quoting: quoting, bodies: bodies, threads: threads, map: map))
      ?? ([], [])
  }

  /// The messages of an mbox completed so far (each returned once), as work that reads them
  /// on several threads and turns each into `map(message)`, to be run on another thread than
  /// the one feeding the reader; nil when none was completed.
  public mutating func takeMessagesLater<T: Sendable>(
    map: @escaping @Sendable (Message) -> T
  ) -> (@Sendable () -> ([T], [Diagnostic]))? {
    guard let first = raws.first, first.fromLine != nil else { return nil }
    let cut = raws
    raws = []
    tookAny = true
    let (name, quoting, bodies) = (self.name, self.quoting, self.bodies)
    return {
      let threads = ParallelRead.workerCount(messages: cut.count)
      return
        (try? MailInput.assemble(
          cut, name: name, quoting: quoting, bodies: bodies, threads: threads, map: map))
        ?? ([], [])
    }
  }

  /// ``finish()``, each message turned into `map(message)`.
  public mutating func finish<T: Sendable>(
    parallel: Bool, map: @escaping @Sendable (Message) -> T
  ) throws(InputError) -> ([T], [Diagnostic]) {
    raws += splitter.finish()
    defer { raws = [] }
    if raws.isEmpty && tookAny { return ([], []) }
    let threads = parallel ? ParallelRead.workerCount(messages: raws.count) : 1
    return try MailInput.assemble(
      raws, name: name, quoting: quoting, bodies: bodies, threads: threads, map: map)
  }

  /// Ends the input: the messages not yet taken.
  /// - Throws: `mail.not-mail` when the whole input held no mail (nothing was taken).
  public mutating func finish() throws(InputError) -> MailCollection {
    raws += splitter.finish()
    defer { raws = [] }
    if raws.isEmpty && tookAny { return MailCollection() }
    return try MailInput.assemble(raws, name: name, quoting: quoting, bodies: bodies)
  }

  private var tookAny = false
}
