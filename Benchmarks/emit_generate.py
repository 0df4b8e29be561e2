#!/usr/bin/env python3
"""Inputs for Benchmarks/emit.sh: canonical outbound payments (JSON Lines) for `dropgate emit`,
and a shop's invoice CSV (mapping csv/tw-invoice) for the e-invoice release.

    emit_generate.py nacha N FILE      N ACH payroll credits (PPD, one company, four receiving banks)
    emit_generate.py pain001 N FILE    N SEPA credit transfers from two debtor accounts, IBANs valid
    emit_generate.py einvoice N FILE   N one-line B2C invoices (F0401 under MIG 4.1)
"""
import json
import sys


def record(i, body):
    return json.dumps({"schema": "dropgate/1", "type": "payment", "id": "bench-%d" % i, **body},
                      ensure_ascii=False, separators=(",", ":"))


def nacha(n, out):
    company = {"name": "ACME PAYROLL", "agent": "231380104"}
    rdfis = ["121042882", "091000019", "021000021", "011401533"]
    for i in range(1, n + 1):
        amount = 100 + i % 99_999
        body = {
            "direction": "outbound", "method": "ach", "amount": "%d.%02d" % (amount // 100, amount % 100),
            "currency": "USD", "executionDate": "2025-03-17",
            "debtor": company,
            "creditor": {"name": "EMPLOYEE %d" % i, "account": "ACCT%d" % i, "agent": rdfis[i % 4]},
            "endToEndId": "EMP%d" % i,
            "ach": {"secCode": "PPD", "transactionCode": "22", "traceNumber": "", "companyId": "1234567890",
                    "companyEntryDescription": "PAYROLL", "addenda": []},
        }
        out.write(record(i, body) + "\n")


def iban(country, bban):
    digits = "".join(str(int(c, 36)) for c in bban + country) + "00"
    return "%s%02d%s" % (country, 98 - int(digits) % 97, bban)


def pain001(n, out):
    debtors = [{"name": "Acme Trading GmbH", "account": iban("DE", "370400440532013000"), "agent": "COBADEFFXXX"},
               {"name": "Acme Trading GmbH", "account": iban("DE", "500105175407324931"), "agent": "INGDDEFFXXX"}]
    for i in range(1, n + 1):
        amount = 100 + i % 99_999
        body = {
            "direction": "outbound", "method": "sepa-credit-transfer", "amount": "%d.%02d" % (amount // 100, amount % 100),
            "currency": "EUR", "executionDate": "2025-03-17",
            "debtor": debtors[i % 2],
            "creditor": {"name": "Lieferant %d Müller & Söhne" % i, "account": iban("DE", "%08d%010d" % (10010010, i)),
                         "agent": "PBNKDEFFXXX"},
            "endToEndId": "E2E-%d" % i,
            "remittance": "Rechnung %d vom 01.03.2025" % i,
        }
        out.write(record(i, body) + "\n")


def einvoice(n, out):
    out.write("Kind,Invoice,Date,Time,Currency,Seller VAT,Seller,Buyer VAT,Buyer,Tax type,Tax rate,Net,Tax,Total,"
              "Random number,Original,Original date,Reason,Line,Description,Quantity,Unit,Unit price,Line amount\n")
    for i in range(1, n + 1):
        amount = 50 + i % 100
        out.write("Invoice,LY%08d,2024-03-15,10:15:00,TWD,24634102,何六百有限公司,0000000000,,1,0.05,%d,0,%d,%04d,,,,1,鮮奶茶,1,杯,%d,%d\n"
                  % (42_140_000 + i, amount, amount, i % 10_000, amount, amount))


if __name__ == "__main__":
    kind, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "w", encoding="utf-8") as f:
        {"nacha": nacha, "pain001": pain001, "einvoice": einvoice}[kind](count, f)
