#!/usr/bin/env python3
"""Generate a large mbox of patch mails for the ingestion benchmark.

Deterministic (seeded): the same size and seed give the same bytes. Messages are git-format-patch
style mails with RFC 2047 names, folded headers, quoted-printable and base64 bodies now and then,
multipart attachments, replies with quoted text, and body lines starting with "From " (quoted as
">From " the mboxrd way).
"""
import base64, quopri, random, sys

def main():
    out = sys.argv[1]
    target = int(float(sys.argv[2]) * 1024 * 1024) if len(sys.argv) > 2 else 200 * 1024 * 1024
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2026)
    names = ["Ada Reviewer", "Bo Maintainer", "=?UTF-8?q?Zo=C3=AB_Tracer?=", "=?iso-8859-1?q?J=F6rg_K=F6nig?=",
             "Mark Example", "=?UTF-8?B?5p2O5piO?="]
    words = ("arm64 ftrace callsite trampoline literal branch range module plt bti landing pad "
             "unwind frame record patch nop stop_machine ops direct call").split()
    files = ["arch/arm64/kernel/ftrace.c", "arch/arm64/kernel/entry-ftrace.S", "arch/arm64/Makefile",
             "arch/arm64/include/asm/ftrace.h", "kernel/trace/ftrace.c", "Documentation/trace/ftrace.rst"]
    n = 0
    size = 0
    with open(out, "w", newline="\n") as f:
        while size < target:
            n += 1
            sender = rng.choice(names)
            subj_words = " ".join(rng.choice(words) for _ in range(rng.randint(4, 14)))
            idx = rng.randint(1, 12)
            total = max(idx, rng.randint(1, 12))
            reply = rng.random() < 0.3
            subject = ("Re: " if reply else "") + f"[PATCH v{rng.randint(1, 9)} {idx}/{total}] arm64: ftrace: {subj_words}"
            body_lines = []
            if reply:
                body_lines.append("On Mon, Jan 9, 2023 at 1:58 PM someone wrote:")
                body_lines += ["> " + " ".join(rng.choice(words) for _ in range(10)) for _ in range(rng.randint(3, 20))]
                body_lines.append("")
                body_lines.append("From the point of view of the unwinder this is fine.")
                body_lines.append("")
                body_lines.append("Reviewed-by: Bo Maintainer <bo@example.org>")
            else:
                body_lines += [" ".join(rng.choice(words) for _ in range(12)) for _ in range(rng.randint(3, 12))]
                body_lines += ["", f"Signed-off-by: Ada Reviewer <ada@example.org>", "---"]
                for _ in range(rng.randint(1, 4)):
                    path = rng.choice(files)
                    body_lines.append(f"diff --git a/{path} b/{path}")
                    body_lines.append(f"index {rng.getrandbits(48):012x}..{rng.getrandbits(48):012x} 100644")
                    body_lines.append(f"--- a/{path}")
                    body_lines.append(f"+++ b/{path}")
                    for _ in range(rng.randint(1, 6)):
                        ctx = rng.randint(3, 30)
                        start = rng.randint(1, 2000)
                        body_lines.append(f"@@ -{start},{ctx} +{start},{ctx} @@ static int ftrace_modify_code(unsigned long pc)")
                        for _ in range(ctx):
                            body_lines.append(" \t" + " ".join(rng.choice(words) for _ in range(rng.randint(2, 9))))
                body_lines += ["-- ", "2.39.5"]
            body = "\n".join(body_lines) + "\n"
            headers = [
                f"From: {sender} <dev{n % 97}@example.org>",
                f"To: linux-arm-kernel@lists.infradead.org",
                f"Cc: Mark Example <mark@example.org>,\n Bo Maintainer <bo@example.org>,\n\tZo Example <zo@example.org>",
                f"Date: Mon, {1 + n % 28} Jan 2023 13:{n % 60:02d}:{(n * 7) % 60:02d} +0000",
                f"Subject: {subject}",
                f"Message-ID: <2023{n:010d}.{rng.getrandbits(32):08x}-{idx}-dev@example.org>",
            ]
            if reply:
                headers.append(f"In-Reply-To: <2023{max(1, n - 3):010d}.parent-{idx}-dev@example.org>")
            enc = rng.random()
            if enc < 0.1:
                headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
                            "Content-Transfer-Encoding: quoted-printable"]
                body = quopri.encodestring(body.encode()).decode()
            elif enc < 0.15:
                headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
                            "Content-Transfer-Encoding: base64"]
                body = base64.encodebytes(body.encode()).decode()
            elif enc < 0.2:
                headers += ["MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="=-=b' + str(n) + '=-="']
                body = (f"--=-=b{n}=-=\nContent-Type: text/plain; charset=us-ascii\n\nSee the attached patch.\n\n"
                        f"--=-=b{n}=-=\nContent-Type: text/x-patch; name=\"x.patch\"\nContent-Disposition: attachment; filename=\"x.patch\"\n\n"
                        + body + f"\n--=-=b{n}=-=--\n")
            # mboxrd quoting of From lines in the body
            qbody = "\n".join((">" + l) if l.lstrip(">").startswith("From ") else l for l in body.split("\n"))
            msg = f"From dev{n % 97}@example.org Mon Jan  9 13:58:20 2023\n" + "\n".join(headers) + "\n\n" + qbody
            if not msg.endswith("\n"):
                msg += "\n"
            msg += "\n"
            f.write(msg)
            size += len(msg.encode())
    print(n)

if __name__ == "__main__":
    main()
