r"""The calibrated label enhancement of a fitted GLEMIML model (``le_calibration``), as a
mixin of :class:`~gmiml.estimators.GLEMIMLClassifier` (the algorithm is in
:mod:`gmiml.utils.label_calibration`; ``docs/method.md``, "Label enhancement: departures
from the paper")."""
from numbers import Integral, Real

import numpy as np

from gmiml.estimators.constraints import Interval, StrOptions
from gmiml.utils.validation import check_labels

__all__ = ['CalibratedEnhancementMixin']


class CalibratedEnhancementMixin:
    r"""Recovers label distributions from a fitted network's classifier probabilities,
    the labels of the nearest training bags and the logical labels,

    .. math::
        \mathbf{d}_i = \mathrm{softmax}\big((\mathbf{y}_i + \lambda\mathbf{c}_i)/\tau_i
        \big), \qquad \mathbf{c}_i = \tfrac12\big(\mathrm{sigmoid}(\mathbf{s}_i) +
        \mathbf{q}_i\big),

    with :math:`\tau` fitted on the training bags so that the threshold rule reads their
    recovered distributions back as their logical labels (and, with
    ``le_calibration='rule'``, moved bag by bag to the nearest value that reads the bag
    back as its own logical labels, with a smaller content weight :math:`\lambda_i` where
    the content contradicts the logical labels so much that no temperature does).

    The host has the parameters ``le_calibration``, ``le_neighbors``,
    ``le_content_weight`` and ``le_mass``, the fitted ``mean_``, ``scale_`` and
    ``n_labels_``, and the methods ``_validate_bags``, ``_prepare`` and ``_logits``.
    """
    #: constraints of the parameters the mixin reads
    LE_CONSTRAINTS = {
        'le_calibration': [StrOptions(('rule', 'global')), None],
        'le_neighbors': [Interval(Integral, 1, None)],
        'le_content_weight': [Interval(Real, 0, None)],
        'le_mass': [Interval(Real, 0, 1, closed='right')],
    }
    #: parameters that do not touch training (a checkpoint may resume with others)
    LE_PARAMS = tuple(LE_CONSTRAINTS)
    #: fitted attributes (absent when ``le_calibration=None``)
    LE_FITTED = ('le_temperature_', 'le_reference_', 'le_reference_labels_')
    #: most training bags kept as neighbour references; beyond, a random subset seeded
    #: by ``random_state`` (the exact neighbour search costs references x queries: with
    #: all of 100k training bags it took minutes, with 4096 seconds). A class attribute,
    #: not a constructor parameter: ``clone`` and ``save`` do not carry a value set on an
    #: instance; set it on a subclass to change it for good.
    le_max_reference = 4096

    def _bag_means(self, bags) -> np.ndarray:
        """Each bag's mean standardised instance ``float64 [N, d]``."""
        return np.stack([((b - self.mean_) / self.scale_).mean(axis=0) for b in bags])

    def _le_content(self, feats, logits) -> np.ndarray:
        """Feature-driven label scores: the mean of the network's probabilities and
        the nearest training bags' labels (the bag itself left out). ``logits`` are the
        network's own prediction, without the bag-graph evidence: that evidence is a
        neighbour-label estimate too, and would count the neighbours' labels twice."""
        from gmiml.utils.label_calibration import neighbour_label_average
        q = neighbour_label_average(feats, self.le_reference_, self.le_reference_labels_,
                                    self.le_neighbors)
        return 0.5 * (q + 1.0 / (1.0 + np.exp(-logits)))

    def calibrate_label_distribution(self, bags, Y):
        r"""Fits the calibrated label enhancement (``le_calibration``) on ``bags`` and
        their logical labels ``Y`` without retraining the network: the reference bags
        of the neighbour labels (at most :attr:`le_max_reference`) and the shared
        temperature :math:`\tau`
        (``le_temperature_``). :meth:`fit` calls it on its training bags; call it again
        after changing a ``le_*`` parameter. Returns ``self``."""
        from gmiml.estimators.constraints import validate_params
        from gmiml.utils.label_calibration import fit_rule_temperature
        validate_params(self)
        bags = self._validate_bags(bags)
        Y = check_labels(Y, len(bags), n_labels=self.n_labels_)
        means = self._bag_means(bags)
        keep = np.arange(len(bags))
        if len(bags) > self.le_max_reference:
            rng = np.random.default_rng(self.random_state)
            keep = np.sort(rng.choice(len(bags), self.le_max_reference, replace=False))
        self.le_reference_, self.le_reference_labels_ = means[keep], Y[keep]
        content = self._le_content(means, self._logits(self._prepare(bags), propagate=False))
        self.le_temperature_ = fit_rule_temperature(Y, content, self.le_content_weight,
                                                    self.le_mass)
        return self

    def _calibrated_distribution(self, bags, Y, batcher) -> np.ndarray:
        """The calibrated distributions of checked ``bags`` with labels ``Y``."""
        from gmiml.utils import label_calibration as LC
        if not hasattr(self, 'le_temperature_'):
            raise ValueError(f"label_distribution: le_calibration={self.le_calibration!r} "
                             f"but the calibration was not fitted (the model was fitted "
                             f"with le_calibration=None); call "
                             f"calibrate_label_distribution(bags, Y) first")
        content = self._le_content(self._bag_means(bags), self._logits(batcher, propagate=False))
        w, t = self.le_content_weight, self.le_temperature_
        if self.le_calibration == 'rule':
            w, t = LC.rule_consistent_calibration(Y, content, t, w, self.le_mass)
        return LC.calibrated_distribution(Y, content, t, w)
