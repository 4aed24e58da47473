"""A rough estimate of what a run will cost, from the fit times of cells already
computed (this results folder, any protocol), else from a published Table 2's timings.

The estimate of a cell is (mean fit time of one configuration of its method on its data
set) x (its number of configurations). Cells of a method/data pair never timed before are
counted as unknown, not guessed.
"""
import json
from pathlib import Path
from typing import Dict, List, Optional, Tuple

__all__ = ['known_times', 'estimate']


def known_times(out: Path, quick: bool, fallback: Optional[Path] = None
                ) -> Dict[Tuple[str, str], float]:
    """``{(method, dataset): seconds per configuration}`` from finished cells under
    ``out/cells`` (same quick mode) and, for pairs not found there, the ``timings`` of
    ``fallback`` (a ``table2.json``; used only for full runs)."""
    per: Dict[Tuple[str, str], List[float]] = {}
    for f in Path(out, 'cells').glob('*/*/*/*.json'):
        try:
            r = json.loads(f.read_text())
            if r.get('status') != 'ok' or bool(r.get('quick')) != quick:
                continue
            sel = r.get('selection') or {}
            n = max(len(sel.get('configs', [])), 1)
            t = float(sel.get('fit_time_total_s', r['fit_time_s'])) / n
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        per.setdefault((r.get('method'), r.get('dataset')), []).append(t)
    times = {k: sum(v) / len(v) for k, v in per.items()}
    if fallback is not None and not quick and Path(fallback).is_file():
        try:
            for t in json.loads(Path(fallback).read_text()).get('timings', []):
                key = (t['method'], t['dataset'])
                if key not in times and t.get('fit_time_s') is not None:
                    times[key] = float(t['fit_time_s'])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    return times


def estimate(cells: List[Tuple[str, str, int]], times: Dict) -> Tuple[float, int]:
    """``(seconds, n_unknown)`` for ``cells`` given as ``(method, dataset, n_configs)``."""
    total, unknown = 0.0, 0
    for m, d, n in cells:
        if (m, d) in times:
            total += times[(m, d)] * n
        else:
            unknown += 1
    return total, unknown
