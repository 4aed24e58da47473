r"""Starting data-parallel processes: on one machine (spawn) or under ``torchrun``."""
import gc
import os
import socket
import tempfile
from typing import Any, Callable, List, Optional

__all__ = ['find_free_port', 'default_backend', 'init_from_env', 'run_parallel',
           'is_distributed']


def find_free_port(host: str = '127.0.0.1') -> int:
    r"""A TCP port on :obj:`host` that is free right now (the operating system picks
    it; another process could still take it before it is bound again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def default_backend() -> str:
    r""":obj:`"nccl"` when CUDA and NCCL are available, else :obj:`"gloo"`."""
    import torch
    import torch.distributed as dist
    if torch.cuda.is_available() and dist.is_nccl_available():
        return 'nccl'
    return 'gloo'


def is_distributed() -> bool:
    r"""Whether a default process group with more than one process is initialised."""
    import torch.distributed as dist
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def init_from_env(backend: Optional[str] = None) -> int:
    r"""Initialises the default process group from the environment that ``torchrun``
    sets (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``) and
    returns this process's rank. With ``nccl`` the process is bound to GPU
    ``LOCAL_RANK``. Does nothing (and returns the rank) if a group is already
    initialised.

    Args:
        backend (str, optional): :obj:`"gloo"` or :obj:`"nccl"`
            (default: :func:`default_backend`).
    """
    import torch
    import torch.distributed as dist
    if dist.is_initialized():
        return dist.get_rank()
    missing = [v for v in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
               if v not in os.environ]
    if missing:
        raise RuntimeError(f"init_from_env: {', '.join(missing)} not set; start the "
                           f"processes with torchrun (see docs/distributed.md)")
    backend = backend or default_backend()
    if backend == 'nccl':
        torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
    dist.init_process_group(backend, init_method='env://')
    return dist.get_rank()


def _entry(rank: int, fn: Callable, world_size: int, backend: str, port: int,
           threads: Optional[int], out_dir: str, args: tuple, kwargs: dict) -> None:
    import torch
    import torch.distributed as dist
    if threads is not None:
        torch.set_num_threads(threads)
    if backend == 'nccl':
        torch.cuda.set_device(rank % torch.cuda.device_count())
    dist.init_process_group(backend, init_method=f'tcp://127.0.0.1:{port}', rank=rank,
                            world_size=world_size)
    try:
        result = fn(rank, world_size, *args, **kwargs)
        torch.save(result, os.path.join(out_dir, f'rank{rank}.pt'))
        del result
        gc.collect()  # objects holding the process group go before it does
        dist.barrier()
    finally:
        dist.destroy_process_group()


def run_parallel(fn: Callable, world_size: int = 2, *args: Any,
                 backend: Optional[str] = None, threads_per_process: Optional[int] = 1,
                 port: Optional[int] = None, **kwargs: Any) -> List[Any]:
    r"""Runs ``fn(rank, world_size, *args, **kwargs)`` in :obj:`world_size` new processes
    on this machine (:func:`torch.multiprocessing.spawn`), each with the default process
    group initialised on a free localhost port, and returns the results ordered by rank.

    :obj:`fn` must be importable by the new processes (a module-level function), and its
    arguments and result must be picklable by :func:`torch.save`. An exception in any
    process is raised here.

    Args:
        fn (callable): the function to run in every process.
        world_size (int, optional): number of processes. (default: :obj:`2`)
        *args: positional arguments of :obj:`fn` after ``rank, world_size``.
        backend (str, optional): :obj:`"gloo"` or :obj:`"nccl"`
            (default: :func:`default_backend`).
        threads_per_process (int, optional): :func:`torch.set_num_threads` in each
            process; :obj:`None` leaves torch's default. (default: :obj:`1`)
        port (int, optional): the rendezvous port (default: :func:`find_free_port`).
        **kwargs: keyword arguments of :obj:`fn`.
    """
    import torch
    import torch.multiprocessing as mp
    if not (isinstance(world_size, int) and world_size >= 1):
        raise ValueError(f'run_parallel: world_size must be a positive integer, got '
                         f'{world_size!r}')
    backend = backend or default_backend()
    port = port or find_free_port()
    with tempfile.TemporaryDirectory(prefix='gmiml-dist-') as out_dir:
        mp.spawn(_entry, args=(fn, world_size, backend, port, threads_per_process, out_dir,
                               args, kwargs), nprocs=world_size, join=True)
        return [torch.load(os.path.join(out_dir, f'rank{r}.pt'), weights_only=False)
                for r in range(world_size)]
