#!/usr/bin/env python3
"""Generates a realistic AArch64 GNU-as file of N instructions (seeded): function prologues and
epilogues, loads/stores, arithmetic, logic, moves, compares with conditional branches to local
and numeric labels in both directions, calls to external symbols, adrp + :lo12: pairs, barriers
and hints. Usage: gen.py N SEED > file.s"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
out = []
emit = out.append
X = [f"x{i}" for i in range(29)]
W = [f"w{i}" for i in range(29)]
conds = ["eq", "ne", "hs", "lo", "mi", "pl", "hi", "ls", "ge", "lt", "gt", "le"]
emit("\t.text")
count = 0
func = 0
while count < n:
    func += 1
    name = f"f{func}"
    emit(f"\t.globl\t{name}\n\t.type\t{name}, %function\n\t.p2align\t2\n{name}:")
    body = [
        "\tbti\tc",
        "\tpaciasp",
        "\tstp\tx29, x30, [sp, #-32]!",
        "\tmov\tx29, sp",
        "\tstr\tx19, [sp, #16]",
    ]
    length = rng.randint(20, 60)
    for k in range(length):
        r = rng.random()
        a, b, c = rng.choice(X), rng.choice(X), rng.choice(X)
        wa, wb = rng.choice(W), rng.choice(W)
        if r < 0.14:
            body.append(f"\tldr\t{a}, [{b}, #{8 * rng.randint(0, 64)}]")
        elif r < 0.22:
            body.append(f"\tstr\t{wa}, [{b}, #{4 * rng.randint(0, 64)}]")
        elif r < 0.27:
            b2 = rng.choice([x for x in X if x != a])
            body.append(f"\tldp\t{a}, {b2}, [sp, #{16 * rng.randint(0, 8)}]")
        elif r < 0.37:
            body.append(f"\tadd\t{a}, {b}, #{rng.randint(0, 4095)}")
        elif r < 0.44:
            body.append(f"\tsub\t{a}, {b}, {c}")
        elif r < 0.50:
            body.append(f"\tand\t{a}, {b}, #0xff")
        elif r < 0.55:
            body.append(f"\torr\t{wa}, {wb}, {rng.choice(W)}, lsl #{rng.randint(0, 31)}")
        elif r < 0.62:
            body.append(f"\tmov\t{a}, {b}")
        elif r < 0.66:
            body.append(f"\tmov\t{wa}, #{rng.randint(0, 65535)}")
        elif r < 0.72:
            body.append(f"\tcmp\t{a}, #{rng.randint(0, 4095)}")
            body.append(f"\tb.{rng.choice(conds)}\t{rng.choice(['1f', '1b', '.Lret' + str(func)])}")
        elif r < 0.76:
            body.append(f"\tcbz\t{a}, 1f")
        elif r < 0.79:
            body.append(f"\ttbnz\t{wa}, #{rng.randint(0, 31)}, .Lret{func}")
        elif r < 0.85:
            body.append(f"\tbl\t{rng.choice(['memcpy', 'kmalloc', 'f' + str(max(1, func - 1)), 'printk'])}")
        elif r < 0.89:
            body.append(f"\tadrp\t{a}, sym{rng.randint(0, 99)}")
            body.append(f"\tldr\t{a}, [{a}, :lo12:sym{rng.randint(0, 99)}]")
        elif r < 0.92:
            body.append(f"\tlsl\t{a}, {b}, #{rng.randint(1, 63)}")
        elif r < 0.94:
            body.append(f"\tcsel\t{a}, {b}, {c}, {rng.choice(conds)}")
        elif r < 0.96:
            body.append(f"\tmadd\t{a}, {b}, {c}, {rng.choice(X)}")
        elif r < 0.97:
            body.append("\tdmb\tish")
        else:
            body.append("\tnop")
        if rng.random() < 0.15:
            body.append("1:")
    body += [
        f".Lret{func}:",
        "1:",
        "\tldr\tx19, [sp, #16]",
        "\tldp\tx29, x30, [sp], #32",
        "\tautiasp",
        "\tret",
    ]
    for line in body:
        emit(line)
        if not line.endswith(":"):
            count += 1
    emit(f"\t.size\t{name}, .-{name}")
sys.stdout.write("\n".join(out) + "\n")
