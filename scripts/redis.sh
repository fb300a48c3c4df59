#!/usr/bin/env bash
# Starts or stops a throw-away Redis server on 127.0.0.1 (Debian's redis-server, installed
# by scripts/setup.sh), keeping nothing on disk: for the tests and the examples.
#
#   scripts/redis.sh start DIR [PORT]   # default port 6379; logs and pid file in DIR
#   scripts/redis.sh stop DIR
set -euo pipefail

usage() { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1 dir=$2 port=${3:-6379}

case "$command" in
  start)
    command -v redis-server >/dev/null || { echo "redis.sh: redis-server is not installed (run scripts/setup.sh)" >&2; exit 1; }
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 1 100); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "redis.sh: Redis listening on 127.0.0.1:$port (data in $dir)"
        exit 0
      fi
      sleep 0.05
    done
    echo "redis.sh: Redis did not start on 127.0.0.1:$port; its log ($dir/redis.log):" >&2
    cat "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    [ -f "$dir/redis.pid" ] || { echo "redis.sh: no Redis running from $dir" >&2; exit 0; }
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || { rm -f "$dir/redis.pid"; exit 0; }
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/redis.pid"
    ;;
  *) usage ;;
esac
