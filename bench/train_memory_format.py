"""Benchmark: seconds per optimizer step (forward + backward + Adam) on a fixed batch with contiguous (NCHW) vs
`channels_last` weights and input, for lite0 frozen and unfrozen (pretrained) and random-init resnet18 (full run
only). Goal: channels_last (mlc_learner's default) faster for unfrozen lite0. Interleaved; medians, and each round's ratio.

    .venv/bin/python bench/train_memory_format.py [--quick]
"""
from common import *
from train_setup import train_args, composites

def step_fn(dls, xb, yb, arch, pretrained, cl, frozen):
    "One optimizer step of `arch`'s `mlc_learner` model on the batch, in the memory format asked."
    from mlc.learner import mlc_learner
    learn = mlc_learner(dls, arch, pretrained=pretrained, channels_last=False, bars=False)
    if frozen: learn.freeze()
    else: learn.unfreeze()
    m = learn.model.train()
    if cl: m = m.to(memory_format=torch.channels_last)
    opt, lf = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], 1e-4), torch.nn.BCEWithLogitsLoss()
    def step():
        opt.zero_grad(); lf(m(xb), yb).backward(); opt.step()
    return step

def main():
    a = parse(__doc__.split('\n')[0], train_args)
    rounds = a.repeats or (3 if a.quick else 5)
    archs = (('tf_efficientnet_lite0', True),) if a.quick else (('tf_efficientnet_lite0', True), ('resnet18', False))
    started = machine()
    from mlc.data import mlc_dls
    dls = mlc_dls(composites(), size=a.size, bs=a.bs, seed=0)
    xb, yb = (t.as_subclass(torch.Tensor) for t in dls.one_batch())
    print(f"train_memory_format: {a.bs} x {a.size} px, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    vs = {}
    for arch, pre in archs:
        for frozen in ((True, False) if pre else (False,)):
            for cl in (False, True):
                vs[f"{arch.replace('tf_efficientnet_', '')} {'frozen' if frozen else 'unfrozen'} {'channels_last' if cl else 'contiguous'}"] = \
                    step_fn(dls, xb, yb, arch, pre, cl, frozen)
    r = interleaved(vs, repeats=rounds, warmup=1)
    sv = {k: dict(s_per_step=v['median'], cpu_s=v['cpu_median'], img_per_s=a.bs/v['median'], times=v['times']) for k, v in r.items()}
    rows = []
    for k, v in sv.items():
        ref = sv[k.replace('channels_last', 'contiguous')]
        rows.append(dict(model_step=k, s_per_step=v['s_per_step'], cpu_s=v['cpu_s'], img_per_s=v['img_per_s'],
                         speedup=ratio(ref['s_per_step'], v['s_per_step']),
                         per_round=' '.join(f'{r/c:.2f}' for r, c in zip(ref['times'], v['times']))))
    table(rows, title="\ntraining step on a fixed batch (forward+backward+Adam); speedup vs the same model contiguous (per_round: each round's ratio)")
    sp = {r['model_step'].replace(' channels_last', ''): r['speedup'] for r in rows if 'channels_last' in r['model_step']}
    summary = 'channels_last / contiguous step speed: ' + ', '.join(f'{k} {v:.2f}x' for k, v in sp.items())
    save('train_memory_format', dict(rows=rows, setup=dict(size=a.size, bs=a.bs, rounds=rounds)), a, started, summary=summary,
         goal='channels_last faster for unfrozen lite0', met=sp['lite0 unfrozen'] > 1)

if __name__ == '__main__': main()
