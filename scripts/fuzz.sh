#!/usr/bin/env bash
# Runs the fuzz tests (mutated projects and plans, Cube queries against floe serve) for longer
# than the suite does, with fresh seeds:
#   ./scripts/fuzz.sh [ITERATIONS_PER_SEED] [SEEDS]
# A trap stops the run; the test prints the directory holding the project it was compiling.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
iterations="${1:-20000}"
seeds="${2:-4}"
swift build --build-tests
for _ in $(seq "$seeds"); do
    seed=$(( (RANDOM << 15) | RANDOM ))
    echo "seed $seed, $iterations iterations"
    FLOE_FUZZ_ITERATIONS="$iterations" FLOE_FUZZ_SEED="$seed" swift test --skip-build --filter 'FuzzTests' \
        || { echo "error: fuzzing failed with seed $seed (rerun: FLOE_FUZZ_SEED=$seed FLOE_FUZZ_ITERATIONS=$iterations swift test --filter FuzzTests)" >&2; exit 1; }
done
