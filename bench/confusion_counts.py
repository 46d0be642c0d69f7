"""Benchmark: why `mlc.metrics.confusion_counts` counts with numpy instead of calling scikit-learn's
`multilabel_confusion_matrix`, which computes the same four counts per label (issue 25 asked to use the library
where it has the idea, unless a measurement says the hand-written one is faster). Both on the same predictions at
0.5, interleaved, medians, at the sizes threshold tuning calls it with; the counts must be equal. Goal: keep numpy
only if it is >= 2x sklearn at every size.

    .venv/bin/python bench/confusion_counts.py [--quick]
"""
from common import *

def args(p):
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 7, quick 3)')

def sklearn_counts(p, y, thresh=0.5) -> tuple:
    "TP, FP, FN, TN per label from `multilabel_confusion_matrix`"
    from sklearn.metrics import multilabel_confusion_matrix
    m = multilabel_confusion_matrix(y.astype(int), p > thresh)
    return m[:, 1, 1], m[:, 0, 1], m[:, 1, 0], m[:, 0, 0]

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (3 if a.quick else 7)
    started = machine()
    from mlc.metrics import confusion_counts
    print(f"confusion_counts: {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    rng, rows = np.random.default_rng(0), []
    for n, k in ((500, 10), (50_000, 20), (2_000, 1_000)):
        p, y = rng.random((n, k)).astype(np.float32), rng.random((n, k)) < 0.3
        equal = all((u == v).all() for u, v in zip(confusion_counts(p, y), sklearn_counts(p, y)))
        r = interleaved({'numpy': lambda: confusion_counts(p, y), 'sklearn': lambda: sklearn_counts(p, y)},
                        repeats=rounds, min_time=0.05)
        rows.append(dict(shape=f'{n}x{k}', numpy_ms=r['numpy']['median']*1e3, sklearn_ms=r['sklearn']['median']*1e3,
                         speedup=ratio(r['sklearn']['median'], r['numpy']['median']), equal=equal))
    table(rows, title='\nconfusion counts at 0.5 (median ms per call)')
    lo = min(r['speedup'] for r in rows)
    summary = ("confusion_counts (numpy) " + ', '.join(f"{r['speedup']:.1f}x" for r in rows) + " sklearn's "
               f"multilabel_confusion_matrix at {', '.join(r['shape'] for r in rows)}; counts equal: "
               f"{all(r['equal'] for r in rows)}")
    save('confusion_counts', dict(rows=rows), a, started, summary=summary,
         goal='numpy kept only where >= 2x sklearn at every size, counts equal',
         met=lo >= 2 and all(r['equal'] for r in rows))

if __name__ == '__main__': main()
