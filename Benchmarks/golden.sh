#!/usr/bin/env bash
# Correctness baseline for the translate path: records what `dropgate translate` writes for every
# file under samples/ (with its partner/channel from gateway.yaml: samples/<partner>/<channel>/…)
# and under ../shared/corpus/ (format detected), then compares a later build against it.
# Per file it keeps stdout (the JSON Lines) and stderr (the error report, when the file fails).
#
#   Benchmarks/golden.sh record  DIR     # e.g. var/golden (outside git)
#   Benchmarks/golden.sh compare DIR     # exit 1 and name each file whose output differs
#
# DROPGATE_BIN picks the binary (default: the release build); CORPUS the corpus folder.
set -uo pipefail
cd "$(dirname "$0")/.."
MODE="${1:?record or compare}"; DIR="${2:?folder}"
BIN="${DROPGATE_BIN:-}"
if [ -z "$BIN" ]; then swift build -c release --static-swift-stdlib --product dropgate >/dev/null || exit 1; BIN=.build/release/dropgate; fi
CORPUS="${CORPUS:-../shared/corpus}"   # relative to the package root

run_one() {  # key, args...
    local key="$1"; shift
    "$BIN" translate "$@" >"$OUT/$key.jsonl" 2>"$OUT/$key.err"
    echo "$?" >"$OUT/$key.rc"
}

case "$MODE" in
    record) OUT="$DIR" ;;
    compare) OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT ;;
    *) echo "record or compare" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
n=0
while IFS= read -r f; do
    rel="${f#samples/}"; partner="${rel%%/*}"; rest="${rel#*/}"; channel="${rest%%/*}"
    run_one "samples__$(echo "$rel" | tr '/ ' '__')" --config gateway.yaml --partner "$partner" --channel "$channel" "$f"
    n=$((n + 1))
done < <(find samples -type f | LC_ALL=C sort)
if [ -d "$CORPUS" ]; then
    while IFS= read -r f; do
        rel="${f#"$CORPUS"/}"
        run_one "corpus__$(echo "$rel" | tr '/ ' '__')" --config gateway.yaml "$f"
        n=$((n + 1))
    done < <(find "$CORPUS" -type f ! -path '*/LICENSES/*' ! -name 'README*' ! -name '*.xsd' | LC_ALL=C sort)
fi

if [ "$MODE" = record ]; then
    ok=$(grep -lx 0 "$OUT"/*.rc | wc -l)
    echo "recorded $n files into $OUT ($ok translate, $((n - ok)) refused)"
    exit 0
fi
if diff -rq "$DIR" "$OUT" >"$OUT.diff" 2>&1; then
    echo "all $n files identical to $DIR"; rm -f "$OUT.diff"; exit 0
fi
echo "differences against $DIR:"; cat "$OUT.diff"; rm -f "$OUT.diff"; exit 1
