"""What the ONNX benchmarks share: the files, and lite0 at a size saved as mlc's safe artifact and exported to ONNX
(`mlc_learner`'s default, mlc's offline ImageNet weights, an untrained head: speed and memory do not depend on the weights)."""
from pathlib import Path
from common import Clock

def onnx_args(p):
    "The arguments of every ONNX benchmark."
    p.add_argument('--n', type=int, default=500, help='images (validation composites)')
    p.add_argument('--sizes', type=int, nargs='+', default=[64, 128], help='model input sizes')

def composites(n:int) -> list:
    "The first `n` validation composites (Fashion-MNIST 2x2, built once in the mlc cache)."
    from mlc.datasets import make_fmnist_grids
    return sorted((make_fmnist_grids(n_train=2000, n_valid=max(500, n), seed=42)/'train').glob('valid_*.png'))[:n]

def make_models(size:int, out:Path) -> dict:
    "The lite0 learner at `size` px saved as the safe artifact in `out`, and exported to ONNX (timed)."
    from mlc.data import mlc_dls
    from mlc.datasets import make_fmnist_grids
    from mlc.learner import mlc_learner
    from mlc.inference import save_model_artifact, export_onnx
    learn = mlc_learner(mlc_dls(make_fmnist_grids(n_train=2000, n_valid=500, seed=42), size=size, bs=64, seed=0), bars=False)
    art = save_model_artifact(learn, out/f'lite0_{size}', thresh=0.5, temperature=1.)   # an untrained head: settings don't matter for speed
    c = Clock(); onx = export_onnx(art); export_s = c.wall
    return dict(art=art, onx=onx, export_s=export_s, onnx_mb=onx.stat().st_size/1e6)
