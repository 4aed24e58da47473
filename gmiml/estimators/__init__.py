r"""Estimators with scikit-learn's contract."""
from gmiml._lazy import lazy_attributes

from .base import BaseMIMLEstimator
from .constraints import InvalidParameterError
from .presets import PARAM_GRID, PRESETS
from .thresholds import label_thresholds

_LAZY = {'GLEMIMLClassifier': 'gmiml.estimators.glemiml_classifier',
         'GLEMIMLEnhancer': 'gmiml.estimators.glemiml_enhancer',
         'NeuralMIMLEstimator': 'gmiml.estimators.neural',
         'Trainer': 'gmiml.estimators.trainer'}

__all__ = ['BaseMIMLEstimator', 'InvalidParameterError', 'GLEMIMLClassifier',
           'GLEMIMLEnhancer', 'NeuralMIMLEstimator', 'Trainer', 'PRESETS', 'PARAM_GRID',
           'label_thresholds']


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
