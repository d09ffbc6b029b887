import Foundation

/// A small list archive written by the tests: a patch-site series in two versions (one patch
/// of v1 changes no watched file), replies to it, unrelated patches and replies (one quoting a
/// watched diff, one changing an arm64 file that shapes no callsite), a lone patch whose body
/// is base64, and damaged messages.
enum ScanArchive {
  struct Mail {
    var id: String?
    var text: String
  }

  /// A unified diff that adds one line to `path`.
  static func diff(_ path: String) -> String {
    """
    ---
     \(path) | 1 +
     1 file changed, 1 insertion(+)

    diff --git a/\(path) b/\(path)
    index 1111111..2222222 100644
    --- a/\(path)
    +++ b/\(path)
    @@ -10,3 +10,4 @@ context
     line one
     line two
    +/* scan fixture */
     line three
    -- 
    2.43.0

    """
  }

  static func message(
    _ id: String?, _ subject: String, _ date: String, replyTo: String? = nil,
    references: [String] = [], body: String, extraHeaders: [String] = []
  ) -> Mail {
    var h = ["From: Ada Author <ada@example.org>", "To: list@example.org", "Subject: \(subject)"]
    h.append("Date: \(date)")
    if let id { h.append("Message-ID: <\(id)>") }
    if let replyTo { h.append("In-Reply-To: <\(replyTo)>") }
    if !references.isEmpty {
      h.append("References: " + references.map { "<\($0)>" }.joined(separator: " "))
    }
    h += extraHeaders
    return Mail(id: id, text: h.joined(separator: "\n") + "\n\n" + body)
  }

  /// The messages in archive order.
  static var messages: [Mail] {
    let encoded = Data(
      ("The literal moves; the tracer follows.\n\nSigned-off-by: Ada <ada@example.org>\n"
        + diff("arch/arm64/kernel/ftrace.c")).utf8
    ).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
    return [
      message(
        "enc@example.org", "[PATCH] arm64: ftrace: an encoded patch",
        "Thu, 01 Feb 2024 09:00:00 +0000", body: encoded + "\n",
        extraHeaders: [
          "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
          "Content-Transfer-Encoding: base64",
        ]),
      message(
        "c1@example.org", "[PATCH 0/2] arm64: ftrace: scan fixture",
        "Fri, 01 Mar 2024 10:00:00 +0100", body: "Two patches.\n"),
      message(
        "p1@example.org", "[PATCH 1/2] arm64: ftrace: touch the trampoline",
        "Fri, 01 Mar 2024 10:00:01 +0100", replyTo: "c1@example.org",
        references: ["c1@example.org"],
        body: "Change the trampoline.\n" + diff("arch/arm64/kernel/entry-ftrace.S")),
      message(
        "p2@example.org", "[PATCH 2/2] docs: mention the trampoline",
        "Fri, 01 Mar 2024 10:00:02 +0100", replyTo: "c1@example.org",
        references: ["c1@example.org"], body: "Document it.\n" + diff("Documentation/ftrace.rst")),
      message(
        "n1@example.org", "[PATCH] net: tidy a driver", "Sat, 02 Mar 2024 08:00:00 +0000",
        body: "Tidy.\n" + diff("drivers/net/tidy.c")),
      message(
        "n2@example.org", "Re: [PATCH] net: tidy a driver", "Sat, 02 Mar 2024 09:00:00 +0000",
        replyTo: "n1@example.org", references: ["n1@example.org"],
        body: "Like this?\n\n> +++ b/arch/arm64/kernel/ftrace.c\n> @@ -1 +1 @@\n"),
      message(
        "r1@example.org", "Re: [PATCH 1/2] arm64: ftrace: touch the trampoline",
        "Sat, 02 Mar 2024 11:00:00 +0000", replyTo: "p1@example.org",
        references: ["c1@example.org", "p1@example.org"], body: "Does BTI still hold?\n"),
      message(
        "r2@example.org", "Re: [PATCH 1/2] arm64: ftrace: touch the trampoline",
        "Sat, 02 Mar 2024 12:00:00 +0000", replyTo: "r1@example.org", references: [],
        body: "Yes.\n\nReviewed-by: Bo Reviewer <bo@example.org>\n"),
      message(
        "a1@example.org", "[PATCH] arm64: mm: an unwatched file",
        "Sun, 03 Mar 2024 08:00:00 +0000", body: "Faults.\n" + diff("arch/arm64/mm/fault.c")),
      Mail(id: nil, text: "this is no mail at all, only words\n"),
      message(
        "c2@example.org", "[PATCH v2 0/1] arm64: ftrace: scan fixture",
        "Wed, 01 May 2024 10:00:00 +0000", body: "One patch now.\n"),
      message(
        "q1@example.org", "[PATCH v2 1/1] arm64: insn: a generator for the trampoline",
        "Wed, 01 May 2024 10:00:01 +0000", replyTo: "c2@example.org",
        references: ["c2@example.org"], body: "Generate it.\n" + diff("arch/arm64/lib/insn.c")),
      message(
        "bad@example.org", "[PATCH] arm64: ftrace: a broken encoding",
        "Thu, 02 May 2024 10:00:00 +0000", body: "!!!! not base64 ####\n",
        extraHeaders: ["Content-Transfer-Encoding: base64"]),
    ]
  }

  /// The messages as an mbox (mboxrd: no body line here starts with `From `).
  static var mbox: String {
    messages.map { "From mboxrd@z Thu Jan  1 00:00:00 1970\n" + $0.text + "\n" }.joined()
      + "From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: [PATCH] cut short\nFrom: x@example.org"
  }

  /// Writes the messages as a maildir under `dir` (half in cur/, half in new/).
  static func writeMaildir(_ dir: String) throws {
    let fm = FileManager.default
    for sub in ["cur", "new", "tmp"] {
      try fm.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
    }
    for (k, m) in messages.enumerated() {
      let file = "\(dir)/\(k % 2 == 0 ? "cur" : "new")/\(1_700_000_000 + k).M\(k).scan:2,S"
      try Data(m.text.utf8).write(to: URL(fileURLWithPath: file))
    }
  }
}
