"""El corazón de autograd: el grafo, el motor de ``backward``, el modo sin gradiente y las dos
``Function``: la de PyTorch (la del usuario) y la interna de las operaciones.

El grafo se guarda como en PyTorch: cada tensor calculado apunta a su nodo (el ``Context`` de la
operación que lo produjo) y cada nodo apunta a los nodos de sus entradas (otro ``Context``, una hoja
con ``requires_grad`` o nada). Los tensores intermedios **no** están en el grafo: tras ``backward()``
el nodo suelta lo que guardó y un grafo que el usuario aún referencia (``running_loss += loss``) ya
no retiene activaciones.

``Function`` (``function.py``) es ``torch.autograd.Function``: ``forward(ctx, *args)`` recibe lo que
pasó el usuario (los tensores siguen siendo tensores) y ``backward(ctx, *grads)`` recibe y devuelve
tensores; véase su docstring.

``ArrayFunction`` (``array_function.py``) es la base **interna** de las operaciones de ``ops/``.
Su contrato:

* ``forward(ctx, *arrays, **opciones) -> ndarray``: los tensores van en posición (llegan como
  ndarrays) y las opciones como palabras clave;
* ``backward(ctx, grad) -> gradiente o tupla`` (uno por entrada tensorial, ``None`` si no hace
  falta). Puede devolverse con la forma "con broadcasting": el motor lo reduce con ``unbroadcast``;
* ``release(ctx)`` (opcional, no hace nada por defecto): devolver buffers tras ``backward``;
* para las derivadas de orden superior, ``differentiable = True`` (el ``backward`` está escrito
  con el espacio de nombres genérico y vale también con tensores) o ``tangent``/``linear`` (el
  jacobiano no depende de las entradas); véase ``higher_order.py``.

Lo que se guarda con ``ctx.save_for_backward`` queda vigilado por el **contador de versiones**: si el
tensor se modifica in situ antes de ``backward``, éste se niega con un ``RuntimeError`` en lugar de
dar un gradiente equivocado.

``backward(..., create_graph=True)`` y ``grad(..., create_graph=True)`` dan gradientes con su propio
grafo: derivadas de derivadas (``higher_order.py``). ``autograd.functional`` (jacobianas, hessianas)
y ``autograd.gradcheck`` componen operaciones de ``Tensor`` y viven un rango más arriba.

``forward_ad.py`` es el modo hacia delante (números duales: ``dual_level``, ``make_dual``,
``unpack_dual``); ``forward_rules.py``, la tangente de cada operación (bilineal, ``tangent``, la
traspuesta de su VJP o su ``jvp``).
"""
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled
from .graph import Context, GhostTensor, TensorBase, VersionCounter, broadcast_shape, unbroadcast
from .array_function import ArrayFunction, watch  # noqa: F401  (ArrayFunction: la base interna de ops/)
from .function import Function, FunctionCtx, InplaceFunction
from .once_differentiable import once_differentiable
from .engine import backward, grad, observe_backward, run_backward, topo_order
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,  # noqa: F401
                           set_anomaly_enabled, set_detect_anomaly)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # (el nombre pasa a ser la función, como en torch)
from .variable import Variable
from . import forward_ad  # noqa: F401  (torch.autograd.forward_ad: números duales)

__all__ = ["Function", "FunctionCtx", "InplaceFunction", "once_differentiable", "watch", "Context", "TensorBase",
           "GhostTensor", "VersionCounter", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "unbroadcast", "broadcast_shape", "observe_backward", "run_backward",
           "topo_order", "grad", "backward", "gradcheck", "gradgradcheck", "GradcheckError", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled",
           "Variable"]
