/// What `reply.mustache` sees: the body of one reply, already cut into the quoted lines and
/// the comments that follow them. Every line is laid out (quotes with `> `, prose wrapped at
/// 72 columns); the raw values of each finding are there too for templates of one's own.
/// The README's "Templates" section lists the variables.
public struct ReplyModel: Sendable {
  public struct Paragraph: Sendable {
    /// The paragraph's lines, wrapped at 72 columns (evidence indented).
    let lines: [String]
    /// True for the first paragraph of a comment (no blank line before it).
    let first: Bool
  }

  public struct Comment: Sendable {
    let check: String
    let severity: String
    let title: String
    let message: String
    let explanation: String
    let state: String?
    /// True when the finding rests on assumptions, and the comment asks rather than states.
    let tentative: Bool
    /// The assumptions that only this finding makes (the ones every finding makes are in
    /// `sharedAssumptions`).
    let assumptions: [String]
    /// The evidence lines as printed, indented and wrapped.
    let evidence: [String]
    /// The comment as written: the point, the explanation, the evidence, the question.
    let paragraphs: [Paragraph]
  }

  public struct Section: Sendable {
    /// True when lines of the message were cut before this section (`[...]`).
    let cut: Bool
    /// The lines between the previous section and this one: a blank line after comments,
    /// and `[...]` (between blank lines) where lines were cut.
    let lead: [String]
    /// The quoted lines, each `> ` and a line of the answered message.
    let quote: [String]
    let hasQuote: Bool
    let comments: [Comment]
    let hasComments: Bool
  }

  /// `On Wed, Feb 01, 2023 at 05:34:19PM +0100, Name wrote:`, wrapped at 72 columns.
  let attribution: [String]
  /// The answered message's subject, author (`Name <addr>`) and Message-ID.
  let subject: String
  let author: String
  let messageId: String
  /// `v2 7/10`, `v6 0/5`, or nil for a message that is not a patch or cover letter.
  let patch: String?
  let sections: [Section]
  let hasFindings: Bool
  let errors: Int
  let warnings: Int
  let notes: Int
  /// What nothing was found to say, when there are no findings.
  let noFindings: [String]
  /// The assumptions every finding of the reply makes, as wrapped `- ` items, said once.
  let sharedAssumptions: [String]
  let hasSharedAssumptions: Bool
  /// `Name <addr>` when the reply offers a Reviewed-by (no error-level finding), else nil.
  let reviewedBy: String?
  /// The reviewer's name when `--sign-off` asks for a closing, else nil.
  let signOff: String?
}
