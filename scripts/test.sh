#!/usr/bin/env bash
# Runs every test of floe on a fresh Debian machine: installs what the tests need, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "error: swift is not installed (expected under /opt/swift)" >&2; exit 2; }

# The SQLite adapter links the system libsqlite3 (headers from libsqlite3-dev); the tests open
# the warehouse with the sqlite3 CLI as a user would.
# Telemetry's gzip links the system zlib (headers from zlib1g-dev).
if [ ! -f /usr/include/sqlite3.h ] || ! command -v sqlite3 >/dev/null || [ ! -f /usr/include/zlib.h ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev sqlite3 zlib1g-dev >/dev/null
fi

# The schema tests validate shipped files with a real JSON Schema validator.
if ! python3 -c "import jsonschema, yaml" 2>/dev/null; then
    python3 -m pip install --quiet "jsonschema>=4.18" pyyaml
fi

# The clients and consumers the tests run are installed from PyPI, unchanged, each into a venv
# kept under ~/.cache/floe and keyed by the versions it pins, so later runs reuse it:
#   venv NAME "IMPORTS" PACKAGE… → prints the venv's python
venv() {
    local directory="$HOME/.cache/floe/$1" imports="$2"
    shift 2
    if ! "$directory/bin/python" -c "import $imports" 2>/dev/null; then
        rm -rf "$directory"
        python3 -m venv "$directory" >&2
        "$directory/bin/pip" install --quiet "$@" >&2
    fi
    echo "$directory/bin/python"
}

# The semantic API: the Cube clients people use.
FLOE_TEST_CUBE_CLIENTS_PYTHON="$(venv cube-clients-0.6.1-1.0.1 "cube_http, cubejs_client" \
    "cube-http-client==0.6.1" "cubejs-client-python==1.0.1")"
# The SQL API: psycopg 3, SQLAlchemy and gql (GraphQL), and Apache Superset. Superset's wheel
# leaves out some of what its CLI imports (rich, cachetools) and accepts a flask-caching it
# cannot run with; its own requirements pin 2.3.1.
FLOE_TEST_SQL_CLIENTS_PYTHON="$(venv sql-clients-3.3.9-2.1.9-4.4.0 "psycopg, sqlalchemy, gql" \
    "psycopg[binary]==3.3.9" "sqlalchemy==2.1.9" "gql[requests]==4.4.0")"
FLOE_TEST_SUPERSET_PYTHON="$(venv superset-6.1.0-1 "superset, psycopg2, rich, cachetools" \
    "apache-superset==6.1.0" "psycopg2-binary==2.9.13" "rich" "cachetools" "flask-caching==2.3.1")"
# Observability: openlineage-python's classes, generated from the OpenLineage spec's JSON
# Schemas, check every lineage event; opentelemetry-proto's generated messages decode every OTLP
# request.
FLOE_TEST_OBSERVABILITY_PYTHON="$(venv observability-1.54.0-1.45.2 "openlineage.client, jsonschema, opentelemetry.proto" \
    "openlineage-python==1.54.0" "jsonschema==4.26.0" "opentelemetry-proto==1.45.2")"
# floe's dbt artifacts: dbt-artifacts-parser, dagster-dbt (whose wheel leaves out
# python-dateutil, which it imports) and MetricFlow's dbt-semantic-interfaces.
FLOE_TEST_DBT_ARTIFACTS_PYTHON="$(venv dbt-artifacts-0.15.0-0.29.27-0.10.5 "dbt_artifacts_parser, dagster_dbt, dbt_semantic_interfaces" \
    "dbt-artifacts-parser==0.15.0" "dagster-dbt==0.29.27" "dbt-semantic-interfaces==0.10.5" "python-dateutil")"
# integrations/dagster-floe: pytest with Dagster's own materialize().
dagster_python="$(venv dagster-1.13.27-pytest-8.4.2 "dagster, pytest" "dagster==1.13.27" "pytest==8.4.2")"
# charts/floe: Helm's own Go library (helm-python-sdk) renders it and kubernetes-validate checks
# every object, against what `floe deploy render` writes.
FLOE_TEST_K8S_PYTHON="$(venv k8s-tools-0.2.2-1.37.0 "helm_python, kubernetes_validate, yaml" \
    "helm-python-sdk==0.2.2" "kubernetes-validate==1.37.0" "pyyaml")"
export FLOE_TEST_CUBE_CLIENTS_PYTHON FLOE_TEST_SQL_CLIENTS_PYTHON FLOE_TEST_SUPERSET_PYTHON FLOE_TEST_OBSERVABILITY_PYTHON \
    FLOE_TEST_DBT_ARTIFACTS_PYTHON FLOE_TEST_K8S_PYTHON
# `floe serve`'s /metrics is scraped by Debian's Prometheus (and linted by its promtool); the
# tests start it on a loopback port themselves.
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
export FLOE_TEST_PROMETHEUS="$(command -v prometheus)"
# The docs site and `floe serve`'s UI are opened in Debian's Chromium, headless.
if ! command -v chromium >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
export FLOE_TEST_CHROMIUM="$(command -v chromium)"
command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
# The SQL API's TLS test makes its certificate with the openssl command.
command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }

# The PostgreSQL adapter's tests run against a real server: installed from Debian when missing
# (without Debian's default cluster), started on a free loopback port in a throwaway directory,
# and stopped by its process id when this script ends, however it ends. Without it, `swift test`
# skips those suites and says why.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v psql >/dev/null; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
postgres_dir="$(mktemp -d /tmp/floe-test-postgres.XXXXXX)"
spark_dir=""
trap './scripts/postgres.sh stop "$postgres_dir"; [ -z "$spark_dir" ] || ./scripts/spark.sh stop "$spark_dir"' EXIT
eval "$(./scripts/postgres.sh start "$postgres_dir")"

# The Spark adapter's tests run against a real cluster (master, worker, Thrift server) that
# scripts/spark.sh starts from PyPI's pyspark, when Java is there; without Java they are skipped,
# and say why.
if command -v java >/dev/null; then
    spark_dir="$(mktemp -d /tmp/floe-test-spark.XXXXXX)"
    eval "$(./scripts/spark.sh start "$spark_dir")"
else
    echo "note: no Java: the Spark suites are skipped (apt-get install openjdk-17-jre-headless runs them)" >&2
fi

swift build --build-tests
swift test --skip-build
# The Dagster integration, against the floe just built.
(cd integrations/dagster-floe && FLOE_BINARY="$PWD/../../.build/debug/floe" "$dagster_python" -m pytest -q -p no:cacheprovider tests)
