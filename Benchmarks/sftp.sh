#!/usr/bin/env bash
# SFTP pull throughput: dropgate's SFTPPuller (libssh2) against OpenSSH's `sftp -b`, same run,
# same local sshd on 127.0.0.1. Workloads: 1,000 small files (4 KiB) and one 200 MB file.
# Run as root (the test sshd needs it) from the package root:  Benchmarks/sftp.sh
# CONFIG=debug Benchmarks/sftp.sh builds sftp-bench in debug (faster to build; the transfer
# loop itself runs in libssh2 either way). SMALL_FILES / BIG_MB change the workload.
set -euo pipefail
CONFIG=${CONFIG:-release}
SMALL_FILES=${SMALL_FILES:-1000}
BIG_MB=${BIG_MB:-200}

swift build -c "$CONFIG" --product sftp-bench >/dev/null
BENCH="$(swift build -c "$CONFIG" --show-bin-path)/sftp-bench"

WORK=$(mktemp -d /tmp/dropgate-bench-XXXXXX)
SSHD_PID=""
cleanup() {
    if [ -n "$SSHD_PID" ]; then
        for child in $(pgrep -P "$SSHD_PID" || true); do kill -9 "$child" 2>/dev/null || true; done
        kill -9 "$SSHD_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
ssh-keygen -q -t ed25519 -N "" -f "$WORK/host_ed25519"
ssh-keygen -q -t ed25519 -N "" -f "$WORK/client_ed25519"
cp "$WORK/client_ed25519.pub" "$WORK/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$WORK/host_ed25519.pub")" > "$WORK/known_hosts"
cat > "$WORK/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_ed25519
PidFile $WORK/sshd.pid
UsePAM no
PasswordAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $WORK/authorized_keys
StrictModes no
Subsystem sftp internal-sftp
CONF
mkdir -p /run/sshd
/usr/sbin/sshd -f "$WORK/sshd_config" -D -e 2>"$WORK/sshd.log" &
SSHD_PID=$!
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

mkdir -p "$WORK/remote/small" "$WORK/remote/big"
for i in $(seq -w 1 "$SMALL_FILES"); do head -c 4096 /dev/urandom > "$WORK/remote/small/f$i.dat"; done
head -c $((BIG_MB * 1048576)) /dev/urandom > "$WORK/remote/big/big.dat"

now() { date +%s.%N; }
openssh() {  # remote dir → prints seconds
    local dest="$WORK/openssh-$(basename "$1")"; mkdir -p "$dest"
    printf 'lcd %s\ncd %s\nmget *\n' "$dest" "$1" > "$WORK/batch"
    local start; start=$(now)
    sftp -q -b "$WORK/batch" -i "$WORK/client_ed25519" -o UserKnownHostsFile="$WORK/known_hosts" \
        -o BatchMode=yes -P "$PORT" "$(whoami)@127.0.0.1" >/dev/null
    echo "$(now) - $start" | bc -l
}
dropgate() {  # remote dir → prints seconds (the puller deletes remote files after "commit")
    local dest="$WORK/dropgate-$(basename "$1")"; mkdir -p "$dest"
    "$BENCH" "$PORT" "$(whoami)" "$WORK/client_ed25519" "$WORK/known_hosts" "$1" "$dest" | awk '{print $(NF-1)}'
}
report() {  # name files megabytes openssh_s dropgate_s
    printf '%-12s OpenSSH sftp: %8.1f files/s %8.1f MB/s | dropgate: %8.1f files/s %8.1f MB/s | ratio %.2f\n' \
        "$1" "$(echo "$2/$4" | bc -l)" "$(echo "$3/$4" | bc -l)" "$(echo "$2/$5" | bc -l)" "$(echo "$3/$5" | bc -l)" \
        "$(echo "$4/$5" | bc -l)"
}

SMALL_MB=$(echo "$SMALL_FILES*4096/1048576" | bc -l)
O_SMALL=$(openssh "$WORK/remote/small"); D_SMALL=$(dropgate "$WORK/remote/small")
O_BIG=$(openssh "$WORK/remote/big"); D_BIG=$(dropgate "$WORK/remote/big")
cmp -s "$WORK/openssh-big/big.dat" "$WORK/dropgate-big/big.dat" || { echo "big file differs!"; exit 1; }
echo "sftp benchmark ($CONFIG build, $(ssh -V 2>&1), $(nproc) cores)"
report "small x$SMALL_FILES" "$SMALL_FILES" "$SMALL_MB" "$O_SMALL" "$D_SMALL"
report "big ${BIG_MB}MB" 1 "$BIG_MB" "$O_BIG" "$D_BIG"
