__version__ = "0.1.0"

import warnings as _warnings
# fastai's layers.py decorates two activations with `torch.jit.script`, which torch >= 2.10 marks deprecated with a
# FutureWarning at import: a learner can do nothing about it, so it should not be the first thing a lesson prints.
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
