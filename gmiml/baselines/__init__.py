r"""The MIML methods GLEMIML is compared with in the paper's Table 2, and the
label-frequency prior (the reference row every method must beat).

Names are imported lazily (each method pulls in scikit-learn / torch pieces of its own).
"""
import importlib
from typing import Any

_LAZY = {
    'MIFLEM': 'gmiml.baselines.mi_flem',
    'MIMLNN': 'gmiml.baselines.mimlnn',
    'MIMLSVM': 'gmiml.baselines.mimlsvm',
    'EnMIMLNN': 'gmiml.baselines.en_mimlnn',
    'MIMLRBF': 'gmiml.baselines.mimlrbf',
    'MIMLWEL': 'gmiml.baselines.mimlwel',
    'KISAR': 'gmiml.baselines.kisar',
    'LabelFrequencyPrior': 'gmiml.baselines.label_frequency_prior',
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gmiml.baselines' has no attribute '{name}'")


def __dir__() -> list:
    return sorted(__all__)
