r"""The estimator-side pieces of the bag graph and the prior bias of
:class:`~gmiml.estimators.GLEMIMLClassifier` (kept apart so that the estimator stays a
thin adapter)."""
import numpy as np

__all__ = ['neighbour_args', 'bag_neighbours', 'init_prior_bias']


def neighbour_args(data) -> dict:
    """The bag-graph neighbour lists of a mini-batch (a PyG batch or any object with
    attributes), when it has them."""
    index = getattr(data, 'nbr_index', None)
    if index is None:
        return {}
    return {'nbr_index': index, 'nbr_sim': data.nbr_sim}


def bag_neighbours(prop, x, ptr, Y=None, bank_rng=None):
    """Neighbour lists of the bags ``(x, ptr)`` in the bank of ``prop``
    (:class:`~gmiml.nn.models.BagLabelPropagation`); with ``bank_rng`` (a numpy
    Generator) the bags are the training bags with labels ``Y``: the bank is set from
    them and their leave-one-out neighbours are returned."""
    import torch
    x, ptr = x.to(prop.log_tau.device), ptr.to(prop.log_tau.device)
    if bank_rng is None:
        return prop.neighbours(x, ptr)
    gen = torch.Generator().manual_seed(int(bank_rng.integers(2 ** 31 - 1)))
    return prop.fit_bank(x, ptr, torch.as_tensor(np.asarray(Y, dtype=np.float32)), gen)


def init_prior_bias(linear, Y) -> None:
    r"""Sets the bias of ``linear`` (the classifier's output layer) to the label log-odds
    :math:`\log(\pi_l / (1 - \pi_l))` of ``Y`` :math:`(N, L)`, the frequencies clipped
    to :math:`[1/2N, 1 - 1/2N]` (a label without positives gets a low, finite bias)."""
    import torch
    n = Y.shape[0]
    pi = np.clip(np.asarray(Y, dtype=np.float64).mean(0), 0.5 / n, 1 - 0.5 / n)
    with torch.no_grad():
        linear.bias.copy_(torch.from_numpy(np.log(pi / (1 - pi))))
