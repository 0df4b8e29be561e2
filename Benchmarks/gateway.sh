#!/usr/bin/env bash
# The gateway path: burst pickup, single-drop latency, a 100 MB CSV and a 1 GB X12 file through the gateway, streaming translate.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DROPGATE_BIN:-$(swift build -c release --show-bin-path)/dropgate}"
exec python3 Benchmarks/gateway.py "$BIN" "$@"
