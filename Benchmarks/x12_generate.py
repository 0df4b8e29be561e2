#!/usr/bin/env python3
"""Writes a valid X12 4010 file of purchase orders (850) of about SIZE_MB megabytes for the X12
benchmark: interchanges of up to 10 groups, groups of 500 sets (≈ 0.5 MB), each 850 with buyer, seller and ship-to
N1 loops (N3/N4), ten PO1 lines with PID descriptions, and CTT; counts and control numbers right.

    python3 Benchmarks/x12_generate.py OUT.x12 SIZE_MB
"""
import sys

SETS_PER_GROUP = 500
GROUPS_PER_INTERCHANGE = 10


def purchase_order(n):
    segments = [
        f"BEG*00*SA*PO-{n:08d}**20240102",
        "CUR*BY*USD",
        "DTM*002*20240120",
        "N1*BY*Buyer Inc*92*B-1", "N3*1 Main St", "N4*Springfield*IL*62701*US",
        "N1*SE*Seller Co*92*S-9",
        f"N1*ST*Dock {n % 97}*92*DC-{n % 97}", "N3*9 Harbour Rd", "N4*Portland*OR*97201*US",
    ]
    for line in range(1, 11):
        qty = 1 + (n * 7 + line) % 500
        cents = 100 + (n * 7919 + line * 104729) % 99_900
        segments.append(f"PO1*{line}*{qty}*EA*{cents // 100}.{cents % 100:02d}**BP*B-{line}*VP*V-{n % 1000}-{line}")
        segments.append(f"PID*F****Widget model {line} for order {n}")
    segments.append("CTT*10")
    return segments


def main(path, size_mb):
    target = size_mb * 1_000_000
    with open(path, "w", newline="\n") as out:
        written, isa, gs, po = 0, 0, 0, 0
        while written < target:
            isa += 1
            out.write(f"ISA*00*          *00*          *ZZ*BUYERID        *ZZ*SELLERID       *240102*1230*U*00401*{isa:09d}*0*P*>~\n")
            groups = 0
            while groups < GROUPS_PER_INTERCHANGE and written < target:
                gs += 1
                groups += 1
                chunks = [f"GS*PO*BUYERID*SELLERID*20240102*1230*{gs}*X*004010~\n"]
                for s in range(1, SETS_PER_GROUP + 1):
                    po += 1
                    body = purchase_order(po)
                    chunks.append(f"ST*850*{s:04d}~\n" + "".join(seg + "~\n" for seg in body) + f"SE*{len(body) + 2}*{s:04d}~\n")
                chunks.append(f"GE*{SETS_PER_GROUP}*{gs}~\n")
                text = "".join(chunks)
                out.write(text)
                written += len(text)
            out.write(f"IEA*{groups}*{isa:09d}~\n")
    print(f"{path}: about {written // 1_000_000} MB, {isa} interchanges, {gs} groups, {po} purchase orders", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
