"""The baseline the training benchmarks compare mlc against: PyTorch loops as written on forums (`PlainTrainer`: PIL
+ torchvision transforms, BCEWithLogitsLoss, Adam at a constant LR) and by a strong PyTorch user (`TunedTrainer`:
AdamW + OneCycleLR + channels-last), on timm's lite0 with timm's head. Not a library idea: what mlc is measured against.
Data, labels and weights come from mlc (`mlc.data`, `mlc.weights`), so both sides read the same files and targets.
"""
from pathlib import Path
import torch

def split_files(path) -> tuple:
    "(train files, train targets, valid files, valid targets, vocab) of a PASCAL-layout dataset, targets float multi-hot."
    from mlc.data import load_labels, label_vocab, multi_hot
    df = load_labels(path, check_images=False)
    vocab = label_vocab(df)
    ys, files, va = torch.as_tensor(multi_hot(df, vocab), dtype=torch.float32), [Path(path)/'train'/f for f in df.fname], df.is_valid.values
    pick = lambda m: [f for f, k in zip(files, m) if k]
    return pick(~va), ys[~va], pick(va), ys[va], vocab

class ImageFiles(torch.utils.data.Dataset):
    "Forum-style dataset: PIL open, convert RGB, torchvision transforms, multi-hot target."
    def __init__(self, files, targs, tfm): self.files, self.targs, self.tfm = files, targs, tfm
    def __len__(self): return len(self.files)
    def __getitem__(self, i):
        from PIL import Image
        with Image.open(self.files[i]) as im: x = self.tfm(im.convert('RGB'))
        return x, self.targs[i]

def plain_loaders(path, size:int, bs:int, num_workers:int=0, seed:int=42) -> tuple:
    "train/valid DataLoaders with torchvision transforms: Resize, RandomHorizontalFlip (train), ToTensor, Normalize."
    import torchvision.transforms as T
    from fastai.vision.all import imagenet_stats
    trf, ytr, vaf, yva, vocab = split_files(path)
    norm = T.Normalize(*imagenet_stats)
    t_train = T.Compose([T.Resize((size, size)), T.RandomHorizontalFlip(), T.ToTensor(), norm])
    t_valid = T.Compose([T.Resize((size, size)), T.ToTensor(), norm])
    g = torch.Generator().manual_seed(seed)
    dl_t = torch.utils.data.DataLoader(ImageFiles(trf, ytr, t_train), bs, shuffle=True, drop_last=True,
                                       num_workers=num_workers, generator=g, persistent_workers=num_workers > 0)
    dl_v = torch.utils.data.DataLoader(ImageFiles(vaf, yva, t_valid), bs*2, num_workers=num_workers,
                                       persistent_workers=num_workers > 0)
    return dl_t, dl_v, vocab

def timm_model(n_out:int, arch:str='tf_efficientnet_lite0', pretrained:bool=True):
    "timm's `arch` with timm's own head (dropout + Linear), from mlc's offline weights where it has them."
    import timm
    from mlc.weights import offline_kwargs
    return timm.create_model(arch, pretrained=pretrained, num_classes=n_out, **offline_kwargs(arch, pretrained))

@torch.no_grad()
def plain_preds(model, dl) -> tuple:
    "(probabilities, targets) of `model` over `dl`."
    model.eval()
    ps, ys = [], []
    for xb, yb in dl: ps.append(torch.sigmoid(model(xb))); ys.append(yb)
    return torch.cat(ps), torch.cat(ys)

class PlainTrainer:
    """The forum loop: `nn.BCEWithLogitsLoss`, Adam at a constant `lr`, train then evaluate on the validation set every
    epoch. `epoch()` runs one epoch and appends a point (cumulative wall/CPU seconds of this trainer only)."""
    def __init__(self, model, dl_t, dl_v, lr:float=1e-3, verbose:str=None):
        self.model, self.dl_t, self.dl_v, self.verbose = model, dl_t, dl_v, verbose
        self.loss_fn, self.opt = torch.nn.BCEWithLogitsLoss(), torch.optim.Adam(model.parameters(), lr=lr)
        self.points, self.wall_s, self.cpu_s, self.valid_s, self.n_images = [], 0., 0., 0., 0
    def epoch(self, *_):
        "Train one epoch, validate, record and return the point."
        from common import Clock
        from mlc.metrics import mean_ap
        c = Clock()
        self.model.train(); tot, n = 0., 0
        for xb, yb in self.dl_t:
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward(); self.opt.step()
            tot += loss.item()*len(xb); n += len(xb)
        v = Clock()
        probs, targs = plain_preds(self.model, self.dl_v)
        valid_loss = torch.nn.functional.binary_cross_entropy(probs.clamp(1e-7, 1-1e-7), targs).item()
        score = mean_ap(probs, targs)
        self.valid_s += v.wall; self.wall_s += c.wall; self.cpu_s += c.cpu; self.n_images += n
        p = dict(epoch=len(self.points)+1, wall_s=self.wall_s, train_s=self.wall_s - self.valid_s, cpu_s=self.cpu_s,
                 train_loss=tot/max(n, 1), valid_loss=valid_loss, mAP=score)
        self.points.append(p)
        if self.verbose: print(f"  {self.verbose} epoch {p['epoch']}: {p['wall_s']:6.1f}s  train_loss {p['train_loss']:.4f}  "
                               f"valid_loss {valid_loss:.4f}  mAP {score:.4f}", flush=True)
        return p

class _Scheduled:
    "An optimizer whose `step` also steps an LR scheduler (once per batch, as OneCycleLR wants)"
    def __init__(self, opt, sched): self.opt, self.sched = opt, sched
    def zero_grad(self): self.opt.zero_grad()
    def step(self): self.opt.step(); self.sched.step()

class TunedTrainer(PlainTrainer):
    """The loop a strong PyTorch user writes: AdamW (weight decay `wd`), OneCycleLR to `lr` over all `epochs` (warm-up
    25% of the steps, as fastai's fit_one_cycle), channels-last weights (as mlc's ChannelsLast callback); else the plain loop."""
    def __init__(self, model, dl_t, dl_v, lr:float=3e-3, epochs:int=3, wd:float=0.01, verbose:str=None):
        super().__init__(model.to(memory_format=torch.channels_last), dl_t, dl_v, verbose=verbose)
        opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=wd)
        self.opt = _Scheduled(opt, torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs*len(dl_t), pct_start=0.25))
