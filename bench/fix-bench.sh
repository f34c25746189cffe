#!/usr/bin/env bash
# bench/fix-bench.sh — throughput of `mailpreflight fix split` on a mailbox
# where 10% of the messages must be split (bench/gen-fix-mailbox.py), against
# `cp -r` of the same mailbox (the physical floor of writing a copy), as a
# Maildir and as an mbox; and the peak memory of splitting one message of
# 40, 200 and 400 MB (it must not grow with the message).
#
#   bench/fix-bench.sh                         release build, 1G, best of 3
#   BENCH_SIZE=200M BENCH_RUNS=5 bench/fix-bench.sh
#   BENCH_DIR=/var/tmp/mp-fix-bench bench/fix-bench.sh   keep the mail there (reused)
#   BENCH_MP=/path/to/mailpreflight bench/fix-bench.sh   measure that binary, build nothing
#
# Every command runs on a warm page cache (the source read once before),
# writes a new copy (the previous one removed first, not timed) and is timed
# BENCH_RUNS times with /usr/bin/time; the best wall time, the lowest CPU time
# and the highest peak RSS are kept. A fix makes its copy durable (one
# syncfs) before it renames it into place, so `cp -r` is measured twice: alone,
# and followed by `sync -f` (as durable as the fix's copy). Prints a markdown
# table. Needs python3, /usr/bin/time, about 5x SIZE of free disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SIZE=${BENCH_SIZE:-1G}
RUNS=${BENCH_RUNS:-3}
[ -x /usr/bin/time ] || { echo "fix-bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"; KEEP=1
else
	BENCH_DIR=$(mktemp -d /var/tmp/mp-fix-bench.XXXXXX); KEEP=0
fi
trap '[ "$KEEP" = 1 ] || rm -rf "$BENCH_DIR"' EXIT

if [ -n "${BENCH_MP:-}" ]; then
	MP=$BENCH_MP
else
	echo "fix-bench: building build-bench (release)" >&2
	if [ -d build-bench ]; then
		meson setup --reconfigure build-bench --buildtype=release >"$BENCH_DIR/build.log" 2>&1
	else
		meson setup build-bench --buildtype=release >"$BENCH_DIR/build.log" 2>&1
	fi
	meson compile -C build-bench mailpreflight >>"$BENCH_DIR/build.log" 2>&1
	MP=$ROOT/build-bench/cli/mailpreflight
fi
"$MP" --version >&2

SRC=$BENCH_DIR/mail-$SIZE
if [ ! -d "$SRC/maildir" ]; then
	echo "fix-bench: generating $SIZE in $SRC" >&2
	rm -rf "$SRC"
	python3 bench/gen-fix-mailbox.py "$SIZE" "$SRC" >&2
fi
for m in 40 200 400; do
	[ -s "$BENCH_DIR/one-$m.mbox" ] || python3 bench/gen-fix-mailbox.py --one "$m" "$BENCH_DIR/one-$m.mbox"
done
OUT=$BENCH_DIR/out

# measure NAME CMD...: best wall, lowest cpu, highest peak RSS of RUNS runs,
# each after the output of the last is removed (not timed)
measure () {
	local name=$1; shift
	local best_wall="" best_cpu="" peak=0 i line wall user sys rss
	for i in $(seq "$RUNS"); do
		rm -rf "$OUT" "$OUT-attachments"
		sync
		/usr/bin/time -o "$BENCH_DIR/time.txt" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
		read -r wall user sys rss <"$BENCH_DIR/time.txt"
		cpu=$(echo "$user + $sys" | bc)
		if [ -z "$best_wall" ] || [ "$(echo "$wall < $best_wall" | bc)" = 1 ]; then best_wall=$wall; fi
		if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then best_cpu=$cpu; fi
		[ "$rss" -gt "$peak" ] && peak=$rss
	done
	printf '%s\t%s\t%s\t%s\n' "$name" "$best_wall" "$best_cpu" "$((peak / 1024))"
}

fix_cmd () {   # fix_cmd SOURCE
	echo "$MP" fix split "$1" --out "$OUT" --oversize detach -q --no-progress
}

results=$BENCH_DIR/results.tsv
: >"$results"
for fmt in maildir mbox; do
	src=$SRC/$fmt
	bytes=$(du -sb "$src" | cut -f1)
	cat "$src"/cur/* >/dev/null 2>&1 || cat "$src" >/dev/null   # warm the page cache
	# shellcheck disable=SC2046
	measure "fix split ($fmt)" $(fix_cmd "$src") >>"$results"
	measure "cp -r ($fmt)" cp -r "$src" "$OUT" >>"$results"
	measure "cp -r + sync -f ($fmt)" sh -c "cp -r '$src' '$OUT' && sync -f '$OUT'" >>"$results"
	echo "$fmt $bytes" >>"$BENCH_DIR/bytes"
done
for m in 40 200 400; do
	cat "$BENCH_DIR/one-$m.mbox" >/dev/null
	# shellcheck disable=SC2046
	measure "fix split of one $m MB message" $(fix_cmd "$BENCH_DIR/one-$m.mbox") >>"$results"
done
rm -rf "$OUT" "$OUT-attachments"

echo
echo "| command | wall s | cpu s | MB/s | peak RSS MB |"
echo "|---|---|---|---|---|"
while IFS=$'\t' read -r name wall cpu rss; do
	case $name in
	*maildir*) b=$(awk '$1 == "maildir" {print $2}' "$BENCH_DIR/bytes") ;;
	*mbox*) b=$(awk '$1 == "mbox" {print $2}' "$BENCH_DIR/bytes") ;;
	*) b=$(( $(echo "$name" | tr -dc 0-9) * 1048576 )) ;;
	esac
	printf '| %s | %s | %s | %.0f | %s |\n' "$name" "$wall" "$cpu" "$(echo "$b / 1048576 / $wall" | bc -l)" "$rss"
done <"$results"
