#!/usr/bin/env bash
# CSV translate: 300,000 payment rows through mappings/csv/bank-payment (dropgate translate) side by
# side with ten lines of Python (csv.DictReader + json.dumps per row) and `wc -l`, on the same file.
#   Benchmarks/csv.sh [ROWS]        (default 300000; DROPGATE_BIN picks the binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-300000}"
export work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
. "$root/Benchmarks/measure.sh"
bin="${DROPGATE_BIN:-$(swift build -c release --show-bin-path --package-path "$root")/dropgate}"
python3 - "$rows" "$work/payments.csv" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("Direction,Execution date,Amount,Currency,Debtor,Debtor account,Debtor bank,Creditor,Creditor account,Creditor bank,End to end id,Remittance\n")
    for i in range(n):
        f.write(f'outbound,2026-11-{1 + i % 28:02d},{100 + i % 99999}.{i % 100:02d},EUR,Acme Trading B.V.,NL91ABNA0417164300,ABNANL2A,'
                f'"Supplier {i}, Ltd",DE89370400440532013000,COBADEFFXXX,E2E-{i:07d},"Invoice {i}, November"\n')
PY
echo "file: $rows rows, $(stat -c %s "$work/payments.csv") bytes"
measure "dropgate translate" "$work/payments.csv" "$bin" translate --mappings "$root/mappings" --format csv --mapping csv/bank-payment "$work/payments.csv"
[ "$(wc -l <"$work/out")" -eq "$rows" ] || { echo "translate: expected $rows records" >&2; exit 1; }
python3 -m venv "$work/venv"
cat >"$work/peer.py" <<'PY'
import csv, json, sys
out = sys.stdout
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        out.write(json.dumps(row) + "\n")
PY
measure "csv.DictReader + json.dumps" "$work/payments.csv" "$work/venv/bin/python" "$work/peer.py" "$work/payments.csv"
scan_limit "$work/payments.csv"
ratio "dropgate translate" "csv.DictReader + json.dumps" ">= 20x; >= 100 MB/s"
