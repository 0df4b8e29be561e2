"""Benchmarks for the gateway path (run by `make bench`; figures, not pass/fail tests).

1. 2,000 small CSV files dropped at once into a running gateway (worker processes): files/s until
   all committed, and each file's latency from its drop to the ledger's `archived` commit.
2. 200 single drops one after another: p50/p99 latency from the rename into the inbox to the
   ledger's commit of `archived` (the ledger's own timestamp).
3. One 100 MB CSV dropped: MB/s from the drop to committed (ledger rows + JSON Lines export).
4. One 1 GB X12 file (850s) dropped: peak RSS of the gateway and of its worker (VmHWM).
5. `dropgate translate` of a generated 100 MB CSV: MB/s and peak RSS (flat memory check: also 10 MB).

    python3 Benchmarks/gateway.py BIN [burst latency bigcsv x12 translate]
DROPGATE_BENCH_YAML: more top-level YAML for every home (Benchmarks/events.sh adds `events:`).
"""
import os, sqlite3, subprocess, sys, tempfile, time, datetime, shutil

BIN = sys.argv[1]
ONLY = set(sys.argv[2:])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = "Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id\n"
ROW = "outbound,2026-11-23,{0}.{1:02d},EUR,Acme Trading B.V.,\"Creditor, number {0}\",E2E-{0}\n"

def home(extra=""):
    d = tempfile.mkdtemp(prefix="dropgate-bench-")
    with open(os.path.join(d, "gateway.yaml"), "w") as f:
        f.write(f"""folders: {{ inbox: inbox, outbox: outbox, var: var, mappings: {ROOT}/mappings }}
pickup: {{ minAge: 0ms, pollInterval: 100ms }}
partners:
  bank:
    channels:
      - {{ name: payments, mapping: csv/bank-payment }}
      - {{ name: x12, format: x12 }}
""" + extra + "\n" + os.environ.get("DROPGATE_BENCH_YAML", ""))
    os.makedirs(os.path.join(d, "inbox/bank/payments"))
    os.makedirs(os.path.join(d, "inbox/bank/x12"))
    return d

def drop(inbox, name, i):
    tmp = os.path.join(inbox, "." + name + ".part")
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

def stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()

def start(d):
    p = subprocess.Popen([BIN, "run", "--config", os.path.join(d, "gateway.yaml")], stderr=subprocess.DEVNULL)
    db = os.path.join(d, "var/ledger.sqlite")
    while not os.path.exists(db): time.sleep(0.01)
    time.sleep(0.5)
    return p, db

def stop(p):
    p.terminate(); p.wait()

def hwm(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"): return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0

def workers(pid):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit(): continue
        try:
            args = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"worker" in args and str(pid).encode() in args: out.append(int(p))
    return out

def burst(n=2000):
    d = home(); inbox = os.path.join(d, "inbox/bank/payments")
    p, db = start(d)
    dropped = {}
    t0 = time.time()
    for i in range(n):
        dropped[f"f{i}.csv"] = time.time()
        drop(inbox, f"f{i}.csv", i)
    while count_done(db) < n:
        if time.time() - t0 > 300: raise SystemExit("burst: timed out")
        time.sleep(0.02)
    elapsed = time.time() - t0
    c = sqlite3.connect(db)
    lat = sorted((stamp(at) - dropped[name]) * 1000 for name, at in c.execute("SELECT name, updatedAt FROM files WHERE state = 'archived'"))
    c.close()
    stop(p)
    shutil.rmtree(d)
    print(f"burst: {n} files dropped at once, all committed in {elapsed:.2f} s = {n/elapsed:.0f} files/s (target >= 1000); "
          f"drop -> archived p50 {lat[len(lat)//2]:.0f} ms, p99 {lat[int(len(lat)*0.99)-1]:.0f} ms (the queue of the burst included)")

def latency(n=200):
    d = home(); inbox = os.path.join(d, "inbox/bank/payments")
    p, db = start(d)
    lat = []
    for i in range(n):
        t0 = time.time()
        drop(inbox, f"s{i}.csv", 100000 + i)
        while count_done(db) < i + 1:
            time.sleep(0.001)
        c = sqlite3.connect(db)
        at = c.execute("SELECT updatedAt FROM files WHERE name = ?", (f"s{i}.csv",)).fetchone()[0]
        c.close()
        lat.append((stamp(at) - t0) * 1000)
    stop(p)
    shutil.rmtree(d)
    lat.sort()
    print(f"single drop -> committed: p50 {lat[len(lat)//2]:.1f} ms, p99 {lat[int(len(lat)*0.99)-1]:.1f} ms, max {lat[-1]:.1f} ms over {n} drops (target p99 < 50 ms)")

def write_csv(path, mb):
    with open(path, "w") as f:
        f.write(HEADER)
        i = 0
        while f.tell() < mb * 1024 * 1024:
            f.write("".join(ROW.format(i + k, (i + k) % 100) for k in range(1000)))
            i += 1000
    return i

def big_csv(mb=100):
    d = home(); inbox = os.path.join(d, "inbox/bank/payments")
    src = os.path.join(d, "big.csv")
    rows = write_csv(src, mb)
    size = os.path.getsize(src)
    p, db = start(d)
    peak = [0, 0]
    t0 = time.time()
    os.rename(src, os.path.join(inbox, "big.csv"))
    while count_done(db) < 1:
        peak[0] = max(peak[0], hwm(p.pid))
        for w in workers(p.pid): peak[1] = max(peak[1], hwm(w))
        if time.time() - t0 > 1800: raise SystemExit("big csv: timed out")
        time.sleep(0.05)
    c = sqlite3.connect(db)
    state, at, n = c.execute("SELECT state, updatedAt, recordCount FROM files").fetchone()
    c.close()
    elapsed = stamp(at) - t0
    stop(p)
    shutil.rmtree(d)
    print(f"gateway csv {size/1e6:.0f} MB ({rows} rows) dropped -> {state} with {n} records (ledger + JSONL): {elapsed:.2f} s = {size/1e6/elapsed:.1f} MB/s "
          f"(target >= 50 MB/s); peak RSS gateway {peak[0]} MB, worker {peak[1]} MB")

def x12(mb=1024):
    d = home(); inbox = os.path.join(d, "inbox/bank/x12")
    src = os.path.join(d, "big.x12")
    subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/x12_generate.py"), src, str(mb)], check=True, stdout=subprocess.DEVNULL)
    size = os.path.getsize(src)
    p, db = start(d)
    peak = [0, 0]
    t0 = time.time()
    os.rename(src, os.path.join(inbox, "big.x12"))
    while count_done(db) < 1:
        peak[0] = max(peak[0], hwm(p.pid))
        for w in workers(p.pid): peak[1] = max(peak[1], hwm(w))
        if time.time() - t0 > 3600: raise SystemExit("x12: timed out")
        time.sleep(0.2)
    c = sqlite3.connect(db)
    state, at, n = c.execute("SELECT state, updatedAt, recordCount FROM files").fetchone()
    c.close()
    elapsed = stamp(at) - t0
    stop(p)
    shutil.rmtree(d)
    print(f"gateway x12 {size/1e6:.0f} MB dropped -> {state} with {n} records in {elapsed:.1f} s = {size/1e6/elapsed:.1f} MB/s; "
          f"peak RSS gateway {peak[0]} MB, worker {peak[1]} MB (target <= 64 MB each)")

def translate(mb):
    d = tempfile.mkdtemp(prefix="dropgate-bench-")
    path = os.path.join(d, "big.csv")
    i = write_csv(path, mb)
    size = os.path.getsize(path)
    t0 = time.time()
    with open(os.devnull, "w") as out:
        p = subprocess.Popen([BIN, "translate", "--mappings", os.path.join(ROOT, "mappings"), "--mapping", "csv/bank-payment", path], stdout=out)
        _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.time() - t0
    shutil.rmtree(d)
    if status != 0: raise SystemExit("translate failed")
    print(f"translate csv {size/1e6:.0f} MB ({i} rows): {elapsed:.2f} s = {size/1e6/elapsed:.1f} MB/s, peak RSS {usage.ru_maxrss/1024:.0f} MB (target >= 50 MB/s, flat memory)")

def want(name): return not ONLY or name in ONLY

if want("burst"): burst()
if want("latency"): latency()
if want("bigcsv"): big_csv(int(os.environ.get("CSV_MB", "100")))
if want("x12"): x12(int(os.environ.get("X12_MB", "1024")))
if want("translate"):
    translate(10)
    translate(100)
