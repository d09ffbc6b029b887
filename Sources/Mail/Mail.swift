/// The `Mail` module of Patchsite (see DESIGN.md §2): everything a reviewer feeds the tool as
/// mail, read without Foundation.
///
/// - Input: `MailInput.load(path:)` (mbox, maildir, folder of `*.patch`, single message, `-`)
///   and `MailInput.parse(bytes:name:)`; `MailReader` and `MboxSplitter` read incrementally.
/// - Messages: `Message` with decoded `HeaderField`s, `Mailbox`, `MailDate`, Message-IDs, and
///   a body decoded through MIME (`MimePart`, `MessageBody`), quoted-printable, base64 and
///   `Charset`s.
/// - Patch mail: `PatchSubject` (`[PATCH bpf-next v2 3/4]`), `Trailers`, `MailThreads`.
///
/// Damage that can be stepped over becomes a `Diagnostic` with a stable id and `file:line`:
/// `mail.truncated`, `mail.bad-header`, `mail.no-headers`, `mail.bad-encoded-word`,
/// `mail.unknown-charset`, `mail.bad-content-type`, `mail.mime-boundary`, `mail.mime-depth`,
/// `mail.unknown-encoding`, `mail.bad-base64`, `mail.not-mail` (text before the first
/// separator, a maildir file that is no mail), `mail.duplicate-message-id` (threading).
/// Input that cannot be read at all throws `InputError` (`mail.cannot-read`, `mail.not-mail`).
public enum MailModule {
  public static let name = "Mail"
}
