"""Benchmark: seconds per training batch of fastai's data pipeline alone (`mlc_dls(...).train`, num_workers 0: decode,
item Resize, collate, batch transforms) for the current setting (56 px composites resized to 64) against candidate
speed-ups: training at the native 56 px, composites pre-sized to 64 px once, fastai's `Flip()` batch transform
(affine grid + grid_sample) replaced by a plain `torch.flip` on half the batch, or no flip. Interleaved; medians.
No goal: it prices each candidate.

    .venv/bin/python bench/train_data_pipeline.py [--quick]
"""
from common import *
from train_setup import train_args, composites

def presized(path, size:int) -> Path:
    "A copy of the dataset at `path` with every image resized once to `size` px (what generating at the training size gives)."
    from PIL import Image
    from mlc.datasets import mlc_cache
    out = mlc_cache('bench', f'{Path(path).name}_presized{size}')
    if (out/'train.csv').exists(): return out
    (out/'train').mkdir(parents=True, exist_ok=True)
    for f in sorted((Path(path)/'train').glob('*.png')):
        with Image.open(f) as im: im.resize((size, size), Image.BILINEAR).save(out/'train'/f.name, compress_level=1)
    for fn in ('train.csv', 'mlc.json'): (out/fn).write_bytes((Path(path)/fn).read_bytes())
    return out

def pipelines(path, path64, a) -> dict:
    "The `DataLoaders` of each variant."
    from fastai.vision.all import Normalize, imagenet_stats, Transform, TensorImage
    from mlc.data import mlc_dls
    class TorchFlip(Transform):
        "Horizontal flip of a random half of the batch (what Flip() does, without affine_grid/grid_sample)."
        split_idx, order = 0, 10   # training only; after IntToFloatTensor
        def encodes(self, x:TensorImage):
            m = torch.rand(len(x)) < 0.5
            if m.any(): x = x.clone(); x[m] = x[m].flip(-1)
            return x
    norm = Normalize.from_stats(*imagenet_stats)
    dls = lambda p, size=a.size, **kw: mlc_dls(p, size=size, bs=a.bs, seed=0, **kw)
    return {f'resize 56->{a.size} (current)': dls(path), 'native 56 px': dls(path, 56), f'pre-sized {a.size} px': dls(path64),
            f'resize 56->{a.size}, torch.flip': dls(path, batch_tfms=[TorchFlip(), norm]),
            f'resize 56->{a.size}, no flip': dls(path, batch_tfms=[norm])}

def main():
    a = parse(__doc__.split('\n')[0], train_args)
    rounds = a.repeats or (3 if a.quick else 5)
    started = machine()
    path = composites()
    dls = pipelines(path, presized(path, a.size), a)
    print(f"train_data_pipeline: bs {a.bs}, {rounds} interleaved rounds   [{busy_note(started['loadavg'])}]", flush=True)
    nb = 4
    def run(dl):
        it = iter(dl.train)
        for _ in range(nb): next(it)
    r = interleaved({k: (lambda d=d: run(d)) for k, d in dls.items()}, repeats=rounds, warmup=1)
    dv = {k: dict(s_per_batch=v['median']/nb, cpu_s_per_batch=v['cpu_median']/nb) for k, v in r.items()}
    base = dv[f'resize 56->{a.size} (current)']['s_per_batch']
    rows = [dict(data_pipeline=k, s_per_batch=v['s_per_batch'], speedup=ratio(base, v['s_per_batch'])) for k, v in dv.items()]
    table(rows, title='\ndata pipeline alone (num_workers=0), s per batch; speedup vs current')
    summary = f"data pipeline {base*1e3:.0f} ms per batch of {a.bs} (resize 56->{a.size}, Flip()); speed-up of: " + '; '.join(
        f"{r['data_pipeline'].replace(f'resize 56->{a.size}, ', '')} {r['speedup']:.2f}x" for r in rows[1:])
    save('train_data_pipeline', dict(rows=rows, data=dv, setup=dict(size=a.size, bs=a.bs, rounds=rounds, batches=nb)), a, started,
         summary=summary, goal='what each data candidate buys (no goal)')

if __name__ == '__main__': main()
