"""Ejecución acotada del programa ``dot`` de Graphviz.

Graphviz puede tardar minutos en colocar un grafo con un nodo muy compartido
(``x + x + … + x`` con 80 términos: más de 300 s). Por eso ``dot`` se lanza aquí
con un plazo: si no termina a tiempo, o si Python se interrumpe (Ctrl-C,
``SystemExit``), se mata su grupo de procesos. En Linux, además, el núcleo lo
mata si nuestro proceso muere de golpe (``PR_SET_PDEATHSIG``): nunca queda un
``dot`` huérfano.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys

__all__ = ["GraphvizTimeout", "run_dot", "active_dot_pids"]


class GraphvizTimeout(RuntimeError):
    """Graphviz no terminó de dibujar el grafo en el plazo dado."""


_active = set()   # pids de los dot en marcha (para los tests y para limpiar al salir)


def active_dot_pids() -> set:
    return set(_active)


def _pdeathsig_preexec():
    """Función para ``preexec_fn``: pide al núcleo SIGKILL para el hijo si muere el padre."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):  # pragma: no cover - libc sin prctl
        return None
    parent = os.getpid()

    def preexec():
        prctl(1, signal.SIGKILL, 0, 0, 0)      # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:             # el padre murió antes del prctl
            os._exit(1)
    return preexec


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError, OSError):
        try:
            proc.kill()
        except OSError:
            pass
    proc.wait()


def run_dot(source: str, fmt: str, timeout: float, extra_args=(), what: str = "el grafo") -> bytes:
    """Ejecuta ``dot -T<fmt>`` sobre ``source`` y devuelve la imagen en bytes.

    Lanza ``FileNotFoundError`` si no existe ``dot``, ``GraphvizTimeout`` si tarda más de
    ``timeout`` segundos y ``RuntimeError`` si Graphviz falla. En todos los casos, y también
    ante ``KeyboardInterrupt``, el proceso ``dot`` termina antes de volver."""
    if timeout <= 0:
        raise GraphvizTimeout(f"no queda tiempo para dibujar {what} con Graphviz (plazo agotado)")
    kw = {"start_new_session": True} if os.name == "posix" else {}
    pre = _pdeathsig_preexec()
    if pre is not None:
        kw["preexec_fn"] = pre
    proc = subprocess.Popen(["dot", f"-T{fmt}", *extra_args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)
    _active.add(proc.pid)
    try:
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise GraphvizTimeout(
            f"Graphviz no terminó de dibujar {what} en {timeout:g} s y se ha detenido: el grafo es "
            f"demasiado grande o enrevesado para dibujarlo. Usa una expresión más pequeña o guarda "
            f"sólo el texto del grafo con la extensión .dot") from None
    except BaseException:
        _kill(proc)
        raise
    finally:
        _active.discard(proc.pid)
    if proc.returncode != 0:
        msg = err.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz falló al dibujar {what} (código {proc.returncode}): {msg}")
    return out
