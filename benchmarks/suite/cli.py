"""Command line and config file of ``run_all.py``: every argument is checked before any
work starts; a bad one ends the run with exit code 2 and a message naming it (no
traceback, nothing computed, nothing cached).

A config file (``--config run.json`` or ``run.toml``; TOML needs Python >= 3.11) holds the
same settings as the command line, by their long names with ``_`` for ``-``; the command
line wins where both give one. Relative paths in it are taken from the file's folder.
Besides names, its ``datasets`` may list ``{"name": ..., "path": ...}`` and its ``methods``
``{"name": ..., "class": "module:Class" | "base": "<registered method>", "params": {...},
"grid": [{...}, ...], "quick": {...}}``.
"""
import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from .data import DataError, DataRef, resolve_dataset
from .methods import METHODS, TABLE2_METHODS, MethodError, MethodSpec, spec_from_target
from .protocol import SELECTIONS, SPLITS, Protocol
from .store import probe_writable

__all__ = ['Options', 'parse_args', 'build_parser', 'DEFAULT_DATASETS']

DEFAULT_DATASETS = ['image', 'text', 'GS', 'AV', 'HM', 'PF', 'SC', 'CE', 'DM']
_NAME = re.compile(r'[\w.+-]+')
_CONFIG_METHOD_KEYS = {'name', 'class', 'base', 'params', 'grid', 'quick'}


@dataclass
class Options:
    datasets: List[DataRef]
    methods: List[MethodSpec]
    seeds: List[int]
    protocol: Protocol
    ablation_datasets: Optional[List[DataRef]]  # None: the default choice
    out: Path  # the folder this run writes (``<out>/quick`` in quick mode)
    jobs: int = 1
    threads: int = 1
    quick: bool = False
    force: bool = False
    retry_failed: bool = False
    max_cells: Optional[int] = None
    plots: bool = True
    le: bool = True
    update_readme: bool = False
    quiet: bool = False


def _int_at_least(lo: int, what: str):
    def conv(s):
        try:
            v = int(s) if not isinstance(s, bool) else None
            if v is None or (isinstance(s, float) and s != v) or v < lo:
                raise ValueError
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(
                f'{s!r} is not a valid {what} (expected a whole number >= {lo})')
        return v
    return conv


_seed = _int_at_least(0, 'seed')
_TYPES = {'seeds': _seed, 'jobs': _int_at_least(1, 'number of jobs'),
          'threads': _int_at_least(1, 'number of threads'),
          'folds': _int_at_least(2, 'number of folds'),
          'max_cells': _int_at_least(1, 'number of cells')}


def build_parser(doc: str = '') -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog='run_all.py', description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    a = p.add_argument
    a('--config', help='JSON or TOML file with any of the settings below')
    a('--datasets', nargs='+', metavar='NAME|PATH',
      help='registered names (unavailable ones are skipped with a note), a data file or '
           "folder of your own, or 'synthetic' / 'synthetic-N' (planted synthetic data)")
    a('--methods', nargs='+', metavar='NAME|module:Class',
      help=f'methods of Table 2 (default: {" ".join(TABLE2_METHODS)}); module:Class or '
           'path/file.py:Class names an estimator class of your own')
    a('--method', action='append', metavar='module:Class',
      help='an estimator class of your own, run beside the --methods (repeatable)')
    a('--seeds', nargs='+', type=_seed, help='split/model seeds (default: 0 1 2 3 4; '
                                             '--quick: 0)')
    a('--split', choices=SPLITS, help='holdout: the 7:2:1 split per seed (default); '
                                      'kfold: k-fold cross-validation per seed')
    a('--folds', type=_TYPES['folds'], help='k of --split kfold (default 5)')
    a('--selection', choices=SELECTIONS,
      help="tuned (default): each method's grid fitted on the training part, the "
           'configuration with the best validation criterion kept; reference: '
           'configuration 0 (the reference settings) only')
    a('--ablation-datasets', nargs='*', metavar='NAME|PATH',
      help='data sets of Table 3 (default: image and the largest available protein data '
           'set); give none to skip Table 3')
    a('--no-ablation', action='store_true', default=None, help='skip Table 3')
    a('--jobs', type=_TYPES['jobs'], help='cells computed in parallel processes (default 1;'
                                          ' 2 on a 2-core machine)')
    a('--threads', type=_TYPES['threads'],
      help='torch/BLAS threads per cell (default 1: the models are small)')
    a('--quick', action='store_true', default=None,
      help='1 seed and fewer epochs/iterations; results go to <out>/quick')
    a('--out', help='output folder (default: results/ of this repository)')
    a('--force', action='store_true', default=None, help='recompute finished cells')
    a('--retry-failed', action='store_true', default=None,
      help='recompute the cells that failed (finished ones are kept)')
    a('--max-cells', type=_TYPES['max_cells'],
      help='stop (exit code 3) after computing this many cells; the next run resumes')
    a('--no-plots', action='store_true', default=None, help='no figures')
    a('--no-le', action='store_true', default=None,
      help='skip Table 4 (label-enhancement recovery, benchmarks/le_recovery.py)')
    a('--update-readme', action='store_true', default=None,
      help="rewrite the results block of the repository's README.md from this run")
    a('--quiet', action='store_true', default=None, help='no progress output per cell')
    return p


def _load_config(path: str, p) -> Dict:
    f = Path(path)
    if not f.is_file():
        p.error(f'--config: no such file {path}')
    try:
        if f.suffix.lower() == '.toml':
            if sys.version_info < (3, 11):
                p.error(f'--config {path}: TOML needs Python >= 3.11; use a JSON file')
            import tomllib
            cfg = tomllib.loads(f.read_text())
        else:
            cfg = json.loads(f.read_text())
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError, TOMLDecodeError
        p.error(f'--config {path}: not valid {"TOML" if f.suffix == ".toml" else "JSON"} '
                f'({e})')
    if not isinstance(cfg, dict):
        p.error(f'--config {path}: expected an object of settings, got '
                f'{type(cfg).__name__}')
    known = {a.dest for a in p._actions if a.dest not in ('help', 'config')}
    for k in cfg:
        if k not in known:
            p.error(f'--config {path}: unknown setting {k!r} (known: {sorted(known)})')
    return cfg


def _config_value(key, v, p, where):
    """A config file's value checked like the command line's."""
    action = next(a for a in p._actions if a.dest == key)
    many = action.nargs in ('+', '*') or isinstance(action, argparse._AppendAction)
    if many and not isinstance(v, list):
        p.error(f'{where}: {key} must be a list')
    if action.const is True and not isinstance(v, bool):  # store_true flags
        p.error(f'{where}: {key} must be true or false, got {v!r}')
    if action.choices and v not in action.choices:
        p.error(f'{where}: {key} must be one of {list(action.choices)}, got {v!r}')
    conv = _TYPES.get(key)
    if conv:
        try:
            v = [conv(x) for x in v] if many else conv(v)
        except argparse.ArgumentTypeError as e:
            p.error(f'{where}: {key}: {e}')
    return v


def _method(entry, p, where) -> MethodSpec:
    try:
        if isinstance(entry, str):
            if entry in METHODS:
                return METHODS[entry]
            if ':' in entry:
                return spec_from_target(entry)
            p.error(f"{where}: unknown method {entry!r} (known: {', '.join(METHODS)}; or "
                    "module:Class for a class of your own)")
        if not isinstance(entry, dict):
            p.error(f'{where}: a method is a name or an object, got {entry!r:.60}')
        unknown = set(entry) - _CONFIG_METHOD_KEYS
        if unknown or 'name' not in entry or ('class' in entry) == ('base' in entry):
            p.error(f'{where}: method {entry!r:.80}: needs "name" and one of "class" / '
                    f'"base"; allowed keys {sorted(_CONFIG_METHOD_KEYS)}')
        if 'base' in entry:
            if entry['base'] not in METHODS:
                p.error(f"{where}: method {entry['name']}: unknown base {entry['base']!r}")
            b = METHODS[entry['base']]
            return spec_from_target(b.target, entry['name'],
                                    {**b.params, **entry.get('params', {})},
                                    entry.get('grid', b.grid),
                                    {**b.quick, **entry.get('quick', {})})
        return spec_from_target(entry['class'], entry['name'], entry.get('params'),
                                entry.get('grid'), entry.get('quick'))
    except (MethodError, TypeError, AttributeError) as e:
        p.error(f'{where}: {e}')


def _datasets(entries, p, where, base) -> List[DataRef]:
    out = []
    for e in entries:
        try:
            if isinstance(e, dict):
                if set(e) - {'name', 'path'} or 'path' not in e:
                    p.error(f'{where}: a data set object needs "path" (and may give '
                            f'"name"), got {e!r:.80}')
                ref = resolve_dataset(e['path'], base, e.get('name'))
            else:
                ref = resolve_dataset(e, base)
        except DataError as err:
            p.error(f'{where}: {err}')
        if ref.kind == 'path' and _is_registered(ref.name):
            p.error(f"{where}: the data set of {ref.source} would be named {ref.name!r}, "
                    'which is a registered data set; give it another name (config file: '
                    '{"name": ..., "path": ...})')
        if ref in out:
            continue
        if any(r.name == ref.name for r in out):
            p.error(f'{where}: two data sets are named {ref.name!r}')
        out.append(ref)
    return out


def _is_registered(name: str) -> bool:
    from gmiml.datasets import resolve_name
    try:
        resolve_name(name)
    except KeyError:
        return False
    return True


def parse_args(argv=None, doc: str = '', default_out: Optional[Path] = None) -> Options:
    p = build_parser(doc)
    ns = p.parse_args(argv)
    cfg, base = {}, None
    if ns.config:
        cfg, base = _load_config(ns.config, p), Path(ns.config).resolve().parent
    merged = {}
    for a in p._actions:
        if a.dest in ('help', 'config'):
            continue
        v = getattr(ns, a.dest)
        if v is None and a.dest in cfg:
            v = _config_value(a.dest, cfg[a.dest], p, f'--config {ns.config}')
        merged[a.dest] = v
    m = argparse.Namespace(**merged)
    def src(key):  # where a setting came from, for messages
        return '--config' if getattr(ns, key) is None else f"--{key.replace('_', '-')}"
    quick = bool(m.quick)
    if m.seeds is not None and len(set(m.seeds)) != len(m.seeds):
        p.error(f'{src("seeds")}: a seed is given twice: {m.seeds}')
    if m.split != 'kfold' and m.folds is not None:
        p.error(f'{src("folds")} needs --split kfold')
    if m.no_ablation and m.ablation_datasets:
        p.error('--no-ablation and --ablation-datasets contradict each other')
    protocol = Protocol(m.selection or 'tuned', m.split or 'holdout',
                        (m.folds or 5) if m.split == 'kfold' else None)
    methods = [_method(e, p, src('methods')) for e in (m.methods or TABLE2_METHODS)]
    methods += [_method(e, p, src('method')) for e in (m.method or [])]
    names = [s.name for s in methods]
    for s in methods:
        if not _NAME.fullmatch(s.name):
            p.error(f'method name {s.name!r}: use letters, digits, ".", "+", "-", "_"')
        if names.count(s.name) > 1:
            p.error(f'method {s.name!r} is given twice')
    cfg_base = base if getattr(ns, 'datasets') is None else None
    datasets = _datasets(m.datasets or DEFAULT_DATASETS, p, src('datasets'), cfg_base)
    abl = None
    if m.no_ablation:
        abl = []
    elif m.ablation_datasets is not None:
        abl = _datasets(m.ablation_datasets, p, src('ablation_datasets'),
                        base if ns.ablation_datasets is None else None)
    out = Path(m.out) if m.out else default_out
    if m.out and ns.out is None and base is not None and not out.is_absolute():
        out = base / out
    run_out = out / 'quick' if quick else out
    err = probe_writable(run_out)
    if err:
        p.error(f'{src("out")}: {err}')
    seeds = m.seeds if m.seeds is not None else ([0] if quick else [0, 1, 2, 3, 4])
    opts = Options(datasets, methods, seeds, protocol, abl, run_out, jobs=m.jobs or 1,
                   threads=m.threads or 1, quick=quick, force=bool(m.force),
                   retry_failed=bool(m.retry_failed), max_cells=m.max_cells,
                   plots=not m.no_plots, le=not m.no_le, update_readme=bool(m.update_readme),
                   quiet=bool(m.quiet))
    return opts
