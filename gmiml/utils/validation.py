"""Input validation shared by every reader, transform and estimator.

Every check raises a :class:`ValueError` (or :class:`TypeError`) whose message names the
problem and where it is (which bag, which row), so bad input is never silently dropped or
repaired.
"""
from typing import Optional, Sequence

import numpy as np

__all__ = ['check_bags', 'check_labels', 'check_bags_labels']


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
        ValueError: no bags, an empty bag, a bag that is not 1-D/2-D, NaN or inf
            features, or feature dimensions that differ across bags or from ``dim``.
    """
    if isinstance(bags, np.ndarray) and bags.dtype != object:
        if bags.ndim != 3:
            raise ValueError(
                f"{name}: expected a sequence of [n_i, d] arrays (one per bag) or a 3-D "
                f"array [N, n, d], got an array of shape {bags.shape}")
        bags = list(bags)
    try:
        n = len(bags)
    except TypeError:
        raise TypeError(f"{name}: expected a sequence of bags, got {type(bags).__name__}")
    if n == 0:
        raise ValueError(f"{name}: no bags given (empty sequence)")
    out = []
    for i, bag in enumerate(bags):
        if hasattr(bag, 'detach'):  # torch tensor
            bag = bag.detach().cpu().numpy()
        arr = np.array(bag, dtype=np.float32, copy=True) if copy else np.asarray(
            bag, dtype=np.float32)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise ValueError(f"{name}[{i}]: a bag must be a 2-D array [n_instances, "
                             f"n_features], got shape {arr.shape}")
        if arr.shape[0] == 0:
            raise ValueError(f"{name}[{i}]: empty bag (0 instances); every bag needs at "
                             f"least one instance")
        if dim is None:
            dim = arr.shape[1]
        if arr.shape[1] != dim:
            raise ValueError(f"{name}[{i}]: has {arr.shape[1]} features per instance, "
                             f"expected {dim} (as in the first bag or the fitted model)")
        if not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr))[0]
            raise ValueError(f"{name}[{i}]: non-finite feature value {arr[bad[0], bad[1]]} "
                             f"at instance {bad[0]}, feature {bad[1]} (NaN/inf are not "
                             f"allowed; impute or drop them explicitly first)")
        out.append(arr)
    return out


def check_labels(
    Y,
    n_bags: Optional[int] = None,
    *,
    n_labels: Optional[int] = None,
    name: str = 'Y',
) -> np.ndarray:
    r"""Validates a label matrix and returns it as ``uint8`` in :math:`\{0, 1\}`.

    Accepts :math:`\{0, 1\}` or :math:`\{-1, 1\}` coding (the LAMDA MATLAB files use the
    latter); booleans are read as :math:`\{0, 1\}`.

    Args:
        Y (array-like): label matrix of shape ``[N, L]``.
        n_bags (int, optional): the number of bags ``N`` it must describe.
        n_labels (int, optional): the number of labels ``L`` it must have.
        name (str, optional): what to call the input in error messages.

    Raises:
        ValueError: not 2-D, wrong number of rows or columns, NaN, or values outside
            :math:`\{0, 1\}` / :math:`\{-1, 1\}`.
    """
    if hasattr(Y, 'detach'):
        Y = Y.detach().cpu().numpy()
    if hasattr(Y, 'toarray'):  # scipy.sparse
        Y = Y.toarray()
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D label matrix [n_bags, n_labels], got "
                         f"shape {Y.shape}")
    if n_bags is not None and Y.shape[0] != n_bags:
        raise ValueError(f"{name}: has {Y.shape[0]} rows but there are {n_bags} bags")
    if n_labels is not None and Y.shape[1] != n_labels:
        raise ValueError(f"{name}: has {Y.shape[1]} label columns, expected {n_labels}")
    if Y.shape[1] == 0:
        raise ValueError(f"{name}: has no label columns")
    if Y.dtype == bool:
        return Y.astype(np.uint8)
    if not np.issubdtype(Y.dtype, np.number):
        raise ValueError(f"{name}: labels must be numeric, got dtype {Y.dtype}")
    if np.issubdtype(Y.dtype, np.floating) and not np.isfinite(Y).all():
        raise ValueError(f"{name}: contains NaN or inf")
    values = np.unique(Y)
    if np.isin(values, (0, 1)).all():
        return Y.astype(np.uint8)
    if np.isin(values, (-1, 1)).all():
        return (Y > 0).astype(np.uint8)
    bad = values[~np.isin(values, (-1, 0, 1))]
    if bad.size:
        r, c = np.argwhere(Y == bad[0])[0]
        raise ValueError(f"{name}: label value {bad[0]} at row {r}, column {c} is outside "
                         f"{{0, 1}} / {{-1, 1}}")
    raise ValueError(f"{name}: mixes {{0, 1}} and {{-1, 1}} coding (values "
                     f"{values.tolist()}); use one of them")


def check_bags_labels(bags, Y, *, dim: Optional[int] = None,
                      n_labels: Optional[int] = None):
    """Validates bags and labels together; returns ``(bags, Y)`` as in :func:`check_bags`
    and :func:`check_labels`."""
    bags = check_bags(bags, dim=dim)
    Y = check_labels(Y, len(bags), n_labels=n_labels)
    return bags, Y
