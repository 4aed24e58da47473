r"""The one model-selection criterion of the benchmark, and the selection loop.

Every configuration of a method's grid is fitted on the training part and scored on the
validation part by

.. math::
    c = \operatorname{mean}\bigl(1 - \mathrm{HL},\ 1 - \mathrm{RL},\ \mathrm{mAP},\
        \mathrm{Ma\text{-}F1}\bigr),

the four metrics of the paper's Table 2, each oriented so that higher is better (the same
criterion :class:`gmiml.GLEMIMLClassifier` selects epochs on with
``selection_metric='auto'``). A metric that is undefined on the validation part (NaN: no
label evaluable) is left out of the mean. The configuration with the largest :math:`c`
wins; ties go to the earlier configuration; the test part is scored once, with the
winning fitted model.
"""
import math
import time
import warnings
from typing import Callable, Dict, Sequence

import numpy as np

__all__ = ['CRITERION', 'criterion', 'select']

#: how the tables and the README name the criterion
CRITERION = 'mean of 1-HL, 1-RL, mAP and Ma-F1 on the validation part'


def criterion(metrics: Dict[str, float]) -> float:
    """The validation criterion of a metrics dict from :func:`gmiml.metrics.evaluate`."""
    vals = [1.0 - metrics['hamming_loss'], 1.0 - metrics['ranking_loss'],
            metrics['mean_average_precision'], metrics['macro_f1']]
    vals = [float(v) for v in vals if not math.isnan(v)]
    return float(np.mean(vals)) if vals else -math.inf


def _evaluate(est, bags, Y) -> Dict[str, float]:
    from gmiml.metrics import evaluate
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # labels absent from a small validation part
        return {k: float(v) for k, v in
                evaluate(Y, est.predict_proba(bags), Y_pred=est.predict(bags)).items()}


def select(configs: Sequence[Dict], make: Callable[[Dict], object], fit: Callable,
           val_bags, Y_val, log: Callable[[str], None]):
    """Fits each configuration (``make(config)`` builds the estimator, ``fit(est)`` trains
    it), scores it on the validation part, and returns ``(best_estimator, records)``.

    ``records`` has one dict per configuration: its index, parameters, fit time, validation
    metrics and criterion, or its error. A configuration that raises is recorded and left
    out; if every one does, the last error is raised.
    """
    best, best_c, records, last_exc = None, -math.inf, [], None
    for i, cfg in enumerate(configs):
        rec = {'index': i, 'params': cfg}
        t0 = time.perf_counter()
        try:
            est = fit(make(cfg))
            rec['fit_time_s'] = time.perf_counter() - t0
            m = _evaluate(est, val_bags, Y_val)
            rec.update(status='ok', val_metrics=m, val_criterion=criterion(m))
        except Exception as e:  # noqa: BLE001 - recorded; raised when no config is left
            rec.update(status='failed', error=f'{type(e).__name__}: {e}',
                       fit_time_s=time.perf_counter() - t0, val_criterion=None)
            last_exc = e
            log(f'configuration {i} failed: {rec["error"]}')
            records.append(rec)
            continue
        log(f"configuration {i}: validation criterion {rec['val_criterion']:.5f}, "
            f"fit {rec['fit_time_s']:.2f} s, {cfg}")
        records.append(rec)
        if best is None or rec['val_criterion'] > best_c:  # ties: the earlier one stays
            best, best_c = (i, est), rec['val_criterion']
    if best is None:
        raise last_exc
    return best, records

