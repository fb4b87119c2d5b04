"""Autograd frente a diferencias finitas, y el motor escalar frente a micrograd.

1) Para la pérdida de un MLP pequeño con n parámetros (n = 10 … 100 000), tiempo
   del gradiente completo por ``backward()`` y por diferencias centrales (2n
   evaluaciones; por encima de un límite se mide sobre una muestra y se extrapola),
   y el error relativo máximo entre ambos.
2) Motor escalar: MLP 2-16-16-1 (tanh y relu) con 100 puntos, paso de
   entrenamiento completo (forward + backward + actualización) frente al paquete
   ``micrograd`` de PyPI, con la configuración por defecto del intérprete (gc activo).

Uso: ``python benchmarks/autograd_vs_fd.py [--quick]``; imprime una tabla y escribe
``benchmarks/results/autograd_vs_fd.json``.
"""
import argparse
import gc
import json
import math
import os
import random
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tinygrad_es import Value, tensor  # noqa: E402
from tinygrad_es.nn import MLP as ScalarMLP  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "results")


def mlp_loss_factory(n_params_target, rng):
    """MLP d-h-1 con tanh y error cuadrático sobre 64 puntos; elige h para acercarse a n."""
    d = 8 if n_params_target < 2000 else 64
    h = max(1, int(round((n_params_target - 1) / (d + 2))))
    X = rng.standard_normal((64, d))
    y = rng.standard_normal((64, 1))
    W1 = rng.standard_normal((d, h)) / math.sqrt(d)
    b1 = np.zeros(h)
    W2 = rng.standard_normal((h, 1)) / math.sqrt(h)
    b2 = np.zeros(1)
    params = [W1, b1, W2, b2]

    def loss(ps):
        w1, c1, w2, c2 = ps
        out = (tensor(X) @ w1 + c1).tanh() @ w2 + c2
        return ((out - tensor(y)) ** 2).mean()

    return params, loss


def time_it(fn, repeat=3):
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def part1(sizes, fd_cap):
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        params, loss = mlp_loss_factory(n, rng)
        n_real = sum(p.size for p in params)
        ts = [tensor(p, requires_grad=True) for p in params]  # float64, como params

        def fwd():
            loss(ts)

        def bwd():
            for t in ts:
                t.grad = None
            loss(ts).backward()

        t_fwd = time_it(fwd)
        t_bwd = time_it(bwd)
        bwd()
        auto = np.concatenate([t.grad.numpy().ravel() for t in ts])
        # diferencias centrales sobre (una muestra de) los parámetros
        flat_idx = [(i, k) for i, p in enumerate(params) for k in range(p.size)]
        sample = flat_idx if n_real <= fd_cap else [flat_idx[j] for j in
                                                  np.random.default_rng(1).choice(len(flat_idx), fd_cap, replace=False)]
        eps = 1e-6
        num = []
        t0 = time.perf_counter()
        for i, k in sample:
            a = ts[i].detach().numpy().reshape(-1)  # vista: cambia el parámetro
            old = a[k]
            a[k] = old + eps
            fp = loss(ts).item()
            a[k] = old - eps
            fm = loss(ts).item()
            a[k] = old
            num.append((fp - fm) / (2 * eps))
        t_fd = (time.perf_counter() - t0) * (n_real / len(sample))
        offsets = np.cumsum([0] + [p.size for p in params])
        auto_s = np.array([auto[offsets[i] + k] for i, k in sample])
        num = np.array(num)
        # error relativo por elemento (con suelo para gradientes casi nulos, donde manda el ruido
        # de las diferencias finitas) y relativo a la norma del gradiente
        rel = np.max(np.abs(auto_s - num) / np.maximum(np.maximum(np.abs(num), np.abs(auto_s)), 1e-8))
        rel_norm = np.linalg.norm(auto_s - num) / np.linalg.norm(num)
        rows.append(dict(n_params=int(n_real), forward_s=t_fwd, backward_s=t_bwd,
                         backward_over_forward=t_bwd / t_fwd, finite_diff_s=t_fd,
                         fd_extrapolated=len(sample) < n_real, fd_over_backward=t_fd / t_bwd,
                         max_rel_diff=float(rel), norm_rel_diff=float(rel_norm)))
        r = rows[-1]
        print(f"{r['n_params']:>8} {t_fwd*1e3:>10.3f} {t_bwd*1e3:>12.3f} {r['backward_over_forward']:>8.2f} "
              f"{t_fd:>12.3f}{'*' if r['fd_extrapolated'] else ' '} {r['fd_over_backward']:>10.0f} {rel:>10.2e} "
              f"{rel_norm:>10.2e}")
    return rows


def moons(n=100, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, math.pi, n)
    lab = rng.integers(0, 2, n)
    x = np.where(lab[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    x += rng.normal(0, 0.1, x.shape)
    return x.tolist(), (lab * 2 - 1).tolist()


def micrograd_step_factory(act):
    import micrograd.engine as me
    from micrograd.nn import MLP as MgMLP

    if act == "tanh" and not hasattr(me.Value, "tanh"):
        # tanh al estilo de micrograd (cierre local), que el paquete no trae
        def tanh(self):
            t = math.tanh(self.data)
            out = me.Value(t, (self,), "tanh")

            def _backward():
                self.grad += (1 - t * t) * out.grad
            out._backward = _backward
            return out
        me.Value.tanh = tanh
    random.seed(0)
    model = MgMLP(2, [16, 16, 1])
    if act == "tanh":
        for layer in model.layers[:-1]:
            for n in layer.neurons:
                n.nonlin = False  # sustituimos relu por tanh abajo

        def call(x):
            for i, layer in enumerate(model.layers):
                x = [n(x) for n in layer.neurons]
                if i < len(model.layers) - 1:
                    x = [v.tanh() for v in x]
                x = x[0] if len(x) == 1 else x
            return x
    else:
        call = model
    return model, call, me.Value


def train_step(model, call, X, Y, ValueCls):
    inputs = [list(map(ValueCls, xrow)) for xrow in X]
    scores = [call(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg = 1e-4 * sum((p * p for p in model.parameters()))
    loss = data_loss + reg
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= 0.05 * p.grad
    return loss.data


def count_nodes(root):
    return len(root.topo_order())


def part2(steps):
    X, Y = moons()
    out = []
    for act in ("relu", "tanh"):
        mg_model, mg_call, MgValue = micrograd_step_factory(act)
        ours = ScalarMLP(2, [16, 16, 1], activation=act, out_activation="linear", seed=0)
        # mismo grafo: ambos construyen la suma neurona a neurona
        t_mg = time_it(lambda: train_step(mg_model, mg_call, X, Y, MgValue), repeat=steps)
        t_us = time_it(lambda: train_step(ours, ours, X, Y, Value), repeat=steps)
        # nodos por paso (en nuestro motor)
        inputs = [list(map(Value, xrow)) for xrow in X]
        loss = sum((1 + -yi * ours(x)).relu() for x, yi in zip(inputs, Y)) * 0.01 \
            + 1e-4 * sum(p * p for p in ours.parameters())
        nodes = count_nodes(loss)
        out.append(dict(activation=act, micrograd_s=t_mg, ours_s=t_us, speedup=t_mg / t_us,
                        nodes_per_step=nodes, gc_enabled=gc.isenabled()))
        print(f"{act:>6} {nodes:>8} {t_mg*1e3:>14.1f} {t_us*1e3:>12.1f} {t_mg/t_us:>8.1f}x")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = [10, 100, 1000, 10_000] if args.quick else [10, 100, 1000, 10_000, 100_000]
    print("== Gradiente completo: backward() frente a diferencias finitas (float64) ==")
    print(f"{'n':>8} {'fwd ms':>10} {'backward ms':>12} {'bwd/fwd':>8} {'dif.fin. s':>13} {'DF/bwd':>10} {'err.rel.máx':>10} {'‖Δ‖/‖g‖':>10}")
    rows = part1(sizes, fd_cap=2000 if args.quick else 5000)
    print("(* extrapolado desde una muestra de parámetros)")
    print("\n== Motor escalar: paso de entrenamiento MLP 2-16-16-1, 100 puntos, gc activo ==")
    print(f"{'act':>6} {'nodos':>8} {'micrograd ms':>14} {'nuestro ms':>12} {'ratio':>9}")
    scal = part2(steps=2 if args.quick else 5)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "autograd_vs_fd.json"), "w") as f:
        json.dump({"autograd_vs_fd": rows, "scalar_vs_micrograd": scal}, f, indent=2)
    print(f"\nJSON escrito en {os.path.join(OUT, 'autograd_vs_fd.json')}")


if __name__ == "__main__":
    main()
