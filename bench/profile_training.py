"""Profile of mlc's training loop (benchmark 1's setup) on the Fashion-MNIST composites: where a batch's time goes
(data: PIL decode, Resize, collate, batch transforms; model: forward, backward, optimizer step) and what the candidate
speed-ups buy, each measured interleaved against the current setting in the same run:

  * data: per-item Resize 56->64 vs training at the native 56 px vs composites pre-sized to 64 px once;
    fastai's `Flip()` batch transform (affine grid + grid_sample) vs a plain `torch.flip` on half the batch;
  * model: contiguous (NCHW) vs `channels_last` weights, for the fastai lite0 model (frozen and unfrozen) and resnet18;
  * end to end: a short real `learn.fit` (K batches) with num_workers 0 vs 2 (persistent workers) and contiguous vs channels_last.

    .venv/bin/python bench/profile_training.py [--quick]
"""
import statistics
from common import *

def args(p):
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 3)')
    p.add_argument('--batches', type=int, default=None, help='batches per end-to-end fit trial (default 6, quick 3)')

def presized(path, size:int) -> Path:
    "A copy of the dataset at `path` with every image resized once to `size` px (what generating at the training size gives)."
    from PIL import Image
    from mlc.datasets import mlc_cache
    out = mlc_cache('bench', f'{Path(path).name}_presized{size}')
    if (out/'train.csv').exists(): return out
    (out/'train').mkdir(parents=True, exist_ok=True)
    for f in sorted((Path(path)/'train').glob('*.png')):
        with Image.open(f) as im: im.resize((size, size), Image.BILINEAR).save(out/'train'/f.name, compress_level=1)
    for fn in ('train.csv', 'mlc.json'): (out/fn).write_bytes((Path(path)/fn).read_bytes())
    return out

def phase_profile(learn, n:int) -> dict:
    "torch.profiler over `n` fastai-style training batches, with record_function labels per phase; seconds per batch."
    from torch.profiler import profile, record_function, ProfilerActivity
    learn.create_opt(); learn.model.train()
    it = iter(learn.dls.train)
    xb, yb = next(it)   # warm-up
    learn.loss_func(learn.model(xb), yb).backward(); learn.opt.zero_grad()
    phases = dict(data=0., forward=0., backward=0., opt_step=0.)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(n):
            t = time.perf_counter()
            with record_function('data'): xb, yb = next(it)
            t1 = time.perf_counter()
            with record_function('forward'): loss = learn.loss_func(learn.model(xb), yb)
            t2 = time.perf_counter()
            with record_function('backward'): loss.backward()
            t3 = time.perf_counter()
            with record_function('opt_step'): learn.opt.step(); learn.opt.zero_grad()
            t4 = time.perf_counter()
            for k, d in zip(phases, (t1-t, t2-t1, t3-t2, t4-t3)): phases[k] += d/n
    ka = prof.key_averages()
    top = sorted((e for e in ka if e.key not in phases), key=lambda e: -e.self_cpu_time_total)[:12]
    tot = sum(e.self_cpu_time_total for e in ka if e.key not in phases)
    ops = [dict(op=e.key, self_cpu_ms_per_batch=e.self_cpu_time_total/1e3/n, share=e.self_cpu_time_total/tot) for e in top]
    return dict(phases_s_per_batch=phases, top_ops=ops)

def data_variants(path, path64, a, rounds):
    "Seconds per training batch of the fastai data pipeline alone (decode ... batch transforms) for several settings."
    from fastai.vision.all import Flip, Normalize, imagenet_stats, Transform, TensorImage
    from mlc.data import mlc_dls
    class TorchFlip(Transform):
        "Horizontal flip of a random half of the batch (what Flip() does, without affine_grid/grid_sample)."
        split_idx, order = 0, 10   # training only; after IntToFloatTensor
        def encodes(self, x:TensorImage):
            m = torch.rand(len(x)) < 0.5
            if m.any(): x = x.clone(); x[m] = x[m].flip(-1)
            return x
    norm = Normalize.from_stats(*imagenet_stats)
    dls = {f'resize 56->{a.size} (current)': mlc_dls(path, size=a.size, bs=a.bs, seed=0),
           'native 56 px': mlc_dls(path, size=56, bs=a.bs, seed=0),
           f'pre-sized {a.size} px': mlc_dls(path64, size=a.size, bs=a.bs, seed=0),
           f'resize 56->{a.size}, torch.flip': mlc_dls(path, size=a.size, bs=a.bs, seed=0, batch_tfms=[TorchFlip(), norm]),
           f'resize 56->{a.size}, no flip': mlc_dls(path, size=a.size, bs=a.bs, seed=0, batch_tfms=[norm])}
    nb = 4
    def run(dl):
        it = iter(dl.train)
        for _ in range(nb): next(it)
    r = interleaved({k: (lambda d=d: run(d)) for k, d in dls.items()}, repeats=rounds, warmup=1)
    return {k: dict(s_per_batch=v['median']/nb, cpu_s_per_batch=v['cpu_median']/nb) for k, v in r.items()}

def step_variants(dls, a, rounds, archs=(('tf_efficientnet_lite0', True), ('resnet18', False))):
    "Seconds per optimizer step (forward+backward+Adam) on a fixed batch: contiguous vs channels_last, frozen/unfrozen, archs."
    from mlc.learner import mlc_learner
    xb, yb = dls.one_batch()
    xb, yb = xb.as_subclass(torch.Tensor), yb.as_subclass(torch.Tensor)
    lf = torch.nn.BCEWithLogitsLoss()
    def mk(arch, pretrained, cl, frozen):
        learn = mlc_learner(dls, arch, pretrained=pretrained, channels_last=False)
        if frozen: learn.freeze()
        else: learn.unfreeze()
        m = learn.model.train()
        if cl: m = m.to(memory_format=torch.channels_last)
        opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], 1e-4)
        def step():
            opt.zero_grad(); lf(m(xb), yb).backward(); opt.step()
        return step
    vs = {}
    for arch, pre in archs:
        for frozen in ((True, False) if pre else (False,)):
            for cl in (False, True):
                vs[f"{arch.replace('tf_efficientnet_', '')} {'frozen' if frozen else 'unfrozen'} {'channels_last' if cl else 'contiguous'}"] = mk(arch, pre, cl, frozen)
    r = interleaved(vs, repeats=rounds, warmup=1)
    return {k: dict(s_per_step=v['median'], cpu_s=v['cpu_median'], img_per_s=a.bs/v['median'], times=v['times']) for k, v in r.items()}

def fit_variants(path, a, rounds, batches):
    "A real short `learn.fit` (unfrozen lite0, `batches` batches, no validation): num_workers 0/2 x contiguous/channels_last."
    from fastai.vision.all import Callback, CancelEpochException, CancelValidException
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    class Stop(Callback):
        def before_batch(self):
            if self.iter >= batches: raise CancelEpochException()
        def before_validate(self): raise CancelValidException()
    learners = {}
    for nw in (0, 2):
        for cl in (False, True):
            dls = mlc_dls(path, size=a.size, bs=a.bs, seed=0, num_workers=nw, persistent_workers=nw > 0)
            learn = mlc_learner(dls, cbs=[Stop()], channels_last=cl)
            learn.logger = lambda *a, **k: None
            learn.unfreeze()
            learners[f"num_workers={nw} {'channels_last' if cl else 'contiguous'}"] = learn
    r = interleaved({k: (lambda l=l: l.fit(1, 1e-4)) for k, l in learners.items()}, repeats=rounds, warmup=1)
    return {k: dict(s_per_batch=v['median']/batches, img_per_s=a.bs*batches/v['median'],
                    cpu_s_per_batch=v['cpu_median']/batches) for k, v in r.items()}

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (3 if a.quick else 5)
    batches = a.batches or (3 if a.quick else 6)
    started = machine()
    no_progress()
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    path = fmnist(2000, 500)
    path64 = presized(path, a.size)
    print(f"profile_training: lite0 at {a.size}px, bs {a.bs}, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)

    dls = mlc_dls(path, size=a.size, bs=a.bs, seed=0)
    learn = mlc_learner(dls, channels_last=False); learn.unfreeze()   # the profile as it was before the speed work
    prof = phase_profile(learn, 3 if a.quick else 5)
    ph = prof['phases_s_per_batch']; tot = sum(ph.values())
    table([dict(phase=k, s_per_batch=v, share=v/tot) for k, v in ph.items()], title='\n1. torch.profiler, unfrozen lite0 (contiguous weights, as before channels_last became the default), mlc_dls (one batch = data + forward + backward + Adam step)')
    table(prof['top_ops'][:8], title='\ntop ops by self CPU time')

    sv = step_variants(dls, a, rounds, (('tf_efficientnet_lite0', True),) if a.quick else (('tf_efficientnet_lite0', True), ('resnet18', False)))
    dv = data_variants(path, path64, a, rounds)
    step_s = sv['lite0 unfrozen contiguous']['s_per_step']
    base = dv[f'resize 56->{a.size} (current)']['s_per_batch']
    table([dict(data_pipeline=k, s_per_batch=v['s_per_batch'], speedup=ratio(base, v['s_per_batch']),
                vs_model_step=v['s_per_batch']/step_s) for k, v in dv.items()],
          title='\n2. data pipeline alone (num_workers=0), s per batch; speedup vs current; vs_model_step: / unfrozen lite0 step of table 3')

    rows = []
    for k, v in sv.items():
        ref = sv[k.replace('channels_last', 'contiguous')]
        rows.append(dict(model_step=k, s_per_step=v['s_per_step'], cpu_s=v['cpu_s'], img_per_s=v['img_per_s'],
                         speedup=ratio(ref['s_per_step'], v['s_per_step']),
                         per_round=' '.join(f'{r/c:.2f}' for r, c in zip(ref['times'], v['times']))))
    table(rows, title='\n3. training step on a fixed batch (forward+backward+Adam); speedup vs the same model contiguous (per_round: each round\'s ratio)')

    fv = fit_variants(path, a, rounds, batches)
    b = fv['num_workers=0 contiguous']['s_per_batch']
    table([dict(fit=k, s_per_batch=v['s_per_batch'], img_per_s=v['img_per_s'], speedup=ratio(b, v['s_per_batch']))
           for k, v in fv.items()], title=f'\n4. real learn.fit, unfrozen lite0, {batches} batches per trial; speedup vs num_workers=0 contiguous (before; mlc now uses num_workers=0 channels_last)')
    save('profile_training', dict(profile=prof, data=dv, step=sv, fit=fv,
                                  setup=dict(size=a.size, bs=a.bs, rounds=rounds, batches=batches)), a, started)

if __name__ == '__main__': main()
