"""Benchmark 1: mlc's training (`mlc.learner.train`: fastai `fine_tune`, one frozen epoch then unfrozen, one-cycle,
discriminative LRs) vs two PyTorch loops: `plain`, as written on forums (nn.BCEWithLogitsLoss, Adam at a constant LR,
contiguous memory), and `tuned`, as a strong PyTorch user writes it (AdamW with weight decay 0.01, OneCycleLR over all
the steps, channels-last weights), on the Fashion-MNIST 2x2 composites, same pretrained lite0 backbone, image size,
batch size, number of epochs, torchvision transforms and ImageNet normalisation for both loops.

The trainings run in one process and are interleaved EPOCH BY EPOCH (the baselines' epochs run after each mlc epoch, or
before it on odd repeats, their order alternating too), each timing only its own epochs, so load from other processes
hits all alike. Repeats use seeds 42, 43, ... (default 3 repeats; quick: 1) and the summary gives medians.

    .venv/bin/python bench/time_to_quality.py [--quick] [--variants mlc fastai] [--baselines plain tuned] [--tuned-lr 3e-3]

Variant mlc is `mlc.learner.train` with its defaults: fine_tune(base_lr=mlc.learner.LR, lr_mult=1) and fastai's `ChannelsLast`
callback (mlc_learner's default). Variant fastai is the same with fastai's own defaults, as mlc shipped them before this
benchmark: fine_tune(base_lr=2e-3, lr_mult=100), contiguous weights. Each is paired with its own plain run.

Models: mlc = `mlc_learner` (timm `tf_efficientnet_lite0` body cut by fastai + fastai's head: concat pool, BN,
dropout, Linear(2560, 512), ReLU, BN, dropout, Linear(512, n)); plain = timm `create_model('tf_efficientnet_lite0',
pretrained=True, pretrained_cfg_overlay=dict(file=lite0_weights()), num_classes=n)` (timm's head: avg pool, dropout
0.2, Linear(1280, n)); tuned = the same timm model. All start from the same ImageNet weights. Goals (issue 16): mlc's
mAP >= tuned's and wall time mlc/tuned <= 1.05, both in the same run.
"""
import statistics
from common import *
from baseline import PlainTrainer, TunedTrainer, plain_loaders, plain_preds, timm_model
from fit_clock import FitClock
from mlc.metrics import headline
from mlc.thresholds import tune_thresholds

def args(p):
    p.add_argument('--size', type=int, default=None, help='image size (default 64 = mlc CLI default; quick 56)')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--epochs', type=int, default=None, help='fine_tune epochs after the frozen one (plain: epochs+1); default 2, quick 1')
    for k, what, full, quick in (('train', 'training', 2000, 384), ('valid', 'validation', 500, 192)):
        p.add_argument(f'--n-{k}', type=int, default=None, help=f'{what} composites (default {full}, quick {quick})')
    p.add_argument('--lr', type=float, default=None, help="mlc's base_lr (default: mlc.learner.LR)")
    p.add_argument('--plain-lr', type=float, default=1e-3, help="plain loop's constant Adam LR (Adam's default)")
    p.add_argument('--repeats', type=int, default=None, help='runs (seed 42, 43, ...; odd ones run the baseline epochs first); default 3, quick 1')
    p.add_argument('--baselines', nargs='+', default=['plain', 'tuned'], choices=['plain', 'tuned'],
                   help='plain: Adam at --plain-lr constant; tuned: AdamW + OneCycleLR(max_lr=--tuned-lr) + channels_last')
    p.add_argument('--tuned-lr', type=float, default=3e-3, help="tuned loop's OneCycleLR max_lr (AdamW, weight decay 0.01)")
    p.add_argument('--lr-mult', type=float, default=None, help="mlc's fine_tune lr_mult (default: mlc.learner.LR_MULT)")
    p.add_argument('--variants', nargs='+', default=None, choices=['mlc', 'fastai'],
                   help="mlc = mlc.learner.train with its defaults (or --lr/--lr-mult); fastai = train with fastai's defaults "
                        "(base_lr 2e-3, lr_mult 100, no channels_last); each is paired with its own plain run. "
                        "Default: mlc fastai (quick: mlc)")

def scores(probs, targs) -> dict:
    "mAP and macro-F1 at 0.5 (`headline`), and macro-F1 at tuned thresholds (`tune_thresholds`' 2-fold held-out estimate)."
    h = headline(probs, targs)
    return dict(mAP=h['mAP'], f1_macro_05=h['f1_macro'], f1_macro_tuned=tune_thresholds(probs, targs)[1]['f1_macro'])

def one_pair(path, a, rep:int, variant:str='mlc') -> dict:
    from mlc.learner import train
    seed = 42 + rep
    torch.manual_seed(seed)
    base, setup = {}, {}
    for name in a.baselines:
        c = Clock()
        torch.manual_seed(seed)                       # the same head initialisation for both loops
        dl_t, dl_v, vocab = plain_loaders(path, a.size, a.bs, num_workers=0, seed=seed)
        base[name] = (PlainTrainer(timm_model(len(vocab)), dl_t, dl_v, lr=a.plain_lr, verbose='plain') if name == 'plain' else
                      TunedTrainer(timm_model(len(vocab)), dl_t, dl_v, lr=a.tuned_lr, epochs=a.epochs + 1, verbose='tuned'))
        setup[name] = c.wall
    order = list(base.values())[::-1 if rep % 2 else 1]
    clock = FitClock(between_epochs=lambda e: [t.epoch(e) for t in order], verbose='mlc  ', before=bool(rep % 2))
    c = Clock()
    if variant == 'fastai': learn = train(path, epochs=a.epochs, lr=2e-3, lr_mult=100, size=a.size, bs=a.bs, seed=seed,
                                          cbs=[clock], channels_last=False, bars=False)
    else: learn = train(path, epochs=a.epochs, lr=a.lr, lr_mult=a.lr_mult, size=a.size, bs=a.bs,
                        seed=seed, cbs=[clock], bars=False)
    mlc_total = c.wall - clock.excl_w
    learn.remove_cb(clock)    # get_preds runs before_fit/after_epoch/after_fit events: keep them out of the clock
    assert all(len(t.points) == len(clock.points) == a.epochs + 1 for t in base.values()), [len(t.points) for t in base.values()]
    with learn.no_bar(): probs, targs = learn.get_preds()
    n_imgs = len(learn.dls.train) * a.bs * (a.epochs + 1)   # drop_last: full batches only, as in the plain loader
    res = dict(variant=variant, seed=seed, baselines_first=bool(rep % 2))
    for name, fit_s, cpu_s, valid_s, q, setup_s, pts in (
            ('mlc', clock.wall_s, clock.cpu_s, clock.valid_s, scores(probs, targs), mlc_total - clock.wall_s, clock.points),
            *((n, t.wall_s, t.cpu_s, t.valid_s, scores(*plain_preds(t.model, t.dl_v)), setup[n], t.points) for n, t in base.items())):
        res[name] = dict(fit_s=fit_s, cpu_s=cpu_s, valid_s=valid_s, setup_s=setup_s, images_per_s=n_imgs/fit_s,
                         train_images_per_s=n_imgs/(fit_s - valid_s), **q, epochs=pts)
    return res

def main():
    a = parse(__doc__.split('\n')[0], args)
    from mlc.learner import LR, LR_MULT
    a.lr, a.lr_mult = a.lr or LR, a.lr_mult or LR_MULT
    a.size = a.size or (56 if a.quick else 64)
    a.epochs = a.epochs or (1 if a.quick else 2)
    a.n_train = a.n_train or (384 if a.quick else 2000)
    a.n_valid = a.n_valid or (192 if a.quick else 500)
    a.variants = a.variants or (['mlc'] if a.quick else ['mlc', 'fastai'])
    a.repeats = a.repeats or (1 if a.quick else 3)
    started = machine()
    from mlc.datasets import make_fmnist_grids
    path = make_fmnist_grids(n_train=a.n_train, n_valid=a.n_valid, seed=42)
    print(f"time_to_quality: {a.n_train}+{a.n_valid} composites at {a.size}px, bs {a.bs}, "
          f"{a.epochs + 1} epochs each (mlc: 1 frozen + {a.epochs}), baselines {a.baselines}, {a.repeats} run(s)   "
          f"[{busy_note(started['loadavg'])}]", flush=True)
    all_runs, rows, ratios, goals = [], [], {}, {}
    for variant in a.variants:
        runs = [one_pair(path, a, r, variant) for r in range(a.repeats)]
        all_runs += runs
        med = lambda k, v: statistics.median(r[v][k] for r in runs)
        for v in ('mlc', *a.baselines):
            rows.append(dict(variant=variant if v == 'mlc' else f'{v} (with {variant})', epochs=a.epochs + 1,
                             mAP=med('mAP', v), f1_macro_05=med('f1_macro_05', v), f1_tuned=med('f1_macro_tuned', v),
                             fit_s=med('fit_s', v), cpu_s=med('cpu_s', v), valid_s=med('valid_s', v),
                             setup_s=med('setup_s', v), img_per_s=med('images_per_s', v)))
        ratios[variant], goals[variant] = {}, {}
        for b in a.baselines:
            rt = {f'wall_mlc_over_{b}': statistics.median(r['mlc']['fit_s']/r[b]['fit_s'] for r in runs),
                  f'cpu_mlc_over_{b}': statistics.median(r['mlc']['cpu_s']/r[b]['cpu_s'] for r in runs),
                  f'train_only_wall_mlc_over_{b}': statistics.median(
                      (r['mlc']['fit_s'] - r['mlc']['valid_s'])/(r[b]['fit_s'] - r[b]['valid_s']) for r in runs),
                  f'mAP_mlc_minus_{b}': statistics.median(r['mlc']['mAP'] - r[b]['mAP'] for r in runs),
                  f'mAP_mlc_minus_{b}_all': [r['mlc']['mAP'] - r[b]['mAP'] for r in runs],
                  f'f1_tuned_mlc_minus_{b}': statistics.median(r['mlc']['f1_macro_tuned'] - r[b]['f1_macro_tuned'] for r in runs)}
            ratios[variant].update(rt)
            rows.append(dict(variant=f'{variant}/{b}', mAP=rt[f'mAP_mlc_minus_{b}'], f1_tuned=rt[f'f1_tuned_mlc_minus_{b}'],
                             fit_s=rt[f'wall_mlc_over_{b}'], cpu_s=rt[f'cpu_mlc_over_{b}']))
            limit = 1.05 if b == 'tuned' else 1.1
            goals[variant][b] = dict(mAP_at_least=rt[f'mAP_mlc_minus_{b}'] >= 0, wall_ratio_limit=limit,
                                     wall_ratio_ok=rt[f'wall_mlc_over_{b}'] <= limit)
    print()
    table(rows, ['variant', 'epochs', 'mAP', 'f1_macro_05', 'f1_tuned', 'fit_s', 'cpu_s', 'valid_s', 'setup_s', 'img_per_s'],
          title='(X/baseline rows: mAP and f1 as differences X - baseline; fit_s and cpu_s as ratios X/baseline, same run, epoch-interleaved; medians over repeats)')
    for variant, gs in goals.items():
        for b, g in gs.items():
            rt = ratios[variant]
            print(f"\n[{variant} vs {b}] goal mAP >= {b}'s at equal epochs: {'MET' if g['mAP_at_least'] else 'NOT met'} "
                  f"({variant} - {b} = {rt[f'mAP_mlc_minus_{b}']:+.4f}; per run {', '.join(f'{d:+.4f}' for d in rt[f'mAP_mlc_minus_{b}_all'])})")
            print(f"[{variant} vs {b}] goal wall-time ratio {variant}/{b} <= {g['wall_ratio_limit']}: {'MET' if g['wall_ratio_ok'] else 'NOT met'} "
                  f"({rt[f'wall_mlc_over_{b}']:.3f}; CPU-time ratio {rt[f'cpu_mlc_over_{b}']:.3f})")
    runs = all_runs
    v = a.variants[0]; rt, m = ratios[v], {r['variant']: r for r in rows}
    others = [b for b in a.baselines]
    summary = (f"{v} mAP {m[v]['mAP']:.3f} vs " + ', '.join(f"{b} loop {m[f'{b} (with {v})']['mAP']:.3f}" for b in others) +
               f"; tuned macro-F1 {m[v]['f1_tuned']:.3f} vs " + ' / '.join(f"{m[f'{b} (with {v})']['f1_tuned']:.3f}" for b in others) +
               '; wall ' + ', '.join(f"{v}/{b} {rt[f'wall_mlc_over_{b}']:.2f}" for b in others) +
               (f"; fastai's defaults mAP {m['fastai']['mAP']:.3f}" if 'fastai' in m else '') + f" ({a.repeats} seed{'s'*(a.repeats > 1)}, medians)")
    g = goals[v].get('tuned') or goals[v][others[0]]
    save('time_to_quality', dict(rows=rows, ratios=ratios, goals=goals, runs=runs,
                                 setup=dict(n_train=a.n_train, n_valid=a.n_valid, size=a.size, bs=a.bs, epochs=a.epochs + 1,
                                            mlc='mlc.learner.train (ChannelsLast, fine_tune, base_lr %g, lr_mult %g)' % (a.lr, a.lr_mult),
                                            plain='timm lite0 + timm head, Adam lr %g constant, BCEWithLogitsLoss' % a.plain_lr,
                                            tuned='timm lite0 + timm head, AdamW wd 0.01 + OneCycleLR max_lr %g pct_start 0.25, '
                                                  'channels_last, BCEWithLogitsLoss' % a.tuned_lr, baselines=a.baselines)),
         a, started, summary=summary, goal=f"{v}'s mAP >= the {'tuned' if 'tuned' in others else others[0]} loop's at equal epochs, wall <= {g['wall_ratio_limit']}x",
         met=g['mAP_at_least'] and g['wall_ratio_ok'])

if __name__ == '__main__': main()
