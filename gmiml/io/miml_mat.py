r"""Reader for MIML data in MATLAB ``.mat`` files (the LAMDA / MIML-DML layouts)."""
import os
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from gmiml.utils.validation import binary_labels, check_bags

from ._common import load_mat
from .miml_bags import MIMLBags

__all__ = ['read_miml_mat', 'mat_entry_shapes']

_BAGS = ('bags', )
_LABELS = ('labels', 'targets', 'target')
_NAMES = ('class_name', 'class_names', 'label_names', 'labelnames')
_IDS = ('bag_ids', 'bag_names')
_SPLIT = {
    'train_bags': ('train_bags', ),
    'train_labels': ('train_target', 'train_targets', 'train_labels'),
    'test_bags': ('test_bags', ),
    'test_labels': ('test_target', 'test_targets', 'test_labels'),
}
_LAYOUTS = (None, 'bags_x_labels', 'labels_x_bags')


class _Candidate:
    """One data set found in the file: where it is, its fields, and its position."""

    def __init__(self, where, fields, entry, split, split_count):
        self.where, self.fields = where, fields
        self.entry, self.split, self.split_count = entry, split, split_count

    @property
    def is_split(self) -> bool:
        return 'train_bags' in self.fields

    def n_bags(self) -> int:
        if self.is_split:
            return _cell_len(self.fields['train_bags']) + _cell_len(self.fields['test_bags'])
        return _cell_len(self.fields['bags'])


def _cell_len(v) -> int:
    return int(np.asarray(v).size)


def _match(keys: Sequence[str], options: Sequence[str]) -> Optional[str]:
    low = {k.lower(): k for k in keys}
    for o in options:
        if o in low:
            return low[o]
    return None


def _fields_of(keys: Sequence[str], get) -> Optional[dict]:
    """The recognised MIML fields among ``keys`` (or None if there is no data set)."""
    out = {}
    b, lab = _match(keys, _BAGS), _match(keys, _LABELS)
    if b is not None and lab is not None:
        out['bags'], out['labels'] = get(b), get(lab)
    else:
        split = {role: _match(keys, opts) for role, opts in _SPLIT.items()}
        if any(v is None for v in split.values()):
            return None
        out.update({role: get(k) for role, k in split.items()})
    n, i = _match(keys, _NAMES), _match(keys, _IDS)
    if n is not None:
        out['names'] = get(n)
    if i is not None:
        out['ids'] = get(i)
    return out


def _is_struct(v) -> bool:
    return isinstance(v, np.ndarray) and v.dtype.names is not None


def _walk(obj_keys, get, where, entry, out, depth=0):
    fields = _fields_of(obj_keys, get)
    if fields is not None:
        out.append(_Candidate(where, fields, entry, None, 1))
        return
    if depth > 6:
        return
    for k in obj_keys:
        v = get(k)
        if not _is_struct(v) or v.size == 0:
            continue
        flat = v.reshape(-1, order='F')
        names = v.dtype.names
        holds_split = _fields_of(names, lambda n: flat[0][n]) is not None and \
            'train_bags' in _fields_of(names, lambda n: flat[0][n])
        for j in range(flat.size):
            el = flat[j]
            w = f"{where}{'.' if where else ''}{k}" + (f"[{j}]" if flat.size > 1 else '')
            if holds_split:
                n_before = len(out)
                _walk(names, lambda n, el=el: el[n], w, entry, out, depth + 1)
                for c in out[n_before:]:
                    c.split, c.split_count = j, flat.size
            else:
                e = entry + ((j, ) if flat.size > 1 else ())
                _walk(names, lambda n, el=el: el[n], w, e, out, depth + 1)


def _load(path: str) -> List[_Candidate]:
    m = load_mat(path, '.mat file', squeeze_me=False, struct_as_record=True)
    keys = [k for k in m if not k.startswith('__')]
    out: List[_Candidate] = []
    _walk(keys, m.__getitem__, '', (), out)
    if not out:
        raise ValueError(f"{path}: no MIML data found (looked for a 'bags' cell with "
                         f"'labels'/'targets', or train_bags/train_target/test_bags/"
                         f"test_target, at top level or inside structs); top-level "
                         f"variables: {keys}")
    return out


def _entries(cands: List[_Candidate]) -> List[List[_Candidate]]:
    """Candidates grouped by entry (in file order); each group holds its splits."""
    groups = {}
    for c in cands:
        groups.setdefault(c.entry, []).append(c)
    return list(groups.values())


def _bags(v, path: str, where: str) -> List[np.ndarray]:
    import scipy.sparse as sp

    arr = np.asarray(v)
    if arr.dtype != object:
        raise ValueError(f"{path}: {where} is a {arr.dtype} array of shape {arr.shape}; "
                         f"expected a cell array with one [n_i, d] matrix per bag")
    if arr.ndim > 2 or (arr.ndim == 2 and min(arr.shape) > 1):
        raise ValueError(f"{path}: {where} is a {arr.shape} cell array; expected a vector "
                         f"of bags (N x 1 or 1 x N)")
    cells = []
    for i, b in enumerate(arr.reshape(-1)):
        if sp.issparse(b):
            b = b.toarray()
        b = np.asarray(b)
        if b.dtype == object or not (np.issubdtype(b.dtype, np.number) or b.dtype == bool):
            raise ValueError(f"{path}: {where}[{i}] holds {b.dtype} data; expected a numeric "
                             f"[n_i, d] matrix")
        if b.ndim == 2 and b.shape[0] == 0 or b.size == 0:
            raise ValueError(f"{path}: {where}[{i}]: empty bag (0 instances)")
        cells.append(b)
    return check_bags(cells, name=f"{path}: {where}")


def _orient(V, n: int, path: str, where: str, layout: Optional[str]) -> np.ndarray:
    import scipy.sparse as sp

    if sp.issparse(V):
        V = V.toarray()
    V = np.asarray(V)
    if V.dtype == object or V.ndim != 2:
        raise ValueError(f"{path}: {where} must be a numeric 2-D label matrix, got "
                         f"{V.dtype} of shape {V.shape}")
    if layout == 'bags_x_labels':
        if V.shape[0] != n:
            raise ValueError(f"{path}: {where} has shape {V.shape}; with label_layout="
                             f"'bags_x_labels' it needs {n} rows (one per bag)")
        return V
    if layout == 'labels_x_bags':
        if V.shape[1] != n:
            raise ValueError(f"{path}: {where} has shape {V.shape}; with label_layout="
                             f"'labels_x_bags' it needs {n} columns (one per bag)")
        return V.T
    rows, cols = V.shape[0] == n, V.shape[1] == n
    if rows and cols and n > 1:
        raise ValueError(f"{path}: {where} is {V.shape[0]} x {V.shape[1]} with {n} bags, "
                         f"so it could be bags x labels or labels x bags; pass "
                         f"label_layout='bags_x_labels' or 'labels_x_bags'")
    if rows:
        return V
    if cols:
        return V.T
    raise ValueError(f"{path}: {where} has shape {V.shape} but there are {n} bags; neither "
                     f"dimension matches (labels must be bags x labels or labels x bags)")


def _joint_layout(parts, path: str, where: str) -> Optional[str]:
    """The one orientation that fits every (label matrix, n_bags) part, or None to let
    :func:`_orient` decide (and explain) per part."""
    shapes = [np.shape(V) for V, _ in parts]
    if any(len(s) != 2 for s in shapes):
        return None
    fits = []
    for layout, ax in (('bags_x_labels', 0), ('labels_x_bags', 1)):
        if all(s[ax] == n for s, (_, n) in zip(shapes, parts)) and \
                len({s[1 - ax] for s in shapes}) == 1:
            fits.append(layout)
    if len(fits) == 2:  # only possible when every part is square
        raise ValueError(f"{path}: {where} are square ({shapes}), so they could be bags x "
                         f"labels or labels x bags; pass label_layout='bags_x_labels' or "
                         f"'labels_x_bags'")
    return fits[0] if fits else None


def _strings(v, path: str, where: str) -> List[str]:
    arr = np.asarray(v)
    if arr.dtype.kind == 'U':
        return [str(s).strip() for s in arr.reshape(-1)]
    if arr.dtype != object:
        raise ValueError(f"{path}: {where} must be a cell array of strings, got {arr.dtype}")
    out = []
    for i, el in enumerate(arr.reshape(-1, order='F')):
        el = np.asarray(el)
        if el.dtype.kind != 'U':
            raise ValueError(f"{path}: {where}[{i}] is not a string ({el.dtype})")
        out.append(''.join(str(s) for s in el.reshape(-1)).strip())
    return out


def _labels(V, path, where, layout, n) -> np.ndarray:
    V = _orient(V, n, path, where, layout)
    if np.issubdtype(V.dtype, np.floating) and not np.isfinite(V).all():
        r, c = np.argwhere(~np.isfinite(V))[0]
        raise ValueError(f"{path}: {where} (bag {r}, label {c}): label value {V[r, c]} is "
                         f"not finite")
    return binary_labels(V, lambda r, c: f"{path}: {where} (bag {r}, label {c})")


def mat_entry_shapes(path) -> List[Tuple[int, int]]:
    r"""Lists the data sets held by a ``.mat`` file as ``(n_bags, n_labels)`` pairs, in the
    order :func:`read_miml_mat`'s ``entry`` index uses (e.g. the seven organisms of the
    MIML-DML ``MIMLprotein.mat``)."""
    path = os.fspath(path)
    out = []
    for group in _entries(_load(path)):
        c = group[0]
        V = np.asarray(c.fields['train_labels' if c.is_split else 'labels'])
        n = c.n_bags()
        n_sub = _cell_len(c.fields['train_bags']) if c.is_split else n
        L = V.shape[1] if V.ndim == 2 and V.shape[0] == n_sub else (
            V.shape[0] if V.ndim == 2 else -1)
        out.append((n, int(L)))
    return out


def read_miml_mat(
    path,
    *,
    entry: Union[None, int, Tuple[int, int]] = None,
    split: int = 0,
    label_layout: Optional[str] = None,
    name: str = '',
) -> MIMLBags:
    r"""Reads a MIML data set from a MATLAB (v5/v7) ``.mat`` file.

    Two layouts are recognised, at top level or inside (nested) structs:

    - **bags + labels** (LAMDA style, e.g. ``scene_MIML.mat``): a cell vector ``bags`` of
      ``[n_i, d]`` matrices and a label matrix ``labels`` / ``targets`` / ``target``, with
      optional label names ``class_name`` (cell of strings).
    - **train/test split** (MIML-DML style, e.g. ``MIMLprotein_test.mat`` =
      ``MLprotein.test`` with ``train_bags``, ``train_target``, ``test_bags``,
      ``test_target``): the file stores one random split of the data; the reader returns
      the **union, train bags first, then test bags** (``meta['note']`` says so). When the
      struct holds several splits of the same data, ``split`` picks one (their unions hold
      the same bags, in a different order).

    A struct array with several elements above the data (e.g. ``MLprotein(i)`` for seven
    organisms) holds several data sets: pick one with ``entry``.

    The label matrix may be bags x labels or labels x bags: the orientation is found from
    the number of bags (an error when both dimensions equal it; then pass
    ``label_layout``). Labels coded :math:`\{-1, 1\}` or :math:`\{0, 1\}` become ``uint8``
    :math:`\{0, 1\}`.

    Args:
        path (str or os.PathLike): the ``.mat`` file.
        entry (int or (int, int), optional): which data set of a multi-entry file, by
            position (see :func:`mat_entry_shapes`) or by its ``(n_bags, n_labels)``
            shape. Required when the file holds several. (default: :obj:`None`)
        split (int, optional): which stored split to take the union of, when there are
            several. (default: :obj:`0`)
        label_layout (str, optional): :obj:`None` (detect), ``'bags_x_labels'`` or
            ``'labels_x_bags'``. (default: :obj:`None`)
        name (str, optional): the data set's name. (default: the file stem)

    Returns:
        MIMLBags: ``float32`` bags, ``uint8`` labels, label names when the file has them,
        bag ids when it has them (the LAMDA files do not).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: not a readable v5/v7 .mat file (truncated, corrupt or v7.3), no MIML
            data in it, several entries and no ``entry``, an empty bag, NaN/inf features,
            feature dimensions that differ between bags, a label matrix whose shape matches
            the number of bags in neither (or, ambiguously, both) orientations, label values
            outside :math:`\{0, 1\}` / :math:`\{-1, 1\}`, or a wrong number of label names.
    """
    path = os.fspath(path)
    if label_layout not in _LAYOUTS:
        raise ValueError(f"label_layout must be one of {_LAYOUTS}, got {label_layout!r}")
    groups = _entries(_load(path))
    if entry is None:
        if len(groups) > 1:
            shapes = mat_entry_shapes(path)
            listing = '; '.join(f"{k}: {g[0].where} ({s[0]} bags x {s[1]} labels)"
                                for k, (g, s) in enumerate(zip(groups, shapes)))
            raise ValueError(f"{path} holds {len(groups)} data sets; pick one with entry= "
                             f"(an index or an (n_bags, n_labels) shape): {listing}")
        k = 0
    elif isinstance(entry, tuple):
        shapes = mat_entry_shapes(path)
        hits = [k for k, s in enumerate(shapes) if s == tuple(entry)]
        if len(hits) != 1:
            raise ValueError(f"{path}: {len(hits)} data sets have shape {tuple(entry)} "
                             f"(bags, labels); the file holds {shapes}")
        k = hits[0]
    else:
        k = int(entry)
        if not 0 <= k < len(groups):
            raise ValueError(f"{path}: entry {k} out of range; the file holds "
                             f"{len(groups)} data set(s)")
    group = groups[k]
    if not 0 <= split < len(group):
        raise ValueError(f"{path}: split {split} out of range; {group[0].where} holds "
                         f"{len(group)} split(s)")
    c = group[split]
    f = c.fields
    where = c.where + '.' if c.where else ''
    meta = {'format': 'miml_mat', 'files': [path], 'where': c.where}
    if c.is_split:
        tr = _bags(f['train_bags'], path, where + 'train_bags')
        te = _bags(f['test_bags'], path, where + 'test_bags')
        layout = label_layout or _joint_layout(
            [(f['train_labels'], len(tr)), (f['test_labels'], len(te))], path,
            where + 'train_target/test_target')
        Ytr = _labels(f['train_labels'], path, where + 'train_target', layout, len(tr))
        Yte = _labels(f['test_labels'], path, where + 'test_target', layout, len(te))
        if Ytr.shape[1] != Yte.shape[1]:
            raise ValueError(f"{path}: {where}train_target has {Ytr.shape[1]} labels but "
                             f"test_target has {Yte.shape[1]}")
        if tr[0].shape[1] != te[0].shape[1]:
            raise ValueError(f"{path}: train bags have {tr[0].shape[1]} features, test bags "
                             f"{te[0].shape[1]}")
        bags, Y = tr + te, np.concatenate([Ytr, Yte], axis=0)
        meta['note'] = (f"the file stores a train/test split ({c.where}: {len(tr)} train + "
                        f"{len(te)} test bags, split {c.split} of {c.split_count}); "
                        f"returned is the union, train bags first, then test bags")
        meta['stored_split'] = np.repeat(np.array(['train', 'test']), [len(tr), len(te)])
        meta['per_bag'] = ('stored_split', )
    else:
        bags = _bags(f['bags'], path, where + 'bags')
        Y = _labels(f['labels'], path, where + 'labels', label_layout, len(bags))
    names = None
    if 'names' in f:
        names = _strings(f['names'], path, where + 'class_name')
        if len(names) != Y.shape[1]:
            raise ValueError(f"{path}: {len(names)} label names for {Y.shape[1]} labels")
    ids = None
    if 'ids' in f:
        ids = _strings(f['ids'], path, where + 'bag_ids')
        if len(ids) != len(bags):
            raise ValueError(f"{path}: {len(ids)} bag ids for {len(bags)} bags")
    return MIMLBags(bags=bags, Y=Y, label_names=names, bag_ids=ids,
                    name=name or os.path.splitext(os.path.basename(path))[0], meta=meta)
