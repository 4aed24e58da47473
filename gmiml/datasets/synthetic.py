r"""A synthetic MIML generator with planted instance-to-label structure."""
from typing import Optional, Tuple, Union

import numpy as np

from gmiml.io._common import split_rows
from gmiml.io.miml_bags import MIMLBags

__all__ = ['make_synthetic_miml']


def make_synthetic_miml(
    n_bags: int = 500,
    n_labels: int = 10,
    n_features: int = 20,
    instances_per_bag: Union[int, Tuple[int, int]] = (2, 8),
    random_state: Optional[int] = None,
    *,
    pair_fraction: float = 0.3,
    noise: float = 0.3,
    background_prob: float = 0.5,
    n_background: Optional[int] = None,
    label_noise: float = 0.0,
    name: str = 'synthetic',
) -> MIMLBags:
    r"""Generates MIML data of any size whose labels are caused by planted instance types.

    There are :math:`K` instance types ("prototypes") with centres
    :math:`\mu_k \sim \mathcal{N}(0, I_d)`. An instance of type :math:`k` is

    .. math::
        x = \mu_k + \sigma \, \varepsilon, \qquad \varepsilon \sim \mathcal{N}(0, I_d)

    with :math:`\sigma` = ``noise``. The labels follow fixed rules on the set
    :math:`T_i` of types present in bag :math:`i`:

    - a **single** label :math:`l` has its own type :math:`a_l`:
      :math:`y_{il} = [a_l \in T_i]`;
    - a **pair** label has two types of its own, neither enough alone:
      :math:`y_{il} = [a_l \in T_i \wedge b_l \in T_i]` (co-occurrence);
    - ``n_background`` further types trigger nothing.

    Each bag gets :math:`n_i` instances (uniform in ``instances_per_bag``); each instance is
    a background type with probability ``background_prob``, else a uniformly drawn trigger
    type (single types and both halves of the pairs). A bag that would have no label gets
    one: a random label's trigger type(s) overwrite its first instance(s) (a pair label
    only in bags of at least two instances). Optional ``label_noise`` flips every label bit
    with that probability; a bag left without labels keeps its clean row. Everything is
    vectorised numpy (100k bags of 5 instances in 20-D: about half a second).

    Args:
        n_bags (int, optional): :math:`N`. (default: :obj:`500`)
        n_labels (int, optional): :math:`L`. (default: :obj:`10`)
        n_features (int, optional): :math:`d`. (default: :obj:`20`)
        instances_per_bag (int or (int, int), optional): fixed bag size, or inclusive
            ``(min, max)``. (default: :obj:`(2, 8)`)
        random_state (int, optional): seed of :func:`numpy.random.default_rng`.
            (default: :obj:`None`)
        pair_fraction (float, optional): share of the labels triggered by a pair of
            co-occurring types (rounded; at least one single label is kept when bags can
            have one instance). (default: :obj:`0.3`)
        noise (float, optional): :math:`\sigma`, the instance noise around the centres.
            (default: :obj:`0.3`)
        background_prob (float, optional): probability that an instance is a background
            type. (default: :obj:`0.5`)
        n_background (int, optional): number of background types.
            (default: :obj:`max(2, n_labels)`)
        label_noise (float, optional): probability of flipping each label bit.
            (default: :obj:`0.0`)
        name (str, optional): the returned data set's name. (default: :obj:`"synthetic"`)

    Returns:
        MIMLBags: ``float32`` bags, ``uint8`` labels (every bag has at least one), label
        names ``'single<j>'`` / ``'pair<j>'``, and ``meta`` with the ground truth:
        ``'prototypes'`` :math:`[K, d]`, ``'instance_type'`` (the type of every instance,
        bags concatenated in order), ``'label_rules'`` (per label ``('single', a)`` or
        ``('pair', a, b)``), ``'background_types'``, and ``'Y_clean'`` (labels before
        ``label_noise``).

    Shapes:
        - **bags:** :math:`N` arrays :math:`[n_i, d]`
        - **Y:** :math:`[N, L]`
    """
    if isinstance(instances_per_bag, (int, np.integer)):
        lo = hi = int(instances_per_bag)
    else:
        lo, hi = (int(v) for v in instances_per_bag)
    for arg, v in (('n_bags', n_bags), ('n_labels', n_labels), ('n_features', n_features),
                   ('instances_per_bag', lo)):
        if int(v) != v or v < 1:
            raise ValueError(f"{arg} must be a positive integer, got {v}")
    if hi < lo:
        raise ValueError(f"instances_per_bag=(min, max) needs min <= max, got ({lo}, {hi})")
    for arg, v in (('pair_fraction', pair_fraction), ('background_prob', background_prob),
                   ('label_noise', label_noise)):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{arg} must be in [0, 1], got {v}")
    if background_prob == 1.0:
        raise ValueError("background_prob=1 would plant no label-triggering instance")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    n_bags, n_labels, d = int(n_bags), int(n_labels), int(n_features)
    n_pair = int(round(pair_fraction * n_labels))
    if lo < 2 and n_pair == n_labels:
        n_pair = n_labels - 1
    if hi < 2:
        n_pair = 0
    n_single = n_labels - n_pair
    n_bg = max(2, n_labels) if n_background is None else int(n_background)
    if n_bg < 0:
        raise ValueError(f"n_background must be >= 0, got {n_background}")
    rng = np.random.default_rng(random_state)

    # type ids: singles [0, n_single), pair halves a then b, then background
    a_pair = n_single + np.arange(n_pair)
    b_pair = n_single + n_pair + np.arange(n_pair)
    n_trig = n_single + 2 * n_pair
    K = n_trig + n_bg
    centres = rng.standard_normal((K, d)).astype(np.float32)

    sizes = rng.integers(lo, hi + 1, size=n_bags)
    offsets = np.zeros(n_bags + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    T = int(offsets[-1])
    bag_of = np.repeat(np.arange(n_bags), sizes)
    is_bg = rng.random(T) < background_prob if n_bg > 0 else np.zeros(T, dtype=bool)
    types = np.where(is_bg, n_trig + rng.integers(0, max(n_bg, 1), size=T),
                     rng.integers(0, n_trig, size=T))

    def labels_of(types):
        P = np.zeros((n_bags, K), dtype=bool)
        P[bag_of, types] = True
        return np.concatenate([P[:, :n_single], P[:, a_pair] & P[:, b_pair]], axis=1)

    Y = labels_of(types)
    empty = np.flatnonzero(~Y.any(axis=1))
    if empty.size:
        lab = rng.integers(0, n_labels, size=empty.size)
        small = sizes[empty] < 2
        lab[small] = rng.integers(0, n_single, size=int(small.sum()))
        start = offsets[empty]
        single = lab < n_single
        types[start[single]] = lab[single]
        pair = ~single
        types[start[pair]] = a_pair[lab[pair] - n_single]
        types[start[pair] + 1] = b_pair[lab[pair] - n_single]
        Y = labels_of(types)

    # present the labels in a random column order
    perm = rng.permutation(n_labels)
    Y = Y[:, perm].astype(np.uint8)
    rules = [('single', int(j)) if j < n_single else
             ('pair', int(a_pair[j - n_single]), int(b_pair[j - n_single])) for j in perm]
    names = [f"single{j}" if j < n_single else f"pair{j - n_single}" for j in perm]
    Y_clean = Y
    if label_noise > 0:
        flip = rng.random(Y.shape) < label_noise
        Y = np.where(flip, 1 - Y_clean, Y_clean).astype(np.uint8)
        lost = ~Y.any(axis=1)
        Y[lost] = Y_clean[lost]

    X = centres[types]
    if noise > 0:
        X += np.float32(noise) * rng.standard_normal((T, d), dtype=np.float32)
    bags = split_rows(X, sizes)
    return MIMLBags._trusted(
        bags=bags, Y=Y, label_names=names, bag_ids=None, name=name,
        meta={'generator': 'make_synthetic_miml', 'prototypes': centres,
              'instance_type': types, 'label_rules': rules,
              'background_types': np.arange(n_trig, K), 'Y_clean': Y_clean,
              'random_state': random_state, 'per_bag': ('Y_clean', ),
              'per_instance': ('instance_type', )})
