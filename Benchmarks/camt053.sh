#!/usr/bin/env bash
# camt.053 translate: a generated ~50 MB BankToCustomerStatement (statements of 100 entries) through
# `dropgate translate`, next to `wc -l` on the same file (no Python peer: none reads camt.053 whole).
#   Benchmarks/camt053.sh [MB]        (default 50; DROPGATE_BIN picks the binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size_mb="${1:-50}"
export work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
. "$root/Benchmarks/measure.sh"
bin="${DROPGATE_BIN:-$(swift build -c release --show-bin-path --package-path "$root")/dropgate}"
python3 - "$work/statements.xml" "$size_mb" <<'PY'
import sys
path, target = sys.argv[1], int(sys.argv[2]) * 1_000_000
def bal(code, cents, date):
    ind = "CRDT" if cents >= 0 else "DBIT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{abs(cents) // 100}.{abs(cents) % 100:02d}</Amt>"
            f"<CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>\n")
with open(path, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>\n'
            "<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-11-30T18:00:00</CreDtTm></GrpHdr>\n")
    n = 0
    while f.tell() < target:
        n += 1
        balance = 100000
        entries = []
        for i in range(100):
            cents = 1000 + (n * 7919 + i * 104729) % 500000
            if i % 3 == 0: cents = -cents
            balance += cents
            ind = "CRDT" if cents >= 0 else "DBIT"
            entries.append(f"<Ntry><Amt Ccy=\"EUR\">{abs(cents) // 100}.{abs(cents) % 100:02d}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts>BOOK</Sts>"
                           f"<BookgDt><Dt>2026-11-30</Dt></BookgDt><ValDt><Dt>2026-11-30</Dt></ValDt>"
                           f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
                           f"<NtryDtls><TxDtls><Refs><EndToEndId>E2E-{n}-{i}</EndToEndId></Refs><RltdPties><Dbtr><Nm>Customer {i}</Nm></Dbtr>"
                           f"<DbtrAcct><Id><IBAN>DE44500105175407324931</IBAN></Id></DbtrAcct></RltdPties>"
                           f"<RmtInf><Ustrd>Invoice {n}-{i}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n")
        f.write(f"<Stmt><Id>STMT{n:08d}</Id><ElctrncSeqNb>{n}</ElctrncSeqNb><CreDtTm>2026-11-30T18:00:00</CreDtTm>"
                f"<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
                + bal("OPBD", 100000, "2026-11-29") + bal("CLBD", balance, "2026-11-30") + "".join(entries) + "</Stmt>\n")
    f.write("</BkToCstmrStmt></Document>\n")
PY
echo "file: $(stat -c %s "$work/statements.xml") bytes"
measure "dropgate translate" "$work/statements.xml" "$bin" translate --mappings "$root/mappings" --format camt053 "$work/statements.xml"
echo "records: $(wc -l <"$work/out"), balance mismatches: $(grep -c balanceMismatch "$work/out" || true)"
scan_limit "$work/statements.xml"
echo "target: dropgate translate >= 50 MB/s (>= 100 MB/s on one core)"
