# A multi-statement MT940 file of about SIZE MiB (50 lines a statement, balances that add up),
# for the benchmarks: python3 Benchmarks/mt940_generate.py PATH SIZE_MIB
import sys
path, target = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
with open(path, "w", newline="\r\n") as f:
    n = 0
    while f.tell() < target:
        n += 1
        balance = 100000  # cents
        f.write(f":20:BENCH{n:08d}\n:25:NL91ABNA0417164300\n:28C:{n % 99999}/1\n:60F:C240102EUR{balance // 100},{balance % 100:02d}\n")
        for i in range(50):
            cents = 1000 + (n * 7919 + i * 104729) % 500000
            mark = "D" if i % 3 == 0 else "C"
            balance += -cents if mark == "D" else cents
            f.write(f":61:2401020102{mark}{cents // 100},{cents % 100:02d}NTRFREF{i}//B{n}-{i}\n")
            f.write(f":86:166?00GUTSCHRIFT?20EREF+E2E-{n}-{i}?21SVWZ+Rechnung {i} Kunde {n}?30COBADEFF\n?31DE44500105175407324931?32Max Mustermann\n")
        sign = "C" if balance >= 0 else "D"
        f.write(f":62F:{sign}240102EUR{abs(balance) // 100},{abs(balance) % 100:02d}\n-\n")
