#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on a free loopback port.
#
#   eval "$(scripts/postgres.sh start DIR)"   # initdb in DIR, start, print FLOE_TEST_POSTGRES_* exports
#   scripts/postgres.sh stop DIR              # stop the server by its process id, remove DIR
#
# For outage tests, on a server started this way:
#   scripts/postgres.sh halt DIR      # stop it (fast shutdown), keeping its data
#   scripts/postgres.sh resume DIR    # start it again on the same port
#   scripts/postgres.sh freeze DIR    # SIGSTOP the server and its backends: sockets open, nothing answers
#   scripts/postgres.sh thaw DIR      # SIGCONT them
#
# The server accepts password logins only (scram-sha-256), so the tests can try a wrong one. It
# has a role `floe` (password in FLOE_TEST_POSTGRES_PASSWORD) owning a database `analytics`, as
# the demo platform's `warehouse` profile expects. initdb refuses to run as root: as root, the
# server runs as the `postgres` user.
set -euo pipefail

command="${1:-}"
dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|halt|resume|freeze|thaw DIR" >&2; exit 2; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The server would inherit every descriptor this script has. A caller that waits for the end of
# the script's output, or for its exit (Foundation's Process watches a socket the child holds),
# would then wait for as long as the server runs: it gets standard input, output and error only.
close_inherited() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd="${fd##*/}"
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
}

start_server() {
    ( close_inherited
      as_owner "$1/pg_ctl" -D "$2/data" -l "$2/server.log" -w -t 60 \
          -o "-p $3 -k $2 -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ) \
        || { cat "$2/server.log" >&2; exit 1; }
}

# The postmaster and every process it started.
server_processes() {
    local pid
    pid="$(head -1 "$dir/data/postmaster.pid")"
    echo "$pid"
    pgrep -P "$pid" || true
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
    printf '%s\n' "$port" > "$dir/port"
    printf '%s\n' "$bin" > "$dir/bin"
    start_server "$bin" "$dir" "$port"
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
halt)
    as_owner "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
resume)
    start_server "$(cat "$dir/bin")" "$dir" "$(cat "$dir/port")"
    ;;
freeze)
    server_processes | xargs kill -STOP
    ;;
thaw)
    server_processes | xargs kill -CONT
    ;;
*)
    echo "usage: $0 start|stop|halt|resume|freeze|thaw DIR" >&2; exit 2
    ;;
esac
