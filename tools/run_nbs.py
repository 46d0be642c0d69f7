"""Run notebooks in a real Jupyter kernel, as a learner does, and check their committed outputs.

    .venv/bin/python tools/run_nbs.py [NB ...] [--workers 2] [--save] [--timeout 900]
    .venv/bin/python tools/run_nbs.py [NB ...] --seeds 1 2 --threads 1 2     # make test-seeds

Each notebook runs top to bottom in the `mlc` kernelspec (the project's venv, installed by tools/setup.sh) with
nbclient, from its folder, skipping the cells nbdev-test skips (`#| slow`, `#| notest`, `#| eval: false`). Checks:

1. it runs without an error;
2. its first code cell prints no warning (a learner's first output should not be one);
3. the committed notebook (what GitHub shows) has no error output, and every code cell that prints something in
   this run has committed output too: outputs committed from an older version of a cell, or never committed, show;
4. no cell shows a warning (`...Warning:` in its output, in this run or committed), unless the cell says it shows one
   on purpose with a line `# expected warning` (the chapter about that warning).

`--seeds S ... --threads T ...` runs each notebook under every seed and torch thread count (environment variables
`MLC_SEED` and `MLC_THREADS`, read by `mlc.test_utils.mlc_seed`), and only checks that it runs: the assertions on
trained and sampled numbers must hold for every seed, not just the committed run's. Without notebooks named it runs
those that call `mlc_seed`.

`--save` writes this run's outputs into the notebooks (the skipped cells keep theirs): `make outputs`; it also records
each notebook's seconds in `tools/nb_seconds.json`, so that later runs start the longest notebooks first (two workers
then finish together instead of one waiting on a long notebook started last).
Ends with 'N passed, M failed'; exit code 1 if anything failed.
"""
import argparse, json, os, re, subprocess, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
SECONDS = ROOT/'tools'/'nb_seconds.json'
SKIP = re.compile(r'^#\|\s*(notest|eval:\s*false)\b', re.M)
SLOW = re.compile(r'^#\|\s*slow\b', re.M)
WARNING = re.compile(r'\b\w*Warning: ')
EXPECTED = re.compile(r'^# expected warning\b', re.M)

def skipped(cell, slow:bool=False) -> bool:
    "Does nbdev-test skip this cell (`#| slow` only without `slow`)?"
    return cell.cell_type == 'code' and bool(SKIP.search(cell.source) or (not slow and SLOW.search(cell.source)))

def prints(cell) -> bool:
    "Does a code cell have output a reader sees?"
    return any(o.output_type in ('stream', 'display_data', 'execute_result', 'error') for o in cell.get('outputs', []))

def warning(cell) -> str:
    "The first warning a code cell's outputs show ('' if none, or if the cell expects one)"
    if EXPECTED.search(cell.source): return ''
    for o in cell.get('outputs', []):
        text = o.get('text', '') if o.output_type == 'stream' else o.get('data', {}).get('text/plain', '')
        if m := WARNING.search(text): return text[max(0, m.start() - 80):m.end() + 120].strip().replace('\n', ' ')
    return ''

def run_one(fn:str, save:bool=False, timeout:int=900, env:dict=None, slow:bool=False) -> tuple:
    "(notebook, seconds, list of problems) after running `fn` in the mlc kernel (with `env`: only errors count)"
    fn, t0, problems = Path(fn).resolve(), time.time(), []
    os.environ.update(env or {})
    committed = nbformat.read(fn, as_version=4)
    nb = nbformat.read(fn, as_version=4)
    for c in nb.cells:
        if skipped(c, slow): c.source, c.outputs = '', []
    client = NotebookClient(nb, kernel_name='mlc', timeout=timeout, resources={'metadata': {'path': str(fn.parent)}})
    try: client.execute(stderr=subprocess.DEVNULL)   # the kernel process's own log (cells' stderr goes to outputs)
    except CellExecutionError as e:                  # the error's name and message, and the cell's first line
        cell = next((i for i, c in enumerate(nb.cells) if c.cell_type == 'code' and c.outputs
                     and any(o.get('output_type') == 'error' for o in c.outputs)), None)
        where = f' in cell #{cell} ({nb.cells[cell].source.strip().splitlines()[0][:80]!r})' if cell is not None else ''
        problems.append(f"error while running{where}: {e.ename}: {' '.join(str(e.evalue).split())[:300]}")
    except Exception as e: problems.append(f'could not run: {type(e).__name__}: {e}')
    if env:
        tag = " ".join(f"{k}={v}" for k, v in env.items())
        if d := os.environ.get('MLC_RUN_DIR'):   # --keep DIR: the executed notebook, to read its numbers
            Path(d).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, Path(d)/f'{fn.stem}.{tag.replace(" ", ".").replace("=", "")}.ipynb')
        return f'{fn.relative_to(ROOT)} ({tag})', time.time() - t0, problems
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == 'code' and c.source.strip()]
    if code:
        i, first = code[0]
        warn = [o.text for o in first.get('outputs', []) if o.output_type == 'stream' and 'Warning' in o.text]
        if warn: problems.append(f'first code cell (#{i}) prints a warning: {warn[0].strip()[:200]}')
    for i, (c, old) in enumerate(zip(nb.cells, committed.cells)):
        if c.cell_type != 'code' or skipped(old, slow): continue
        if any(o.output_type == 'error' for o in old.get('outputs', [])): problems.append(f'cell #{i}: committed output is an error')
        if prints(c) and not prints(old): problems.append(f'cell #{i}: prints when run, but has no committed output (run `make outputs`)')
        if w := warning(c): problems.append(f'cell #{i} shows a warning when run: {w}')
        elif w := warning(old): problems.append(f'cell #{i}: committed output shows a warning (run `make outputs`): {w}')
    if save and not any(p.startswith(('error', 'could not')) for p in problems):
        for c, old in zip(nb.cells, committed.cells):
            if skipped(old, slow): c.source, c.outputs = old.source, old.get('outputs', [])
            c.source = old.source
        nbformat.write(nb, fn)
        problems = [p for p in problems if 'no committed output' not in p]
    return str(fn.relative_to(ROOT)), time.time() - t0, problems

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: nbs/*.ipynb)')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--save', action='store_true', help="write this run's outputs into the notebooks")
    p.add_argument('--timeout', type=int, default=900, help='seconds per cell')
    p.add_argument('--seeds', type=int, nargs='*', default=[], help='run under each MLC_SEED (only errors count)')
    p.add_argument('--threads', type=int, nargs='*', default=[], help='... and each MLC_THREADS')
    p.add_argument('--slow', action='store_true', help='run the #| slow cells too (default: the notebooks that have them)')
    p.add_argument('--keep', help='with --seeds/--threads: write each executed notebook into this folder')
    a = p.parse_args()
    if a.keep: os.environ['MLC_RUN_DIR'] = str(Path(a.keep).resolve())
    fns = a.nbs or sorted(str(f) for f in (ROOT/'nbs').glob('*.ipynb')
                          if (not (a.seeds or a.threads) or 'mlc_seed(' in f.read_text())
                          and (not a.slow or any(SLOW.search(c.source) for c in nbformat.read(f, as_version=4).cells)))
    secs = json.loads(SECONDS.read_text()) if SECONDS.exists() else {}
    fns.sort(key=lambda f: -secs.get(Path(f).name, float('inf')))       # longest first; new notebooks first of all
    os.environ['MPLBACKEND'] = 'module://matplotlib_inline.backend_inline'   # plots as outputs, as in Jupyter
    envs = [{**({'MLC_SEED': str(s)} if s is not None else {}), **({'MLC_THREADS': str(t)} if t is not None else {})}
            for s in (a.seeds or [None]) for t in (a.threads or [None])]
    jobs = [(f, e) for f in fns for e in envs]
    passed = failed = 0
    with ProcessPoolExecutor(a.workers, max_tasks_per_child=1) as ex:
        for name, t, problems in ex.map(run_one, [f for f, _ in jobs], [a.save]*len(jobs), [a.timeout]*len(jobs),
                                        [e for _, e in jobs], [a.slow]*len(jobs)):
            if a.save and not a.slow: secs[Path(name).name] = round(t)   # the default run's time
            if problems:
                failed += 1
                print(f'FAILED: {name} in a Jupyter kernel ({t:.0f} s)')
                for pr in problems: print(f'    {pr}')
            else:
                passed += 1
                print(f'ok: {name} in a Jupyter kernel ({t:.0f} s)', flush=True)
    if a.save: SECONDS.write_text(json.dumps(dict(sorted(secs.items())), indent=1) + '\n')
    print(f'{passed} passed, {failed} failed')
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
