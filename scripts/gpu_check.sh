#!/usr/bin/env bash
# GPU check, a few minutes: the CUDA tests (pytest -m cuda), then the training-throughput
# and graph-building benchmarks on the GPU (quick grids). Run from anywhere, on a machine
# with a CUDA GPU and the project's environment:
#
#     bash scripts/gpu_check.sh                 # python from PATH (or $PYTHON)
#     GMIML_DATA=/path/to/raw bash scripts/gpu_check.sh   # adds the real-data rows
#
# Results: benchmarks/perf/results/{training,graph_building}_gpu_quick.json and the
# console. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

"$PY" -c "import torch, sys; ok = torch.cuda.is_available(); \
print(torch.cuda.get_device_name(0) if ok else 'no CUDA GPU'); sys.exit(0 if ok else 1)"

echo "== CUDA tests"
"$PY" -m pytest -q -m cuda tests

echo "== training throughput on the GPU (quick)"
"$PY" benchmarks/perf/bench_training.py --quick --device cuda --groups bags batch_size \
    --name training_gpu

echo "== graph building on the GPU (quick)"
"$PY" benchmarks/perf/bench_graph_building.py --quick --device cuda --name graph_building_gpu
