"""Write README.md's benchmark figures from the committed results (bench/results/*.json), so no figure is copied by hand:
the Benchmarks table (between `<!-- bench:start -->` and `<!-- bench:end -->`) and the measured rows of "What scales"
(`<!-- scaling:start -->` ... `<!-- scaling:end -->`, from bench/scaling.json).

    .venv/bin/python tools/bench_table.py            # rewrite README.md
    .venv/bin/python tools/bench_table.py --check    # exit 1 if README.md differs from what the results give

Reads JSON only (no torch): fast enough for `make test`.
"""
import argparse, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS, README = ROOT/'bench'/'results', ROOT/'README.md'
# the order of the table: the training claims first, then inference, deployment, tuning, data, scale
ORDER = ['time_to_quality', 'quality_curve', 'recipes', 'losses', 'calibration', 'predict_speed', 'preprocess_vs_fastai',
         'inference_knobs', 'onnx_speed', 'onnx_footprint', 'first_row', 'thresholds', 'confusion_counts', 'streaming', 'train_phases', 'train_data_pipeline',
         'train_memory_format', 'train_workers', 'scaling', 'test_suite']
# NVIDIA DeepLearningExamples, EfficientNet-B0 (lite0's size) training at 224 px, published images/s
A100_MIXED, A100X8_MIXED = 2489, 16652

def results() -> dict:
    "{benchmark: result} of every bench/results/*.json."
    rs = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob('*.json'))}
    return dict(sorted(rs.items(), key=lambda kv: (ORDER.index(kv[0]) if kv[0] in ORDER else len(ORDER), kv[0])))

def cell(s) -> str: return str(s).replace('|', '\\|').replace('\n', ' ')

def machine(r) -> str:
    "cpu, threads, load average (1 min) at start -> end."
    m, l0, l1 = r.get('machine', {}), r.get('loadavg_start') or [float('nan')], r.get('loadavg_end') or [float('nan')]
    return f"{m.get('cpu', '?')}, {m.get('torch_threads', '?')} threads, load {l0[0]:.1f} -> {l1[0]:.1f}"

def met(r) -> str: return {True: '**met**', False: '**not met**'}.get(r.get('met'), '-')

def bench_table(rs:dict) -> str:
    "The Benchmarks table, one row per result."
    rows = ['| script | measured | run | machine | result | goal | met |', '|---|---|---|---|---|---|---|']
    for name, r in rs.items():
        run = 'quick' if r.get('args', {}).get('quick') else 'full'
        rows.append('| ' + ' | '.join(cell(c) for c in (f"`{name}.{'sh' if name == 'test_suite' else 'py'}`", r.get('machine', {}).get('time', '?')[:10], run, machine(r),
                                                         r.get('summary') or '-', r.get('goal') or '-', met(r))) + ' |')
    return '\n'.join(rows)

def scaling_table(r:dict) -> str:
    "The measured rows of 'What scales', and what they imply beside NVIDIA's published rates."
    v = {o['id']: o['images_per_s'] for o in r['rows']}
    label = dict(train224='lite0 forward + backward + step, 224 px, bs 32, this CPU',
                 train64="lite0 forward + backward + step, 64 px (mlc's default), bs 32, this CPU",
                 jpeg224='decode a 500x375 JPEG + resize to 224 (PIL, what a DataLoader worker does), one core',
                 png64='decode a 64 px PNG + resize, one core',
                 dataloader64="fastai's whole train DataLoader at 64 px (decode, item tfms, collate, batch tfms), one core")
    rows = ['| what | images/s | where from |', '|---|---|---|']
    rows += [f"| {label[k]} | {v[k]:,.0f} | `bench/scaling.py` |" if v[k] >= 100 else f"| {label[k]} | {v[k]:.1f} | `bench/scaling.py` |"
             for k in label if k in v]
    rows += ['', f"Measured {r['machine']['time'][:10]} ({'quick' if r['args'].get('quick') else 'full'} run; {machine(r)}). "
                 f"Beside NVIDIA's published rates (below): one A100 in mixed precision ({A100_MIXED:,} images/s) needs the JPEG work "
                 f"of about {A100_MIXED/v['jpeg224']:.0f} of these cores, 8 A100s ({A100X8_MIXED:,}) about {A100X8_MIXED/v['jpeg224']:.0f}; "
                 f"decoding the small PNG is {v['png64']/v['jpeg224']:.0f}x cheaper than the photo; lite0 trains "
                 f"{v['train64']/v['train224']:.0f}x more images per second at 64 px than at 224 px."]
    return '\n'.join(rows)

def fill(text:str, tag:str, body:str) -> str:
    "`text` with what is between `<!-- tag:start -->` and `<!-- tag:end -->` replaced by `body`."
    pat = re.compile(rf'(<!-- {tag}:start -->\n).*?(<!-- {tag}:end -->)', re.S)
    if not pat.search(text): sys.exit(f"bench_table: README.md has no <!-- {tag}:start --> ... <!-- {tag}:end --> markers")
    return pat.sub(lambda m: m[1] + body + '\n' + m[2], text, count=1)

def render(text:str) -> str:
    "README.md's text with both generated blocks written from the results."
    rs = results()
    text = fill(text, 'bench', bench_table(rs))
    return fill(text, 'scaling', scaling_table(rs['scaling'])) if 'scaling' in rs else text

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--check', action='store_true', help='exit 1 if README.md differs from what bench/results/*.json give')
    a = p.parse_args()
    old = README.read_text()
    new = render(old)
    if a.check:
        if new != old: sys.exit("bench_table: README.md's benchmark figures differ from bench/results/*.json: run `make bench-table`")
        print(f"bench_table: README.md matches {len(results())} results")
    elif new != old: README.write_text(new); print(f"bench_table: wrote README.md from {len(results())} results")
    else: print('bench_table: README.md already up to date')

if __name__ == '__main__': main()
