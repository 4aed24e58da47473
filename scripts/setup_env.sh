#!/usr/bin/env bash
# Creates (or reuses) the virtual environment .venv at the repository root and installs gmiml
# into it: the pinned CPU build of torch first (a plain `torch` requirement can pull a
# multi-GB CUDA build), then the package with its test and benchmark extras.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==${GMIML_TORCH_VERSION:-2.13.0}"
.venv/bin/python -m pip install -q -e ".[test,bench]"
