"""Benchmark: which loss for skewed multi-label data? BCE, BCE with pos_weight and the asymmetric loss (ASL) trained
with `mlc.learner.train` (mlc's defaults: pretrained lite0, fine_tune, mlc's LR) on Fashion-MNIST 2x2 composites in
which some classes are rare (`make_fmnist_grids(class_weights=...)`), same data, size, batch size and epochs for all.

Reported per loss, as the mean and standard deviation over seeds (`--seeds`, default 3): mAP (all labels, the rare
ones, the frequent ones), macro-F1 at 0.5 and with per-label F1 thresholds (2-fold held-out estimate, as mlc_train
reports it), the fit's wall and CPU seconds (equal training time: the loss is a negligible part of a step, the ratio
to BCE is printed), and calibration: ECE of the raw probabilities and after temperature scaling, one temperature and
one per label (both held out, 2-fold; `mlc.calibrate.calibrate`). Variants of one seed run back to back, their order
rotated from seed to seed, so that load from other processes hits all of them alike.

    .venv/bin/python bench/losses.py [--quick] [--seeds 42 43 44] [--variants bce bce_pw asl asl_paper]

Variants: `bce` (mlc's default), `bce_pw` (BCE with `pos_weight = negatives/positives` of each label from the
training set, `mlc.learner.pos_weight_from`, capped at `--max-pos-weight`), `asl` (timm's defaults gamma_neg=4,
gamma_pos=1, clip=0.05, averaged like BCE: `mlc.learner.SigmoidASL`), `asl_paper` (gamma_pos=0 as in the paper's
training), `asl_sum` (ASL with timm's original scale, summed over the labels: checks that mlc's averaging does not cost).
"""
import statistics
from common import *
from fit_clock import FitClock

VARIANTS = ('bce', 'bce_pw', 'asl', 'asl_paper', 'asl_sum')

def args(p):
    p.add_argument('--seeds', type=int, nargs='+', default=None, help='default 42 43 44 (quick: 42)')
    p.add_argument('--variants', nargs='+', default=None, choices=VARIANTS, help='default bce bce_pw asl (quick: bce asl)')
    p.add_argument('--size', type=int, default=None, help='image size (default 64, quick 56)')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--epochs', type=int, default=None, help='fine_tune epochs after the frozen one (default 3, quick 1)')
    p.add_argument('--n-train', type=int, default=None, help='training composites (default 3000, quick 384)')
    p.add_argument('--n-valid', type=int, default=None, help='validation composites (default 1000, quick 192)')
    p.add_argument('--rare', type=int, default=5, help='how many classes are rare (the first RARE of the 10)')
    p.add_argument('--rare-weight', type=float, default=0.05, help='relative frequency of a rare class (frequent: 1)')
    p.add_argument('--max-pos-weight', type=float, default=None, help='cap of bce_pw weights (default: none)')

def make_learner(variant:str, path, seed:int, a, cbs):
    "The seeded `mlc_learner` of a variant (`mlc.learner.seeded_learner`, what `train` builds, with the loss set here)"
    from mlc.learner import LOSSES, seeded_learner, pos_weight_from, SigmoidASL
    learn = seeded_learner(path, size=a.size, bs=a.bs, seed=seed, cbs=cbs, bars=False, loss='asl' if variant.startswith('asl') else 'bce')
    if variant == 'bce_pw': learn.loss_func = LOSSES['bce'](pos_weight=pos_weight_from(learn.dls, a.max_pos_weight))
    if variant == 'asl_paper': learn.loss_func = SigmoidASL(gamma_pos=0)
    if variant == 'asl_sum': learn.loss_func = SigmoidASL(reduction='batchmean')
    return learn

def one_run(path, variant:str, seed:int, a, rare:list) -> dict:
    from fastai.vision.all import noop
    from mlc.learner import LR, LR_MULT
    from mlc.metrics import ap_per_label, headline
    from mlc.thresholds import tune_thresholds
    from mlc.calibrate import calibrate
    clock = FitClock(verbose=f'{variant:9s} seed {seed}')
    learn = make_learner(variant, path, seed, a, [clock])
    learn.mlc_fit(a.epochs, lr=LR, lr_mult=LR_MULT)
    learn.remove_cb(clock)
    with learn.no_bar(): logits, targs = learn.get_preds(act=noop)
    probs = torch.sigmoid(logits)
    aps = ap_per_label(probs, targs)
    vocab = list(learn.dls.vocab)
    is_rare = np.array([v in rare for v in vocab])
    cal = {k: calibrate(learn, per_label=k == 'label', preds=(logits, targs)) for k in ('model', 'label')}
    h = headline(probs, targs)
    return dict(variant=variant, seed=seed, mAP=h['mAP'], f1_macro_05=h['f1_macro'], f1_macro_tuned=tune_thresholds(probs, targs)[1]['f1_macro'],
                mAP_rare=float(np.nanmean(aps[is_rare])), mAP_frequent=float(np.nanmean(aps[~is_rare])), fit_s=clock.wall_s, cpu_s=clock.cpu_s,
                ece_raw=cal['model']['ece_before'], ece_T_model=cal['model']['ece_after'], ece_T_label=cal['label']['ece_after'],
                T_model=cal['model']['temperature'], ap_per_label=dict(zip(vocab, aps.tolist())))

def main():
    a = parse(__doc__.split('\n')[0], args)
    from mlc.datasets import make_fmnist_grids, FMNIST_CLASSES
    a.seeds = a.seeds or ([42] if a.quick else [42, 43, 44])
    a.variants = a.variants or (['bce', 'asl'] if a.quick else ['bce', 'bce_pw', 'asl'])
    a.size = a.size or (56 if a.quick else 64)
    a.epochs = a.epochs or (1 if a.quick else 3)
    a.n_train = a.n_train or (384 if a.quick else 3000)
    a.n_valid = a.n_valid or (192 if a.quick else 1000)
    weights = [a.rare_weight]*a.rare + [1.]*(len(FMNIST_CLASSES) - a.rare)
    rare = list(FMNIST_CLASSES[:a.rare])
    started = machine()
    path = make_fmnist_grids(n_train=a.n_train, n_valid=a.n_valid, seed=42, class_weights=weights)
    import pandas as pd
    from mlc.data import load_labels
    df = load_labels(path, check_images=False)
    prev = {c: float(df[df.is_valid].labels.str.split().map(lambda l: c in l).mean()) for c in FMNIST_CLASSES}
    print(f"losses: {a.n_train}+{a.n_valid} composites at {a.size}px, bs {a.bs}, {a.epochs + 1} epochs (1 frozen + {a.epochs}), "
          f"rare classes {rare} (weight {a.rare_weight:g}; validation prevalence {min(prev[c] for c in rare):.3f}-"
          f"{max(prev[c] for c in rare):.3f}, frequent {min(prev[c] for c in FMNIST_CLASSES[a.rare:]):.3f}-"
          f"{max(prev[c] for c in FMNIST_CLASSES[a.rare:]):.3f}), seeds {a.seeds}   [{busy_note(started['loadavg'])}]", flush=True)
    runs = []
    for i, seed in enumerate(a.seeds):
        order = a.variants[i % len(a.variants):] + a.variants[:i % len(a.variants)]
        runs += [one_run(path, v, seed, a, rare) for v in order]
    cols = ['mAP', 'mAP_rare', 'mAP_frequent', 'f1_macro_05', 'f1_macro_tuned', 'ece_raw', 'ece_T_model', 'ece_T_label', 'T_model', 'fit_s', 'cpu_s']
    res = pd.DataFrame([{k: r[k] for k in ['variant', 'seed', *cols]} for r in runs])
    bce_fit = res[res.variant == a.variants[0]].set_index('seed').fit_s
    res['fit_ratio'] = res.fit_s / res.seed.map(bce_fit)
    summary = res.groupby('variant', sort=False)[cols + ['fit_ratio']].agg(['mean', 'std'])
    print(f"\nper run:\n{res.to_string(index=False, float_format=lambda v: f'{v:.4f}')}")
    print(f"\nmean and std over {len(a.seeds)} seed(s) (fit_ratio: fit time / {a.variants[0]}'s fit time, same seed):")
    print(summary.to_string(float_format=lambda v: f'{v:.4f}'))
    means = res.groupby('variant', sort=False)[['mAP', 'f1_macro_tuned']].mean()
    best = means.mAP.idxmax()
    print(f"\nbest mAP: {best} ({means.mAP[best]:.4f}); " + ', '.join(f"{v} - {a.variants[0]}: mAP {means.mAP[v] - means.mAP.iloc[0]:+.4f}, "
          f"tuned macro-F1 {means.f1_macro_tuned[v] - means.f1_macro_tuned.iloc[0]:+.4f}" for v in means.index[1:]))
    mean = lambda v, c: summary.loc[v, (c, 'mean')]
    b = a.variants[0]
    line = '; '.join(f"{v} mAP {mean(v, 'mAP'):.3f} (rare {mean(v, 'mAP_rare'):.3f}, frequent {mean(v, 'mAP_frequent'):.3f}), "
                     f"tuned macro-F1 {mean(v, 'f1_macro_tuned'):.3f}, ECE raw {mean(v, 'ece_raw'):.3f} / per-label T {mean(v, 'ece_T_label'):.3f} / "
                     f"one T {mean(v, 'ece_T_model'):.3f}, fit time {mean(v, 'fit_ratio'):.2f}x" for v in summary.index)
    wins = [v for v in summary.index if v.startswith('asl') and mean(v, 'mAP') > mean(b, 'mAP') and mean(v, 'f1_macro_tuned') > mean(b, 'f1_macro_tuned')]
    save('losses', dict(means={v: {c: dict(mean=summary.loc[v, (c, 'mean')], std=summary.loc[v, (c, 'std')]) for c in cols + ['fit_ratio']}
                                 for v in summary.index}, runs=runs,
                        setup=dict(n_train=a.n_train, n_valid=a.n_valid, size=a.size, bs=a.bs, epochs=a.epochs + 1,
                                   class_weights=weights, rare=rare, valid_prevalence=prev)), a, started,
         summary=f"{line} ({len(a.seeds)} seed{'s'*(len(a.seeds) > 1)}, means)" + (f'; best: {best}' if len(summary) > 1 else ''),
         goal='BCE (the default) not beaten by ASL on both mAP and tuned macro-F1', met=not wins)

if __name__ == '__main__': main()
