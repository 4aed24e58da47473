r"""Estimators with scikit-learn's contract."""
import importlib
from typing import Any

from .base import BaseMIMLEstimator
from .constraints import InvalidParameterError
from .presets import PARAM_GRID, PRESETS
from .thresholds import label_thresholds

_LAZY = {'GLEMIMLClassifier': 'gmiml.estimators.glemiml_classifier',
         'NeuralMIMLEstimator': 'gmiml.estimators.neural',
         'Trainer': 'gmiml.estimators.trainer'}

__all__ = ['BaseMIMLEstimator', 'InvalidParameterError', 'GLEMIMLClassifier',
           'NeuralMIMLEstimator', 'Trainer', 'PRESETS', 'PARAM_GRID', 'label_thresholds']


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gmiml.estimators' has no attribute '{name}'")
