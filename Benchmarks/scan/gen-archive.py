#!/usr/bin/env python3
"""Generate a list archive (mbox) of mixed mail for the `patchsite scan` benchmark.

Usage: gen-archive.py OUT SIZE_MB [SEED]

Deterministic (seeded). The archive is mostly mail that does not touch the patch-site:
patches to drivers, core code and arm64 files that shape no callsite (arch/arm64/mm,
kernel/smp.c…), replies quoting them, plain discussion; a tenth quoted-printable, one in
twenty base64. Every 25 MB or so, a copy of one of the project's example series
(Series/*/series.mbox, patch-site series with their replies) is woven in, with its
Message-IDs and subjects made unique, so the patch-site traffic is a small share of the
archive, as on a real list.

Fast: bodies come from a pool rendered once; each message only gets fresh headers.
"""
import base64, glob, os, quopri, random, re, sys

UNWATCHED = ["drivers/net/ethernet/acme/main.c", "drivers/gpu/drm/acme/acme_drv.c",
             "kernel/sched/fair.c", "mm/page_alloc.c", "fs/ext4/inode.c",
             "arch/arm64/mm/fault.c", "arch/arm64/kernel/smp.c", "arch/arm64/kvm/arm.c",
             "kernel/trace/ftrace.c", "Documentation/trace/ftrace.rst"]
WORDS = ("the a of to and in is for that this with on be by as it driver lock page fault "
         "queue memory register value return error path fix patch series version review "
         "commit change update handle case check").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def patch_body(rng):
    lines = [sentence(rng, 12) for _ in range(rng.randint(3, 10))]
    lines += ["", "Signed-off-by: Dev Eloper <dev@example.org>", "---"]
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(UNWATCHED)
        lines += [f"diff --git a/{path} b/{path}",
                  f"index {rng.getrandbits(40):010x}..{rng.getrandbits(40):010x} 100644",
                  f"--- a/{path}", f"+++ b/{path}"]
        for _ in range(rng.randint(1, 4)):
            n = rng.randint(6, 40)
            start = rng.randint(1, 3000)
            lines.append(f"@@ -{start},{n} +{start},{n} @@ static int acme_probe(struct device *dev)")
            for k in range(n):
                mark = "+" if k % 7 == 3 else ("-" if k % 7 == 4 else " ")
                lines.append(mark + "\t" + sentence(rng, rng.randint(2, 9)) + ";")
    lines += ["-- ", "2.43.0"]
    return "\n".join(lines) + "\n"


def reply_body(rng):
    lines = ["On Mon, Jan 9, 2023 at 1:58 PM Dev Eloper wrote:"]
    lines += ["> " + sentence(rng, 10) for _ in range(rng.randint(3, 30))]
    lines += ["", sentence(rng, 14), sentence(rng, 9), "", "Reviewed-by: Rev Iewer <rev@example.org>"]
    return "\n".join(lines) + "\n"


def talk_body(rng):
    return "\n\n".join(sentence(rng, rng.randint(20, 60)) for _ in range(rng.randint(1, 6))) + "\n"


def encode(rng, body):
    """A body as sent: mostly plain, some quoted-printable or base64 (headers, text)."""
    r = rng.random()
    if r < 0.10:
        return ("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                "Content-Transfer-Encoding: quoted-printable\n",
                quopri.encodestring(body.encode()).decode())
    if r < 0.15:
        return ("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                "Content-Transfer-Encoding: base64\n",
                base64.encodebytes(body.encode()).decode())
    return ("", body)


def series_copies(root):
    """The example series as texts, each message's 'From ' line kept."""
    out = []
    for path in sorted(glob.glob(os.path.join(root, "Series", "*", "series.mbox"))):
        with open(path, encoding="utf-8") as f:
            out.append(f.read())
    return out


def unique_copy(text, k):
    """One copy of a series with every <id@host> and every subject made unique."""
    text = re.sub(r"<([^<>@\s]+)@([^<>\s]+)>", lambda m: f"<{m.group(1)}.b{k}@{m.group(2)}>", text)
    text = re.sub(r"^(Subject: .*)$", lambda m: f"{m.group(1)} (copy {k})", text, flags=re.M)
    if not text.endswith("\n\n"):
        text += "\n" if text.endswith("\n") else "\n\n"
    return text


def main():
    out = sys.argv[1]
    target = int(float(sys.argv[2]) * 1024 * 1024)
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2026)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    pool = ([("p",) + encode(rng, patch_body(rng)) for _ in range(400)]
            + [("r",) + encode(rng, reply_body(rng)) for _ in range(300)]
            + [("t",) + encode(rng, talk_body(rng)) for _ in range(100)])
    weights = [0.45 / 400] * 400 + [0.45 / 300] * 300 + [0.10 / 100] * 100
    picks = rng.choices(range(len(pool)), weights=weights, k=4096)
    series = series_copies(root)
    every = 25 * 1024 * 1024
    n = size = copies = 0
    next_copy = every // 2
    buf = []
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        while size < target:
            n += 1
            kind, mime, body = pool[picks[n % len(picks)]]
            mid = f"<{n:09d}.{n * 2654435761 % 4294967296:08x}@bench.example.org>"
            day = 1 + n % 28
            hdr = (f"From dev{n % 89}@example.org Mon Jan  9 13:58:20 2023\n"
                   f"From: Dev Eloper {n % 89} <dev{n % 89}@example.org>\n"
                   f"To: list@example.org\nDate: Mon, {day} Jan 2024 13:{n % 60:02d}:{n * 7 % 60:02d} +0000\n"
                   f"Message-ID: {mid}\n")
            if kind == "p":
                hdr += f"Subject: [PATCH v{1 + n % 3} {1 + n % 5}/5] acme: {WORDS[n % len(WORDS)]} change {n}\n"
            elif kind == "r":
                parent = max(1, n - 1 - n % 50)
                hdr += (f"Subject: Re: [PATCH {1 + n % 5}/5] acme: change {parent}\n"
                        f"In-Reply-To: <{parent:09d}.{parent * 2654435761 % 4294967296:08x}@bench.example.org>\n")
            else:
                hdr += f"Subject: question about {WORDS[n % len(WORDS)]} {n}\n"
            msg = hdr + mime + "\n" + body + "\n"
            buf.append(msg)
            size += len(msg)
            if size >= next_copy and series:
                copy = unique_copy(series[copies % len(series)], copies)
                copies += 1
                buf.append(copy)
                size += len(copy.encode())
                next_copy += every
            if len(buf) >= 2048:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    print(f"{n} messages, {copies} patch-site series copies")


if __name__ == "__main__":
    main()
