#!/usr/bin/env bash
# Sets up .venv (see setup_env.sh) and runs the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export GMIML_DATA=${GMIML_DATA:-../shared/datasets/raw}
exec .venv/bin/python -m pytest -q "$@"
