"""What the training-step benchmarks share: their arguments and data (the 2000/500 Fashion-MNIST composites of
`time_to_quality.py`, 56 px PNGs resized to `--size`)."""
from mlc.datasets import make_fmnist_grids

def train_args(p):
    "The arguments of every training-step benchmark."
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--repeats', type=int, default=None, help='interleaved rounds (default 5, quick 3)')

def composites(): return make_fmnist_grids(n_train=2000, n_valid=500, seed=42)
