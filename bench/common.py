"""The benchmark harness: the command line, machine info, interleaved timing (wall + process CPU), result tables and
the result JSON. No library idea lives here: data, models, metrics and learners come from `mlc`; the plain PyTorch
baseline is `baseline.py`, the fastai epoch clock `fit_clock.py`.

Benchmarks are scripts, not tests: `python bench/NAME.py [--quick]` prints a table and writes bench/results/NAME.json.
On a shared 2-core machine absolute times are noisy, so compare variants measured in the same run (interleaved,
repeated, median) and quote ratios. Every result records the load average before and after the run.
"""
from __future__ import annotations
import argparse, json, os, platform, statistics, sys, time, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
os.environ.setdefault('MPLBACKEND', 'Agg')
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH/'results'
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))

import numpy as np, torch

# ---------------------------------------------------------------- command line, machine, output
def parse(desc:str, extra=None) -> argparse.Namespace:
    "Arguments common to every benchmark (`--quick`, `--threads`), plus those `extra(parser)` adds."
    p = argparse.ArgumentParser(description=desc)
    p.add_argument('--quick', action='store_true', help='short version (a minute or two)')
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads (default: torch default = cores)')
    if extra: extra(p)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    return a

def cpu_model() -> str:
    try:
        for l in Path('/proc/cpuinfo').read_text().splitlines():
            if l.startswith('model name'): return l.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor()

def machine() -> dict:
    "What the numbers were measured on, and how busy the machine was."
    import fastai, timm
    return dict(cpu=cpu_model(), cores=os.cpu_count(), torch_threads=torch.get_num_threads(), torch=torch.__version__,
                fastai=fastai.__version__, timm=timm.__version__, python=platform.python_version(),
                loadavg=os.getloadavg(), time=time.strftime('%Y-%m-%d %H:%M:%S'))

def busy_note(load0, load1=None) -> str:
    "A line about the load from other processes (the 1-minute load average vs the core count)."
    cores = os.cpu_count()
    s = f"load average (1 min) {load0[0]:.1f}" + (f" -> {load1[0]:.1f}" if load1 else '') + f" on {cores} cores"
    if max(load0[0], (load1 or load0)[0]) > cores + 0.5: s += "  (other processes busy: absolute times inflated, trust the ratios)"
    return s

def save(name:str, results:dict, args=None, started:dict=None, summary:str='', goal:str='', met=None) -> Path:
    """Write `results` (plus machine info, arguments, and the claim: a one-line `summary` computed from the measured
    numbers, its `goal` and whether it was `met`, None without a goal) to bench/results/NAME.json; floats rounded."""
    clash = {'benchmark', 'summary', 'goal', 'met', 'args', 'machine', 'loadavg_start', 'loadavg_end'} & set(results)
    if clash: raise ValueError(f"save: results may not use the keys {sorted(clash)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    m = machine()
    out = dict(benchmark=name, summary=summary, goal=goal, met=None if met is None else bool(met),
               args=vars(args) if args is not None else {}, machine=started or m,   # as it was when the run started
               loadavg_start=(started or {}).get('loadavg'), loadavg_end=m['loadavg'], **results)
    fn = RESULTS/f'{name}.json'
    fn.write_text(json.dumps(rounded(json.loads(json.dumps(out, default=_json_default))), indent=1) + '\n')
    print(f"\n{summary}\ngoal: {goal or '-'}: {dict([(True, 'met'), (False, 'NOT met')]).get(met, '-')}")
    print(f"wrote {fn.relative_to(ROOT)} ({fn.stat().st_size/1e3:.1f} kB)   [{busy_note((started or m)['loadavg'], m['loadavg'])}]")
    return fn

def rounded(o, digits:int=4):
    "`o` with every float rounded to `digits` significant digits (small result files)."
    if isinstance(o, float): return float(f'{o:.{digits}g}')
    if isinstance(o, dict): return {k: rounded(v, digits) for k, v in o.items()}
    if isinstance(o, list): return [rounded(v, digits) for v in o]
    return o

def _json_default(o):
    if isinstance(o, (np.floating, np.integer)): return o.item()
    if isinstance(o, np.ndarray): return o.tolist()
    if isinstance(o, torch.Tensor): return o.tolist()
    if isinstance(o, Path): return str(o)
    return str(o)

def table(rows:list, cols:list=None, title:str=None) -> str:
    "A plain-text table of a list of dicts (columns: `cols` or all), numbers to 3 significant decimals; printed and returned."
    import pandas as pd
    if not rows: return ''
    df = pd.DataFrame(rows, columns=cols)
    s = (title + '\n' if title else '') + df.to_string(index=False, float_format=lambda v: f'{v:,.1f}' if abs(v) >= 100 else f'{v:.3f}')
    print(s, flush=True)
    return s

# ---------------------------------------------------------------- timing
class Clock:
    "Wall time and this process's CPU time (all threads) between `start()` and now."
    def __init__(self): self.start()
    def start(self): self.w0, self.c0 = time.perf_counter(), time.process_time(); return self
    @property
    def wall(self) -> float: return time.perf_counter() - self.w0
    @property
    def cpu(self) -> float: return time.process_time() - self.c0

def timeit(f, *args, **kwargs) -> tuple:
    "(result, wall seconds, CPU seconds) of one call."
    c = Clock(); r = f(*args, **kwargs)
    return r, c.wall, c.cpu

def interleaved(variants:dict, repeats:int=3, warmup:int=1, min_time:float=0.0) -> dict:
    """Time each zero-argument callable in `variants` `repeats` times, alternating their order every round (ABC, CAB, BCA...)
    so that a change in machine load hits all of them alike. A round calls a variant until `min_time` seconds have
    passed (at least once) and records seconds per call. Returns {name: dict(median, min, times, cpu_median)}."""
    names = list(variants)
    for _ in range(warmup):
        for n in names: variants[n]()
    times, cpus = {n: [] for n in names}, {n: [] for n in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        if r % 2: order = order[::-1]
        for n in order:
            k, c = 0, Clock()
            while True:
                variants[n](); k += 1
                if c.wall >= min_time: break
            times[n].append(c.wall/k); cpus[n].append(c.cpu/k)
    return {n: dict(median=statistics.median(times[n]), min=min(times[n]), times=times[n],
                    cpu_median=statistics.median(cpus[n])) for n in names}

def ratio(a:float, b:float) -> float: return a/b if b else float('nan')
