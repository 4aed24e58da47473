"""The methods the benchmark runs, by the names the paper uses.

Every entry builds a fresh estimator that follows gmiml's estimator contract
(:class:`gmiml.estimators.base.BaseMIMLEstimator`): ``fit(bags, Y, eval_set=...)``,
``predict_proba`` and ``predict``. Defaults are the library's (for the baselines: the
reference settings of each method's paper). ``quick`` asks for a cheaper configuration
(fewer epochs / iterations) used by ``run_all.py --quick`` to check the whole pipeline.
"""
import importlib
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional

__all__ = ['MethodSpec', 'METHODS', 'TABLE2_METHODS', 'TABLE3_SCENARIOS', 'build']


@dataclass(frozen=True)
class MethodSpec:
    name: str  # our name, also the directory of its result cells
    paper_name: str  # as the paper's Table 2 / 3 writes it
    target: str  # 'module:Class'
    params: Dict = field(default_factory=dict)  # fixed constructor arguments
    quick: Dict = field(default_factory=dict)  # overrides in --quick mode (if accepted)
    description: str = ''


# Cheaper settings for --quick: only keys the estimator accepts are applied.
_GLEMIML_QUICK = {'max_epochs': 15, 'epochs': 15, 'patience': 5}

METHODS: Dict[str, MethodSpec] = {m.name: m for m in [
    MethodSpec('GLEMIML', 'GLEMIML', 'gmiml.estimators.glemiml_classifier:GLEMIMLClassifier',
               quick=_GLEMIML_QUICK, description='full model (two-layer classifier)'),
    MethodSpec('MI-FLEM', 'MI-FLEM', 'gmiml.baselines.mi_flem:MIFLEM',
               quick=_GLEMIML_QUICK, description='FLEM on flattened bags'),
    MethodSpec('MIMLNN', 'MIMLNN', 'gmiml.baselines.mimlnn:MIMLNN'),
    MethodSpec('MIMLSVM', 'MIMLSVM', 'gmiml.baselines.mimlsvm:MIMLSVM'),
    MethodSpec('EnMIMLNN', 'EnMIMLNN', 'gmiml.baselines.en_mimlnn:EnMIMLNN'),
    MethodSpec('MIMLWEL', 'MIMLWEL', 'gmiml.baselines.mimlwel:MIMLWEL',
               quick={'max_iter': 5, 'n_iter': 5}),
    MethodSpec('KISAR', 'KASIR', 'gmiml.baselines.kisar:KISAR',
               quick={'max_iter': 5, 'n_iter': 5}),
    # Table 3: the paper's ablations A, B, C, and one it lacks (no label enhancement).
    MethodSpec('GLEMIML-A', 'GLEMIML-A', 'gmiml.estimators.glemiml_classifier:GLEMIMLClassifier',
               params={'classifier_layers': 1}, quick=_GLEMIML_QUICK,
               description='single-layer fully connected classifier'),
    MethodSpec('GLEMIML-B', 'GLEMIML-B', 'gmiml.estimators.glemiml_classifier:GLEMIMLClassifier',
               params={'classifier_layers': 3}, quick=_GLEMIML_QUICK,
               description='three-layer fully connected classifier'),
    MethodSpec('GLEMIML-C', 'GLEMIML-C', 'gmiml.estimators.glemiml_classifier:GLEMIMLClassifier',
               params={'interaction': False}, quick=_GLEMIML_QUICK,
               description='no instance-interaction graph'),
    MethodSpec('GLEMIML-noLE', 'GLEMIML-noLE',
               'gmiml.estimators.glemiml_classifier:GLEMIMLClassifier',
               params={'enhancement': False}, quick=_GLEMIML_QUICK,
               description='no label enhancement (classifier on logical labels only)'),
]}

TABLE2_METHODS = ['GLEMIML', 'MI-FLEM', 'MIMLNN', 'MIMLSVM', 'EnMIMLNN', 'MIMLWEL', 'KISAR']
TABLE3_SCENARIOS = ['GLEMIML', 'GLEMIML-A', 'GLEMIML-B', 'GLEMIML-C', 'GLEMIML-noLE']


def build(name: str, seed: int, quick: bool = False, verbose: bool = False,
          overrides: Optional[Dict] = None):
    """A fresh, unfitted estimator for method ``name`` with ``random_state=seed``."""
    spec = METHODS[name]
    module, cls = spec.target.split(':')
    est = getattr(importlib.import_module(module), cls)()
    accepted = est.get_params()
    params = dict(spec.params)
    if quick:
        params.update({k: v for k, v in spec.quick.items() if k in accepted})
    if 'random_state' in accepted:
        params['random_state'] = seed
    if 'verbose' in accepted:
        params['verbose'] = verbose
    params.update(overrides or {})
    unknown = set(params) - set(accepted)
    if unknown:
        raise ValueError(f"method {name}: {cls} has no parameter(s) {sorted(unknown)}")
    return est.set_params(**params)


def import_error(name: str) -> Optional[str]:
    """None when method ``name`` can be built here, else the reason it cannot."""
    spec = METHODS[name]
    module, cls = spec.target.split(':')
    try:
        getattr(importlib.import_module(module), cls)
    except Exception as e:  # noqa: BLE001 - reported to the user verbatim
        return f'{type(e).__name__}: {e}'
    return None


BuildFn = Callable[..., object]
