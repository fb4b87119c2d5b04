"""Cómo se imprime un tensor: las mismas reglas que PyTorch (``torch/_tensor_str.py``).

* Un formato común a todos los elementos: enteros tal cual; coma flotante con 4 decimales
  (``-0.1100``), como enteros con punto (``2.``) si todos los valores finitos lo son, y en notación
  científica (``1.0000e-05``) si el mayor valor absoluto pasa de 1e8, si el cociente mayor/menor pasa
  de 1000 o (con decimales) si el menor baja de 1e-4. Todos se rellenan por la izquierda al mismo ancho.
* Más de ``threshold`` (1000) elementos: sólo los ``edgeitems`` (3) primeros y últimos de cada eje,
  con ``...`` en medio. Las líneas se cortan a ``linewidth`` (80) caracteres.
* Sufijos: ``dtype=`` si no es float32 (el dtype por defecto), int64 o bool; ``grad_fn=<...>`` o
  ``requires_grad=True``; ``size=`` en los vacíos de más de un eje.

``set_printoptions`` cambia esas opciones, como ``torch.set_printoptions``.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr", "PRINT_OPTS"]


class _PrinterOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrinterOptions()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Opciones de impresión de los tensores (``torch.set_printoptions``).

    Args:
        precision: decimales de los números de coma flotante (4).
        threshold: número de elementos a partir del cual se resume con ``...`` (1000).
        edgeitems: elementos que se muestran al principio y al final de cada eje al resumir (3).
        linewidth: caracteres por línea (80).
        profile: ``"default"``, ``"short"`` (2 decimales, 2 elementos en los bordes) o ``"full"``
            (nunca resume); lo que se dé además lo cambia.
        sci_mode: ``True`` siempre notación científica, ``False`` nunca, ``None`` (por defecto) la
            elige como PyTorch.

    Ejemplo::

        torch.set_printoptions(precision=2)
        torch.tensor([1.2345])         # tensor([1.23])
        torch.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"perfil de impresión desconocido {profile!r}: usa 'default', 'short' o 'full'")
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """Las opciones de impresión actuales (``torch._tensor_str.get_printoptions``)."""
    return {k: getattr(PRINT_OPTS, k) for k in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


class _Formatter:
    """El formato común (ancho, notación) de los elementos que se van a mostrar."""

    def __init__(self, a: np.ndarray):
        self.floating = a.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        flat = a.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
        else:
            vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
            if vals.size:
                absv = np.abs(vals)
                lo, hi = absv.min(), absv.max()
                self.int_mode = bool(np.all(vals == np.ceil(vals)))
                # la notación se decide primero (sci_mode de set_printoptions manda) y el ancho después
                auto = hi / lo > 1000.0 or hi > 1.0e8 or (not self.int_mode and lo < 1.0e-4)
                self.sci_mode = auto if PRINT_OPTS.sci_mode is None else PRINT_OPTS.sci_mode
                if self.sci_mode:
                    width = max(len(f"{v:.{p}e}") for v in vals.tolist())
                elif self.int_mode:
                    width = max(len(f"{v:.0f}") for v in vals.tolist()) + 1
                else:
                    width = max(len(f"{v:.{p}f}") for v in vals.tolist())
                self.max_width = max(self.max_width, width)

    def format(self, value) -> str:
        p = PRINT_OPTS.precision
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


class _ComplexFormatter:
    """Complejos como PyTorch: parte real e imaginaria con su propio formato (``1.+0.5000j``)."""

    def __init__(self, a: np.ndarray):
        self.real, self.imag = _Formatter(a.real), _Formatter(a.imag)
        self.max_width = self.real.max_width + self.imag.max_width + 1  # (+ la j) para repartir las líneas

    def format(self, value) -> str:
        value = complex(value)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return self.real.format(value.real) + (imag if imag[0] in "+-" else "+" + imag)


def _summarized(a: np.ndarray) -> np.ndarray:
    """Sólo los elementos que se muestran al resumir (los de los bordes de cada eje)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return a[(slice(0, 0),) * a.ndim]
    rows = list(range(e)) + list(range(len(a) - e, len(a))) if a.shape[0] > 2 * e else range(len(a))
    return np.stack([_summarized(a[i]) for i in rows])


def _vector(a, indent, summarize, fmt):
    element_length = fmt.max_width + 2
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt.format(v) for v in a[:e].tolist()] + [" ..."] + [fmt.format(v) for v in a[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        slices = ([_body(a[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                  + [_body(a[i], indent + 1, summarize, fmt) for i in range(len(a) - e, len(a))])
    else:
        slices = [_body(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text: str, suffixes, indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _default_complex(default):
    """El complejo por defecto va con el float por defecto (float32 → complex64), como en PyTorch."""
    return {D.float64: D.complex128, D.float32: D.complex64}.get(default)


def tensor_repr(a: np.ndarray, dtype, grad_fn_name=None, requires_grad=False, prefix="tensor(", tangent=None) -> str:
    """El texto de ``repr(tensor)`` para los datos ``a`` (como PyTorch); ``tangent``: el texto de la
    tangente de un tensor dual (``forward_ad``)."""
    indent = len(prefix)
    suffixes = []
    default = D.get_default_dtype()
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype != default:
            suffixes.append(f"dtype={dtype}")
        text = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype not in (default, _default_complex(default), D.int64, D.bool_):
            suffixes.append(f"dtype={dtype}")
        if a.dtype == np.float16:
            a = a.astype(np.float32)
        summarize = a.size > PRINT_OPTS.threshold
        fmt = (_ComplexFormatter if a.dtype.kind == "c" else _Formatter)(_summarized(a) if summarize else a)
        text = _body(a, indent, summarize, fmt)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:
        suffixes.append(f"tangent={tangent}")
    return _add_suffixes(prefix + text, suffixes, indent)
