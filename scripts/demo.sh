#!/usr/bin/env bash
# Builds floe and runs the e-commerce demo on the embedded default (SQLite): no server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build -c release --product floe
FLOE=.build/release/floe
SPEC=demo/data_engineering/ecommerce/floe.yaml

$FLOE validate --spec "$SPEC"
$FLOE compile --spec "$SPEC"
echo
echo "The plan: demo/data_engineering/ecommerce/target/artifacts.json"
