#!/usr/bin/env bash
# Sets up .venv (see setup_env.sh) and runs the main job: the benchmark of the paper's tables.
# Extra arguments go to benchmarks/run_all.py (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export GMIML_DATA=${GMIML_DATA:-../shared/datasets/raw}
exec .venv/bin/python benchmarks/run_all.py "$@"
