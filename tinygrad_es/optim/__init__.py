"""Optimizadores (``torch.optim``) y planificadores de la tasa (``optim.lr_scheduler``).

Cada ``step()`` aplica la fórmula publicada (la misma que documenta PyTorch) sobre los
parámetros con gradiente. Funcionan con ``Tensor``/``Parameter`` y también con los ``Value``
del gemelo escalar.

* ``optimizer.py``: la base ``Optimizer`` (grupos de parámetros, estado, ``state_dict``);
* ``sgd.py``, ``adam.py`` (Adam, AdamW, Adamax, NAdam, RAdam), ``adaptive.py`` (RMSprop, Adagrad,
  Adadelta): cada optimizador sólo define su paso, con la fórmula en el docstring;
* ``lr_scheduler.py``: los planificadores (``_lr_base.py``: la base ``LRScheduler``;
  ``_lr_formula.py``: los que son una fórmula de la época; ``_lr_stateful.py``: los que tienen estado
  propio; ``_lr_cyclic.py``: los cíclicos, un paso por lote).
"""
from . import lr_scheduler
from .lr_scheduler import ExponentialLR, StepLR  # nombres antiguos de tinygrad_es (en PyTorch: optim.lr_scheduler)
from .adafactor import Adafactor
from .adam import Adam, Adamax, AdamW, NAdam, RAdam
from .adaptive import Adadelta, Adagrad, RMSprop
from .asgd import ASGD
from .lbfgs import LBFGS
from .rprop import Rprop
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam", "Rprop",
           "ASGD", "Adafactor", "LBFGS", "lr_scheduler"]
