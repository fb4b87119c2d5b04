"""Pruebas diferenciales contra PyTorch: programas pequeños al azar (hypothesis) que se ejecutan
línea a línea en tinygrad_es y en torch, comparando tras cada línea los valores, los dtypes, las
formas, ``requires_grad`` y la clase de las excepciones de **todas** las variables (una operación in
situ sobre una vista cambia también su base), y al final los gradientes de las hojas.

Cada programa es código de Python de verdad (``torch`` es la biblioteca): una diferencia se imprime
como un reproductor que se puede pegar en un intérprete. El generador elige cada línea mirando el
estado de torch (formas y dtypes reales), así casi todas las líneas son válidas y las que no lo son
comprueban que los dos lanzan la misma excepción.

Dos usos:

* ``tests/test_correctness_differential.py``: unos cientos de programas (perfil de hypothesis), sin
  torch se salta;
* ``python tests/difftest.py --examples 20000 [--seed N] [--out fallos.txt]``: muchos programas; cuenta
  los que se ejecutan, las líneas comparadas y las diferencias por tipo, sin pararse en la primera.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

__all__ = ["Program", "run_program", "program_strategy", "compare_values"]

FLOATS = ["float32", "float64"]
INTS = ["int64", "int32", "uint8"]
DTYPES = FLOATS * 3 + INTS + ["bool"]
FLOAT_POOL = [0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1.5, -0.25, 0.75, 4.0]
SPECIAL = [float("nan"), float("inf"), float("-inf")]
INT_POOL = [0, 1, -1, 2, -2, 3, 5, -7]
UINT8_POOL = [0, 1, 2, 5, 128, 255, 7]
SCALARS = ["2", "-1", "0.5", "-2.5", "0", "3", "1.5", "True"]


# --------------------------------------------------------------------------------------------
# comparación
# --------------------------------------------------------------------------------------------
def _builtin_class(e) -> str:
    for k in type(e).__mro__:
        if k.__module__ == "builtins":
            return k.__name__
    return type(e).__name__


def _np(t):
    if type(t).__module__.startswith("torch"):  # force: sus gradientes pueden ser ZeroTensor
        return np.asarray(t.detach().cpu().numpy(force=True))
    return np.asarray(t.detach().numpy())


def compare_values(a, b, dtype: str) -> bool:
    """``a`` (tinygrad_es) y ``b`` (torch) iguales: exactos en enteros y bool, con tolerancia (de la
    precisión del dtype) en coma flotante; nan = nan e inf = inf con su signo."""
    if a.shape != b.shape:
        return False
    if dtype not in ("float32", "float64", "float16"):
        return np.array_equal(a, b)
    a, b = a.astype(np.float64), b.astype(np.float64)
    na, nb = np.isnan(a), np.isnan(b)
    if not np.array_equal(na, nb):
        return False
    ia, ib = np.isinf(a), np.isinf(b)
    if not np.array_equal(ia, ib) or not np.array_equal(a[ia], b[ib]):
        return False
    ok = ~(na | ia)
    if not ok.any():
        return True
    rtol = 1e-9 if dtype == "float64" else 2e-4
    scale = max(1.0, float(np.abs(b[ok]).max()))
    return bool(np.all(np.abs(a[ok] - b[ok]) <= rtol * np.abs(b[ok]) + rtol * 1e-2 * scale))


def _describe(t) -> tuple:
    return (str(t.dtype).split(".")[-1], tuple(t.shape), bool(t.requires_grad))


# --------------------------------------------------------------------------------------------
# ejecución
# --------------------------------------------------------------------------------------------
class Program:
    """Las líneas de un programa y su resultado en las dos bibliotecas."""

    def __init__(self, torch, ours):
        self.lines = []
        self.libs = {"torch": torch, "ours": ours}
        self.ns = {k: {"torch": L, "F": L.nn.functional, "np": np} for k, L in self.libs.items()}
        self.diffs = []          # (tipo, línea, detalle)
        self.compared = 0
        self.raised = 0          # líneas en las que torch (y tinygrad_es) lanzaron una excepción

    def source(self) -> str:
        return "import torch\nimport torch.nn.functional as F\n" + "\n".join(self.lines)

    def tensors(self, which="torch"):
        L = self.libs[which]
        return {k: v for k, v in self.ns[which].items() if isinstance(v, L.Tensor)}

    def run(self, line: str) -> bool:
        """Ejecuta ``line`` en las dos y compara. Devuelve ``True`` si torch la ejecutó sin error."""
        self.lines.append(line)
        out = {}
        for which in ("torch", "ours"):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(line, self.ns[which])  # noqa: S102 - código generado por este módulo
                out[which] = None
            except Exception as e:  # noqa: BLE001 - la clase de la excepción es lo que se compara
                out[which] = _builtin_class(e) + ": " + str(e).split("\n")[0][:120]
        t, o = out["torch"], out["ours"]
        if (t is None) != (o is None) or (t and o and t.split(":")[0] != o.split(":")[0]):
            self.diffs.append(("excepción", line, f"torch: {t or 'sin error'} | tinygrad_es: {o or 'sin error'}"))
            self._sync_names()
            return t is None
        self._compare_all(line)
        self.raised += t is not None
        return t is None

    def _sync_names(self):
        """Tras una diferencia de excepción, las variables que sólo existen en una se olvidan."""
        names = set(self.tensors("torch")) ^ set(self.tensors("ours"))
        for n in names:
            for which in ("torch", "ours"):
                self.ns[which].pop(n, None)

    def _compare_all(self, line):
        tt, oo = self.tensors("torch"), self.tensors("ours")
        for name in sorted(set(tt) | set(oo)):
            if name not in tt or name not in oo:
                self.diffs.append(("variable", line, f"{name} sólo existe en {'torch' if name in tt else 'tinygrad_es'}"))
                self._forget(name)
                continue
            a, b = oo[name], tt[name]
            da, db = _describe(a), _describe(b)
            self.compared += 1
            diff = None
            if da[0] != db[0]:
                diff = ("dtype", f"{name}: torch {db[0]}, tinygrad_es {da[0]}")
            elif da[1] != db[1]:
                diff = ("forma", f"{name}: torch {db[1]}, tinygrad_es {da[1]}")
            elif da[2] != db[2]:
                diff = ("requires_grad", f"{name}: torch {db[2]}, tinygrad_es {da[2]}")
            elif not compare_values(_np(a), _np(b), db[0]):
                # un float64 que sólo difiere en la precisión de float32 viene de una conversión de un
                # float32 redondeado distinto (un ulp): se cuenta aparte
                kind = "valor" if db[0] != "float64" or not compare_values(_np(a), _np(b), "float32") else \
                    "valor (ulp de float32)"
                diff = (kind, f"{name}: torch {_np(b).tolist()} tinygrad_es {_np(a).tolist()}")
            if diff:
                # una variable distinta se olvida: no arrastra la misma diferencia a las líneas siguientes
                self.diffs.append((diff[0], line, diff[1]))
                self._forget(name)

    def _forget(self, name):
        for which in ("torch", "ours"):
            self.ns[which].pop(name, None)

    def compare_grads(self, leaves):
        for name in leaves:
            a, b = self.ns["ours"].get(name), self.ns["torch"].get(name)
            if a is None or b is None:
                continue
            ga, gb = a.grad, b.grad
            self.compared += 1
            if (ga is None) != (gb is None):
                self.diffs.append(("gradiente", "(backward)", f"{name}.grad: torch {None if gb is None else 'tensor'}, "
                                                             f"tinygrad_es {None if ga is None else 'tensor'}"))
            elif ga is not None:
                dt = str(gb.dtype).split(".")[-1]
                if tuple(ga.shape) != tuple(gb.shape) or not compare_values(_np(ga), _np(gb), dt):
                    self.diffs.append(("gradiente", "(backward)",
                                       f"{name}.grad: torch {_np(gb).tolist()} tinygrad_es {_np(ga).tolist()}"))


# --------------------------------------------------------------------------------------------
# generación (cada línea mira el estado real de torch)
# --------------------------------------------------------------------------------------------
def _leaf_line(draw, name):
    nd = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(1, 4) if draw(st.integers(0, 9)) else st.just(0)) for _ in range(nd))
    dtype = draw(st.sampled_from(DTYPES))
    n = int(np.prod(shape)) if shape else 1
    if dtype in FLOATS:
        pool = FLOAT_POOL + (SPECIAL if draw(st.integers(0, 5)) == 0 else [])
    elif dtype == "uint8":
        pool = UINT8_POOL
    elif dtype == "bool":
        pool = [True, False]
    else:
        pool = INT_POOL
    vals = [draw(st.sampled_from(pool)) for _ in range(n)]
    data = np.array(vals, dtype=object).reshape(shape).tolist() if shape else vals[0]
    rg = dtype in FLOATS and draw(st.booleans())
    txt = repr(data).replace("nan", "float('nan')").replace("inf", "float('inf')")
    return f"{name} = torch.tensor({txt}, dtype=torch.{dtype}, requires_grad={rg})"


def _dim(draw, t, extra=0):
    n = max(t.ndim + extra, 1)
    return draw(st.integers(-n, n - 1))


def _other(draw, env, t, same_shape=False):
    """Otra variable (de forma compatible si se puede) o un número."""
    cands = [k for k, v in env.items() if (tuple(v.shape) == tuple(t.shape) or not same_shape)]
    if cands and draw(st.booleans()):
        return draw(st.sampled_from(sorted(cands)))
    return draw(st.sampled_from(SCALARS))


UNARY_METHODS = ["abs()", "neg()", "exp()", "log()", "sqrt()", "sin()", "cos()", "tanh()", "sigmoid()", "relu()",
                 "sign()", "floor()", "ceil()", "round()", "trunc()", "reciprocal()", "square()", "exp2()",
                 "expm1()", "log1p()", "rsqrt()", "atan()", "sinh()", "erf()", "frac()", "nan_to_num()", "isnan()",
                 "isinf()", "isfinite()", "logical_not()", "bitwise_not()", "sgn()", "clone()", "detach()",
                 "contiguous()", "float()", "double()", "long()", "int()", "bool()", "byte()", "signbit()"]
F_UNARY = ["F.gelu({x})", "F.silu({x})", "F.elu({x})", "F.leaky_relu({x}, 0.1)", "F.hardtanh({x})", "F.relu6({x})",
           "F.softplus({x})", "F.softshrink({x})", "F.hardshrink({x})", "F.threshold({x}, 0.5, -1.0)",
           "F.hardsigmoid({x})", "F.hardswish({x})", "F.logsigmoid({x})", "F.mish({x})", "F.selu({x})",
           "F.celu({x})", "F.softsign({x})", "F.tanhshrink({x})", "F.relu({x})", "F.dropout({x}, 0.0)",
           "torch.clamp({x}, -1, 1)", "{x}.clamp(min=0.5)", "{x}.clamp(max=-0.5)", "{x}.clamp(2, 1)"]
BINARY_OPS = ["+", "-", "*", "/", "//", "%", "**", "<", "<=", "==", "!=", ">", ">=", "&", "|", "^"]
BINARY_FNS = ["torch.maximum({a}, {b})", "torch.minimum({a}, {b})", "torch.atan2({a}, {b})", "torch.fmod({a}, {b})",
              "torch.remainder({a}, {b})", "torch.where({a} > 0, {a}, {b})", "torch.lerp({a}, {b}, 0.3)",
              "{a}.clamp(min={b})", "{a}.clamp(max={b})", "{a}.clamp({b}, {b})", "torch.hypot({a}, {b})",
              "torch.logaddexp({a}, {b})", "torch.div({a}, {b}, rounding_mode='trunc')",
              "torch.div({a}, {b}, rounding_mode='floor')", "torch.logical_and({a}, {b})",
              "torch.eq({a}, {b})", "torch.ne({a}, {b})", "torch.add({a}, {b}, alpha=2)", "torch.sub({a}, {b})"]
REDUCE = ["sum({d})", "mean({d})", "var({d})", "std({d})", "amax({d})", "amin({d})", "prod({d1})", "norm()",
          "any({d1})", "all({d1})", "argmax({d1})", "argmin({d1})", "cumsum({d1})", "cumprod({d1})",
          "logsumexp({d1})", "max({d1})[0]", "max({d1})[1]", "min({d1})[0]", "sum()", "mean()", "max()", "min()",
          "var(correction=0)", "std(unbiased=False)", "count_nonzero()", "sort({d1})[0]", "sort({d1})[1]",
          "softmax({d1})", "log_softmax({d1})", "sum({d1}, keepdim=True)", "norm(p=1)", "norm(p=float('inf'))",
          "median()", "mean({d1}, keepdim=True)", "aminmax().min"]


def _reduce_line(draw, x, t):
    tmpl = draw(st.sampled_from(REDUCE))
    d1 = _dim(draw, t)
    d = "" if t.ndim == 0 or draw(st.booleans()) else str(d1)
    return f"{x}.{tmpl.format(d=d, d1=d1)}"


def _index_expr(draw, t):
    items, dim = [], 0
    for _ in range(draw(st.integers(1, 3))):
        left = t.ndim - dim
        kinds = ["none", "ellipsis"] + (["int", "slice", "list", "mask"] if left else [])
        k = draw(st.sampled_from(kinds))
        if k == "none":
            items.append("None")
        elif k == "ellipsis":
            if "..." in items:
                continue
            items.append("...")
            dim = t.ndim
        elif k == "int":
            n = t.shape[dim]
            items.append(str(draw(st.integers(-n, max(n - 1, -n))) if n else 0))
            dim += 1
        elif k == "slice":
            a, b = draw(st.integers(-3, 3)), draw(st.integers(-3, 4))
            step = draw(st.sampled_from(["", ":2"]))
            items.append(f"{a}:{b}{step}")
            dim += 1
        elif k == "list":
            n = t.shape[dim]
            items.append(f"torch.tensor({[draw(st.integers(-n, n - 1)) for _ in range(draw(st.integers(0, 3)))] if n else []}, dtype=torch.long)")
            dim += 1
        else:
            items.append(f"torch.tensor({[draw(st.booleans()) for _ in range(t.shape[dim])]})")
            dim += 1
    return ", ".join(items) if items else "..."


def _shape_line(draw, x, t):
    nd = t.ndim
    c = draw(st.integers(0, 22))
    if c == 0:
        return f"{x}.reshape(-1)"
    if c == 1:
        return f"{x}.view(-1)"
    if c == 2 and nd:
        perm = list(draw(st.permutations(range(nd))))
        return f"{x}.permute({perm})"
    if c == 3 and nd:
        return f"{x}.transpose({_dim(draw, t)}, {_dim(draw, t)})"
    if c == 4:
        return f"{x}.T" if nd == 2 else f"{x}.mT"
    if c == 5:
        return f"{x}.flatten()" if nd < 2 else f"{x}.flatten({draw(st.integers(0, nd - 1))})"
    if c == 6:
        return f"{x}.squeeze()" if draw(st.booleans()) else f"{x}.squeeze({_dim(draw, t)})"
    if c == 7:
        return f"{x}.unsqueeze({_dim(draw, t, 1)})"
    if c == 8:
        return f"{x}[{_index_expr(draw, t)}]"
    if c == 9 and nd:
        d = draw(st.integers(0, nd - 1))
        n = t.shape[d]
        s = draw(st.integers(0, n))
        return f"{x}.narrow({d}, {s}, {draw(st.integers(0, n - s))})"
    if c == 10 and nd:
        d = draw(st.integers(0, nd - 1))
        return f"{x}.select({d}, {draw(st.integers(-t.shape[d], max(t.shape[d] - 1, 0)))})"
    if c == 11 and nd:
        fn = draw(st.sampled_from(["split(2, {d})", "chunk(2, {d})", "unbind({d})"]))
        return f"{x}.{fn.format(d=draw(st.integers(0, nd - 1)))}[0]"
    if c == 12 and nd >= 2:
        return f"{x}.diagonal({draw(st.integers(-1, 1))}, {draw(st.integers(0, nd - 1))}, {draw(st.integers(0, nd - 1))})"
    if c == 13 and nd:
        d = draw(st.integers(0, nd - 1))
        return f"{x}.unfold({d}, {draw(st.integers(0, 3))}, {draw(st.integers(1, 2))})"
    if c == 14 and nd:
        return f"{x}.flip({_dim(draw, t)})"
    if c == 15:
        return f"{x}.roll({draw(st.integers(-2, 2))})" if draw(st.booleans()) or not nd else \
            f"{x}.roll({draw(st.integers(-2, 2))}, {_dim(draw, t)})"
    if c == 16:
        return f"{x}.repeat({', '.join(str(draw(st.integers(0, 2))) for _ in range(max(nd, 1)))})"
    if c == 17 and nd >= 2:
        return f"{x}.{draw(st.sampled_from(['tril', 'triu']))}({draw(st.integers(-1, 1))})"
    if c == 18:
        sizes = [draw(st.sampled_from([n, -1] + ([2, 3] if n == 1 else []))) for n in t.shape]
        return f"{x}.expand({[draw(st.integers(1, 2))] * draw(st.integers(0, 1)) + sizes})"
    if c == 19:
        return f"torch.cat([{x}, {x}], {_dim(draw, t)})" if nd else f"torch.stack([{x}, {x}])"
    if c == 20 and nd:
        d = draw(st.integers(0, nd - 1))
        n = t.shape[d]
        idx = [draw(st.integers(0, n - 1)) for _ in range(draw(st.integers(0, 3)))] if n else []
        return f"{x}.index_select({d}, torch.tensor({idx}, dtype=torch.long))"
    if c == 21 and nd:
        return f"{x}.movedim({_dim(draw, t)}, {_dim(draw, t)})"
    return f"{x}.masked_fill({x} != {x}, 0)" if t.dtype.is_floating_point else f"{x}.masked_fill({x} > 1, 1)"


INPLACE = ["add_({o})", "mul_({o})", "sub_({o})", "div_({o})", "clamp_(-1, 1)", "zero_()", "fill_({s})", "relu_()",
           "abs_()", "neg_()", "exp_()", "copy_({o})", "clamp_(min=0)", "floor_()", "sigmoid_()", "masked_fill_({x} > 0, {s})"]


def _inplace_line(draw, env, x, t):
    kind = draw(st.integers(0, 3))
    if kind == 0 and t.ndim:
        target = f"{x}[{_index_expr(draw, t)}]"
        line = f"{target} = {draw(st.sampled_from(SCALARS[:-1]))}"
    else:
        tmpl = draw(st.sampled_from(INPLACE))
        line = f"{x}.{tmpl.format(o=_other(draw, env, t, True), s=draw(st.sampled_from(SCALARS[:-1])), x=x)}"
        if draw(st.booleans()):  # sobre una vista
            line = f"{x}[{_index_expr(draw, t)}].{tmpl.format(o=draw(st.sampled_from(SCALARS[:-1])), s=draw(st.sampled_from(SCALARS[:-1])), x=x)}" \
                if tmpl.startswith(("add", "mul", "sub", "div", "fill")) else line
    if draw(st.integers(0, 3)) == 0:
        line = "with torch.no_grad():\n    " + line
    return line


def _step(draw, prog, k):
    env = prog.tensors("torch")
    if not env:
        return _leaf_line(draw, f"v{k}")
    x = draw(st.sampled_from(sorted(env)))
    t = env[x]
    c = draw(st.integers(0, 99))
    new = f"v{k}"
    if c < 14:
        return f"{new} = {x}.{draw(st.sampled_from(UNARY_METHODS))}"
    if c < 24:
        return f"{new} = " + draw(st.sampled_from(F_UNARY)).format(x=x)
    if c < 38:
        op = draw(st.sampled_from(BINARY_OPS))
        o = _other(draw, env, t)
        return f"{new} = {x} {op} {o}" if draw(st.integers(0, 3)) else f"{new} = {o} {op} {x}"
    if c < 46:
        return f"{new} = " + draw(st.sampled_from(BINARY_FNS)).format(a=x, b=_other(draw, env, t))
    if c < 58:
        return f"{new} = {_reduce_line(draw, x, t)}"
    if c < 78:
        return f"{new} = {_shape_line(draw, x, t)}"
    if c < 84 and t.ndim >= 1:
        others = [k2 for k2, v in env.items() if v.ndim >= 1 and v.shape[-1] == t.shape[-1]]
        y = draw(st.sampled_from(sorted(others)))
        return f"{new} = {x} @ {y}.mT" if env[y].ndim >= 2 else f"{new} = {x} @ {y}"
    if c < 95:
        return _inplace_line(draw, env, x, t)
    if c < 97:
        return _leaf_line(draw, new)
    return f"{new} = {x}.detach().requires_grad_()" if t.dtype.is_floating_point else f"{new} = {x}.float()"


def _backward_line(draw, prog):
    env = prog.tensors("torch")
    cands = sorted(k for k, v in env.items() if v.requires_grad)
    if not cands:
        return None
    y = draw(st.sampled_from(cands))
    g = draw(st.sampled_from(["1.0", "1.0", "-2.0", "0.5", "float('nan')", "float('inf')"]))
    if draw(st.booleans()):
        return f"{y}.sum().backward()" if g == "1.0" else f"({y}.sum() * {g}).backward()"
    return f"{y}.backward(torch.full_like({y}, {g}))"


def run_program(draw, torch, ours, n_steps=None) -> Program:
    prog = Program(torch, ours)
    n_leaves = draw(st.integers(1, 3))
    for i in range(n_leaves):
        prog.run(_leaf_line(draw, f"x{i}"))
    steps = draw(st.integers(1, 10)) if n_steps is None else n_steps
    for k in range(steps):
        prog.run(_step(draw, prog, k))
    line = _backward_line(draw, prog)
    if line is not None:
        prog.run(line)
        prog.compare_grads([f"x{i}" for i in range(n_leaves)] + [k for k, v in prog.tensors("torch").items()
                                                                 if _is_leaf(v)])
    return prog


def _is_leaf(t):
    try:
        return t.is_leaf
    except RuntimeError:  # una vista que PyTorch ya no deja usar (de varias salidas, base cambiada)
        return False


def program_strategy():
    return st.data()


# --------------------------------------------------------------------------------------------
# muchos programas desde la línea de órdenes
# --------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description="programas al azar en tinygrad_es y en torch, comparados")
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    import torch

    import tinygrad_es as ours

    stats = Counter()
    found = []
    t0 = time.time()

    @settings(max_examples=args.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(st.data())
    def one(data):
        prog = run_program(data.draw, torch, ours)
        stats["programas"] += 1
        stats["líneas"] += len(prog.lines)
        stats["comparaciones"] += prog.compared
        stats["líneas con la misma excepción"] += prog.raised
        if prog.diffs:
            stats["programas con diferencias"] += 1
            for kind, *_ in prog.diffs:
                stats["dif. " + kind] += 1
            found.append(prog)

    import random
    random.seed(args.seed)
    one()
    dt = time.time() - t0
    print(f"{stats['programas']} programas, {stats['líneas']} líneas, {stats['comparaciones']} comparaciones "
          f"en {dt:.0f} s")
    for k, v in sorted(stats.items()):
        print(f"  {k}: {v}")
    groups = Counter((kind, line.split("=", 1)[-1].strip()[:60]) for p in found for kind, line, _ in p.diffs)
    print("diferencias más frecuentes:")
    for (kind, line), n in groups.most_common(40):
        print(f"  {n:5d}  {kind:14s} {line}")
    if args.out:
        with open(args.out, "w") as f:
            for p in found:
                f.write("# " + " / ".join(f"{k}: {d}" for k, _, d in p.diffs)[:2000] + "\n")
                f.write(p.source() + "\n\n")
    return 0 if not found else 1


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    sys.exit(main())
