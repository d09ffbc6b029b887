#!/usr/bin/env python3
"""Generates an AArch64 GNU-as file of N instructions that mixes every instruction class in the
proportions of the project's encoding vectors (Tests/AArch64Tests/Vectors/src/<class>.s, the
valid classes only): each round takes every vector line once, so a class with twice the vectors
has twice the lines. The vectors' absolute targets (`b 400010`, `ldr x0, 3ffff0`, `adr x1, 4fffff`)
become numeric local labels (`1b`/`1f`, alternating) so that GNU as, llvm-mc and patchsite all
assemble the file as it stands. A `1:` label follows every 16th instruction.

Usage: gen-mix.py N [VECTOR_SRC_DIR] > file.s"""
import os
import re
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "../../Tests/AArch64Tests/Vectors/src")
classes = ["atomics", "branches", "dp-immediate", "dp-register", "hints", "loadstore", "system"]

address = re.compile(r"^[0-9a-f]{5,}$")
lines = []
for c in classes:
    with open(os.path.join(src, c + ".s")) as f:
        for raw in f:
            line = raw.split("//")[0].rstrip()
            if not line.strip() or line.lstrip().startswith(("#", ".")) or line.endswith(":"):
                continue
            lines.append(line)

out = ["\t.text", "1:"]
count = 0
turn = 0
while count < n:
    for line in lines:
        if count >= n:
            break
        mnemonic, _, rest = line.strip().partition("\t")
        ops = [o.strip() for o in rest.split(",")] if rest else []
        if ops and address.match(ops[-1]):
            ops[-1] = "1b" if turn % 2 == 0 else "1f"
            turn += 1
        out.append("\t" + mnemonic + ("\t" + ", ".join(ops) if ops else ""))
        count += 1
        if count % 16 == 0:
            out.append("1:")
out.append("1:")
sys.stdout.write("\n".join(out) + "\n")
