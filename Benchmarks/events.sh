#!/usr/bin/env bash
# Events to RabbitMQ: events/s with publisher confirms (target >= 10,000/s on this machine), and the
# added cost per file of writing and publishing events in the 2,000-file burst (Benchmarks/gateway.py
# burst, without and with `events:`). Starts a private rabbitmq-server on 127.0.0.1 (as root: its data
# folder is given to the rabbitmq user) and stops it at the end.
#   Benchmarks/events.sh        (COUNT=100000 by default; CONFIG=debug for a debug build; BURST=0 skips the burst)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-release}
COUNT=${COUNT:-100000}
swift build -c "$CONFIG" --product events-bench >/dev/null
swift build -c "$CONFIG" --product dropgate >/dev/null
BIN_DIR="$(swift build -c "$CONFIG" --show-bin-path)"
BIN="${DROPGATE_BIN:-$BIN_DIR/dropgate}"

PARENT=$(mktemp -d /tmp/dropgate-events-bench-XXXXXX)
chmod 755 "$PARENT"
D="$PARENT/node"
mkdir -p "$D/log"
echo '[].' > "$D/enabled_plugins"
PORT=$(python3 -c 'import random, socket
while True:
    p = random.randint(20000, 44999)
    try:
        for q in (p, p + 20000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError: pass')
NODE="dropgatebench$PORT@localhost"
[ "$(id -u)" = 0 ] && chown -R rabbitmq:rabbitmq "$D"
export RABBITMQ_NODENAME=$NODE RABBITMQ_NODE_PORT=$PORT RABBITMQ_DIST_PORT=$((PORT + 20000)) RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
       RABBITMQ_MNESIA_BASE=$D/mnesia RABBITMQ_LOG_BASE=$D/log RABBITMQ_PID_FILE=$D/pid RABBITMQ_ENABLED_PLUGINS_FILE=$D/enabled_plugins \
       ERL_EPMD_ADDRESS=127.0.0.1 HOME=$D
/usr/sbin/rabbitmq-server > "$PARENT/server.out" 2>&1 &
SERVER=$!
disown "$SERVER"   # no job notice when cleanup kills it
cleanup() {
    /usr/sbin/rabbitmqctl -n "$NODE" stop >/dev/null 2>&1 || true
    [ -f "$D/pid" ] && kill -9 "$(cat "$D/pid")" 2>/dev/null || true
    kill -9 "$SERVER" 2>/dev/null || true
    rm -rf "$PARENT"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
    sleep 0.2
done
sleep 1
URL="amqp://127.0.0.1:$PORT/"

"$BIN_DIR/events-bench" "$URL" "$COUNT"
[ "${BURST:-1}" = 0 ] && exit 0

without=$(python3 Benchmarks/gateway.py "$BIN" burst)
with=$(DROPGATE_BENCH_YAML="events: { node: bench, rabbitmq: { url: \"$URL\" } }" python3 Benchmarks/gateway.py "$BIN" burst)
echo "without events: $without"
echo "with events:    $with"
python3 - "$without" "$with" <<'PY'
import re, sys
a, b = (float(re.search(r"committed in ([0-9.]+) s", t).group(1)) for t in sys.argv[1:3])
print(f"added cost per file in the 2,000-file burst: {(b - a) * 1000 / 2000:+.2f} ms ({a:.2f} s without events, {b:.2f} s with; 5 events per file)")
PY
