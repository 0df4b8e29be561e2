#!/usr/bin/env bash
# The API's file search over 100,000 ledger rows with wrk on loopback (target: p99 ≤ 50 ms), while
# the gateway translates a stream of dropped files; the gateway's throughput is measured with and
# without the load, so the cost of the searches to the pickup shows.
#   Benchmarks/api.sh [ROWS] [SECONDS] [CONNECTIONS]   (default 100000 rows, 20 s, 8 connections;
#   DROPGATE_BIN picks the binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-100000}"
seconds="${2:-20}"
connections="${3:-8}"
work="$(mktemp -d)"
gateway_pid=""
cleanup() { [ -n "$gateway_pid" ] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bin="${DROPGATE_BIN:-$(swift build -c release --show-bin-path --package-path "$root")/dropgate}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$work/inbox/bank/payments" "$work/inbox/bank/statements"
cat > "$work/gateway.yaml" <<YAML
folders: { inbox: inbox, outbox: outbox, var: var, mappings: $root/mappings }
pickup: { minAge: 0ms, pollInterval: 200ms }
http: { listen: "127.0.0.1:$port" }
partners:
  bank:
    channels:
      - { name: payments, mapping: csv/bank-payment }
      - { name: statements, mapping: csv/bank-statement }
YAML
token="$("$bin" token create --role viewer --name bench --config "$work/gateway.yaml" | awk '{ print $NF }')"
# The ledger's files table filled with ROWS rows over 30 days, five partners, mixed states.
python3 - "$work/var/ledger.sqlite" "$rows" <<'PY'
import sqlite3, sys, datetime
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
start = datetime.datetime(2026, 11, 1)
states = ["archived"] * 17 + ["quarantined", "duplicate", "rejected"]
partners = ["acme-bank", "northwind", "globex", "first-national", "contoso"]
def row(i):
    at = (start + datetime.timedelta(seconds=i * 30 * 86400 // n)).strftime("%Y-%m-%d %H:%M:%S.000")
    state = states[i % len(states)]
    err = '{"code":"mapping.failed","message":"not a date","line":2,"column":13}' if state == "quarantined" else None
    return (partners[i % 5], "payments" if i % 2 else "statements", f"file-{i:06d}.csv", 1000 + i % 5000, f"{i:064x}", "csv", state,
            10, f"bench/{i}", None, err, at, at)
db.executemany("INSERT INTO files (partner, channel, name, size, sha256, format, state, recordCount, workPath, finalPath, error, receivedAt, updatedAt)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (row(i) for i in range(n)))
db.commit()
PY
"$bin" run --config "$work/gateway.yaml" --log-level error 2>"$work/gateway.log" &
gateway_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# Drops COUNT payment files (unique content) and prints how many were archived per second.
throughput() {
  local tag="$1" count="$2"
  python3 - "$work/inbox/bank/payments" "$tag" "$count" "$work/var/ledger.sqlite" <<'PY'
import os, sys, time, sqlite3
folder, tag, count, ledger = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
db = sqlite3.connect(ledger)
def archived(): return db.execute("SELECT COUNT(*) FROM files WHERE name LIKE ? AND state = 'archived'", (f"{tag}-%",)).fetchone()[0]
t0 = time.time()
for i in range(count):
    tmp = os.path.join(folder, f".{tag}-{i}.csv")
    with open(tmp, "w") as f:
        f.write("Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id\n"
                f"outbound,2026-11-23,{i // 100}.{i % 100:02d},EUR,Acme,Creditor {tag},E2E-{tag}-{i}\n")
    os.rename(tmp, os.path.join(folder, f"{tag}-{i}.csv"))
while archived() < count and time.time() - t0 < 300: time.sleep(0.05)
dt = time.time() - t0
print(f"gateway {tag}: {archived()} of {count} files archived in {dt:.1f} s = {archived() / dt:.0f} files/s")
PY
}

throughput quiet 1000
cat > "$work/search.lua" <<LUA
local queries = { "/api/v1/files?perPage=50", "/api/v1/files?q=file-0123", "/api/v1/files?partner=globex&state=quarantined",
                  "/api/v1/files?from=2026-11-10&to=2026-11-12&perPage=100", "/api/v1/files?q=not%20a%20date&page=3",
                  "/api/v1/files?channel=payments&format=csv&page=200" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1], { ["Authorization"] = "Bearer $token" })
end
LUA
threads=$(( connections < 2 ? 1 : 2 ))
echo "== wrk: file search over $rows ledger rows, $threads thread(s), $connections connection(s), ${seconds} s, 6 queries in turn"
wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$work/search.lua" "http://127.0.0.1:$port" > "$work/wrk.txt" &
wrk_pid=$!
sleep 1
throughput loaded 1000
wait "$wrk_pid"
cat "$work/wrk.txt"
p99="$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")"
echo "file search p99: $p99 (target ≤ 50 ms)"
