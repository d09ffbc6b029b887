import Diagnostics
import Mail

/// A reply draft as an RFC 5322 message that `git send-email`, `mutt -H` and `b4 send` take:
/// threading headers (`In-Reply-To`, `References`), To the author and Cc the original's
/// recipients, a fresh `Message-ID`, a `Date`, and a plain UTF-8 text body.
public struct ReplyMessage: Sendable {
  /// The fields in order, values already written (encoded, folded, cleaned).
  public var fields: [(name: String, value: String)]
  public var body: String
  /// The Message-ID answered.
  public var answers: String
  public var plan: ReplyPlan
  /// True when the reply has an error-level finding (and so no Reviewed-by).
  public var hasError: Bool

  /// Who writes, when, and the Message-ID the reply gets.
  public struct Envelope: Sendable {
    public var from: Mailbox
    public var date: MailDate
    public var messageID: String

    public init(from: Mailbox, date: MailDate, messageID: String) {
      self.from = from
      self.date = date
      self.messageID = messageID
    }
  }

  /// Composes the reply to `plan.message`: the body from the template `template` of
  /// `templates`, the headers from the message answered and `envelope`.
  public static func compose(
    _ plan: ReplyPlan, envelope: Envelope, signOff: Bool, templates: TemplateSet,
    template: String = "reply"
  ) throws(InputError) -> ReplyMessage {
    let model = ReplyComposer.model(plan, reviewer: envelope.from, signOff: signOff)
    var body = try templates.render(template, model)
    // Mail bodies end with exactly one newline, and carry no CR of their own.
    body = body.replacingOccurrences(of: "\r", with: "")
    while body.hasSuffix("\n\n") { body.removeLast() }
    if !body.hasSuffix("\n") { body += "\n" }
    let m = plan.message
    let answered = m.messageID ?? ""
    var references = m.references
    if references.isEmpty, let parent = m.inReplyTo { references = [parent] }
    if !answered.isEmpty { references.append(answered) }
    var seen = Set<String>()
    references = references.filter { seen.insert($0).inserted }

    let me = envelope.from.address.lowercased()
    let to = m.from.map { [$0] } ?? []
    var ccSeen = Set(to.map { $0.address.lowercased() } + [me])
    let cc = (m.to + m.cc).filter { ccSeen.insert($0.address.lowercased()).inserted }

    var fields: [(String, String)] = [
      ("From", MailHeaderWriter.mailbox(envelope.from))
    ]
    if !to.isEmpty { fields.append(("To", MailHeaderWriter.mailboxes(to))) }
    if !cc.isEmpty { fields.append(("Cc", MailHeaderWriter.mailboxes(cc))) }
    fields.append(("Subject", MailHeaderWriter.text(replySubject(m.subject ?? ""))))
    fields.append(("Date", ReplyDates.header(envelope.date)))
    fields.append(("Message-ID", MailHeaderWriter.messageID(envelope.messageID)))
    if !answered.isEmpty {
      fields.append(("In-Reply-To", MailHeaderWriter.messageID(answered)))
      fields.append(
        ("References", references.map(MailHeaderWriter.messageID).joined(separator: " ")))
    }
    fields.append(("MIME-Version", "1.0"))
    fields.append(("Content-Type", "text/plain; charset=utf-8"))
    fields.append(
      ("Content-Transfer-Encoding", body.utf8.allSatisfy { $0 < 0x80 } ? "7bit" : "8bit"))
    return ReplyMessage(
      fields: fields, body: body, answers: answered, plan: plan,
      hasError: plan.findings.contains { $0.severity == .error })
  }

  /// `Re: SUBJECT`, whatever `Re:`/`RE:`/`Aw:` prefixes (and brackets of list tags before them)
  /// the original already had, so the prefix is never doubled.
  public static func replySubject(_ subject: String) -> String {
    var s = Substring(MailHeaderWriter.collapse(subject))
    var progress = true
    while progress {
      progress = false
      for p in ["re:", "aw:", "sv:", "antw:"] where s.lowercased().hasPrefix(p) {
        s = s.dropFirst(p.count).drop { $0 == " " }
        progress = true
      }
    }
    return "Re: " + s
  }

  /// The message: header fields, a blank line, the body.
  public var rendered: String {
    var out = ""
    for (name, value) in fields { out += MailHeaderWriter.field(name, value) }
    return out + "\n" + body
  }

  /// Replies as an mbox (mboxrd: `From ` lines in bodies get one more `>`), each message
  /// after a `From ` line and followed by a blank line.
  public static func mbox(_ replies: [ReplyMessage]) -> String {
    var out = ""
    for r in replies {
      out += "From patchsite Thu Jan  1 00:00:00 1970\n"
      for line in r.rendered.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        let stripped = line.drop { $0 == ">" }
        out += (stripped.hasPrefix("From ") ? ">" : "") + line + "\n"
      }
      out += "\n"
    }
    return out
  }
}
