#!/usr/bin/env bash
# The main job: sets up .venv (see setup_env.sh), makes sure the five public data sets of
# the paper (image, text, GS, AV, HM) are under the data root, fetching the pinned,
# sha256-checked copies of any that are missing, then runs the benchmark of the paper's
# tables. Extra arguments go to benchmarks/run_all.py (try --help).
#
# Data root: $GMIML_DATA, else the repository's datasets/raw (git-ignored). Offline, the
# data step exits with status 1 and names every file to put where. $GMIML_MIRROR may name
# a base URL holding the files under their relative paths (the checksums still apply).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
.venv/bin/python -m gmiml.datasets download image text GS AV HM
exec .venv/bin/python benchmarks/run_all.py "$@"
