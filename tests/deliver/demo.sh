#!/bin/sh
# demo.sh — the end of `make demo`: the demo's digests delivered by mail to
# a local SMTP server, and one of them shown as it arrived.
#
#   tests/deliver/demo.sh VIGIL DB DIR
#
# Runs itself under tests/deliver/with-smtpd.sh, which starts a local SMTP
# server (Debian's python3-aiosmtpd) on 127.0.0.1 saving into DIR/mail,
# writes DIR/deliver.conf for it and stops it afterwards, also when
# something fails; then runs `vigil deliver` and prints one received message
# briefly (show_mail.py).  Robin Reyes (9005) has no email in
# the demo's org chart: her digest is reported and stays pending, which is
# the one problem this script expects (exit 0); any other is an exit 1.
set -eu
vigil=$1 db=$2 dir=$3
here=$(dirname "$0")
py=/usr/bin/python3
if [ -z "${SMTPD_PORT:-}" ]; then
  rm -rf "$dir/mail" "$dir/port" "$dir/deliver.conf"
  exec sh "$here/with-smtpd.sh" "$dir/mail" "$dir/deliver.conf" sh "$0" "$@"
fi
port=$SMTPD_PORT
echo "$port" >"$dir/port"
echo "\$ vigil deliver --db $db --config $dir/deliver.conf    # a local SMTP server on 127.0.0.1:$port"
status=0
"$vigil" deliver --db "$db" --config "$dir/deliver.conf" >"$dir/deliver.out" 2>"$dir/deliver.err" || status=$?
sed 's/^vigil: error: vigil-[0-9]*-[0-9a-f]*: /vigil: error: /' "$dir/deliver.err" >&2
if [ $status -ne 0 ] && ! { [ $status -eq 1 ] && grep -q ' 0 failed, 1 without an address$' "$dir/deliver.err"; }; then
  echo "demo: vigil deliver failed (exit $status)" >&2
  exit 1
fi
first=$(ls "$dir/mail" | grep '\.eml$' | sort | head -1)
[ -n "$first" ] || { echo "demo: no mail arrived" >&2; exit 1; }
echo "# one of them as the server received it ($dir/mail/$first):"
"$py" "$here/show_mail.py" "$dir/mail/$first"
