"""``LBFGS``: el método cuasi-Newton de memoria limitada (L-BFGS), con la búsqueda de línea de Wolfe
fuerte opcional; el mismo algoritmo, los mismos criterios de parada y el mismo número de llamadas a
``closure`` que ``torch.optim.LBFGS`` (que sigue a minFunc).

Trabaja sobre un vector plano con todos los parámetros. Los escalares intermedios (``t``, ``ys``,
``ro``, ``H_diag``...) son escalares de numpy del dtype de los parámetros, como los tensores 0-D de
PyTorch; en el estado se guardan como tensores, así que ``state_dict()`` tiene la forma del de PyTorch.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .._validate import integer, number
from ..autograd import enable_grad
from .optimizer import Optimizer, add_scaled_, check_hparam

__all__ = ["LBFGS"]


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """El mínimo de la cúbica que pasa por ``(x1, f1)`` y ``(x2, f2)`` con derivadas ``g1``, ``g2``,
    recortado a ``bounds`` (por defecto, el intervalo ``[x1, x2]``); si no hay, el punto medio."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Búsqueda de línea con las condiciones de Wolfe fuertes a lo largo de ``d`` desde ``x`` (paso
    inicial ``t``): primero acota un intervalo, luego lo estrecha con interpolación cúbica. Devuelve
    ``(f_nueva, g_nueva, t, evaluaciones)``."""
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:  # acotar el intervalo
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:  # se alcanzó el máximo de evaluaciones
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # estrechar el intervalo (zoom) hasta cumplir las condiciones o no poder avanzar
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # si t queda casi en un borde, se aparta un 10 % del intervalo (salvo la primera vez)
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def _to_state(x):
    """numpy → tensores (y listas de ellos), para que el estado tenga la forma del de PyTorch."""
    if isinstance(x, (np.ndarray, np.generic)):
        return Tensor._wrap(np.array(x))
    if isinstance(x, list):
        return [_to_state(v) for v in x]
    return x


def _from_state(x):
    """Tensores del estado → arrays (un tensor 0-D → escalar de numpy)."""
    if isinstance(x, Tensor):
        a = np.array(x._data)
        return a[()] if a.ndim == 0 else a
    if isinstance(x, list):
        return [_from_state(v) for v in x]
    return x


class LBFGS(Optimizer):
    """L-BFGS (Liu y Nocedal): aproxima la inversa de la hessiana con los ``history_size`` últimos
    pares ``s = Δp`` e ``y = Δg`` y da pasos cuasi-Newton. Cada ``step(closure)`` hace hasta ``max_iter``
    iteraciones, y cada una:

    * dirección ``d = −H·g`` con la recursión de dos bucles (``H₀ = (sᵀy)/(yᵀy)·I``; en la primera,
      ``d = −g``); un par (s, y) sólo se guarda si ``yᵀs > 1e-10``;
    * paso ``t``: ``lr`` (en la primera iteración, ``min(1, 1/‖g‖₁)·lr``), o el de la búsqueda de línea
      de Wolfe fuerte con ``line_search_fn="strong_wolfe"``; ``p ← p + t·d``;
    * para si ``max|g| ≤ tolerance_grad``, ``max|t·d| ≤ tolerance_change``, ``|Δpérdida| <
      tolerance_change``, ``gᵀd > −tolerance_change`` o se agotan ``max_iter`` iteraciones o ``max_eval``
      evaluaciones.

    ``step`` necesita ``closure``: una función que pone los gradientes a cero, calcula la pérdida, llama
    a ``backward()`` y devuelve la pérdida (se llama varias veces por paso). Devuelve la pérdida de la
    primera llamada. Un solo grupo de parámetros; gasta ``(history_size + 1)`` copias de los parámetros.

    Args:
        params: iterable de parámetros (un solo grupo).
        lr: tasa de aprendizaje (``1``).
        max_iter: iteraciones por ``step()`` (``20``).
        max_eval: evaluaciones de ``closure`` por ``step()`` (``max_iter·5//4``).
        tolerance_grad: tolerancia de optimalidad de primer orden (``1e-7``).
        tolerance_change: tolerancia del cambio de la pérdida o de los parámetros (``1e-9``).
        history_size: pares (s, y) guardados (``100``).
        line_search_fn: ``None`` (paso fijo) o ``"strong_wolfe"``.

    Estado (en el primer parámetro, como PyTorch): ``func_evals``, ``n_iter``, ``d``, ``t``,
    ``old_dirs`` (los y), ``old_stps`` (los s), ``ro`` (1/yᵀs), ``H_diag``, ``prev_flat_grad``,
    ``prev_loss`` y ``al``.

    Ejemplo (con la búsqueda de línea, un solo ``step`` llega al mínimo):
        >>> x = torch.tensor([1.5, -0.5], requires_grad=True)
        >>> opt = optim.LBFGS([x], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((x - 1) ** 2).sum() + (x[0] * x[1]) ** 2
        ...     loss.backward()
        ...     return loss
        >>> loss = opt.step(closure)
        >>> [round(v, 4) for v in x.tolist()]
        [0.6823, 0.6823]

    En PyTorch: ``torch.optim.LBFGS``.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        """Véase el docstring de la clase."""
        name = type(self).__name__
        check_hparam(name, "lr (tasa de aprendizaje)", lr)
        integer(max_iter, "max_iter", name, low=1)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        integer(max_eval, "max_eval", name, low=1)
        number(tolerance_grad, "tolerance_grad", name)
        number(tolerance_change, "tolerance_change", name)
        integer(history_size, "history_size", name, low=1)
        if line_search_fn not in (None, "strong_wolfe"):
            raise RuntimeError(f"{name}: line_search_fn sólo puede ser None o 'strong_wolfe', no {line_search_fn!r}")
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError(f"{name} no admite grupos de parámetros con opciones propias: pásale un solo grupo")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group):
        """Como PyTorch: ``LBFGS`` tiene un solo grupo; sólo se usa al construirlo."""
        if self.param_groups:
            raise ValueError(f"{type(self).__name__} no admite grupos de parámetros con opciones propias")
        super().add_param_group(param_group)

    def __setstate__(self, state):
        """Restaura lo guardado por ``__getstate__`` (y la lista de parámetros del único grupo)."""
        super().__setstate__(state)
        self._params = self.param_groups[0]["params"]

    # -- el vector plano de todos los parámetros -----------------------------------------------------
    def _dtype(self):
        return np.result_type(*[np.asarray(p.param_data()).dtype for p in self._params])

    def _gather_flat_grad(self, dt):
        views = []
        for p in self._params:
            g = p.param_grad()
            size = np.size(p.param_data())
            views.append(np.zeros(size, dt) if g is None else np.asarray(g, dtype=dt).reshape(-1))
        return np.concatenate(views)

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            data = p.param_data()
            if not isinstance(data, np.ndarray):
                data = np.asarray(data, dtype=np.float64)
            n = data.size
            add_scaled_(data, update[offset:offset + n].reshape(data.shape).astype(data.dtype, copy=False),
                        data.dtype.type(step_size))
            p.set_param(data)
            offset += n

    def _clone_param(self):
        return [np.array(p.param_data(), copy=True) for p in self._params]

    def _set_param(self, params_data):
        for p, x in zip(self._params, params_data):
            data = p.param_data()
            if isinstance(data, np.ndarray):
                data[...] = x
                p.set_param(data)
            else:
                p.set_param(np.array(x))

    def _directional_evaluate(self, closure, x, t, d, dt):
        self._add_grad(t, d)
        loss = float(self._call(closure))
        flat_grad = self._gather_flat_grad(dt)
        self._set_param(x)
        return loss, flat_grad

    def _call(self, closure):
        with enable_grad():
            return closure()

    def step(self, closure=None):
        """Hasta ``max_iter`` iteraciones de L-BFGS; ``closure`` (obligatoria) recalcula la pérdida y los
        gradientes. Devuelve la pérdida de la primera llamada a ``closure``."""
        name = type(self).__name__
        if closure is None or not callable(closure):
            raise TypeError(f"{name}.step necesita una closure: una función que pone los gradientes a cero, "
                            f"calcula la pérdida, llama a backward() y la devuelve (opt.step(closure))")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        lr = float(lr) if isinstance(lr, Tensor) else lr
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        if line_search_fn not in (None, "strong_wolfe"):
            raise RuntimeError(f"{name}: line_search_fn sólo puede ser None o 'strong_wolfe', no {line_search_fn!r}")
        dt = self._dtype()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = self._call(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad(dt)
        if np.abs(flat_grad).max() <= tolerance_grad:  # ya es un punto óptimo
            return orig_loss

        d, t = _from_state(state.get("d")), _from_state(state.get("t"))
        old_dirs, old_stps = _from_state(state.get("old_dirs")), _from_state(state.get("old_stps"))
        ro, H_diag = _from_state(state.get("ro")), _from_state(state.get("H_diag"))
        prev_flat_grad, prev_loss = _from_state(state.get("prev_flat_grad")), state.get("prev_loss")
        al = _from_state(state.get("al"))

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # actualizar la memoria (sin pasar de history_size)
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                num_old = len(old_dirs)
                if al is None:
                    al = [None] * history_size
                # recursión de dos bucles: d = −H·g
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    add_scaled_(q, old_dirs[i], -al[i])
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    add_scaled_(r, old_stps[i], al[i] - be_i)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # no es una dirección de descenso
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d, dt)
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd,
                                                                  max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:  # sin búsqueda de línea, reevaluar aquí (salvo en la última)
                    loss = float(self._call(closure))
                    flat_grad = self._gather_flat_grad(dt)
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # los parámetros casi no cambian
                break
            if abs(loss - prev_loss) < tolerance_change:  # la pérdida casi no cambia
                break

        state.update(d=_to_state(d), t=_to_state(t), old_dirs=_to_state(old_dirs), old_stps=_to_state(old_stps),
                     ro=_to_state(ro), H_diag=_to_state(H_diag), prev_flat_grad=_to_state(prev_flat_grad),
                     prev_loss=prev_loss)
        if al is not None:
            state["al"] = _to_state(al)
        return orig_loss
