r"""GLEMIML's label enhancement as a one-call scikit-learn-style transformer."""
from numbers import Integral, Real
from typing import Optional

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from gmiml.estimators.constraints import (InstanceOf, Interval, StrOptions,
                                          validate_params)
from gmiml.utils.validation import check_bags, check_labels

__all__ = ['GLEMIMLEnhancer']


def _as_bags(X, name: str = 'X', dim: Optional[int] = None) -> list:
    """A 2-D feature array (one row per object, each a bag of one instance) or a list of
    bags, as the list of ``[n_i, d]`` float32 bags :func:`check_bags` returns."""
    if hasattr(X, 'toarray'):  # scipy.sparse
        X = X.toarray()
    if isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim != 2:
            raise ValueError(f"{name}: expected a 2-D feature array [n_samples, "
                             f"n_features] or a list of bags, got an array of shape "
                             f"{X.shape}")
        X = [row[None, :] for row in X]
    elif hasattr(X, 'dim') and hasattr(X, 'numpy'):  # a torch tensor
        return _as_bags(X.detach().cpu().numpy(), name, dim)
    return check_bags(X, dim=dim, name=name)


class GLEMIMLEnhancer(BaseEstimator):
    r"""Label enhancement with GLEMIML: logical labels in, label distributions out.

    Fits a :class:`~gmiml.estimators.GLEMIMLClassifier` (its label enhancer and its
    classifier, trained together as in the paper) on the objects and their logical labels
    and returns the calibrated label distributions of
    :meth:`GLEMIMLClassifier.label_distribution
    <gmiml.estimators.GLEMIMLClassifier.label_distribution>`,

    .. math::
        \mathbf{d}_i = \mathrm{softmax}\big((\mathbf{y}_i + \lambda\mathbf{c}_i)/\tau\big),

    where :math:`\mathbf{c}_i` is the mean of the classifier's probabilities and the
    logical labels of the ``n_neighbors`` nearest other objects in feature space, and
    :math:`\tau` is fitted so that the threshold rule (the relevant labels of a
    distribution are the smallest top set covering ``mass`` of it) reads the recovered
    distributions back as the given logical labels, then moved object by object to the
    nearest value under which the rule reads the object back as its own logical labels
    (:mod:`gmiml.utils.label_calibration`, ``docs/method.md``). As in the
    label-enhancement literature the usual call is transductive, ``fit_transform(X, L)``
    on all objects; :meth:`transform` also recovers distributions of new objects from
    their logical labels.

    Args:
        n_neighbors (int, optional): neighbours of the label average. (default: :obj:`10`)
        content_weight (float, optional): :math:`\lambda`; at 2 the classifier's
            probabilities and the neighbours' labels each weigh as much as the logical
            labels. (default: :obj:`2.0`)
        mass (float, optional): the threshold rule's mass. (default: :obj:`0.5`)
        calibration (str, optional): ``'rule'`` (the above), ``'global'`` (one
            temperature for all objects) or :obj:`None` (the paper's reading: the
            enhancer's :math:`\mathrm{softmax}(\mathbf{z}^*)`).
            (default: :obj:`'rule'`)
        random_state (int, optional): seed; equal seeds give equal results on the CPU.
            (default: :obj:`None`)
        classifier_params (dict, optional): further parameters of the underlying
            :class:`~gmiml.estimators.GLEMIMLClassifier` (e.g. ``max_epochs``,
            ``device``). (default: :obj:`None`)

    Attributes:
        model_ (GLEMIMLClassifier): the fitted GLEMIML model.
        n_features_in_, n_labels_ (int): the data's dimensions.

    Shapes:
        - **X:** ``[N, F]`` array (each row a bag of one instance) or a list of ``N``
          bags ``[n_i, F]``; **L:** ``[N, n_labels]`` in :math:`\{0, 1\}` or
          :math:`\{-1, 1\}`
        - **output:** ``float64 [N, n_labels]``, rows summing to 1
    """
    _parameter_constraints = {
        'n_neighbors': [Interval(Integral, 1, None)],
        'content_weight': [Interval(Real, 0, None)],
        'mass': [Interval(Real, 0, 1, closed='right')],
        'calibration': [StrOptions(('rule', 'global')), None],
        'random_state': [Interval(Integral, 0, None), None],
        'classifier_params': [InstanceOf(dict, 'a dict of GLEMIMLClassifier parameters'),
                              None],
    }

    def __init__(self, *, n_neighbors: int = 10, content_weight: float = 2.0,
                 mass: float = 0.5, calibration: Optional[str] = 'rule',
                 random_state: Optional[int] = None,
                 classifier_params: Optional[dict] = None):
        self.n_neighbors = n_neighbors
        self.content_weight = content_weight
        self.mass = mass
        self.calibration = calibration
        self.random_state = random_state
        self.classifier_params = classifier_params

    def _classifier(self):
        from gmiml.estimators.glemiml_classifier import GLEMIMLClassifier
        params = dict(self.classifier_params or {})
        own = {'le_calibration', 'le_neighbors', 'le_content_weight', 'le_mass',
               'random_state', 'enhancement'}
        clash = sorted(own & set(params))
        if clash:
            raise ValueError(f"classifier_params: {clash} are set by GLEMIMLEnhancer's own "
                             f"arguments (or fixed); pass them there")
        unknown = sorted(set(params) - set(GLEMIMLClassifier().get_params()))
        if unknown:
            raise ValueError(f"classifier_params: unknown GLEMIMLClassifier parameter(s) "
                             f"{unknown}")
        return GLEMIMLClassifier(le_calibration=self.calibration,
                                 le_neighbors=self.n_neighbors,
                                 le_content_weight=self.content_weight, le_mass=self.mass,
                                 random_state=self.random_state, **params)

    def fit(self, X, L) -> 'GLEMIMLEnhancer':
        r"""Fits on objects ``X`` and their logical labels ``L``; returns ``self``."""
        validate_params(self)
        bags = _as_bags(X)
        L = check_labels(L, len(bags), name='L')
        if (L.sum(axis=1) == 0).any():
            r = int(np.flatnonzero(L.sum(axis=1) == 0)[0])
            raise ValueError(f"L: row {r} has no relevant label; label enhancement needs "
                             f"at least one per object")
        self.model_ = self._classifier().fit(bags, L)
        self.n_features_in_ = self.model_.n_features_in_
        self.n_labels_ = self.model_.n_labels_
        return self

    def transform(self, X, L) -> np.ndarray:
        r"""The label distributions ``float64 [N, n_labels]`` of objects ``X`` with
        logical labels ``L``."""
        if not hasattr(self, 'model_'):
            raise NotFittedError("This GLEMIMLEnhancer instance is not fitted yet: call "
                                 "'fit' (or 'fit_transform') first")
        bags = _as_bags(X, dim=self.n_features_in_)
        L = check_labels(L, len(bags), n_labels=self.n_labels_, name='L')
        return self.model_.label_distribution(bags, L)

    def fit_transform(self, X, L) -> np.ndarray:
        r"""``fit(X, L).transform(X, L)``: the recovered label distributions of the
        training objects."""
        return self.fit(X, L).transform(X, L)
