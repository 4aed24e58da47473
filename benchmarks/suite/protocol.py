r"""The evaluation protocol of a run: how each cell splits the data, and how a method's
configuration is chosen.

Splits (all seeded and label-stratified, :mod:`gmiml.datasets.splits`):

* ``holdout`` (default): the paper's 7:2:1 train:test:validation split, one per seed
  (:func:`~gmiml.datasets.train_val_test_split`).
* ``kfold``: ``k``-fold cross-validation per seed (:func:`~gmiml.datasets.kfold_split`);
  each fold is a cell. The validation part is a stratified eighth of the fold's training
  part (:func:`~gmiml.datasets.train_val_test_split` with ratios ``(7/8, 1/8, 0)`` and the
  same seed), so that at ``k = 5`` train / validation / test are 70 / 10 / 20 % of the
  data, as in the hold-out protocol.

Model selection (:mod:`suite.selection`): ``tuned`` fits every configuration of a method's
grid on the training part and keeps the one with the best validation criterion;
``reference`` fits configuration 0 (the reference settings) only.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

__all__ = ['Protocol', 'SELECTIONS', 'SPLITS', 'VAL_SHARE_OF_TRAIN']

SELECTIONS = ('tuned', 'reference')
SPLITS = ('holdout', 'kfold')
#: share of a k-fold training part held out for validation (7:1, as in 7:2:1)
VAL_SHARE_OF_TRAIN = 1.0 / 8.0


@dataclass(frozen=True)
class Protocol:
    selection: str = 'tuned'
    split: str = 'holdout'
    folds: Optional[int] = None  # k of k-fold; None for hold-out

    def __post_init__(self):
        if self.selection not in SELECTIONS:
            raise ValueError(f'selection must be one of {SELECTIONS}, got {self.selection!r}')
        if self.split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {self.split!r}')
        if (self.split == 'kfold') != (self.folds is not None):
            raise ValueError('folds is given with (and only with) split=kfold')
        if self.folds is not None and (not isinstance(self.folds, int) or self.folds < 2):
            raise ValueError(f'folds must be an integer >= 2, got {self.folds!r}')

    @property
    def key(self) -> str:
        """The folder of this protocol's cells: results of two protocols never mix."""
        split = 'holdout' if self.split == 'holdout' else f'kfold{self.folds}'
        return f'{self.selection}-{split}'

    @property
    def fold_ids(self) -> Tuple[Optional[int], ...]:
        return (None, ) if self.folds is None else tuple(range(self.folds))

    def as_dict(self) -> dict:
        return {'key': self.key, 'selection': self.selection, 'split': self.split,
                'folds': self.folds}

    def describe(self) -> str:
        if self.split == 'holdout':
            split = ('seeded, label-stratified 7:2:1 train:test:validation split, one per '
                     'seed')
        else:
            split = (f'seeded, label-stratified {self.folds}-fold cross-validation per seed '
                     '(each fold a cell; validation = a stratified eighth of the fold\'s '
                     'training part)')
        return split

    def split_indices(self, Y, seed: int, fold: Optional[int]
                      ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(train, val, test)`` bag indices of one cell."""
        from gmiml.datasets import kfold_split, train_val_test_split
        if self.split == 'holdout':
            return train_val_test_split(Y, seed=seed)
        outer, test = kfold_split(Y, n_splits=self.folds, seed=seed)[fold]
        Y = np.asarray(Y)
        tr, va, _ = train_val_test_split(
            Y[outer], seed=seed, ratios=(1.0 - VAL_SHARE_OF_TRAIN, VAL_SHARE_OF_TRAIN, 0.0))
        return outer[tr], outer[va], test
