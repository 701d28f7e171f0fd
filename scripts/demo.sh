#!/usr/bin/env bash
# Builds floe and runs the e-commerce demo end to end on the embedded default (SQLite): no server
# to start. `floe build` generates the synthetic sources, loads the seeds, builds every model and
# runs each test as soon as what it tests is built, then `floe show` prints a mart and `floe query`
# answers a Cube query over its cubes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# The SQLite adapter links the system libsqlite3, telemetry's gzip the system zlib.
if [ ! -f /usr/include/sqlite3.h ] || [ ! -f /usr/include/zlib.h ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev zlib1g-dev >/dev/null
fi

# A debug build without debug info, in a build directory of its own: the demo takes a second
# either way, and this build of floe and its dependencies takes a fraction of a release build's
# time (docs/performance.md, "The first command"). The tests build in .build as usual; the
# benchmarks and the release artifact use release builds (bench/, scripts/release.sh).
swift build --product floe --scratch-path .build-demo -Xswiftc -gnone -Xcc -g0
FLOE="$PWD/.build-demo/debug/floe"

# `--all`: every demo product, one after another, each with `floe build`.
if [ "${1:-}" = "--all" ]; then
    for product in demo/data_engineering/*/; do
        echo "== ${product}"
        (cd "$product" && "$FLOE" build)
        echo
    done
    exit 0
fi

cd demo/data_engineering/ecommerce

"$FLOE" build                    # compile, then seeds, models and tests in one order: target/ and .floe/dev.db
echo
"$FLOE" show mart_revenue --limit 12
echo
# The semantic layer: a Cube query over the product's cubes, answered from the Orders rollup.
"$FLOE" query '{"measures": ["Orders.count", "Orders.total_revenue"], "dimensions": ["Orders.status"]}'
echo
echo "The plan: demo/data_engineering/ecommerce/target/artifacts.json"
echo "Run results: demo/data_engineering/ecommerce/target/floe_run_results.json (dbt's: target/run_results.json)"
echo "The warehouse: demo/data_engineering/ecommerce/.floe/dev.db, an ordinary SQLite file:"
echo "  sqlite3 demo/data_engineering/ecommerce/.floe/dev.db 'select * from mart_revenue limit 3'"
echo "Run it again: everything is up to date."
echo "Cube's REST API over the same cubes: see README, \"The semantic layer\" (floe serve)."
