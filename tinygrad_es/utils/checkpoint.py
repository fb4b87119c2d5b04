"""``torch.utils.checkpoint``: cambiar memoria por cálculo (*gradient checkpointing*).

``checkpoint(f, x)`` da lo mismo que ``f(x)``, pero **no guarda** las activaciones intermedias de
``f`` para el backward: cuando el backward llega a ese tramo, vuelve a ejecutar ``f`` (con el grafo
activado) y deriva esa copia. Una red de ``n`` bloques con checkpoint en cada uno guarda sólo las
entradas de los bloques: la memoria del backward pasa de ∝ n·(activaciones de un bloque) a
∝ n·(entrada de un bloque) + (activaciones de un bloque), a cambio de repetir el forward.

Las dos variantes de PyTorch:

* ``use_reentrant=True`` (la antigua): el forward se ejecuta sin grafo; en el backward se repite y se
  llama a ``backward`` dentro del backward (los gradientes de los parámetros se acumulan ahí). Si
  ninguna **entrada** pide gradiente, avisa y los parámetros de ``f`` no reciben gradiente; no admite
  argumentos con nombre.
* ``use_reentrant=False`` (la recomendada): los parámetros reciben gradiente aunque la entrada no lo
  pida, admite ``**kwargs`` y comprueba que la repetición da tensores de la misma forma
  (``CheckpointError`` si no). Aquí se implementa ejecutando ``f`` con grafo sobre copias
  desenganchadas de las entradas para saber de qué hojas (parámetros) depende la salida y soltando
  ese grafo en cuanto termina el tramo: el pico de memoria es el de un tramo, como en PyTorch.

Con ``preserve_rng_state=True`` (por defecto) la repetición usa el mismo estado del generador
aleatorio que el forward: un ``Dropout`` dentro de ``f`` apaga las mismas neuronas las dos veces.

Ejemplo::

    from tinygrad_es.utils.checkpoint import checkpoint, checkpoint_sequential
    h = checkpoint(self.bloque1, x, use_reentrant=False)
    y = checkpoint_sequential(modelo_secuencial, 2, x, use_reentrant=False)   # 2 tramos
"""
from __future__ import annotations

import contextlib
import warnings

from .._random import default_generator
from .._tensor import Tensor
from ..autograd import Function, backward, enable_grad, grad, is_grad_enabled, topo_order
from ..func._pytree import flatten

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction", "noop_context_fn",
           "detach_variable", "set_checkpoint_early_stop"]


class CheckpointError(RuntimeError):
    """La repetición del forward no dio tensores con la misma forma y tipo que la primera vez."""


def noop_context_fn():
    """El ``context_fn`` por defecto: dos contextos que no hacen nada."""
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def _rng_at(state):
    """Ejecuta el bloque con el generador global en ``state`` y después lo deja como estaba."""
    if state is None:
        yield
        return
    now = default_generator.get_state()
    default_generator.set_state(state)
    try:
        yield
    finally:
        default_generator.set_state(now)


def _outputs(out):
    """(lista de salidas, cómo rehacer la estructura): un tensor o tuplas, listas y dicts de ellos."""
    return flatten(out)


def _detached(args):
    return [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a for a in args]


def detach_variable(inputs: tuple) -> tuple:
    """Las entradas desenganchadas del grafo (los tensores; lo demás tal cual), con su ``requires_grad``.

    En PyTorch: ``torch.utils.checkpoint.detach_variable``.
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"detach_variable sólo admite una tupla de tensores, no {type(inputs).__name__}")
    return tuple(_detached(inputs))


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """De PyTorch: parar la repetición en cuanto se tienen los tensores necesarios. Aquí la repetición
    siempre ejecuta el tramo entero, así que sólo se acepta (para que el código de PyTorch funcione).

    En PyTorch: ``torch.utils.checkpoint.set_checkpoint_early_stop``.
    """
    yield


def _meta(xs):
    return [(tuple(x.shape), x.dtype) if isinstance(x, Tensor) else None for x in xs]


_SLOT = object()  # el sitio de un tensor de los argumentos (el tensor lo guarda el nodo)


class _Run:
    """Lo que el backward necesita para repetir el tramo (nunca sus activaciones)."""

    def __init__(self, fn, args, kwargs, rng, reentrant, determinism_check, context_fn):
        self.fn, self.args, self.kwargs, self.rng = fn, list(args), kwargs, rng
        self.reentrant, self.check, self.context_fn = reentrant, determinism_check, context_fn
        self.n_inputs = 0
        self.outputs = self.rebuild = self.meta = None
        self.leaves = ()

    def drop_tensors(self):
        """Olvida los tensores de los argumentos: los guarda el nodo (``save_for_backward``), que los
        suelta tras el backward (una referencia aquí los retendría mientras viva el grafo)."""
        self.args = [_SLOT if isinstance(a, Tensor) else a for a in self.args]

    def recompute(self, inputs):
        """Vuelve a ejecutar el tramo con grafo sobre ``inputs`` (copias desenganchadas)."""
        it = iter(inputs)
        args = [next(it) if a is _SLOT else a for a in self.args]
        _, recompute_ctx = self.context_fn()
        with _rng_at(self.rng), enable_grad(), recompute_ctx:
            outs, _ = _outputs(self.fn(*args, **self.kwargs))
        if self.check != "none" and _meta(outs) != self.meta:
            raise CheckpointError(f"torch.utils.checkpoint: al repetir el forward las salidas tienen otra forma o "
                                  f"tipo ({_meta(outs)}) que en el forward ({self.meta}); la función no es "
                                  f"determinista (usa determinism_check='none' si es a propósito)")
        return outs


class _Checkpoint(Function):
    """El nodo de un tramo con checkpoint: forward sin guardar activaciones, backward que lo repite."""

    @staticmethod
    def forward(ctx, run, *tensors):
        ctx.run = run
        ctx.save_for_backward(*tensors[:run.n_inputs])
        if run.reentrant:
            outs, run.rebuild = _outputs(run.fn(*run.args))
            run.meta = _meta(outs)
        else:
            outs = run.outputs
            run.outputs = None  # ya no hace falta: el nodo no las retiene
        run.drop_tensors()
        return tuple(o.detach() if isinstance(o, Tensor) else o for o in outs)

    @staticmethod
    def backward(ctx, *grads):
        run = ctx.run
        saved = ctx.saved_tensors
        inputs = _detached(saved)
        outs = run.recompute(inputs)
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if run.reentrant:
            if pairs:
                backward([o for o, _ in pairs], [g for _, g in pairs])
            return (None,) + tuple(x.grad if x.requires_grad else None for x in inputs)
        targets = [x for x in inputs if x.requires_grad] + list(run.leaves)
        gs = grad([o for o, _ in pairs], targets, [g for _, g in pairs], allow_unused=True) if pairs and targets \
            else [None] * len(targets)
        gs = list(gs)
        in_grads = tuple(gs.pop(0) if x.requires_grad else None for x in inputs)
        return (None,) + in_grads + tuple(gs)


def _leaves(outs, exclude):
    """Las hojas que piden gradiente del grafo de ``outs`` (sin las copias de las entradas)."""
    roots = [o._ctx for o in outs if isinstance(o, Tensor) and o._ctx is not None]
    found = []
    for node in topo_order(roots):
        if isinstance(node, Tensor) and node.requires_grad and id(node) not in exclude:
            found.append(node)
    return found


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)`` sin guardar sus activaciones: se recalculan en el backward.

    Args:
        function: el tramo (una función o un módulo); devuelve un tensor o una tupla/lista.
        *args: sus argumentos (los tensores son las entradas del tramo).
        use_reentrant: la variante (véase el módulo). Como PyTorch, hay que decirlo: sin él avisa y usa
            ``True``; se recomienda ``False``.
        context_fn: (sólo ``use_reentrant=False``) devuelve dos gestores de contexto, para el forward y
            para la repetición.
        determinism_check: ``"default"`` comprueba formas y tipos al repetir; ``"none"`` no.
        debug: de PyTorch (sólo ``use_reentrant=False``); sin efecto.
        preserve_rng_state: repetir con el mismo estado aleatorio (``True``).
        **kwargs: argumentos con nombre de ``function`` (sólo ``use_reentrant=False``).

    Ejemplo:
        >>> y = checkpoint(bloque, x, use_reentrant=False)
        >>> y.sum().backward()          # bloque se ejecuta otra vez aquí

    Errores: ``ValueError`` con ``**kwargs``, ``context_fn`` o ``debug`` y ``use_reentrant=True``.

    En PyTorch: ``torch.utils.checkpoint.checkpoint``.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: hay que pasar use_reentrant explícitamente (también en PyTorch); se "
                      "recomienda use_reentrant=False (ahora se usa True, el valor antiguo)", UserWarning, stacklevel=2)
        use_reentrant = True
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check debe ser 'default' o 'none', no {determinism_check!r}")
    rng = default_generator.get_state() if preserve_rng_state else None
    if use_reentrant:
        if context_fn is not noop_context_fn or debug:
            raise ValueError("context_fn y debug sólo se admiten con use_reentrant=False")
        if kwargs:
            raise ValueError("argumentos con nombre inesperados: " + ",".join(kwargs)
                             + " (con use_reentrant=True no se admiten; usa use_reentrant=False)")
        tensors = [a for a in args if isinstance(a, Tensor)]
        if is_grad_enabled() and not any(t.requires_grad for t in tensors):
            warnings.warn("ninguna entrada tiene requires_grad=True: los gradientes serán None (también en PyTorch "
                          "con use_reentrant=True; usa use_reentrant=False)", UserWarning, stacklevel=2)
        run = _Run(function, args, {}, rng, True, determinism_check, noop_context_fn)
        run.n_inputs = len(tensors)
        out = _Checkpoint.apply(run, *tensors)
        return run.rebuild(list(out) if isinstance(out, tuple) else [out])
    if not is_grad_enabled():
        return function(*args, **kwargs)
    fwd_ctx, _ = context_fn()
    copies = _detached(args)
    with fwd_ctx:
        outs, rebuild = _outputs(function(*copies, **kwargs))
    tensors = [a for a in args if isinstance(a, Tensor)]
    leaves = _leaves(outs, {id(c) for c in copies if isinstance(c, Tensor)})
    run = _Run(function, args, kwargs, rng, False, determinism_check, context_fn)
    run.n_inputs, run.meta = len(tensors), _meta(outs)
    run.outputs = [o.detach() if isinstance(o, Tensor) else o for o in outs]
    run.leaves = leaves  # las hojas (parámetros) de las que depende el tramo: entradas de apply tras las explícitas
    del outs, copies  # el grafo del tramo (sus activaciones) se suelta aquí
    out = _Checkpoint.apply(run, *tensors, *leaves)
    return rebuild(list(out) if isinstance(out, tuple) else [out])


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Un modelo secuencial en ``segments`` tramos con checkpoint (el último se ejecuta normal).

    Args:
        functions: un ``nn.Sequential`` o una lista de módulos/funciones que se encadenan.
        segments: número de tramos.
        input: la entrada del primero.
        use_reentrant: como en ``checkpoint``.
        **kwargs: ``preserve_rng_state``...

    En PyTorch: ``torch.utils.checkpoint.checkpoint_sequential``.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: hay que pasar use_reentrant explícitamente (también en PyTorch); se "
                      "recomienda use_reentrant=False (ahora se usa True, el valor antiguo)", UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("argumento inesperado: " + ",".join(kwargs))
    fns = list(functions.children()) if hasattr(functions, "children") else list(functions)

    def run_range(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = fns[j](x)
            return x
        return forward

    size = len(fns) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run_range(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_range(end + 1, len(fns) - 1)(input)


CheckpointFunction = _Checkpoint  # el nombre de PyTorch de la Function de use_reentrant=True
