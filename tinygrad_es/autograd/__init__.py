"""El corazón de autograd: ``Function``, ``Context``, el modo sin gradiente y el motor de ``backward``.

El grafo se guarda como en PyTorch: cada tensor calculado apunta a su nodo (el ``Context`` de la
``Function`` que lo produjo) y cada nodo apunta a los nodos de sus entradas (otro ``Context``, una hoja
con ``requires_grad`` o nada). Los tensores intermedios **no** están en el grafo: tras ``backward()``
el nodo suelta lo que guardó y un grafo que el usuario aún referencia (``running_loss += loss``) ya
no retiene activaciones.

Contrato de una ``Function`` (véase ``ops/``):

* ``forward(ctx, *arrays, **opciones) -> ndarray``: los tensores van en posición (llegan como
  ndarrays) y las opciones como palabras clave;
* ``backward(ctx, grad) -> gradiente o tupla`` (uno por entrada tensorial, ``None`` si no hace
  falta). Puede devolverse con la forma "con broadcasting": el motor lo reduce con ``unbroadcast``;
* ``release(ctx)`` (opcional, no hace nada por defecto): devolver buffers tras ``backward``.

Lo que se guarda con ``ctx.save_for_backward`` queda vigilado por el **contador de versiones**: si el
tensor se modifica in situ antes de ``backward``, éste se niega con un ``RuntimeError`` en lugar de
dar un gradiente equivocado.
"""
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .graph import Context, GhostTensor, TensorBase, VersionCounter, broadcast_shape, unbroadcast
from .function import Function, watch
from .engine import grad, observe_backward, run_backward, topo_order

__all__ = ["Function", "watch", "Context", "TensorBase", "GhostTensor", "VersionCounter", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "unbroadcast", "broadcast_shape",
           "observe_backward", "run_backward", "topo_order", "grad"]
