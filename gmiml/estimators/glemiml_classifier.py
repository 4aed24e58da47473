r"""GLEMIML as a scikit-learn-style estimator."""
import copy
import math
import time
import warnings
from typing import Optional, Sequence, Tuple

import numpy as np

from gmiml.estimators.base import BaseMIMLEstimator
from gmiml.estimators.presets import PARAM_GRID, preset_params
from gmiml.utils.validation import check_labels

__all__ = ['GLEMIMLClassifier']

#: Validation criteria :meth:`GLEMIMLClassifier.fit` can select epochs on, besides
#: ``'auto'`` and ``'loss'``: keys of :func:`gmiml.metrics.evaluate`.
_METRIC_KEYS = ('hamming_loss', 'ranking_loss', 'mean_average_precision', 'macro_f1',
                'micro_f1', 'one_error', 'coverage', 'average_precision', 'macro_auc')
_LOWER = ('hamming_loss', 'ranking_loss', 'one_error', 'coverage', 'loss')


def _auto_score(m: dict) -> float:
    """Mean of the paper's four metrics, each oriented so that higher is better."""
    vals = [1.0 - m['hamming_loss'], 1.0 - m['ranking_loss'],
            m['mean_average_precision'], m['macro_f1']]
    vals = [v for v in vals if not math.isnan(v)]
    return float(np.mean(vals)) if vals else -math.inf


def _sums64(t, rows: int = 1 << 16):
    """``(sum, sum of absolute values)`` of a tensor in float64, row chunk by row chunk
    (no float64 copy of the whole tensor)."""
    s = a = 0.0
    for lo in range(0, t.size(0), rows):
        blk = t[lo:lo + rows].double()
        s += float(blk.sum())
        a += float(blk.abs().sum())
    return s, a


def _fingerprint(train, valb) -> list:
    """A cheap identity of the prepared training and validation data (shapes, sums of
    the standardised instances, the labels and the edge weights), to tell a checkpoint's
    data from other data."""
    out = []
    for b in (train, valb):
        if b is None:
            out.append(None)
            continue
        ew = b.edge_weight
        out.append([list(b.x.shape), b.num_bags, *_sums64(b.x),
                    None if ew is None else [int(ew.numel()), _sums64(ew)[0]],
                    {k: _sums64(t)[0] for k, t in sorted(b.bag_attrs.items())}])
    return out


def _neighbour_args(data) -> dict:
    """The bag-graph neighbour lists of a mini-batch, when it has them."""
    if 'nbr_index' not in data:
        return {}
    return {'nbr_index': data.nbr_index, 'nbr_sim': data.nbr_sim}


class GLEMIMLClassifier(BaseMIMLEstimator):
    r"""GLEMIML (Su et al., "Graph based Label Enhancement for Multi-instance Multi-label
    learning"): a MIML classifier trained jointly with a graph-based label enhancer by
    matching and interaction (the model is :class:`gmiml.nn.models.GLEMIMLNet`; the
    losses are :mod:`gmiml.losses`; ``docs/method.md`` explains every equation).

    One optimiser (AdamW) minimises, per mini-batch of bags,

    .. math::
        L = \underbrace{\rho L_{LC}(\mathbf{s}, \mathbf{y}) + (1 - \rho)
            L_{DC}(\mathbf{s}, \mathrm{sg}(\mathbf{d}))}_{L_C\ \text{(classifier, Eq. 14)}}
          + \underbrace{\beta_1 L_{CL}(\mathbf{z}^*, \mathbf{y}; \mathrm{sg}(\mathbf{s}))
            + \beta_2 L_{Sim} + \beta_3 L_{threshold}}_{L_{CLE}\ \text{(enhancer, Eq. 11)}}

    with :math:`\mathrm{sg}` = stop-gradient, so each side is optimised by its own loss.
    The epoch with the best validation criterion is kept (early stopping with
    ``patience``).

    Data handling: instance features are standardised with the mean and standard deviation
    of the training instances (constant features are left unscaled); the instance graphs
    (mutual-kNN, heat-kernel weights, :func:`gmiml.utils.mutual_knn_graph`) are built once
    per bag on the standardised features (``graph='input'``) and all bags are kept as one
    concatenated tensor that is mini-batched by index arithmetic
    (:class:`gmiml.nn.BagBatcher`).

    Validation data: ``eval_set=(bags, Y)`` if given; otherwise a seeded random
    ``validation_fraction`` of the training bags is held out (at least one bag; none when
    ``validation_fraction=0`` or fewer than 10 bags, in which case the last epoch is kept
    and ``threshold='val'`` falls back to 0.5).

    Labels without a positive training bag are allowed with a :class:`UserWarning`: the
    binary cross-entropy drives their scores down, so they are (correctly, as far as the
    data tells) predicted absent with low scores.

    Args:
        hidden_channels (int, optional): size of the instance embedding
            :math:`\sigma(\mathbf{x})`, of :math:`W(\mathbf{x})` and of the classifier's
            hidden layers. (default: :obj:`64`)
        classifier_layers (int, optional): linear layers in the classifier, 1 (paper's
            GLEMIML-A), 2 (paper's default), 3 (GLEMIML-B). (default: :obj:`2`)
        interaction (bool, optional): instance interaction :math:`W(\mathbf{x})`;
            :obj:`False` is GLEMIML-C. (default: :obj:`True`)
        enhancement (bool, optional): label enhancement; :obj:`False` trains the
            classifier alone on the logical labels (:math:`L = L_{LC}`).
            (default: :obj:`True`)
        graph (str, optional): ``'input'`` (instance graph built once on the standardised
            input features) or ``'embedding'`` (rebuilt on the detached
            :math:`\sigma(\mathbf{x})` in every forward pass). (default: :obj:`'input'`)
        k (int, optional): neighbours of the mutual-kNN instance graph.
            (default: :obj:`3`)
        pool (str, optional): bag pooling (PyG aggregation name, or ``'mean+max'``).
            (default: :obj:`'mean'`)
        label_k (int, optional): neighbours per label in :math:`T(\mathbf{D})`; 0 drops
            it. (default: :obj:`3`)
        enhancer_channels (int, optional): fusion space of the enhancer.
            (default: :obj:`64`)
        dropout (float, optional): dropout rate. (default: :obj:`0.2`)
        share_encoder (bool, optional): the enhancer reads the classifier's detached
            instance embedding (:obj:`True`) or has its own (:obj:`False`).
            (default: :obj:`True`)
        rho (float, optional): :math:`\rho` of Eq. 14. (default: :obj:`0.9`)
        betas (tuple, optional): :math:`(\beta_1, \beta_2, \beta_3)` of Eq. 11, summing
            to 1. (default: :obj:`(0.98, 0.01, 0.01)`)
        gamma_pos (float, optional): :math:`\gamma^+` of Eq. 6. (default: :obj:`0.0`)
        gamma_neg (float, optional): :math:`\gamma^-` of Eq. 6. (default: :obj:`1.0`)
        lr (float, optional): learning rate. (default: :obj:`3e-3`)
        weight_decay (float, optional): AdamW weight decay on weights (not biases).
            (default: :obj:`1e-4`)
        batch_size (int, optional): bags per mini-batch. (default: :obj:`64`)
        max_epochs (int, optional): maximum number of epochs. (default: :obj:`100`)
        patience (int, optional): stop after this many epochs without a better
            validation criterion; :obj:`None` never stops early. (default: :obj:`20`)
        validation_fraction (float, optional): share of the training bags held out for
            model selection when no ``eval_set`` is given. (default: :obj:`0.1`)
        selection_metric (str, optional): the validation criterion: ``'auto'`` (mean of
            :math:`1 - HL`, :math:`1 - RL`, mAP and Ma-F1, the paper's four metrics),
            ``'loss'`` (validation :math:`L_{LC}`) or a key of
            :func:`gmiml.metrics.evaluate`. (default: :obj:`'auto'`)
        threshold (float or str, optional): probability above which :meth:`predict`
            turns a label on; ``'val'`` picks one global threshold on the validation set
            (maximising the mean of Ma-F1 and :math:`1 - HL`); ``'auto'`` picks one
            threshold per label on the validation set, shrunk toward the global one
            (:func:`gmiml.estimators.thresholds.label_thresholds`). (default:
            :obj:`'auto'`)
        bag_graph (str, optional): label propagation from the training bags over a bag
            k-NN graph (:class:`~gmiml.nn.models.BagLabelPropagation`) with this bag
            similarity, ``'chamfer'`` or ``'mean'``; :obj:`None` switches it off.
            (default: :obj:`'chamfer'`)
        bag_k (int, optional): neighbours per bag in the bag graph. (default: :obj:`32`)
        bag_beta (float, optional): hubness correction of the bag similarity (0: none).
            (default: :obj:`0.5`)
        bag_tau (float, optional): initial temperature of the neighbour weights (learnt).
            (default: :obj:`0.05`)
        bag_alpha (float, optional): smoothing of the propagated labels toward the base
            rate. (default: :obj:`0.5`)
        max_bank (int, optional): most training bags in the propagation bank; with more
            training bags, every label keeps one positive bag and the rest is a seeded
            random draw (:meth:`BagLabelPropagation.select_bank`). (default: :obj:`2048`)
        prior_bias (bool, optional): initialise the classifier's output bias at the
            training label log-odds :math:`\log(\pi_l / (1 - \pi_l))`.
            (default: :obj:`True`)
        standardize (bool, optional): standardise the instance features with the
            training instances' mean and standard deviation. (default: :obj:`True`)
        random_state (int, optional): seed of initialisation, validation split, batch
            order and dropout; CPU runs with the same seed are identical.
            (default: :obj:`None`)
        verbose (bool, optional): show a tqdm progress bar over epochs.
            (default: :obj:`False`)
        device (str, optional): where the network trains and predicts: ``'cpu'``,
            ``'cuda'`` (the current CUDA device; under ``torchrun`` with NCCL the
            process's ``LOCAL_RANK`` GPU), ``'cuda:1'`` and the like, or ``'auto'``
            (CUDA when available, else the CPU). The instance graphs are built on the
            CPU and moved there once. (default: :obj:`'cpu'`)
        distributed (bool, optional): train data-parallel over the processes of the
            initialised default :mod:`torch.distributed` process group
            (:class:`~torch.nn.parallel.DistributedDataParallel`; gloo on CPUs, NCCL on
            GPUs). ``batch_size`` is then the *global* batch: every process trains on
            its share of each global mini-batch
            (:func:`gmiml.distributed.shard_batch`), the losses are computed on the
            gathered global batch, batch norms and the label-graph statistics are
            synchronised, so the result equals single-process training up to rounding
            (with ``dropout=0``; dropout masks are drawn per process). Start the
            processes with :func:`gmiml.distributed.fit_distributed` or ``torchrun``
            (``docs/distributed.md``). (default: :obj:`False`)
        checkpoint (str or path, optional): a file to which :meth:`fit` writes its whole
            state (network, optimiser, random generators, history, model selection)
            after every epoch, atomically. When the file exists, :meth:`fit` resumes
            after its last finished epoch, so an interrupted long run loses at most one
            epoch and ends as the uninterrupted run would (on the CPU: identically), and
            a finished run can be continued with a larger ``max_epochs``. A checkpoint
            written with other parameters (besides ``max_epochs``, ``verbose``,
            ``device``, ``distributed``) or other data is an error. In distributed
            training process 0 writes it; on resuming, the processes' dropout masks are
            drawn afresh. (default: :obj:`None`)

    Attributes:
        model_ (GLEMIMLNet): the trained network (best epoch).
        mean_, scale_ (numpy.ndarray): the standardisation of the instance features.
        history_ (list of dict): per epoch the mean training losses, the wall time of
            its training steps (``train_time_s``) and the validation metrics.
        best_epoch_ (int): the selected epoch (0-based).
        threshold_ (float or numpy.ndarray): the probability threshold :meth:`predict`
            uses (one per label with ``threshold='auto'``).
        n_features_in_, n_labels_ (int): the data's dimensions.
    """
    def __init__(
        self,
        hidden_channels: int = 64,
        classifier_layers: int = 2,
        interaction: bool = True,
        enhancement: bool = True,
        graph: str = 'input',
        k: int = 3,
        pool: str = 'mean',
        label_k: int = 3,
        enhancer_channels: int = 64,
        dropout: float = 0.2,
        share_encoder: bool = True,
        rho: float = 0.9,
        betas: Sequence[float] = (0.98, 0.01, 0.01),
        gamma_pos: float = 0.0,
        gamma_neg: float = 1.0,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        max_epochs: int = 100,
        patience: Optional[int] = 20,
        validation_fraction: float = 0.1,
        selection_metric: str = 'auto',
        threshold='auto',
        bag_graph: Optional[str] = 'chamfer',
        bag_k: int = 32,
        bag_beta: float = 0.5,
        bag_tau: float = 0.05,
        bag_alpha: float = 0.5,
        max_bank: int = 2048,
        prior_bias: bool = True,
        standardize: bool = True,
        random_state: Optional[int] = None,
        verbose: bool = False,
        device: str = 'cpu',
        distributed: bool = False,
        checkpoint=None,
    ):
        self.hidden_channels = hidden_channels
        self.classifier_layers = classifier_layers
        self.interaction = interaction
        self.enhancement = enhancement
        self.graph = graph
        self.k = k
        self.pool = pool
        self.label_k = label_k
        self.enhancer_channels = enhancer_channels
        self.dropout = dropout
        self.share_encoder = share_encoder
        self.rho = rho
        self.betas = betas
        self.gamma_pos = gamma_pos
        self.gamma_neg = gamma_neg
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.selection_metric = selection_metric
        self.threshold = threshold
        self.bag_graph = bag_graph
        self.bag_k = bag_k
        self.bag_beta = bag_beta
        self.bag_tau = bag_tau
        self.bag_alpha = bag_alpha
        self.max_bank = max_bank
        self.prior_bias = prior_bias
        self.standardize = standardize
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.distributed = distributed
        self.checkpoint = checkpoint

    #: the configurations a benchmark tunes over (:data:`gmiml.estimators.presets.PARAM_GRID`)
    param_grid = PARAM_GRID

    @classmethod
    def preset(cls, name: str, **overrides) -> 'GLEMIMLClassifier':
        r"""An estimator with the named configuration (:data:`~gmiml.estimators.presets.
        PRESETS`: ``'default'``, or ``'paper'``, the paper's GLEMIML without this
        library's additions) and ``overrides`` on top."""
        return cls(**preset_params(name, **overrides))

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        if self.classifier_layers not in (1, 2, 3):
            raise ValueError(f"classifier_layers: expected 1, 2 or 3, got "
                             f"{self.classifier_layers!r}")
        if self.graph not in ('input', 'embedding'):
            raise ValueError(f"graph: expected 'input' or 'embedding', got {self.graph!r}")
        for name in ('hidden_channels', 'enhancer_channels', 'batch_size', 'max_epochs',
                     'k'):
            v = getattr(self, name)
            if not (isinstance(v, (int, np.integer)) and v >= 1):
                raise ValueError(f"{name}: expected a positive integer, got {v!r}")
        if not (isinstance(self.label_k, (int, np.integer)) and self.label_k >= 0):
            raise ValueError(f"label_k: expected a non-negative integer, got "
                             f"{self.label_k!r}")
        if self.patience is not None and not (isinstance(self.patience, (int, np.integer))
                                              and self.patience >= 1):
            raise ValueError(f"patience: expected a positive integer or None, got "
                             f"{self.patience!r}")
        if not 0.0 <= self.rho <= 1.0:
            raise ValueError(f"rho: expected a weight in [0, 1], got {self.rho!r}")
        betas = tuple(float(b) for b in self.betas)
        if len(betas) != 3 or min(betas) < 0 or abs(sum(betas) - 1) > 1e-6:
            raise ValueError(f"betas: expected three non-negative weights summing to 1, "
                             f"got {self.betas!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout: expected a rate in [0, 1), got {self.dropout!r}")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError(f"validation_fraction: expected a value in [0, 1), got "
                             f"{self.validation_fraction!r}")
        if self.selection_metric not in ('auto', 'loss') + _METRIC_KEYS:
            raise ValueError(f"selection_metric: expected 'auto', 'loss' or one of "
                             f"{_METRIC_KEYS}, got {self.selection_metric!r}")
        self._check_threshold(self.threshold, allow_val=True)
        if self.bag_graph not in (None, 'chamfer', 'mean'):
            raise ValueError(f"bag_graph: expected 'chamfer', 'mean' or None, got "
                             f"{self.bag_graph!r}")
        for name in ('bag_k', 'max_bank'):
            v = getattr(self, name)
            if not (isinstance(v, (int, np.integer)) and v >= 2 - (name == 'bag_k')):
                raise ValueError(f"{name}: expected a positive integer, got {v!r}")
        if not (self.bag_beta >= 0 and self.bag_tau > 0 and 0 < self.bag_alpha <= 1):
            raise ValueError(f"expected bag_beta >= 0, bag_tau > 0, 0 < bag_alpha <= 1; got "
                             f"{self.bag_beta!r}, {self.bag_tau!r}, {self.bag_alpha!r}")
        if not (self.lr > 0 and self.weight_decay >= 0):
            raise ValueError(f"lr must be > 0 and weight_decay >= 0, got {self.lr!r}, "
                             f"{self.weight_decay!r}")
        if not isinstance(self.distributed, (bool, np.bool_)):
            raise ValueError(f"distributed: expected True or False, got "
                             f"{self.distributed!r}")
        self._torch_device()

    def _torch_device(self):
        """The :class:`torch.device` that ``device`` names (``'auto'``: CUDA when
        available; a bare ``'cuda'``: the current CUDA device)."""
        import torch
        dev = self.device
        if dev == 'auto':
            dev = 'cuda' if torch.cuda.is_available() else 'cpu'
        try:
            dev = torch.device(dev)
        except (RuntimeError, TypeError):
            raise ValueError(f"device: expected 'cpu', 'cuda', 'cuda:N' or 'auto', got "
                             f"{self.device!r}") from None
        if dev.type == 'cuda':
            if not torch.cuda.is_available():
                raise ValueError(f"device={self.device!r}: CUDA is not available on this "
                                 f"machine (use device='cpu' or 'auto')")
            if dev.index is None:
                dev = torch.device('cuda', torch.cuda.current_device())
        return dev

    @staticmethod
    def _check_threshold(t, allow_val=False):
        if allow_val and isinstance(t, str):
            if t not in ('val', 'auto'):
                raise ValueError(f"threshold: expected a probability in (0, 1), 'val' or "
                                 f"'auto', got {t!r}")
            return
        if isinstance(t, np.ndarray) and t.ndim == 1:  # fitted per-label thresholds
            if not ((t > 0) & (t < 1)).all():
                raise ValueError("threshold: per-label thresholds must lie in (0, 1)")
            return
        if isinstance(t, str) or not (0.0 < float(t) < 1.0):
            raise ValueError(f"threshold: expected a probability in (0, 1)"
                             f"{' or ' + repr('val') if allow_val else ''}, got {t!r}")

    # ------------------------------------------------------------------ data
    #: rows standardised at a time (bounds the float64 temporaries)
    _CHUNK_ROWS = 1 << 16

    def _standardize(self, bags) -> np.ndarray:
        """All instances, standardised, as one float32 array (computed in float64 chunk
        by chunk, in place in the concatenated copy)."""
        x = np.concatenate(bags, axis=0).astype(np.float32, copy=False)
        for lo in range(0, x.shape[0], self._CHUNK_ROWS):
            blk = x[lo:lo + self._CHUNK_ROWS]
            blk[...] = (blk - self.mean_) / self.scale_
        return x

    def _fit_scaler(self, bags) -> None:
        """``mean_`` and ``scale_`` of the instances of ``bags`` (float64 accumulation,
        two passes over row chunks: no float64 copy of the data)."""
        d = bags[0].shape[1]
        n, total = 0, np.zeros(d)
        for blk in self._row_chunks(bags):
            total += blk.sum(axis=0, dtype=np.float64)
            n += blk.shape[0]
        mean = total / n
        sq = np.zeros(d)
        for blk in self._row_chunks(bags):
            dev = blk - mean
            sq += np.einsum('ij,ij->j', dev, dev)
        scale = np.sqrt(sq / n)
        self.mean_ = mean
        self.scale_ = np.where(scale > 1e-12, scale, 1.0)

    def _row_chunks(self, bags):
        """The instances of ``bags`` in consecutive blocks of about ``_CHUNK_ROWS``."""
        buf, rows = [], 0
        for b in bags:
            buf.append(b)
            rows += b.shape[0]
            if rows >= self._CHUNK_ROWS:
                yield np.concatenate(buf, axis=0)
                buf, rows = [], 0
        if buf:
            yield np.concatenate(buf, axis=0)

    def _prepare(self, bags, Y=None, device=None, bank_rng=None):
        """Standardised instance tensor, pointers, instance graph and per-bag tensors
        (on ``device``; default: where the network is, else the ``device`` parameter).
        With a bag graph: the bags' neighbours in the bank (``bank_rng``: these are the
        training bags; the bank is drawn from them first, leave-one-out neighbours)."""
        import torch
        from gmiml.nn.bag_batcher import BagBatcher, bag_pointers
        x = torch.from_numpy(self._standardize(bags))
        sizes = torch.tensor([len(b) for b in bags], dtype=torch.long)
        ptr = bag_pointers(sizes)
        batch = torch.repeat_interleave(torch.arange(len(bags)), sizes,
                                        output_size=x.size(0))
        edge_index = edge_weight = None
        if self.interaction and self.graph == 'input':
            from gmiml.utils.mutual_knn_graph import mutual_knn_graph
            edge_index, edge_weight = mutual_knn_graph(x, k=self.k, batch=batch)
        attrs = {}
        if Y is not None:
            attrs['y'] = torch.from_numpy(np.asarray(Y, dtype=np.float32))
            feat = torch.zeros(len(bags), x.size(1)).index_add_(0, batch, x)
            attrs['feat'] = feat / sizes.to(torch.float32).view(-1, 1)
        prop = getattr(getattr(self, 'model_', None), 'bag_propagation', None)
        if prop is not None:
            attrs['nbr_index'], attrs['nbr_sim'] = self._neighbours(prop, x, ptr, Y,
                                                                    bank_rng)
        batcher = BagBatcher(x, ptr, edge_index, edge_weight, **attrs)
        if device is None:
            device = (next(self.model_.parameters()).device if hasattr(self, 'model_')
                      else self._torch_device())
        return batcher.to(device)

    @staticmethod
    def _neighbours(prop, x, ptr, Y, bank_rng):
        """Neighbour lists of the bags ``(x, ptr)`` in the bank of ``prop``; with
        ``bank_rng`` the bags are the training bags and the bank is set from them."""
        import torch
        from gmiml.nn.bag_batcher import gather_bags
        self_index = None
        if bank_rng is not None:
            gen = torch.Generator().manual_seed(int(bank_rng.integers(2 ** 31 - 1)))
            y = torch.as_tensor(np.asarray(Y, dtype=np.float32))
            keep = prop.select_bank(y, gen)
            nodes = gather_bags(ptr, keep)[0]
            bank_nbrs = prop.set_bank(x[nodes], torch.cat(
                [ptr.new_zeros(1), (ptr[keep + 1] - ptr[keep]).cumsum(0)]), y[keep])
            if keep.numel() == ptr.numel() - 1:  # every training bag is in the bank
                return bank_nbrs
            self_index = torch.full((ptr.numel() - 1, ), -1, dtype=torch.long)
            self_index[keep] = torch.arange(keep.numel())
        return prop.neighbours(x, ptr, self_index)

    def _build_model(self):
        from gmiml.nn.models.glemiml_net import GLEMIMLNet
        prop = None
        if self.bag_graph is not None:
            from gmiml.nn.models.bag_label_propagation import BagLabelPropagation
            prop = BagLabelPropagation(self.n_labels_, k=int(self.bag_k),
                                       beta=self.bag_beta, tau=self.bag_tau,
                                       alpha=self.bag_alpha, similarity=self.bag_graph,
                                       max_bank=int(self.max_bank))
        return GLEMIMLNet(
            self.n_features_in_, self.n_labels_, hidden_channels=self.hidden_channels,
            classifier_layers=self.classifier_layers, interaction=self.interaction,
            enhancement=self.enhancement, graph=self.graph, k=self.k, pool=self.pool,
            label_k=self.label_k, enhancer_channels=self.enhancer_channels,
            dropout=self.dropout, share_encoder=self.share_encoder, bag_propagation=prop)

    # ------------------------------------------------------------------ training
    def _split_validation(self, bags, Y, eval_set, rng):
        if eval_set is not None:
            return bags, Y, eval_set
        n = len(bags)
        if self.validation_fraction == 0 or n < 10:
            return bags, Y, None
        n_val = max(1, int(round(self.validation_fraction * n)))
        perm = rng.permutation(n)
        val, tr = np.sort(perm[:n_val]), np.sort(perm[n_val:])
        return ([bags[i] for i in tr], Y[tr], ([bags[i] for i in val], Y[val]))

    def _batch_loss(self, data, model=None, sizes=None):
        """The training loss of a mini-batch and its parts (tensors). ``model`` is the
        module to run (default: ``model_``; the DDP wrapper in distributed training,
        where the outputs of all processes are gathered before the losses, so every
        process evaluates the losses of the global batch; ``sizes``: the number of bags
        of every process, when known)."""
        model = self.model_ if model is None else model
        logits, z = model(data.x, data.edge_index, data.edge_weight, data.batch,
                          data.y, num_bags=data.num_bags, **_neighbour_args(data))
        y, feat = data.y, data.feat
        if self.distributed:
            from gmiml.distributed.data_parallel import gather_rows
            logits, z, y, feat = gather_rows(logits, z, y, feat, sizes=sizes)
        return self._losses(logits, z, y, feat)

    def _losses(self, logits, z, y, feat):
        import torch
        from gmiml.losses import functional as LF
        parts = {}
        if z is None:
            loss = LF.logical_label_loss(logits, y)
            parts['L_LC'] = loss
        else:
            dist = torch.softmax(z, dim=-1).detach()
            l_lc = LF.logical_label_loss(logits, y)
            l_dc = LF.label_distribution_loss(logits, dist)
            b1, b2, b3 = (float(b) for b in self.betas)
            l_cl = LF.asymmetric_focal_loss(z, y, logits.detach(), self.gamma_pos,
                                            self.gamma_neg)
            l_sim = (LF.similarity_consistency_loss(feat, z) if b2 > 0
                     else z.new_zeros(()))
            l_thr = LF.threshold_loss(z, y) if b3 > 0 else z.new_zeros(())
            loss_c = self.rho * l_lc + (1 - self.rho) * l_dc
            loss_e = b1 * l_cl + b2 * l_sim + b3 * l_thr
            loss = loss_c + loss_e
            parts.update(L_LC=l_lc, L_DC=l_dc, L_C=loss_c, L_CL=l_cl, L_Sim=l_sim,
                         L_threshold=l_thr, L_CLE=loss_e)
        parts['loss'] = loss
        return loss, parts

    def _make_optimizer(self):
        import torch
        decay, no_decay = [], []
        for name, p in self.model_.named_parameters():
            (no_decay if name.endswith('bias') or '.norm.' in name or p.dim() == 0
             else decay).append(p)
        groups = [{'params': decay, 'weight_decay': self.weight_decay},
                  {'params': no_decay, 'weight_decay': 0.0}]
        try:  # the fused kernel is about 3x faster on CPU; fall back where unsupported
            return torch.optim.AdamW(groups, lr=self.lr, fused=True)
        except (RuntimeError, TypeError):
            return torch.optim.AdamW(groups, lr=self.lr, foreach=True)

    def _logits(self, batcher, batch_size: int = 2048) -> np.ndarray:
        import torch
        self.model_.eval()
        out = []
        with torch.no_grad():
            for data in batcher.iter_batches(batch_size):
                out.append(self.model_(data.x, data.edge_index, data.edge_weight,
                                       data.batch, num_bags=data.num_bags,
                                       **_neighbour_args(data)))
        return torch.cat(out).double().cpu().numpy()

    def _validation_metrics(self, batcher, Yv) -> dict:
        from gmiml.metrics import evaluate
        logits = self._logits(batcher)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            m = evaluate(Yv, 1.0 / (1.0 + np.exp(-logits)), threshold=0.5)
        # validation L_LC (mean binary cross-entropy), numerically stable
        m['loss'] = float(np.mean(np.logaddexp(0, logits) - Yv * logits))
        return m

    def _criterion(self, m: dict) -> float:
        """Validation criterion, oriented so that higher is better."""
        if self.selection_metric == 'auto':
            return _auto_score(m)
        v = m[self.selection_metric]
        if math.isnan(v):
            return -math.inf
        return -v if self.selection_metric in _LOWER else v

    def fit(self, bags, Y, eval_set=None):
        r"""Trains on ``bags`` (list of ``[n_i, d]`` arrays) and ``Y`` (``[N, L]`` in
        :math:`\{0, 1\}` or :math:`\{-1, 1\}`); ``eval_set=(bags, Y)`` is the validation
        data for model selection (see the class docstring). With ``distributed=True``
        every process of the process group calls ``fit`` with the same data. Returns
        ``self``."""
        import torch
        from tqdm.auto import tqdm
        self._check_params()
        device = self._torch_device()
        rank, world_size = 0, 1
        seed = self.random_state
        if self.distributed:
            from gmiml.distributed.data_parallel import broadcast_seed, world
            rank, world_size = world(required=True)
            if self.batch_size < world_size:
                raise ValueError(f"batch_size={self.batch_size} is the global batch of "
                                 f"distributed training and must be at least the number "
                                 f"of processes ({world_size})")
            seed = broadcast_seed(seed)
        bags, Y, eval_set = self._validate_fit_data(bags, Y, eval_set)
        empty = np.flatnonzero(Y.sum(axis=0) == 0)
        if empty.size and rank == 0:
            warnings.warn(f"Y: label column(s) {empty.tolist()[:10]}"
                          f"{'...' if empty.size > 10 else ''} have no positive training "
                          f"bag; GLEMIMLClassifier will give them low scores",
                          UserWarning, stacklevel=2)
        rng = np.random.default_rng(seed)
        torch_seed = int(rng.integers(2 ** 31 - 1))
        tr_bags, tr_Y, val = self._split_validation(bags, Y, eval_set, rng)
        min_batch = max(2, world_size)  # batch norm: 2 bags; data-parallel: 1 a process
        if len(tr_bags) < min_batch:
            raise ValueError(f"GLEMIMLClassifier.fit: needs at least {min_batch} training "
                             f"bags (the enhancer's batch normalisation"
                             f"{', one per process' if world_size > 1 else ''}), got "
                             f"{len(tr_bags)}")

        self._fit_scaler(tr_bags)
        if not self.standardize:
            self.mean_, self.scale_ = np.zeros_like(self.mean_), np.ones_like(self.scale_)

        with torch.random.fork_rng(devices=[] if device.type != 'cuda' else [device.index]):
            torch.manual_seed(torch_seed)
            self.model_ = self._build_model()
            if self.prior_bias:
                self._init_prior_bias(tr_Y)
            self.model_.to(device)
            train = self._prepare(tr_bags, tr_Y, device,
                                  bank_rng=rng if self.bag_graph is not None else None)
            valb = None if val is None else self._prepare(val[0], device=device)
            net = self.model_
            if self.distributed:
                from gmiml.distributed.data_parallel import wrap_model
                net = wrap_model(self.model_, device)
                if world_size > 1:  # own dropout masks in every process
                    torch.manual_seed(torch_seed + 1 + rank)
            try:
                self._train(net, train, valb, val, rng, rank, world_size, tqdm)
            finally:
                if self.distributed:
                    from gmiml.distributed.data_parallel import unwrap_model
                    unwrap_model(self.model_)
                    # free the DDP wrapper (and its reducer, which holds the process
                    # group) now: left to a later garbage collection it may be destroyed
                    # after the process group, which aborts the process
                    del net
                    import gc
                    gc.collect()
            self.model_.eval()
            self.threshold_ = self._fit_threshold(valb, None if val is None else val[1])
        return self

    def _init_prior_bias(self, Y) -> None:
        """Sets the classifier's output bias to the label log-odds of ``Y`` (frequencies
        clipped to :math:`[1/2n, 1 - 1/2n]`)."""
        import torch
        n = Y.shape[0]
        pi = np.clip(np.asarray(Y, dtype=np.float64).mean(0), 0.5 / n, 1 - 0.5 / n)
        with torch.no_grad():
            self.model_.classifier.lins[-1].bias.copy_(
                torch.from_numpy(np.log(pi / (1 - pi))))

    def _train(self, net, train, valb, val, rng, rank, world_size, tqdm):
        """The epochs of :meth:`fit`: mini-batch steps, validation, early stopping,
        checkpoints; leaves the best epoch's weights in ``model_``."""
        import torch
        opt = self._make_optimizer()
        params = [p for p in self.model_.parameters() if p.requires_grad]
        self.history_ = []
        st = {'best': -math.inf, 'best_state': None, 'best_epoch': -1, 'stale': 0,
              'stopped': False}
        start = 0
        fingerprint = None
        if self.checkpoint is not None:
            fingerprint = _fingerprint(train, valb)
            ck = self._read_checkpoint(fingerprint)
            if ck is not None:  # resume after the last finished epoch
                self.model_.load_state_dict(ck['model'])
                opt.load_state_dict(ck['optimizer'])
                rng.bit_generator.state = ck['numpy_rng']
                if world_size == 1:  # dropout masks of the processes are their own
                    torch.set_rng_state(ck['torch_rng'])
                self.history_ = list(ck['history'])
                st = dict(ck['selection'])
                start = ck['epoch'] + 1
        self.best_epoch_ = st['best_epoch']
        bar = tqdm(range(start, self.max_epochs), disable=not self.verbose or rank != 0,
                   desc='GLEMIML', leave=False, initial=start, total=self.max_epochs)
        min_batch = max(2, world_size)
        if world_size > 1:
            from gmiml.distributed import shard_batch
        for epoch in (() if st['stopped'] else bar):
            self.model_.train()
            sums, n_b = None, 0
            t_epoch = time.perf_counter()
            for idx in train.batch_indices(self.batch_size, shuffle=True, generator=rng,
                                           min_size=min_batch):
                sizes = None
                if world_size > 1:
                    # round-robin shares: process r gets ceil((n - r) / R) bags
                    sizes = [(len(idx) - r + world_size - 1) // world_size
                             for r in range(world_size)]
                    idx, _ = shard_batch(idx, rank, world_size)
                loss, parts = self._batch_loss(train.batch(idx), net, sizes)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 5.0, foreach=True)
                opt.step()
                # summed on the device, read once per epoch (no sync per step)
                vec = torch.stack([v.detach() for v in parts.values()])
                sums = vec if sums is None else sums + vec
                n_b += 1
            rec = {'epoch': epoch}
            rec.update({f'train_{key}': float(v) / n_b
                        for key, v in zip(parts, sums.double().cpu())})
            rec['train_time_s'] = time.perf_counter() - t_epoch
            if valb is not None:
                m = self._validation_metrics(valb, val[1])
                rec.update({f'val_{key}': float(v) for key, v in m.items()})
                score = self._criterion(m)
                rec['val_criterion'] = score
                if score > st['best']:
                    st.update(best=score, best_epoch=epoch, stale=0,
                              best_state=copy.deepcopy(self.model_.state_dict()))
                else:
                    st['stale'] += 1
                bar.set_postfix(loss=rec['train_loss'], val=score)
            else:
                st['best_epoch'] = epoch
                bar.set_postfix(loss=rec['train_loss'])
            self.best_epoch_ = st['best_epoch']
            self.history_.append(rec)
            st['stopped'] = (self.patience is not None and valb is not None
                             and st['stale'] >= self.patience)
            if self.checkpoint is not None and rank == 0:
                self._write_checkpoint(fingerprint, epoch, opt, rng, st)
            if st['stopped']:
                break
        bar.close()
        if st['best_state'] is not None:
            self.model_.load_state_dict(st['best_state'])

    # ------------------------------------------------------------------ checkpoints
    _CHECKPOINT_FORMAT = 'gmiml.GLEMIMLClassifier.checkpoint/1'
    #: parameters a checkpoint may be resumed with different values of
    _RESUMABLE = ('max_epochs', 'verbose', 'checkpoint', 'device', 'distributed')

    def _resume_params(self) -> dict:
        params = self.get_params()
        params['betas'] = [float(b) for b in params['betas']]
        return {k: v for k, v in params.items() if k not in self._RESUMABLE}

    def _write_checkpoint(self, fingerprint, epoch, opt, rng, st) -> None:
        """The state after epoch ``epoch``, written atomically to ``checkpoint``."""
        import os
        import torch
        blob = {'format': self._CHECKPOINT_FORMAT, 'params': self._resume_params(),
                'fingerprint': fingerprint, 'epoch': epoch,
                'model': self.model_.state_dict(), 'optimizer': opt.state_dict(),
                'numpy_rng': rng.bit_generator.state, 'torch_rng': torch.get_rng_state(),
                'history': self.history_, 'selection': st}
        tmp = f'{os.fspath(self.checkpoint)}.tmp'
        torch.save(blob, tmp)
        os.replace(tmp, self.checkpoint)

    def _read_checkpoint(self, fingerprint):
        """The checkpoint to resume from (``None`` when the file does not exist); an
        unreadable one, or one written for other data or parameters, is an error."""
        import os
        import torch
        path = self.checkpoint
        if not os.path.exists(path):
            return None
        try:
            ck = torch.load(path, map_location=next(self.model_.parameters()).device,
                            weights_only=True)
        except Exception as e:
            raise ValueError(f"checkpoint: cannot read {path!s} ({e}); delete it to start "
                             f"afresh") from e
        if not (isinstance(ck, dict) and ck.get('format') == self._CHECKPOINT_FORMAT):
            raise ValueError(f"checkpoint: {path!s} is not a GLEMIMLClassifier checkpoint")
        params = self._resume_params()
        if ck['params'] != params:
            diff = sorted(k for k in set(ck['params']) | set(params)
                          if ck['params'].get(k) != params.get(k))
            raise ValueError(f"checkpoint: {path!s} was written with other parameters "
                             f"({', '.join(diff)}); use another path or delete it")
        if ck['fingerprint'] != fingerprint:
            raise ValueError(f"checkpoint: {path!s} was written for other training or "
                             f"validation data; use another path or delete it")
        return ck

    def _fit_threshold(self, valb, Yv):
        if self.threshold not in ('val', 'auto'):
            return float(self.threshold)
        if valb is None:
            return 0.5
        if self.threshold == 'auto':
            from gmiml.estimators.thresholds import label_thresholds
            return label_thresholds(Yv, 1.0 / (1.0 + np.exp(-self._logits(valb))))[0]
        from gmiml.metrics import hamming_loss, macro_f1
        P = 1.0 / (1.0 + np.exp(-self._logits(valb)))
        best_t, best_s = 0.5, -math.inf
        for t in np.round(np.arange(0.05, 0.951, 0.025), 4):
            H = (P > t).astype(np.uint8)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                s = 0.5 * (macro_f1(Yv, H) + 1.0 - hamming_loss(Yv, H))
            if s > best_s + 1e-12:
                best_t, best_s = float(t), s
        return best_t

    # ------------------------------------------------------------------ prediction
    def decision_function(self, bags) -> np.ndarray:
        r"""Classifier logits ``float64 [N, L]`` (higher = more relevant; 0 is
        probability 0.5)."""
        bags = self._validate_bags(bags)
        return self._logits(self._prepare(bags))

    def predict(self, bags, threshold: Optional[float] = None) -> np.ndarray:
        r"""Hard labels ``uint8 [N, L]``: probability > ``threshold`` (default: the
        fitted ``threshold_``, i.e. the ``threshold`` parameter or the one chosen on
        validation data)."""
        t = self.threshold_ if threshold is None and hasattr(self, 'threshold_') else threshold
        P = self.predict_proba(bags)
        self._check_threshold(t)
        return (P > (t if isinstance(t, np.ndarray) else float(t))).astype(np.uint8)

    def label_distribution(self, bags, Y) -> np.ndarray:
        r"""The recovered label distributions (the enhancer's output
        :math:`\mathrm{softmax}(\mathbf{z}^*)`), ``float64 [N, L]``, rows summing to 1:
        the significance of each label for each bag given its logical labels ``Y``."""
        import torch
        bags = self._validate_bags(bags)
        Y = check_labels(Y, len(bags), n_labels=self.n_labels_)
        if not self.enhancement:
            raise ValueError("label_distribution: this model was fitted with "
                             "enhancement=False and has no label enhancer")
        batcher = self._prepare(bags, Y)
        self.model_.eval()
        out = []
        with torch.no_grad():
            for data in batcher.iter_batches(2048):
                out.append(self.model_.label_distribution(
                    data.x, data.edge_index, data.edge_weight, data.batch, data.y,
                    num_bags=data.num_bags, **_neighbour_args(data)))
        D = torch.cat(out).double().numpy()
        return D / D.sum(axis=1, keepdims=True)

    # ------------------------------------------------------------------ persistence
    _FITTED = ('n_features_in_', 'n_labels_', 'mean_', 'scale_', 'history_',
               'best_epoch_', 'threshold_')

    def save(self, path) -> None:
        r"""Saves parameters, fitted state and network weights to ``path``
        (:func:`torch.save` of a dict); :meth:`load` restores an estimator that makes
        identical predictions."""
        import torch
        self._check_is_fitted()
        params = self.get_params()
        params['betas'] = list(params['betas'])
        if params.get('checkpoint') is not None:
            params['checkpoint'] = str(params['checkpoint'])
        fitted = {}
        for key in self._FITTED:
            v = getattr(self, key)
            fitted[key] = torch.from_numpy(np.asarray(v)) if isinstance(v, np.ndarray) else v
        torch.save({'format': 'gmiml.GLEMIMLClassifier/1', 'params': params,
                    'fitted': fitted, 'state_dict': self.model_.state_dict()}, path)

    @classmethod
    def load(cls, path) -> 'GLEMIMLClassifier':
        r"""Restores an estimator written by :meth:`save`. The network is loaded on the
        CPU, where predictions then run (``est.model_.to('cuda')`` moves it)."""
        import torch
        try:
            blob = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as e:  # corrupt / not a torch file
            raise ValueError(f"GLEMIMLClassifier.load: cannot read {path!s}: {e}") from e
        if not (isinstance(blob, dict) and blob.get('format') == 'gmiml.GLEMIMLClassifier/1'):
            raise ValueError(f"GLEMIMLClassifier.load: {path!s} is not a saved "
                             f"GLEMIMLClassifier")
        params = dict(blob['params'])
        params['betas'] = tuple(params['betas'])
        est = cls(**params)
        for key, v in blob['fitted'].items():
            setattr(est, key, v.numpy() if isinstance(v, torch.Tensor) else v)
        est.model_ = est._build_model()
        est.model_.load_state_dict(blob['state_dict'])
        est.model_.eval()
        return est
