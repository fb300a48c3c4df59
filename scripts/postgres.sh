#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL server on 127.0.0.1 (Debian's postgresql,
# installed by scripts/setup.sh): a fresh cluster in DIR, user postgres, no password
# (trust, local only), database postgres. For the tests and the examples.
#
#   scripts/postgres.sh start DIR [PORT]   # default port 5432; cluster, socket and log in DIR
#   scripts/postgres.sh stop DIR
#
# PostgreSQL refuses to run as root: as root, the server runs as the Debian package's
# 'postgres' user and DIR is handed to it (so DIR's parent must be reachable by it: /tmp is).
set -euo pipefail

usage() { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1 dir=$2 port=${3:-5432}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "postgres.sh: PostgreSQL is not installed (run scripts/setup.sh)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off" \
        start >/dev/null; then
      echo "postgres.sh: PostgreSQL did not start on 127.0.0.1:$port; its log ($dir/postgres.log):" >&2
      cat "$dir/postgres.log" >&2 || true
      exit 1
    fi
    echo "postgres.sh: PostgreSQL listening on 127.0.0.1:$port (cluster in $dir/data)"
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] || { echo "postgres.sh: no PostgreSQL running from $dir" >&2; exit 0; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
  *) usage ;;
esac
