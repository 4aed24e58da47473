r"""Named configurations and the tuning grid of :class:`GLEMIMLClassifier`."""
__all__ = ['PRESETS', 'PARAM_GRID', 'preset_params', 'preset']

#: Named configurations (overrides of the defaults). ``'paper'`` is the configuration of
#: Su et al. as this library reproduces it, written out in full so that a change of the
#: defaults does not move it: no bag graph, no prior bias, threshold 0.5 (bit for bit the
#: estimator of commit e403527, before these options existed).
PRESETS = {
    'default': {},
    'paper': {
        'hidden_channels': 64, 'classifier_layers': 2, 'interaction': True,
        'enhancement': True, 'graph': 'input', 'k': 3, 'pool': 'mean', 'label_k': 3,
        'enhancer_channels': 64, 'dropout': 0.2, 'share_encoder': True, 'rho': 0.9,
        'betas': (0.98, 0.01, 0.01), 'gamma_pos': 0.0, 'gamma_neg': 1.0, 'lr': 3e-3,
        'weight_decay': 1e-4, 'batch_size': 64, 'max_epochs': 100, 'patience': 20,
        'validation_fraction': 0.1, 'selection_metric': 'auto', 'threshold': 0.5,
        'standardize': True, 'bag_graph': None, 'prior_bias': False,
    },
}

#: The configurations a benchmark tunes over on its validation part (configuration 0:
#: the defaults): less label enhancement (``rho`` 0.99) and a softer bag graph
#: (``bag_tau`` 0.1). Three, one fewer than the baselines' four: a fourth that trained
#: longer (200 epochs, patience 40) scanned more epochs than the others on the same small
#: validation part, so its validation score was the more optimistic and it could win
#: the selection by chance; one without the bag graph was chosen by noise on small
#: validation parts. ``docs/method.md`` ("The tuning grid") gives the measurements.
PARAM_GRID = [{}, {'rho': 0.99}, {'bag_tau': 0.1}]


def preset_params(name: str, **overrides) -> dict:
    r"""The parameters of preset ``name`` with ``overrides`` on top."""
    if name not in PRESETS:
        raise ValueError(f"preset: unknown name {name!r}; expected one of "
                         f"{sorted(PRESETS)}")
    return {**PRESETS[name], **overrides}


def preset(cls, name: str, **overrides):
    r"""An estimator of class ``cls`` with the named configuration (:data:`PRESETS`:
    ``'default'``; ``'paper'``, the paper's GLEMIML) and ``overrides`` on top
    (``GLEMIMLClassifier.preset(name, **overrides)``)."""
    return cls(**preset_params(name, **overrides))
