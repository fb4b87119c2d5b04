"""Referencias lentas y obvias (numpy, float64) de la convolución, la convolución
traspuesta, el pooling y el reescalado, independientes de los núcleos."""
import numpy as np


def pad4(x, ph, pw, value=0.0):
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=np.float64)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def out_size(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """Suma directa tap a tap: out[n, o, y, x] = Σ_{c, i, j} w[o, c, i, j] · xp[n, g·cg + c, y·s + i·d, x·s + j·d]."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = pad4(x, ph, pw)
    oh, ow = out_size(h, kh, sh, ph, dh), out_size(wd, kw, sw, pw, dw)
    og = o // groups
    out = np.zeros((n, o, oh, ow))
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * og:(g + 1) * og].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
                out[:, g * og:(g + 1) * og] += np.einsum("ncyx,oc->noyx", patch, wg[:, :, i, j])
    if b is not None:
        out += np.asarray(b, np.float64)[None, :, None, None]
    return out


def conv2d_grads(x, w, gout, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """(dx, dw) por las mismas sumas tap a tap, traspuestas."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, padding, dilation
    xp = pad4(x, ph, pw)
    oh, ow = gout.shape[2:]
    og = o // groups
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    g64 = gout.astype(np.float64)
    for g in range(groups):
        cs, os_ = slice(g * cg, (g + 1) * cg), slice(g * og, (g + 1) * og)
        for i in range(kh):
            for j in range(kw):
                sl = (slice(None), cs, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                      slice(j * dw_, j * dw_ + sw * (ow - 1) + 1, sw))
                dw[os_, :, i, j] = np.einsum("noyx,ncyx->oc", g64[:, os_], xp[sl])
                dxp[sl] += np.einsum("noyx,oc->ncyx", g64[:, os_], w[os_, :, i, j].astype(np.float64))
    return dxp[:, :, ph:ph + h, pw:pw + wd], dw


def conv_transpose2d(x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1),
                     groups=1):
    """Definición directa: cada entrada x[n, ci, y, x] reparte x·w[ci, co, i, j] en
    (y·s − p + i·d, x·s − p + j·d) de la salida."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    hout = (h - 1) * sh - 2 * ph + dh * (kh - 1) + output_padding[0] + 1
    wout = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    full = np.zeros((n, cog * groups, hout + 2 * ph + sh + dh * kh, wout + 2 * pw + sw + dw * kw))
    cig = cin // groups
    for g in range(groups):
        xs = x[:, g * cig:(g + 1) * cig].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("ncyx,co->noyx", xs, w[g * cig:(g + 1) * cig, :, i, j].astype(np.float64))
                full[:, g * cog:(g + 1) * cog, i * dh:i * dh + sh * (h - 1) + 1:sh,
                     j * dw:j * dw + sw * (wd - 1) + 1:sw] += contrib
    out = full[:, :, ph:ph + hout, pw:pw + wout]
    if b is not None:
        out = out + np.asarray(b, np.float64)[None, :, None, None]
    return out
