"""Benchmark 1: mlc's training (`mlc.learner.train`: fastai `fine_tune`, one frozen epoch then unfrozen, one-cycle,
discriminative LRs) vs a plain PyTorch loop as written on forums (nn.BCEWithLogitsLoss, Adam at a constant LR,
torchvision transforms), on the Fashion-MNIST 2x2 composites, same pretrained lite0 backbone, image size, batch size,
number of epochs and ImageNet normalisation.

The two trainings run in one process and are interleaved EPOCH BY EPOCH (a plain epoch runs after each mlc epoch, or
before it on odd repeats), each timing only its own epochs, so load from other processes hits both alike.

    .venv/bin/python bench/time_to_quality.py [--quick] [--variants mlc fastai]

Variant mlc is `mlc.learner.train` with its defaults: fine_tune(base_lr=mlc.learner.LR, lr_mult=1) and fastai's `ChannelsLast`
callback (mlc_learner's default). Variant fastai is the same with fastai's own defaults, as mlc shipped them before this
benchmark: fine_tune(base_lr=2e-3, lr_mult=100), contiguous weights. Each is paired with its own plain run.

Models: mlc = `mlc_learner` (timm `tf_efficientnet_lite0` body cut by fastai + fastai's head: concat pool, BN,
dropout, Linear(2560, 512), ReLU, BN, dropout, Linear(512, n)); plain = timm `create_model('tf_efficientnet_lite0',
pretrained=True, pretrained_cfg_overlay=dict(file=lite0_weights()), num_classes=n)` (timm's head: avg pool, dropout
0.2, Linear(1280, n)). Both start from the same ImageNet weights.
"""
import statistics
from common import *

def args(p):
    p.add_argument('--size', type=int, default=None, help='image size (default 64 = mlc CLI default; quick 56)')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--epochs', type=int, default=None, help='fine_tune epochs after the frozen one (plain: epochs+1); default 2, quick 1')
    p.add_argument('--n-train', type=int, default=None, help='training composites (default 2000, quick 384)')
    p.add_argument('--n-valid', type=int, default=None, help='validation composites (default 500, quick 192)')
    p.add_argument('--lr', type=float, default=None, help="mlc's base_lr (default: mlc.learner.LR)")
    p.add_argument('--plain-lr', type=float, default=1e-3, help="plain loop's constant Adam LR (Adam's default)")
    p.add_argument('--repeats', type=int, default=1, help='paired runs (seed 42, 43, ...; odd ones run the plain epoch first)')
    p.add_argument('--lr-mult', type=float, default=None, help="mlc's fine_tune lr_mult (default: mlc.learner.LR_MULT)")
    p.add_argument('--variants', nargs='+', default=None, choices=['mlc', 'fastai'],
                   help="mlc = mlc.learner.train with its defaults (or --lr/--lr-mult); fastai = train with fastai's defaults "
                        "(base_lr 2e-3, lr_mult 100, no channels_last); each is paired with its own plain run. "
                        "Default: mlc fastai (quick: mlc)")

def one_pair(path, a, rep:int, variant:str='mlc') -> dict:
    from mlc.learner import train
    seed = 42 + rep
    torch.manual_seed(seed)
    c = Clock()
    dl_t, dl_v, vocab = plain_loaders(path, a.size, a.bs, num_workers=0, seed=seed)
    plain = PlainTrainer(timm_lite0(len(vocab)), dl_t, dl_v, lr=a.plain_lr, verbose='plain')
    plain_setup = c.wall
    clock = fastai_clock(between_epochs=plain.epoch, verbose='mlc  ', before=bool(rep % 2))
    c = Clock()
    if variant == 'fastai': learn = train(path, epochs=a.epochs, lr=2e-3, lr_mult=100, size=a.size, bs=a.bs, seed=seed,
                                          cbs=[clock], channels_last=False)
    else: learn = train(path, epochs=a.epochs, lr=a.lr, lr_mult=a.lr_mult, size=a.size, bs=a.bs,
                        seed=seed, cbs=[clock])
    mlc_total = c.wall - clock.excl_w
    learn.remove_cb(clock)    # get_preds runs before_fit/after_epoch/after_fit events: keep them out of the clock
    assert len(plain.points) == len(clock.points) == a.epochs + 1, (len(plain.points), len(clock.points))
    with learn.no_bar(): probs, targs = learn.get_preds()
    q_mlc = quality(probs, targs)
    q_plain = quality(*plain_preds(plain.model, dl_v))
    n_imgs = len(learn.dls.train) * a.bs * (a.epochs + 1)   # drop_last: full batches only, as in the plain loader
    res = dict(variant=variant, seed=seed, plain_first=bool(rep % 2))
    for name, fit_s, cpu_s, valid_s, q, setup, pts in (
            ('mlc', clock.wall_s, clock.cpu_s, clock.valid_s, q_mlc, mlc_total - clock.wall_s, clock.points),
            ('plain', plain.wall_s, plain.cpu_s, plain.valid_s, q_plain, plain_setup, plain.points)):
        res[name] = dict(fit_s=fit_s, cpu_s=cpu_s, valid_s=valid_s, setup_s=setup, images_per_s=n_imgs/fit_s,
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
    started = machine()
    no_progress()
    path = fmnist(a.n_train, a.n_valid)
    print(f"time_to_quality: {a.n_train}+{a.n_valid} composites at {a.size}px, bs {a.bs}, "
          f"{a.epochs + 1} epochs each (mlc: 1 frozen + {a.epochs}), {a.repeats} paired run(s)   "
          f"[{busy_note(started['loadavg'])}]", flush=True)
    all_runs, rows, ratios, goals = [], [], {}, {}
    for variant in a.variants:
        runs = [one_pair(path, a, r, variant) for r in range(a.repeats)]
        all_runs += runs
        med = lambda k, v: statistics.median(r[v][k] for r in runs)
        for v in ('mlc', 'plain'):
            rows.append(dict(variant=variant if v == 'mlc' else f'plain (paired with {variant})', epochs=a.epochs + 1,
                             mAP=med('mAP', v), f1_macro_05=med('f1_macro_05', v), f1_tuned=med('f1_macro_tuned', v),
                             fit_s=med('fit_s', v), cpu_s=med('cpu_s', v), valid_s=med('valid_s', v),
                             setup_s=med('setup_s', v), img_per_s=med('images_per_s', v)))
        rt = dict(wall_mlc_over_plain=statistics.median(r['mlc']['fit_s']/r['plain']['fit_s'] for r in runs),
                  cpu_mlc_over_plain=statistics.median(r['mlc']['cpu_s']/r['plain']['cpu_s'] for r in runs),
                  train_only_wall_mlc_over_plain=statistics.median(
                      (r['mlc']['fit_s'] - r['mlc']['valid_s'])/(r['plain']['fit_s'] - r['plain']['valid_s']) for r in runs),
                  mAP_mlc_minus_plain=statistics.median(r['mlc']['mAP'] - r['plain']['mAP'] for r in runs),
                  f1_tuned_mlc_minus_plain=statistics.median(r['mlc']['f1_macro_tuned'] - r['plain']['f1_macro_tuned'] for r in runs))
        ratios[variant] = rt
        rows.append(dict(variant=f'{variant}/plain', mAP=rt['mAP_mlc_minus_plain'], f1_tuned=rt['f1_tuned_mlc_minus_plain'],
                         fit_s=rt['wall_mlc_over_plain'], cpu_s=rt['cpu_mlc_over_plain']))
        goals[variant] = dict(higher_mAP=rt['mAP_mlc_minus_plain'] > 0, wall_ratio_le_1_1=rt['wall_mlc_over_plain'] <= 1.1)
    print()
    table(rows, ['variant', 'epochs', 'mAP', 'f1_macro_05', 'f1_tuned', 'fit_s', 'cpu_s', 'valid_s', 'setup_s', 'img_per_s'],
          title='(X/plain rows: mAP and f1 as differences X - plain; fit_s and cpu_s as ratios X/plain, same run, epoch-interleaved)')
    for variant, g in goals.items():
        rt = ratios[variant]
        print(f"\n[{variant}] goal higher mAP at equal epochs: {'MET' if g['higher_mAP'] else 'NOT met'} "
              f"({variant} - plain = {rt['mAP_mlc_minus_plain']:+.4f})")
        print(f"[{variant}] goal wall-time ratio {variant}/plain <= 1.1: {'MET' if g['wall_ratio_le_1_1'] else 'NOT met'} "
              f"({rt['wall_mlc_over_plain']:.3f}; CPU-time ratio {rt['cpu_mlc_over_plain']:.3f})")
    runs = all_runs
    save('time_to_quality', dict(summary=rows, ratios=ratios, goals=goals, runs=runs,
                                 setup=dict(n_train=a.n_train, n_valid=a.n_valid, size=a.size, bs=a.bs, epochs=a.epochs + 1,
                                            mlc='mlc.learner.train (ChannelsLast, fine_tune, base_lr %g, lr_mult %g)' % (a.lr, a.lr_mult),
                                            plain='timm lite0 + timm head, Adam lr %g constant, BCEWithLogitsLoss' % a.plain_lr)),
         a, started)

if __name__ == '__main__': main()
