r"""The in-memory form of a multi-instance multi-label (MIML) data set."""
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import numpy as np

from gmiml.utils.validation import check_bags, check_labels

__all__ = ['MIMLBags']


def _is_clean_bag(bag) -> bool:
    return (type(bag) is np.ndarray and bag.dtype == np.float32 and bag.ndim == 2
            and bag.shape[0] > 0)


@dataclass(repr=False, eq=False)
class MIMLBags:
    r"""A MIML data set: :math:`N` bags :math:`X_i \in \mathbb{R}^{n_i \times d}` of
    instances and a logical label matrix :math:`Y \in \{0, 1\}^{N \times L}`.

    Every reader in :mod:`gmiml.io` and :func:`gmiml.datasets.load_bags` returns one.
    The constructor checks that the parts agree (number of bags, labels, names, ids);
    bags that are not yet ``float32`` arrays are converted and fully validated with
    :func:`gmiml.utils.check_bags` (already-clean ``float32`` arrays are taken as they are,
    so building one from a reader or :meth:`subset` costs no extra pass over the data).

    Args:
        bags (list of numpy.ndarray): one ``float32`` array ``[n_i, d]`` per bag.
        Y (numpy.ndarray): the labels, ``uint8`` in :math:`\{0, 1\}`, shape ``[N, L]``
            (:math:`\{-1, 1\}` and boolean input are converted).
        label_names (list of str, optional): the ``L`` label names, if known.
            (default: :obj:`None`)
        bag_ids (list of str, optional): the ``N`` bag identifiers, if known.
            (default: :obj:`None`)
        name (str, optional): the data set's name. (default: :obj:`""`)
        meta (dict, optional): provenance and notes (source files, layout, how the bags
            were assembled, ground truth of synthetic data). Arrays named in
            ``meta['per_bag']`` (one row per bag) and ``meta['per_instance']`` (one row per
            instance, bags concatenated) follow :meth:`subset`. (default: :obj:`{}`)

    Shapes:
        - **bags:** :math:`N` arrays :math:`[n_i, d]`
        - **Y:** :math:`[N, L]`
    """
    bags: List[np.ndarray]
    Y: np.ndarray
    label_names: Optional[List[str]] = None
    bag_ids: Optional[List[str]] = None
    name: str = ''
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        bags = list(self.bags)
        if not bags:
            raise ValueError(f"MIMLBags {self.name!r}: no bags")
        if all(_is_clean_bag(b) for b in bags):
            dim = bags[0].shape[1]
            for i, b in enumerate(bags):
                if b.shape[1] != dim:
                    raise ValueError(f"MIMLBags {self.name!r}: bags[{i}] has {b.shape[1]} "
                                     f"features per instance, expected {dim} (as bags[0])")
        else:
            bags = check_bags(bags, name=f"MIMLBags {self.name!r}: bags")
        self.bags = bags
        Y = self.Y
        if not (isinstance(Y, np.ndarray) and Y.dtype == np.uint8 and Y.ndim == 2
                and Y.max(initial=0) <= 1):
            Y = check_labels(Y, name=f"MIMLBags {self.name!r}: Y")
        if Y.shape[0] != len(bags):
            raise ValueError(f"MIMLBags {self.name!r}: Y has {Y.shape[0]} rows but there "
                             f"are {len(bags)} bags")
        self.Y = Y
        if self.label_names is not None:
            self.label_names = [str(s) for s in self.label_names]
            if len(self.label_names) != Y.shape[1]:
                raise ValueError(f"MIMLBags {self.name!r}: {len(self.label_names)} label "
                                 f"names for {Y.shape[1]} label columns")
        if self.bag_ids is not None:
            self.bag_ids = [str(s) for s in self.bag_ids]
            if len(self.bag_ids) != len(bags):
                raise ValueError(f"MIMLBags {self.name!r}: {len(self.bag_ids)} bag ids "
                                 f"for {len(bags)} bags")

    @classmethod
    def _trusted(cls, bags, Y, label_names=None, bag_ids=None, name='', meta=None):
        """Builds one without validation, from parts that are already clean (``float32``
        ``[n_i, d]`` bags of one ``d``, ``uint8`` {0, 1} ``Y`` with matching rows): used
        by :meth:`subset` and the synthetic generator on large data."""
        obj = cls.__new__(cls)
        obj.bags, obj.Y, obj.name = list(bags), Y, name
        obj.label_names = None if label_names is None else list(label_names)
        obj.bag_ids = None if bag_ids is None else list(bag_ids)
        obj.meta = {} if meta is None else meta
        return obj

    @property
    def n_bags(self) -> int:
        r"""The number of bags :math:`N`."""
        return len(self.bags)

    @property
    def n_labels(self) -> int:
        r"""The number of labels :math:`L`."""
        return int(self.Y.shape[1])

    @property
    def n_features(self) -> int:
        r"""The instance dimension :math:`d`."""
        return int(self.bags[0].shape[1])

    @property
    def n_instances(self) -> int:
        r"""The total number of instances :math:`\sum_i n_i`."""
        return int(sum(b.shape[0] for b in self.bags))

    @property
    def bag_sizes(self) -> np.ndarray:
        r"""The number of instances of every bag, ``int64`` ``[N]``."""
        return np.fromiter((b.shape[0] for b in self.bags), dtype=np.int64,
                           count=len(self.bags))

    def __len__(self) -> int:
        return len(self.bags)

    def subset(self, indices: Sequence) -> 'MIMLBags':
        r"""Returns the bags at ``indices`` (integer positions or a boolean mask of length
        :math:`N`), in that order, as a new :class:`MIMLBags` (the arrays are shared, not
        copied)."""
        idx = np.asarray(indices)
        if idx.dtype == bool:
            if idx.shape != (self.n_bags, ):
                raise ValueError(f"subset: boolean mask of shape {idx.shape}, expected "
                                 f"({self.n_bags},)")
            idx = np.flatnonzero(idx)
        elif idx.size == 0:
            idx = idx.astype(np.int64)
        elif not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(f"subset: indices must be integers or a boolean mask, got "
                            f"dtype {idx.dtype}")
        idx = idx.reshape(-1)
        if idx.size == 0:
            raise ValueError("subset: no indices given (a MIMLBags needs at least one bag)")
        if idx.min() < -self.n_bags or idx.max() >= self.n_bags:
            raise IndexError(f"subset: index out of range for {self.n_bags} bags")
        idx = np.where(idx < 0, idx + self.n_bags, idx)
        meta = dict(self.meta)
        meta['subset_of'] = self.name
        for key in meta.get('per_bag', ()):
            meta[key] = np.asarray(meta[key])[idx]
        if meta.get('per_instance'):
            starts = np.concatenate([[0], np.cumsum(self.bag_sizes)[:-1]])[idx]
            sizes = self.bag_sizes[idx]
            inst = np.repeat(starts - np.concatenate([[0], np.cumsum(sizes)[:-1]]),
                             sizes) + np.arange(int(sizes.sum()))
            for key in meta['per_instance']:
                meta[key] = np.asarray(meta[key])[inst]
        return MIMLBags._trusted(
            bags=[self.bags[i] for i in idx.tolist()],
            Y=self.Y[idx],
            label_names=None if self.label_names is None else list(self.label_names),
            bag_ids=None if self.bag_ids is None else [self.bag_ids[i] for i in idx],
            name=self.name,
            meta=meta,
        )

    def concat(self):
        r"""Stacks all instances into one matrix with a PyG-style batch vector.

        Returns:
            (numpy.ndarray, numpy.ndarray): ``x`` ``float32`` :math:`[\sum_i n_i, d]` and
            ``batch`` ``int64`` :math:`[\sum_i n_i]` (the bag of every instance).
        """
        x = np.concatenate(self.bags, axis=0)
        batch = np.repeat(np.arange(self.n_bags), self.bag_sizes)
        return x, batch

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(name={self.name!r}, n_bags={self.n_bags}, "
                f"n_labels={self.n_labels}, n_features={self.n_features}, "
                f"n_instances={self.n_instances})")
