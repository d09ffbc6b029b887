import ArgumentParser
import Diagnostics
import Mail
import Reporting

/// `patchsite mail`: the messages an input holds, one line each — a quick look at how a mailbox
/// was read, before any series is assembled.
struct MailCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mail",
    abstract: "List the messages of an mbox, maildir, .patch folder or message, one per line.",
    discussion: """
      Each line: the input line where the message starts, its Message-ID, its date (ISO 8601), \
      its sender and its subject, tab-separated, with RFC 2047 words decoded. Problems found \
      while reading (a broken MIME boundary, an unknown charset, a truncated message) follow as \
      `file:line: severity: message [id]` on stderr.

      --count prints only the number of messages (headers are still read and decoded; bodies are \
      left undecoded, which is how archives are scanned quickly).
      """
  )

  @Argument(help: "Mbox, maildir, folder of .patch files, message, or '-' for stdin.")
  var input: String

  @Flag(help: "Print only the number of messages.")
  var count = false

  @Option(help: "How '>From ' lines in bodies are un-quoted: mboxrd (default) or mboxo.")
  var quoting: Quoting = .mboxrd

  enum Quoting: String, ExpressibleByArgument, CaseIterable { case mboxrd, mboxo }

  func run() throws {
    let q: FromQuoting = quoting == .mboxrd ? .mboxrd : .mboxo
    if count, input != "-", case .mbox? = try? MailStream.kind(of: input) {
      // Counted as a stream, so an archive of gigabytes is counted in the memory of a chunk.
      var n = 0
      var touched = 0
      var diagnostics: [Diagnostic] = []
      try MailStream.read(mbox: input, quoting: q, bodies: .lazy, map: MailReport.touch) {
        items, found, _ in
        n += items.count
        for t in items { touched &+= t }
        diagnostics += found
      }
      withExtendedLifetime(touched) {}
      Console.write("\(n)\n", fd: 1)
      for d in diagnostics { Console.error(d.description) }
      if diagnostics.contains(where: { $0.severity == .error }) {
        throw ExitCode(ExitStatus.findings)
      }
      return
    }
    let mail = try MailInput.load(path: input, quoting: q, bodies: count ? .lazy : .eager)
    Console.write(count ? MailReport.count(mail.messages) : MailReport.text(mail.messages), fd: 1)
    for d in mail.diagnostics { Console.error(d.description) }
    if mail.diagnostics.contains(where: { $0.severity == .error }) {
      throw ExitCode(ExitStatus.findings)
    }
  }
}
