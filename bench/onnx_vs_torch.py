"""Benchmark: ONNX Runtime (`mlc.runtime.OnnxModel`) vs torch (`mlc.inference`'s `MLCModel` from the safe artifact)
predicting the same Fashion-MNIST composite PNGs with the same loop (`predict_files`, bs 64), at 64 and 128 px, in one
run. Goal: ONNX Runtime >= 1.0x torch's throughput.

1. throughput: images/s of `predict_files` with each backend (decode + resize + network), and of the network alone on
   a pre-decoded batch, variants interleaved, medians; the probabilities of the two backends are compared too;
2. peak memory: each backend predicts all images in a fresh process (imports included); maximum resident set size.
   The ONNX Runtime process runs in a virtual environment without torch (see 3), which shows that it needs none;
3. install size: a fresh venv with only numpy, pillow, onnxruntime, fastcore and mlc (`pip install --no-deps`),
   against what `pip install mlc` brings (mlc's requirements and their dependencies, measured in .venv), and the
   whole development .venv. The temporary venv is deleted at the end (`--keep-venv DIR` keeps it, and reuses it).

The model is `mlc_learner`'s default, lite0 with mlc's offline ImageNet weights and an untrained head: speed does not
depend on the weights. The export time of each size is reported too.

    .venv/bin/python bench/onnx_vs_torch.py [--quick]   (not onnx.py: that name would hide the onnx package)
"""
import shutil, subprocess, tempfile
from importlib import metadata
import pandas as pd
from common import *

def args(p):
    p.add_argument('--n', type=int, default=500, help='images (validation composites)')
    p.add_argument('--sizes', type=int, nargs='+', default=[64, 128], help='model input sizes')
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 2)')
    p.add_argument('--keep-venv', default=None, help='build (or reuse) the torch-free venv here and keep it')

# peak RSS from /proc/self/status VmHWM: getrusage's ru_maxrss survives exec on Linux, so a child started by this (large)
# process would report this process's peak
SUB = '''
import json, re, sys, time
t0 = time.perf_counter()
from mlc.predictor import load_predictor
from mlc.runtime import predict_files
t1 = time.perf_counter(); m = load_predictor(sys.argv[1]); files = open(sys.argv[2]).read().split('\\n')
t2 = time.perf_counter(); rows = predict_files(m, files, bs=64); t3 = time.perf_counter()
print(json.dumps(dict(import_s=t1-t0, load_s=t2-t1, predict_s=t3-t2, img_per_s=len(files)/(t3-t2), errors=sum(bool(r['error']) for r in rows),
                      peak_rss_mb=int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read())[1])/1024, torch_imported='torch' in sys.modules)))
'''   # one script for both backends: load_predictor picks torch for model.json, ONNX Runtime for model.onnx

# ---------------------------------------------------------------- models and throughput
def make_models(path, size:int, out:Path) -> dict:
    "The lite0 learner at `size` px saved as the safe artifact in `out`, and exported to ONNX (timed)"
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    from mlc.inference import save_model_artifact, export_onnx
    learn = mlc_learner(mlc_dls(path, size=size, bs=64, seed=0), bars=False)
    art = save_model_artifact(learn, out/f'lite0_{size}', thresh=0.5, temperature=1.)   # an untrained head: settings don't matter for speed
    c = Clock(); onx = export_onnx(art); export_s = c.wall
    return dict(art=art, onx=onx, export_s=export_s, onnx_mb=onx.stat().st_size/1e6)

def throughput(files, art, onx, size:int, rounds:int) -> dict:
    "images/s of predict_files and of the network alone, torch vs ONNX Runtime, interleaved; and how far their probabilities are apart"
    from mlc.predictor import load_predictor
    from mlc.runtime import predict_files
    from mlc.contract import preprocess, normalize
    tm, om = load_predictor(art), load_predictor(onx)
    dt, do = (pd.DataFrame(predict_files(m, files, bs=64)) for m in (tm, om))
    diff = float(np.abs(dt[tm.vocab].to_numpy() - do[tm.vocab].to_numpy()).max())
    same_labels = float((dt.labels == do.labels).mean())
    X = normalize(np.stack([preprocess(f, tm.spec) for f in files]), tm.spec)
    batches = [X[i:i+64] for i in range(0, len(X), 64)]
    import onnxruntime as ort
    so = ort.SessionOptions(); so.add_session_config_entry('session.intra_op.allow_spinning', '1')   # ONNX Runtime's default
    spin = ort.InferenceSession(str(onx), so, providers=['CPUExecutionProvider'])
    r = interleaved({'torch predict_files': lambda: predict_files(tm, files, bs=64),
                     'onnx predict_files': lambda: predict_files(om, files, bs=64),
                     'torch network only': lambda: [tm.logits(b) for b in batches],
                     'onnx network only': lambda: [om.logits(b) for b in batches],
                     'onnx network only, spinning threads': lambda: [spin.run(None, {'input': b}) for b in batches]}, repeats=rounds)
    ips = {k: len(files)/v['median'] for k, v in r.items()}
    rows = [dict(size=size, variant=k, img_per_s=v, ms_per_image=1e3/v) for k, v in ips.items()]
    return dict(rows=rows, ratio_predict_files=ratio(ips['onnx predict_files'], ips['torch predict_files']),
                ratio_network=ratio(ips['onnx network only'], ips['torch network only']), max_abs_prob_diff=diff, same_labels=same_labels,
                no_spin_over_spin=ratio(ips['onnx network only'], ips['onnx network only, spinning threads']))

# ---------------------------------------------------------------- environments
def _dist_size(dist) -> int:
    "Bytes of the files a distribution installed"
    return sum(p.stat().st_size for p in (Path(dist.locate_file(f)) for f in (dist.files or [])) if p.is_file())

def closure_size(names) -> tuple:
    "(bytes, distributions) of `names` and everything they require (markers evaluated here, extras ignored), as installed in this venv"
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    todo, seen, total = [canonicalize_name(n) for n in names], set(), 0
    while todo:
        n = todo.pop()
        if n in seen: continue
        try: dist = metadata.distribution(n)
        except metadata.PackageNotFoundError: continue
        seen.add(n); total += _dist_size(dist)
        for r in map(Requirement, dist.requires or []):
            if r.marker is None or r.marker.evaluate({'extra': ''}): todo.append(canonicalize_name(r.name))
    return total, sorted(seen)

def mlc_requirements() -> list:
    "mlc's install requirements (settings.ini), without version specifiers"
    from configparser import ConfigParser
    from packaging.requirements import Requirement
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    return [Requirement(r).name for r in cfg['DEFAULT']['requirements'].split()]

def site_packages_size(venv:Path) -> int:
    "Bytes in a venv's site-packages, without pip and setuptools (every venv has them)"
    sp = next(venv.glob('lib/python*/site-packages'))
    skip = ('pip', 'setuptools', '_distutils_hack', 'pkg_resources', 'distutils-precedence.pth')
    return sum(p.stat().st_size for p in sp.rglob('*') if p.is_file() and not p.relative_to(sp).parts[0].startswith(skip))

def torch_free_venv(folder:Path) -> Path:
    "A venv with numpy, pillow, onnxruntime, fastcore and mlc (no dependencies): the ONNX Runtime deployment"
    py = folder/'bin'/'python'
    if not py.exists():
        c = Clock()
        for cmd in ([sys.executable, '-m', 'venv', str(folder)], [str(py), '-m', 'pip', 'install', '-q', 'numpy', 'pillow', 'onnxruntime', 'fastcore'],
                    [str(py), '-m', 'pip', 'install', '-q', '--no-deps', str(ROOT)]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode: raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
        print(f"built the torch-free venv in {c.wall:.0f} s", flush=True)
    return py

def peak(py, code, model, files_txt, env=None) -> dict:
    "What the subprocess `code` reports when predicting every file with `model` under Python `py`"
    r = subprocess.run([str(py), '-c', code, str(model), str(files_txt)], capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    if r.returncode: raise RuntimeError(f'{py} failed:\n{r.stderr[-2000:]}')
    return json.loads(r.stdout.strip().splitlines()[-1])

# ---------------------------------------------------------------- main
def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (2 if a.quick else 5)
    started = machine()
    print(f"onnx: {a.n} composites, sizes {a.sizes}, lite0, bs 64, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    path = fmnist(2000, max(500, a.n))
    files = sorted((path/'train').glob('valid_*.png'))[:a.n]
    work = Path(tempfile.mkdtemp(prefix='mlc_bench_onnx_'))
    venv = Path(a.keep_venv) if a.keep_venv else work/'venv'
    try:
        (work/'files.txt').write_text('\n'.join(map(str, files)))
        models = {s: make_models(path, s, work) for s in a.sizes}
        for s, m in models.items(): print(f"{s} px: exported {m['onnx_mb']:.1f} MB of ONNX in {m['export_s']:.0f} s", flush=True)
        speed = {s: throughput(files, m['art'], m['onx'], s, rounds) for s, m in models.items()}
        table([r for s in speed.values() for r in s['rows']], title='\n1. throughput, same files, bs 64 (medians)')
        for s, v in speed.items():
            print(f"{s} px: ONNX Runtime / torch = {v['ratio_predict_files']:.2f}x (predict_files), {v['ratio_network']:.2f}x (network only); "
                  f"max |prob diff| {v['max_abs_prob_diff']:.1e}, same labels {100*v['same_labels']:.0f}%; "
                  f"ONNX Runtime without / with spinning threads {v['no_spin_over_spin']:.2f}x")
        py_free = torch_free_venv(venv)
        clean_env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
        r = subprocess.run([str(venv/'bin'/'mlc_predict'), str(models[a.sizes[0]]['onx']), *map(str, files[:3])], capture_output=True, text=True, env=clean_env)
        if 'mlc_predict: 3 predicted, 0 errors' not in r.stdout: raise RuntimeError(f'mlc_predict in the torch-free venv failed:\n{r.stdout}{r.stderr}')
        print('the torch-free venv runs the mlc_predict command on model.onnx', flush=True)
        mem = []
        for s, m in models.items():
            mem.append(dict(size=s, backend='torch (.venv)', **peak(sys.executable, SUB, m['art'], work/'files.txt')))
            mem.append(dict(size=s, backend='onnxruntime (torch-free venv)', **peak(py_free, SUB, m['onx'], work/'files.txt', env=clean_env)))
        table(mem, ['size', 'backend', 'peak_rss_mb', 'import_s', 'load_s', 'predict_s', 'img_per_s', 'torch_imported', 'errors'],
              title='\n2. a fresh process predicting every file (peak RSS includes the imports)')
        free_b, full_b = site_packages_size(venv), site_packages_size(Path(sys.prefix))
        req_b, req_dists = closure_size(mlc_requirements())
        ort_b, ort_dists = closure_size(['numpy', 'pillow', 'onnxruntime', 'fastcore'])
        sizes = [dict(environment='torch-free venv: numpy, pillow, onnxruntime, fastcore, mlc (measured)', mb=free_b/1e6),
                 dict(environment=f"the same packages' closure as installed in .venv ({len(ort_dists)} distributions)", mb=ort_b/1e6),
                 dict(environment=f"pip install mlc: its requirements' closure in .venv ({len(req_dists)} distributions, torch included)", mb=req_b/1e6),
                 dict(environment='the whole development .venv (dev extras: jupyter, nbdev, gradio, playwright...)', mb=full_b/1e6)]
        table(sizes, title='\n3. install size (site-packages, without pip and setuptools)')
        summary = dict(throughput_ratio={s: v['ratio_predict_files'] for s, v in speed.items()},
                       network_ratio={s: v['ratio_network'] for s, v in speed.items()},
                       max_abs_prob_diff=max(v['max_abs_prob_diff'] for v in speed.values()),
                       peak_rss_mb={f"{r['size']} {r['backend']}": r['peak_rss_mb'] for r in mem},
                       install_mb=dict(torch_free=free_b/1e6, mlc_requirements=req_b/1e6, dev_venv=full_b/1e6),
                       export_s={s: m['export_s'] for s, m in models.items()})
        met = all(v >= 1.0 for v in summary['throughput_ratio'].values())
        print(f"\nONNX Runtime / torch throughput: " + ', '.join(f'{s} px {v:.2f}x' for s, v in summary['throughput_ratio'].items()) +
              f" (goal >= 1.0x: {'MET' if met else 'NOT met'}); environment {free_b/1e6:.0f} MB vs {req_b/1e6:.0f} MB "
              f"({req_b/free_b:.0f}x smaller)")
        save('onnx_vs_torch', dict(summary=summary, goal_met=met, speed={s: v['rows'] for s, v in speed.items()}, memory=mem, sizes=sizes,
                          distributions=dict(torch_free=ort_dists, mlc_requirements=req_dists), setup=dict(n=len(files), rounds=rounds)), a, started)
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__': main()
