"""Una capa recurrente entera (una dirección) en un solo nodo: RNN, LSTM y GRU.

Las ecuaciones son las de PyTorch (véanse ``nn/modules/rnn.py`` y el docstring de cada
``Function``). El forward recorre el tiempo: la proyección de la entrada de todos los
pasos es una sola GEMM (``X·W_ihᵀ``) y cada paso hace ``h_{t−1}·W_hhᵀ`` más la celda
fusionada de ``kernels/rnn.py``. El backward es la retropropagación a través del tiempo
(BPTT): del último paso al primero, cada uno devuelve ∂L/∂h_{t−1} = ∂L/∂(puertas)·W_hh;
los gradientes de los pesos se suman de todos los pasos al final con una GEMM por peso
(∂L/∂W_hh = Σ_t ∂(puertas)_tᵀ·h_{t−1}).

Disposición: la entrada ``x`` es (T, B, I) y la salida un vector plano con
``[Y (T, B, P), h_T (B, P), c_T (B, H)]`` (``c_T`` sólo en la LSTM), que
``nn/functional/rnn.py`` separa con ``Piece``. Con ``batch_sizes`` (secuencias empaquetadas,
ordenadas de mayor a menor longitud) en el paso t sólo avanzan las filas ``[0, batch_sizes[t])``;
las demás conservan su estado (y su Y es 0). ``reverse`` recorre el tiempo al revés (la
segunda dirección de una capa bidireccional).
"""
import numpy as np

from ..autograd import ArrayFunction
from ..kernels import gemm
from ..kernels import rnn as K
from . import rnn_parallel as RP

__all__ = ["RNNLayer", "LSTMLayer", "GRULayer", "Piece", "Rows"]


class Piece(ArrayFunction):
    """Un trozo de un vector plano con otra forma: ``flat[start:start + prod(shape)].reshape(shape)``
    (una vista). ∂/∂flat: el gradiente en su sitio y ceros en el resto."""

    @staticmethod
    def forward(ctx, flat, start=0, shape=()):
        n = int(np.prod(shape))
        ctx.start, ctx.n, ctx.size = start, n, flat.shape[0]
        return flat[start:start + n].reshape(shape)

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(ctx.size, dtype=g.dtype)
        full[ctx.start:ctx.start + ctx.n] = g.reshape(-1)
        return full


def _steps(T, reverse):
    return range(T - 1, -1, -1) if reverse else range(T)


def _rows(batch_sizes, t, B):
    return B if batch_sizes is None else int(batch_sizes[t])


def _alloc(packed, shape, dtype):
    # con secuencias empaquetadas las filas inactivas deben ser 0 (en Y y en lo que multiplica
    # a un gradiente nulo: 0·basura podría ser NaN)
    return np.zeros(shape, dtype) if packed else np.empty(shape, dtype)


def _input_proj(x, w_ih, bias):
    T, B, In = x.shape
    gx = gemm.matmul(x.reshape(T * B, In), w_ih.T)
    if bias is not None:
        gx += bias
    return gx.reshape(T, B, w_ih.shape[0])


def _row_sum(a):
    """Σ de las T·B filas (el gradiente de un sesgo) acumulada en float64: numpy suma las filas una tras
    otra, y en float32 el error crece con ellas (como en ``ops/matmul.Linear``)."""
    return a.sum(axis=0, dtype=np.float64).astype(a.dtype)


def _weight_grads(need, dgx2, x, hprev, w_ih, dgh2=None):
    """∂x, ∂W_ih y ∂W_hh sumando todos los pasos (una GEMM cada uno)."""
    T, B, In = x.shape
    dgh2 = dgx2 if dgh2 is None else dgh2
    dx = gemm.matmul(dgx2, w_ih).reshape(T, B, In) if need[0] else None
    dw_ih = gemm.matmul_rows(dgx2, x.reshape(T * B, In)) if need[1] else None
    dw_hh = (gemm.matmul_rows(dgh2, hprev.reshape(T * B, hprev.shape[-1]))
             if need[2] else None)
    return dx, dw_ih, dw_hh


class RNNLayer(ArrayFunction):
    """Capa Elman en el tiempo: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), act = tanh o ReLU.

    BPTT: ∂a_t = (∂L/∂h_t + ∂L/∂h_{t+1}·…)·act′ (tanh′ = 1 − h², ReLU′ = [h > 0]);
    ∂L/∂h_{t−1} = ∂a_t·W_hh; ∂W_ih = Σ ∂a_tᵀ·x_t; ∂W_hh = Σ ∂a_tᵀ·h_{t−1}; ∂b_ih = ∂b_hh = Σ ∂a_t."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, *bias, relu=False, batch_sizes=None, reverse=False):
        T, B, _ = x.shape
        H = w_hh.shape[0]
        packed = batch_sizes is not None
        gx = _input_proj(x, w_ih, bias[0] + bias[1] if bias else None)
        flat = _alloc(packed, T * B * H + B * H, x.dtype)
        Y = flat[:T * B * H].reshape(T, B, H)
        h = flat[T * B * H:].reshape(B, H)
        h[...] = h0
        save = ctx.requires_grad
        hprev = _alloc(packed, (T, B, H), x.dtype) if save else None
        gh = np.empty((B, H), x.dtype)
        for t in _steps(T, reverse):
            n = _rows(batch_sizes, t, B)
            gemm.matmul(h[:n], w_hh.T, out=gh[:n])
            if save:
                hprev[t, :n] = h[:n]
            if relu:
                K.rnn_relu_out(gx[t, :n], gh[:n], Y[t, :n])
            else:
                np.add(gx[t, :n], gh[:n], out=Y[t, :n])
                np.tanh(Y[t, :n], out=Y[t, :n])
            h[:n] = Y[t, :n]
        if save:
            ctx.save_for_backward(x, w_ih, w_hh)
            ctx.Y, ctx.hprev, ctx.cfg = Y, hprev, (relu, batch_sizes, reverse, bool(bias))
        return flat

    @staticmethod
    def backward(ctx, g):
        x, w_ih, w_hh = ctx.saved_tensors
        relu, batch_sizes, reverse, has_bias = ctx.cfg
        T, B, _ = x.shape
        H = w_hh.shape[0]
        gY = g[:T * B * H].reshape(T, B, H)
        dh = g[T * B * H:].reshape(B, H).copy()
        da = _alloc(batch_sizes is not None, (T, B, H), g.dtype)
        for t in reversed(_steps(T, reverse)):
            n = _rows(batch_sizes, t, B)
            dh[:n] += gY[t, :n]
            K.rnn_backward(dh[:n], ctx.Y[t, :n], relu, da[t, :n])
            gemm.matmul(da[t, :n], w_hh, out=dh[:n])
        need = ctx.needs_input_grad
        da2 = da.reshape(T * B, H)
        dx, dw_ih, dw_hh = _weight_grads((need[0], need[2], need[3]), da2, x, ctx.hprev, w_ih)
        out = (dx, dh if need[1] else None, dw_ih, dw_hh)
        if has_bias:
            db = _row_sum(da2)
            out += (db, db.copy())
        return out


class LSTMLayer(ArrayFunction):
    """LSTM en el tiempo (puertas i, f, g, o como PyTorch; con ``proj_size``, h_t = W_hr·m_t):

        i, f, o = σ(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)   (sus bloques)    g = tanh(…)
        c_t = f ⊙ c_{t−1} + i ⊙ g      m_t = o ⊙ tanh(c_t)      h_t = m_t (o m_t·W_hrᵀ)

    BPTT: cada paso recibe ∂L/∂h_t (de la salida y del paso siguiente) y ∂L/∂c_t; la celda
    (``kernels.rnn.lstm_backward``) da ∂(puertas) y ∂L/∂c_{t−1} = ∂c·f; ∂L/∂h_{t−1} = ∂(puertas)·W_hh.
    ∂W_hr = Σ ∂h_tᵀ·m_t; los demás pesos como en ``RNNLayer``."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, *extra, has_bias=True, batch_sizes=None, reverse=False):
        T, B, _ = x.shape
        G, P = w_hh.shape
        H = G // 4
        w_hr = extra[-1] if len(extra) in (1, 3) else None
        packed = batch_sizes is not None
        dt = x.dtype
        nk = RP.lstm_blocks(x, w_hh, w_hr, batch_sizes)
        if nk > 1:  # float32: por bloques de unidades, uno por hilo (``ops/rnn_parallel.py``)
            flat, saved = RP.lstm_forward_blocks(x, h0, c0, w_ih, w_hh, extra[0] + extra[1] if has_bias else None,
                                                 reverse, nk, ctx.requires_grad)
            if saved is not None:
                ctx.save_for_backward(x, w_ih, w_hh, w_hr)  # (los pesos: comprobación de cambios in situ)
                ctx.blocks, ctx.cfg = saved, (batch_sizes, reverse, has_bias)
            return flat
        gx = _input_proj(x, w_ih, extra[0] + extra[1] if has_bias else None)
        ny = T * B * P
        flat = _alloc(packed, ny + B * P + B * H, dt)
        Y = flat[:ny].reshape(T, B, P)
        h = flat[ny:ny + B * P].reshape(B, P)
        c = flat[ny + B * P:].reshape(B, H)
        h[...] = h0
        c[...] = c0
        save = ctx.requires_grad
        if save:
            act, cprev, tc = np.empty((T, B, G), dt), np.empty((T, B, H), dt), np.empty((T, B, H), dt)
            hprev = _alloc(packed, (T, B, P), dt)
            M = _alloc(packed, (T, B, H), dt) if w_hr is not None else None
        else:  # sin grafo basta el paso actual
            act, cprev, tc = np.empty((1, B, G), dt), np.empty((1, B, H), dt), np.empty((1, B, H), dt)
            M = np.empty((1, B, H), dt) if w_hr is not None else None
        gh, e = np.empty((B, G), dt), np.empty((B, G), dt)
        lim = K.exp_limit(dt)
        fused = dt == np.float32  # en float32, la celda entera en un núcleo (exp propia vectorizable)
        if fused:
            u, bits = np.empty(5 * H), np.empty(4 * H, np.int64)
        for t in _steps(T, reverse):
            n = _rows(batch_sizes, t, B)
            s = t if save else 0
            gemm.matmul(h[:n], w_hh.T, out=gh[:n])
            if save:
                hprev[t, :n] = h[:n]
            m = Y[t, :n] if w_hr is None else M[s, :n]
            if fused:
                K.lstm_step_f32(gx[t, :n], gh[:n], c[:n], act[s, :n], cprev[s, :n], tc[s, :n], m, u, bits)
            else:
                K.lstm_pre(gx[t, :n], gh[:n], e[:n], lim)
                np.exp(e[:n, :2 * H], out=e[:n, :2 * H])  # i, f
                np.tanh(e[:n, 2 * H:3 * H], out=e[:n, 2 * H:3 * H])  # g
                np.exp(e[:n, 3 * H:], out=e[:n, 3 * H:])  # o
                K.lstm_cell(e[:n], c[:n], act[s, :n], cprev[s, :n], tc[s, :n])
                np.tanh(tc[s, :n], out=tc[s, :n])
                K.lstm_out(tc[s, :n], act[s, :n], m)
            if w_hr is not None:
                gemm.matmul(M[s, :n], w_hr.T, out=Y[t, :n])
            h[:n] = Y[t, :n]
        if save:
            ctx.save_for_backward(x, w_ih, w_hh, w_hr)
            ctx.act, ctx.cprev, ctx.tc, ctx.hprev = act, cprev, tc, hprev
            if M is not None:
                ctx.M = M
            ctx.cfg = (batch_sizes, reverse, has_bias)
        return flat

    @staticmethod
    def backward(ctx, g):
        if hasattr(ctx, "blocks"):
            batch_sizes, reverse, has_bias = ctx.cfg
            return RP.lstm_backward_blocks(g, ctx.saved_tensors[0], ctx.blocks, reverse, ctx.needs_input_grad,
                                           has_bias)
        x, w_ih, w_hh, w_hr = ctx.saved_tensors
        batch_sizes, reverse, has_bias = ctx.cfg
        T, B, _ = x.shape
        G, P = w_hh.shape
        H = G // 4
        packed = batch_sizes is not None
        ny = T * B * P
        gY = g[:ny].reshape(T, B, P)
        dh = g[ny:ny + B * P].reshape(B, P).copy()
        dc = g[ny + B * P:].reshape(B, H).copy()
        dgates = _alloc(packed, (T, B, G), g.dtype)
        if w_hr is not None:
            dhs = _alloc(packed, (T, B, P), g.dtype)
            dm = np.empty((B, H), g.dtype)
        for t in reversed(_steps(T, reverse)):
            n = _rows(batch_sizes, t, B)
            dh[:n] += gY[t, :n]
            if w_hr is None:
                d = dh[:n]
            else:
                dhs[t, :n] = dh[:n]
                d = dm[:n]
                gemm.matmul(dh[:n], w_hr, out=d)
            K.lstm_backward(d, ctx.act[t, :n], ctx.cprev[t, :n], ctx.tc[t, :n], dc[:n], dgates[t, :n])
            gemm.matmul(dgates[t, :n], w_hh, out=dh[:n])
        need = ctx.needs_input_grad
        dg2 = dgates.reshape(T * B, G)
        dx, dw_ih, dw_hh = _weight_grads((need[0], need[3], need[4]), dg2, x, ctx.hprev, w_ih)
        out = (dx, dh if need[1] else None, dc if need[2] else None, dw_ih, dw_hh)
        if has_bias:
            db = _row_sum(dg2)
            out += (db, db.copy())
        if w_hr is not None:
            out += (gemm.matmul(dhs.reshape(T * B, P).T, ctx.M.reshape(T * B, H)) if need[-1] else None,)
        return out


class GRULayer(ArrayFunction):
    """GRU en el tiempo (puertas r, z, n como PyTorch):

        r = σ(W_ir·x + b_ir + W_hr·h + b_hr)     z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
        n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))     h' = (1 − z) ⊙ n + z ⊙ h

    BPTT (``kernels.rnn.gru_backward``): ∂L/∂h = ∂h'·z + ∂gh·W_hh, con ∂gh = (dr, dz, dn ⊙ r);
    ∂W_ih = Σ ∂gxᵀ·x, ∂W_hh = Σ ∂ghᵀ·h_{t−1}, ∂b_ih = Σ ∂gx, ∂b_hh = Σ ∂gh."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, *bias, batch_sizes=None, reverse=False):
        T, B, _ = x.shape
        G, H = w_hh.shape
        packed = batch_sizes is not None
        dt = x.dtype
        gx = _input_proj(x, w_ih, bias[0] if bias else None)
        flat = _alloc(packed, T * B * H + B * H, dt)
        Y = flat[:T * B * H].reshape(T, B, H)
        h = flat[T * B * H:].reshape(B, H)
        h[...] = h0
        save = ctx.requires_grad
        k = T if save else 1
        act, ghn = np.empty((k, B, G), dt), np.empty((k, B, H), dt)
        hprev = _alloc(packed, (T, B, H), dt) if save else None
        gh, e, narg = np.empty((B, G), dt), np.empty((B, 2 * H), dt), np.empty((B, H), dt)
        lim = K.exp_limit(dt)
        for t in _steps(T, reverse):
            n = _rows(batch_sizes, t, B)
            s = t if save else 0
            gemm.matmul(h[:n], w_hh.T, out=gh[:n])
            if bias:
                gh[:n] += bias[1]
            if save:
                hprev[t, :n] = h[:n]
            K.gru_pre(gx[t, :n], gh[:n], e[:n], lim)
            np.exp(e[:n], out=e[:n])
            K.gru_mid(e[:n], gx[t, :n], gh[:n], act[s, :n], ghn[s, :n], narg[:n])
            np.tanh(narg[:n], out=narg[:n])
            K.gru_out(narg[:n], act[s, :n], h[:n], Y[t, :n])
            h[:n] = Y[t, :n]
        if save:
            ctx.save_for_backward(x, w_ih, w_hh)
            ctx.act, ctx.ghn, ctx.hprev = act, ghn, hprev
            ctx.cfg = (batch_sizes, reverse, bool(bias))
        return flat

    @staticmethod
    def backward(ctx, g):
        x, w_ih, w_hh = ctx.saved_tensors
        batch_sizes, reverse, has_bias = ctx.cfg
        T, B, _ = x.shape
        G, H = w_hh.shape
        packed = batch_sizes is not None
        gY = g[:T * B * H].reshape(T, B, H)
        dh = g[T * B * H:].reshape(B, H).copy()
        dgx, dgh = _alloc(packed, (T, B, G), g.dtype), _alloc(packed, (T, B, G), g.dtype)
        direct, viaw = np.empty((B, H), g.dtype), np.empty((B, H), g.dtype)
        for t in reversed(_steps(T, reverse)):
            n = _rows(batch_sizes, t, B)
            dh[:n] += gY[t, :n]
            K.gru_backward(dh[:n], ctx.act[t, :n], ctx.ghn[t, :n], ctx.hprev[t, :n], dgx[t, :n], dgh[t, :n],
                           direct[:n])
            gemm.matmul(dgh[t, :n], w_hh, out=viaw[:n])
            np.add(direct[:n], viaw[:n], out=dh[:n])
        need = ctx.needs_input_grad
        dgx2, dgh2 = dgx.reshape(T * B, G), dgh.reshape(T * B, G)
        dx, dw_ih, dw_hh = _weight_grads((need[0], need[2], need[3]), dgx2, x, ctx.hprev, w_ih, dgh2)
        out = (dx, dh if need[1] else None, dw_ih, dw_hh)
        if has_bias:
            out += (_row_sum(dgx2), _row_sum(dgh2))
        return out


class Rows(ArrayFunction):
    """Filas elegidas de ``x`` (N, …): ``out[k] = x[index[k]]``, y ceros donde ``index[k] < 0``.
    Es el cambio de disposición empaquetada ↔ rellenada de las secuencias (``index`` sin
    repetidos). ∂/∂x: cada fila de g vuelve a su fila de origen (las de relleno no cuentan)."""

    @staticmethod
    def forward(ctx, x, index=None):
        valid = index >= 0
        out = np.zeros((index.shape[0],) + x.shape[1:], dtype=x.dtype)
        out[valid] = x[index[valid]]
        ctx.index, ctx.valid, ctx.n = index, valid, x.shape[0]
        return out

    @staticmethod
    def backward(ctx, g):
        full = np.zeros((ctx.n,) + g.shape[1:], dtype=g.dtype)
        full[ctx.index[ctx.valid]] = g[ctx.valid]
        return full
