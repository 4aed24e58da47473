"""The methods the benchmark runs, by the names the paper uses, and how a method's
configurations are built.

A method is a :class:`MethodSpec` naming an estimator class (``'module:Class'``, or
``'path/to/file.py:Class'``) with gmiml's estimator contract: ``fit(bags, Y,
eval_set=None)`` (``eval_set`` is passed when ``fit`` accepts it), ``predict_proba(bags)``
and ``predict(bags)``; ``random_state`` and ``verbose`` are set when the constructor takes
them.

Configurations: the class may declare ``param_grid``, a list of dicts of constructor
arguments, configuration 0 being its reference settings. ``MethodSpec.grid`` replaces the
class's grid; ``MethodSpec.params`` are applied on top of every configuration (an ablation's
switch, a user's fixed settings); in ``--quick`` mode ``MethodSpec.quick`` on top of that.
A class without a grid has one configuration. Identical configurations are fitted once. An
argument the constructor does not take is an error naming it (nothing is dropped).
"""
import importlib
import importlib.util
import inspect
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from gmiml.estimators.presets import PRESETS

__all__ = ['MethodSpec', 'MethodError', 'METHODS', 'TABLE2_METHODS', 'TABLE3_SCENARIOS',
           'REFERENCE_METHODS', 'resolve_class', 'configurations', 'build', 'spec_from_target',
           'GLEMIML_PAPER_PARAMS']


class MethodError(ValueError):
    """A method that cannot be used: not importable, not an estimator, bad parameters."""


@dataclass(frozen=True)
class MethodSpec:
    name: str  # our name, also the folder of its result cells
    paper_name: str  # as the paper's tables write it
    target: str  # 'module:Class' or 'path/to/file.py:Class'
    params: Dict = field(default_factory=dict)  # applied on top of every configuration
    quick: Dict = field(default_factory=dict)  # and these in --quick mode
    grid: Optional[Tuple[Dict, ...]] = None  # None: the class's param_grid
    reference: bool = False  # a reference row: shown, not ranked
    description: str = ''


_GLEMIML = 'gmiml.estimators.glemiml_classifier:GLEMIMLClassifier'
_GLEMIML_QUICK = {'max_epochs': 15, 'patience': 5}
_ITER_QUICK = {'max_iter': 5}

#: The paper-faithful configuration: the estimator's ``'paper'`` preset (written out in
#: full there, so that a change of the package's defaults does not move this row).
GLEMIML_PAPER_PARAMS = dict(PRESETS['paper'])

METHODS: Dict[str, MethodSpec] = {m.name: m for m in [
    MethodSpec('GLEMIML', 'GLEMIML', _GLEMIML, quick=_GLEMIML_QUICK,
               description='the library default'),
    MethodSpec('GLEMIML-paper', 'GLEMIML', _GLEMIML, params=GLEMIML_PAPER_PARAMS,
               quick=_GLEMIML_QUICK, grid=({}, ),
               description="the paper's configuration (one configuration)"),
    MethodSpec('MI-FLEM', 'MI-FLEM', 'gmiml.baselines.mi_flem:MIFLEM',
               quick={'max_epochs': 15}, description='FLEM on MIML bags'),
    MethodSpec('MIMLNN', 'MIMLNN', 'gmiml.baselines.mimlnn:MIMLNN'),
    MethodSpec('MIMLSVM', 'MIMLSVM', 'gmiml.baselines.mimlsvm:MIMLSVM'),
    MethodSpec('EnMIMLNN', 'EnMIMLNN', 'gmiml.baselines.en_mimlnn:EnMIMLNN'),
    MethodSpec('MIMLWEL', 'MIMLWEL', 'gmiml.baselines.mimlwel:MIMLWEL', quick=_ITER_QUICK),
    MethodSpec('KISAR', 'KASIR', 'gmiml.baselines.kisar:KISAR', quick=_ITER_QUICK),
    MethodSpec('Prior', 'label-frequency prior',
               'gmiml.baselines.label_frequency_prior:LabelFrequencyPrior',
               reference=True, description='every bag scored with the training label '
               'frequencies, labels of equal frequency ordered at random by a 1e-9 jitter '
               '(ties would count as ranking errors); a label is predicted when its '
               'frequency exceeds 0.5'),
    # Table 3: the paper's ablations A, B, C, and one it lacks (no label enhancement).
    MethodSpec('GLEMIML-A', 'GLEMIML-A', _GLEMIML, params={'classifier_layers': 1},
               quick=_GLEMIML_QUICK, description='single-layer fully connected classifier'),
    MethodSpec('GLEMIML-B', 'GLEMIML-B', _GLEMIML, params={'classifier_layers': 3},
               quick=_GLEMIML_QUICK, description='three-layer fully connected classifier'),
    MethodSpec('GLEMIML-C', 'GLEMIML-C', _GLEMIML, params={'interaction': False},
               quick=_GLEMIML_QUICK, description='no instance-interaction graph'),
    MethodSpec('GLEMIML-noLE', 'GLEMIML-noLE', _GLEMIML, params={'enhancement': False},
               quick=_GLEMIML_QUICK,
               description='no label enhancement (classifier on logical labels only)'),
    # Table 3: one ablation per addition of the default beyond the paper
    MethodSpec('GLEMIML-noBG', 'GLEMIML-noBG', _GLEMIML, params={'bag_graph': None},
               quick=_GLEMIML_QUICK, description='no bag-level label propagation'),
    MethodSpec('GLEMIML-noHub', 'GLEMIML-noHub', _GLEMIML, params={'bag_beta': 0.0},
               quick=_GLEMIML_QUICK, description='bag graph without hubness correction'),
    MethodSpec('GLEMIML-meanBG', 'GLEMIML-meanBG', _GLEMIML, params={'bag_graph': 'mean'},
               quick=_GLEMIML_QUICK,
               description='bag graph on the cosine of mean instances (not chamfer)'),
    MethodSpec('GLEMIML-noPB', 'GLEMIML-noPB', _GLEMIML, params={'prior_bias': False},
               quick=_GLEMIML_QUICK, description='output bias not set to the label prior'),
    MethodSpec('GLEMIML-t05', 'GLEMIML-t05', _GLEMIML, params={'threshold': 0.5},
               quick=_GLEMIML_QUICK, description='one threshold 0.5 (not per label)'),
]}

TABLE2_METHODS = ['GLEMIML', 'GLEMIML-paper', 'MI-FLEM', 'MIMLNN', 'MIMLSVM', 'EnMIMLNN',
                  'MIMLWEL', 'KISAR', 'Prior']
REFERENCE_METHODS = [m for m, s in METHODS.items() if s.reference]
TABLE3_SCENARIOS = ['GLEMIML', 'GLEMIML-A', 'GLEMIML-B', 'GLEMIML-C', 'GLEMIML-noLE',
                    'GLEMIML-noBG', 'GLEMIML-noHub', 'GLEMIML-meanBG', 'GLEMIML-noPB',
                    'GLEMIML-t05']
_CONTRACT = ('fit', 'predict_proba', 'predict')


def _import_module(mod: str):
    if mod.endswith('.py'):  # a file: import it under a name derived from its path
        path = Path(mod).resolve()
        if not path.is_file():
            raise MethodError(f'no such file {mod}')
        name = '_gmiml_user_' + ''.join(c if c.isalnum() else '_' for c in str(path))
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
        return sys.modules[name]
    if os.getcwd() not in sys.path:  # a user's module in the current folder
        sys.path.append(os.getcwd())
    return importlib.import_module(mod)


def resolve_class(target: str):
    """The estimator class of ``target`` ('module:Class' or 'file.py:Class'); a
    :class:`MethodError` saying what is wrong otherwise."""
    if not isinstance(target, str) or target.count(':') != 1 or not all(target.split(':')):
        raise MethodError(f"{target!r}: expected 'module:Class' or 'path/file.py:Class'")
    mod, name = target.split(':')
    try:
        module = _import_module(mod)
    except MethodError:
        raise
    except Exception as e:  # noqa: BLE001 - any import failure is the user's to see
        raise MethodError(f'{target}: cannot import {mod} ({type(e).__name__}: {e})')
    if not hasattr(module, name):
        raise MethodError(f'{target}: module {mod} has no attribute {name!r}')
    cls = getattr(module, name)
    if not inspect.isclass(cls):
        raise MethodError(f'{target}: {name} is a {type(cls).__name__}, not a class')
    missing = [m for m in _CONTRACT if not callable(getattr(cls, m, None))]
    if missing:
        raise MethodError(f'{target}: {name} lacks the estimator contract: no method(s) '
                          f'{", ".join(missing)} (needed: fit(bags, Y, eval_set=None), '
                          'predict_proba(bags), predict(bags))')
    grid = getattr(cls, 'param_grid', None)
    if grid is not None and not (isinstance(grid, (list, tuple)) and grid
                                 and all(isinstance(g, dict) for g in grid)):
        raise MethodError(f'{target}: param_grid must be a non-empty list of dicts, got '
                          f'{grid!r:.80}')
    return cls


def accepted_params(cls) -> Optional[set]:
    """The constructor's keyword arguments; None when it takes ``**kwargs``."""
    if cls.__init__ is object.__init__:
        return set()
    sig = inspect.signature(cls.__init__)
    ps = list(sig.parameters.values())[1:]
    if any(p.kind == p.VAR_KEYWORD for p in ps):
        return None
    return {p.name for p in ps if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def configurations(spec: MethodSpec, cls, quick: bool = False) -> Tuple[List[Dict], Dict]:
    """The distinct configurations of ``spec`` (configuration 0 first) and a note
    ``{'declared': n, 'source': 'param_grid' | 'spec' | 'none'}``."""
    if spec.grid is not None:
        grid, source = list(spec.grid), 'spec'
    elif getattr(cls, 'param_grid', None) is not None:
        grid, source = list(cls.param_grid), 'param_grid'
    else:
        grid, source = [{}], 'none'
    accepted = accepted_params(cls)
    out = []
    for i, g in enumerate(grid):
        if not isinstance(g, dict):
            raise MethodError(f'method {spec.name}: grid entry {i} is not a dict: {g!r:.60}')
        cfg = {**g, **spec.params, **(spec.quick if quick else {})}
        keys = set(cfg) | set(spec.quick)
        unknown = sorted(keys - accepted) if accepted is not None else []
        if unknown:
            where = [w for w, d in (('params', spec.params), ('quick', spec.quick),
                                    (f'grid entry {i}', g)) if set(unknown) & set(d)]
            raise MethodError(f"method {spec.name}: {cls.__name__} takes no parameter(s) "
                              f"{unknown} (from {', '.join(where)})")
        if cfg not in out:
            out.append(cfg)
    return out, {'declared': len(grid), 'source': source}


def build(cls, config: Dict, seed: int, verbose: bool = False):
    """A fresh, unfitted estimator of ``cls`` with ``config`` and ``random_state=seed``."""
    accepted = accepted_params(cls)
    params = dict(config)
    for key, value in (('random_state', seed), ('verbose', verbose)):
        takes = key in accepted if accepted is not None else key == 'random_state'
        if takes and key not in config:  # **kwargs: random_state only
            params[key] = value
    return cls(**params)


def fit_accepts_eval_set(est) -> bool:
    ps = inspect.signature(est.fit).parameters
    return 'eval_set' in ps or any(p.kind == p.VAR_KEYWORD for p in ps.values())


def spec_from_target(target: str, name: Optional[str] = None, params: Optional[Dict] = None,
                     grid: Optional[Sequence[Dict]] = None,
                     quick: Optional[Dict] = None) -> MethodSpec:
    """A user's method given on the command line or in a config file; checked here."""
    cls = resolve_class(target)
    name = name or target.split(':')[1]
    spec = MethodSpec(name, name, target, params=dict(params or {}), quick=dict(quick or {}),
                      grid=None if grid is None else tuple(grid),
                      description=f'user method {target}')
    configurations(spec, cls)
    return spec
