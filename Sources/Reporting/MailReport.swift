import Mail

/// `patchsite mail`'s listing: one line per message (line, Message-ID, date, sender, subject),
/// tab-separated.
public enum MailReport {
  public static func text(_ messages: [Message]) -> String {
    var out = ""
    for m in messages {
      out += "\(m.location.line)\t<\(m.messageID ?? "")>\t\(m.date?.iso8601 ?? "-")\t"
      out += "\(m.from?.description ?? "-")\t\(m.subject ?? "")\n"
    }
    return out
  }

  /// `patchsite mail --count`: the number of messages, after decoding the headers a reviewer's
  /// tools read (subject, sender, date, Message-ID, threading), so a count costs what a real
  /// scan of an archive costs and a header that cannot be decoded is still reported.
  public static func count(_ messages: [Message]) -> String {
    var touched = 0
    for m in messages { touched &+= touch(m) }
    withExtendedLifetime(touched) {}
    return "\(messages.count)\n"
  }

  /// Reads the headers `count` decodes of one message (for a reader that counts a stream).
  @Sendable public static func touch(_ m: Message) -> Int {
    var touched = (m.subject?.utf8.count ?? 0) &+ (m.from?.address.utf8.count ?? 0)
    touched &+= (m.date?.epochSeconds ?? 0) &+ (m.messageID?.utf8.count ?? 0)
    touched &+= (m.inReplyTo?.utf8.count ?? 0) &+ m.references.count
    return touched
  }
}
