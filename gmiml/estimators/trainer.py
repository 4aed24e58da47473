r"""The one training engine of the neural estimators (:class:`GLEMIMLClassifier`,
:class:`~gmiml.baselines.MIFLEM`).

An estimator prepares its data and network and hands the engine three callables; the
engine owns everything else, in small named steps (like skorch's ``NeuralNet``):

* ``batches(rng)``: the mini-batches of one epoch (any objects ``batch_loss`` accepts);
* ``batch_loss(batch) -> (loss, parts)``: the training loss of a mini-batch and its named
  parts (0-dim tensors; ``parts['loss']`` is the loss), for the history;
* ``validate() -> (record, score)``: validation values for the history and the selection
  criterion (higher is better), or :obj:`None` when there is no validation data.

:meth:`Trainer.fit` runs the epochs (:meth:`~Trainer.train_epoch` of
:meth:`~Trainer.train_step`\ s, :meth:`~Trainer.validate_epoch`,
:meth:`~Trainer.select`), stops early after ``patience`` epochs without a better score,
writes a :class:`~gmiml.estimators.checkpoint.Checkpoint` after every epoch and restores the
best epoch's weights. The helpers :func:`split_validation`, :func:`param_groups` and
:func:`batch_indices` are the shared data split, optimiser groups and batch order.
"""
import copy
import math
import time
from typing import Callable, Optional

import numpy as np

__all__ = ['Trainer', 'split_validation', 'param_groups', 'batch_indices']


def split_validation(bags, Y, eval_set, fraction: float, rng: np.random.Generator):
    r"""``(train bags, train Y, (val bags, val Y) or None)``: ``eval_set`` if given, else a
    seeded random ``fraction`` of the bags (at least one), none when ``fraction == 0`` or
    there are fewer than 10 bags."""
    if eval_set is not None:
        return bags, Y, eval_set
    n = len(bags)
    if fraction == 0 or n < 10:
        return bags, Y, None
    n_val = max(1, int(round(fraction * n)))
    perm = rng.permutation(n)
    val, tr = np.sort(perm[:n_val]), np.sort(perm[n_val:])
    return [bags[i] for i in tr], Y[tr], ([bags[i] for i in val], Y[val])


def param_groups(model, weight_decay: float, no_decay: Callable[[str], bool]) -> list:
    r"""Optimiser parameter groups: weight decay on the parameters whose name
    ``no_decay`` rejects, none on the others."""
    decay, rest = [], []
    for name, p in model.named_parameters():
        (rest if no_decay(name) else decay).append(p)
    return [{'params': decay, 'weight_decay': weight_decay},
            {'params': rest, 'weight_decay': 0.0}]


def batch_indices(n: int, batch_size: int, rng: np.random.Generator,
                  min_size: int = 2) -> list:
    r"""The index arrays of one shuffled pass over ``n`` items; a last batch smaller than
    ``min_size`` is merged into the one before it (batch norm needs 2 items)."""
    from gmiml.utils.batches import split_batches
    return split_batches(rng.permutation(n), batch_size, min_size)


class Trainer:
    r"""Trains ``model`` with ``optimizer`` (see the module docstring).

    Args:
        model (torch.nn.Module): the network (its weights end as the best epoch's).
        optimizer (torch.optim.Optimizer): the optimiser of ``model``'s parameters.
        batches, batch_loss, validate (callable): see the module docstring.
        max_epochs (int): the number of epochs.
        patience (int, optional): stop after this many epochs without a better validation
            score; :obj:`None` never stops early. (default: :obj:`None`)
        clip_norm (float, optional): gradient-norm clipping. (default: :obj:`5.0`)
        clip_foreach (bool, optional): ``foreach`` of
            :func:`torch.nn.utils.clip_grad_norm_`. (default: :obj:`None`)
        checkpoint (Checkpoint, optional): written after every epoch by process 0 and
            resumed from when it exists. (default: :obj:`None`)
        rng (numpy.random.Generator, optional): the batch-order generator (saved in the
            checkpoint). (default: :obj:`None`)
        rank, world_size (int, optional): this process and the number of processes in
            data-parallel training. (default: :obj:`0`, :obj:`1`)
        verbose (bool, optional): tqdm progress bar. (default: :obj:`False`)
        desc (str, optional): the progress bar's label. (default: :obj:`''`)

    Attributes:
        history (list of dict): per epoch ``train_<part>`` (means over the batches),
            ``train_time_s`` and the validation record.
        best_epoch (int): the selected epoch (the last one without validation data).
    """
    def __init__(self, model, optimizer, *, batches, batch_loss, validate, max_epochs,
                 patience=None, clip_norm=5.0, clip_foreach=None, checkpoint=None,
                 rng=None, rank=0, world_size=1, verbose=False, desc=''):
        self.model = model
        self.optimizer = optimizer
        self.batches = batches
        self.batch_loss = batch_loss
        self.validate = validate
        self.max_epochs = max_epochs
        self.patience = patience
        self.clip_norm = clip_norm
        self.clip_foreach = clip_foreach
        self.checkpoint = checkpoint
        self.rng = rng
        self.rank = rank
        self.world_size = world_size
        self.verbose = verbose
        self.desc = desc
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.history = []
        self.state = {'best': -math.inf, 'best_state': None, 'best_epoch': -1,
                      'stale': 0, 'stopped': False}

    @property
    def best_epoch(self) -> int:
        return self.state['best_epoch']

    # ------------------------------------------------------------------ steps
    def train_step(self, batch) -> dict:
        """One optimiser step on ``batch``; returns the loss parts (tensors)."""
        import torch
        loss, parts = self.batch_loss(batch)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, self.clip_norm,
                                       foreach=self.clip_foreach)
        self.optimizer.step()
        return parts

    def train_epoch(self, epoch: int) -> dict:
        """The training steps of one epoch; returns its history record."""
        import torch
        self.model.train()
        sums, n_b, keys = None, 0, ()
        t0 = time.perf_counter()
        for batch in self.batches(self.rng):
            parts = self.train_step(batch)
            # summed on the device, read once per epoch (no sync per step)
            vec = torch.stack([v.detach() for v in parts.values()])
            sums = vec if sums is None else sums + vec
            keys = tuple(parts)
            n_b += 1
        rec = {'epoch': epoch}
        rec.update({f'train_{k}': float(v) / n_b
                    for k, v in zip(keys, sums.double().cpu())})
        rec['train_time_s'] = time.perf_counter() - t0
        return rec

    def validate_epoch(self, rec: dict) -> Optional[float]:
        """Adds the validation record to ``rec``; returns the score (None: no data)."""
        out = self.validate()
        if out is None:
            return None
        values, score = out
        rec.update(values)
        return score

    def select(self, epoch: int, score: Optional[float]) -> None:
        """Model selection and early-stopping bookkeeping after ``epoch``."""
        st = self.state
        if score is None:
            st['best_epoch'] = epoch
            return
        if score > st['best']:
            st.update(best=score, best_epoch=epoch, stale=0,
                      best_state=copy.deepcopy(self.model.state_dict()))
        else:
            st['stale'] += 1
        st['stopped'] = self.patience is not None and st['stale'] >= self.patience

    # ------------------------------------------------------------------ checkpoints
    def _snapshot(self, epoch: int) -> dict:
        import torch
        return {'epoch': epoch, 'model': self.model.state_dict(),
                'optimizer': self.optimizer.state_dict(),
                'numpy_rng': self.rng.bit_generator.state,
                'torch_rng': torch.get_rng_state(), 'history': self.history,
                'selection': self.state}

    def _resume(self, ck: dict) -> int:
        """Restores a checkpoint's state; returns the first epoch still to run."""
        import torch
        self.model.load_state_dict(ck['model'])
        self.optimizer.load_state_dict(ck['optimizer'])
        self.rng.bit_generator.state = ck['numpy_rng']
        if self.world_size == 1:  # dropout masks of the processes are their own
            torch.set_rng_state(ck['torch_rng'])
        self.history = list(ck['history'])
        self.state = dict(ck['selection'])
        return ck['epoch'] + 1

    # ------------------------------------------------------------------ loop
    def fit(self) -> 'Trainer':
        """Runs the epochs; leaves the best epoch's weights in ``model``."""
        from tqdm.auto import tqdm
        start = 0
        if self.checkpoint is not None:
            ck = self.checkpoint.read(self.max_epochs)
            if ck is not None:  # resume after the last finished epoch
                start = self._resume(ck)
        bar = tqdm(range(start, self.max_epochs), leave=False, initial=start,
                   disable=not self.verbose or self.rank != 0, desc=self.desc,
                   total=self.max_epochs)
        for epoch in (() if self.state['stopped'] else bar):
            rec = self.train_epoch(epoch)
            score = self.validate_epoch(rec)
            self.select(epoch, score)
            bar.set_postfix(loss=rec['train_loss'], **({} if score is None
                                                         else {'val': score}))
            self.history.append(rec)
            if self.checkpoint is not None and self.rank == 0:
                self.checkpoint.write(self._snapshot(epoch))
            if self.state['stopped']:
                break
        bar.close()
        if self.state['best_state'] is not None:
            self.model.load_state_dict(self.state['best_state'])
        return self
