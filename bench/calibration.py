"""Benchmark 8: which temperature scaling to fit on a validation set of a given size, one temperature for the model or
one per label (`mlc.calibrate.fit_temperature`, labels with fewer than `min_pos` positives or negatives falling back to
the model's)? `mlc_train --calibrate` defaults to per label; the demo (200 validation images) saw per-label raise the
held-out ECE. So: train lite0 once per dataset with mlc's defaults (`mlc.learner.train`) and predict a large validation
set; then, many times, fit each calibration on a random subset of `n` validation images and score the ECE on the
images that were not used. Datasets: the Fashion-MNIST composites, balanced and with 5 of 10 classes 20x rarer.

    .venv/bin/python bench/calibration.py [--quick] [--sizes 100 200 500 1000 2000] [--repeats 20]
"""
from common import *

def args(p):
    p.add_argument('--sizes', type=int, nargs='+', default=None, help='validation images the temperatures are fitted on')
    p.add_argument('--repeats', type=int, default=None, help='random subsets per size (default 20, quick 5)')
    p.add_argument('--min-pos', type=int, nargs='+', default=[10, 30], help='per label: fallback under this many positives')
    p.add_argument('--epochs', type=int, default=None, help='unfrozen epochs of fine_tune (default 3, quick 1)')

DATASETS = {'balanced': None, 'rare': [0.05]*5 + [1]*5}

def predictions(name, a) -> tuple:
    "Logits and targets of a freshly trained lite0 on a large validation set of dataset `name`."
    from mlc.datasets import make_fmnist_grids
    from mlc.learner import train
    from fastai.vision.all import noop
    path = make_fmnist_grids(n_train=a.n_train, n_valid=a.n_valid, class_weights=DATASETS[name])
    import contextlib, io
    c = Clock()
    with contextlib.redirect_stdout(io.StringIO()): learn = train(path, epochs=a.epochs, size=64, bars=False)  # LogLines' lines
    logits, targs = learn.get_preds(act=noop)
    print(f"  {name}: trained and predicted in {c.wall:.0f}s; {len(targs)} validation images, positives per label "
          f"{targs.sum(0).int().tolist()}", flush=True)
    return logits.numpy(), targs.numpy()

def scores(z, y, n, repeats, min_pos) -> dict:
    "Mean held-out ECE (and its spread over subsets) of each calibration fitted on `n` random validation images."
    from mlc.calibrate import ece, fit_temperature
    from mlc.contract import probabilities
    from functools import partial
    methods = dict(raw=lambda z, y: 1., model=fit_temperature,
                   **{f'label_min{m}': partial(fit_temperature, per_label=True, min_pos=m) for m in min_pos})
    rng, out = np.random.default_rng(0), {k: [] for k in methods}
    for _ in range(repeats):
        idx = rng.permutation(len(y))
        fit, held = idx[:n], idx[n:]
        for k, f in methods.items(): out[k].append(ece(probabilities(z[held], f(z[fit], y[fit])), y[held]))
    return {k: dict(mean=float(np.mean(v)), std=float(np.std(v))) for k, v in out.items()}

def main():
    a = parse(__doc__.split('\n')[0], args)
    a.sizes = a.sizes or ([100, 300] if a.quick else [100, 200, 500, 1000, 2000])
    a.repeats = a.repeats or (5 if a.quick else 20)
    a.epochs = a.epochs or (1 if a.quick else 3)
    a.n_train, a.n_valid = (320, 600) if a.quick else (2000, 4000)
    started = machine()
    print(f"calibration: lite0, {a.n_train} training composites, 64 px, fine_tune 1+{a.epochs}; temperatures fitted on "
          f"{a.sizes} of {a.n_valid} validation images, {a.repeats} subsets each, ECE on the rest   [{busy_note(started['loadavg'])}]", flush=True)
    rows = []
    for name in DATASETS:
        z, y = predictions(name, a)
        for n in a.sizes:
            s = scores(z, y, n, a.repeats, a.min_pos)
            best = min(s, key=lambda k: s[k]['mean'])
            rows.append(dict(data=name, fit_on=n, **{k: v['mean'] for k, v in s.items()}, best=best))
    print()
    table(rows, title='mean held-out ECE (lower is better) by validation images used to fit the temperatures')
    cell = lambda d, n: next(r for r in rows if r['data'] == d and r['fit_on'] == n)
    lab = f'label_min{a.min_pos[0]}'
    summary = '; '.join(f"{d}: held-out ECE raw / one T / per label " + ', '.join(
        f"{cell(d, n)['raw']:.4f} / {cell(d, n)['model']:.4f} / {cell(d, n)[lab]:.4f} at n={n}" for n in (a.sizes[0], a.sizes[-1])) for d in DATASETS)
    winners = {r['best'] for r in rows}
    save('calibration', dict(rows=rows, setup=dict(n_train=a.n_train, n_valid=a.n_valid, epochs=a.epochs,
                                                      sizes=a.sizes, repeats=a.repeats, min_pos=a.min_pos)), a, started,
         summary=summary + f"; lowest: {', '.join(sorted(winners))}",
         goal='which --calibrate to recommend (no goal: more than one kind wins means the choice must depend on the data)')

if __name__ == '__main__': main()
