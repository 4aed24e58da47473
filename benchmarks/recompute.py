"""Recomputes every metric of a finished benchmark run from the test predictions its cells
saved, without refitting anything.

    python benchmarks/recompute.py                          # results/, tuned-holdout
    python benchmarks/recompute.py --out results --protocol reference-holdout
    python benchmarks/recompute.py --threshold 0.3          # threshold metrics at 0.3

Writes <out>/recomputed-<protocol>.md and .json (mean ± std over seeds of every metric of
gmiml.metrics.evaluate, per data set and method).
"""
import argparse
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from suite.predictions import write_recomputed_table  # noqa: E402


def _threshold(s):
    try:
        v = float(s)
    except ValueError:
        v = math.nan
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f'{s!r} is not a threshold in [0, 1]')
    return v


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog='recompute.py', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default=str(HERE.parent / 'results'), help='results folder')
    p.add_argument('--protocol', default='tuned-holdout',
                   help='protocol folder under <out>/cells (default tuned-holdout)')
    p.add_argument('--threshold', type=_threshold,
                   help='hard predictions = scores > this (default: the saved predictions)')
    a = p.parse_args(argv)
    folder = Path(a.out) / 'cells' / a.protocol
    if not folder.is_dir():
        have = sorted(x.name for x in (Path(a.out) / 'cells').glob('*') if x.is_dir())
        p.error(f'no cells of protocol {a.protocol!r} in {a.out} (there are: {have})')
    try:
        path = write_recomputed_table(Path(a.out), a.protocol, a.threshold)
    except ValueError as e:
        print(f'recompute.py: error: {e}', file=sys.stderr)
        return 1
    print(f'[recompute] wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
