#!/bin/sh
# capture-dovecot.sh — regenerates tests/imap/data/*.fetch: the raw FETCH
# response a real Dovecot (dovecot-imapd, Debian 12: 2.3.19) sends for each
# tests/imap/data/*.eml, so the BODYSTRUCTURE walker is tested on what a
# server really returns, not on what we think it returns.
#
# Runs Dovecot's `imap` binary in PREAUTH mode over stdio
# (GMIME-IMAP-FACTS §9): no daemon, no port, no /etc/dovecot. Dovecot refuses
# to access mail as root, so the mail belongs to an unprivileged user
# (default: nobody) and lives in a temp directory that user can traverse.
#
#   usage: tests/imap/capture-dovecot.sh [USER]     (as root)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data="$here/data"
user=${1:-nobody}
imap=/usr/lib/dovecot/imap
[ -x "$imap" ] || { echo "no $imap: apt-get install dovecot-imapd" >&2; exit 77; }

tmp=$(mktemp -d /tmp/mp-dovecot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir -p "$tmp/Maildir/cur" "$tmp/Maildir/new" "$tmp/Maildir/tmp"
cat > "$tmp/dovecot.conf" <<EOF
mail_location = maildir:$tmp/Maildir
log_path = /dev/stderr
ssl = no
EOF

# One message per file in cur/, named so Dovecot keeps the order (UID 1 = the
# first .eml in sort order).
n=0
names=""
for f in "$data"/*.eml; do
	n=$((n + 1))
	cp "$f" "$tmp/Maildir/cur/$((1000000000 + n)).M1P1.mp:2,"
	names="$names $(basename "$f" .eml)"
done
chown -R "$user" "$tmp"

printf 'a EXAMINE INBOX\r\nb UID FETCH 1:* (UID RFC822.SIZE FLAGS BODYSTRUCTURE)\r\nc LOGOUT\r\n' |
	runuser -u "$user" -- env -i USER=mp HOME="$tmp" PATH=/usr/bin:/bin \
		"$imap" -c "$tmp/dovecot.conf" > "$tmp/transcript"

# Split the transcript: the FETCH response for UID i (one line, or several
# when Dovecot sends literals) goes to data/<i-th name>.fetch.
i=0
for name in $names; do
	i=$((i + 1))
	awk -v uid="$i" '
		/^\* [0-9]+ FETCH / { on = ($0 ~ ("\\(UID " uid " ")) }
		/^[a-z] (OK|NO|BAD)/ { on = 0 }
		on { print }
	' "$tmp/transcript" > "$data/$name.fetch"
	[ -s "$data/$name.fetch" ] || { echo "no FETCH for $name" >&2; exit 1; }
done
grep -E '^(\* PREAUTH|b OK)' "$tmp/transcript" | tr -d '\r' >&2
echo "captured $i responses into $data" >&2
