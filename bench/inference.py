"""Benchmark 3: `mlc.inference.predict_df` (the rows of `mlc.runtime.predict_files` as a DataFrame) vs a loop of fastai's `learn.predict` vs the raw model forward on
pre-decoded tensors, on the same Fashion-MNIST composite PNGs, in images/s. Goals: predict_files >= 10x the
learn.predict loop and >= 0.8x the raw forward. Then the preprocessing (mlc.contract's numpy/PIL resize vs fastai's
`Resize` transform, identical pixels) and the knobs: inference batch size, torch.inference_mode vs no_grad,
channels_last (mlc's default) vs contiguous weights, worker processes (0 vs 2), and the safetensors artifact.

The raw forward is the fastest plain-PyTorch path for the same network: channels_last weights and input,
`torch.inference_mode`, batch 64, on images decoded, resized and normalised beforehand (not timed).

The model is `mlc_learner` (pretrained lite0 body, untrained head): speed does not depend on the weights.
`learn.predict` is timed on a subset (it is slow); everything else on all files. Variants in one table are
interleaved and repeated; medians.

    .venv/bin/python bench/inference.py [--quick]
"""
from types import SimpleNamespace
from common import *

def args(p):
    p.add_argument('--size', type=int, default=64, help='model input size (mlc CLI default 64)')
    p.add_argument('--n', type=int, default=None, help='images (validation composites; default 500, quick 256)')
    p.add_argument('--n-predict', type=int, default=None, help='images for the learn.predict loop (default 100, quick 20)')
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 3)')

def setup(a):
    "The learner, its torch predictor, the files and the pre-decoded, normalised batch they give."
    from mlc.inference import MLCModel
    from mlc.contract import preprocess, normalize
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    path = fmnist(2000, max(500, a.n))
    files = sorted((path/'train').glob('valid_*.png'))[:a.n]
    learn = mlc_learner(mlc_dls(path, size=a.size, bs=64, seed=0), bars=False)
    learn.logger = lambda *a, **k: None
    m = MLCModel.from_learner(learn)
    c = Clock(); X = normalize(np.stack([preprocess(f, m.spec) for f in files]), m.spec); prep_s = c.wall
    return SimpleNamespace(learn=learn, m=m, files=files, X=torch.from_numpy(X), prep_s=prep_s)

def raw(ctx, bs=64, mode='inference', net=None, n=None):
    "The network alone on the pre-decoded batch: `bs` at a time, channels-last input unless `net` is contiguous."
    net = net or ctx.m.model
    X = ctx.X[:n]
    cl = lambda xb: xb.contiguous(memory_format=torch.channels_last) if net is ctx.m.model else xb
    with (torch.inference_mode() if mode == 'inference' else torch.no_grad()):
        for i in range(0, len(X), bs): torch.sigmoid(net(cl(X[i:i+bs])))

def headline(ctx, a, rounds) -> tuple:
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
                     'predict_files(bs=64)': lambda: predict_df(learn, files, bs=64),   # with the DataFrame, as before
                     'raw forward, pre-decoded (bs=64)': lambda: raw(ctx, 64)}, repeats=rounds)
    n_of = lambda k: len(sub) if k == 'learn.predict loop' else len(files)
    ips = {k: n_of(k)/v['median'] for k, v in r.items()}
    pf = ips['predict_files(bs=64)']
    rows = [dict(method=k, images=n_of(k), s=r[k]['median'], img_per_s=v, vs_predict_files=ratio(v, pf)) for k, v in ips.items()]
    table(rows, title='\n1. images/s (median); vs_predict_files = img/s relative to predict_files')
    ratios = dict(predict_files_over_learn_predict=ratio(pf, ips['learn.predict loop']),
                  predict_files_over_raw=ratio(pf, ips['raw forward, pre-decoded (bs=64)']),
                  decode_resize_ms_per_image=ctx.prep_s/len(files)*1e3,
                  raw_forward_ms_per_image=1e3/ips['raw forward, pre-decoded (bs=64)'], max_abs_prob_diff_vs_raw=max_diff)
    goals = dict(ge_10x_learn_predict=ratios['predict_files_over_learn_predict'] >= 10, ge_0_8x_raw=ratios['predict_files_over_raw'] >= 0.8)
    print(f"\npredict_files / learn.predict loop = {ratios['predict_files_over_learn_predict']:.1f}x  (goal >= 10x: "
          f"{'MET' if goals['ge_10x_learn_predict'] else 'NOT met'})")
    print(f"predict_files / raw forward      = {ratios['predict_files_over_raw']:.2f}x  (goal >= 0.8x: "
          f"{'MET' if goals['ge_0_8x_raw'] else 'NOT met'}); decode+resize {ratios['decode_resize_ms_per_image']:.2f} ms/img "
          f"vs forward {ratios['raw_forward_ms_per_image']:.2f} ms/img; max |prob diff| {max_diff:.1e}")
    return rows, ratios, goals, ips

def preprocessing(ctx, rounds) -> list:
    "Decode and resize per image: mlc.contract (PIL + numpy) vs fastai's `Resize` transform, which give the same pixels."
    from fastai.vision.all import Resize, image2tensor
    from mlc.contract import load_rgb, fastai_resize, image_array
    files, spec = ctx.files[:200], ctx.m.spec['resize']
    ims = [load_rgb(f) for f in files]
    t = Resize(tuple(spec['size']), method=spec['method'], pad_mode=spec['pad_mode'])
    by_fastai = lambda im: image2tensor(t(im, split_idx=1)).numpy()
    same = max(int(np.abs(by_fastai(im).astype(int) - image_array(fastai_resize(im, spec)).astype(int)).max()) for im in ims)
    rp = interleaved({'decode: load_rgb': lambda: [load_rgb(f) for f in files],
                      "resize: fastai's Resize + image2tensor": lambda: [by_fastai(im) for im in ims],
                      'resize: mlc.contract.fastai_resize + image_array': lambda: [image_array(fastai_resize(im, spec)) for im in ims]},
                     repeats=rounds)
    rows = [dict(step=k, ms_per_image=v['median']/len(files)*1e3) for k, v in rp.items()]
    table(rows, title=f'\n2. preprocessing per image (mlc.contract vs fastai: max |pixel diff| = {same})')
    return rows

def knobs(ctx, a, rounds) -> tuple:
    "The same prediction with one setting changed at a time, in images/s and relative to the defaults."
    import copy, tempfile
    from mlc.inference import MLCModel, save_model_artifact, load_model_artifact
    from mlc.runtime import predict_files
    m = ctx.m
    net_c = copy.deepcopy(m.model).to(memory_format=torch.contiguous_format).eval()
    m_c = MLCModel(net_c, m.vocab, m.thresh, m.spec, channels_last=False)
    c = Clock(); art = load_model_artifact(save_model_artifact(ctx.learn, Path(tempfile.mkdtemp())/'model', thresh=m.thresh, temperature=m.temperature)); load_s = c.wall
    nk = min(len(ctx.files), 128 if a.quick else 256)
    kf, n1 = ctx.files[:nk], min(nk, 32 if a.quick else 64)   # bs=1 is slow per image: a subset; img/s per variant's own count
    variants = {'predict_files bs=1': (lambda: predict_files(m, kf[:n1], bs=1), n1)}
    variants.update({f'predict_files bs={bs}': ((lambda bs=bs: predict_files(m, kf, bs=bs)), nk) for bs in (16, 64, 256)})
    variants.update({'predict_files bs=64 num_workers=2': (lambda: predict_files(m, kf, bs=64, num_workers=2), nk),
                     'predict_files bs=64 contiguous weights': (lambda: predict_files(m_c, kf, bs=64), nk),
                     'predict_files bs=64 artifact (load_model_artifact)': (lambda: predict_files(art, kf, bs=64), nk),
                     'raw bs=64 inference_mode': (lambda: raw(ctx, 64, n=nk), nk),
                     'raw bs=64 no_grad': (lambda: raw(ctx, 64, 'no_grad', n=nk), nk),
                     'raw bs=64 contiguous': (lambda: raw(ctx, 64, net=net_c, n=nk), nk),
                     'raw bs=1': (lambda: raw(ctx, 1, n=n1), n1), 'raw bs=16': (lambda: raw(ctx, 16, n=nk), nk),
                     'raw bs=256': (lambda: raw(ctx, 256, n=nk), nk)})
    rk = interleaved({k: f for k, (f, _) in variants.items()}, repeats=rounds)
    ips = {k: variants[k][1]/v['median'] for k, v in rk.items()}
    base = lambda k: ips['raw bs=64 inference_mode' if k.startswith('raw') else 'predict_files bs=64']
    rows = [dict(variant=k, images=variants[k][1], img_per_s=v, speedup=ratio(v, base(k))) for k, v in ips.items()]
    table(rows, title=f'\n3. knobs on {nk} images (bs=1: {n1}); speedup in img/s vs the same path with the defaults '
                      '(bs=64, inference_mode, channels_last, num_workers=0)')
    print(f"load_model_artifact: {load_s:.2f}s")
    return rows, load_s, dict(channels_last_speedup_raw=ratio(ips['raw bs=64 inference_mode'], ips['raw bs=64 contiguous']),
                              channels_last_speedup_predict_files=ratio(ips['predict_files bs=64'], ips['predict_files bs=64 contiguous weights']))

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (3 if a.quick else 5)
    a.n_predict, a.n = a.n_predict or (20 if a.quick else 100), a.n or (256 if a.quick else 500)
    started = machine()
    ctx = setup(a)
    print(f"inference: {len(ctx.files)} composites at {a.size}px, lite0, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    rows, ratios, goals, _ = headline(ctx, a, rounds)
    prow = preprocessing(ctx, rounds)
    krows, load_s, cl = knobs(ctx, a, rounds)
    ratios.update(cl)
    print(f"channels_last speeds the raw forward {cl['channels_last_speedup_raw']:.2f}x and predict_files {cl['channels_last_speedup_predict_files']:.2f}x")
    save('inference', dict(summary=rows, ratios=ratios, goals=goals, preprocess=prow, knobs=krows, load_artifact_s=load_s,
                           setup=dict(n=len(ctx.files), n_predict=a.n_predict, size=a.size, rounds=rounds)), a, started)

if __name__ == '__main__': main()
