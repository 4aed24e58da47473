r"""Data-parallel fitting of an estimator on one machine with several processes."""
from typing import Optional

__all__ = ['fit_distributed']


def _fit_rank(rank, world_size, estimator, bags, Y, eval_set):
    from sklearn.base import clone
    est = clone(estimator)
    import torch.distributed as dist
    params = {'distributed': True}
    if dist.get_backend() == 'nccl' and est.get_params().get('device') == 'cpu':
        params['device'] = 'cuda'  # NCCL needs CUDA tensors: this process's GPU
    if rank != 0 and 'verbose' in est.get_params():
        params['verbose'] = False
    est.set_params(**params)
    est.fit(bags, Y, eval_set=eval_set)
    return est if rank == 0 else None


def fit_distributed(estimator, bags, Y, eval_set=None, world_size: int = 2,
                    backend: Optional[str] = None, threads_per_process: Optional[int] = 1):
    r"""Fits :obj:`estimator` (an estimator with a ``distributed`` parameter, e.g.
    :class:`gmiml.GLEMIMLClassifier`) with :obj:`world_size` data-parallel processes on
    this machine, and returns it fitted.

    Each process (started by :func:`~gmiml.distributed.run_parallel`, with the process
    group on a free localhost port) fits a clone with ``distributed=True``: it trains
    on its share of every global mini-batch (see
    :class:`~gmiml.loader.BagSampler`) and
    :class:`~torch.nn.parallel.DistributedDataParallel` averages the gradients, so
    the result equals single-process training with the same ``batch_size`` up to
    floating-point rounding. The fitted state of process 0 is copied into
    :obj:`estimator` (its parameters, ``distributed`` included, are left as they are).
    With ``backend="nccl"`` each process trains on its own GPU (``device='cuda'`` unless
    the estimator names another).

    For several machines, or to avoid copying the data into every process, start the
    processes with ``torchrun`` instead (``python -m gmiml.cli.train``, see
    ``docs/distributed.md``).

    Args:
        estimator: the estimator to fit.
        bags (list): training bags, each ``[n_i, d]``.
        Y (array-like): ``[N, L]`` labels.
        eval_set (tuple, optional): ``(bags, Y)`` validation data. (default: :obj:`None`)
        world_size (int, optional): number of processes. (default: :obj:`2`)
        backend (str, optional): ``"gloo"`` (CPU) or ``"nccl"`` (GPU);
            default: :func:`~gmiml.distributed.default_backend`.
        threads_per_process (int, optional): torch threads in each process (on a
            machine with :math:`c` cores, :math:`c / R` is the natural choice).
            (default: :obj:`1`)

    Returns:
        The fitted :obj:`estimator`.
    """
    from .launch import run_parallel
    if 'distributed' not in estimator.get_params():
        raise TypeError(f'fit_distributed: {type(estimator).__name__} has no '
                        f'"distributed" parameter')
    results = run_parallel(_fit_rank, world_size, estimator, bags, Y, eval_set,
                           backend=backend, threads_per_process=threads_per_process)
    fitted = results[0]
    for key, value in vars(fitted).items():
        if key.endswith('_') and not key.startswith('__'):
            setattr(estimator, key, value)
    return estimator
