#!/bin/sh
# server.sh — a throwaway PostgreSQL 15 server for the tests (issue 14).
#
#   tests/pg/server.sh start DIR   initdb in DIR/data, the unix socket in DIR,
#                                  listen on 127.0.0.1 only, on the first free
#                                  port from 54320 up; fsync off; role vigil
#                                  (superuser) and database vigil, trust auth
#                                  on 127.0.0.1 only.  Prints the URI
#                                  postgresql://vigil@127.0.0.1:PORT/vigil
#   tests/pg/server.sh stop DIR    stops that server and removes DIR.
#
# Run as root, the server runs as the postgres user (initdb refuses root)
# and DIR is given to it; otherwise it runs as the caller.  Exit status 77
# when PostgreSQL 15's binaries are not installed (the one line on stderr
# says what to install), 1 on any other failure (the server's log is shown).
set -u
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

die() { echo "server.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
cmd=$1
dir=$2

for b in initdb pg_ctl pg_isready; do
  if [ ! -x "$PGBIN/$b" ]; then
    echo "server.sh: PostgreSQL 15 is not installed ($PGBIN/$b is missing): apt-get install postgresql-15" >&2
    exit 77
  fi
done

# as_server CMD...: runs CMD as the server's user
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (apt-get install postgresql-15 creates it)"
  as_server() { runuser -u postgres -- "$@"; }
else
  as_server() { "$@"; }
fi

# free PORT: 0 when nothing listens on 127.0.0.1:PORT and it can be bound
free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is free
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

case $cmd in
start)
  mkdir -p "$dir" || die "cannot create $dir"
  dir=$(cd "$dir" && pwd) || die "cannot enter $dir"
  [ -e "$dir/data" ] && die "$dir/data exists already (a server is running there? stop it first)"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir" || die "cannot give $dir to postgres"; fi
  chmod 700 "$dir"
  as_server "$PGBIN/initdb" -D "$dir/data" -U vigil --auth=reject -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # trust on 127.0.0.1 only: no unix-socket or IPv6 logins at all
  printf 'host all all 127.0.0.1/32 trust\n' >"$dir/data/pg_hba.conf"
  tries=0
  port=54320
  while :; do
    while ! free $port; do
      port=$((port + 1))
      [ $port -lt 54420 ] || die "no free port from 54320 to 54419"
    done
    as_server "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
      "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1 && break
    # another process took the port between the check and the start: next one
    tries=$((tries + 1))
    [ $tries -lt 5 ] || { cat "$dir/server.log" >&2; die "the server does not start"; }
    port=$((port + 1))
  done
  echo "$port" >"$dir/port"
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p $port -t 30 || { cat "$dir/server.log" >&2; die "the server does not answer"; }
  # the role initdb made (-U vigil) is the superuser; its database
  psql -X -q -v ON_ERROR_STOP=1 "postgresql://vigil@127.0.0.1:$port/postgres" -c 'CREATE DATABASE vigil' \
    >/dev/null || die "cannot create the database vigil"
  echo "postgresql://vigil@127.0.0.1:$port/vigil"
  ;;
stop)
  [ -d "$dir" ] || exit 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_server "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || die "pg_ctl stop failed (see $dir/server.log)"
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
