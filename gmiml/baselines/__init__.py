r"""The MIML methods GLEMIML is compared with in the paper's Table 2, and the
label-frequency prior (the reference row every method must beat).

Names are imported lazily (each method pulls in scikit-learn / torch pieces of its own).
"""
from gmiml._lazy import lazy_attributes

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


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
