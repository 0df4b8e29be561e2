#!/usr/bin/env bash
# Outbound benchmark: what a user waits for when dropgate writes partner files (release build).
#  1. `dropgate emit --format nacha` of N canonical payments (default 100,000) into one NACHA file;
#  2. `dropgate emit --format pain001` of M SEPA transfers (default 10,000), XSD validation included
#     (the pain.001 schemas come from PyPI's `sepaxml` wheel, downloaded here, not a dependency);
#  3. the release of E queued e-invoices (default 5,000) to the upload client's folders: a shop's
#     invoice CSV is dropped and queued by one `dropgate run --once` with the upload window
#     closed, then the window is opened and a second `dropgate run --once` releases the batch —
#     that second run is what is measured (one fsync per file, XSD per message, ledger updates).
# Emit runs against a gateway home with a ledger (counters in SQLite), as with `--config`.
# Prints seconds and peak RSS (from /usr/bin/time -v) next to the targets of issue 10.
#
#   Benchmarks/emit.sh [N] [M] [E]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
N="${1:-100000}"; M="${2:-10000}"; E="${3:-5000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
BIN="${DROPGATE_BIN:-}"
if [ -z "$BIN" ]; then swift build -c release --static-swift-stdlib --product dropgate >/dev/null; BIN=.build/release/dropgate; fi

python3 Benchmarks/emit_generate.py nacha "$N" "$WORK/ach.jsonl"
python3 Benchmarks/emit_generate.py pain001 "$M" "$WORK/sepa.jsonl"
python3 Benchmarks/emit_generate.py einvoice "$E" "$WORK/invoices.csv"

# The pain.001 XSDs (pain.001.001.03.xsd, pain.001.001.09.xsd) from the sepaxml wheel.
python3 -m venv "$WORK/venv" >/dev/null
"$WORK/venv/bin/pip" download --quiet --no-deps sepaxml -d "$WORK/wheel"
mkdir -p "$WORK/xsd"
"$WORK/venv/bin/python" - "$WORK/wheel" "$WORK/xsd" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if os.path.basename(name).startswith("pain.001.001.") and name.endswith(".xsd"):
            open(os.path.join(sys.argv[2], os.path.basename(name)), "wb").write(z.read(name))
PY
[ -f "$WORK/xsd/pain.001.001.03.xsd" ] || { echo "no pain.001.001.03.xsd in the sepaxml wheel"; ls "$WORK/xsd"; exit 1; }

HOME_DIR="$WORK/home"
mkdir -p "$HOME_DIR"
gateway_yaml() {  # upload window
    cat >"$HOME_DIR/gateway.yaml" <<YAML
folders: { inbox: inbox, outbox: outbox, var: var, mappings: $ROOT/mappings }
pickup: { minAge: 0ms, pollInterval: 50ms }
partners:
  first-national:
    settings: { immediateDestination: "231380104", immediateDestinationName: FIRST NATIONAL, immediateOrigin: "1234567890", immediateOriginName: ACME TRADING }
    channels: []
  shop:
    channels:
      - { name: invoices, mapping: csv/tw-invoice }
  platform:
    settings: { uploadWindow: "$1", timeZone: Asia/Taipei, batchSize: $E }
    channels: []
routes:
  - name: invoices to the platform
    from: { partner: shop, channel: invoices, type: invoice }
    emit: { format: tw-einvoice, partner: platform, channel: upload }
YAML
}

secs() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"; }
report() {  # name, time -v log, target seconds, detail
    local s r
    s=$(secs "$2"); r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$2")
    awk -v n="$1" -v s="$s" -v r="$r" -v t="$3" -v d="$4" 'BEGIN {
        printf "%-26s %8.3f s  peak RSS %7.1f MB   (target <= %s s, <= 64 MB)  %s\n", n, s, r / 1024, t, d }'
}
run() {  # log, command...
    local log="$1"; shift
    /usr/bin/time -v "$@" >"$log.out" 2>"$log" || { cat "$log.out" "$log"; exit 1; }
}

# A window that is closed now (it opens in two hours, Taipei time), for queueing only.
closed=$(TZ=Asia/Taipei date -d '+2 hours' +%H:00)-$(TZ=Asia/Taipei date -d '+3 hours' +%H:00)
gateway_yaml "$closed"

# 1. NACHA
run "$WORK/nacha.time" "$BIN" emit --config "$HOME_DIR/gateway.yaml" --format nacha --partner first-national -o "$WORK/out.ach" "$WORK/ach.jsonl"
report "emit nacha ($N)" "$WORK/nacha.time" 0.3 "$(stat -c %s "$WORK/out.ach") bytes"

# 2. pain.001 with XSD validation
run "$WORK/pain.time" "$BIN" emit --config "$HOME_DIR/gateway.yaml" --format pain001 --setting "xsdDirectory=$WORK/xsd" -o "$WORK/out.xml" "$WORK/sepa.jsonl"
report "emit pain001 ($M)" "$WORK/pain.time" 1 "$(stat -c %s "$WORK/out.xml") bytes"

# 3. e-invoices: queue with the window closed, then release with it open (equal ends: always open).
mkdir -p "$HOME_DIR/inbox/shop/invoices"
cp "$WORK/invoices.csv" "$HOME_DIR/inbox/shop/invoices/invoices.csv"
run "$WORK/queue.time" "$BIN" run --once --config "$HOME_DIR/gateway.yaml"
report "queue e-invoices ($E)" "$WORK/queue.time" - "(translate + check + queue; not a target)"
gateway_yaml "00:00-00:00"
run "$WORK/release.time" "$BIN" run --once --config "$HOME_DIR/gateway.yaml"
released=$(find "$HOME_DIR/outbox/platform/UpCast" -name '*.xml' ! -name '.*' | wc -l)
report "release e-invoices ($E)" "$WORK/release.time" 2 "$released files in UpCast"
[ "$released" -eq "$E" ] || { echo "expected $E released files"; tail -5 "$WORK/release.time.out" "$WORK/release.time"; exit 1; }
