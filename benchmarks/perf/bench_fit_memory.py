"""Peak extra memory of one GLEMIML fit, for comparing two versions of the library.

Fits :class:`gmiml.GLEMIMLClassifier` for one epoch (no validation) on synthetic bags with
many instances (default 30k bags of 1-128 instances x 64 features, 20 labels) and reports
the peak extra resident memory of the fit (see ``_common.py``), after a small warm-up fit.
Run it once as it is and once with ``PYTHONPATH`` pointing at another checkout of the
library to compare versions; the JSON records which ``gmiml`` was imported and its git
commit.

Usage::

    python benchmarks/perf/bench_fit_memory.py
    git worktree add /some/dir <commit>
    PYTHONPATH=/some/dir python benchmarks/perf/bench_fit_memory.py --name fit_memory_<commit>
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--bags', type=int, default=30000)
    p.add_argument('--instances', type=int, nargs=2, default=[1, 128])
    p.add_argument('--features', type=int, default=64)
    p.add_argument('--labels', type=int, default=20)
    p.add_argument('--name', default='fit_memory')
    args = p.parse_args(argv)
    C.set_threads(1)
    import gmiml
    from gmiml import GLEMIMLClassifier
    from gmiml.datasets import make_synthetic_miml
    src = os.path.dirname(os.path.dirname(os.path.abspath(gmiml.__file__)))
    try:
        commit = subprocess.run(['git', '-C', src, 'rev-parse', 'HEAD'], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    data = make_synthetic_miml(n_bags=args.bags, n_labels=args.labels,
                               n_features=args.features,
                               instances_per_bag=tuple(args.instances), random_state=0)
    kw = dict(max_epochs=1, validation_fraction=0.0, patience=None, random_state=0)
    GLEMIMLClassifier(**kw).fit(data.bags[:200], data.Y[:200])  # warm-up
    rss0 = C.reset_peak()
    t0 = time.perf_counter()
    GLEMIMLClassifier(**kw).fit(data.bags, data.Y)
    fit_s = time.perf_counter() - t0
    peak = C.peak_since(rss0) / 2**20
    n_inst = sum(len(b) for b in data.bags)
    row = {'gmiml_commit': commit, 'bags': args.bags, 'instances': n_inst,
           'features': args.features, 'labels': args.labels, 'fit_1_epoch_s': fit_s,
           'peak_extra_mib': peak,
           'float32_data_mib': n_inst * args.features * 4 / 2**20}
    print(f"gmiml {commit}: {args.bags} bags, {n_inst} instances x {args.features}: "
          f"fit peak extra {peak:,.0f} MiB (the float32 data is "
          f"{row['float32_data_mib']:,.0f} MiB), {fit_s:.1f} s")
    C.write_results(args.name, C.machine_meta(1), {'result': row})
    return 0


if __name__ == '__main__':
    sys.exit(main())
