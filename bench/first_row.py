"""Benchmark: the prediction a user waits for. Seconds from starting `mlc_predict MODEL FOLDER --out x.csv` in a fresh
process to its exit, for a folder of 10 composites (so the whole run is start-up: imports, loading the model, one
batch): lite0 at 64 px saved as the safe artifact and exported to ONNX, predicted three ways, interleaved, medians:
`model.json --backend torch` (what model.json ran before `--backend auto`), `model.json` (`--backend auto`: ONNX
Runtime, since the sidecar names the export) and `model.onnx`. Also where the torch route's time goes: the cumulative
import time of torch, torchvision, timm and fastai (`python -X importtime`). Goal (issue 26): model.json <= 3 s.

    .venv/bin/python bench/first_row.py [--quick]
"""
import re, shutil, subprocess, tempfile
from common import *
from onnx_models import composites, make_models

def args(p):
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 2)')

def run_once(cmd:list, out:Path) -> float:
    "Seconds `cmd` takes as a fresh process; it must exit 0 and write `out`"
    out.unlink(missing_ok=True)
    c = Clock(); r = subprocess.run(cmd, capture_output=True, text=True); s = c.wall
    if r.returncode or not out.exists(): raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")
    return s

def import_seconds(model:Path) -> dict:
    "Cumulative import seconds of the big packages when `load_predictor` opens `model` with torch"
    code = f"from mlc.predictor import load_predictor; load_predictor({str(model)!r}, backend='torch')"
    r = subprocess.run([sys.executable, '-X', 'importtime', '-c', code], capture_output=True, text=True)
    cum = {}
    for l in r.stderr.splitlines():
        m = re.match(r'import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)', l)
        if m and m[3] in ('torch', 'torchvision', 'timm', 'fastai', 'fastai.vision.all', 'mlc.inference'): cum[m[3]] = int(m[1])/1e6
    return cum

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (2 if a.quick else 5)
    started = machine()
    print(f"first_row: 10 files, lite0 64 px, fresh processes, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    work = Path(tempfile.mkdtemp(prefix='mlc_bench_first_'))
    try:
        m = make_models(64, work)
        folder = work/'ten'; folder.mkdir()
        for f in composites(10): shutil.copy(f, folder)
        bin, out = Path(sys.executable).parent/'mlc_predict', work/'x.csv'
        cmds = {'model.json --backend torch': [bin, m['art'], folder, '--out', out, '--backend', 'torch'],
                'model.json (auto: ONNX Runtime)': [bin, m['art'], folder, '--out', out],
                'model.onnx': [bin, m['onx'], folder, '--out', out]}
        r = interleaved({k: (lambda c=c: run_once(c, out)) for k, c in cmds.items()}, repeats=rounds, warmup=1)
        imports = import_seconds(m['art'])
    finally: shutil.rmtree(work, ignore_errors=True)
    rows = [dict(route=k, seconds=v['median'], min_s=v['min']) for k, v in r.items()]
    table(rows, title='\nmlc_predict on 10 files, fresh process (median seconds)')
    print('torch route, cumulative import seconds: ' + ', '.join(f'{k} {v:.2f}' for k, v in imports.items()))
    torch_s, auto, onnx_s = (r[k]['median'] for k in cmds)           # in the order of cmds
    summary = (f"mlc_predict on 10 files, fresh process: model.json {auto:.2f} s (auto: ONNX Runtime, as exported), "
               f"{torch_s:.2f} s with --backend torch (imports alone: torch {imports.get('torch', float('nan')):.1f} s, "
               f"mlc.inference {imports.get('mlc.inference', float('nan')):.1f} s), model.onnx {onnx_s:.2f} s")
    save('first_row', dict(rows=rows, import_s=imports), a, started, summary=summary,
         goal='model.json <= 3 s to its predictions (10 files, fresh process)', met=auto <= 3)

if __name__ == '__main__': main()
