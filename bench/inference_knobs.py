"""Benchmark: what each inference setting buys, one changed at a time against mlc's defaults (bs 64,
`torch.inference_mode`, channels_last weights, no worker processes), through `predict_files` and through the raw
forward on pre-decoded tensors: batch size 1/16/64/256, inference_mode vs no_grad, channels_last vs contiguous,
num_workers 0 vs 2, and the safetensors artifact (`load_model_artifact`) vs the model in memory. Goal: mlc's defaults
are no slower than any single change (5% noise allowed). Interleaved and repeated; medians.

    .venv/bin/python bench/inference_knobs.py [--quick]
"""
import copy, tempfile
from common import *
from inference_setup import inference_args, defaults, setup, raw

def variants(ctx, a) -> tuple:
    "{name: (zero-argument call, images)}, and the artifact's load seconds."
    from mlc.inference import MLCModel, save_model_artifact, load_model_artifact
    from mlc.runtime import predict_files
    m = ctx.m
    net_c = copy.deepcopy(m.model).to(memory_format=torch.contiguous_format).eval()
    m_c = MLCModel(net_c, m.vocab, m.thresh, m.spec, channels_last=False)
    c = Clock(); art = load_model_artifact(save_model_artifact(ctx.learn, Path(tempfile.mkdtemp())/'model', thresh=m.thresh, temperature=m.temperature)); load_s = c.wall
    nk = min(len(ctx.files), 128 if a.quick else 256)
    kf, n1 = ctx.files[:nk], min(nk, 32 if a.quick else 64)   # bs=1 is slow per image: a subset; img/s per variant's own count
    vs = {'predict_files bs=1': (lambda: predict_files(m, kf[:n1], bs=1), n1)}
    vs.update({f'predict_files bs={bs}': ((lambda bs=bs: predict_files(m, kf, bs=bs)), nk) for bs in (16, 64, 256)})
    vs.update({'predict_files bs=64 num_workers=2': (lambda: predict_files(m, kf, bs=64, num_workers=2), nk),
               'predict_files bs=64 contiguous weights': (lambda: predict_files(m_c, kf, bs=64), nk),
               'predict_files bs=64 artifact (load_model_artifact)': (lambda: predict_files(art, kf, bs=64), nk),
               'raw bs=64 inference_mode': (lambda: raw(ctx, 64, n=nk), nk),
               'raw bs=64 no_grad': (lambda: raw(ctx, 64, 'no_grad', n=nk), nk),
               'raw bs=64 contiguous': (lambda: raw(ctx, 64, net=net_c, n=nk), nk),
               'raw bs=1': (lambda: raw(ctx, 1, n=n1), n1), 'raw bs=16': (lambda: raw(ctx, 16, n=nk), nk),
               'raw bs=256': (lambda: raw(ctx, 256, n=nk), nk)})
    return vs, load_s, nk, n1

def main():
    a = defaults(parse(__doc__.split('\n')[0], inference_args))
    started = machine()
    ctx = setup(a)
    print(f"inference_knobs: composites at {a.size}px, lite0, {a.repeats} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    vs, load_s, nk, n1 = variants(ctx, a)
    rk = interleaved({k: f for k, (f, _) in vs.items()}, repeats=a.repeats)
    ips = {k: vs[k][1]/v['median'] for k, v in rk.items()}
    base = lambda k: ips['raw bs=64 inference_mode' if k.startswith('raw') else 'predict_files bs=64']
    rows = [dict(variant=k, images=vs[k][1], img_per_s=v, speedup=ratio(v, base(k))) for k, v in ips.items()]
    table(rows, title=f'\nknobs on {nk} images (bs=1: {n1}); speedup in img/s vs the same path with the defaults '
                      '(bs=64, inference_mode, channels_last, num_workers=0)')
    print(f"load_model_artifact: {load_s:.2f}s")
    cl = dict(raw=ratio(ips['raw bs=64 inference_mode'], ips['raw bs=64 contiguous']),
              predict_files=ratio(ips['predict_files bs=64'], ips['predict_files bs=64 contiguous weights']))
    best = max((r for r in rows if r['variant'].startswith('predict_files')), key=lambda r: r['speedup'])
    summary = (f"channels_last speeds predict_files {cl['predict_files']:.2f}x and the raw forward {cl['raw']:.2f}x; "
               f"bs 1 {ips['predict_files bs=1']/ips['predict_files bs=64']:.2f}x, bs 256 {ips['predict_files bs=256']/ips['predict_files bs=64']:.2f}x, "
               f"2 workers {ips['predict_files bs=64 num_workers=2']/ips['predict_files bs=64']:.2f}x of bs 64; "
               f"best predict_files variant: {best['variant']} ({best['speedup']:.2f}x)")
    save('inference_knobs', dict(rows=rows, channels_last_speedup=cl, load_artifact_s=load_s,
                                 setup=dict(n=nk, n_bs1=n1, size=a.size, rounds=a.repeats)),
         a, started, summary=summary, goal="mlc's defaults within 5% of the fastest single change", met=best['speedup'] <= 1.05)

if __name__ == '__main__': main()
