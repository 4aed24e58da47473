r"""Named configurations and the tuning grid of :class:`GLEMIMLClassifier`."""
__all__ = ['PRESETS', 'PARAM_GRID', 'preset_params']

#: Named configurations (overrides of the defaults). ``'paper'`` is the configuration of
#: Su et al. as this library reproduces it: no bag graph, no prior bias, threshold 0.5
#: (bit for bit the estimator before these options existed).
PRESETS = {
    'default': {},
    'paper': {'bag_graph': None, 'prior_bias': False, 'threshold': 0.5},
}

#: The configurations a benchmark tunes over on its validation part (configuration 0:
#: the defaults), four as for every baseline.
PARAM_GRID = [{}, {'max_epochs': 200, 'patience': 40}, {'rho': 0.99}, {'bag_tau': 0.1}]


def preset_params(name: str, **overrides) -> dict:
    r"""The parameters of preset ``name`` with ``overrides`` on top."""
    if name not in PRESETS:
        raise ValueError(f"preset: unknown name {name!r}; expected one of "
                         f"{sorted(PRESETS)}")
    return {**PRESETS[name], **overrides}
