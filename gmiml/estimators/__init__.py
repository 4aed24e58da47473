r"""Estimators with scikit-learn's contract."""
import importlib
from typing import Any

from .base import BaseMIMLEstimator
from .constraints import InvalidParameterError

_LAZY = {'GLEMIMLClassifier': 'gmiml.estimators.glemiml_classifier',
         'GLEMIMLEnhancer': 'gmiml.estimators.glemiml_enhancer',
         'NeuralMIMLEstimator': 'gmiml.estimators.neural',
         'Trainer': 'gmiml.estimators.trainer'}

__all__ = ['BaseMIMLEstimator', 'InvalidParameterError', 'GLEMIMLClassifier',
           'GLEMIMLEnhancer', 'NeuralMIMLEstimator', 'Trainer']


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gmiml.estimators' has no attribute '{name}'")
