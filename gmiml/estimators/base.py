"""The estimator contract every MIML method in gmiml follows.

All estimators (GLEMIML and the baselines) share scikit-learn's contract: ``__init__`` only
stores its arguments, ``fit(bags, Y, eval_set=None)`` returns ``self``, learned state ends
with ``_``, and prediction goes through :meth:`decision_function` (real-valued scores, higher
means more relevant), :meth:`predict_proba` (scores in :math:`[0, 1]`) and :meth:`predict`
(hard :math:`\\{0, 1\\}` labels). The benchmark treats every method alike through it.
"""
from typing import Optional

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from gmiml.estimators.constraints import validate_params
from gmiml.utils.validation import check_bags, check_labels

__all__ = ['BaseMIMLEstimator']


class BaseMIMLEstimator(BaseEstimator):
    r"""Base class of the MIML estimators.

    Subclasses implement :meth:`fit` (calling :meth:`_validate_fit_data` first, which
    checks the parameters against ``_parameter_constraints``) and
    :meth:`decision_function` (calling :meth:`_validate_bags` first). ``__init__`` takes
    keyword-only parameters and only stores them.

    :meth:`score` is the mean average precision of :meth:`decision_function` (higher is
    better), so scikit-learn's ``cross_val_score(est, bags, Y)`` and ``GridSearchCV``
    work with ``scoring=None``; ``__sklearn_tags__`` declares a multi-label classifier
    whose input is not a 2-D array (a list of bags) and whose target is a 2-D label
    matrix.

    Class attributes that subclasses may override:

    * ``_decision_threshold`` (float): a label is predicted when its decision value is
      greater than or equal to this. (default: ``0.0``)
    * ``_parameter_constraints`` (dict): parameter name to a list of allowed kinds of
      value (:mod:`gmiml.estimators.constraints`). (default: ``{}``)
    * ``_t_criterion`` (bool): if ``True``, a bag with no label above the threshold gets
      its top-scoring label (the "T-criterion" of Zhou & Zhang's MIMLSVM; every bag of a
      MIML data set has at least one label). (default: ``False``)
    """
    _decision_threshold: float = 0.0
    _t_criterion: bool = False
    _parameter_constraints: dict = {}

    # --- to implement -----------------------------------------------------------------
    def fit(self, bags, Y, eval_set=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def decision_function(self, bags) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------
    def predict_proba(self, bags) -> np.ndarray:
        r"""Scores in :math:`[0, 1]`: the logistic function of :meth:`decision_function`
        shifted by the decision threshold (monotone, so rankings are unchanged)."""
        s = self.decision_function(bags) - self._decision_threshold
        return 1.0 / (1.0 + np.exp(-np.clip(s, -60, 60)))

    def predict(self, bags) -> np.ndarray:
        r"""Hard labels ``uint8 [N, L]``: decision value >= the threshold (plus the
        T-criterion where the method uses it)."""
        return self._scores_to_labels(self.decision_function(bags))

    def _scores_to_labels(self, scores: np.ndarray) -> np.ndarray:
        pred = (scores >= self._decision_threshold)
        if self._t_criterion and pred.size:
            empty = ~pred.any(axis=1)
            if empty.any():
                pred[np.flatnonzero(empty), scores[empty].argmax(axis=1)] = True
        return pred.astype(np.uint8)

    def score(self, bags, Y) -> float:
        r"""Mean average precision (:func:`gmiml.metrics.mean_average_precision`, higher
        is better) of :meth:`decision_function` on ``bags`` against the labels ``Y``."""
        from gmiml.metrics import mean_average_precision
        S = self.decision_function(bags)
        Y = check_labels(Y, S.shape[0], n_labels=self.n_labels_)
        return float(mean_average_precision(Y, S))

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags
        tags = super().__sklearn_tags__()
        tags.estimator_type = 'classifier'
        tags.classifier_tags = ClassifierTags(multi_class=False, multi_label=True)
        tags.target_tags.required = True
        tags.target_tags.two_d_labels = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.input_tags.two_d_array = False  # a list of [n_i, d] bags
        return tags

    def _validate_params(self) -> None:
        """Checks the parameters against ``_parameter_constraints``."""
        validate_params(self)

    def _validate_fit_data(self, bags, Y, eval_set=None):
        """Checks the parameters and the training data, records ``n_features_in_`` and
        ``n_labels_``, and returns ``(bags, Y, eval_set)`` with the eval set checked
        against them."""
        self._validate_params()
        bags = check_bags(bags)
        Y = check_labels(Y, len(bags))
        self.n_features_in_ = bags[0].shape[1]
        self.n_labels_ = Y.shape[1]
        if eval_set is not None:
            if not (isinstance(eval_set, (tuple, list)) and len(eval_set) == 2):
                raise ValueError("eval_set: expected a pair (bags, Y) of validation data")
            vb = check_bags(eval_set[0], dim=self.n_features_in_, name='eval_set bags')
            vy = check_labels(eval_set[1], len(vb), n_labels=self.n_labels_,
                              name='eval_set Y')
            eval_set = (vb, vy)
        return bags, Y, eval_set

    def _check_is_fitted(self):
        if not hasattr(self, 'n_features_in_'):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet: "
                                 f"call 'fit' with training bags first")

    def _validate_bags(self, bags) -> list:
        """Checks that the estimator is fitted and the bags match its feature dimension."""
        self._check_is_fitted()
        return check_bags(bags, dim=self.n_features_in_)
