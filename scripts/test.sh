#!/usr/bin/env bash
# Sets up .venv (see setup_env.sh) and runs the test suite. Extra arguments go to pytest.
# Tests on the real data read $GMIML_DATA, else the repository's datasets/raw, and are
# skipped when neither holds data (scripts/benchmark.sh, or `python -m gmiml.datasets
# download image text GS AV HM`, fetches it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
exec .venv/bin/python -m pytest -q "$@"
