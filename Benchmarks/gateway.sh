#!/usr/bin/env bash
# The spine's figures: burst pickup throughput, single-drop latency, streaming CSV translate.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${DROPGATE_BIN:-$(swift build -c release --show-bin-path)/dropgate}"
exec python3 Benchmarks/gateway.py "$BIN"
