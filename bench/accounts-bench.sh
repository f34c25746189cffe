#!/usr/bin/env bash
# bench/accounts-bench.sh — what an account costs (issue 15).
#
#   bench/accounts-bench.sh             1,000 accounts of 50 messages, and memory at 250..2,000
#   BENCH_RUNS=9 bench/accounts-bench.sh
#   BENCH_MP=/path/to/mailpreflight bench/accounts-bench.sh   that binary, build nothing
#
# 1. Overhead per account: the same 50,000 messages (bench/gen-accounts.py,
#    byte for byte) scanned as 1,000 accounts (`scan --accounts-dir users`)
#    and as one mailbox (`scan one/Maildir`), the two commands run in turn
#    (A B A B ...) BENCH_RUNS times with --jobs 2; the per-account overhead is
#    the median of the pairwise differences divided by 1,000, in wall time and
#    in CPU time (user + system: steadier on a shared machine). Goal: <= 1 ms.
# 2. Peak memory by number of accounts: 250, 500, 1,000 and 2,000 accounts of
#    50 messages, peak RSS (/usr/bin/time %M). Goal: flat.
# Builds build-bench (--buildtype=release) unless BENCH_MP is given. Needs
# python3 and /usr/bin/time. Prints markdown.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
RUNS=${BENCH_RUNS:-7}
DIR=${BENCH_DIR:-$(mktemp -d /var/tmp/mp-accounts-bench.XXXXXX)}
if [ -z "${BENCH_MP:-}" ]; then
	[ -d build-bench ] || meson setup build-bench --buildtype=release >/dev/null
	ninja -C build-bench cli/mailpreflight >/dev/null
	MP=$ROOT/build-bench/cli/mailpreflight
else
	MP=$BENCH_MP
fi
ASOF=2026-01-31

gen () { [ -d "$DIR/$1" ] || python3 bench/gen-accounts.py "$DIR/$1" "$1" 50; }
# one run: prints "wall_seconds peak_kb cpu_seconds"
timed () {
	/usr/bin/time -f '%e %M %U %S' -o "$DIR/time.out" "$@" >/dev/null 2>&1 || true
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$DIR/time.out"
}

gen 1000
echo "## Per-account overhead: 1,000 accounts x 50 messages vs the same 50,000 messages as one mailbox"
echo
echo "| run | accounts: wall, CPU (s) | one mailbox: wall, CPU (s) | difference: wall, CPU (s) |"
echo "|---|---|---|---|"
diffs=()
cdiffs=()
for _ in 1 2; do # warm the page cache
	timed "$MP" scan -q -j 2 --as-of $ASOF --fail-on never --accounts-dir "$DIR/1000/users" >/dev/null
	timed "$MP" scan -q -j 2 --as-of $ASOF --fail-on never "$DIR/1000/one/Maildir" >/dev/null
done
for r in $(seq 1 "$RUNS"); do
	ra=$(timed "$MP" scan -q -j 2 --as-of $ASOF --fail-on never --accounts-dir "$DIR/1000/users")
	rb=$(timed "$MP" scan -q -j 2 --as-of $ASOF --fail-on never "$DIR/1000/one/Maildir")
	a=$(echo "$ra" | cut -d' ' -f1); ac=$(echo "$ra" | cut -d' ' -f3)
	b=$(echo "$rb" | cut -d' ' -f1); bc=$(echo "$rb" | cut -d' ' -f3)
	d=$(python3 -c "print('%.3f' % ($a - $b))")
	dc=$(python3 -c "print('%.3f' % ($ac - $bc))")
	diffs+=("$d")
	cdiffs+=("$dc")
	echo "| $r | $a, $ac | $b, $bc | $d, $dc |"
done
echo
python3 - "${diffs[*]}" "${cdiffs[*]}" <<'PY'
import statistics, sys
for what, arg in (("wall", sys.argv[1]), ("CPU", sys.argv[2])):
    d = sorted(float(x) for x in arg.split())
    m = statistics.median(d)
    print("Median %s difference %.3f s over 1,000 accounts: **%.2f ms per account** (min %.2f, max %.2f ms)."
          % (what, m, m, d[0], d[-1]))
PY
echo
echo "## Peak memory by number of accounts (50 messages each, --jobs 2)"
echo
echo "| accounts | messages | wall (s) | peak RSS (MB) |"
echo "|---|---|---|---|"
for n in 250 500 1000 2000; do
	gen $n
	best=""
	for _ in 1 2 3; do
		out=$(timed "$MP" scan -q -j 2 --as-of $ASOF --fail-on never --accounts-dir "$DIR/$n/users" \
			--accounts-csv /dev/null --json /dev/null --html /dev/null)
		best="$best$out\n"
	done
	printf "$best" | python3 -c "
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
w = sorted(float(r[0]) for r in rows)[len(rows) // 2]
m = max(int(r[1]) for r in rows) / 1024
print('| %d | %d | %.2f | %.1f |' % ($n, $n * 50, w, m))"
done
echo
echo "(mail in $DIR; remove it when done)"
