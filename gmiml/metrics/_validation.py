"""Input checks shared by the metrics (private).

Labels and hard predictions go through :func:`gmiml.utils.validation.check_labels` (so
:math:`\\{0, 1\\}`, :math:`\\{-1, 1\\}` and boolean codings are accepted); scores must be a
finite real matrix of the labels' shape. Every error names the offending argument.
"""
import numpy as np

from gmiml.utils.validation import check_labels

__all__ = []


def _to_numpy(x):
    if hasattr(x, 'detach'):  # torch tensor (any device, any dtype incl. bfloat16)
        x = x.detach().cpu()
        if x.is_floating_point() and str(x.dtype) not in ('torch.float32', 'torch.float64'):
            x = x.double()
        x = x.numpy()
    if hasattr(x, 'toarray'):  # scipy.sparse
        x = x.toarray()
    return np.asarray(x)


def real_matrix(A, name: str, what: str = 'matrix') -> np.ndarray:
    r"""``A`` (a numpy array) as a ``float64`` 2-D matrix; a clear error naming ``name``
    when it is not real-valued or not 2-D."""
    if not (np.issubdtype(A.dtype, np.floating) or np.issubdtype(A.dtype, np.integer)):
        raise ValueError(f"{name}: must be real-valued, got dtype {A.dtype}")
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D {what} [n_bags, n_labels], got shape "
                         f"{A.shape}")
    return A


def check_targets(Y, name: str = 'Y') -> np.ndarray:
    r"""``Y`` as ``uint8`` ``[N, L]`` in :math:`\{0, 1\}` with at least one row."""
    Y = check_labels(_to_numpy(Y), name=name)
    if Y.shape[0] == 0:
        raise ValueError(f"{name}: has no rows (0 bags); metrics need at least one bag")
    return Y


def check_hard_pair(Y, Y_pred):
    r"""Validates true labels and hard predictions of the same shape."""
    Y = check_targets(Y, 'Y')
    Y_pred = check_labels(_to_numpy(Y_pred), name='Y_pred')
    if Y_pred.shape != Y.shape:
        raise ValueError(f"Y_pred: has shape {tuple(Y_pred.shape)} but Y has shape "
                         f"{tuple(Y.shape)}")
    return Y, Y_pred


def check_scores(S, shape, name: str = 'scores') -> np.ndarray:
    r"""``S`` as finite ``float64`` of the given shape."""
    S = _to_numpy(S)
    if S.dtype == bool:
        S = S.astype(np.float64)
    S = real_matrix(S, name, 'score matrix')
    if S.shape != tuple(shape):
        raise ValueError(f"{name}: has shape {S.shape} but Y has shape {tuple(shape)}")
    finite = np.isfinite(S)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        raise ValueError(f"{name}: non-finite value {S[r, c]} at row {r}, column {c} "
                         f"(NaN/inf scores cannot be ranked)")
    return S


def check_scored_pair(Y, S, name: str = 'scores'):
    r"""Validates true labels and real-valued scores of the same shape."""
    Y = check_targets(Y, 'Y')
    S = check_scores(S, Y.shape, name=name)
    return Y, S
