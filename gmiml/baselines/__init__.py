r"""The MIML methods GLEMIML is compared with in the paper's Table 2, the
label-frequency prior (the reference row every method must beat), and the classic
label-enhancement methods its label enhancer is compared with (LP, GLLE).

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
    'LP': 'gmiml.baselines.lp',
    'GLLE': 'gmiml.baselines.glle',
}

#: The label-enhancement methods among them: ``fit(X, L)`` on a feature matrix and
#: logical labels, ``fit_transform`` -> label distributions (not MIML classifiers).
LABEL_ENHANCERS = ('LP', 'GLLE')

__all__ = list(_LAZY) + ['LABEL_ENHANCERS']


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
