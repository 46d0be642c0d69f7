"""Benchmark 3: `mlc.inference.predict_files` vs a loop of fastai's `learn.predict` vs the raw model forward on
pre-decoded tensors, on the same Fashion-MNIST composite PNGs, in images/s. Goals: predict_files >= 10x the
learn.predict loop and >= 0.8x the raw forward. Then the knobs: inference batch size, torch.inference_mode vs
no_grad, channels_last (mlc's default) vs contiguous weights, the PIL resize shortcut (mlc's default) vs fastai's
`Resize`, DataLoader workers (0 vs 2), and the safetensors artifact (`load_model_artifact`).

The raw forward is the fastest plain-PyTorch path for the same network: channels_last weights and input,
`torch.inference_mode`, batch 64, on uint8 tensors decoded and resized beforehand (not timed).

The model is `mlc_learner` (pretrained lite0 body, untrained head): speed does not depend on the weights.
`learn.predict` is timed on a subset (it is slow); everything else on all files. Variants in one table are
interleaved and repeated; medians.

    .venv/bin/python bench/inference.py [--quick]
"""
from common import *

def args(p):
    p.add_argument('--size', type=int, default=64, help='model input size (mlc CLI default 64)')
    p.add_argument('--n', type=int, default=None, help='images (validation composites; default 500, quick 256)')
    p.add_argument('--n-predict', type=int, default=None, help='images for the learn.predict loop (default 100, quick 20)')
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 3)')

def main():
    a = parse(__doc__.split('\n')[0], args)
    rounds = a.repeats or (3 if a.quick else 5)
    n_pred = a.n_predict or (20 if a.quick else 100)
    a.n = a.n or (256 if a.quick else 500)
    started = machine()
    no_progress()
    import tempfile
    import mlc.inference as inf
    from mlc.inference import predict_files, MLCModel
    from mlc.data import mlc_dls
    from mlc.learner import mlc_learner
    path = fmnist(2000, max(500, a.n))
    files = sorted((path/'train').glob('valid_*.png'))[:a.n]
    dls = mlc_dls(path, size=a.size, bs=64, seed=0)
    learn = mlc_learner(dls)
    learn.logger = lambda *a, **k: None
    learn.model.eval()
    m = MLCModel.from_learner(learn)
    print(f"inference: {len(files)} composites at {a.size}px, lite0, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)

    # pre-decoded uint8 tensors, preprocessed exactly as predict_files does
    c = Clock(); X = torch.stack([m.preprocess(f) for f in files]); prep_s = c.wall
    cl = lambda xb: xb.contiguous(memory_format=torch.channels_last)
    def raw(bs=64, mode='inference', model=None):
        net = model or m.model
        ctx = torch.inference_mode() if mode == 'inference' else torch.no_grad()
        with ctx:
            for i in range(0, len(X), bs): torch.sigmoid(net(cl(m.normalize(X[i:i+bs]))))
    sub = files[:n_pred]
    def predict_loop():
        with learn.no_bar():
            for f in sub: learn.predict(f)
    def get_preds():
        with learn.no_bar(): learn.get_preds(dl=learn.dls.test_dl(files, bs=64))

    # correctness: predict_files agrees with the raw forward
    df = predict_files(learn, files[:64], bs=64)
    with torch.inference_mode(): p_raw = torch.sigmoid(m.model(m.normalize(X[:64])))
    max_diff = float((torch.tensor(df[m.vocab].values) - p_raw).abs().max())

    # 1. the headline comparison
    r = interleaved({'learn.predict loop': predict_loop,
                     'learn.get_preds(test_dl)': get_preds,
                     'predict_files(bs=64)': lambda: predict_files(learn, files, bs=64),
                     'raw forward, pre-decoded (bs=64)': lambda: raw(64)}, repeats=rounds)
    n_of = lambda k: n_pred if k == 'learn.predict loop' else len(files)
    ips = {k: n_of(k)/v['median'] for k, v in r.items()}
    pf, loop, rawf = ips['predict_files(bs=64)'], ips['learn.predict loop'], ips['raw forward, pre-decoded (bs=64)']
    rows = [dict(method=k, images=n_of(k), s=r[k]['median'], img_per_s=v, vs_predict_files=ratio(v, pf)) for k, v in ips.items()]
    table(rows, title='\n1. images/s (median); vs_predict_files = img/s relative to predict_files')
    ratios = dict(predict_files_over_learn_predict=ratio(pf, loop), predict_files_over_raw=ratio(pf, rawf),
                  decode_resize_ms_per_image=prep_s/len(files)*1e3, raw_forward_ms_per_image=1e3/rawf,
                  max_abs_prob_diff_vs_raw=max_diff)
    goals = dict(ge_10x_learn_predict=ratios['predict_files_over_learn_predict'] >= 10,
                 ge_0_8x_raw=ratios['predict_files_over_raw'] >= 0.8)
    print(f"\npredict_files / learn.predict loop = {ratios['predict_files_over_learn_predict']:.1f}x  (goal >= 10x: "
          f"{'MET' if goals['ge_10x_learn_predict'] else 'NOT met'})")
    print(f"predict_files / raw forward      = {ratios['predict_files_over_raw']:.2f}x  (goal >= 0.8x: "
          f"{'MET' if goals['ge_0_8x_raw'] else 'NOT met'}); decode+resize {ratios['decode_resize_ms_per_image']:.2f} ms/img "
          f"vs forward {ratios['raw_forward_ms_per_image']:.2f} ms/img; max |prob diff| {max_diff:.1e}")

    # 2. where predict_files' extra time goes: decode and resize per image (mlc: PIL resize when fastai would not crop)
    from PIL import Image
    from fastai.vision.all import image2tensor
    pf_files = files[:200]
    ims = [inf.load_rgb(f) for f in pf_files]
    fastai_resize = lambda im: image2tensor(m.tfm(im, split_idx=1))
    same = max(int((fastai_resize(im).int() - m.resize(im).int()).abs().max()) for im in ims)
    rp = interleaved({'decode: load_rgb': lambda: [inf.load_rgb(f) for f in pf_files],
                      'resize: fastai Resize + image2tensor (before)': lambda: [fastai_resize(im) for im in ims],
                      'resize: MLCModel.resize (PIL resize, mlc default)': lambda: [m.resize(im) for im in ims]}, repeats=rounds)
    prow = [dict(step=k, ms_per_image=v['median']/len(pf_files)*1e3) for k, v in rp.items()]
    table(prow, title=f'\n2. preprocessing per image (MLCModel.resize identical to fastai Resize: max |diff| = {same})')
    class FastaiResize(MLCModel):
        "predict_files' preprocessing through fastai's Resize always (what mlc did before)."
        def resize(self, im): return image2tensor(self.tfm(im, split_idx=1))

    # 3. knobs
    import copy
    net_c = copy.deepcopy(m.model).to(memory_format=torch.contiguous_format).eval()
    m_c = MLCModel(net_c, m.vocab, m.thresh, m.spec, channels_last=False)
    m_before = FastaiResize(net_c, m.vocab, m.thresh, m.spec, channels_last=False)
    m_fr = FastaiResize(m.model, m.vocab, m.thresh, m.spec)
    tmp = Path(tempfile.mkdtemp())
    jfn = inf.save_model_artifact(learn, tmp/'model')
    c = Clock(); art = inf.load_model_artifact(jfn); load_s = c.wall
    # small batches are slow per image: bs=1 runs on a subset; images/s is per variant's own count
    nk = min(len(files), 128 if a.quick else 256)
    kf, n1 = files[:nk], min(nk, 32 if a.quick else 64)
    def rawk(bs=64, mode='inference', model=None, n=nk):
        net = model or m.model
        f = (lambda x: x) if net is net_c else cl
        with (torch.inference_mode() if mode == 'inference' else torch.no_grad()):
            for i in range(0, n, bs): torch.sigmoid(net(f(m.normalize(X[i:min(i+bs, n)]))))
    knobs = {'predict_files bs=1': (lambda: predict_files(learn, kf[:n1], bs=1), n1)}
    knobs.update({f'predict_files bs={bs}': ((lambda bs=bs: predict_files(learn, kf, bs=bs)), nk) for bs in (16, 64, 256)})
    knobs.update({'predict_files bs=64 num_workers=2': (lambda: predict_files(learn, kf, bs=64, num_workers=2), nk),
                  'predict_files bs=64 contiguous weights': (lambda: predict_files(m_c, kf, bs=64), nk),
                  'predict_files bs=64 fastai Resize': (lambda: predict_files(m_fr, kf, bs=64), nk),
                  'predict_files bs=64 before (fastai Resize, contiguous)': (lambda: predict_files(m_before, kf, bs=64), nk),
                  'predict_files bs=64 artifact (load_model_artifact)': (lambda: predict_files(art, kf, bs=64), nk),
                  'raw bs=64 inference_mode': (lambda: rawk(64), nk),
                  'raw bs=64 no_grad': (lambda: rawk(64, 'no_grad'), nk),
                  'raw bs=64 contiguous': (lambda: rawk(64, model=net_c), nk),
                  'raw bs=1': (lambda: rawk(1, n=n1), n1), 'raw bs=16': (lambda: rawk(16), nk), 'raw bs=256': (lambda: rawk(256), nk)})
    rk = interleaved({k: f for k, (f, _) in knobs.items()}, repeats=rounds)
    ips_k = {k: knobs[k][1]/v['median'] for k, v in rk.items()}
    krows = [dict(variant=k, images=knobs[k][1], img_per_s=v,
                  speedup=ratio(v, ips_k['raw bs=64 inference_mode' if k.startswith('raw') else 'predict_files bs=64']))
             for k, v in ips_k.items()]
    table(krows, title=f'\n3. knobs on {nk} images (bs=1: {n1}); speedup in img/s vs the same path with the defaults: bs=64, inference_mode, channels_last, PIL resize, num_workers=0)')
    print(f"load_model_artifact: {load_s:.2f}s")
    best = max((r for r in krows if r['variant'].startswith('predict_files')), key=lambda r: r['img_per_s'])
    ratios.update(best_predict_files=best['variant'], best_over_raw=ratio(best['img_per_s'], ips_k['raw bs=64 inference_mode']),
                  best_over_learn_predict=ratio(best['img_per_s'], loop),
                  default_over_before=ratio(ips_k['predict_files bs=64'], ips_k['predict_files bs=64 before (fastai Resize, contiguous)']),
                  channels_last_speedup_raw=ratio(ips_k['raw bs=64 inference_mode'], ips_k['raw bs=64 contiguous']))
    print(f"best predict_files variant: {best['variant']}: {ratios['best_over_learn_predict']:.1f}x learn.predict, "
          f"{ratios['best_over_raw']:.2f}x raw forward; defaults vs before (fastai Resize, contiguous): {ratios['default_over_before']:.2f}x; "
          f"channels_last speeds the raw forward {ratios['channels_last_speedup_raw']:.2f}x")
    save('inference', dict(summary=rows, ratios=ratios, goals=goals, preprocess=prow, knobs=krows, load_artifact_s=load_s,
                           setup=dict(n=len(files), n_predict=n_pred, size=a.size, rounds=rounds)), a, started)

if __name__ == '__main__': main()
