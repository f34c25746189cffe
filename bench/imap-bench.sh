#!/usr/bin/env bash
# bench/imap-bench.sh — how much faster an IMAP audit is than downloading.
#
#   bash bench/imap-bench.sh [MESSAGES]        (default 20000; root, Dovecot installed)
#
# Starts a throw-away Dovecot on 127.0.0.1 (tests/imap-client/dovecot-fixture.py),
# writes MESSAGES generated messages (bench/gen-mbox.py's mix, from its mbox
# output split into Maildir files) straight into the test user's Maildir,
# lets Dovecot index them once, then times, best of 3:
#   - mailpreflight scan imaps://... (metadata only: RFC822.SIZE, BODYSTRUCTURE)
#   - the same with --rules generic, whose line-length rule (10,000) makes it
#     download the parts that could hold a long line (content checks); the
#     JSON's totals say how much was downloaded
#   - bench/imap-download.py: a straightforward Python imaplib script that
#     downloads every message (BODY.PEEK[]) and counts the same things
# and prints both and the ratio. Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
BUILD=${BUILD:-build-bench}
[ -x "$BUILD/cli/mailpreflight" ] || { meson setup "$BUILD" --buildtype=release >/dev/null; }
meson compile -C "$BUILD" >/dev/null
BIN=$BUILD/cli/mailpreflight

D=$(mktemp -d /tmp/mp-imapbench.XXXXXX)
chmod 755 "$D"
trap 'python3 tests/imap-client/dovecot-fixture.py stop "$D" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
python3 tests/imap-client/dovecot-fixture.py start "$D" | tail -1 > "$D/info.json"
PORT=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['imaps_port'])" "$D/info.json")
CA=$D/tls/ca.pem
export MAILPREFLIGHT_PASSWORD=secret

# messages: N from the benchmark generator, as Maildir files of user alice
python3 - "$D" "$N" <<'PY'
import os, sys, subprocess, pwd
d, n = sys.argv[1], int(sys.argv[2])
mbox = os.path.join(d, "gen.mbox")
# the generator's mix averages about 100 KB a message; a few more than
# needed are made and the first N kept
subprocess.run([sys.executable, "bench/gen-mbox.py", "--size", "%dK" % (n * 110), "-o", mbox,
                "--seed", "7"], check=True, stdout=subprocess.DEVNULL)
cur = os.path.join(d, "mail", "alice", "cur")
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(d, "mail", "alice", sub), exist_ok=True)
count, msg = 0, []
def flush():
    global count, msg
    if msg and count < n:
        with open(os.path.join(cur, "%d.M%dP1.bench:2,S" % (1500000000 + count, count)), "wb") as f:
            f.write(b"".join(msg))
        count += 1
    msg = []
prev_empty = True
with open(mbox, "rb") as f:
    for line in f:
        if line.startswith(b"From ") and prev_empty:
            if msg and msg[-1] == b"\n":
                msg.pop()
            flush()
        else:
            msg.append(line[1:] if line.startswith(b">From ") else line)
        prev_empty = line in (b"\n", b"\r\n")
if msg and msg[-1] == b"\n":
    msg.pop()
flush()
uid = pwd.getpwnam("vmail").pw_uid
for root, dirs, files in os.walk(os.path.join(d, "mail")):
    for x in dirs + files:
        os.chown(os.path.join(root, x), uid, uid)
os.unlink(mbox)
print("messages written:", count)
open(os.path.join(d, "count"), "w").write(str(count))
PY
N=$(cat "$D/count")
BYTES=$(du -sb "$D/mail/alice/cur" | cut -f1)
# one scan so Dovecot builds its index and cache: both contenders then read warm
"$BIN" scan -q --no-progress --fail-on never --ca-file "$CA" "imaps://alice@127.0.0.1:$PORT/INBOX" >/dev/null

best () {  # best wall time of 3 runs of "$@"
	local best=999999
	for _ in 1 2 3; do
		local t0 t1
		t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
		best=$(python3 -c "print(min($best, $t1 - $t0))")
	done
	echo "$best"
}
T_SCAN=$(best "$BIN" scan -q --no-progress --fail-on never --ca-file "$CA" "imaps://alice@127.0.0.1:$PORT/INBOX")
T_CONTENT=$(best "$BIN" scan -q --no-progress --fail-on never --rules generic --json "$D/content.json" \
	--ca-file "$CA" "imaps://alice@127.0.0.1:$PORT/INBOX")
T_PY=$(best python3 bench/imap-download.py 127.0.0.1 "$PORT" "$CA" alice)
python3 - "$N" "$BYTES" "$T_SCAN" "$T_PY" "$T_CONTENT" "$D/content.json" <<'PY'
import json, sys
n, b, ts, tp, tc = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
dl = json.load(open(sys.argv[6]))["totals"]["downloaded"]
print("IMAP audit of %d messages (%.0f MB) on a local Dovecot, best of 3:" % (n, b / 2**20))
print("  %-48s %8.2f s  %8.0f msgs/s" % ("mailpreflight scan imaps:// (metadata)", ts, n / ts))
print("  %-48s %8.2f s  %8.0f msgs/s" % ("mailpreflight scan --rules generic (content)", tc, n / tc))
print("    downloaded for line-length: %d messages (%d whole), %.0f MB of %.0f MB"
      % (dl["messages"], dl["whole"], dl["octets"] / 2**20, b / 2**20))
print("  %-48s %8.2f s  %8.0f msgs/s" % ("python imaplib, BODY.PEEK[] of each", tp, n / tp))
print("  ratio: mailpreflight is %.1fx faster (metadata), %.1fx with content checks" % (tp / ts, tp / tc))
PY
