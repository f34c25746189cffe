#!/bin/sh
# run-fuzzers.sh [SECONDS] — builds the libFuzzer targets with clang, ASan and
# UBSan and runs each for SECONDS (default 60) on a copy of its seed corpus.
# Prints one line per target; exits non-zero when any target found a crash,
# leak, timeout or out-of-memory, or could not be built.
#
# Environment:
#   FUZZ_BUILD_DIR   build directory (default: BUILD-libfuzzer in the source root)
#   FUZZ_WORK_DIR    where corpora, logs and crash artifacts go (default: a new
#                    temp dir, kept and printed at the end)
#   FUZZ_TARGETS     targets to run (default: all, "mbox-boundary message mime-fast
#                    mime-count plain-field rules csv mutf7 json-read compare imap-parser forward procmail sieve
#                    managesieve fix-split accounts-file backup-manifest compare-merge")
#   FUZZ_ARGS        extra libFuzzer arguments, e.g. "-jobs=4 -workers=4"
# See tests/fuzz/README.md.
set -eu

SECS=${1:-60}
case $SECS in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$SRC/build-libfuzzer}
WORK=${FUZZ_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mp-fuzz.XXXXXX")}
TARGETS=${FUZZ_TARGETS:-mbox-boundary message mime-fast mime-count plain-field rules csv mutf7 json-read compare imap-parser forward procmail sieve managesieve fix-split accounts-file backup-manifest compare-merge}
EXTRA=${FUZZ_ARGS:-}

if ! command -v clang >/dev/null 2>&1; then
	echo "run-fuzzers: clang not found (libFuzzer needs clang and libclang-rt-dev)" >&2
	exit 2
fi

# The product libraries get coverage instrumentation (fuzzer-no-link) and
# both sanitizers; the targets themselves add -fsanitize=fuzzer.
if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" "$SRC" \
		-Dfuzzing=true \
		-Db_sanitize=address,undefined \
		-Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link \
		--buildtype=debugoptimized >"$WORK/setup.log" 2>&1 ||
		{ cat "$WORK/setup.log" >&2; echo "run-fuzzers: meson setup failed" >&2; exit 2; }
fi
# where each target's binary and seed corpus live
exe_of () { case $1 in imap-parser) echo "tests/imap/fuzz-imap-parser" ;; *) echo "tests/fuzz/fuzz-$1" ;; esac; }
corpus_of () { case $1 in imap-parser) echo "$SRC/tests/imap/fuzz-corpus" ;; *) echo "$HERE/corpus/$1" ;; esac; }
ninjatargets=
for t in $TARGETS; do ninjatargets="$ninjatargets $(exe_of "$t")"; done
# shellcheck disable=SC2086
ninja -C "$BUILD" $ninjatargets >"$WORK/build.log" 2>&1 ||
	{ tail -40 "$WORK/build.log" >&2; echo "run-fuzzers: build failed" >&2; exit 2; }

max_len () {
	case $1 in
	mbox-boundary) echo 65536 ;;   # the byte-at-a-time replay is O(n) feeds
	message|mime-fast|mime-count|fix-split) echo 65536 ;;
	rules) echo 4096 ;;
	csv) echo 1024 ;;
	compare) echo 16384 ;;         # fields past the 4 KiB record cut
	mutf7) echo 1024 ;;
	json-read) echo 16384 ;;
	compare-merge) echo 65536 ;;  # seeds are whole documents
	imap-parser) echo 65536 ;;
	forward|procmail|sieve) echo 8192 ;;  # rule files are small; each input is parsed 3-4 times
	managesieve) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export G_DEBUG="${G_DEBUG:-fatal-criticals}"

failed=0
for t in $TARGETS; do
	corpus="$WORK/corpus-$t"
	log="$WORK/$t.log"
	rm -rf "$corpus"
	cp -R "$(corpus_of "$t")" "$corpus"
	dict=
	[ -f "$HERE/$t.dict" ] && dict="-dict=$HERE/$t.dict"
	set +e
	# shellcheck disable=SC2086
	"$BUILD/$(exe_of "$t")" \
		-max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -print_final_stats=1 \
		-artifact_prefix="$WORK/$t-" $dict $EXTRA \
		"$corpus" >"$log" 2>&1
	rc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{s+=$1} END {print s+0}')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
	files=$(find "$corpus" -type f | wc -l | tr -d ' ')
	artifacts=$(find "$WORK" -maxdepth 1 -name "$t-*" -type f 2>/dev/null | tr '\n' ' ')
	if [ "$rc" -eq 0 ] && [ -z "$artifacts" ]; then
		printf 'fuzz-%-10s OK    %ss  execs=%s  cov=%s  corpus=%s\n' "$t" "$SECS" "$execs" "${cov:-?}" "$files"
	else
		kind=$(grep -o -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-z-]+|runtime error|SUMMARY: [A-Za-z]+: [^ ]+|deadly signal|out-of-memory|timeout' "$log" || echo "exit $rc")
		printf 'fuzz-%-10s FAIL  %s  execs=%s  artifact: %s log: %s\n' "$t" "$kind" "$execs" "${artifacts:-none}" "$log"
		failed=1
	fi
done
echo "run-fuzzers: corpora, logs and artifacts in $WORK"
exit $failed
