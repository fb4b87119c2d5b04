"""Optimizadores (``torch.optim``) y planificadores de la tasa (``optim.lr_scheduler``).

Cada ``step()`` aplica la fórmula publicada (la misma que documenta PyTorch) sobre los
parámetros con gradiente. Funcionan con ``Tensor``/``Parameter`` y también con los ``Value``
del gemelo escalar.

* ``optimizer.py``: la base ``Optimizer`` (grupos de parámetros, estado, ``state_dict``);
* ``sgd.py``, ``adam.py`` (Adam, AdamW, Adamax, NAdam, RAdam, SparseAdam), ``adaptive.py`` (RMSprop,
  Adagrad, Adadelta), ``rprop.py``, ``asgd.py``, ``adafactor.py``, ``muon.py``: cada optimizador sólo define su paso,
  con la fórmula en el docstring;
* ``lbfgs.py``: L-BFGS (cuasi-Newton, con ``closure`` y búsqueda de línea de Wolfe fuerte);
* ``swa_utils.py``: promedio de pesos (SWA/EMA: ``AveragedModel``, ``SWALR``, ``update_bn``);
* ``lr_scheduler.py``: los planificadores (``_lr_base.py``: la base ``LRScheduler``;
  ``_lr_formula.py``: los que son una fórmula de la época; ``_lr_stateful.py``: los que tienen estado
  propio; ``_lr_cyclic.py``: los cíclicos, un paso por lote).
"""
from . import lr_scheduler
from .lr_scheduler import ExponentialLR, StepLR  # nombres antiguos de tinygrad_es (en PyTorch: optim.lr_scheduler)
from .adafactor import Adafactor
from .adam import Adam, Adamax, AdamW, NAdam, RAdam, SparseAdam
from .adaptive import Adadelta, Adagrad, RMSprop
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .rprop import Rprop
from .optimizer import Optimizer
from .sgd import SGD
from . import swa_utils

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam", "Rprop",
           "ASGD", "Adafactor", "LBFGS", "SparseAdam", "Muon",
           "lr_scheduler", "swa_utils"]
