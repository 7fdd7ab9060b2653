#!/bin/sh
# with-smtpd.sh — run a command while a local SMTP server takes mail:
#
#   tests/deliver/with-smtpd.sh MAILDIR CONF COMMAND [ARG...]
#
# Starts tests/deliver/smtpd.py (Debian's python3-aiosmtpd) on 127.0.0.1 on
# a free port, saving each message into MAILDIR; writes CONF, a delivery
# configuration for it ([smtp] url, starttls = no, from); runs COMMAND;
# stops the server (also when COMMAND fails) and exits with COMMAND's
# status.  COMMAND finds the server's port in $SMTPD_PORT.  check-docs replays README.md's nightly job with it.
set -eu
maildir=$1 conf=$2
shift 2
here=$(dirname "$0")
py=/usr/bin/python3
mkdir -p "$maildir"
pf=$(mktemp)
rm -f "$pf"
"$py" "$here/smtpd.py" --dir "$maildir" --port-file "$pf" >"$pf.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$pf" "$pf.log"' EXIT INT TERM
i=0
while [ ! -s "$pf" ]; do
  i=$((i + 1))
  if [ $i -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
    echo "with-smtpd: the local SMTP server did not start (it needs python3-aiosmtpd for $py; make deps):" >&2
    cat "$pf.log" >&2
    exit 1
  fi
  sleep 0.05
done
cat >"$conf" <<CONF
[smtp]
url = smtp://127.0.0.1:$(cat "$pf")
starttls = no
from = Vigil <vigil@example.com>
CONF
status=0
SMTPD_PORT=$(cat "$pf") "$@" || status=$?
exit $status
