#!/usr/bin/env bash
# libFuzzer harnesses, one per reader (every unit also mapped through its default mapping and
# encoded as canonical JSON). Usage: Tests/Fuzz/fuzz.sh SECONDS [TARGET...]  (run from the package root)
#
# How it links (SwiftPM renames an executable's entry point, so a fuzzer cannot be an executable
# target): the library modules are built by SwiftPM with coverage and ASan instrumentation into
# their own scratch path, then each harness is compiled and linked by swiftc against those
# modules' objects with -sanitize=fuzzer,address (libFuzzer supplies main).
set -euo pipefail
SECONDS_PER_TARGET=${1:-300}; shift || true
ROOT=$(pwd)
S=$ROOT/.build-fuzz
R=$S/release
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=(mt940 camt053 pain001 nacha x12 csv tw-einvoice gl-csv)
MODULES=(Canonical FormatKit Mapping XMLSupport MT940 ISO20022 NACHA X12 CSVFormat GLFormats TWEInvoice)
# ../shared/corpus beside the checkout (../../shared/corpus from a worktree under wt/), if present.
CORPUS=$ROOT/../shared/corpus; [ -d "$CORPUS" ] || CORPUS=$ROOT/../../shared/corpus

mkdir -p "$S"
for m in Mapping MT940 ISO20022 NACHA X12 CSVFormat GLFormats TWEInvoice; do
  swift build -c release --scratch-path "$S" -Xswiftc -sanitize=fuzzer,address --target "$m" >"$S/build-$m.log" 2>&1 \
    || { cat "$S/build-$m.log"; echo "fuzz: building $m with -sanitize=fuzzer,address FAILED" >&2; exit 1; }
done
OBJECTS=()
for m in "${MODULES[@]}" Yams CYaml; do
  while IFS= read -r o; do OBJECTS+=("$o"); done < <(find "$R/$m.build" -name '*.o')
done
CYAML_MAP=$(find "$S/checkouts/Yams" -path '*CYaml/include/module.modulemap' | head -1)

seeds() {  # the seed folders of a target (samples/, ../shared/corpus/ when present, own fixtures)
  local dirs=()
  case $1 in
    mt940) dirs=(samples/acme-bank/mt940 "$CORPUS/mt940" Tests/Fixtures/hostile) ;;
    camt053|pain001) dirs=("$CORPUS/xsd/iso20022" Tests/Fixtures/hostile) ;;
    nacha) dirs=("$CORPUS/ach") ;;
    x12) dirs=(samples/globex/edi "$CORPUS/x12") ;;
    csv) dirs=(samples/acme-bank/statements samples/acme-bank/payments samples/northwind/invoices samples/acme-payroll/payroll "$CORPUS/csv") ;;
    tw-einvoice) dirs=(samples/tw-einvoice/results "$CORPUS/xsd/tw-einvoice") ;;
    gl-csv) dirs=(Tests/Fuzz/seeds/gl-csv) ;;
  esac
  for d in "${dirs[@]}"; do [ -d "$d" ] && echo "$d"; done
}

mkdir -p "$S/fuzzers"
export LSAN_OPTIONS="suppressions=$ROOT/Tests/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
status=0
for t in "${TARGETS[@]}"; do
  bin=$S/fuzzers/fuzz-$t
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Fuzz -I "$R/Modules" \
    -Xcc -fmodule-map-file="$ROOT/Sources/CLibXML2/module.modulemap" -Xcc -I/usr/include/libxml2 \
    -Xcc -fmodule-map-file="$CYAML_MAP" \
    Tests/Fuzz/Common.swift "Tests/Fuzz/fuzz-$t.swift" "${OBJECTS[@]}" -lxml2 -o "$bin" 2>"$S/link-$t.log" \
    || { grep -v "Cannot export local symbol" "$S/link-$t.log"; echo "fuzz: linking fuzz-$t FAILED" >&2; exit 1; }
  work=$S/corpus/$t; art=$S/artifacts/$t/; mkdir -p "$work" "$art"
  mapfile -t seedDirs < <(seeds "$t")
  echo "== fuzz-$t: ${SECONDS_PER_TARGET}s, seeds: ${seedDirs[*]:-none}"
  if "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$art" "$work" "${seedDirs[@]}" >"$S/run-$t.log" 2>&1; then
    { grep -E "^#[0-9]+[[:space:]]+DONE" "$S/run-$t.log" || true; } | tail -1 | sed "s/^/fuzz-$t: /"
    { grep -E "stat::(number_of_executed_units|average_exec_per_sec)" "$S/run-$t.log" || true; } | tr '\n' ' '; echo
  else
    status=1
    tail -40 "$S/run-$t.log"
    echo "fuzz-$t: CRASH or TIMEOUT — input saved under $art (add it to Tests/Fixtures/hostile with a regression test)" >&2
  fi
done
exit $status
