import ArgumentParser
import Diagnostics
import Foundation
import Git
import Mail
import PatchSeries
import Pipeline
import Reporting

/// `patchsite reply`: the review of a series as mailing-list replies a kernel reviewer can
/// send as they stand.
struct ReplyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reply",
    abstract: "Draft mailing-list replies to a series from its review.",
    discussion: """
      The series is reviewed as `patchsite review` does (same inputs, --tree, --repo and \
      --base), and each finding is put where a reviewer would put it: under the line of the \
      patch it is about, or under the listing of a layout sketched in a reply. The draft is \
      bottom-posted plain text: an attribution line, only the lines that matter quoted with \
      "> " ([...] where lines were cut), each comment right after its line, evidence as a \
      short indented block, prose wrapped at 72 columns. Where a finding rests on \
      assumptions, the comment asks instead of stating. Reviewed-by: is offered only when \
      the answered message has no error-level finding.

      Which message is answered: --message-id ID (with or without angle brackets; any \
      message of the input, a reply sketching layouts too), or --version N --patch K (K 0 \
      is the cover letter). With neither, every message with findings gets a reply and the \
      output is an mbox.

      The output is an RFC 5322 message (git send-email, mutt -H, b4 send take it): \
      Subject "Re: …" (never doubled), In-Reply-To and References that thread it, To the \
      author, Cc the original recipients, a fresh Message-ID and Date, \
      text/plain; charset=utf-8. Header values are cleaned so that a CR or LF in a name or \
      subject never starts a new header; non-ASCII text is RFC 2047 encoded. With \
      SOURCE_DATE_EPOCH set, the Date is that time and the Message-IDs depend only on the \
      messages answered (reproducible drafts).

      The body comes from the mustache template reply.mustache (and its partial \
      reply-comment.mustache) in Templates/: --template NAME picks another template (a name \
      or a path to a .mustache file), --templates DIR a folder that overrides Templates/, \
      as does PATCHSITE_TEMPLATES. The README lists every variable a template sees.

      --b4-review DIR also writes the drafts for `b4 review` in its agent-review layout: \
      DIR/.git/b4-review/<HEAD-sha>/ with identity.txt (--from), series.txt for the cover \
      letter and NNNN.txt per patch (a summary line, the note, then the patch's diff quoted \
      with "> " and the comments unquoted after their lines). DIR is the checkout of the \
      b4/review/… branch.

      Exit status: 0 when no answered message has an error-level finding, 1 when one has, \
      2 for bad input (an unknown Message-ID, a version or patch not in the input, a \
      missing or broken template: the message names it).

      Examples:
        patchsite reply Series/broken-ret-as-jump/series.mbox --tree Series/base \\
          --version 1 --patch 1 --from "Ada Reviewer <ada@example.org>" -o reply.eml
        patchsite reply thread.mbox --message-id '<20230201163420.1579014-8-x@y.org>' \\
          --from "Ada Reviewer <ada@example.org>" --sign-off
        patchsite reply thread.mbox --from "Ada <ada@example.org>" -o replies.mbox
        patchsite reply series.mbox --repo . --from "Ada <ada@example.org>" --b4-review .
      """
  )

  @OptionGroup var input: InputOptions

  @Option(
    parsing: .upToNextOption,
    help: "Assumed configuration values for the review, NAME=VALUE (y, n, m, numbers).")
  var config: [String] = []

  @Option(help: "Answer the message with this Message-ID (angle brackets optional).")
  var messageId: String?

  @Option(help: "Answer a patch of this version (with --patch).")
  var version: Int?

  @Option(help: "Answer patch K of --version (0 for the cover letter).")
  var patch: Int?

  @Option(
    help: ArgumentHelp(
      "The reviewer, \"Name <addr>\" (else $PATCHSITE_FROM).", valueName: "NAME <ADDR>"))
  var from: String?

  @Option(help: "The body template: a name in the templates folders, or a .mustache file.")
  var template: String = "reply"

  @Option(help: ArgumentHelp("A folder of templates that overrides Templates/.", valueName: "DIR"))
  var templates: String?

  @Flag(help: "End the reply with a closing and the reviewer's name.")
  var signOff = false

  @Option(name: .shortAndLong, help: "Write the draft (or mbox) to this file instead of stdout.")
  var output: String?

  @Option(
    help: ArgumentHelp(
      "Also write the drafts as b4 review files under DIR/.git/b4-review/<HEAD-sha>/.",
      valueName: "DIR"))
  var b4Review: String?

  func validate() throws {
    if input.inputs.isEmpty { throw ValidationError("give INPUT: the mbox, maildir or message") }
    if messageId != nil && (version != nil || patch != nil) {
      throw ValidationError("give either --message-id or --version N --patch K, not both")
    }
    if (version == nil) != (patch == nil) {
      throw ValidationError("--version and --patch go together (--patch 0 is the cover letter)")
    }
  }

  func run() throws {
    let reviewer = try identity()
    let (set, messages) = try input.source.loadWithMessages()
    guard !messages.isEmpty else {
      throw InputError(
        "reply.no-messages", at: SourceLocation(file: input.inputs.joined(separator: " ")),
        "unsupported: reply answers mail messages, and the input has none (a revision range "
          + "gives commits; give the series as an mbox or maildir)")
    }
    let report = ReviewPipeline.review(
      set: set, overrides: try LayoutCommand.parse(config: config))
    let extra = template.hasSuffix(".mustache") || template.contains("/") ? [template] : []
    let name =
      extra.isEmpty
      ? template
      : String(
        (URL(fileURLWithPath: template).lastPathComponent).dropLast(
          template.hasSuffix(".mustache") ? ".mustache".count : 0))
    let templateSet = try TemplateSet.standard(explicit: templates, extra: extra)

    let plans: [ReplyPlan]
    let single: Bool
    if let id = messageId {
      plans = [ReplyPlan.make(for: try message(id: id, in: messages), report: report)]
      single = true
    } else if let version, let patch {
      let id = try Self.messageID(version: version, patch: patch, in: set, file: file)
      plans = [ReplyPlan.make(for: try message(id: id, in: messages), report: report)]
      single = true
    } else {
      plans = messages.map { ReplyPlan.make(for: $0, report: report) }
        .filter { !$0.findings.isEmpty }
      single = false
    }
    // What the drafts leave out because the base tree has it too, said to the reviewer (not
    // in the mail): `patchsite review` lists those findings with "inBase": true.
    let carried = plans.reduce(0) { $0 + $1.carried }
    if carried > 0 {
      Console.error(
        "patchsite: note: \(carried) finding\(carried == 1 ? "" : "s") the base tree has as well "
          + "left out of the draft\(plans.count == 1 ? "" : "s") (patchsite review lists them)")
    }
    let fixed = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap { Int($0) }
    let now = fixed ?? Int(Date().timeIntervalSince1970)
    var replies: [ReplyMessage] = []
    for plan in plans {
      let envelope = ReplyMessage.Envelope(
        from: reviewer, date: ReplyDates.utc(epoch: now),
        messageID: Self.freshID(
          answering: plan.message.messageID ?? "", at: now, reproducible: fixed != nil,
          domain: reviewer.address))
      replies.append(
        try ReplyMessage.compose(
          plan, envelope: envelope, signOff: signOff, templates: templateSet, template: name))
    }
    if let dir = b4Review { try writeB4(replies, reviewer: reviewer, repository: dir) }
    if replies.isEmpty {
      Console.error("patchsite: no message of the input has findings: no reply to draft")
    } else {
      try Output.write(
        single ? replies[0].rendered : ReplyMessage.mbox(replies), to: output)
    }
    if replies.contains(where: \.hasError) { throw ExitCode(ExitStatus.findings) }
  }

  var file: String { input.inputs.first ?? "<input>" }

  /// `--from`, else `$PATCHSITE_FROM`.
  func identity() throws(InputError) -> Mailbox {
    let text = from ?? ProcessInfo.processInfo.environment["PATCHSITE_FROM"]
    guard let text, let m = Mailbox.parse(text), m.address.contains("@") else {
      throw InputError(
        "usage.no-identity", at: SourceLocation(file: "--from"),
        from == nil
          ? "a reply needs its author: give --from \"Name <addr>\" (or set PATCHSITE_FROM)"
          : "not a mailbox: \(from ?? "") (want \"Name <addr>\")")
    }
    return m
  }

  func message(id raw: String, in messages: [Message]) throws(InputError) -> Message {
    let id = raw.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
    guard let m = messages.first(where: { $0.messageID == id }) else {
      throw InputError(
        "reply.unknown-message-id", at: SourceLocation(file: file),
        "no message with Message-ID <\(id)> in the input (\(messages.count) messages)")
    }
    return m
  }

  /// The Message-ID of patch `patch` (0: the cover letter) of version `version`.
  static func messageID(version: Int, patch: Int, in set: SeriesSet, file: String)
    throws(InputError) -> String
  {
    let versions = set.versions.filter { $0.version == version }
    guard !versions.isEmpty else {
      let have = set.versions.map { "v\($0.version)" }.joined(separator: ", ")
      throw InputError(
        "reply.unknown-version", at: SourceLocation(file: file),
        "no version \(version) in the input (it has \(have.isEmpty ? "none" : have))")
    }
    for v in versions {
      if patch == 0, let id = v.cover?.messageID { return id }
      if let id = v.patches.first(where: { $0.index == patch })?.message.messageID { return id }
    }
    let have = versions.flatMap { v in (v.cover == nil ? [] : [0]) + v.patches.map(\.index) }
    throw InputError(
      "reply.unknown-patch", at: SourceLocation(file: file),
      "v\(version) has no \(patch == 0 ? "cover letter" : "patch \(patch)") with a Message-ID "
        + "in the input (it has \(have.isEmpty ? "none" : have.map(String.init).joined(separator: ", ")))"
    )
  }

  /// `patchsite.TIME.HASH@DOMAIN`: the hash of the answered id (and, unless reproducible, of
  /// random bits), the domain the reviewer's.
  static func freshID(answering id: String, at time: Int, reproducible: Bool, domain: String)
    -> String
  {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    var bytes = Array(id.utf8)
    if !reproducible {
      bytes += withUnsafeBytes(of: UInt64.random(in: 0...UInt64.max)) { Array($0) }
    }
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    let host = domain.split(separator: "@").last.map(String.init) ?? "localhost"
    return "patchsite.\(time).\(String(h, radix: 16))@\(host)"
  }

  func writeB4(_ replies: [ReplyMessage], reviewer: Mailbox, repository dir: String) throws {
    let repo: Repository
    let head: String
    do throws(GitError) {
      repo = try Repository.open(path: dir)
      head = try repo.revParse("HEAD").description
    } catch {
      throw error.inputError(at: SourceLocation(file: dir))
    }
    let written = try B4ReviewFiles.write(
      B4ReviewFiles.files(replies, reviewer: reviewer), gitDirectory: repo.gitDirectory,
      head: head)
    Console.error("patchsite: b4 review files in \(written)")
  }
}
