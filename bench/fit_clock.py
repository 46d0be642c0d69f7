"""Bench instruments that live inside a fastai fit: `FitClock` (wall and CPU seconds and the Recorder's values after
every epoch, with a competitor's epochs run in between and not counted) and `epoch_seconds` (an epoch's training and
validation seconds, timed from a few batches of the learner's own `fit`)."""
import copy, time
from fastai.callback.core import Callback, CancelFitException, CancelTrainException, CancelValidException
from fastai.imports import noop   # the noop LogLines and fastai compare with
from common import Clock

class FitClock(Callback):
    """Times a whole training (from the first `before_fit` to the last `after_fit`, across `fine_tune`'s two fits) and
    records a point after every epoch: wall and CPU seconds, seconds without validation, and the Recorder's values.
    `between_epochs(epoch)` is called after each epoch (before it if `before`) and its time is NOT counted (used to
    interleave a competitor epoch by epoch). Silences the printed epoch table (`mlc_learner`'s `LogLines` too);
    `verbose` prefixes own lines; a `budget_s` stops training after the epoch that passes it."""
    order = 60   # after Recorder (50), before LogLines (61)
    def __init__(self, between_epochs=None, budget_s:float=None, verbose:str=None, before:bool=False):
        self.between_epochs, self.budget_s, self.verbose, self.before = between_epochs, budget_s, verbose, before
        self.points, self.wall_s, self.cpu_s, self.valid_s, self.excl_w, self.excl_c = [], 0., 0., 0., 0., 0.
        self.clock = None
    def after_create(self): self.learn.logger = noop
    def before_fit(self):
        self.learn.logger = noop
        if self.clock is None: self.clock = Clock()
    def before_epoch(self):
        if self.before and self.between_epochs is not None: self._excluded(len(self.points)+1)
    def _excluded(self, epoch):
        x = Clock(); self.between_epochs(epoch); self.excl_w += x.wall; self.excl_c += x.cpu
    def before_validate(self): self._v = time.perf_counter()
    def after_validate(self): self.valid_s += time.perf_counter() - self._v
    def _now(self): return self.clock.wall - self.excl_w, self.clock.cpu - self.excl_c
    def after_epoch(self):
        rec = self.learn.recorder
        names = [n for n in rec.metric_names[1:] if n != 'time']
        w, c = self._now()
        p = dict(epoch=len(self.points)+1, wall_s=w, train_s=w - self.valid_s, cpu_s=c,
                 **{k: float(v) for k, v in zip(names, rec.values[-1]) if v is not None})
        self.points.append(p)
        if self.verbose: print(f"  {self.verbose} epoch {p['epoch']}: {w:6.1f}s  " + '  '.join(
            f"{k} {p[k]:.4f}" for k in ('train_loss', 'valid_loss', 'mAP') if k in p), flush=True)
        if not self.before and self.between_epochs is not None: self._excluded(p['epoch'])
        if self.budget_s and w > self.budget_s and self.epoch < self.n_epoch - 1: raise CancelFitException()
    def after_fit(self): self.wall_s, self.cpu_s = self._now()

class BatchTimer(Callback):
    "Seconds per batch of training and of validation after `warmup` (validation: 1) batches, `timed` batches each."
    order = 70
    def __init__(self, warmup:int=3, timed:int=4): self.warmup, self.timed = warmup, timed
    def before_fit(self): self.s = {}
    def before_train(self): self.n, self.skip = 0, min(self.warmup, len(self.dl) - 1)   # a short loader: at least one timed batch
    def before_validate(self): self.n, self.skip = 0, min(1, len(self.dl) - 1)
    def after_batch(self):
        self.n += 1
        if self.n == self.skip: self.c = Clock()
        if self.n == self.skip + self.timed: raise CancelTrainException() if self.training else CancelValidException()
    def _record(self, phase): self.s[phase] = self.c.wall/(self.n - self.skip)
    def after_train(self): self._record('train')
    def after_validate(self): self._record('valid')

def epoch_seconds(learn, warmup:int=3, timed:int=4) -> dict:
    """Seconds per epoch of training and of validation (dict `train`, `valid`), timed in the learner's own `fit`:
    `timed` training batches after `warmup` (oneDNN's first channels-last steps are slow) and `timed` validation
    batches after one; then the weights are put back and the optimizer dropped. Call it on a frozen learner for
    `fine_tune`'s first epoch (cheaper: no weight gradients in the body) and on an unfrozen one for the rest. (Timing
    a copy of the model in a hand-written loop overestimated lite0's epochs 1.5-2x.)"""
    state, timer = copy.deepcopy(learn.model.state_dict()), BatchTimer(warmup, timed)
    with learn.no_logging(): learn.fit(1, 1e-5, cbs=timer)
    learn.model.load_state_dict(state); learn.opt = None
    return dict(train=timer.s['train']*len(learn.dls.train), valid=timer.s['valid']*len(learn.dls.valid))
