"""Benchmark: a real short `learn.fit` (unfrozen lite0, a few batches, no validation) with DataLoader num_workers 0 vs 2
(persistent workers), each with contiguous and channels_last weights: seconds per batch end to end. Goal: mlc's setting
(num_workers 0, channels_last) the fastest on this machine, within 5%. Interleaved; medians.

    .venv/bin/python bench/train_workers.py [--quick]
"""
from common import *
from train_setup import train_args, composites

def args(p):
    train_args(p)
    p.add_argument('--batches', type=int, default=None, help='batches per fit trial (default 6, quick 3)')

def learners(a, batches) -> dict:
    "An unfrozen lite0 learner per variant, its fit stopped after `batches` batches and before validation."
    from fastai.vision.all import Callback, CancelEpochException, CancelValidException, noop
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    class Stop(Callback):
        def before_batch(self):
            if self.iter >= batches: raise CancelEpochException()
        def before_validate(self): raise CancelValidException()
    out = {}
    for nw in (0, 2):
        for cl in (False, True):
            dls = mlc_dls(composites(), size=a.size, bs=a.bs, seed=0, num_workers=nw, persistent_workers=nw > 0)
            learn = mlc_learner(dls, cbs=[Stop()], channels_last=cl, bars=False)
            learn.logger = noop
            learn.unfreeze()
            out[f"num_workers={nw} {'channels_last' if cl else 'contiguous'}"] = learn
    return out

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds, batches = a.repeats or (3 if a.quick else 5), a.batches or (3 if a.quick else 6)
    started = machine()
    ls = learners(a, batches)
    print(f"train_workers: lite0 at {a.size}px, bs {a.bs}, {batches} batches per trial, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    r = interleaved({k: (lambda l=l: l.fit(1, 1e-4)) for k, l in ls.items()}, repeats=rounds, warmup=1)
    fv = {k: dict(s_per_batch=v['median']/batches, img_per_s=a.bs*batches/v['median'], cpu_s_per_batch=v['cpu_median']/batches) for k, v in r.items()}
    b = fv['num_workers=0 contiguous']['s_per_batch']
    rows = [dict(fit=k, s_per_batch=v['s_per_batch'], img_per_s=v['img_per_s'], speedup=ratio(b, v['s_per_batch'])) for k, v in fv.items()]
    table(rows, title=f'\nreal learn.fit, unfrozen lite0, {batches} batches per trial; speedup vs num_workers=0 contiguous')
    mlc = fv['num_workers=0 channels_last']['img_per_s']
    best = max(fv, key=lambda k: fv[k]['img_per_s'])
    summary = ("a real fit, img/s relative to num_workers 0 contiguous: " + ', '.join(f"{r['fit']} {r['speedup']:.2f}x" for r in rows[1:]) +
               f"; fastest: {best}")
    save('train_workers', dict(rows=rows, setup=dict(size=a.size, bs=a.bs, rounds=rounds, batches=batches)), a, started, summary=summary,
         goal="mlc's setting (num_workers 0, channels_last) within 5% of the fastest", met=mlc >= 0.95*fv[best]['img_per_s'])

if __name__ == '__main__': main()
