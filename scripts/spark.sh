#!/usr/bin/env bash
# A throwaway Apache Spark cluster for the tests, on free loopback ports: a standalone master, one
# worker, and the HiveServer2 Thrift server (Spark's JDBC/ODBC endpoint) submitted to them; and a
# second Thrift server, in local mode, that takes SASL PLAIN logins.
#
#   eval "$(scripts/spark.sh start DIR)"   # start in DIR, print FLOE_TEST_SPARK_* exports
#   scripts/spark.sh stop DIR              # stop every process by its process id, remove DIR
#
# For outage tests, a single Thrift server of a test's own (local mode, NOSASL), which the test
# stops and starts again on the same port, or freezes:
#
#   scripts/spark.sh solo DIR              # start it in DIR, print FLOE_TEST_SPARK_SOLO_PORT
#   scripts/spark.sh halt DIR              # stop its process (SIGTERM), keep DIR
#   scripts/spark.sh resume DIR            # start it again on the same port, with the same metastore
#   scripts/spark.sh freeze|thaw DIR       # SIGSTOP / SIGCONT: sockets open, nothing answers
#
# Spark comes from PyPI (pyspark, which ships the whole of Spark with the Thrift server and
# beeline) in a venv at $FLOE_SPARK_VENV (default .spark/venv in the repository), made once. It
# needs Java 17 (openjdk-17-jre-headless). The metastore is an embedded Derby database and the
# warehouse a directory, both in DIR. The first Thrift server takes NOSASL connections, the
# second SASL PLAIN ones (any user and password).
set -euo pipefail

command="${1:-}"
dir="${2:-}"
usage="usage: $0 start|stop|solo|halt|resume|freeze|thaw DIR"
[ -n "$command" ] && [ -n "$dir" ] || { echo "$usage" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${FLOE_SPARK_VENV:-$root/.spark/venv}"
version="4.0.1"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits up to 180 s for a server ($2) to take connections on loopback port $1.
wait_for_port() {
    local open='import socket, sys; s = socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))))'
    for attempt in $(seq 1 180); do
        python3 -c "$open" "$1" && return 0
        sleep 1
    done
    echo "error: $2 did not open port $1 in 180 s; logs in $dir/logs" >&2
    stop_all
    exit 1
}

stop_all() {
    for pidfile in "$dir"/pids/*.pid; do
        [ -f "$pidfile" ] || continue
        pid="$(cat "$pidfile")"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

# Spark from the venv (made once), and the daemons' environment for DIR.
prepare() {
    command -v java >/dev/null || { echo "error: Java is not installed (apt-get install openjdk-17-jre-headless)" >&2; exit 3; }
    # Found without importing it: its Python side wants py4j, which the servers do not.
    locate='import importlib.util, os; spec = importlib.util.find_spec("pyspark"); print(os.path.dirname(spec.origin) if spec else "")'
    if [ ! -x "$venv/bin/python" ] || [ -z "$("$venv/bin/python" -c "$locate")" ]; then
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet --no-deps "pyspark==$version" >&2
    fi
    spark_home="$("$venv/bin/python" -c "$locate")"
    mkdir -p "$dir/pids" "$dir/logs" "$dir/work" "$dir/warehouse" "$dir/tmp"
    dir="$(cd "$dir" && pwd)"
    export SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 SPARK_PID_DIR="$dir/pids" SPARK_LOG_DIR="$dir/logs"
    unset SPARK_NO_DAEMONIZE
    export SPARK_WORKER_DIR="$dir/work" SPARK_IDENT_STRING=floe-test SPARK_CONF_DIR="$dir/conf"
    mkdir -p "$SPARK_CONF_DIR"
    daemon="$spark_home/sbin/spark-daemon.sh"
}

# The solo Thrift server on the port in DIR/solo.port, ready when a query runs through it.
start_solo() {
    local port ui
    port="$(cat "$dir/solo.port")"; ui="$(free_port)"
    # The server keeps none of its caller's descriptors (a test waiting for this script's output
    # would otherwise wait for the server too).
    ( for fd in /proc/$BASHPID/fd/*; do fd="${fd##*/}"; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
    "$daemon" submit org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 1 \
        --master "local[1]" --name floe-test-thrift-solo \
        --conf "spark.sql.warehouse.dir=$dir/warehouse" --conf "spark.ui.port=$ui" \
        --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$dir -Djava.io.tmpdir=$dir/tmp" \
        --conf spark.driver.memory=768m --conf spark.sql.shuffle.partitions=2 \
        --hiveconf "hive.server2.thrift.port=$port" --hiveconf hive.server2.thrift.bind.host=127.0.0.1 \
        --hiveconf hive.server2.authentication=NOSASL \
        --hiveconf "javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$dir/metastore_db;create=true" >&2 )
    wait_for_port "$port" "the solo Thrift server"
    for attempt in $(seq 1 20); do
        "$spark_home/bin/beeline" -n floe -u "jdbc:hive2://127.0.0.1:$port/default;auth=noSasl" -e "select 1" >"$dir/logs/ready.log" 2>&1 && return 0
        sleep 2
    done
    echo "error: the solo Thrift server does not answer queries; logs in $dir/logs" >&2
    stop_all
    exit 1
}

# Sends signal $1 to every process of DIR.
signal_all() {
    for pidfile in "$dir"/pids/*.pid; do
        [ -f "$pidfile" ] && kill "-$1" "$(cat "$pidfile")" 2>/dev/null || true
    done
}

case "$command" in
solo)
    prepare
    trap 'stop_all' ERR
    free_port >"$dir/solo.port"
    start_solo
    echo "export FLOE_TEST_SPARK_SOLO_PORT=$(cat "$dir/solo.port")"
    ;;
halt)
    stop_all
    ;;
resume)
    prepare
    start_solo
    ;;
freeze)
    signal_all STOP
    ;;
thaw)
    signal_all CONT
    ;;
start)
    prepare
    master_port="$(free_port)"; master_ui="$(free_port)"; worker_port="$(free_port)"; worker_ui="$(free_port)"
    thrift_port="$(free_port)"; thrift_ui="$(free_port)"
    trap 'stop_all' ERR
    "$daemon" start org.apache.spark.deploy.master.Master 1 --host 127.0.0.1 --port "$master_port" --webui-port "$master_ui" >&2
    "$daemon" start org.apache.spark.deploy.worker.Worker 1 --host 127.0.0.1 --port "$worker_port" --webui-port "$worker_ui" \
        --cores 2 --memory 2g "spark://127.0.0.1:$master_port" >&2
    "$daemon" submit org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 1 \
        --master "spark://127.0.0.1:$master_port" --name floe-test-thrift \
        --conf "spark.sql.warehouse.dir=$dir/warehouse" --conf "spark.ui.port=$thrift_ui" \
        --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$dir -Djava.io.tmpdir=$dir/tmp" \
        --conf spark.executor.memory=1g --conf spark.cores.max=2 --conf spark.sql.shuffle.partitions=4 \
        --hiveconf "hive.server2.thrift.port=$thrift_port" --hiveconf hive.server2.thrift.bind.host=127.0.0.1 \
        --hiveconf hive.server2.authentication=NOSASL \
        --hiveconf "javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$dir/metastore_db;create=true" >&2
    # A second Thrift server, in local mode with a metastore of its own, that takes SASL PLAIN
    # logins (HiveServer2's NONE authentication: any user and password), for the client's
    # tests of that transport.
    plain_port="$(free_port)"; plain_ui="$(free_port)"
    mkdir -p "$dir/plain/warehouse"
    "$daemon" submit org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 2 \
        --master "local[1]" --name floe-test-thrift-plain \
        --conf "spark.sql.warehouse.dir=$dir/plain/warehouse" --conf "spark.ui.port=$plain_ui" \
        --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$dir/plain -Djava.io.tmpdir=$dir/tmp" \
        --conf spark.driver.memory=768m \
        --hiveconf "hive.server2.thrift.port=$plain_port" --hiveconf hive.server2.thrift.bind.host=127.0.0.1 \
        --hiveconf hive.server2.authentication=NONE \
        --hiveconf "javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$dir/plain/metastore_db;create=true" >&2
    # Ready when the port takes connections and then beeline runs a query through it.
    wait_for_port "$thrift_port" "the Thrift server"
    for attempt in $(seq 1 10); do
        if "$spark_home/bin/beeline" -n floe -u "jdbc:hive2://127.0.0.1:$thrift_port/default;auth=noSasl" -e "select 1" >"$dir/logs/ready.log" 2>&1; then
            break
        fi
        [ "$attempt" = 10 ] && { echo "error: the Thrift server does not answer queries; logs in $dir/logs" >&2; stop_all; exit 1; }
        sleep 2
    done
    wait_for_port "$plain_port" "the SASL Thrift server"
    echo "export FLOE_TEST_SPARK_HOST=127.0.0.1 FLOE_TEST_SPARK_PORT=$thrift_port FLOE_TEST_SPARK_DIR=$dir"
    echo "export FLOE_TEST_SPARK_PLAIN_PORT=$plain_port"
    echo "export FLOE_TEST_SPARK_HOME=$spark_home FLOE_TEST_SPARK_MASTER=spark://127.0.0.1:$master_port"
    ;;
stop)
    stop_all
    rm -rf "$dir"
    ;;
*)
    echo "$usage" >&2; exit 2
    ;;
esac
