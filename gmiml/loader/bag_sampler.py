r"""Mini-batches of bag indices, in one process or sharded over the processes of a
data-parallel job."""
from typing import Iterator, List, Optional, Tuple

import numpy as np

from gmiml.utils.batches import split_batches

__all__ = ['BagSampler', 'shard_batch']


def shard_batch(index, rank: int, world_size: int) -> Tuple[np.ndarray, float]:
    r"""The share of one *global* mini-batch of bags that process :obj:`rank` trains on,
    and the weight that makes data-parallel training equal to training on the global
    batch.

    The bags of the global batch :math:`\mathcal{B}` (in batch order) are dealt round-robin,
    so process :math:`r` of :math:`R` gets :math:`\mathcal{B}_r = \{\mathcal{B}_t : t
    \equiv r \pmod R\}` (the shares are disjoint, cover :math:`\mathcal{B}` and differ in
    size by at most one). With a loss that is a mean over bags,

    .. math::
        \frac{1}{R} \sum_{r=1}^{R} w_r\, \nabla \frac{1}{|\mathcal{B}_r|}
        \sum_{i \in \mathcal{B}_r} \ell_i
        = \nabla \frac{1}{|\mathcal{B}|} \sum_{i \in \mathcal{B}} \ell_i,
        \qquad w_r = \frac{R\, |\mathcal{B}_r|}{|\mathcal{B}|},

    so scaling each process's loss by :math:`w_r` before the gradient average of
    :class:`~torch.nn.parallel.DistributedDataParallel` gives exactly the gradient of the
    global batch's mean loss, also when :math:`|\mathcal{B}|` is not a multiple of
    :math:`R` (:math:`w_r = 1` when it is).

    Args:
        index (array-like of int): the bag indices of the global batch.
        rank (int): this process, :math:`0 \le r < R`.
        world_size (int): the number of processes :math:`R`.

    Returns:
        ``(local_index, weight)``: an int64 array (never empty) and :math:`w_r`.

    Raises:
        ValueError: :obj:`rank` is out of range, or the batch has fewer bags than
            processes (some process would get none).
    """
    index = np.asarray(index, dtype=np.int64).reshape(-1)
    if not (isinstance(world_size, (int, np.integer)) and world_size >= 1):
        raise ValueError(f'shard_batch: world_size must be a positive integer, got '
                         f'{world_size!r}')
    if not (isinstance(rank, (int, np.integer)) and 0 <= rank < world_size):
        raise ValueError(f'shard_batch: rank must be in [0, {world_size}), got {rank!r}')
    if index.size < world_size:
        raise ValueError(f'shard_batch: a global batch of {index.size} bag(s) cannot be '
                         f'shared by {world_size} processes (each needs at least one)')
    local = index[rank::world_size]
    return local, world_size * local.size / index.size


class BagSampler:
    r"""Mini-batches of bags, in one process or data-parallel: every epoch, a seeded
    permutation
    of all bags (the same in every process) is cut into *global* batches of
    :obj:`batch_size` bags, and each process iterates over its disjoint share of every
    global batch (:func:`shard_batch`). All processes thus run the same number of
    steps, their shares of an epoch are disjoint and together cover every bag once, and
    the union of the shares of a step is exactly the global batch a single process would
    train on. With one process (no initialised process group, or ``num_replicas=1``) it
    yields the whole batches with weight 1.

    As with :class:`torch.utils.data.distributed.DistributedSampler`, call
    :meth:`set_epoch` at the start of every epoch to get a new permutation.

    .. math::
        \pi_e = \mathrm{perm}(\text{seed}, e), \qquad
        \mathcal{B}_{e,t} = \pi_e[tB : (t+1)B], \qquad
        \mathcal{B}_{e,t,r} = \mathcal{B}_{e,t}[r :: R]

    Args:
        num_bags (int): the number of bags :math:`N`.
        batch_size (int): bags per *global* batch :math:`B` (all processes together).
        num_replicas (int, optional): :math:`R`; default: the size of the initialised
            default process group, else 1.
        rank (int, optional): this process; default: its rank in the default process
            group, else 0.
        shuffle (bool, optional): permute the bags every epoch; :obj:`False` keeps their
            order. (default: :obj:`True`)
        seed (int, optional): seed of the permutations; must be the same in every
            process. (default: :obj:`0`)
        min_size (int, optional): a last global batch smaller than
            :obj:`max(min_size, R)` bags is merged into the one before it, so every
            process always gets at least one bag. (default: :obj:`1`)

    Example:
        >>> sampler = BagSampler(len(bags), 256, seed=0)
        >>> for epoch in range(epochs):
        ...     sampler.set_epoch(epoch)
        ...     for local, weight in sampler:
        ...         loss = weight * model_loss(local)   # then backward under DDP
    """
    def __init__(self, num_bags: int, batch_size: int, num_replicas: Optional[int] = None,
                 rank: Optional[int] = None, shuffle: bool = True, seed: int = 0,
                 min_size: int = 1):
        if num_replicas is None or rank is None:
            import torch.distributed as dist
            on = dist.is_available() and dist.is_initialized()
            if num_replicas is None:
                num_replicas = dist.get_world_size() if on else 1
            if rank is None:
                rank = dist.get_rank() if on else 0
        if not (isinstance(num_bags, (int, np.integer)) and num_bags >= 1):
            raise ValueError(f'BagSampler: num_bags must be a positive integer, '
                             f'got {num_bags!r}')
        if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
            raise ValueError(f'BagSampler: batch_size must be a positive '
                             f'integer, got {batch_size!r}')
        if not (isinstance(num_replicas, (int, np.integer)) and num_replicas >= 1):
            raise ValueError(f'BagSampler: num_replicas must be a positive '
                             f'integer, got {num_replicas!r}')
        if not (0 <= rank < num_replicas):
            raise ValueError(f'BagSampler: rank must be in [0, {num_replicas}),'
                             f' got {rank!r}')
        if num_bags < num_replicas:
            raise ValueError(f'BagSampler: {num_bags} bag(s) cannot be shared by '
                             f'{num_replicas} processes')
        if batch_size < num_replicas:
            raise ValueError(f'BagSampler: the global batch_size ({batch_size}) '
                             f'must be at least the number of processes ({num_replicas})')
        self.num_bags = int(num_bags)
        self.batch_size = int(batch_size)
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.min_size = int(min_size)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        r"""Selects the permutation of epoch :obj:`epoch`."""
        self.epoch = int(epoch)

    def global_batches(self) -> List[np.ndarray]:
        r"""The global batches of the current epoch (identical in every process)."""
        if self.shuffle:
            order = np.random.default_rng([self.seed, self.epoch]).permutation(
                self.num_bags)
        else:
            order = np.arange(self.num_bags)
        return split_batches(order, self.batch_size, max(self.min_size, self.num_replicas))

    def __iter__(self) -> Iterator[Tuple[np.ndarray, float]]:
        for idx in self.global_batches():
            yield shard_batch(idx, self.rank, self.num_replicas)

    def __len__(self) -> int:
        return len(split_batches(np.arange(self.num_bags), self.batch_size,
                                 max(self.min_size, self.num_replicas)))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_bags={self.num_bags}, '
                f'batch_size={self.batch_size}, num_replicas={self.num_replicas}, '
                f'rank={self.rank}, shuffle={self.shuffle}, seed={self.seed}, '
                f'min_size={self.min_size})')

