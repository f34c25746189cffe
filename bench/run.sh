#!/usr/bin/env bash
# bench/run.sh — throughput and peak memory of `mailpreflight scan` on mboxes,
# next to `cat` and `grep -c '^From '` as the I/O and line-scan baselines.
#
#   bench/run.sh                     release build, 100M and 1G mboxes, best of 3
#   BENCH_DIR=/var/tmp/mp bench/run.sh    keep the generated mboxes there (reused)
#   BENCH_SIZES="100M" BENCH_RUNS=5 bench/run.sh
#   BENCH_MP=/path/to/mailpreflight bench/run.sh   measure that binary, build nothing
#
# Builds build-bench (--buildtype=release), generates the mboxes with
# bench/gen-mbox.py (seed 1: the same bytes everywhere), reads each once to
# warm the page cache, then times every command BENCH_RUNS times and keeps the
# best wall time; peak RSS is the largest of the runs (/usr/bin/time %M).
# MB = 1024*1024 bytes. Prints a markdown table; also written to
# $BENCH_DIR/results.md. Needs: python3, /usr/bin/time (tools/install-deps).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SIZES=${BENCH_SIZES:-"100M 1G"}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-1}
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing: apt-get install time (tools/install-deps)" >&2; exit 1; }

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"; KEEP=1
else
	BENCH_DIR=$(mktemp -d /var/tmp/mp-bench.XXXXXX); KEEP=0
fi
trap '[ "$KEEP" = 1 ] || rm -rf "$BENCH_DIR"' EXIT

if [ -n "${BENCH_MP:-}" ]; then
	MP=$BENCH_MP   # a binary built elsewhere: measure it as it is
else
	echo "bench: building build-bench (release)" >&2
	blog=$BENCH_DIR/build.log
	if [ -d build-bench ]; then
		meson setup --reconfigure build-bench --buildtype=release >"$blog" 2>&1 || build_failed=1
	else
		meson setup build-bench --buildtype=release >"$blog" 2>&1 || build_failed=1
	fi
	[ -n "${build_failed:-}" ] || meson compile -C build-bench mailpreflight >>"$blog" 2>&1 || build_failed=1
	if [ -n "${build_failed:-}" ]; then
		echo "bench: ERROR: the release build failed; last lines of $blog:" >&2
		grep -E 'error|ERROR|FAILED' "$blog" | head -20 >&2
		KEEP=1; exit 1
	fi
	MP=$ROOT/build-bench/cli/mailpreflight
fi
"$MP" --version >&2

RES=$BENCH_DIR/results.tsv
: >"$RES"

# measure LABEL FILE CMD... : best wall time (ns clock) and max peak RSS of RUNS runs
measure () {
	local label=$1 file=$2; shift 2
	local best="" rss=0 cpu="" i t0 t1 wall m c out=$BENCH_DIR/stdout.out
	# cat's output goes to /dev/null (the spec: `cat > /dev/null`); every other command's
	# to a file, since GNU grep stops at the first match when its output is /dev/null
	[ "$label" = cat ] && out=/dev/null
	"$@" >"$out" 2>&1 || true    # one untimed run: warm cache, warm binary
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %M %U %S' -o "$BENCH_DIR/time.out" "$@" >"$out" 2>"$BENCH_DIR/stderr.out" || {
			rc=$?; [ "$rc" -le 1 ] || { echo "bench: '$*' failed ($rc):" >&2; cat "$BENCH_DIR/stderr.out" >&2; exit 1; }; }
		t1=$(date +%s%N)
		wall=$(( t1 - t0 ))
		m=$(awk 'END { print $2 }' "$BENCH_DIR/time.out")
		c=$(awk 'END { printf "%d", ($3 + $4) * 1000 }' "$BENCH_DIR/time.out")   # user+sys, ms
		[ -z "$best" ] || [ "$wall" -lt "$best" ] && best=$wall
		[ -z "$cpu" ] || [ "$c" -lt "$cpu" ] && cpu=$c
		[ "$m" -gt "$rss" ] && rss=$m
	done
	printf '%s\t%s\t%s\t%s\t%s\n' "$(basename "$file")" "$label" "$best" "$rss" "$cpu" >>"$RES"
	printf 'bench: %-22s %-26s wall %8.3f s  cpu %7.2f s  %7d KB\n' "$(basename "$file")" "$label" \
		"$(python3 -c "print($best/1e9)")" "$(python3 -c "print($cpu/1e3)")" "$rss" >&2
}

for size in $SIZES; do
	f=$BENCH_DIR/mbox-$size-seed$SEED.mbox
	if [ ! -s "$f" ]; then
		echo "bench: generating $f" >&2
		python3 bench/gen-mbox.py --size "$size" --seed "$SEED" -o "$f.tmp"
		mv "$f.tmp" "$f"
	fi
	cat "$f" >/dev/null
	msgs=$(grep -c '^From ' "$f")
	printf '%s\t#msgs\t%s\t%s\t-\n' "$(basename "$f")" "$msgs" "$(stat -c %s "$f")" >>"$RES"
	measure "cat" "$f" cat "$f"
	measure "grep -c '^From '" "$f" grep -c '^From ' "$f"
	for j in 1 2; do
		measure "mailpreflight --jobs $j" "$f" "$MP" scan -q --no-progress --fail-on never --jobs "$j" \
			--inventory "$BENCH_DIR/inventory.csv" "$f"
	done
done

python3 - "$RES" "$RUNS" <<'PY' | tee "$BENCH_DIR/results.md"
import sys
rows, info = [], {}
for line in open(sys.argv[1]):
    f, label, a, b, c = line.rstrip("\n").split("\t")
    if label == "#msgs":
        info[f] = (int(a), int(b))
    else:
        rows.append((f, label, int(a) / 1e9, int(b), int(c) / 1e3))
print(f"| mbox | size (MB) | messages | command | wall s (best of {sys.argv[2]}) | MB/s | msgs/s | CPU s (user+sys) | peak RSS (MB) | time / grep |")
print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
for f, label, t, rss, cpu in rows:
    msgs, size = info[f]
    grep_t = next(x[2] for x in rows if x[0] == f and x[1].startswith("grep"))
    mb = size / 1048576
    print(f"| {f} | {mb:.0f} | {msgs} | `{label}` | {t:.3f} | {mb / t:.0f} | {msgs / t:.0f} | {cpu:.2f} | {rss / 1024:.1f} | {t / grep_t:.1f} |")
PY
