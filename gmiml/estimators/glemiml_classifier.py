r"""GLEMIML as a scikit-learn-style estimator."""
from numbers import Integral, Real
from typing import Optional, Sequence

import numpy as np

from gmiml.estimators.calibrated_enhancement_mixin import CalibratedEnhancementMixin
from gmiml.estimators.constraints import Device, Interval, Options, StrOptions, Weights
from gmiml.estimators.neural import NeuralMIMLEstimator
from gmiml.estimators.bag_graph_hooks import neighbour_args as _neighbour_args
from gmiml.estimators.glemiml_data_mixin import GLEMIMLDataMixin
from gmiml.estimators.presets import PARAM_GRID, preset
from gmiml.estimators.selection import METRIC_KEYS, fit_threshold
from gmiml.estimators.thresholds import label_thresholds
from gmiml.utils.validation import check_labels

__all__ = ['GLEMIMLClassifier']

#: PyG aggregations without parameters that ``pool`` may name (several joined by '+')
_POOLS = ('mean', 'max', 'min', 'sum', 'add', 'mul', 'var', 'std', 'median')


class GLEMIMLClassifier(CalibratedEnhancementMixin, GLEMIMLDataMixin, NeuralMIMLEstimator):
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
    (:class:`gmiml.loader.BagBatcher`).

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
        threshold (float or str, optional): probability from which on :meth:`predict`
            turns a label on; ``'val'`` picks one global threshold on the validation set
            (maximising the mean of Ma-F1 and :math:`1 - HL`); ``'auto'`` one per label
            (:func:`gmiml.estimators.label_thresholds`). (default: :obj:`'auto'`)
        bag_graph (str, optional): label propagation from the training bags over a bag
            k-NN graph (:class:`~gmiml.nn.models.BagLabelPropagation`) with this bag
            similarity, ``'chamfer'`` or ``'mean'``; :obj:`None` switches it off.
            (default: :obj:`'chamfer'`)
        bag_k, bag_beta, bag_tau, bag_alpha, max_bank (optional): of the bag graph:
            neighbours per bag (:obj:`32`), hubness correction (:obj:`0.5`; 0: none),
            initial temperature (:obj:`0.05`, learnt), smoothing toward the base rate
            (:obj:`0.5`), most bags in the bank (:obj:`2048`; beyond, every label keeps
            one positive bag and the rest is a seeded random draw).
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
        le_calibration (str, optional): how :meth:`label_distribution` recovers the
            label distributions (:class:`CalibratedEnhancementMixin
            <gmiml.estimators.calibrated_enhancement_mixin.CalibratedEnhancementMixin>`).
            ``'rule'``: :math:`\mathrm{softmax}((\mathbf{y} + \lambda\mathbf{c})/\tau)`
            with :math:`\mathbf{c}` the mean of the classifier's probabilities and the
            leave-one-out labels of the ``le_neighbors`` nearest training bags (bag mean
            of the standardised instances; with :math:`\lambda = 2` each of the two
            weighs as much as the logical labels), and :math:`\tau` fitted at the end of
            :meth:`fit` so that the threshold rule reads the recovered distributions of
            the training bags back as their logical labels, then moved bag by bag to the
            nearest value under which the rule reads the bag back as its own logical
            labels. ``'global'``: the same with the one fitted :math:`\tau` for all
            bags. :obj:`None`: the paper's reading, the enhancer's
            :math:`\mathrm{softmax}(\mathbf{z}^*)`. Training (and so every prediction
            of the classifier) is the same either way. (default: :obj:`'rule'`)
        le_neighbors (int, optional): neighbours of the calibrated enhancement.
            (default: :obj:`10`)
        le_content_weight (float, optional): :math:`\lambda`. (default: :obj:`2.0`)
        le_mass (float, optional): the threshold rule's mass: the relevant labels of a
            distribution are the smallest top set covering this share of it.
            (default: :obj:`0.5`)

    Attributes:
        model_ (GLEMIMLNet): the trained network (best epoch).
        mean_, scale_ (numpy.ndarray): the standardisation of the instance features.
        history_ (list of dict): per epoch the mean training losses, the wall time of
            its training steps (``train_time_s``) and the validation metrics.
        best_epoch_ (int): the selected epoch (0-based).
        threshold_ (float or numpy.ndarray): the probability threshold :meth:`predict`
            uses (one per label with ``threshold='auto'``).
        le_temperature_ (float): the shared :math:`\tau` of the calibrated enhancement
            (with ``le_calibration`` not :obj:`None`), with ``le_reference_`` and
            ``le_reference_labels_``, the training bags' mean standardised instances and
            logical labels.
        n_features_in_, n_labels_ (int): the data's dimensions.
    """
    _desc = 'GLEMIML'
    _parameter_constraints = {
        'hidden_channels': [Interval(Integral, 1, None)],
        'classifier_layers': [Options(Integral, (1, 2, 3))],
        'interaction': ['boolean'],
        'enhancement': ['boolean'],
        'graph': [StrOptions(('input', 'embedding'))],
        'k': [Interval(Integral, 1, None)],
        'pool': [StrOptions(_POOLS, join='+')],
        'label_k': [Interval(Integral, 0, None)],
        'enhancer_channels': [Interval(Integral, 1, None)],
        'dropout': [Interval(Real, 0, 1, closed='left')],
        'share_encoder': ['boolean'],
        'rho': [Interval(Real, 0, 1)],
        'betas': [Weights(3)],
        'gamma_pos': [Interval(Real, 0, None)],
        'gamma_neg': [Interval(Real, 0, None)],
        'lr': [Interval(Real, 0, None, closed='neither')],
        'weight_decay': [Interval(Real, 0, None)],
        'batch_size': [Interval(Integral, 2, None,
                                note='batch normalisation needs 2 bags a batch')],
        'max_epochs': [Interval(Integral, 1, None)],
        'patience': [Interval(Integral, 1, None), None],
        'validation_fraction': [Interval(Real, 0, 1, closed='left')],
        'selection_metric': [StrOptions(('auto', 'loss') + METRIC_KEYS)],
        'threshold': [Interval(Real, 0, 1, closed='neither'), StrOptions(('val', 'auto'))],
        'bag_graph': [StrOptions(('chamfer', 'mean')), None],
        'bag_k': [Interval(Integral, 1, None)],
        'bag_beta': [Interval(Real, 0, None)],
        'bag_tau': [Interval(Real, 0, None, closed='neither')],
        'bag_alpha': [Interval(Real, 0, 1, closed='right')],
        'max_bank': [Interval(Integral, 2, None)],
        'prior_bias': ['boolean'],
        'standardize': ['boolean'],
        'random_state': [Interval(Integral, 0, None), None],
        'verbose': ['boolean'],
        'device': [Device()],
        'distributed': ['boolean'],
        'checkpoint': ['path', None],
        **CalibratedEnhancementMixin.LE_CONSTRAINTS,
    }
    _RESUMABLE = NeuralMIMLEstimator._RESUMABLE + CalibratedEnhancementMixin.LE_PARAMS
    _FITTED = NeuralMIMLEstimator._FITTED + CalibratedEnhancementMixin.LE_FITTED

    def __init__(
        self,
        *,
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
        le_calibration: Optional[str] = 'rule',
        le_neighbors: int = 10,
        le_content_weight: float = 2.0,
        le_mass: float = 0.5,
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
        self.le_calibration = le_calibration
        self.le_neighbors = le_neighbors
        self.le_content_weight = le_content_weight
        self.le_mass = le_mass

    param_grid = PARAM_GRID  # the configurations a benchmark tunes over
    preset = classmethod(preset)

    def _validate_params(self) -> None:
        super()._validate_params()
        self._torch_device()  # CUDA available where asked

    def fit(self, bags, Y, eval_set=None):
        super().fit(bags, Y, eval_set)
        for key in self.LE_FITTED:  # none from an earlier fit
            self.__dict__.pop(key, None)
        if self.enhancement and self.le_calibration is not None:
            self.calibrate_label_distribution(bags, Y)
        return self

    fit.__doc__ = NeuralMIMLEstimator.fit.__doc__

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

    # ------------------------------------------------------------------ training
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
        """The loss of Eqs. 11 and 14 (:func:`gmiml.losses.functional.classifier_loss`
        plus :func:`~gmiml.losses.functional.enhancer_loss`) and its named parts."""
        import torch
        from gmiml.losses import functional as LF
        if z is None:
            loss = LF.logical_label_loss(logits, y)
            return loss, {'L_LC': loss, 'loss': loss}
        c_parts, e_parts = {}, {}
        dist = torch.softmax(z, dim=-1).detach()
        loss_c = LF.classifier_loss(logits, y, dist, rho=self.rho, parts=c_parts)
        loss_e = LF.enhancer_loss(z, y, logits.detach(), feat, betas=self.betas,
                                  gamma_pos=self.gamma_pos, gamma_neg=self.gamma_neg,
                                  parts=e_parts)
        loss = loss_c + loss_e
        return loss, {**c_parts, 'L_C': loss_c, **e_parts, 'L_CLE': loss_e, 'loss': loss}

    def _make_optimizer(self):
        import torch
        from gmiml.estimators.trainer import param_groups
        groups = param_groups(self.model_, self.weight_decay,
                              lambda name: name.endswith('bias') or '.norm.' in name
                              or name.startswith('bag_propagation.'))
        try:  # the fused kernel is about 3x faster on CPU; fall back where unsupported
            return torch.optim.AdamW(groups, lr=self.lr, fused=True)
        except (RuntimeError, TypeError):
            return torch.optim.AdamW(groups, lr=self.lr, foreach=True)

    def _logits(self, batcher, batch_size: int = 2048, propagate: bool = True) -> np.ndarray:
        import torch
        self.model_.eval()
        out = []
        with torch.no_grad():
            for data in batcher.iter_batches(batch_size):
                out.append(self.model_(data.x, data.edge_index, data.edge_weight,
                                       data.batch, num_bags=data.num_bags,
                                       propagate=propagate, **_neighbour_args(data)))
        return torch.cat(out).double().cpu().numpy()

    def _fit_threshold(self, valb, Yv):
        if self.threshold not in ('val', 'auto'):
            return float(self.threshold)
        if valb is None:
            return 0.5
        if self.threshold == 'auto':
            return label_thresholds(Yv, 1.0 / (1.0 + np.exp(-self._logits(valb))))[0]
        return fit_threshold(Yv, self._logits(valb))

    # ------------------------------------------------------------------ prediction
    def decision_function(self, bags) -> np.ndarray:
        r"""Classifier logits ``float64 [N, L]`` (higher = more relevant; 0 is
        probability 0.5)."""
        bags = self._validate_bags(bags)
        return self._logits(self._prepare(bags))

    def predict(self, bags, threshold: Optional[float] = None) -> np.ndarray:
        r"""Hard labels ``uint8 [N, L]``: probability >= ``threshold`` (default: the
        fitted ``threshold_``, i.e. the ``threshold`` parameter or the one chosen on
        validation data)."""
        t = self.threshold_ if threshold is None and hasattr(self, 'threshold_') else threshold
        P = self.predict_proba(bags)
        self._check_threshold(t)
        return (P >= (t if isinstance(t, np.ndarray) else float(t))).astype(np.uint8)

    def label_distribution(self, bags, Y) -> np.ndarray:
        r"""The recovered label distributions, ``float64 [N, L]``, rows summing to 1:
        the significance of each label for each bag given its logical labels ``Y``
        (by default the calibrated enhancement, with ``le_calibration=None`` the
        enhancer's output :math:`\mathrm{softmax}(\mathbf{z}^*)`; see the class
        docstring)."""
        import torch
        bags = self._validate_bags(bags)
        Y = check_labels(Y, len(bags), n_labels=self.n_labels_)
        if not self.enhancement:
            raise ValueError("label_distribution: this model was fitted with "
                             "enhancement=False and has no label enhancer")
        batcher = self._prepare(bags, Y)
        if self.le_calibration is not None:
            return self._calibrated_distribution(bags, Y, batcher)
        self.model_.eval()
        out = []
        with torch.no_grad():
            for data in batcher.iter_batches(2048):
                out.append(self.model_.label_distribution(
                    data.x, data.edge_index, data.edge_weight, data.batch, data.y,
                    num_bags=data.num_bags, **_neighbour_args(data)))
        D = torch.cat(out).double().cpu().numpy()
        return D / D.sum(axis=1, keepdims=True)
