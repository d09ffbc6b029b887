import Diagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Messages read so far from an archive, handed over in batches so an archive of gigabytes
/// is read in constant memory: a batch is dropped before the next one is read.
public struct MailBatch: Sendable {
  public var messages: [Message]
  public var diagnostics: [Diagnostic]
  /// Bytes of the input read so far (all batches up to this one).
  public var bytesRead: Int

  public init(messages: [Message] = [], diagnostics: [Diagnostic] = [], bytesRead: Int = 0) {
    self.messages = messages
    self.diagnostics = diagnostics
    self.bytesRead = bytesRead
  }
}

/// Reads an mbox file or a maildir batch by batch, never holding more than one chunk of input
/// and the messages cut out of it: `MailInput.load` for archives too big to hold.
///
/// ```
/// try MailStream.read(path: "list.mbox") { batch in
///   for m in batch.messages { … }
/// }
/// ```
public enum MailStream {
  /// What an archive path is.
  public enum Kind: Sendable, Equatable {
    /// An mbox file (or a single message); `size` in bytes.
    case mbox(size: Int)
    /// A folder with `cur/` or `new/`.
    case maildir
    /// A folder that is neither (maybe a git repository: the caller decides).
    case otherDirectory
  }

  /// What `path` is.
  /// - Throws: `mail.cannot-read` when it does not exist or cannot be examined.
  public static func kind(of path: String) throws(InputError) -> Kind {
    var st = stat()
    guard stat(path, &st) == 0 else {
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: path),
        "cannot read: \(FileSystem.errnoText())")
    }
    if (st.st_mode & S_IFMT) == S_IFDIR {
      let cur = FileSystem.kind(of: "\(path)/cur") == .directory
      let new = FileSystem.kind(of: "\(path)/new") == .directory
      return cur || new ? .maildir : .otherDirectory
    }
    return .mbox(size: Int(st.st_size))
  }

  /// Reads the mbox file or maildir at `path`, giving `sink` the messages batch by batch, in
  /// input order for an mbox and in directory order for a maildir (not sorted: sorting would
  /// need every name at once).
  ///
  /// - Parameter chunkSize: how much of an mbox is read at a time.
  /// - Throws: `mail.cannot-read`; `mail.not-mail` for a file that holds no mail at all.
  public static func read(
    path: String, quoting: FromQuoting = .mboxrd, bodies: MailInput.BodyDecoding = .checked,
    chunkSize: Int = 4 << 20, _ sink: (MailBatch) -> Void
  ) throws(InputError) {
    switch try kind(of: path) {
    case .mbox:
      try readMbox(path, quoting: quoting, bodies: bodies, chunkSize: chunkSize, sink)
    case .maildir:
      try readMaildir(path, bodies: bodies, sink)
    case .otherDirectory:
      throw InputError(
        "mail.not-mail", at: SourceLocation(file: path),
        "directory is not a maildir (no cur/ or new/)")
    }
  }

  /// `message` read again from a fresh copy of its bytes, on the calling thread, with its body
  /// left to decode on use.
  ///
  /// For keeping a few messages of a large archive: a message as read shares memory with the
  /// batch it came in, allocated by whichever reading thread parsed it, and keeping it would pin
  /// that memory (the allocator's pages of that thread) for the rest of the run.
  public static func detached(_ message: Message, quoting: FromQuoting = .mboxrd) -> Message {
    let raw = RawMessage(
      fromLine: message.raw.fromLine.map { Array($0) }, bytes: Array(message.raw.bytes),
      startLine: message.raw.startLine, hasQuotedFrom: message.raw.hasQuotedFrom,
      inputOffset: message.raw.inputOffset)
    var diagnostics: [Diagnostic] = []
    return Message.read(
      raw, file: message.location.file, quoting: quoting, bodies: .lazy, diags: &diagnostics)
  }

  private static func readMbox(
    _ path: String, quoting: FromQuoting, bodies: MailInput.BodyDecoding, chunkSize: Int,
    _ sink: (MailBatch) -> Void
  ) throws(InputError) {
    var reader = MailReader(name: path, quoting: quoting, bodies: bodies)
    let total = try forEachChunk(of: path, chunkSize: chunkSize) { chunk, total in
      reader.feed(chunk)
      let taken = reader.takeMessages()
      if !taken.messages.isEmpty || !taken.diagnostics.isEmpty {
        sink(
          MailBatch(messages: taken.messages, diagnostics: taken.diagnostics, bytesRead: total))
      }
    }
    let rest = try reader.finish()
    sink(MailBatch(messages: rest.messages, diagnostics: rest.diagnostics, bytesRead: total))
  }

  /// Reads the file at `path` in chunks of `chunkSize` bytes, giving `body` each chunk and the
  /// bytes read so far; returns the size read.
  private static func forEachChunk(
    of path: String, chunkSize: Int, _ body: (ArraySlice<UInt8>, Int) -> Void
  ) throws(InputError) -> Int {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: path), "cannot open: \(FileSystem.errnoText())"
      )
    }
    defer { close(fd) }
    var chunk = [UInt8](repeating: 0, count: max(chunkSize, 1))
    var total = 0
    var progress = LoopGuard()
    while progress.advanced(to: total) {
      let n = chunk.withUnsafeMutableBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        while true {
          let r = Glibc_read(fd, base, raw.count)
          if r < 0 && errno == EINTR { continue }
          return r
        }
      }
      if n < 0 {
        throw InputError(
          "mail.cannot-read", at: SourceLocation(file: path),
          "cannot read: \(FileSystem.errnoText())")
      }
      if n == 0 { break }
      total += n
      body(chunk[0..<n], total)
    }
    return total
  }

  /// Reads the mbox file (or single message) at `path` chunk by chunk, turning each message
  /// into `map(message)` on the thread that reads it and giving `sink` the results in input
  /// order, with the diagnostics of reading and the bytes read so far. Only the results
  /// outlive a chunk: a reader of a large archive keeps what `map` keeps.
  ///
  /// With `parallel`, the messages of a chunk are read on several threads (every CPU, at most
  /// 8); the results and their order do not depend on it.
  ///
  /// - Throws: `mail.cannot-read`; `mail.not-mail` for a file that holds no mail at all.
  public static func read<T: Sendable>(
    mbox path: String, quoting: FromQuoting = .mboxrd,
    bodies: MailInput.BodyDecoding = .checked, chunkSize: Int = 4 << 20, parallel: Bool = true,
    map: @escaping @Sendable (Message) -> T,
    _ sink: (_ items: [T], _ diagnostics: [Diagnostic], _ bytesRead: Int) -> Void
  ) throws(InputError) {
    var reader = MailReader(name: path, quoting: quoting, bodies: bodies)
    // With `parallel`, the messages cut from one chunk are read on other threads while this one
    // reads and cuts the next chunk, and hands the results of the one before over.
    var pending: (work: Pending<([T], [Diagnostic])>, bytesRead: Int)? = nil
    func deliver() {
      guard let p = pending else { return }
      pending = nil
      let (items, diagnostics) = p.work.wait()
      if !items.isEmpty || !diagnostics.isEmpty { sink(items, diagnostics, p.bytesRead) }
    }
    let total = try forEachChunk(of: path, chunkSize: chunkSize) { chunk, total in
      reader.feed(chunk)
      guard parallel else {
        let (items, diagnostics) = reader.takeMessages(parallel: false, map: map)
        if !items.isEmpty || !diagnostics.isEmpty { sink(items, diagnostics, total) }
        return
      }
      let read = reader.takeMessagesLater(map: map)
      guard let read else { return }
      // Started before the previous chunk's results are waited for and handed over, so the
      // other cores are not idle meanwhile.
      let next = Pending(read)
      deliver()
      pending = (next, total)
    }
    deliver()
    let (items, diagnostics) = try reader.finish(parallel: parallel, map: map)
    sink(items, diagnostics, total)
  }

  /// A maildir's files, `cur/` then `new/`, each one message, in batches of about
  /// `batchBytes`.
  private static func readMaildir(
    _ path: String, bodies: MailInput.BodyDecoding, _ sink: (MailBatch) -> Void,
    batchBytes: Int = 4 << 20
  ) throws(InputError) {
    let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
    var batch = MailBatch()
    var pending = 0
    for sub in ["cur", "new"] where FileSystem.kind(of: "\(dir)/\(sub)") == .directory {
      try FileSystem.forEachName(in: "\(dir)/\(sub)") { (name) throws(InputError) in
        let file = "\(dir)/\(sub)/\(name)"
        guard FileSystem.kind(of: file) == .file else { return }
        let bytes = try FileSystem.read(path: file)
        var collection = MailCollection()
        MailInput.appendSingle(bytes, name: file, bodies: bodies, to: &collection)
        batch.messages += collection.messages
        batch.diagnostics += collection.diagnostics
        batch.bytesRead += bytes.count
        pending += bytes.count
        if pending >= batchBytes {
          sink(batch)
          batch.messages.removeAll(keepingCapacity: true)
          batch.diagnostics.removeAll(keepingCapacity: true)
          pending = 0
        }
      }
    }
    sink(batch)
  }
}

extension FileSystem {
  /// Calls `body` with each name in a directory (no `.` entries) as `readdir` gives them:
  /// unsorted, so a folder of any size is listed in constant memory.
  static func forEachName(
    in path: String, _ body: (String) throws(InputError) -> Void
  ) throws(InputError) {
    guard let dir = opendir(path) else {
      throw InputError(
        "mail.cannot-read", at: SourceLocation(file: path), "cannot list: \(errnoText())")
    }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if !name.hasPrefix(".") { try body(name) }
    }
  }
}

@inline(__always)
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
  read(fd, p, n)
}
