#!/bin/sh
# demo.sh — the end of `make demo`: the demo's digests delivered by mail to
# a local SMTP server, and one of them shown as it arrived.
#
#   tests/deliver/demo.sh VIGIL DB DIR
#
# Starts tests/deliver/smtpd.py (Debian's python3-aiosmtpd) on 127.0.0.1 on
# a free port, saving into DIR/mail; writes DIR/deliver.conf for it; runs
# `vigil deliver`; prints one received message briefly (show_mail.py); stops
# the server, also when something fails.  Robin Reyes (9005) has no email in
# the demo's org chart: her digest is reported and stays pending, which is
# the one problem this script expects (exit 0); any other is an exit 1.
set -eu
vigil=$1 db=$2 dir=$3
here=$(dirname "$0")
py=/usr/bin/python3
rm -rf "$dir/mail" "$dir/port" "$dir/deliver.conf"
mkdir -p "$dir/mail"
"$py" "$here/smtpd.py" --dir "$dir/mail" --port-file "$dir/port" >"$dir/smtpd.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT INT TERM
i=0
while [ ! -s "$dir/port" ]; do
  i=$((i + 1))
  if [ $i -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
    echo "demo: the local SMTP server did not start (it needs python3-aiosmtpd for $py; make deps):" >&2
    cat "$dir/smtpd.log" >&2
    exit 1
  fi
  sleep 0.05
done
port=$(cat "$dir/port")
cat >"$dir/deliver.conf" <<EOF
# the demo's delivery: a local SMTP server, addresses from the org chart
[deliver]
attempts = 2
backoff = 0.1
[smtp]
url = smtp://127.0.0.1:$port
starttls = no
from = Vigil <vigil@example.com>
EOF
echo "\$ vigil deliver --db $db --config $dir/deliver.conf    # a local SMTP server on 127.0.0.1:$port"
status=0
"$vigil" deliver --db "$db" --config "$dir/deliver.conf" >"$dir/deliver.out" 2>"$dir/deliver.err" || status=$?
sed 's/^vigil: error: vigil-[0-9]*-[0-9a-f]*: /vigil: error: /' "$dir/deliver.err" >&2
if [ $status -ne 0 ] && ! { [ $status -eq 1 ] && grep -q ' 0 failed, 1 without an address$' "$dir/deliver.err"; }; then
  echo "demo: vigil deliver failed (exit $status; the server's log: $dir/smtpd.log)" >&2
  exit 1
fi
first=$(ls "$dir/mail" | grep '\.eml$' | sort | head -1)
[ -n "$first" ] || { echo "demo: no mail arrived" >&2; exit 1; }
echo "# one of them as the server received it ($dir/mail/$first):"
"$py" "$here/show_mail.py" "$dir/mail/$first"
