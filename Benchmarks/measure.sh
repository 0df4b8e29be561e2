# Shared by the benchmark scripts (sourced, not run): one line of figures per run, side by side.
#   measure NAME FILE COMMAND…   runs COMMAND under /usr/bin/time -v, stdout into $work/out;
#                                prints wall and CPU seconds, MB/s of FILE (per CPU second: the machine may
#                                be shared) and peak RSS; remembers the CPU seconds
#   ratio NAME_A NAME_B TARGET   prints "NAME_A is X× NAME_B" (B's CPU seconds / A's) and the target
#   scan_limit FILE              `wc -l` on the same file: the speed of just reading it
# Expects $work (a scratch folder).
measure() {
    local name="$1" file="$2"; shift 2
    /usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { tail -n 20 "$work/out" "$work/time"; return 1; }
    awk -F': ' -v n="$name" -v b="$(stat -c %s "$file")" '
        /Elapsed \(wall clock\)/ { k = split($2, a, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + a[i] }
        /User time/ { cpu += $2 } /System time/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 }
        END { if (w <= 0) w = 0.005; if (cpu <= 0) cpu = 0.005
              printf "%-30s %8.3f s wall %8.3f s cpu %9.1f MB/s (cpu) %8.1f MB peak RSS\n", n, w, cpu, b / 1e6 / cpu, rss / 1024
              printf "%s\t%s\n", n, cpu >> ENVIRON["work"] "/seconds" }' "$work/time"
}
seconds_of() { awk -F'\t' -v n="$1" '$1 == n { s = $2 } END { print s }' "$work/seconds"; }
ratio() {
    awk -v a="$1" -v b="$2" -v t="$3" -v sa="$(seconds_of "$1")" -v sb="$(seconds_of "$2")" \
        'BEGIN { printf "ratio: %s is %.1fx %s (target %s)\n", a, sb / sa, b, t }'
}
scan_limit() { measure "wc -l (scan limit)" "$1" wc -l "$1"; }
