r"""Reader for label-distribution (LDL) data in MATLAB ``.mat`` files: a feature matrix
and a label-distribution matrix, one row per instance (the layout of the LDL and
label-enhancement literature's files, e.g. SJAFFE, Natural Scene)."""
import os
from typing import Optional, Sequence

import numpy as np

from gmiml.utils.label_distribution import check_distribution

from ._common import load_mat
from .ldl_data import LDLData

__all__ = ['read_ldl_mat', 'FEATURE_KEYS', 'DISTRIBUTION_KEYS']

#: Variable names tried for the features, in order (case-insensitive).
FEATURE_KEYS = ('features', 'feature', 'x', 'data')
#: Variable names tried for the label distributions, in order (case-insensitive).
DISTRIBUTION_KEYS = ('label_distribution', 'label_distributions', 'labels',
                     'distribution', 'distributions', 'd', 'y')


class _MissingVariable(KeyError):
    """A KeyError whose message prints as written (not quoted)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _variables(path: str) -> dict:
    m = load_mat(path, 'label-distribution .mat file')
    return {k: v for k, v in m.items() if not k.startswith('__')}


def _describe(variables: dict) -> str:
    return ', '.join(f"{k} {getattr(v, 'shape', '?')}" for k, v in variables.items()) \
        or 'none'


def _pick(variables: dict, key: Optional[str], options: Sequence[str], role: str,
          arg: str, path: str) -> str:
    if key is not None:
        if key not in variables:
            raise _MissingVariable(f"{path}: no variable {key!r} (given as {arg}= for the "
                                   f"{role}); "
                           f"the file holds: {_describe(variables)}")
        return key
    low = {k.lower(): k for k in variables}
    for o in options:
        if o in low:
            return low[o]
    raise _MissingVariable(f"{path}: no {role} variable found (looked for "
                           f"{', '.join(options)}); "
                   f"the file holds: {_describe(variables)}; name it with {arg}=")


def _matrix(v, path: str, key: str, role: str) -> np.ndarray:
    import scipy.sparse as sp

    if sp.issparse(v):
        v = v.toarray()
    arr = np.asarray(v)
    if arr.dtype.kind not in 'biuf':
        raise ValueError(f"{path}: variable {key!r} ({role}) holds {arr.dtype} data; "
                         f"expected a numeric matrix")
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{path}: variable {key!r} ({role}) has shape {arr.shape}; "
                         f"expected a non-empty 2-D matrix [n_instances, n_{role}]")
    return arr.astype(np.float64)


def read_ldl_mat(path, *, features: Optional[str] = None,
                 distributions: Optional[str] = None, atol: float = 1e-5) -> LDLData:
    r"""Reads a label-distribution data set from a MATLAB (v5/v7) ``.mat`` file holding
    a feature matrix :math:`[N, F]` and a label-distribution matrix :math:`[N, L]`.

    Without ``features`` / ``distributions`` the variables are found by name
    (case-insensitive, first match): :data:`FEATURE_KEYS` (``features``, ``feature``,
    ``X``, ``data``) and :data:`DISTRIBUTION_KEYS` (``label_distribution``, ...,
    ``labels``, ..., ``D``, ``Y``). The rows of the distributions must be non-negative
    and sum to 1 within ``atol``; they are then divided by their sums in ``float64``
    (which only removes the rounding of files stored in ``float32``).

    Args:
        path (str or os.PathLike): the ``.mat`` file.
        features (str, optional): the variable holding the features. (default:
            :obj:`None`, found by name)
        distributions (str, optional): the variable holding the label distributions.
            (default: :obj:`None`, found by name)
        atol (float, optional): tolerance of the row sums. (default: ``1e-5``)

    Raises:
        FileNotFoundError: the file does not exist.
        KeyError: a variable is missing (the message lists the file's variables).
        ValueError: an unreadable file, non-numeric or non-2-D variables, NaN/inf
            features, different numbers of rows, or distributions with a negative value
            or a row not summing to 1 (the message names file, variable, row and column).

    Returns:
        LDLData: ``(X, D, features_key, distributions_key, path)``.
    """
    path = os.fspath(path)
    variables = _variables(path)
    fk = _pick(variables, features, FEATURE_KEYS, 'features', 'features', path)
    dk = _pick(variables, distributions, DISTRIBUTION_KEYS, 'label-distribution',
               'distributions', path)
    if fk == dk:
        raise ValueError(f"{path}: the features and the distributions are the same "
                         f"variable {fk!r}; name them with features= and distributions=")
    X = _matrix(variables[fk], path, fk, 'features')
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        r, c = bad[0]
        raise ValueError(f"{path}: variable {fk!r} (features): non-finite value "
                         f"{X[r, c]} at row {r}, column {c}")
    D = _matrix(variables[dk], path, dk, 'labels')
    if D.shape[0] != X.shape[0]:
        hint = ' (transposed?)' if D.shape[1] == X.shape[0] else ''
        raise ValueError(f"{path}: variable {dk!r} has shape {D.shape} but the features "
                         f"{fk!r} have {X.shape[0]} rows{hint}; expected one "
                         f"distribution row per instance")
    D = check_distribution(D, name=f"variable {dk!r} (label distributions)", atol=atol,
                           where=path)
    return LDLData(X, D, fk, dk, path)
