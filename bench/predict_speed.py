"""Benchmark: `mlc.runtime.predict_files` (through `mlc.inference.predict_df`, the rows as a DataFrame) vs a loop of
fastai's `learn.predict`, `learn.get_preds` on a `test_dl`, and the raw model forward on pre-decoded tensors, on the
same Fashion-MNIST composite PNGs, in images/s. Goals: predict_files >= 10x the learn.predict loop and >= 0.8x the raw
forward (channels_last weights and input, `torch.inference_mode`, batch 64, images decoded, resized and normalised
beforehand, not timed). `learn.predict` is timed on a subset (it is slow). Interleaved and repeated; medians.

    .venv/bin/python bench/predict_speed.py [--quick]
"""
from common import *
from inference_setup import inference_args, defaults, setup, raw

def speeds(ctx, a) -> tuple:
    "predict_files vs the learn.predict loop, get_preds on a test_dl and the raw forward, in images/s."
    from mlc.inference import predict_df
    learn, files, sub = ctx.learn, ctx.files, ctx.files[:a.n_predict]
    def predict_loop():
        for f in sub: learn.predict(f)
    df = predict_df(learn, files[:64], bs=64)
    with torch.inference_mode(): p_raw = torch.sigmoid(ctx.m.model(ctx.X[:64].contiguous(memory_format=torch.channels_last)))
    max_diff = float((torch.tensor(df[ctx.m.vocab].values) - p_raw).abs().max())
    r = interleaved({'learn.predict loop': predict_loop,
                     'learn.get_preds(test_dl)': lambda: learn.get_preds(dl=learn.dls.test_dl(files, bs=64)),
                     'predict_files(bs=64)': lambda: predict_df(learn, files, bs=64),
                     'raw forward, pre-decoded (bs=64)': lambda: raw(ctx, 64)}, repeats=a.repeats)
    n_of = lambda k: len(sub) if k == 'learn.predict loop' else len(files)
    ips = {k: n_of(k)/v['median'] for k, v in r.items()}
    pf = ips['predict_files(bs=64)']
    rows = [dict(method=k, images=n_of(k), s=r[k]['median'], img_per_s=v, vs_predict_files=ratio(v, pf)) for k, v in ips.items()]
    table(rows, title='\nimages/s (median); vs_predict_files = img/s relative to predict_files')
    return rows, ips, max_diff

def main():
    a = defaults(parse(__doc__.split('\n')[0], lambda p: inference_args(p).add_argument(
        '--n-predict', type=int, default=None, help='images for the learn.predict loop (default 100, quick 20)')))
    a.n_predict = a.n_predict or (20 if a.quick else 100)
    started = machine()
    ctx = setup(a)
    print(f"predict_speed: {len(ctx.files)} composites at {a.size}px, lite0, {a.repeats} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    rows, ips, max_diff = speeds(ctx, a)
    pf = ips['predict_files(bs=64)']
    ratios = dict(predict_files_over_learn_predict=ratio(pf, ips['learn.predict loop']),
                  predict_files_over_raw=ratio(pf, ips['raw forward, pre-decoded (bs=64)']),
                  predict_files_over_get_preds=ratio(pf, ips['learn.get_preds(test_dl)']),
                  decode_resize_ms_per_image=ctx.prep_s/len(ctx.files)*1e3,
                  raw_forward_ms_per_image=1e3/ips['raw forward, pre-decoded (bs=64)'], max_abs_prob_diff_vs_raw=max_diff)
    met = ratios['predict_files_over_learn_predict'] >= 10 and ratios['predict_files_over_raw'] >= 0.8
    summary = (f"predict_files {pf:.0f} img/s = {ratios['predict_files_over_learn_predict']:.1f}x the learn.predict loop, "
               f"{ratios['predict_files_over_raw']:.2f}x the raw forward on pre-decoded tensors, "
               f"{ratios['predict_files_over_get_preds']:.2f}x get_preds(test_dl); max prob difference {max_diff:.1e}")
    save('predict_speed', dict(rows=rows, ratios=ratios, setup=dict(n=len(ctx.files), n_predict=a.n_predict, size=a.size, rounds=a.repeats)),
         a, started, summary=summary, goal='>= 10x the learn.predict loop and >= 0.8x the raw forward', met=met)

if __name__ == '__main__': main()
