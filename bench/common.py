"""Shared helpers for mlc's benchmarks: timing (wall + process CPU), interleaved comparisons, machine info,
result tables/JSON, the Fashion-MNIST composite data, a fastai epoch clock and a plain PyTorch training loop.

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

def save(name:str, results:dict, args=None, started:dict=None) -> Path:
    "Write `results` (plus machine info and arguments) to bench/results/NAME.json and return the path."
    RESULTS.mkdir(parents=True, exist_ok=True)
    m = machine()
    out = dict(benchmark=name, args=vars(args) if args is not None else {}, machine=m,
               loadavg_start=(started or {}).get('loadavg'), loadavg_end=m['loadavg'], **results)
    fn = RESULTS/f'{name}.json'
    fn.write_text(json.dumps(out, indent=1, default=_json_default))
    print(f"\nwrote {fn.relative_to(ROOT)}   [{busy_note((started or m)['loadavg'], m['loadavg'])}]")
    return fn

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

# ---------------------------------------------------------------- data
def fmnist(n_train:int=2000, n_valid:int=500, seed:int=42) -> Path:
    "The Fashion-MNIST 2x2 composites (56x56 grey PNGs, PASCAL layout) in the mlc cache, built once."
    from mlc.datasets import make_fmnist_grids
    return make_fmnist_grids(n_train=n_train, n_valid=n_valid, seed=seed)

def split_files(path) -> tuple:
    "(train files, train targets, valid files, valid targets, vocab) of a PASCAL-layout dataset, targets as float multi-hot."
    from mlc.data import load_labels
    from sklearn.preprocessing import MultiLabelBinarizer
    df = load_labels(path, check_images=False)
    mlb = MultiLabelBinarizer()
    ys = torch.tensor(mlb.fit_transform([s.split() for s in df.labels]), dtype=torch.float32)
    vocab = list(mlb.classes_)
    files = [Path(path)/'train'/f for f in df.fname]
    tr, va = ~df.is_valid.values, df.is_valid.values
    idx = np.arange(len(df))
    return ([files[i] for i in idx[tr]], ys[tr], [files[i] for i in idx[va]], ys[va], vocab)

# ---------------------------------------------------------------- quality
def quality(probs, targs) -> dict:
    "mAP, macro-F1 at 0.5, and macro-F1 at per-label thresholds (mlc.thresholds.tune_thresholds' 2-fold held-out estimate)."
    from mlc.metrics import mean_ap, f1_multi
    from mlc.thresholds import tune_thresholds
    probs, targs = torch.as_tensor(probs).float(), torch.as_tensor(targs).float()
    _, held = tune_thresholds(probs, targs)
    return dict(mAP=mean_ap(probs, targs), f1_macro_05=f1_multi(probs, targs, 'macro', 0.5), f1_macro_tuned=held['f1_macro'])

# ---------------------------------------------------------------- a plain PyTorch loop, as written on forums
class ImageFiles(torch.utils.data.Dataset):
    "Forum-style dataset: PIL open, convert RGB, torchvision transforms, multi-hot target."
    def __init__(self, files, targs, tfm): self.files, self.targs, self.tfm = files, targs, tfm
    def __len__(self): return len(self.files)
    def __getitem__(self, i):
        from PIL import Image
        with Image.open(self.files[i]) as im: x = self.tfm(im.convert('RGB'))
        return x, self.targs[i]

def plain_loaders(path, size:int, bs:int, num_workers:int=0, seed:int=42) -> tuple:
    "train/valid DataLoaders with torchvision transforms: Resize, RandomHorizontalFlip (train), ToTensor, Normalize."
    import torchvision.transforms as T
    from fastai.vision.all import imagenet_stats
    trf, ytr, vaf, yva, vocab = split_files(path)
    norm = T.Normalize(*imagenet_stats)
    t_train = T.Compose([T.Resize((size, size)), T.RandomHorizontalFlip(), T.ToTensor(), norm])
    t_valid = T.Compose([T.Resize((size, size)), T.ToTensor(), norm])
    g = torch.Generator().manual_seed(seed)
    dl_t = torch.utils.data.DataLoader(ImageFiles(trf, ytr, t_train), bs, shuffle=True, drop_last=True,
                                       num_workers=num_workers, generator=g, persistent_workers=num_workers > 0)
    dl_v = torch.utils.data.DataLoader(ImageFiles(vaf, yva, t_valid), bs*2, num_workers=num_workers,
                                       persistent_workers=num_workers > 0)
    return dl_t, dl_v, vocab

def timm_lite0(n_out:int, pretrained:bool=True):
    "timm `tf_efficientnet_lite0` with timm's own head (dropout + Linear(1280, n_out)), mlc's offline ImageNet weights."
    import timm
    from mlc.weights import lite0_weights
    kw = dict(pretrained_cfg_overlay=dict(file=str(lite0_weights()))) if pretrained else {}
    return timm.create_model('tf_efficientnet_lite0', pretrained=pretrained, num_classes=n_out, **kw)

@torch.no_grad()
def plain_preds(model, dl) -> tuple:
    model.eval()
    ps, ys = [], []
    for xb, yb in dl: ps.append(torch.sigmoid(model(xb))); ys.append(yb)
    return torch.cat(ps), torch.cat(ys)

class PlainTrainer:
    """The forum loop: `nn.BCEWithLogitsLoss`, Adam at a constant `lr`, train then evaluate on the validation set every
    epoch. `epoch()` runs one epoch and appends a point (cumulative wall/CPU seconds of this trainer only)."""
    def __init__(self, model, dl_t, dl_v, lr:float=1e-3, verbose:str=None):
        self.model, self.dl_t, self.dl_v, self.verbose = model, dl_t, dl_v, verbose
        self.loss_fn, self.opt = torch.nn.BCEWithLogitsLoss(), torch.optim.Adam(model.parameters(), lr=lr)
        self.points, self.wall_s, self.cpu_s, self.valid_s, self.n_images = [], 0., 0., 0., 0
    def epoch(self, *_):
        from mlc.metrics import mean_ap
        c = Clock()
        self.model.train(); tot, n = 0., 0
        for xb, yb in self.dl_t:
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward(); self.opt.step()
            tot += loss.item()*len(xb); n += len(xb)
        v = Clock()
        probs, targs = plain_preds(self.model, self.dl_v)
        valid_loss = torch.nn.functional.binary_cross_entropy(probs.clamp(1e-7, 1-1e-7), targs).item()
        score = mean_ap(probs, targs)
        self.valid_s += v.wall; self.wall_s += c.wall; self.cpu_s += c.cpu; self.n_images += n
        p = dict(epoch=len(self.points)+1, wall_s=self.wall_s, train_s=self.wall_s - self.valid_s, cpu_s=self.cpu_s,
                 train_loss=tot/max(n, 1), valid_loss=valid_loss, mAP=score)
        self.points.append(p)
        if self.verbose: print(f"  {self.verbose} epoch {p['epoch']}: {p['wall_s']:6.1f}s  train_loss {p['train_loss']:.4f}  "
                               f"valid_loss {valid_loss:.4f}  mAP {score:.4f}", flush=True)
        return p

def no_progress():
    "Drop fastai's ProgressCallback from the default callbacks (no bars in benchmark output)."
    from fastai.vision.all import defaults, ProgressCallback
    defaults.callbacks = [c for c in defaults.callbacks if c is not ProgressCallback]

from fastai.callback.core import Callback, CancelFitException

class FitClock(Callback):
    """Times a whole training (from the first `before_fit` to the last `after_fit`, across `fine_tune`'s two fits) and
    records a point after every epoch: wall and CPU seconds, seconds without validation, and the Recorder's values.
    `between_epochs(epoch)` is called after each epoch (before it if `before`) and its time is NOT counted (used to
    interleave a competitor epoch by epoch). Silences the printed epoch table; `verbose` prefixes own lines; a
    `budget_s` stops training after the epoch that passes it."""
    order = 60   # after Recorder (50)
    def __init__(self, between_epochs=None, budget_s:float=None, verbose:str=None, before:bool=False):
        self.between_epochs, self.budget_s, self.verbose, self.before = between_epochs, budget_s, verbose, before
        self.points, self.wall_s, self.cpu_s, self.valid_s, self.excl_w, self.excl_c = [], 0., 0., 0., 0., 0.
        self.clock = None
    def after_create(self): self.learn.logger = lambda *a, **k: None
    def before_fit(self):
        if self.clock is None: self.clock = Clock()
    def before_epoch(self):
        if self.before and self.between_epochs is not None: self._excluded(len(self.points)+1)
    def _excluded(self, epoch):
        x = Clock(); self.between_epochs(epoch); self.excl_w += x.wall; self.excl_c += x.cpu
    def before_validate(self): self._v = time.perf_counter()
    def after_validate(self): self.valid_s += time.perf_counter() - self._v
    def _now(self): return self.clock.wall - self.excl_w, self.clock.cpu - self.excl_c
    def after_epoch(self):
        rec = self.learn.recorder
        names = [n for n in rec.metric_names[1:] if n != 'time']
        w, c = self._now()
        p = dict(epoch=len(self.points)+1, wall_s=w, train_s=w - self.valid_s, cpu_s=c,
                 **{k: float(v) for k, v in zip(names, rec.values[-1]) if v is not None})
        self.points.append(p)
        if self.verbose: print(f"  {self.verbose} epoch {p['epoch']}: {w:6.1f}s  " + '  '.join(
            f"{k} {p[k]:.4f}" for k in ('train_loss', 'valid_loss', 'mAP') if k in p), flush=True)
        if not self.before and self.between_epochs is not None: self._excluded(p['epoch'])
        if self.budget_s and w > self.budget_s and self.epoch < self.n_epoch - 1: raise CancelFitException()
    def after_fit(self): self.wall_s, self.cpu_s = self._now()

fastai_clock = FitClock   # the name the scripts use
