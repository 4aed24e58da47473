#!/usr/bin/env bash
# Creates (or reuses) the virtual environment .venv at the repository root and installs
# gmiml into it: torch first, then the package (editable) with its test and benchmark
# extras.
#
# Which torch: pip installs the requirement $GMIML_TORCH (default: torch==2.13.0) from
# pip's configured indexes, unless $GMIML_TORCH_INDEX names an index to take torch from.
# On a usual Linux x86-64 machine, plain PyPI serves the CUDA build of torch (several GB
# of CUDA libraries); for the CPU-only build use PyTorch's CPU index:
#     GMIML_TORCH_INDEX=https://download.pytorch.org/whl/cpu bash scripts/setup_env.sh
# Another version or build: GMIML_TORCH="torch==2.5.1" (any pip requirement; the older
# GMIML_TORCH_VERSION=2.5.1 still works).
# Other settings: PYTHON (the interpreter that creates .venv; default python3).
#
# A second run with the same settings and the same pyproject.toml does nothing (no
# network, a second or so): .venv/.gmiml-setup records what was installed. Delete it, or
# change a setting, to install again. pip itself is upgraded only when the .venv just
# created has one too old for editable installs (< 21.3).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
TORCH_REQ=${GMIML_TORCH:-torch==${GMIML_TORCH_VERSION:-2.13.0}}
TORCH_INDEX=${GMIML_TORCH_INDEX:-}
STAMP=.venv/.gmiml-setup

if command -v sha256sum >/dev/null 2>&1; then
    PYPROJECT_HASH=$(sha256sum pyproject.toml | cut -d' ' -f1)
else
    PYPROJECT_HASH=$(shasum -a 256 pyproject.toml | cut -d' ' -f1)
fi
WANT="torch=${TORCH_REQ}
torch_index=${TORCH_INDEX}
pyproject=${PYPROJECT_HASH}
extras=test,bench"

if [ -x .venv/bin/python ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] &&
    .venv/bin/python -c "import importlib.util as u, sys
sys.exit(0 if u.find_spec('torch') and u.find_spec('gmiml') else 1)" 2>/dev/null; then
    echo "setup_env: .venv is up to date (${TORCH_REQ}${TORCH_INDEX:+ from ${TORCH_INDEX}})"
    exit 0
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup_env: creating .venv with $PY"
    "$PY" -m venv .venv
    # editable installs from pyproject.toml need pip >= 21.3; upgrade only an older one
    if ! .venv/bin/python -c "import pip, sys
sys.exit(tuple(int(x) for x in pip.__version__.split('.')[:2]) < (21, 3))"; then
        .venv/bin/python -m pip install -q --upgrade pip
    fi
fi
rm -f "$STAMP"
echo "setup_env: installing ${TORCH_REQ}${TORCH_INDEX:+ from ${TORCH_INDEX}}"
if [ -n "$TORCH_INDEX" ]; then
    .venv/bin/python -m pip install -q --index-url "$TORCH_INDEX" "$TORCH_REQ"
else
    .venv/bin/python -m pip install -q "$TORCH_REQ"
fi
echo "setup_env: installing gmiml (editable) with the test and bench extras"
# torch is installed now, so the package's own 'torch>=2.1' is satisfied and pip keeps it
.venv/bin/python -m pip install -q -e ".[test,bench]"
printf '%s' "$WANT" > "$STAMP"
echo "setup_env: done"
