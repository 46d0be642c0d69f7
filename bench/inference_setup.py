"""What the inference benchmarks share: an `mlc_learner` (pretrained lite0 body, untrained head: speed does not depend on
the weights), its torch predictor, the validation composites and their pre-decoded, normalised batch, and the raw
forward on that batch (the fastest plain-PyTorch path for the same network)."""
from types import SimpleNamespace
import numpy as np, torch
from fastai.imports import noop   # the noop LogLines and fastai compare with
from common import Clock

def inference_args(p, n=500, n_quick=256):
    "The arguments of every inference benchmark."
    p.add_argument('--size', type=int, default=64, help='model input size (mlc CLI default 64)')
    p.add_argument('--n', type=int, default=None, help=f'images (validation composites; default {n}, quick {n_quick})')
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 3)')
    return p

def defaults(a, n=500, n_quick=256):
    "Fill in `a.n` and `a.repeats` (rounds) from `--quick`."
    a.n, a.repeats = a.n or (n_quick if a.quick else n), a.repeats or (3 if a.quick else 5)
    return a

def setup(a):
    "The learner, its torch predictor, the files and the pre-decoded, normalised batch they give."
    from mlc.inference import MLCModel
    from mlc.contract import preprocess, normalize
    from mlc.data import mlc_dls
    from mlc.datasets import make_fmnist_grids
    from mlc.learner import mlc_learner
    path = make_fmnist_grids(n_train=2000, n_valid=max(500, a.n), seed=42)
    files = sorted((path/'train').glob('valid_*.png'))[:a.n]
    learn = mlc_learner(mlc_dls(path, size=a.size, bs=64, seed=0), bars=False)
    learn.logger = noop
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
