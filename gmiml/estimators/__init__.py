r"""Estimators with scikit-learn's contract."""
from gmiml._lazy import lazy_attributes

from .base import BaseMIMLEstimator

_LAZY = {'GLEMIMLClassifier': 'gmiml.estimators.glemiml_classifier'}

__all__ = ['BaseMIMLEstimator', 'GLEMIMLClassifier']


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
