"""Benchmarks for the gateway spine (run by `make bench`; figures, not pass/fail tests).

1. 2,000 small CSV files dropped at once into a running gateway: files/s until all committed.
2. 200 single drops one after another: p50/p99 latency from the rename into the inbox to the
   ledger's commit of `archived` (the ledger's own timestamp).
3. `dropgate translate` of a generated 100 MB CSV: MB/s and peak RSS (flat memory check: also 10 MB).
"""
import os, sqlite3, subprocess, sys, tempfile, time, datetime, shutil

BIN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = "Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id\n"

def home():
    d = tempfile.mkdtemp(prefix="dropgate-bench-")
    with open(os.path.join(d, "gateway.yaml"), "w") as f:
        f.write(f"""folders: {{ inbox: inbox, outbox: outbox, var: var, mappings: {ROOT}/mappings }}
pickup: {{ minAge: 0ms, pollInterval: 100ms }}
partners:
  bank:
    channels:
      - {{ name: payments, mapping: csv/bank-payment }}
""")
    os.makedirs(os.path.join(d, "inbox/bank/payments"))
    return d

def drop(inbox, name, i):
    tmp = os.path.join(inbox, name + ".part")
    with open(tmp, "w") as f:
        f.write(HEADER + f"outbound,2026-11-23,{i}.00,EUR,Acme,Creditor {i},E2E-{i}\n")
    os.rename(tmp, os.path.join(inbox, name))

def count_done(db):
    try:
        c = sqlite3.connect(db, timeout=5)
        n = c.execute("SELECT COUNT(*) FROM files WHERE state IN ('archived','duplicate','quarantined')").fetchone()[0]
        c.close()
        return n
    except sqlite3.OperationalError:
        return 0

def start(d):
    return subprocess.Popen([BIN, "run", "--config", os.path.join(d, "gateway.yaml")], stderr=subprocess.DEVNULL)

def burst(n=2000):
    d = home(); inbox = os.path.join(d, "inbox/bank/payments"); db = os.path.join(d, "var/ledger.sqlite")
    p = start(d)
    while not os.path.exists(db): time.sleep(0.01)
    time.sleep(0.3)
    t0 = time.time()
    for i in range(n): drop(inbox, f"f{i}.csv", i)
    while count_done(db) < n:
        if time.time() - t0 > 300: raise SystemExit("burst: timed out")
        time.sleep(0.02)
    elapsed = time.time() - t0
    p.terminate(); p.wait()
    shutil.rmtree(d)
    print(f"burst: {n} files dropped at once, all committed in {elapsed:.2f} s = {n/elapsed:.0f} files/s (target >= 500)")

def latency(n=200):
    d = home(); inbox = os.path.join(d, "inbox/bank/payments"); db = os.path.join(d, "var/ledger.sqlite")
    p = start(d)
    while not os.path.exists(db): time.sleep(0.01)
    time.sleep(0.3)
    lat = []
    for i in range(n):
        t0 = time.time()
        drop(inbox, f"s{i}.csv", 100000 + i)
        while count_done(db) < i + 1:
            time.sleep(0.001)
        c = sqlite3.connect(db)
        at = c.execute("SELECT updatedAt FROM files WHERE name = ?", (f"s{i}.csv",)).fetchone()[0]
        c.close()
        committed = datetime.datetime.strptime(at, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
        lat.append((committed - t0) * 1000)
    p.terminate(); p.wait()
    shutil.rmtree(d)
    lat.sort()
    print(f"single drop -> committed: p50 {lat[len(lat)//2]:.1f} ms, p99 {lat[int(len(lat)*0.99)-1]:.1f} ms, max {lat[-1]:.1f} ms over {n} drops (target p99 < 250 ms)")

def translate(mb):
    d = tempfile.mkdtemp(prefix="dropgate-bench-")
    path = os.path.join(d, "big.csv")
    line = "outbound,2026-11-23,{0}.{1:02d},EUR,Acme Trading B.V.,\"Creditor, number {0}\",E2E-{0}\n"
    with open(path, "w") as f:
        f.write(HEADER)
        i = 0
        while f.tell() < mb * 1024 * 1024:
            f.write("".join(line.format(i + k, (i + k) % 100) for k in range(1000)))
            i += 1000
    size = os.path.getsize(path)
    t0 = time.time()
    with open(os.devnull, "w") as out:
        p = subprocess.Popen([BIN, "translate", "--mappings", os.path.join(ROOT, "mappings"), "--mapping", "csv/bank-payment", path], stdout=out)
        _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.time() - t0
    shutil.rmtree(d)
    if status != 0: raise SystemExit("translate failed")
    print(f"translate csv {size/1e6:.0f} MB ({i} rows): {elapsed:.2f} s = {size/1e6/elapsed:.1f} MB/s, peak RSS {usage.ru_maxrss/1024:.0f} MB (target >= 50 MB/s, flat memory)")

burst()
latency()
translate(10)
translate(100)
