"""Benchmark: the numbers behind "what scales" for distributed training. Measured here, on this machine's CPU:

1. EfficientNet-Lite0 (mlc's default model, channels-last as `mlc_learner` trains it) forward + backward + SGD step,
   images/s at 64 px (mlc's default size) and 224 px (ImageNet size), batch 32, all cores;
2. decoding and resizing, images/s on ONE core (`mlc.contract.preprocess`, the same PIL work a fastai DataLoader
   worker does per item): a 64 px shapes PNG to 64 px, and a 500x375 JPEG (a PASCAL-sized photo) to 224 px;
3. fastai's whole training data pipeline on one core (`mlc_dls(...).train`, num_workers=0: decode, item transforms,
   collate, batch transforms on the CPU) at 64 px.

Each row gives images per wall second and per CPU second: on a shared machine the CPU-second figure is the one that
carries over (for the 1-process rows it is the rate of one free core). GPU throughput can't be measured here; the README's table puts these next to NVIDIA's published EfficientNet-B0
training figures (a network of the same size) to show where data loading becomes the limit.

    .venv/bin/python bench/scaling.py [--quick]
"""
import tempfile
from common import *

def args(p):
    p.add_argument('--steps', type=int, default=None, help='timed training steps per size (default 6, quick 3)')
    p.add_argument('--n', type=int, default=None, help='images decoded per kind (default 400, quick 150)')

def train_rate(size:int, steps:int, bs:int=32) -> tuple:
    "(images per wall second, per CPU second) of lite0 forward + backward + SGD step on random `size` px batches (medians; one warm-up)"
    import timm
    from mlc.weights import LITE0_ARCH
    m = timm.create_model(LITE0_ARCH, num_classes=10).to(memory_format=torch.channels_last).train()
    opt = torch.optim.SGD(m.parameters(), lr=1e-3)
    x = torch.randn(bs, 3, size, size).contiguous(memory_format=torch.channels_last); y = torch.rand(bs, 10).round()
    def step():
        opt.zero_grad(); torch.nn.functional.binary_cross_entropy_with_logits(m(x), y).backward(); opt.step()
    step()
    ts = [timeit(step)[1:] for _ in range(steps)]
    return bs / statistics.median(t[0] for t in ts), bs / statistics.median(t[1] for t in ts)

def rates(n:int, f) -> tuple:
    "(per wall second, per CPU second) of `n` images processed by `f()`"
    _, wall, cpu = timeit(f)
    return n / wall, n / cpu

def decode_rate(files:list, spec:dict) -> tuple:
    "Images per wall and per CPU second of `mlc.contract.preprocess` (decode + resize) over `files`, in this process"
    from mlc.contract import preprocess
    return rates(len(files), lambda: [preprocess(f, spec) for f in files])

def jpegs(folder:Path, n:int) -> list:
    "`n` 500x375 JPEGs of shapes (PASCAL-sized photos; smooth content like photos, unlike noise)"
    from mlc.datasets import shapes_spec, render_shapes
    folder.mkdir(parents=True, exist_ok=True)
    fs = []
    for i, s in enumerate(shapes_spec(n, seed=1)):
        fn = folder/f'{i:04d}.jpg'; render_shapes(s, 500).resize((500, 375)).save(fn, quality=90); fs.append(fn)
    return fs

def main():
    a = parse(__doc__.split('\n')[0], args)
    a.steps, a.n = a.steps or (3 if a.quick else 6), a.n or (150 if a.quick else 400)
    started = machine()
    from mlc.datasets import make_shapes
    from mlc.data import mlc_dls
    spec = lambda sz: dict(resize=dict(tfm='Resize', size=[sz, sz], resample=2, method='crop', pad_mode='reflection'), div=255., mean=None, std=None)
    row = lambda id, what, r: dict(id=id, what=what, images_per_s=r[0], images_per_cpu_s=r[1])
    rows = [row(f'train{sz}', f'lite0 forward+backward+step, {sz} px, bs 32, {torch.get_num_threads()} threads', train_rate(sz, a.steps)) for sz in (64, 224)]
    shapes = make_shapes(n=max(a.n, 200), size=64)
    pngs = sorted((shapes/'train').glob('*.png'))[:a.n]
    with tempfile.TemporaryDirectory() as d:
        rows.append(row('png64', 'decode + resize, 64 px PNG -> 64, 1 process', decode_rate(pngs, spec(64))))
        rows.append(row('jpeg224', 'decode + resize, 500x375 JPEG -> 224, 1 process', decode_rate(jpegs(Path(d), a.n), spec(224))))
    torch.set_num_threads(1)
    dl = mlc_dls(shapes, size=64, bs=32, seed=0).train
    rows.append(row('dataloader64', 'fastai train DataLoader (mlc_dls, 64 px shapes), 1 thread', rates(len(dl) * dl.bs, lambda: [b for b in dl])))
    print(f"\n{busy_note(started['loadavg'], os.getloadavg())}")
    table(rows)
    r = {o['id']: o['images_per_s'] for o in rows}
    summary = (f"lite0 training {r['train224']:.1f} img/s at 224 px, {r['train64']:.0f} at 64 px; on one core decode + resize "
               f"{r['jpeg224']:.0f} img/s (500x375 JPEG -> 224), {r['png64']:,.0f} (64 px PNG), fastai's train DataLoader {r['dataloader64']:.0f}")
    save('scaling', dict(rows=rows), a, started, summary=summary, goal='inputs of the "What scales" table (no goal)')

if __name__ == '__main__': main()
