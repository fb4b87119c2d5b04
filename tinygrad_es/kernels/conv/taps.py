"""∂L/∂x de la convolución sumado tap a tap, sin transformadas: el camino de ``conv2d_backward`` cuando el
gradiente que llega no es finito (Winograd y las rejillas con ceros restarían o multiplicarían inf por 0 y
darían nan donde PyTorch da inf). Sólo numpy: es un caso raro y no necesita ser rápido."""
import numpy as np

__all__ = ["input_grad_by_taps"]


def input_grad_by_taps(g, st):
    """∂L/∂x sumando, para cada posición (u, v) del núcleo, Σ_o g[n, o, i, j]·w[o, c, u, v] en
    x[n, c, i·s − p + u·d, j·s − p + v·d]: sin transformadas (un gradiente inf da inf, como PyTorch)."""
    n, c, h, wd = st.x_shape
    o, cg, kh, kw = st.w.shape
    og = o // st.groups
    (sh, sw), (dh, dwl), (ph, pw) = st.stride, st.dilation, st.padding
    oh, ow = st.out_hw
    dxp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), g.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        for k in range(st.groups):
            gk, wk = g[:, k * og:(k + 1) * og], st.w[k * og:(k + 1) * og]
            for u in range(kh):
                for v in range(kw):
                    dxp[:, k * cg:(k + 1) * cg, u * dh:u * dh + (oh - 1) * sh + 1:sh,
                        v * dwl:v * dwl + (ow - 1) * sw + 1:sw] += np.einsum("noij,oc->ncij", gk, wk[:, :, u, v])
    return np.ascontiguousarray(dxp[:, :, ph:ph + h, pw:pw + wd])
