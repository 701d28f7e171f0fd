#!/usr/bin/env bash
# Runs every test of floe on a fresh Debian machine: installs what the tests need, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "error: swift is not installed (expected under /opt/swift)" >&2; exit 2; }

# The SQLite adapter links the system libsqlite3 (headers from libsqlite3-dev); the tests open
# the warehouse with the sqlite3 CLI as a user would.
if [ ! -f /usr/include/sqlite3.h ] || ! command -v sqlite3 >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev sqlite3 >/dev/null
fi

# The schema tests validate shipped files with a real JSON Schema validator.
if ! python3 -c "import jsonschema, yaml" 2>/dev/null; then
    python3 -m pip install --quiet "jsonschema>=4.18" pyyaml
fi

swift build --build-tests
swift test --skip-build
