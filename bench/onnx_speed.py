"""Benchmark: ONNX Runtime (`mlc.runtime.OnnxModel`) vs torch (`mlc.inference`'s `MLCModel` from the safe artifact)
predicting the same Fashion-MNIST composite PNGs with the same loop (`predict_files`, bs 64), at 64 and 128 px, in one
run: images/s of the whole loop (decode + resize + network) and of the network alone on a pre-decoded batch, variants
interleaved, medians; the largest difference between the two backends' probabilities; the export time. Goal: ONNX
Runtime >= 1.0x torch's throughput, probabilities within 1e-4.

    .venv/bin/python bench/onnx_speed.py [--quick]   (not onnx.py: that name would hide the onnx package)
"""
import shutil, tempfile
import pandas as pd
from common import *
from onnx_models import onnx_args, composites, make_models

def args(p):
    onnx_args(p)
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 2)')

def throughput(files, art, onx, size:int, rounds:int) -> dict:
    "images/s of predict_files and of the network alone, torch vs ONNX Runtime, interleaved; and how far their probabilities are apart"
    from mlc.predictor import load_predictor
    from mlc.runtime import predict_files
    from mlc.contract import preprocess, normalize
    tm, om = load_predictor(art, backend='torch'), load_predictor(onx)   # art is exported: 'auto' would be ONNX
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

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (2 if a.quick else 5)
    started = machine()
    print(f"onnx_speed: {a.n} composites, sizes {a.sizes}, lite0, bs 64, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    files, work = composites(a.n), Path(tempfile.mkdtemp(prefix='mlc_bench_onnx_'))
    try:
        models = {s: make_models(s, work) for s in a.sizes}
        for s, m in models.items(): print(f"{s} px: exported {m['onnx_mb']:.1f} MB of ONNX in {m['export_s']:.0f} s", flush=True)
        speed = {s: throughput(files, m['art'], m['onx'], s, rounds) for s, m in models.items()}
    finally: shutil.rmtree(work, ignore_errors=True)
    table([r for s in speed.values() for r in s['rows']], title='\nthroughput, same files, bs 64 (medians)')
    for s, v in speed.items():
        print(f"{s} px: ONNX Runtime / torch = {v['ratio_predict_files']:.2f}x (predict_files), {v['ratio_network']:.2f}x (network only); "
              f"max |prob diff| {v['max_abs_prob_diff']:.1e}, same labels {100*v['same_labels']:.0f}%; "
              f"ONNX Runtime without / with spinning threads {v['no_spin_over_spin']:.2f}x")
    diff = max(v['max_abs_prob_diff'] for v in speed.values())
    same = min(v['same_labels'] for v in speed.values())
    met = all(v['ratio_predict_files'] >= 1.0 for v in speed.values()) and diff <= 1e-4
    summary = (', '.join(f"{v['ratio_predict_files']:.2f}x torch's images/s at {s} px" for s, v in speed.items()) +
               " (network alone " + ' / '.join(f"{v['ratio_network']:.2f}x" for v in speed.values()) +
               f"); max probability difference {diff:.1e}, {'same' if same == 1 else f'{100*same:.0f}% same'} labels; export "
               + ' / '.join(f"{m['export_s']:.0f}" for m in models.values()) + ' s')
    save('onnx_speed', dict(speed={s: v for s, v in speed.items()}, export_s={s: m['export_s'] for s, m in models.items()},
                            onnx_mb={s: m['onnx_mb'] for s, m in models.items()}, setup=dict(n=len(files), rounds=rounds)),
         a, started, summary=summary, goal="ONNX Runtime >= 1.0x torch's throughput, probabilities within 1e-4", met=met)

if __name__ == '__main__': main()
