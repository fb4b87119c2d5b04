"""``torch.autograd.gradcheck`` y ``gradgradcheck``: la jacobiana de ``backward`` contra la de las
diferencias finitas centrales, con la firma de PyTorch.

``gradcheck(f, entradas)`` construye, para cada salida y cada entrada que requiere gradiente, la
jacobiana **numérica** (perturbando cada elemento: ``(f(x + ε) − f(x − ε)) / 2ε``) y la
**analítica** (un ``autograd.grad`` por elemento de la salida, con el vector unitario) y exige
``|analítica − numérica| ≤ atol + rtol·|numérica|``. ``gradgradcheck`` hace lo mismo con la función
``(entradas, v) ↦ vᵀ·J`` calculada con ``create_graph=True``: comprueba la derivada del backward.

Con ``fast_mode=True`` se compara una sola proyección ``vᵀ·J·u`` con vectores aleatorios (dos
evaluaciones por entrada en lugar de dos por elemento), como el modo rápido de PyTorch.

La comprobación del propio proyecto, con informe y modos por muestreo, es ``tinygrad_es.gradcheck``.
"""
from __future__ import annotations

import warnings

import numpy as np

from .engine import grad as autograd_grad
from .grad_mode import enable_grad
from .graph import TensorBase

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "get_numerical_jacobian", "get_analytical_jacobian"]


class GradcheckError(RuntimeError):
    """El gradiente analítico no coincide con el numérico (``torch.autograd.gradcheck.GradcheckError``)."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,) if not isinstance(x, list) else tuple(x)


def _outputs(func, inputs):
    with enable_grad():
        return tuple(o for o in _as_tuple(func(*inputs)) if isinstance(o, TensorBase))


def _diff_inputs(inputs):
    return [(i, t) for i, t in enumerate(inputs) if isinstance(t, TensorBase) and t.requires_grad]


def get_numerical_jacobian(func, inputs, eps=1e-6):
    """``J[o][i]`` de forma (elementos de la entrada i, elementos de la salida o), por diferencias
    centrales (se perturba el dato de cada entrada in situ y se restaura)."""
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    jac = [[None] * len(inputs) for _ in outs]
    for i, t in _diff_inputs(inputs):
        data = t._data
        cols = [np.zeros((data.size, o._data.size), dtype=np.float64) for o in outs]
        for k, idx in enumerate(np.ndindex(data.shape)):
            old = data[idx]
            data[idx] = old + eps
            plus = [np.array(o._data, dtype=np.float64).reshape(-1) for o in _outputs(func, inputs)]
            data[idx] = old - eps
            minus = [np.array(o._data, dtype=np.float64).reshape(-1) for o in _outputs(func, inputs)]
            data[idx] = old
            for c, p, m in zip(cols, plus, minus):
                c[k] = (p - m) / (2 * eps)
        for o, c in enumerate(cols):
            jac[o][i] = c
    return jac


def get_analytical_jacobian(func, inputs, check_grad_dtypes=False):
    """``J[o][i]`` con la misma disposición que la numérica, con ``autograd.grad`` (una fila de la
    jacobiana traspuesta por elemento de la salida)."""
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    diff = _diff_inputs(inputs)
    jac = [[None] * len(inputs) for _ in outs]
    for o, out in enumerate(outs):
        cols = {i: np.zeros((t._data.size, out._data.size), dtype=np.float64) for i, t in diff}
        if out.requires_grad:
            for k in range(out._data.size):
                v = np.zeros(out._data.size, dtype=out._data.dtype)
                v[k] = 1
                gs = autograd_grad(out, [t for _, t in diff], TensorBase._wrap(v.reshape(out._data.shape)),
                                   retain_graph=True, allow_unused=True)
                for (i, t), g in zip(diff, gs):
                    if g is None:
                        continue
                    if check_grad_dtypes and g._data.dtype != t._data.dtype:
                        raise GradcheckError(f"gradcheck: el gradiente de la entrada {i} es {g._data.dtype} y la "
                                             f"entrada {t._data.dtype}")
                    cols[i][:, k] = np.asarray(g._data, dtype=np.float64).reshape(-1)
        for i, c in cols.items():
            jac[o][i] = c
    return jac


def _fast(func, inputs, eps, atol, rtol):
    """Modo rápido: vᵀ·J·u analítico frente al numérico, para cada par (salida, entrada)."""
    rng = np.random.default_rng(0)
    outs = _outputs(func, inputs)
    problems = []
    for i, t in _diff_inputs(inputs):
        u = rng.standard_normal(t._data.shape)
        old = t._data.copy()
        t._data[...] = old + eps * u
        plus = [np.array(o._data, dtype=np.float64) for o in _outputs(func, inputs)]
        t._data[...] = old - eps * u
        minus = [np.array(o._data, dtype=np.float64) for o in _outputs(func, inputs)]
        t._data[...] = old
        for o, out in enumerate(outs):
            v = rng.standard_normal(out._data.shape)
            num = float(np.sum(v * (plus[o] - minus[o]) / (2 * eps)))
            ana = 0.0
            if out.requires_grad:
                (g,) = autograd_grad(out, [t], TensorBase._wrap(v.astype(out._data.dtype)), retain_graph=True,
                                     allow_unused=True)
                ana = 0.0 if g is None else float(np.sum(np.asarray(g._data, dtype=np.float64) * u))
            if not abs(ana - num) <= atol + rtol * abs(num):
                problems.append(f"salida {o} respecto de la entrada {i}: vᵀ·J·u numérico {num:.6g}, "
                                f"analítico {ana:.6g}")
    return problems


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Comprueba ``backward`` de ``func`` contra diferencias finitas centrales (véase el módulo).
    Devuelve ``True`` o lanza ``GradcheckError`` (``False`` con ``raise_exception=False``). Las
    entradas que requieren gradiente deberían ser float64 (si no, avisa, como PyTorch).

    >>> x = tinygrad_es.rand(3, dtype=tinygrad_es.float64, requires_grad=True)
    >>> tinygrad_es.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    if check_forward_ad:
        raise NotImplementedError("gradcheck(check_forward_ad=True): el modo hacia delante no existe en tinygrad_es")
    inputs = _as_tuple(inputs)
    diff = _diff_inputs(inputs)
    if not diff:
        raise ValueError("gradcheck espera al menos una entrada tensorial con requires_grad=True, y ninguna lo tiene")
    for i, t in diff:
        if t._data.dtype != np.float64:
            warnings.warn(f"gradcheck: la entrada {i} requiere gradiente y no es float64 (doble precisión): "
                          f"la comprobación puede fallar por redondeo", UserWarning, stacklevel=2)
    if not check_backward_ad:
        return True
    if fast_mode:
        problems = _fast(func, inputs, eps, atol, rtol)
    else:
        num = get_numerical_jacobian(func, inputs, eps)
        ana = get_analytical_jacobian(func, inputs, check_grad_dtypes)
        problems = []
        for o, (rn, ra) in enumerate(zip(num, ana)):
            for i, _ in diff:
                n, a = rn[i], ra[i]
                bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
                if np.any(bad):
                    k = np.argwhere(bad)[0]
                    problems.append(f"la jacobiana no coincide para la salida {o} respecto de la entrada {i} "
                                    f"(elemento de entrada {k[0]}, de salida {k[1]}):\n"
                                    f"numérica:\n{np.array2string(n, precision=6)}\n"
                                    f"analítica:\n{np.array2string(a, precision=6)}")
    if problems:
        if raise_exception:
            raise GradcheckError("gradcheck falló: " + "\n".join(problems))
        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """Comprueba las derivadas segundas: ``gradcheck`` de ``(entradas, v) ↦ vᵀ·∂func/∂entradas``
    calculado con ``autograd.grad(..., create_graph=True)``. ``grad_outputs`` (los ``v``) son
    aleatorios si no se dan (float64, ``requires_grad=True``)."""
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        grad_outputs = tuple(TensorBase._wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype), True)
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    diff_idx = [i for i, _ in _diff_inputs(inputs)]

    def new_func(*args):
        ins, gos = args[:n], args[n:]
        outputs = [o for o in _outputs(func, ins)]
        pairs = [(o, g) for o, g in zip(outputs, gos) if o.requires_grad]
        if not pairs:
            return ()
        gs = autograd_grad([o for o, _ in pairs], [ins[i] for i in diff_idx], [g for _, g in pairs],
                           create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(new_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, fast_mode=fast_mode, check_grad_dtypes=check_grad_dtypes)
