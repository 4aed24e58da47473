r"""Data-parallel GLEMIML training under ``torchrun`` (one machine or several).

Every process loads the data, takes the same seeded 7:1:2 train/validation/test split,
and fits :class:`gmiml.GLEMIMLClassifier` with ``distributed=True`` (each process trains
on its share of every global mini-batch; DistributedDataParallel averages the gradients).
Process 0 prints the test metrics and saves the model (``--out``).

Examples::

    # one machine, two processes (gloo on CPU)
    torchrun --standalone --nproc_per_node=2 -m gmiml.cli.train --dataset image

    # two machines (run on each, node_rank 0 and 1; see docs/distributed.md)
    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=4 --master_addr=10.0.0.1 \
        --master_port=29500 -m gmiml.cli.train --dataset text --out model.pt

    # a synthetic data set of 1M bags
    torchrun --standalone --nproc_per_node=2 -m gmiml.cli.train \
        --synthetic 1000000 --params '{"max_epochs": 5, "batch_size": 512}'
"""
import argparse
import json
import sys
import time

__all__ = ['main']


def _parse(argv):
    p = argparse.ArgumentParser(prog='python -m gmiml.cli.train',
                                description=__doc__.split('\n\n')[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--dataset', help='a data set name of gmiml.datasets.load_bags')
    src.add_argument('--synthetic', type=int, metavar='N_BAGS',
                     help='train on make_synthetic_miml(N_BAGS, ...) instead')
    p.add_argument('--root', default=None, help='data root (default: $GMIML_DATA)')
    p.add_argument('--instances', type=int, nargs=2, default=[9, 9], metavar=('MIN', 'MAX'),
                   help='synthetic instances per bag (default: 9 9)')
    p.add_argument('--features', type=int, default=15, help='synthetic features (15)')
    p.add_argument('--labels', type=int, default=5, help='synthetic labels (5)')
    p.add_argument('--seed', type=int, default=0, help='split / model seed (0)')
    p.add_argument('--params', default='{}',
                   help='GLEMIMLClassifier parameters as JSON, e.g. \'{"max_epochs": 50}\'')
    p.add_argument('--backend', choices=['gloo', 'nccl'], default=None,
                   help='default: nccl with CUDA, else gloo')
    p.add_argument('--threads', type=int, default=None,
                   help='torch threads per process (default: torch\'s choice)')
    p.add_argument('--out', default=None, help='process 0 saves the model here')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    import numpy as np
    import torch
    import torch.distributed as dist

    from gmiml.datasets import train_val_test_split
    from gmiml.distributed.launch import init_from_env
    from gmiml.estimators.glemiml_classifier import GLEMIMLClassifier
    from gmiml.metrics import evaluate

    if args.threads:
        torch.set_num_threads(args.threads)
    rank = init_from_env(args.backend)
    try:
        if args.dataset:
            from gmiml.datasets import load_bags
            data = load_bags(args.dataset, root=args.root)
        else:
            from gmiml.datasets import make_synthetic_miml
            data = make_synthetic_miml(n_bags=args.synthetic, n_labels=args.labels,
                                       n_features=args.features,
                                       instances_per_bag=tuple(args.instances),
                                       random_state=args.seed)
        tr, va, te = train_val_test_split(data.Y, seed=args.seed)
        params = dict(random_state=args.seed)
        params.update(json.loads(args.params))
        params['distributed'] = True
        if dist.get_backend() == 'nccl':  # the GPU init_from_env bound this process to
            params.setdefault('device', 'cuda')
        if rank != 0:
            params['verbose'] = False
        est = GLEMIMLClassifier(**params)
        t0 = time.perf_counter()
        est.fit([data.bags[i] for i in tr], data.Y[tr],
                eval_set=([data.bags[i] for i in va], data.Y[va]))
        fit_s = time.perf_counter() - t0
        if rank == 0:
            test_bags = [data.bags[i] for i in te]
            m = evaluate(data.Y[te], est.predict_proba(test_bags),
                         Y_pred=est.predict(test_bags))
            report = {'data': data.name, 'bags': len(data.bags), 'train': int(len(tr)),
                      'world_size': dist.get_world_size(), 'fit_s': round(fit_s, 2),
                      'best_epoch': int(est.best_epoch_),
                      'test': {k: float(np.round(v, 4)) for k, v in m.items()}}
            print(json.dumps(report, indent=1))
            if args.out:
                est.save(args.out)
        dist.barrier()
    finally:
        dist.destroy_process_group()
    return 0


if __name__ == '__main__':
    sys.exit(main())
