#!/usr/bin/env bash
# OpenPGP in the gateway: the same generated MT940 file (20 MiB) through `dropgate run --once`
# in clear and signed + encrypted (decrypted and verified through GPGME on var/gnupg), next to
# `gpg --decrypt` of the same message (the peer: what GnuPG alone costs).
#   Benchmarks/pgp.sh [MiB]        (default 20; DROPGATE_BIN picks the binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size_mb="${1:-20}"
export work="$(mktemp -d)"
gpghome="$work/bank-gnupg"
cleanup() {
  for h in "$gpghome" "$work"/*/var/gnupg; do [ -d "$h" ] && gpgconf --homedir "$h" --kill all 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
. "$root/Benchmarks/measure.sh"
bin="${DROPGATE_BIN:-$(swift build -c release --show-bin-path --package-path "$root")/dropgate}"
python3 "$root/Benchmarks/mt940_generate.py" "$work/statements.sta" "$size_mb"
mkdir -m 700 "$gpghome"
g() { gpg --homedir "$gpghome" --batch --yes --no-tty --pinentry-mode loopback --passphrase '' --trust-model always "$@"; }
g --quick-gen-key "bank <bank@example.test>" future-default default 1y 2>/dev/null
g --quick-gen-key "ours <ours@example.test>" future-default default 1y 2>/dev/null
for side in clear pgp; do
  mkdir -p "$work/$side/keys"
  g --armor --output "$work/$side/keys/bank.asc" --export "<bank@example.test>"
  g --armor --output "$work/$side/keys/ours.asc" --export-secret-keys "<ours@example.test>"
done
g --local-user "<bank@example.test>" --sign --recipient "<ours@example.test>" --encrypt --output "$work/statements.sta.gpg" "$work/statements.sta"
echo "file: $(stat -c %s "$work/statements.sta") bytes, signed + encrypted: $(stat -c %s "$work/statements.sta.gpg") bytes"
for side in clear pgp; do
  pgp=""; [ "$side" = pgp ] && pgp=", pgp: { decrypt: true, verifyWith: keys/bank.asc, decryptWith: keys/ours.asc }"
  printf 'folders: { mappings: %s/mappings }\npickup: { minAge: 0ms }\nworkers: 1\npartners:\n  bank:\n    channels:\n      - { name: mt940, format: mt940%s }\n' \
    "$root" "$pgp" > "$work/$side/gateway.yaml"
  mkdir -p "$work/$side/inbox/bank/mt940"
done
cp "$work/statements.sta" "$work/clear/inbox/bank/mt940/statements.sta"
cp "$work/statements.sta.gpg" "$work/pgp/inbox/bank/mt940/statements.sta.gpg"
measure "gateway, clear" "$work/statements.sta" "$bin" run --once --config "$work/clear/gateway.yaml"
measure "gateway, decrypt + verify" "$work/statements.sta" "$bin" run --once --config "$work/pgp/gateway.yaml"
"$bin" status --config "$work/pgp/gateway.yaml" | sed -n '1,4p'
measure "gpg --decrypt (peer)" "$work/statements.sta" gpg --homedir "$gpghome" --batch --no-tty --decrypt --output "$work/plain" "$work/statements.sta.gpg"
echo "note: cpu counts the gateway with its worker and the gpg processes GPGME starts (not the gpg-agent daemon)"
