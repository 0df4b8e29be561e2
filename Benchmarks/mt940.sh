#!/usr/bin/env bash
# MT940 read + map throughput: `dropgate translate --format mt940` on a generated multi-statement
# file, side by side with the Python package mt-940 (WoLpH) on the same file, in the same run.
# Usage: Benchmarks/mt940.sh  [SIZE_MB=10] [CONFIG=release]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size_mb="${SIZE_MB:-10}"
config="${CONFIG:-release}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 "$root/Benchmarks/mt940_generate.py" "$work/statements.sta" "$size_mb"
bytes=$(stat -c %s "$work/statements.sta")
echo "file: $((bytes / 1048576)) MB"

bin="${DROPGATE_BIN:-}"
if [ -z "$bin" ]; then
  swift build -c "$config" --product dropgate --package-path "$root" 2>&1 | tail -1
  bin="$root/.build/$config/dropgate"
fi
/usr/bin/time -f "dropgate read+check (validate --format-only): %e s, peak RSS %M KB" "$bin" validate --format mt940 --format-only --option strictBalances=false "$work/statements.sta" > /dev/null || true
/usr/bin/time -o "$work/ours.s" -f "%e %M" "$bin" translate --format mt940 "$work/statements.sta" > "$work/records.jsonl"
mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN { if (s <= 0) s = 0.005; printf "%.3f s, %.1f MB/s", s, b / 1e6 / s }'; }
echo "dropgate translate to canonical JSONL: $(mbs "$(cut -d" " -f1 "$work/ours.s")"), peak RSS $(cut -d" " -f2 "$work/ours.s") KB"
echo "dropgate records: $(wc -l < "$work/records.jsonl")"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet mt-940
/usr/bin/time -o "$work/peer.s" -f "%e %M" "$work/venv/bin/python" - "$work/statements.sta" <<'PY'
import sys, mt940
transactions = mt940.parse(sys.argv[1])
print("mt-940 transactions:", len(transactions))
PY
echo "mt-940 (Python): $(mbs "$(cut -d' ' -f1 "$work/peer.s")"), peak RSS $(cut -d' ' -f2 "$work/peer.s") KB"
/usr/bin/time -o "$work/wc.s" -f "%e" wc -l "$work/statements.sta" >/dev/null
echo "wc -l (scan limit): $(mbs "$(cat "$work/wc.s")")"
awk -v o="$(cut -d" " -f1 "$work/ours.s")" -v p="$(cut -d' ' -f1 "$work/peer.s")" 'BEGIN { if (o <= 0) o = 0.005; printf "ratio: dropgate translate is %.1fx mt-940 (target >= 30x; >= 100 MB/s)\n", p / o }'
