"""Benchmark 4: threshold tuning. mlc's exact sweep (`exact_sweep`: accuracy and F1 at every distinct threshold, one
sort) vs the usual 100-point grid loop of fastai's `accuracy_multi`, on 50k x 20 and 20k x 80 predictions; and
per-label tuning (`per_label_thresh`, exact, one sort per column) at 1000 labels vs a 100-point grid of per-label F1
(vectorised over labels) and a loop of sklearn `precision_recall_curve` over labels. Also checks that the exact curve
agrees with accuracy_multi at the grid points, and that the exact per-label F1 is >= the grid's. `sweep` is the
bucketised one-pass version on an even grid (issue 26: >= 10x the loop).

    .venv/bin/python bench/thresholds.py [--quick]
"""
from common import *

def args(p):
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 3)')

def fake_preds(n, k, seed=0):
    "Targets with per-label prevalence 2-40% and probabilities that rank them imperfectly, float32 (as get_preds gives)."
    g = torch.Generator().manual_seed(seed)
    prev = torch.rand(k, generator=g)*0.38 + 0.02
    y = (torch.rand(n, k, generator=g) < prev).float()
    logits = (y*2 - 1)*1.5 + torch.randn(n, k, generator=g)*1.2
    return torch.sigmoid(logits), y

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (3 if a.quick else 5)
    started = machine()
    from fastai.metrics import accuracy_multi
    from mlc.thresholds import exact_sweep, sweep, sweep_at, per_label_thresh, f1_counts
    from mlc.metrics import confusion_counts
    print(f"thresholds: {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    grid = torch.linspace(0.01, 0.99, 100)
    rows, checks = [], {}
    for n, k in ((50_000, 20), (20_000, 80)):
        p, y = fake_preds(n, k)
        def grid_loop(): return [accuracy_multi(p, y, thresh=float(t), sigmoid=False).item() for t in grid]
        r = interleaved({'accuracy_multi grid loop (100 thr)': grid_loop, 'mlc sweep (100 thr, acc+F1+macro)': lambda: sweep(p, y, grid),
                         'exact_sweep (every thr, acc+F1)': lambda: exact_sweep(p, y)}, repeats=rounds)
        base = r['accuracy_multi grid loop (100 thr)']['median']
        for name, v in r.items():
            rows.append(dict(shape=f'{n}x{k}', method=name, ms=v['median']*1e3, speedup_vs_grid_loop=ratio(base, v['median'])))
        curve = exact_sweep(p, y)
        at = sweep_at(curve, grid.numpy())
        checks[f'{n}x{k}'] = dict(distinct_thresholds=len(curve) - 1,
                                  max_acc_diff_sweep_vs_accuracy_multi=float(np.abs(sweep(p, y, grid).accuracy.values - np.array(grid_loop())).max()),
                                  max_acc_diff_vs_accuracy_multi=float(np.abs(at.accuracy.values - np.array(grid_loop())).max()))
    table(rows, title='\n1. global threshold sweep (median ms)')
    for s, c in checks.items(): print(f"  {s}: exact curve has {c['distinct_thresholds']:,} thresholds; "
                                       f"max |accuracy - accuracy_multi| at the 100 grid points = {c['max_acc_diff_vs_accuracy_multi']:.1e}; "
                                       f"sweep vs accuracy_multi max diff {c['max_acc_diff_sweep_vs_accuracy_multi']:.1e}")

    n, k = (2000, 1000) if a.quick else (5000, 1000)
    p, y = fake_preds(n, k, seed=1)
    def grid_per_label():
        best, best_t = torch.full((k,), -1.), torch.zeros(k)
        for t in grid:
            f1 = torch.from_numpy(f1_counts(*confusion_counts(p, y, t))).float()
            better = f1 > best
            best, best_t = torch.where(better, f1, best), torch.where(better, t, best_t)
        return best_t
    def sklearn_loop():
        from sklearn.metrics import precision_recall_curve
        P, Y = p.numpy(), y.numpy()
        res = np.zeros(k)
        for j in range(k):
            pr, rc, th = precision_recall_curve(Y[:, j], P[:, j])
            f1 = np.divide(2*pr*rc, pr + rc, out=np.zeros_like(pr), where=(pr + rc) > 0)[:-1]
            res[j] = th[np.argmax(f1)]
        return res
    r = interleaved({'grid of 100, vectorised over labels': grid_per_label, 'sklearn precision_recall_curve loop': sklearn_loop,
                     'per_label_thresh (exact)': lambda: per_label_thresh(p, y, min_pos=1)}, repeats=rounds)
    base = r['grid of 100, vectorised over labels']['median']
    prow = [dict(shape=f'{n}x{k}', method=name, ms=v['median']*1e3, speedup_vs_grid=ratio(base, v['median']))
            for name, v in r.items()]
    table(prow, title='\n2. per-label thresholds, F1 (median ms)')
    def f1_at(t): return f1_counts(*confusion_counts(p, y, t))
    f_exact, f_grid = f1_at(per_label_thresh(p, y, min_pos=1)), f1_at(grid_per_label())
    checks['per_label'] = dict(mean_f1_exact=float(f_exact.mean()), mean_f1_grid=float(f_grid.mean()),
                               labels_exact_worse=int((f_exact < f_grid - 1e-9).sum()))
    print(f"  mean per-label F1: exact {f_exact.mean():.4f} vs grid {f_grid.mean():.4f}; labels where exact < grid: "
          f"{checks['per_label']['labels_exact_worse']}")
    sp = {r['shape']: r['speedup_vs_grid_loop'] for r in rows if r['method'].startswith('exact_sweep')}
    sw = {r['shape']: r for r in rows if r['method'].startswith('mlc sweep')}
    gbs = copy_bandwidth()
    for shape, r in sw.items():                            # the bound: reading probs and targets (float32) once
        rows_, cols_ = map(int, shape.split('x'))
        r['bound_ms'] = 8*rows_*cols_/gbs/1e6
    pl = {r['method']: r['speedup_vs_grid'] for r in prow}
    exact, skl = pl['per_label_thresh (exact)'], pl['per_label_thresh (exact)'] / pl['sklearn precision_recall_curve loop']
    diff = max(c['max_acc_diff_vs_accuracy_multi'] for s, c in checks.items() if s != 'per_label')
    j = lambda fmt, rs: ' / '.join(fmt.format(**r) for r in rs)
    summary = (f"sweep (100 thresholds) {j('{speedup_vs_grid_loop:.1f}x', sw.values())} a 100-point accuracy_multi loop "
               f"({' / '.join(sw)}; {j('{ms:.1f} ms', sw.values())}, against the memory bound of reading probabilities and "
               f"targets once at {gbs:.1f} GB/s copy bandwidth: {j('{bound_ms:.1f} ms', sw.values())}); exact_sweep over "
               f"every threshold {' / '.join(f'{v:.2f}x' for v in sp.values())} (equal at the grid points to {diff:.1e}); "
               f"exact per_label_thresh at {k} labels {exact:.2f}x a vectorised grid, {skl:.1f}x an sklearn loop, F1 below "
               f"the grid's on {checks['per_label']['labels_exact_worse']} labels")
    met = (min(r['speedup_vs_grid_loop'] for r in sw.values()) >= 10 and min(sp.values()) >= 3 and exact >= 3
           and checks['per_label']['labels_exact_worse'] == 0)
    save('thresholds', dict(sweep=rows, per_label=prow, checks=checks, copy_gb_s=gbs), a, started, summary=summary,
         goal='sweep >= 10x the loop; exact_sweep and per_label_thresh >= 3x their baselines; F1 never below the grid (issue 26)',
         met=met)

def copy_bandwidth(mb:int=256) -> float:
    "GB/s that numpy copies a `mb` MB array at (bytes read + written), best of 5"
    src = np.ones(mb*2**20//4, np.float32); dst = np.empty_like(src)
    best = min(timeit(np.copyto, dst, src)[1] for _ in range(5))
    return 2*src.nbytes/best/1e9

if __name__ == '__main__': main()
