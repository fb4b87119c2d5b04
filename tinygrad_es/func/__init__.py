"""``torch.func``: transformaciones de funciones (``grad``, ``vjp``, ``jacrev``, ``jacfwd``,
``hessian``, ``vmap``, ``functional_call``), como en PyTorch y JAX.

``grad(f)`` es una función que devuelve el gradiente de ``f``; se compone consigo misma
(``grad(grad(f))`` es la derivada segunda) y con ``vmap`` (``vmap(grad(f))`` da un gradiente por
muestra). Aquí todo se construye sobre el motor de siempre:

* ``grad``/``vjp``/``jacrev`` copian las entradas (``detach().requires_grad_()``) y llaman a
  ``autograd.grad``; si la función depende de tensores de un nivel exterior (dentro de otro
  ``grad``, o de parámetros que piden gradiente), el gradiente se calcula con
  ``create_graph=True`` para que el nivel exterior lo pueda derivar;
* ``jvp``, ``linearize`` y ``jacfwd`` (``forward.py``) van hacia delante trasponiendo la VJP:
  el grafo ``u ↦ Jᵀ·u`` se construye una vez y cada J·v es un backward por él; ``jacfwd`` va por
  columnas y ``hessian`` es ``jacfwd(jacrev(f))`` (los números duales de PyTorch están en
  ``autograd.forward_ad``);
* ``vmap`` recorre el lote con un bucle de Python: la semántica es la de PyTorch (``in_dims``,
  ``out_dims``, anidado), no su velocidad.

Los argumentos pueden ser "pytrees": tensores o tuplas/listas/dicts de ellos (los parámetros de un
modelo como ``dict``)::

    params = {k: v.detach() for k, v in model.named_parameters()}
    def loss(params, x, y):
        return F.cross_entropy(functional_call(model, params, (x.unsqueeze(0),)), y.unsqueeze(0))
    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)   # dict de (N, ...)
"""
from .eager import grad, grad_and_value, jacrev, vjp
from .forward import hessian, jacfwd, jvp, linearize
from .functional_call import functional_call
from .vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian", "vmap",
           "functional_call"]
