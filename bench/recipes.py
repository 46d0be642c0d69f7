"""Benchmark 3b: training recipes for pretrained lite0 at a fixed small budget (about 4 epochs of the 6000/500
Fashion-MNIST 2x2 composites at 56 px, i.e. about 3 training minutes on 2 idle cores): `fine_tune`'s frozen first epoch
or not, batch size, learning rate, image size, head dropout, progressive resizing (56 px, then 112 px).

What it reports for each recipe: mAP after every epoch, and the training minutes the recipe takes with every thread.
- mAP: each recipe runs in a fresh process with one torch thread, `--procs` at a time. mAP does not depend on the
  timing, and this runs the sweep in half the wall time on 2 cores.
- minutes: estimated from per-epoch training times measured in the parent before the sweep, with all threads and
  nothing else running (`fit_clock.epoch_seconds`, frozen and unfrozen, per image size and batch size).

    .venv/bin/python bench/recipes.py [--quick] [--procs 2] [--seeds 42] [--only 1 6]
"""
import json, subprocess
from concurrent.futures import ThreadPoolExecutor
from common import *
from fit_clock import FitClock, epoch_seconds
from fastai.imports import noop   # the noop LogLines and fastai compare with

# mlc's default first (mlc_fit: fine_tune(epochs) = 1 frozen + `epochs` unfrozen, bs 64, LR 1.6e-2, lr_mult 1).
# `freeze` is the number of frozen epochs (0: fit_one_cycle on the unfrozen network); `epochs` counts all of them;
# `prog` = [size, epochs, lr] adds a fit_one_cycle at a larger size after the rest. fastai's pct_start defaults
# (fine_tune 0.3, fit_one_cycle 0.25) and head dropout (`ps` 0.5) unless a recipe says otherwise.
RECIPES = [dict(name='mlc default: fine_tune 1+3, bs 64', freeze=1, epochs=4),
           dict(name='no frozen epoch, bs 64', freeze=0, epochs=4),
           dict(name='no frozen epoch, bs 32, lr 1.1e-2', freeze=0, epochs=4, bs=32, lr=1.1e-2),
           dict(name='no frozen epoch, bs 32, lr 8e-3', freeze=0, epochs=4, bs=32, lr=8e-3),
           dict(name='no frozen epoch, bs 32, lr 1.1e-2, ps 0.25', freeze=0, epochs=4, bs=32, lr=1.1e-2, ps=0.25),
           dict(name='fine_tune 1+3, bs 32, lr 1.1e-2', freeze=1, epochs=4, bs=32, lr=1.1e-2),
           dict(name='64 px, no frozen epoch, 3 epochs', freeze=0, epochs=3, size=64),
           dict(name='56 px x2, then 112 px x1 (bs 32, lr 8e-3, 4e-3)', freeze=0, epochs=2, bs=32, lr=8e-3,
                prog=[112, 1, 4e-3])]
QUICK = [dict(name='fine_tune 1+1', freeze=1, epochs=2), dict(name='no frozen epoch, bs 32', freeze=0, epochs=2, bs=32,
                                                              prog=[64, 1, 4e-3])]
DEFAULTS = dict(size=56, bs=64, lr=1.6e-2, freeze=1, epochs=4, prog=None, ps=0.5)

def args(p):
    p.add_argument('--procs', type=int, default=2, help='recipes trained at a time (one torch thread each)')
    p.add_argument('--n-train', type=int, default=None, help='default 6000, quick 320')
    p.add_argument('--n-valid', type=int, default=None, help='default 500, quick 160')
    p.add_argument('--seeds', type=int, nargs='+', default=[42], help='seeds for the head, the dropout and the batch order (the split is fixed)')
    p.add_argument('--only', type=int, nargs='+', default=None, help='the recipes to run, by their number in the table')
    p.add_argument('--child', default=None, help=argparse.SUPPRESS)

def learner(path, size, bs, ps=0.5, seed=42):
    "A seeded pretrained lite0 learner (`mlc.learner.seeded_learner`), head dropout `ps`, silent"
    from mlc.learner import seeded_learner
    learn = seeded_learner(path, size=size, bs=bs, seed=seed, ps=ps, bars=False)
    learn.logger = noop
    return learn

def train(r:dict, path) -> list:
    "mAP after every epoch of recipe `r` (DEFAULTS filled in)."
    from mlc.data import mlc_dls
    learn = learner(path, r['size'], r['bs'], r['ps'], r['seed'])
    clock = FitClock(); learn.add_cb(clock)
    if r['freeze']: learn.fine_tune(r['epochs'] - r['freeze'], base_lr=r['lr'], lr_mult=1., freeze_epochs=r['freeze'])
    else: learn.unfreeze(); learn.fit_one_cycle(r['epochs'], r['lr'])
    if r['prog']:
        size, epochs, lr = r['prog']
        learn.dls = mlc_dls(path, size=size, bs=r['bs'], seed=r['seed']).to(learn.dls.device)
        learn.fit_one_cycle(epochs, lr)
    return [p['mAP'] for p in clock.points]

def epoch_costs(path, keys) -> dict:
    "{(size, bs): dict(frozen=s, unfrozen=s)}: training seconds per epoch with all threads."
    out = {}
    for size, bs in keys:
        learn = learner(path, size, bs)
        frozen = epoch_seconds(learn)['train']
        learn.unfreeze()
        out[size, bs] = dict(frozen=frozen, unfrozen=epoch_seconds(learn)['train'])
        print(f"  {size} px, bs {bs}: {out[size, bs]['frozen']:.0f} s frozen, {out[size, bs]['unfrozen']:.0f} s unfrozen per epoch", flush=True)
    return out

def minutes(r, costs) -> float:
    c = costs[r['size'], r['bs']]
    s = r['freeze']*c['frozen'] + (r['epochs'] - r['freeze'])*c['unfrozen']
    if r['prog']: s += r['prog'][1]*costs[r['prog'][0], r['bs']]['unfrozen']
    return s/60

def run_child(r, a) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    cmd = [sys.executable, __file__, '--child', json.dumps(r), '--n-train', str(a.n_train), '--n-valid', str(a.n_valid)]
    c = Clock()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode: raise RuntimeError(f"{r['name']}: exit {p.returncode}\n{p.stderr[-2000:]}")
    out = dict(r, mAP=json.loads(p.stdout.strip().splitlines()[-1]), child_wall_s=c.wall)
    print(f"  {r['number']}. {r['name']} (seed {r['seed']}): " + ' '.join(f'{m:.4f}' for m in out['mAP']), flush=True)
    return out

def main():
    a = parse(__doc__.split('\n')[0], args)
    a.n_train = a.n_train or (320 if a.quick else 6000)
    a.n_valid = a.n_valid or (160 if a.quick else 500)
    from mlc.datasets import make_fmnist_grids
    path = make_fmnist_grids(n_train=a.n_train, n_valid=a.n_valid, seed=42)
    if a.child:
        torch.set_num_threads(1)
        print(json.dumps(train(json.loads(a.child), path)))
        return
    started = machine()
    todo = QUICK if a.quick else RECIPES
    recipes = [dict(DEFAULTS, **r, seed=seed, number=i) for i, r in enumerate(todo, 1) if not a.only or i in a.only
               for seed in a.seeds]
    keys = sorted({(r['size'], r['bs']) for r in recipes} | {(r['prog'][0], r['bs']) for r in recipes if r['prog']})
    print(f"recipes: {a.n_train}+{a.n_valid} composites, pretrained lite0; epoch times with {torch.get_num_threads()} threads "
          f"[{busy_note(started['loadavg'])}]:", flush=True)
    costs = epoch_costs(path, keys)
    print(f"training {len(recipes)} recipes, {a.procs} at a time with one thread each:", flush=True)
    with ThreadPoolExecutor(a.procs) as ex: runs = list(ex.map(lambda r: run_child(r, a), recipes))
    rows = [dict(recipe=f"{r['number']}. {r['name']}", seed=r['seed'], epochs=len(r['mAP']), train_min=minutes(r, costs), final_mAP=r['mAP'][-1],
                 curve=' '.join(f'{m:.3f}' for m in r['mAP'])) for r in runs]
    print()
    table(rows, title='mAP after every epoch; train_min: estimated training minutes with all threads (epoch times above)')
    if len(a.seeds) > 1:
        import pandas as pd
        g = pd.DataFrame(rows).groupby('recipe', sort=False).final_mAP
        print(); table([dict(recipe=k, mean=v.mean(), min=v.min(), max=v.max()) for k, v in g], title=f'final mAP over seeds {a.seeds}')
    base, top = rows[0], max(rows, key=lambda r: r['final_mAP'])
    summary = (f"{base['recipe']}: mAP {base['final_mAP']:.3f} ({base['train_min']:.1f} min); best {top['recipe']}: {top['final_mAP']:.3f} "
               f"({top['train_min']:.1f} min); {len(rows)} runs, seeds {a.seeds}")
    save('recipes', dict(rows=rows, runs=runs, epoch_costs={f'{s}px_bs{b}': c for (s, b), c in costs.items()}), a, started,
         summary=summary, goal="a recipe that beats mlc's default by more than 0.01 mAP in no more time", 
         met=any(r['final_mAP'] > base['final_mAP'] + 0.01 and r['train_min'] <= base['train_min'] for r in rows[1:]))

if __name__ == '__main__': main()
