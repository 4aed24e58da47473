"""Metrics recomputed from the predictions every cell saves (``<cell>.npz``), without
refitting: another metric, another threshold, a table of a finished run."""
import hashlib
import json
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

__all__ = ['load_predictions', 'recompute_results', 'write_recomputed_table']


def load_predictions(json_path: Path, result: Optional[Dict] = None) -> Dict[str, np.ndarray]:
    """The arrays saved beside the cell file ``json_path`` (checked against the sha256 its
    result records). Raises ValueError when they are missing or do not match."""
    json_path = Path(json_path)
    result = result if result is not None else json.loads(json_path.read_text())
    rec = result.get('predictions')
    if not rec:
        raise ValueError(f'{json_path}: the cell saved no predictions')
    f = json_path.parent / rec['file']
    try:
        data = f.read_bytes()
    except OSError as e:
        raise ValueError(f'{f}: cannot read the predictions ({e.strerror})') from None
    if hashlib.sha256(data).hexdigest() != rec['sha256']:
        raise ValueError(f'{f}: sha256 differs from the one its cell file records')
    with np.load(f) as z:
        return {k: z[k] for k in z.files}


def recompute_results(out_dir: Path, protocol_key: str, threshold: Optional[float] = None
                      ) -> List[Dict]:
    """Every finished cell of ``protocol_key`` under ``out_dir/cells`` with its metrics
    recomputed from its saved predictions (hard predictions as saved, or ``scores >
    threshold`` when ``threshold`` is given). Cells without predictions are left out."""
    from gmiml.metrics import evaluate
    out = []
    for f in sorted(Path(out_dir, 'cells', protocol_key).glob('*/*/*.json')):
        try:
            r = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(r, dict) or r.get('status') != 'ok' or not r.get('predictions'):
            continue
        z = load_predictions(f, r)
        pred = z['pred'] if threshold is None else None
        m = evaluate(z['y_test'], z['scores'], threshold=threshold or 0.5, Y_pred=pred)
        out.append({**r, 'metrics': {k: float(v) for k, v in m.items()}})
    return out


def write_recomputed_table(out_dir: Path, protocol_key: str,
                           threshold: Optional[float] = None) -> Path:
    """``<out>/recomputed-<protocol>.md`` and ``.json``: every metric of
    :func:`gmiml.metrics.evaluate`, mean ± std over seeds per data set and method."""
    from .tables import aggregate, fmt
    agg = aggregate(recompute_results(out_dir, protocol_key, threshold))
    keys = sorted({k for e in agg.values() for k in e['metrics']})
    how = 'saved hard predictions' if threshold is None else f'scores > {threshold}'
    md = [f'# Metrics recomputed from saved predictions ({protocol_key})', '',
          f'Threshold metrics from the {how}. Mean ± sample std over seeds.', '',
          '| Dataset | Method | seeds | ' + ' | '.join(keys) + ' |',
          '|---|---|---|' + '---|' * len(keys)]
    rows = []
    for (m, d), e in sorted(agg.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        md.append(f"| {d} | {m} | {len(e['seeds'])} | " + ' | '.join(
            fmt(e, k) for k in keys) + ' |')
        rows.append({'dataset': d, 'method': m, 'seeds': e['seeds'],
                     'metrics': e['metrics']})
    path = Path(out_dir) / f'recomputed-{protocol_key}.md'
    path.write_text('\n'.join(md) + '\n')
    path.with_suffix('.json').write_text(json.dumps(
        {'protocol': protocol_key, 'threshold': threshold, 'rows': rows}, indent=1))
    return path
