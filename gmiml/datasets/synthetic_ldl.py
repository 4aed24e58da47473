r"""A synthetic label-distribution (LDL) generator whose distributions are a smooth
function of the features, for testing label enhancement."""
from typing import Optional, Tuple

import numpy as np

__all__ = ['make_synthetic_ldl']


def make_synthetic_ldl(
    n_samples: int = 200,
    n_features: int = 10,
    n_labels: int = 5,
    random_state: Optional[int] = None,
    *,
    n_clusters: int = 4,
    noise: float = 0.3,
    temperature: float = 1.0,
) -> Tuple[np.ndarray, np.ndarray]:
    r"""Generates features and label distributions, the distributions determined by the
    features (so a label-enhancement method that reads the features can recover them).

    Instances come from :math:`K` clusters with centres :math:`\mu_k \sim \mathcal{N}(0,
    I_F)`, :math:`x = \mu_k + \sigma \varepsilon`; a fixed random map
    :math:`W \sim \mathcal{N}(0, 1)^{F \times L}` gives

    .. math::
        d_i = \operatorname{softmax}\big(x_i W / (\tau \sqrt{F})\big),

    so neighbouring instances have similar distributions.

    Args:
        n_samples (int, optional): :math:`N`. (default: ``200``)
        n_features (int, optional): :math:`F`. (default: ``10``)
        n_labels (int, optional): :math:`L \ge 2`. (default: ``5``)
        random_state (int, optional): seed. (default: :obj:`None`)
        n_clusters (int, optional): :math:`K`. (default: ``4``)
        noise (float, optional): :math:`\sigma`. (default: ``0.3``)
        temperature (float, optional): :math:`\tau`; smaller gives peakier
            distributions. (default: ``1.0``)

    Returns:
        (numpy.ndarray, numpy.ndarray): ``float64`` features :math:`[N, F]` and
        distributions :math:`[N, L]` (rows sum to 1).
    """
    for name, v, low in (('n_samples', n_samples, 1), ('n_features', n_features, 1),
                         ('n_labels', n_labels, 2), ('n_clusters', n_clusters, 1)):
        if not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name}: must be an integer >= {low}, got {v!r}")
    if noise < 0 or not temperature > 0:
        raise ValueError(f"noise must be >= 0 and temperature > 0, got {noise}, "
                         f"{temperature}")
    rng = np.random.default_rng(random_state)
    centres = rng.standard_normal((n_clusters, n_features))
    X = centres[rng.integers(n_clusters, size=n_samples)] \
        + noise * rng.standard_normal((n_samples, n_features))
    W = rng.standard_normal((n_features, n_labels))
    Z = X @ W / (temperature * np.sqrt(n_features))
    Z -= Z.max(axis=1, keepdims=True)
    D = np.exp(Z)
    return X, D / D.sum(axis=1, keepdims=True)
