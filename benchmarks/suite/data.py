"""The data sets of a run: registered names, planted synthetic data, or a user's file or
folder, each resolved once (a bad name is an argument error) and loaded once per process.
"""
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

__all__ = ['DataRef', 'DataError', 'resolve_dataset', 'get_dataset', 'SYNTHETIC_MIN_BAGS']

SYNTHETIC_MIN_BAGS = 20
_DATA_SUFFIXES = ('.arff', '.mat', '.xml', '.txt', '.csv', '.npz')


class DataError(ValueError):
    """A data set argument that names nothing usable."""


@dataclass(frozen=True)
class DataRef:
    name: str  # the folder of its cells and the name in the tables
    kind: str  # 'registry', 'synthetic' or 'path'
    source: str  # registry key, number of synthetic bags, or the path

    @property
    def protein(self) -> bool:
        return self.kind == 'registry' and self.name not in ('image', 'text')


def resolve_dataset(arg: str, base: Optional[Path] = None, name: Optional[str] = None
                    ) -> DataRef:
    """A :class:`DataRef` for ``arg``; relative paths are taken from ``base`` (a config
    file's folder) or the current folder. ``name`` names a path's data set (default: the
    file's stem or the folder's name)."""
    if not isinstance(arg, str) or not arg.strip():
        raise DataError(f'{arg!r} is not a data set name or path')
    if arg.startswith('synthetic'):
        m = re.fullmatch(r'synthetic(?:-(\d+))?', arg)
        n = int(m.group(1)) if m and m.group(1) else 300
        if not m or n < SYNTHETIC_MIN_BAGS:
            raise DataError(f"{arg!r}: expected 'synthetic' or 'synthetic-N' with N a whole "
                            f"number of bags >= {SYNTHETIC_MIN_BAGS}")
        return DataRef(arg, 'synthetic', str(n))
    path = Path(arg) if base is None or Path(arg).is_absolute() else Path(base) / arg
    looks_like_path = os.sep in arg or '/' in arg or arg.lower().endswith(_DATA_SUFFIXES)
    if path.exists():
        stem = name or (path.stem if path.is_file() else path.resolve().name)
        if not re.fullmatch(r'[\w.+-]+', stem):
            raise DataError(f'{arg}: cannot name a data set {stem!r} (give a name of letters, '
                            'digits, ".", "+", "-" and "_" in a config file)')
        return DataRef(stem, 'path', str(path.resolve()))
    if looks_like_path:
        raise DataError(f'{arg}: no such file or folder')
    from gmiml.datasets import resolve_name
    try:
        key = resolve_name(arg)
    except KeyError as e:
        raise DataError(f"{e.args[0] if e.args else e}; or give the path of a data file or "
                        "folder") from None
    return DataRef(key, 'registry', key)


_CACHE: Dict[tuple, object] = {}


def get_dataset(ref: DataRef):
    """The bags of ``ref`` (an object with ``.bags`` and ``.Y``), loaded once per process.

    Raises FileNotFoundError for a registered data set that is not available here."""
    key = (ref.kind, ref.source)
    if key not in _CACHE:
        if ref.kind == 'synthetic':
            from gmiml.datasets import make_synthetic_miml
            data = make_synthetic_miml(n_bags=int(ref.source), n_labels=8, n_features=12,
                                       random_state=0)
        else:
            from gmiml.datasets import load_bags
            data = load_bags(ref.source)
        _CACHE[key] = data
    return _CACHE[key]
