#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on a free loopback port.
#
#   eval "$(scripts/postgres.sh start DIR)"   # initdb in DIR, start, print FLOE_TEST_POSTGRES_* exports
#   scripts/postgres.sh stop DIR              # stop the server by its process id, remove DIR
#
# The server accepts password logins only (scram-sha-256), so the tests can try a wrong one. It
# has a role `floe` (password in FLOE_TEST_POSTGRES_PASSWORD) owning a database `analytics`, as
# the demo platform's `warehouse` profile expects. initdb refuses to run as root: as root, the
# server runs as the `postgres` user.
set -euo pipefail

command="${1:-}"
dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -x "$bin/initdb" ] || { echo "error: PostgreSQL's server is not installed (apt-get install postgresql)" >&2; exit 3; }
    mkdir -p "$dir"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    password="floe-test-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
    printf '%s\n' "$password" > "$dir/superuser-password"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$dir/superuser-password" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "create role floe login password '$password' createdb" \
        -c "create database analytics owner floe" >/dev/null
    echo "export FLOE_TEST_POSTGRES_HOST=127.0.0.1 FLOE_TEST_POSTGRES_PORT=$port"
    echo "export FLOE_TEST_POSTGRES_USER=floe FLOE_TEST_POSTGRES_PASSWORD=$password FLOE_TEST_POSTGRES_DATABASE=analytics"
    echo "export FLOE_TEST_POSTGRES_BIN=$bin FLOE_TEST_POSTGRES_DIR=$dir"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        pid="$(head -1 "$dir/data/postmaster.pid")"
        kill -INT "$pid" 2>/dev/null || true          # fast shutdown: roll back, disconnect, stop
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2; exit 2
    ;;
esac
