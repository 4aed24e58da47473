r"""The shared base of the neural (graph) estimators: device, feature standardisation,
the fit skeleton around :class:`~gmiml.estimators.trainer.Trainer`, checkpoints and
persistence."""
import warnings

import numpy as np

from gmiml.estimators.base import BaseMIMLEstimator

__all__ = ['NeuralMIMLEstimator', 'data_fingerprint']


def _sums64(t, rows: int = 1 << 16):
    """``(sum, sum of absolute values)`` of a tensor in float64, row chunk by row chunk
    (no float64 copy of the whole tensor)."""
    s = a = 0.0
    for lo in range(0, t.size(0), rows):
        blk = t[lo:lo + rows].double()
        s += float(blk.sum())
        a += float(blk.abs().sum())
    return s, a


def data_fingerprint(train, valb) -> list:
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


class NeuralMIMLEstimator(BaseMIMLEstimator):
    r"""Base of the estimators that train a network on bag batchers
    (:class:`~gmiml.estimators.GLEMIMLClassifier`).

    A subclass has the parameters ``validation_fraction``, ``standardize``,
    ``batch_size``, ``max_epochs``, ``patience``, ``selection_metric``, ``threshold``,
    ``random_state``, ``verbose``, ``device``, ``distributed`` and ``checkpoint`` and
    implements ``_build_model()``, ``_prepare(bags, Y=None, device=None)`` (a
    :class:`~gmiml.nn.BagBatcher`), ``_batch_loss(data, model, sizes)``,
    ``_make_optimizer()``, ``_logits(batcher)`` and ``_fit_threshold(valb, Yv)``.

    Files: :meth:`save` writes format ``'gmiml.<Class>/1'``, checkpoints
    ``'gmiml.<Class>.checkpoint/1'`` (:mod:`gmiml.estimators.checkpoint`).
    """
    #: label of the progress bar
    _desc = ''
    #: parameters a checkpoint may be resumed with different values of
    _RESUMABLE = ('max_epochs', 'verbose', 'checkpoint', 'device', 'distributed')
    #: fitted attributes :meth:`save` writes
    _FITTED = ('n_features_in_', 'n_labels_', 'mean_', 'scale_', 'history_',
               'best_epoch_', 'threshold_')

    @classmethod
    def _save_format(cls) -> str:
        return f'gmiml.{cls.__name__}/1'

    @classmethod
    def _checkpoint_format(cls) -> str:
        return f'gmiml.{cls.__name__}.checkpoint/1'

    def _resume_params(self) -> dict:
        params = {k: ([float(b) for b in v] if isinstance(v, (tuple, list)) else v)
                  for k, v in self.get_params().items()}
        return {k: v for k, v in params.items() if k not in self._RESUMABLE}

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

    # ------------------------------------------------------------------ training
    def fit(self, bags, Y, eval_set=None):
        r"""Trains on ``bags`` (list of ``[n_i, d]`` arrays) and ``Y`` (``[N, L]`` in
        :math:`\{0, 1\}` or :math:`\{-1, 1\}`); ``eval_set=(bags, Y)`` is the validation
        data for model selection (see the class docstring). With ``distributed=True``
        every process of the process group calls ``fit`` with the same data. Returns
        ``self``."""
        import contextlib
        self._validate_params()
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
        ckpt = None
        if self.checkpoint is not None:
            from gmiml.estimators.checkpoint import Checkpoint, check_writable_dir
            check_writable_dir(self.checkpoint, 'checkpoint')
            ckpt = Checkpoint(self.checkpoint, self._checkpoint_format(),
                              self._resume_params(), None)
        # process 0 writes the checkpoint and holds its lock for the whole fit
        with (ckpt if ckpt is not None and rank == 0 else contextlib.nullcontext()):
            return self._fit(bags, Y, eval_set, device, rank, world_size, seed, ckpt)

    def _fit(self, bags, Y, eval_set, device, rank, world_size, seed, ckpt):
        import torch
        from gmiml.estimators.trainer import split_validation
        bags, Y, eval_set = self._validate_fit_data(bags, Y, eval_set)
        empty = np.flatnonzero(Y.sum(axis=0) == 0)
        if empty.size and rank == 0:
            warnings.warn(f"Y: label column(s) {empty.tolist()[:10]}"
                          f"{'...' if empty.size > 10 else ''} have no positive training "
                          f"bag; {type(self).__name__} will give them low scores",
                          UserWarning, stacklevel=3)
        rng = np.random.default_rng(seed)
        torch_seed = int(rng.integers(2 ** 31 - 1))
        tr_bags, tr_Y, val = split_validation(bags, Y, eval_set, self.validation_fraction,
                                              rng)
        min_batch = max(2, world_size)  # batch norm: 2 bags; data-parallel: 1 a process
        if len(tr_bags) < min_batch:
            raise ValueError(f"{type(self).__name__}.fit: needs at least {min_batch} "
                             f"training bags (the batch normalisation"
                             f"{', one per process' if world_size > 1 else ''}), got "
                             f"{len(tr_bags)}")

        self._fit_scaler(tr_bags)
        if not self.standardize:
            self.mean_, self.scale_ = np.zeros_like(self.mean_), np.ones_like(self.scale_)

        with torch.random.fork_rng(devices=[] if device.type != 'cuda' else [device.index]):
            torch.manual_seed(torch_seed)
            self.model_ = self._build_model().to(device)
            train = self._prepare_training(tr_bags, tr_Y, device, rng)
            valb = None if val is None else self._prepare(val[0], device=device)
            net = self.model_
            if self.distributed:
                from gmiml.distributed.data_parallel import wrap_model
                net = wrap_model(self.model_, device)
                if world_size > 1:  # own dropout masks in every process
                    torch.manual_seed(torch_seed + 1 + rank)
            if ckpt is not None:
                ckpt.fingerprint = data_fingerprint(train, valb)
                ckpt.map_location = device
            try:
                self._train(net, train, valb, val, rng, rank, world_size, ckpt)
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

    def _prepare_training(self, bags, Y, device, rng):
        """The training data (:meth:`_prepare`); a subclass may also set up its model
        from the training labels here (``rng``: the fit's generator)."""
        return self._prepare(bags, Y, device)

    def _train(self, net, train, valb, val, rng, rank, world_size, ckpt):
        """The epochs of :meth:`fit` (:class:`~gmiml.estimators.trainer.Trainer`): leaves
        the best epoch's weights in ``model_``, sets ``history_`` and ``best_epoch_``."""
        from gmiml.estimators.selection import criterion, validation_metrics
        from gmiml.estimators.trainer import Trainer, batch_indices
        min_batch = max(2, world_size)
        if world_size > 1:
            from gmiml.distributed import shard_batch

        def batches(rng):
            for idx in batch_indices(train.num_bags, self.batch_size, rng, min_batch):
                sizes = None
                if world_size > 1:
                    # round-robin shares: process r gets ceil((n - r) / R) bags
                    sizes = [(len(idx) - r + world_size - 1) // world_size
                             for r in range(world_size)]
                    idx, _ = shard_batch(idx, rank, world_size)
                yield train.batch(idx), sizes

        def validate():
            if valb is None:
                return None
            m = validation_metrics(val[1], self._logits(valb))
            rec = {f'val_{key}': float(v) for key, v in m.items()}
            rec['val_criterion'] = score = criterion(m, self.selection_metric)
            return rec, score

        trainer = Trainer(self.model_, self._make_optimizer(), batches=batches,
                          batch_loss=lambda b: self._batch_loss(b[0], net, b[1]),
                          validate=validate, max_epochs=self.max_epochs,
                          patience=self.patience, clip_foreach=True, checkpoint=ckpt,
                          rng=rng, rank=rank, world_size=world_size,
                          verbose=self.verbose, desc=self._desc)
        try:
            trainer.fit()
        finally:
            self.history_ = trainer.history
            self.best_epoch_ = trainer.best_epoch

    # ------------------------------------------------------------------ persistence

    def save(self, path) -> None:
        r"""Saves parameters, fitted state and network weights to ``path``
        (:func:`torch.save` of a dict); :meth:`load` restores an estimator that makes
        identical predictions."""
        import torch
        from gmiml.estimators.checkpoint import atomic_save, check_writable_dir
        self._check_is_fitted()
        check_writable_dir(path, f'{type(self).__name__}.save')
        params = self.get_params()
        params.update({k: list(v) for k, v in params.items() if isinstance(v, tuple)})
        if params.get('checkpoint') is not None:
            params['checkpoint'] = str(params['checkpoint'])
        fitted = {}
        for key in (k for k in self._FITTED if hasattr(self, k)):  # some are optional
            v = getattr(self, key)
            fitted[key] = torch.from_numpy(np.asarray(v)) if isinstance(v, np.ndarray) else v
        atomic_save({'format': self._save_format(), 'params': params, 'fitted': fitted,
                     'state_dict': self.model_.state_dict()}, path)

    @classmethod
    def load(cls, path) -> 'NeuralMIMLEstimator':
        r"""Restores an estimator written by :meth:`save`. The network is loaded on the
        CPU, where predictions then run (``est.model_.to('cuda')`` moves it)."""
        import torch
        from gmiml.estimators.checkpoint import read_torch_file
        blob = read_torch_file(path, f'{cls.__name__}.load', cls._save_format())
        params = dict(blob['params'])
        params.update({k: tuple(v) for k, v in params.items() if isinstance(v, list)})
        est = cls(**params)
        for key, v in blob['fitted'].items():
            setattr(est, key, v.numpy() if isinstance(v, torch.Tensor) else v)
        est.model_ = est._build_model()
        est.model_.load_state_dict(blob['state_dict'])
        est.model_.eval()
        return est
