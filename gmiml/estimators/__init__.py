r"""Estimators with scikit-learn's contract."""
from gmiml._lazy import lazy_attributes

from .base import BaseMIMLEstimator
from .constraints import InvalidParameterError

_LAZY = {'GLEMIMLClassifier': 'gmiml.estimators.glemiml_classifier',
         'GLEMIMLEnhancer': 'gmiml.estimators.glemiml_enhancer',
         'NeuralMIMLEstimator': 'gmiml.estimators.neural',
         'Trainer': 'gmiml.estimators.trainer'}

__all__ = ['BaseMIMLEstimator', 'InvalidParameterError', 'GLEMIMLClassifier',
           'GLEMIMLEnhancer', 'NeuralMIMLEstimator', 'Trainer']


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
