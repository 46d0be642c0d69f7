"""Benchmark: what an ONNX Runtime deployment costs against torch. Each backend predicts the same composites in a fresh
process with the same loop (`mlc.predictor.load_predictor` + `predict_files`, bs 64): peak resident memory (imports
included) and import time. The ONNX Runtime process runs in a virtual environment without torch, which shows that it
needs none (it also runs the `mlc_predict` command there). Install size: that venv (numpy, pillow, onnxruntime,
fastcore and mlc with `pip install --no-deps`) against what `pip install mlc` brings (mlc's requirements and their
dependencies, measured in .venv) and the whole development .venv. Goal: no torch imported, a smaller install and a
lower peak memory than torch's. The temporary venv is deleted at the end (`--keep-venv DIR` keeps and reuses it).

    .venv/bin/python bench/onnx_footprint.py [--quick]
"""
import shutil, subprocess, tempfile
from importlib import metadata
from common import *
from onnx_models import onnx_args, composites, make_models

def args(p):
    onnx_args(p)
    p.add_argument('--keep-venv', default=None, help='build (or reuse) the torch-free venv here and keep it')

# peak RSS from /proc/self/status VmHWM: getrusage's ru_maxrss survives exec on Linux, so a child started by this (large)
# process would report this process's peak
SUB = '''
import json, re, sys, time
t0 = time.perf_counter()
from mlc.predictor import load_predictor
from mlc.runtime import predict_files
t1 = time.perf_counter(); m = load_predictor(sys.argv[1], backend=sys.argv[3]); files = open(sys.argv[2]).read().split('\\n')
t2 = time.perf_counter(); rows = predict_files(m, files, bs=64); t3 = time.perf_counter()
print(json.dumps(dict(import_s=t1-t0, load_s=t2-t1, predict_s=t3-t2, img_per_s=len(files)/(t3-t2), errors=sum(bool(r['error']) for r in rows),
                      peak_rss_mb=int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read())[1])/1024, torch_imported='torch' in sys.modules)))
'''   # one script for both backends: argv[3] is 'torch' for model.json (exported, so 'auto' would be ONNX), 'onnx' for model.onnx

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
    backend = 'onnx' if Path(model).suffix == '.onnx' else 'torch'
    r = subprocess.run([str(py), '-c', code, str(model), str(files_txt), backend], capture_output=True, text=True, env=env,
                       cwd=tempfile.gettempdir())
    if r.returncode: raise RuntimeError(f'{py} failed:\n{r.stderr[-2000:]}')
    return json.loads(r.stdout.strip().splitlines()[-1])

def memory(models, py_free, files_txt, env) -> list:
    "Peak RSS and timings of a fresh process per size and backend."
    mem = []
    for s, m in models.items():
        mem.append(dict(size=s, backend='torch (.venv)', **peak(sys.executable, SUB, m['art'], files_txt)))
        mem.append(dict(size=s, backend='onnxruntime (torch-free venv)', **peak(py_free, SUB, m['onx'], files_txt, env=env)))
    table(mem, ['size', 'backend', 'peak_rss_mb', 'import_s', 'load_s', 'predict_s', 'img_per_s', 'torch_imported', 'errors'],
          title='\n1. a fresh process predicting every file (peak RSS includes the imports)')
    return mem

def install_sizes(venv:Path) -> dict:
    "MB of the torch-free venv, of the same packages' closure in .venv, of mlc's requirements' closure, of .venv."
    free_b, full_b = site_packages_size(venv), site_packages_size(Path(sys.prefix))
    req_b, req_dists = closure_size(mlc_requirements())
    ort_b, ort_dists = closure_size(['numpy', 'pillow', 'onnxruntime', 'fastcore'])
    table([dict(environment='torch-free venv: numpy, pillow, onnxruntime, fastcore, mlc (measured)', mb=free_b/1e6),
           dict(environment=f"the same packages' closure as installed in .venv ({len(ort_dists)} distributions)", mb=ort_b/1e6),
           dict(environment=f"pip install mlc: its requirements' closure in .venv ({len(req_dists)} distributions, torch included)", mb=req_b/1e6),
           dict(environment='the whole development .venv (dev extras: jupyter, nbdev, gradio, playwright...)', mb=full_b/1e6)],
          title='\n2. install size (site-packages, without pip and setuptools)')
    return dict(torch_free=free_b/1e6, torch_free_closure_in_venv=ort_b/1e6, mlc_requirements=req_b/1e6, dev_venv=full_b/1e6,
                distributions=dict(torch_free=ort_dists, mlc_requirements=req_dists))

def main():
    a = parse(__doc__.split('\n')[0], args)
    if a.quick: a.sizes = a.sizes[:1]
    started = machine()
    print(f"onnx_footprint: {a.n} composites, sizes {a.sizes}, lite0, bs 64   [{busy_note(started['loadavg'])}]", flush=True)
    files, work = composites(a.n), Path(tempfile.mkdtemp(prefix='mlc_bench_onnx_'))
    venv = Path(a.keep_venv) if a.keep_venv else work/'venv'
    try:
        (work/'files.txt').write_text('\n'.join(map(str, files)))
        models = {s: make_models(s, work) for s in a.sizes}
        py_free = torch_free_venv(venv)
        clean_env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
        r = subprocess.run([str(venv/'bin'/'mlc_predict'), str(models[a.sizes[0]]['onx']), *map(str, files[:3])], capture_output=True, text=True, env=clean_env)
        if 'mlc_predict: 3 predicted, 0 errors' not in r.stdout: raise RuntimeError(f'mlc_predict in the torch-free venv failed:\n{r.stdout}{r.stderr}')
        print('the torch-free venv runs the mlc_predict command on model.onnx', flush=True)
        mem = memory(models, py_free, work/'files.txt', clean_env)
        mb = install_sizes(venv)
    finally: shutil.rmtree(work, ignore_errors=True)
    by = {(r['size'], r['backend'].split()[0]): r for r in mem}
    start = lambda s, b: by[s, b]['import_s'] + by[s, b]['load_s']   # mlc.predictor imports torch only when loading model.json
    no_torch = not any(r['torch_imported'] for r in mem if r['backend'].startswith('onnx'))
    lower = all(by[s, 'onnxruntime']['peak_rss_mb'] < by[s, 'torch']['peak_rss_mb'] for s in a.sizes)
    summary = ('a fresh process: peak RSS ' + ', '.join(f"{by[s, 'onnxruntime']['peak_rss_mb']:,.0f} MB vs {by[s, 'torch']['peak_rss_mb']:,.0f} MB at {s} px"
                                                        for s in a.sizes) +
               f"; imports + model load {start(a.sizes[0], 'onnxruntime'):.2f} s vs {start(a.sizes[0], 'torch'):.1f} s"
               f"{', no torch imported' if no_torch else ', TORCH IMPORTED'}. Install {mb['torch_free']:,.0f} MB torch-free vs "
               f"{mb['mlc_requirements']/1e3:.1f} GB for pip install mlc")
    save('onnx_footprint', dict(memory=mem, install_mb=mb, setup=dict(n=len(files), sizes=a.sizes)), a, started, summary=summary,
         goal="ONNX Runtime runs without torch, in less memory and a smaller install", met=no_torch and lower and mb['torch_free'] < mb['mlc_requirements'])

if __name__ == '__main__': main()
