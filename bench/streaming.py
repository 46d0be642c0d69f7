"""Benchmark: streaming prediction over big folders. Peak RSS and files/s of `mlc_predict MODEL FOLDER --out x.csv`
(rows appended to the CSV batch by batch, files listed lazily) for folders of 2,000 and 8,000 generated shapes
images. Goals: peak RSS within 20% between the two sizes, files/s unchanged.

Each run is a fresh process, started by a small wrapper that reports the peak resident set size of its children
(`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`: the largest process, decoding workers included), so no run
inherits another's peak. files/s is the one `mlc_predict` prints on its last progress line: prediction only, after
imports and model loading. A one-batch run (64 files) gives the fixed cost (Python, torch, the model) for reference,
and `cpu_ms_per_file` is the CPU time (user + system, all processes of the run) above that run's, per file above its
64: on a shared machine it moves far less than files/s, which counts the time other processes take. The in-memory
API (`mlc.runtime.predict_files`, every row kept, written at the end) is measured beside the streaming one. Sizes are interleaved (small, big, big, small, ...) and repeated; medians.

The model is `mlc_learner`'s default (EfficientNet-Lite0, ImageNet body, untrained head) at 64 px, saved as the
safe artifact: the speed does not depend on the weights.

    .venv/bin/python bench/streaming.py [--quick] [--sizes 2000 8000] [--workers 0] [--repeats 2]
"""
import re, resource, shutil, subprocess, tempfile
from common import *

WRAP = '''import json, resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps(dict(rc=r.returncode, maxrss_kb=u.ru_maxrss, cpu_s=u.ru_utime + u.ru_stime, out=r.stdout[-300:], err=r.stderr[-600:])))
'''

KEEP = '''import sys, time
from mlc.predictor import load_predictor
from mlc.runtime import predict_files, iter_image_files
m = load_predictor(sys.argv[1]); t = time.perf_counter()
rows = predict_files(m, iter_image_files(sys.argv[2]), out=sys.argv[3], bs=int(sys.argv[4]), num_workers=int(sys.argv[5]))
dt = time.perf_counter() - t
print(f"mlc_predict: {len(rows)} files in {dt:.1f} s, {len(rows)/dt:.1f} files/s", file=sys.stderr)
'''

def args(p):
    p.add_argument('--sizes', type=int, nargs='+', default=None, help='folder sizes (default 2000 8000; quick 500 2000)')
    p.add_argument('--workers', type=int, default=0, help='mlc_predict --workers')
    p.add_argument('--bs', type=int, default=64, help='mlc_predict --bs')
    p.add_argument('--repeats', type=int, default=None, help='rounds (default 2, quick 1)')

def measure(cmd:list) -> dict:
    "Run `cmd` in a fresh wrapper process: exit code, peak RSS (MB) of the largest child, its CPU seconds, files/s from its last progress line"
    r = json.loads(subprocess.run([sys.executable, '-c', WRAP, *map(str, cmd)], capture_output=True, text=True, check=True).stdout)
    if r['rc']: raise RuntimeError(f"{cmd} failed: {r['err']}")
    m = re.findall(r'(\d[\d,]*) files in ([\d.]+) s, ([\d.]+) files/s', r['err'])
    n, s, rate = m[-1]
    return dict(peak_mb=r['maxrss_kb'] / 1024, cpu_s=r['cpu_s'], files=int(n.replace(',', '')), seconds=float(s), files_s=float(rate))

def setup(a, work:Path):
    "The model artifact and one folder of shapes per size (in the mlc cache), plus a one-batch folder"
    from mlc.datasets import make_shapes
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    from mlc.inference import save_model_artifact
    learn = mlc_learner(mlc_dls(make_shapes(n=200, size=64), size=64, bs=64, seed=0), bars=False)
    model = save_model_artifact(learn, work/'model', thresh=0.5, temperature=1.)
    folders = {n: make_shapes(n=n, size=64, seed=n)/'train' for n in sorted({64, *a.sizes})}
    return model, folders

def main():
    a = parse(__doc__.split('\n')[0], args)
    a.sizes = a.sizes or ([500, 2000] if a.quick else [2000, 8000])
    a.repeats = a.repeats or (1 if a.quick else 2)
    started = machine()
    work = Path(tempfile.mkdtemp())
    model, folders = setup(a, work)
    bin = Path(sys.executable).parent
    variants = {'mlc_predict --out (streaming)': lambda n: [bin/'mlc_predict', model, folders[n], '--out', work/'p.csv', '--bs', a.bs, '--workers', a.workers],
                'predict_files (rows kept)': lambda n: [sys.executable, '-c', KEEP, model, folders[n], work/'p.csv', a.bs, a.workers]}
    order = [n for r in range(a.repeats) for n in (a.sizes if r % 2 == 0 else a.sizes[::-1])]
    res = {v: {n: [] for n in [64, *a.sizes]} for v in variants}
    for v, cmd in variants.items():
        res[v][64].append(measure(cmd(64)))
        for n in order:
            res[v][n].append(measure(cmd(n)))
            print(f"{v:32s} {n:6,d} files: {res[v][n][-1]}", flush=True)
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    rows = []
    for v in variants:
        base, cpu0 = med(res[v][64], 'peak_mb'), med(res[v][64], 'cpu_s')
        for n in [64, *a.sizes]:
            rows.append(dict(variant=v, files=n, peak_rss_mb=round(med(res[v][n], 'peak_mb'), 1),
                             above_one_batch_mb=round(med(res[v][n], 'peak_mb') - base, 1),
                             files_s=round(med(res[v][n], 'files_s'), 1) if n != 64 else None,
                             cpu_ms_per_file=round(1000 * (med(res[v][n], 'cpu_s') - cpu0) / (n - 64), 2) if n != 64 else None))
    small, big = a.sizes[0], a.sizes[-1]
    s = {n: med(res['mlc_predict --out (streaming)'][n], 'peak_mb') for n in (small, big)}
    r = {n: med(res['mlc_predict --out (streaming)'][n], 'files_s') for n in (small, big)}
    goals = dict(rss_ratio=round(s[big] / s[small], 3), rss_goal_met=s[big] <= 1.2 * s[small],
                 throughput_ratio=round(r[big] / r[small], 3))
    print(f"\npeak RSS and files/s of mlc_predict --out, bs {a.bs}, workers {a.workers} (medians of {a.repeats}); {busy_note(started['loadavg'], os.getloadavg())}")
    table(rows)
    print(f"\nstreaming: peak RSS {big:,} / {small:,} files = {goals['rss_ratio']:.3f} (goal <= 1.2: {'met' if goals['rss_goal_met'] else 'NOT met'}); "
          f"files/s {big:,} / {small:,} = {goals['throughput_ratio']:.3f}")
    summary = (f"mlc_predict --out: peak RSS at {big:,} files / at {small:,} = {goals['rss_ratio']:.3f}, files/s "
               f"{big:,} / {small:,} = {goals['throughput_ratio']:.2f} ({s[big]:,.0f} MB, {r[big]:.0f} files/s at {big:,})")
    raw = {v: {n: [{k: m[k] for k in ('peak_mb', 'cpu_s', 'files_s')} for m in ms] for n, ms in d.items()} for v, d in res.items()}
    save('streaming', dict(rows=rows, goals=goals, raw=raw), a, started, summary=summary,
         goal='peak RSS within 20% between the sizes', met=goals['rss_goal_met'])
    shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__': main()
