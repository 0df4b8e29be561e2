#!/usr/bin/env bash
# NACHA read+validate benchmark: a generated 100,000-entry PPD file, read and fully validated by
# dropgate's release build and by the Python package achkit (installed here in a temporary venv,
# not a project dependency). Prints MB/s and peak RSS (from /usr/bin/time -v) for each.
#
#   Benchmarks/nacha.sh [ENTRIES]        (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
ENTRIES="${1:-100000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
FILE="$WORK/ppd-$ENTRIES.ach"

# 1. The file: one PPD batch of credits, balanced controls, 9-filled to a multiple of 10 records.
python3 - "$ENTRIES" "$FILE" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
def check(r8):
    w = [3, 7, 1, 3, 7, 1, 3, 7]
    return str((10 - sum(int(d) * x for d, x in zip(r8, w)) % 10) % 10)
odfi = "23138010"
rdfis = ["12104288", "09100001", "02100002", "01140153"]
lines = ["101 23138010412345678902503140930A094101FEDERAL RESERVE BANK   ACME PAYROLL           ".ljust(94)]
lines.append(("5220ACME PAYROLL                        1234567890PPDPAYROLL         250317   1" + odfi + "0000001").ljust(94))
total = hash_ = 0
for i in range(1, n + 1):
    r = rdfis[i % 4]
    amount = 100 + i % 99_999
    total += amount; hash_ += int(r)
    lines.append("622" + r + check(r) + ("ACCT%d" % i).ljust(17) + str(amount).zfill(10) + ("EMP%d" % i).ljust(15)
                 + ("EMPLOYEE %d" % i).ljust(22) + "  0" + odfi + str(i).zfill(7))
h = str(hash_ % 10**10).zfill(10)
lines.append("8220" + str(n).zfill(6) + h + "0" * 12 + str(total).zfill(12) + "1234567890".ljust(10) + " " * 25 + odfi + "0000001")
records = len(lines) + 1
blocks = (records + 9) // 10
lines.append(("9000001" + str(blocks).zfill(6) + str(n).zfill(8) + h + "0" * 12 + str(total).zfill(12)).ljust(94))
while len(lines) % 10: lines.append("9" * 94)
open(path, "w").write("\n".join(lines) + "\n")
PY
BYTES=$(stat -c %s "$FILE")
echo "file: $ENTRIES entries, $BYTES bytes"

report() {  # name, time -v log
    local secs rss
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$2")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$2")
    awk -v n="$1" -v b="$BYTES" -v s="$secs" -v r="$rss" 'BEGIN { printf "%-10s %8.3f s  %8.1f MB/s  peak RSS %7.1f MB\n", n, s, b / 1e6 / s, r / 1024 }'
}

# 2. dropgate (release build): read every entry into its tree and validate everything (the
#    format's checks: structure, fields, check digits, counts, hash, totals, trace order) — the
#    peer's job; then, separately, the same plus mapping every entry to a canonical payment.
BIN="${DROPGATE_BIN:-}"
if [ -z "$BIN" ]; then swift build -c release --static-swift-stdlib --product dropgate >/dev/null; BIN=.build/release/dropgate; fi
/usr/bin/time -v "$BIN" validate --format nacha --format-only "$FILE" >"$WORK/ours.out" 2>"$WORK/ours.time" || { cat "$WORK/ours.out" "$WORK/ours.time"; exit 1; }
report dropgate "$WORK/ours.time"
/usr/bin/time -v "$BIN" translate --format nacha "$FILE" >/dev/null 2>"$WORK/map.time" || { cat "$WORK/map.time"; exit 1; }
report "dropgate+map" "$WORK/map.time"

# 3. achkit in a throwaway venv.
python3 -m venv "$WORK/venv" >/dev/null
"$WORK/venv/bin/pip" install --quiet achkit
cat >"$WORK/peer.py" <<'PY'
import sys
from achkit import parse, validate
data = open(sys.argv[1]).read()
result = validate(data)
parsed = parse(data)
print(result if not hasattr(result, "ok") else result.ok)
PY
/usr/bin/time -v "$WORK/venv/bin/python" "$WORK/peer.py" "$FILE" >"$WORK/peer.out" 2>"$WORK/peer.time" || { cat "$WORK/peer.out" "$WORK/peer.time"; exit 1; }
report achkit "$WORK/peer.time"
ours=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/ours.time")
peer=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/peer.time")
awk -v o="$ours" -v p="$peer" 'BEGIN { printf "read+validate: dropgate is %.1fx achkit (target >= 30x; >= 100 MB/s)\n", p / o }'
map=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/map.time")
awk -v o="$map" -v p="$peer" 'BEGIN { printf "translate:     dropgate is %.1fx achkit (target >= 20x; >= 100 MB/s)\n", p / o }'
/usr/bin/time -v wc -l "$FILE" >/dev/null 2>"$WORK/wc.time"
report "wc -l" "$WORK/wc.time"
