"""Input validation shared by every reader, transform and estimator.

Every check raises a :class:`ValueError` (or :class:`TypeError`) whose message names the
problem and where it is (which bag, which instance and feature, which row and column), so
bad input is never silently dropped, repaired or cast.
"""
from collections import Counter
from typing import Callable, Optional, Sequence, Tuple

import numpy as np

__all__ = ['check_bags', 'check_labels', 'check_bags_labels', 'as_float32', 'binary_labels']

_F32_MAX = float(np.finfo(np.float32).max)
_NUMERIC_KINDS = 'biuf'
_INDEX_HINT = ("gmiml expects a binary indicator matrix [n_bags, n_labels] ({0, 1} or "
               "{-1, 1}), not lists of label indices; convert with "
               "sklearn.preprocessing.MultiLabelBinarizer(classes=range(n_labels))"
               ".fit_transform(Y)")


def as_float32(X: np.ndarray, where: Callable[[tuple], Tuple[str, str]]) -> np.ndarray:
    r"""Casts a numeric array to ``float32``, refusing NaN, infinity and finite values
    beyond the ``float32`` range (which a cast would silently turn into infinity).

    Args:
        X (numpy.ndarray): a numeric array (any real dtype).
        where (callable): maps the index tuple of the first bad value to ``(source,
            position)`` strings for the message, e.g. ``('bags[3]', 'instance 0, feature
            7')`` or ``('data.arff, line 12 (bag 'b1')', 'instance 2, feature 0')``.

    Raises:
        ValueError: names the first bad value, where it is and what is wrong with it.
    """
    with np.errstate(over='ignore', invalid='ignore'):
        out = np.asarray(X, dtype=np.float32)
    if np.isfinite(out).all():
        return out
    idx = tuple(int(i) for i in np.argwhere(~np.isfinite(out))[0])
    v = X[idx]
    source, pos = where(idx)
    if np.isfinite(v):
        raise ValueError(f"{source}: feature value {_show(v)} at {pos} overflows float32 "
                         f"(|x| > {_F32_MAX:.7g}, the largest float32); rescale the data")
    raise ValueError(f"{source}: non-finite feature value {v} at {pos} (NaN/inf are not "
                     f"allowed; impute or drop them explicitly first)")


def _first_non_number(arr: np.ndarray):
    """(index, value) of the first element that is not a real number, or None."""
    for idx in np.ndindex(arr.shape):
        v = arr[idx]
        if v is None or isinstance(v, (complex, np.complexfloating)):
            return idx, v
        try:
            float(v)
        except (TypeError, ValueError):
            return idx, v
    return None


def _show(v) -> str:
    return repr(v.item() if isinstance(v, np.generic) else v)


def _ragged(obj, what: str) -> str:
    """Why nested sequences do not form a 2-D array: the first row whose length differs
    from the most common one."""
    rows = list(obj)
    lens = [len(r) if hasattr(r, '__len__') and not isinstance(r, str) else None
            for r in rows]
    if any(n is None for n in lens) and any(n is not None for n in lens):
        k = next(i for i, n in enumerate(lens) if n is None)
        return (f"ragged: {what} {k} is a single value while others are sequences; give "
                f"every {what} as a sequence of the same length")
    common = Counter(lens).most_common(1)[0][0]
    k = next((i for i, n in enumerate(lens) if n != common), None)
    if k is None:
        return "not a 2-D array (nested more than two levels deep?)"
    return (f"ragged: {what} {k} has {lens[k]} values, expected {common} (as most "
            f"{what}s); every {what} needs the same number of values")


def _position(idx, axes) -> str:
    if len(idx) == 0:  # a scalar where an array was expected
        return 'the place of the whole array (a single value)'
    if len(idx) > len(axes):
        return f"[{', '.join(str(i) for i in idx)}]"
    return ', '.join(f"{a} {i}" for a, i in zip(axes[len(axes) - len(idx):], idx))


def _to_array(obj, name: str, axes=('instance', 'feature')) -> np.ndarray:
    """``np.asarray(obj)`` with messages for ragged nesting and for entries that are not
    real numbers (text, None, complex) that name the position (``axes`` names the two
    dimensions)."""
    if hasattr(obj, 'detach'):  # torch tensor
        obj = obj.detach().cpu().numpy()
    try:
        arr = np.asarray(obj)
    except (ValueError, TypeError):
        raise ValueError(f"{name}: {_ragged(obj, axes[0])}") from None
    if arr.dtype.kind in _NUMERIC_KINDS:
        return arr
    if arr.dtype.kind not in 'OUSc':
        raise TypeError(f"{name}: values must be real numbers, got dtype {arr.dtype}")
    bad = _first_non_number(arr)
    if bad is None and arr.dtype.kind == 'O':
        return arr.astype(np.float64)
    if bad is None:  # text that reads as numbers: still not silently converted
        bad = (tuple(0 for _ in arr.shape), arr.reshape(-1)[0])
    idx, v = bad
    what = ('a complex number' if isinstance(v, (complex, np.complexfloating)) else
            'text, not a number' if isinstance(v, (str, bytes, np.str_, np.bytes_)) else
            'not a real number')
    raise ValueError(f"{name}: {_show(v)} at {_position(idx, axes)} is {what}; convert "
                     f"the input to a real-valued numeric array first")


def check_bags(
    bags: Sequence,
    *,
    dim: Optional[int] = None,
    name: str = 'bags',
    copy: bool = False,
) -> list:
    r"""Validates a list of bags and returns it as float32 arrays of shape ``[n_i, d]``.

    Args:
        bags (sequence): one array-like of shape ``[n_i, d]`` per bag (a torch tensor, a numpy
            array or nested lists). A 1-D array is read as a bag of one instance.
        dim (int, optional): the feature dimension the bags must have (e.g. the one seen in
            ``fit``). If :obj:`None`, the first bag's dimension is used. (default: :obj:`None`)
        name (str, optional): what to call the input in error messages.
            (default: :obj:`"bags"`)
        copy (bool, optional): always copy the arrays. (default: :obj:`False`)

    Raises:
        TypeError: ``bags`` is not a sequence.
        ValueError: no bags, an empty bag, a bag that is not 1-D/2-D, ragged instance rows,
            a value that is not a real number (string, None, complex), NaN or inf, a
            finite value beyond the float32 range, or feature dimensions that differ
            across bags or from ``dim``. The message names the bag, instance and feature.
    """
    if isinstance(bags, np.ndarray) and bags.dtype != object:
        if bags.ndim != 3:
            raise ValueError(
                f"{name}: expected a sequence of [n_i, d] arrays (one per bag) or a 3-D "
                f"array [N, n, d], got an array of shape {bags.shape}")
        bags = list(bags)
    if isinstance(bags, (str, bytes)) or not hasattr(bags, '__len__'):
        raise TypeError(f"{name}: expected a sequence of bags, got {type(bags).__name__}")
    if len(bags) == 0:
        raise ValueError(f"{name}: no bags given (empty sequence)")
    out = []
    for i, bag in enumerate(bags):
        where = f"{name}[{i}]"
        arr = _to_array(bag, where)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise ValueError(f"{where}: a bag must be a 2-D array [n_instances, "
                             f"n_features], got shape {arr.shape}")
        if arr.shape[0] == 0:
            raise ValueError(f"{where}: empty bag (0 instances); every bag needs at "
                             f"least one instance")
        if dim is None:
            dim = arr.shape[1]
        if arr.shape[1] != dim:
            raise ValueError(f"{where}: has {arr.shape[1]} features per instance, "
                             f"expected {dim} (as in the first bag or the fitted model)")
        arr = as_float32(arr, lambda ix: (where, f"instance {ix[0]}, feature {ix[1]}"))
        out.append(arr.copy() if copy else arr)
    return out


def _index_lists(Y) -> bool:
    """Whether ragged nested input looks like lists of label indices."""
    try:
        rows = [list(r) for r in Y]
    except TypeError:
        return False
    return all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0
               for r in rows for v in r)


def check_labels(
    Y,
    n_bags: Optional[int] = None,
    *,
    n_labels: Optional[int] = None,
    name: str = 'Y',
) -> np.ndarray:
    r"""Validates a label matrix and returns it as ``uint8`` in :math:`\{0, 1\}`.

    Accepts :math:`\{0, 1\}` or :math:`\{-1, 1\}` coding (the LAMDA MATLAB files use the
    latter); booleans are read as :math:`\{0, 1\}`. Lists of label indices (e.g.
    ``[[0, 2], [1]]``) are refused with a message saying how to convert them: equally long
    index lists cannot be told from indicator rows (``[[0, 1], [1, 0]]`` would mean two
    different things), which is also why scikit-learn refuses them.

    Args:
        Y (array-like): label matrix of shape ``[N, L]``.
        n_bags (int, optional): the number of bags ``N`` it must describe.
        n_labels (int, optional): the number of labels ``L`` it must have.
        name (str, optional): what to call the input in error messages.

    Raises:
        ValueError: not 2-D, ragged rows (e.g. index lists), wrong number of rows or
            columns, a value that is not a number, NaN, or values outside
            :math:`\{0, 1\}` / :math:`\{-1, 1\}`; the message names the row and column.
    """
    if hasattr(Y, 'toarray'):  # scipy.sparse
        Y = Y.toarray()
    try:
        Y = _to_array(Y, name, ('row', 'column'))
    except ValueError as e:
        if 'ragged' in str(e) and _index_lists(Y):
            raise ValueError(f"{name}: rows of different lengths that look like label "
                             f"indices (row 0: {list(Y[0])}); {_INDEX_HINT}") from None
        raise
    if Y.ndim != 2:
        hint = ' (one label per bag: pass Y.reshape(-1, 1))' if Y.ndim == 1 else ''
        raise ValueError(f"{name}: expected a 2-D label matrix [n_bags, n_labels], got "
                         f"shape {Y.shape}{hint}")
    if n_bags is not None and Y.shape[0] != n_bags:
        raise ValueError(f"{name}: has {Y.shape[0]} rows but there are {n_bags} bags")
    if n_labels is not None and Y.shape[1] != n_labels:
        raise ValueError(f"{name}: has {Y.shape[1]} label columns, expected {n_labels}")
    if Y.shape[1] == 0:
        raise ValueError(f"{name}: has no label columns")
    if Y.dtype == bool:
        return Y.astype(np.uint8)
    if Y.dtype.kind == 'f' and not np.isfinite(Y).all():
        r, c = np.argwhere(~np.isfinite(Y))[0]
        raise ValueError(f"{name}: label value {Y[r, c]} at row {r}, column {c} is NaN or "
                         f"inf")
    try:
        return binary_labels(Y, lambda r, c: name, lambda r, c: f"row {r}, column {c}")
    except ValueError as e:
        if 'is outside' in str(e) and Y.min() >= 0 and (Y == np.round(Y)).all():
            raise ValueError(f"{e} (label indices? {_INDEX_HINT})") from None
        raise


def binary_labels(V: np.ndarray, where: Callable[[int, int], str],
                  position: Optional[Callable[[int, int], str]] = None) -> np.ndarray:
    r"""Maps a numeric label matrix coded :math:`\{0, 1\}` or :math:`\{-1, 1\}` to
    ``uint8`` :math:`\{0, 1\}` (the one place that decides a label coding).

    Args:
        V (numpy.ndarray): a 2-D numeric label matrix.
        where (callable): ``where(row, col)`` names the source of a value for the error
            message (e.g. file, line, bag, label).
        position (callable, optional): ``position(row, col)``, said after the value
            (e.g. ``'row 0, column 2'``). (default: :obj:`None`)

    Raises:
        ValueError: a value outside both codings, or the two codings mixed; the message
            names the first offending position.
    """
    V = np.asarray(V)
    ok01 = (V == 0) | (V == 1)
    if ok01.all():
        return V.astype(np.uint8)
    okpm = (V == -1) | (V == 1)
    if okpm.all():
        return (V > 0).astype(np.uint8)
    at = (lambda r, c: f" at {position(r, c)}") if position else (lambda r, c: '')
    bad = ~(ok01 | okpm)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"{where(r, c)}: label value {V[r, c].item():g}{at(r, c)} is outside "
                         f"{{0, 1}} / {{-1, 1}}")
    (r0, c0), (r1, c1) = np.argwhere(V == 0)[0], np.argwhere(V == -1)[0]
    head, loc = (f"{where(r0, c0)}: l", position) if position else ('L', where)
    raise ValueError(f"{head}abels mix the {{0, 1}} and {{-1, 1}} codings: 0 at {loc(r0, c0)}, "
                     f"-1 at {loc(r1, c1)}; use one of them")


def check_bags_labels(bags, Y, *, dim: Optional[int] = None,
                      n_labels: Optional[int] = None):
    """Validates bags and labels together; returns ``(bags, Y)`` as in :func:`check_bags`
    and :func:`check_labels`."""
    bags = check_bags(bags, dim=dim)
    Y = check_labels(Y, len(bags), n_labels=n_labels)
    return bags, Y
