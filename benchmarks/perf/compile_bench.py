"""What ``torch.compile`` buys GLEMIML training on the CPU.

Times a training step of :class:`gmiml.nn.GLEMIMLNet` (forward with ``num_bags``, the
GLEMIML losses of :mod:`gmiml.losses`, backward, AdamW step) in eager mode and with the
forward compiled (``torch.compile(model, fullgraph=True)``, inductor), on image-sized
synthetic bags (9 instances x 15 features, 5 labels, mini-batches of ``--batch-size``
bags whose mutual-kNN graphs are built once). Both runs start from the same weights and
see the same batches. Reported: steps/s and bags/s of each (best of ``--repeat`` passes
over ``--steps`` steps, after warm-up steps that include the compilation), the speed-up,
the compile time (first compiled step), and the largest difference of the losses of the
two runs (with ``--dropout`` > 0 it mostly reflects the dropout masks, which compiled code
draws with its own generator; ``--dropout 0`` compares the arithmetic alone).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/perf/compile_bench.py --threads 1
"""
import argparse
import copy
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

NAME = 'compile'


def _batches(n_batches, batch_size, seed=0):
    import torch
    from gmiml.utils.mutual_knn_graph import mutual_knn_graph
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n_batches):
        n = 9
        x = torch.randn(batch_size * n, 15, generator=g)
        batch = torch.arange(batch_size).repeat_interleave(n)
        ei, ew = mutual_knn_graph(x, k=3, batch=batch)
        y = (torch.rand(batch_size, 5, generator=g) > 0.6).float()
        y[y.sum(1) == 0, 0] = 1
        feat = x.view(batch_size, n, -1).mean(1)  # bag features of L_Sim
        out.append((x, ei, ew, batch, y, feat))
    return out


def _trainer(model):
    import torch
    from gmiml.losses import functional as LF
    net = model._orig_mod if hasattr(model, '_orig_mod') else model
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3)

    def step(data):
        x, ei, ew, batch, y, feat = data
        logits, z = model(x, ei, ew, batch, y, num_bags=y.size(0))
        loss = LF.classifier_loss(logits, y, torch.softmax(z, -1).detach(), rho=0.9) \
            + LF.enhancer_loss(z, y, torch.sigmoid(logits).detach(), feat)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return float(loss.detach())
    return step


def _time(step, batches, steps, repeat):
    best, losses = float('inf'), []
    for _ in range(repeat):
        t0 = time.perf_counter()
        losses = [step(batches[i % len(batches)]) for i in range(steps)]
        best = min(best, time.perf_counter() - t0)
    return best, losses


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--steps', type=int, default=40)
    p.add_argument('--repeat', type=int, default=3)
    p.add_argument('--dropout', type=float, default=0.2, help="the model's (0.2)")
    p.add_argument('--name', default=NAME)
    args = p.parse_args(argv)
    C.set_threads(args.threads)
    import torch
    from gmiml.nn import GLEMIMLNet

    batches = _batches(8, args.batch_size)
    torch.manual_seed(0)
    eager = GLEMIMLNet(15, 5, dropout=args.dropout)
    compiled_net = copy.deepcopy(eager)
    rows = []
    for mode in ('eager', 'compiled'):
        torch.manual_seed(1)  # the same seed in both runs
        model = eager if mode == 'eager' else torch.compile(compiled_net, fullgraph=True)
        step = _trainer(model)
        t0 = time.perf_counter()
        step(batches[0])
        first_s = time.perf_counter() - t0
        for b in batches[1:]:  # warm-up (and recompilation for other edge counts)
            step(b)
        warm_s = time.perf_counter() - t0
        sec, losses = _time(step, batches, args.steps, args.repeat)
        rows.append({'mode': mode, 'first_step_s': round(first_s, 2),
                     'warmup_s': round(warm_s, 2), 'steps_per_s': args.steps / sec,
                     'bags_per_s': args.steps * args.batch_size / sec, 'losses': losses})
    speedup = rows[1]['steps_per_s'] / rows[0]['steps_per_s']
    diff = max(abs(a - b) for a, b in zip(rows[0]['losses'], rows[1]['losses']))
    C.print_table(rows, [('mode', 'mode'), ('first_step_s', 'first step s'),
                         ('warmup_s', 'warm-up s'), ('steps_per_s', 'steps/s'),
                         ('bags_per_s', 'bags/s')],
                  title=f'GLEMIMLNet training step, batch {args.batch_size}, '
                        f'{args.threads} thread(s)')
    print(f'speed-up of compile: {speedup:.2f}x; largest loss difference {diff:.2e}')
    for r in rows:
        r.pop('losses')
    meta = C.machine_meta(args.threads)
    path = C.write_results(args.name, meta, {'rows': rows, 'speedup': speedup,
                                             'max_loss_difference': diff})
    md = os.path.join(C.RESULTS, f'{args.name}.md')
    with open(md, 'w') as f:
        f.write(f'# torch.compile of GLEMIMLNet (CPU, {args.threads} thread(s))\n\n'
                f'`{meta["command"]}`\n\n| mode | first step s | steps/s | bags/s |\n'
                f'|---|---|---|---|\n')
        for r in rows:
            f.write(f"| {r['mode']} | {r['first_step_s']} | {r['steps_per_s']:.1f} | "
                    f"{r['bags_per_s']:.0f} |\n")
        f.write(f'\nSpeed-up {speedup:.2f}x; largest loss difference over the timed steps '
                f'{diff:.1e} (dropout {args.dropout}: compiled code draws its own dropout '
                f'masks).\n')
    print(json.dumps({'json': path, 'md': md}))


if __name__ == '__main__':
    main()
