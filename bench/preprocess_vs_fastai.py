"""Benchmark: mlc's preprocessing (`mlc.contract`: PIL + numpy, what every backend runs, ONNX Runtime included) gives
the same pixels as fastai's `Resize` transform + `image2tensor`, and how fast each is per image. Goal: identical pixels
(max difference 0) and no slower than fastai's. Interleaved and repeated; medians.

    .venv/bin/python bench/preprocess_vs_fastai.py [--quick]
"""
from common import *

def args(p):
    p.add_argument('--size', type=int, default=64, help='model input size (mlc CLI default 64)')
    p.add_argument('--n', type=int, default=200, help='images (validation composites)')
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 3)')

def main():
    a = parse(__doc__.split('\n')[0], args)
    a.repeats = a.repeats or (3 if a.quick else 5)
    started = machine()
    from fastai.vision.all import Resize, image2tensor
    from mlc.contract import load_rgb, fastai_resize, image_array
    from mlc.data import mlc_dls
    from mlc.datasets import make_fmnist_grids
    from mlc.inference import preprocess_spec
    path = make_fmnist_grids(n_train=2000, n_valid=500, seed=42)
    files = sorted((path/'train').glob('valid_*.png'))[:a.n]
    spec = preprocess_spec(mlc_dls(path, size=a.size, bs=64, seed=0))['resize']   # what mlc's artifact records
    ims = [load_rgb(f) for f in files]
    t = Resize(tuple(spec['size']), method=spec['method'], pad_mode=spec['pad_mode'])
    by_fastai = lambda im: image2tensor(t(im, split_idx=1)).numpy()
    by_mlc = lambda im: image_array(fastai_resize(im, spec))
    diff = max(int(np.abs(by_fastai(im).astype(int) - by_mlc(im).astype(int)).max()) for im in ims)
    print(f"preprocess_vs_fastai: {len(files)} composites to {a.size}px, {a.repeats} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    r = interleaved({'decode: load_rgb': lambda: [load_rgb(f) for f in files],
                     "resize: fastai's Resize + image2tensor": lambda: [by_fastai(im) for im in ims],
                     'resize: mlc.contract.fastai_resize + image_array': lambda: [by_mlc(im) for im in ims]}, repeats=a.repeats)
    rows = [dict(step=k, ms_per_image=v['median']/len(files)*1e3) for k, v in r.items()]
    table(rows, title=f'\npreprocessing per image (mlc.contract vs fastai: max |pixel diff| = {diff})')
    speedup = ratio(r["resize: fastai's Resize + image2tensor"]['median'], r['resize: mlc.contract.fastai_resize + image_array']['median'])
    summary = f"mlc.contract's resize gives fastai's pixels (max difference {diff}), {speedup:.1f}x faster than fastai's Resize + image2tensor"
    save('preprocess_vs_fastai', dict(rows=rows, max_pixel_diff=diff, speedup=speedup, setup=dict(n=len(files), size=a.size, rounds=a.repeats)),
         a, started, summary=summary, goal="identical pixels, no slower than fastai's", met=diff == 0 and speedup >= 1)

if __name__ == '__main__': main()
