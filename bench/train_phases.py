"""Benchmark: where a training batch's time goes in mlc's training loop (`time_to_quality.py`'s setup, unfrozen lite0,
contiguous weights as before channels_last became mlc's default): torch.profiler over a few fastai-style batches with
one label per phase (data: decode, Resize, collate, batch transforms; forward; backward; optimizer step), and the top
ops by self CPU time. No goal: it says which phase a speed-up must aim at.

    .venv/bin/python bench/train_phases.py [--quick]
"""
from common import *
from train_setup import train_args, composites

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

def main():
    a = parse(__doc__.split('\n')[0], train_args)
    started = machine()
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    n = 3 if a.quick else 5
    print(f"train_phases: lite0 at {a.size}px, bs {a.bs}, {n} profiled batches   [{busy_note(started['loadavg'])}]", flush=True)
    learn = mlc_learner(mlc_dls(composites(), size=a.size, bs=a.bs, seed=0), channels_last=False, bars=False); learn.unfreeze()
    prof = phase_profile(learn, n)
    ph = prof['phases_s_per_batch']; tot = sum(ph.values())
    table([dict(phase=k, s_per_batch=v, share=v/tot) for k, v in ph.items()],
          title='\ntorch.profiler, unfrozen lite0, contiguous weights (one batch = data + forward + backward + Adam step)')
    table(prof['top_ops'][:8], title='\ntop ops by self CPU time')
    summary = (f"a training batch ({a.bs} x {a.size} px, unfrozen lite0): " + ', '.join(f"{k} {v/tot:.0%}" for k, v in ph.items()) +
               f" of {tot:.2f} s; top op {prof['top_ops'][0]['op']} ({prof['top_ops'][0]['share']:.0%} of self CPU)")
    save('train_phases', dict(profile=prof, setup=dict(size=a.size, bs=a.bs, batches=n)), a, started, summary=summary,
         goal='where the time goes (no goal)')

if __name__ == '__main__': main()
