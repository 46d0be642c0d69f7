"""Benchmark 2: validation mAP vs training minutes on the Fashion-MNIST 2x2 composites for pretrained lite0 (mlc's
default: `fine_tune` with mlc's LR and lr_mult, channels-last), random-init lite0 and random-init resnet18 (fastbook's
arch; both `fit_one_cycle`), each at two image sizes. Goal (issue #16): mAP >= 0.96 within 3 minutes of CPU training.

Each configuration gets a time budget of training minutes: its epoch times (the frozen first epoch of `fine_tune` and the
unfrozen ones, each from a few timed batches) plan the number of epochs so that the schedule (one-cycle needs its
length up front) fits the budget; a point (minutes, mAP) is recorded after every epoch by a fastai callback. Minutes are reported three ways:
wall (all of it), train (wall minus per-epoch validation, which only exists to draw the curve) and cpu/threads
(process CPU seconds / torch threads / 60: what the training would take on an otherwise idle machine, roughly).

    .venv/bin/python bench/quality_curve.py [--quick] [--minutes 3] [--minutes-random 1.5] [--sizes 56 112] [--n-train 6000]
        [--target 0.96] [--goal-minutes 3]
"""
from common import *
from fit_clock import FitClock, epoch_seconds
from fastai.imports import noop   # the noop LogLines and fastai compare with

def args(p):
    p.add_argument('--sizes', type=int, nargs='+', default=[56, 112])
    p.add_argument('--minutes', type=float, default=None, help='budget for pretrained lite0 (default 3, quick 0.2)')
    p.add_argument('--target', type=float, default=0.96, help='the goal: this mAP ...')
    p.add_argument('--goal-minutes', type=float, default=3, help='... within this many training minutes')
    p.add_argument('--minutes-random', type=float, default=None, help='budget for the random-init configs (default 1.5, quick 0.2)')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--n-train', type=int, default=None, help='default 6000, quick 320')
    p.add_argument('--n-valid', type=int, default=None, help='default 500, quick 160')
    p.add_argument('--lr', type=float, default=None, help='fine_tune base_lr (pretrained; default mlc.learner.LR)')
    p.add_argument('--lr-mult', type=float, default=None, help='fine_tune lr_mult (pretrained; default mlc.learner.LR_MULT)')
    p.add_argument('--lr-random', type=float, default=1e-2, help='fit_one_cycle lr_max (random init)')
    p.add_argument('--max-epochs', type=int, default=30)
    p.add_argument('--no-channels-last', dest='channels_last', action='store_false', help="without mlc_learner's ChannelsLast callback")
    p.add_argument('--configs', nargs='+', default=['lite0-pretrained', 'lite0-random', 'resnet18-random'])

CONFIGS = {'lite0-pretrained': ('tf_efficientnet_lite0', True), 'lite0-random': ('tf_efficientnet_lite0', False),
           'resnet18-random': ('resnet18', False)}

def plan_epochs(budget_s:float, unfrozen:dict, frozen:dict=None, max_epochs:int=30) -> int:
    """Total epochs whose *training* time fits `budget_s`: the frozen epoch (if `frozen`, `fine_tune`'s first) at its
    own cost, then as many unfrozen epochs as fit, at least one (`epoch_seconds` dicts)."""
    left = budget_s - (frozen['train'] if frozen else 0)
    n = int(max(1, min(max_epochs - bool(frozen), left // unfrozen['train'])))
    return n + bool(frozen)

def run_config(name, path, size, a, budget_min):
    from mlc.learner import seeded_learner
    arch, pretrained = CONFIGS[name]
    learn = seeded_learner(path, arch, pretrained, size, a.bs, 42, channels_last=a.channels_last, bars=False)
    learn.logger = noop
    frozen = epoch_seconds(learn) if pretrained else None   # a pretrained learner starts frozen
    learn.unfreeze()
    est = epoch_seconds(learn)
    if pretrained: learn.freeze()
    clock = FitClock(budget_s=budget_min*60*1.25, verbose=f'{name}@{size}')
    learn.add_cb(clock)
    epochs = plan_epochs(budget_min*60, est, frozen, a.max_epochs)
    print(f"{name} @ {size}px: training ~{est['train']:.0f}s/epoch" + (f" (frozen {frozen['train']:.0f}s)" if frozen else '')
          + f" -> {epochs} epochs in {budget_min:g} min", flush=True)
    if pretrained: learn.fine_tune(epochs - 1, base_lr=a.lr, lr_mult=a.lr_mult)
    else: learn.fit_one_cycle(epochs, a.lr_random)
    thr = torch.get_num_threads()
    pts = [dict(p, wall_min=p['wall_s']/60, train_min=p['train_s']/60, cpu_min_per_thread=p['cpu_s']/60/thr)
           for p in clock.points]
    return dict(config=name, arch=arch, pretrained=pretrained, size=size, budget_min=budget_min, est_epoch_s=est, est_frozen_s=frozen,
                planned_epochs=epochs, points=pts)

def first_reach(points, target:float, key='train_min'):
    "Minutes (by `key`) at the first epoch whose mAP >= `target`, else None."
    return next((p[key] for p in points if p.get('mAP', 0) >= target), None)

def main():
    a = parse(__doc__.split('\n')[0], args)
    a.minutes = a.minutes or (0.2 if a.quick else 3)
    a.minutes_random = a.minutes_random or (0.2 if a.quick else 1.5)
    from mlc.learner import LR, LR_MULT
    a.lr, a.lr_mult = a.lr or LR, a.lr_mult or LR_MULT
    a.n_train = a.n_train or (320 if a.quick else 6000)
    a.n_valid = a.n_valid or (160 if a.quick else 500)
    started = machine()
    from mlc.datasets import make_fmnist_grids
    path = make_fmnist_grids(n_train=a.n_train, n_valid=a.n_valid, seed=42)
    print(f"quality_curve: {a.n_train}+{a.n_valid} composites, sizes {a.sizes}, budgets {a.minutes:g} min (pretrained) / "
          f"{a.minutes_random:g} min (random init){'' if a.channels_last else ', contiguous (no channels_last)'}   [{busy_note(started['loadavg'])}]", flush=True)
    runs = []
    for size in a.sizes:
        for name in a.configs:
            runs.append(run_config(name, path, size, a, a.minutes if CONFIGS[name][1] else a.minutes_random))
    rows, t, m = [], a.target, a.goal_minutes
    for r in runs:
        last, best = r['points'][-1], max(r['points'], key=lambda p: p.get('mAP', 0))
        rows.append(dict(config=r['config'], size=r['size'], epochs=len(r['points']), train_min=last['train_min'],
                         wall_min=last['wall_min'], cpu_min_per_thread=last['cpu_min_per_thread'], final_mAP=last.get('mAP'),
                         best_mAP=best.get('mAP'), reach_train_min=first_reach(r['points'], t) or '-',
                         reach_cpu_min=first_reach(r['points'], t, key='cpu_min_per_thread') or '-'))
    print()
    table(rows, title=f'mAP after the last epoch; reach: minutes at the first epoch with mAP >= {t:g} ("-": not reached)')
    print('\ncurves (train minutes: mAP):')
    for r in runs:
        print(f"  {r['config']:17s} @{r['size']:>3}: " + '  '.join(f"{p['train_min']:.2f}:{p.get('mAP', float('nan')):.3f}" for p in r['points']))
    hits = [(r['config'], r['size'], first_reach(r['points'], t)) for r in runs if first_reach(r['points'], t) is not None]
    within = [h for h in hits if h[2] <= m]
    goal = bool(within)
    best = max(runs, key=lambda r: max(p.get('mAP', 0) for p in r['points']))
    print(f"\ngoal mAP >= {t:g} within {m:g} training minutes: {'MET by ' + ', '.join(f'{c}@{s} ({x:.1f} min)' for c, s, x in within) if goal else 'NOT met'}"
          f"; best mAP {max(p.get('mAP', 0) for p in best['points']):.4f} ({best['config']}@{best['size']}, "
          f"{best['points'][-1]['train_min']:.1f} train min)")
    bm = max(p.get('mAP', 0) for p in best['points'])
    lite = [r for r in rows if r['config'] == 'lite0-pretrained']
    summary = (', '.join(f"pretrained lite0 @{r['size']} px {r['epochs']} epochs: mAP {r['final_mAP']:.3f} after {r['train_min']:.1f} training min"
                         for r in lite) + f"; best {bm:.3f} ({best['config']}@{best['size']}); budget {a.minutes:g} min")
    save('quality_curve', dict(rows=rows, runs=runs, target=dict(mAP=t, minutes=m), reached=hits,
                               setup=dict(n_train=a.n_train, n_valid=a.n_valid, bs=a.bs, sizes=a.sizes,
                                          channels_last=a.channels_last, lr=a.lr, lr_mult=a.lr_mult, lr_random=a.lr_random)), a, started,
         summary=summary, goal=f'mAP >= {t:g} within {m:g} training minutes', met=goal)

if __name__ == '__main__': main()
